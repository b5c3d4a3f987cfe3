import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../../config/errors";
import { loadStackConfig } from "../../config/load";
import { ROOT, tmpDir } from "../support/helpers";
import { BASE, P, refusal, STORE } from "../support/stackText";
import { withRuntimeConfig } from "../support/runtimeConfig";

/*
 * The 1Password provider's own config keys (its README's `onepassword:url`, `onepassword:token`)
 * written into the stack file: the program builds its own provider from secrets.connectUrl and
 * onepasswordToken, so these were read by nothing and said by nothing. A Connect URL there left
 * the stack in service-account mode, and a token there sat in the file, in plain text or not,
 * doing nothing.
 */

const VAULT = "6qf2homelabvault0000000000";
const TOKEN = "ops_plaintext-token-31337";
const ONEPASSWORD = `  ${P("secrets")}:\n    backend: onepassword\n    vault: ${VAULT}\n`;

describe("config: the 1Password provider's own keys in the stack file", function () {
  this.timeout(20000);

  it("offline: each is one problem at its line, naming the key the program reads instead; a plain token is said, never shown", () => {
    const e = refusal(
      `${BASE}${STORE}${ONEPASSWORD}  onepassword:url: http://localhost:8080\n  onepassword:token: ${TOKEN}\n`,
      "lab",
    );
    const about = e.problems.filter((p) => p.startsWith("onepassword:"));
    assert.deepEqual(
      about,
      [
        "onepassword:url: expected no 1Password provider setting in the stack file, got onepassword:url, which this program never reads (it configures its own 1Password provider from homelab-observability:secrets and homelab-observability:onepasswordToken); set homelab-observability:secrets.connectUrl to the Connect server's URL, then remove it with `pulumi config rm --stack lab onepassword:url`.",
        "onepassword:token: expected no 1Password provider setting in the stack file, got onepassword:token, which this program never reads (it configures its own 1Password provider from homelab-observability:secrets and homelab-observability:onepasswordToken); set the Connect token with `pulumi config set --stack lab --secret onepasswordToken` (or export OP_CONNECT_TOKEN), with homelab-observability:secrets.connectUrl set, then remove it with `pulumi config rm --stack lab onepassword:token`. It is written in plain text (not shown): anyone who reads the stack file has it, so rotate it.",
      ],
      e.message,
    );
    assert.deepEqual(
      e.places.filter((_, i) => e.problems[i].startsWith("onepassword:")).map((p) => p?.line),
      [10, 11],
    );
    assert.ok(!e.message.includes(TOKEN), "the token is not printed");
  });

  it("offline: a service account token, an account and an unknown key each say what instead", () => {
    const e = refusal(
      `${BASE}${STORE}${ONEPASSWORD}  onepassword:serviceAccountToken:\n    secure: v1:AAAAAAAAAAAAAAAA:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB\n  onepassword:account: my.1password.com\n  onepassword:vault: ${VAULT}\n`.replace(
        "config:\n",
        "encryptionsalt: v1:c2FsdHNhbHQ=:v1:AAAAAAAAAAAAAAAA:BBBBBBBBBBBBBBBBBBBBBB==\nconfig:\n",
      ),
      "lab",
    );
    const about = e.problems.filter((p) => p.startsWith("onepassword:"));
    assert.equal(about.length, 3, e.message);
    assert.match(
      about[0],
      /^onepassword:serviceAccountToken: .*set the service account token with `pulumi config set --stack lab --secret onepasswordToken` \(or export OP_SERVICE_ACCOUNT_TOKEN\), with no homelab-observability:secrets\.connectUrl, then remove it with `pulumi config rm --stack lab onepassword:serviceAccountToken`\.$/,
    );
    assert.match(about[1], /^onepassword:account: .*with a Connect token or a service account token only/);
    assert.match(about[2], /^onepassword:vault: .*the provider has no such setting either: remove it/);
  });

  it("offline: a token whose secure value the CLI cannot decrypt is one line, whose removal mends both", () => {
    const e = refusal(
      `${BASE}${STORE}${ONEPASSWORD}  onepassword:serviceAccountToken:\n    secure: v1:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAAAA\n`,
      "op1",
    );
    const about = e.problems.filter((p) => p.includes("serviceAccountToken"));
    assert.deepEqual(
      about,
      [
        "onepassword:serviceAccountToken: expected no 1Password provider setting in the stack file, got onepassword:serviceAccountToken (onepassword:serviceAccountToken's secure value is not Pulumi Cloud ciphertext (base64), and the stack file has no encryptionsalt (passphrase) or secretsprovider/encryptedkey, so the CLI cannot decrypt it either (the value is not shown)), which this program never reads (it configures its own 1Password provider from homelab-observability:secrets and homelab-observability:onepasswordToken); set the service account token with `pulumi config set --stack op1 --secret onepasswordToken` (or export OP_SERVICE_ACCOUNT_TOKEN), with no homelab-observability:secrets.connectUrl, then remove it with `pulumi config rm --stack op1 onepassword:serviceAccountToken`.",
      ],
      e.message,
    );
  });

  it("under the Pulumi runtime (config/load.ts): the same problems; a token passed as a secret is not called plain", async () => {
    const dir = tmpDir("onepassword-keys");
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    const config = {
      [P("kubeContext")]: "admin@example",
      [P("phase")]: "kps-removed",
      [P("objectStore")]: JSON.stringify({ type: "minio", endpoint: "http://minio.storage.svc:9000" }),
      [P("secrets")]: JSON.stringify({ backend: "onepassword", vault: VAULT }),
      "onepassword:url": "http://localhost:8080",
      "onepassword:token": TOKEN,
    };
    const problems = (secretKeys: string[]) =>
      withRuntimeConfig("lab", config, () => {
        pulumi.runtime.setAllConfig(config, secretKeys);
        try {
          loadStackConfig(dir);
        } catch (e) {
          assert.ok(e instanceof ConfigError, String(e));
          assert.ok(!e.message.includes(TOKEN), "the token is not printed");
          return e.problems.filter((p) => p.startsWith("onepassword:"));
        }
        return assert.fail("the config passed");
      });
    const plain = await problems([]);
    assert.equal(plain.length, 2, plain.join("\n"));
    assert.match(plain[0], /^onepassword:url: .*set homelab-observability:secrets\.connectUrl/);
    assert.match(plain[1], /^onepassword:token: .*It is written in plain text \(not shown\)/);
    const secure = await problems(["onepassword:token"]);
    assert.equal(secure.length, 2);
    assert.doesNotMatch(secure[1], /plain text/);
  });
});

describe("config: secrets.connectUrl, the base the Connect client appends its API paths to (issue 51)", () => {
  // The provider's Connect client (1Password/connect-sdk-go connect/client.go buildRequest) joins
  // this text and `/v1/vaults/...` as text: a query or a fragment swallowed every API path, and the
  // stack was taken offline to fail in `pulumi up`, its query's token written into the export.
  const connect = (url: string) => refusal(`${BASE}${STORE}${ONEPASSWORD}    connectUrl: "${url}"\n`, "lab");

  it("refuses a query and a fragment at the key's line, with the form and what was found, never a credential", () => {
    const e = connect("http://op-connect.onepassword.svc:8080/?token=s3cr3t#f");
    assert.deepEqual(
      e.problems,
      [
        `${P("secrets.connectUrl")}: expected a URL with scheme http or https, a host, no query or fragment and no credentials, like "http://onepassword-connect.onepassword.svc:8080" (it has a query and a fragment), got string "http://op-connect.onepassword.svc:8080/?token=<redacted>#f"`,
      ],
      e.message,
    );
    assert.equal(e.places[0]?.line, 10, e.message);
    assert.ok(![e.message, ...e.notes].some((t) => t.includes("s3cr3t")), e.message);
    // The rules read it as the URL without its query and fragment, its path kept.
    assert.match(
      connect("http://op.example.net/connect?x=1").notes.join("\n"),
      /as "http:\/\/op\.example\.net\/connect", the URL without its query and fragment\)/,
    );
  });

  it("takes a path: a Connect server behind a proxy's prefix", () => {
    for (const url of ["http://op.example.net/connect", "http://op-connect.onepassword.svc:8080"])
      assert.throws(() => connect(url), /was accepted/, url);
  });
});
