/**
 * A credential in a URL's query (`?token=`, `&access_token=`, `?sig=`, `X-Amz-Signature=`) is never
 * printed: every message that shows a URL (a config problem's "got ...", a flag's value, verify's
 * refusals) shows the parameter's name and `<redacted>` for its value, as it shows a login.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { withoutQueryCredentials } from "../../model/secrets";
import { redactUrl } from "../../config/schema";
import { ROOT, synthCli, treeDir, verifyCli } from "../support/helpers";

describe("a credential in a URL's query is never printed", () => {
  it("each credential-named parameter's value is <redacted>, its name and the other parameters kept", () => {
    assert.equal(
      withoutQueryCredentials("https://hooks.lab/hook?token=abc123&channel=ops"),
      "https://hooks.lab/hook?token=<redacted>&channel=ops",
    );
    assert.equal(
      redactUrl(
        "https://u:pw@s3.lab/b?X-Amz-Signature=abc123&access_token=def456&apikey=ghi789&sig=jkl012&password=mno345",
      ),
      "https://<redacted>@s3.lab/b?X-Amz-Signature=<redacted>&access_token=<redacted>&apikey=<redacted>&sig=<redacted>&password=<redacted>",
    );
  });

  it("synth: the config problems' got ... of objectStore.endpoint and grafana.url show no secret", async () => {
    const stack = fs
      .readFileSync(path.join(ROOT, "Pulumi.staging.yaml"), "utf8")
      .replace(
        "endpoint: http://minio.storage.svc.cluster.local:9000",
        "endpoint: http://minio.storage.svc.cluster.local:9000/?X-Amz-Signature=SIGs3cr3t1&token=TOKs3cr3t2",
      );
    const dir = treeDir("query-credentials", {
      "Pulumi.yaml": fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"),
      "Pulumi.staging.yaml": `${stack}  homelab-observability:grafana:\n    url: https://elsewhere.lab/?access_token=GRAFs3cr3t3\n    ingress:\n      host: grafana.lab\n      controllerNamespace: ingress-nginx\n`,
    });
    const r = await synthCli("--dir", dir, "--stack", "staging");
    const out = r.stdout + r.stderr;
    assert.equal(r.status, 2, out);
    assert.match(
      out,
      /objectStore\.endpoint: .*got string "http:\/\/minio\.storage\.svc\.cluster\.local:9000\/\?X-Amz-Signature=<redacted>&token=<redacted>"/,
    );
    assert.match(out, /grafana\.url: .*got "https:\/\/elsewhere\.lab\/\?access_token=<redacted>"/);
    assert.doesNotMatch(out, /s3cr3t/);
  });

  it("verify: --url and --move-from given twice show no secret", async () => {
    const urls = await verifyCli(
      "--stack",
      "staging",
      "--url",
      "grafana=http://g.lab/?apikey=KEYs3cr3t1",
      "--url",
      "grafana=http://g2.lab/?password=PWs3cr3t2",
    );
    assert.equal(urls.status, 2, urls.stdout + urls.stderr);
    assert.match(
      urls.stderr,
      /--url grafana: expected one URL, got 2: "http:\/\/g\.lab\/\?apikey=<redacted>", "http:\/\/g2\.lab\/\?password=<redacted>"/,
    );
    const moves = await verifyCli(
      "--stack",
      "staging",
      "--move-from",
      "http://old.lab:3900/?sig=SIGs3cr3t3",
      "--move-from",
      "http://new.lab:3900/?token=TOKs3cr3t4",
    );
    assert.match(
      moves.stderr,
      /--move-from is given twice: "http:\/\/old\.lab:3900\/\?sig=<redacted>" and "http:\/\/new\.lab:3900\/\?token=<redacted>"/,
    );
    assert.doesNotMatch(urls.stdout + urls.stderr + moves.stdout + moves.stderr, /s3cr3t/);
  });
});
