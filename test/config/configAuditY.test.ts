import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { ConfigError } from "../../config/errors";
import { loadStackConfig } from "../../config/load";
import { ROOT, tmpDir } from "../support/helpers";
import { BASE, inCheckout, P, refusal, STORE } from "../support/stackText";
import { withRuntimeConfig } from "../support/runtimeConfig";

/*
 * Audit hY: a plain-text secret nothing reads is one message (its key's), in the offline run and
 * in the one `pulumi preview` takes; and a bad grafana.ingress beside grafana.httpRoute still
 * gets the "both set" message, with no grafana.url judged against the route's host.
 */

const VALUE = "plain-token-value-31337";

describe("config: a plain-text secret nothing reads is one message (audit hY)", function () {
  this.timeout(20000);

  it("offline: the unread key's message says the value is plain text, never the value", () => {
    const e = refusal(`${BASE}${STORE}  ${P("onepasswordToken")}: ${VALUE}\n`, "lab");
    const about = e.problems.filter((p) => p.includes("onepasswordToken"));
    assert.deepEqual(
      about,
      [
        `${P("onepasswordToken")}: expected no onepasswordToken while secrets.backend is "config" (only the onepassword backend reads the 1Password token, so nothing reads it), got it set (onepasswordToken's value is plain text in the stack file, not a secret: not shown, yet anyone who reads the file has it); remove it with \`pulumi config rm --stack lab onepasswordToken\`, or set secrets.backend "onepassword" with its vault and set the value again as a secret with \`pulumi config set --stack lab --secret onepasswordToken\``,
      ],
      e.message,
    );
    assert.ok(!e.message.includes(VALUE), "the secret is not printed");
  });

  it("offline: a plain leaf of a map secret nothing reads is said in the key's message, at its path", () => {
    const e = refusal(
      `${BASE}${STORE}  ${P("secrets")}:
    backend: onepassword
    vault: abcdefghijklmnopqrstuvwxyz
  ${P("receiverCredentials")}:
    ops: ${VALUE}
`,
      "lab",
    );
    const about = e.problems.filter((p) => p.includes("receiverCredentials"));
    assert.equal(about.length, 1, e.message);
    assert.match(
      about[0],
      /^homelab-observability:receiverCredentials: expected no receiverCredentials while/,
    );
    assert.ok(about[0].includes("receiverCredentials.ops's value is plain text in the stack file"), about[0]);
    assert.ok(about[0].includes("`pulumi config set --stack lab --secret --path 'receiverCredentials.ops'`"));
    assert.ok(!e.message.includes(VALUE), "the secret is not printed");
  });

  it("offline: a plain secret that is read keeps its own message", () => {
    const e = refusal(`${BASE}${STORE}  ${P("minioAdminPassword")}: ${VALUE}\n`, "lab");
    assert.ok(
      e.problems.some((p) => p.startsWith(`${P("minioAdminPassword")}: expected a secret`)),
      e.message,
    );
    assert.ok(!e.message.includes(VALUE), "the secret is not printed");
  });

  it("under the Pulumi runtime (config/load.ts): the same one message", async () => {
    const text = `${BASE}${STORE}  ${P("alerting")}:
    heartbeat: false
  ${P("heartbeatUrl")}: ${VALUE}
`;
    const dir = tmpDir("audit-y");
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    fs.writeFileSync(path.join(dir, "Pulumi.lab.yaml"), text);
    // What the CLI hands the program for that file: no key among its secret keys.
    await withRuntimeConfig(
      "lab",
      {
        [P("kubeContext")]: "admin@example",
        [P("phase")]: "kps-removed",
        [P("objectStore")]: JSON.stringify({ type: "minio", endpoint: "http://minio.storage.svc:9000" }),
        [P("alerting")]: JSON.stringify({ heartbeat: false }),
        [P("heartbeatUrl")]: VALUE,
      },
      () => {
        assert.throws(
          () => loadStackConfig(dir),
          (e: unknown) => {
            assert.ok(e instanceof ConfigError, String(e));
            const about = inCheckout(e, dir).problems.filter((p) => p.includes("heartbeatUrl"));
            assert.deepEqual(
              about,
              [
                `${P("heartbeatUrl")}: expected no heartbeatUrl while alerting.heartbeat is false (the heartbeat is off, so nothing reads it), got it set (heartbeatUrl's value is plain text in the stack file, not a secret: not shown, yet anyone who reads the file has it); remove it with \`pulumi config rm --stack lab heartbeatUrl\`, or set alerting.heartbeat true and set the value again as a secret with \`pulumi config set --stack lab --secret heartbeatUrl\``,
              ],
              e.message,
            );
            assert.ok(!e.message.includes(VALUE), "the secret is not printed");
            return true;
          },
        );
      },
    );
  });
});

describe("config: grafana's ways in judged on what the file sets, a refused one too (audit hY)", function () {
  this.timeout(20000);

  const INGRESS = `    ingress:
      host: grafana.example.com
      controllerNamespace: ingress-nginx
`;
  const route = (host: string, scheme = "https") => `    httpRoute:
      host: ${host}
      scheme: ${scheme}
      parentRef:
        name: gw
        namespace: gateway
`;
  const grafana = (url: string, ...ways: string[]) =>
    `${BASE}${STORE}  ${P("grafana")}:\n    url: ${url}\n${ways.join("")}`;
  const HOST_REFUSED = (at: string) =>
    `${P(at)}: expected a host name (a DNS-1123 subdomain: lowercase letters, digits, '-' and '.') like "grafana.example.net", got string "Not A Host"`;
  const BOTH = `${P("grafana.httpRoute")}: expected either grafana.ingress or grafana.httpRoute, got both (Grafana has one root_url)`;

  it("a bad grafana.ingress beside grafana.httpRoute: both set is said, grafana.url not judged on the route's host", () => {
    const e = refusal(
      grafana(
        "https://grafana.example.com",
        INGRESS.replace("host: grafana.example.com", "host: Not A Host"),
        route("route.example.com"),
      ),
    );
    assert.deepEqual(e.problems, [HOST_REFUSED("grafana.ingress.host"), BOTH], e.message);
  });

  it("both ways set and grafana.url on neither host: the URL and both set are said in one run, each at its line", () => {
    const same = refusal(grafana("https://grafana.other.net", INGRESS, route("grafana.example.com")));
    assert.deepEqual(
      same.problems,
      [
        `${P("grafana.url")}: expected a URL on grafana.ingress.host and grafana.httpRoute.host "grafana.example.com" (Grafana's links and redirects use it), got "https://grafana.other.net"; set it to https://grafana.example.com, or leave grafana.url out and the program sets it`,
        BOTH,
      ],
      same.message,
    );
    const apart = refusal(grafana("https://grafana.other.net", INGRESS, route("route.example.com")));
    assert.deepEqual(
      apart.problems,
      [
        `${P("grafana.url")}: expected a URL on grafana.ingress.host "grafana.example.com" or grafana.httpRoute.host "route.example.com" (Grafana's links and redirects use it), got "https://grafana.other.net"`,
        BOTH,
      ],
      apart.message,
    );
    // On one of the two hosts: which way stays is the fix's choice, so only both set is said.
    const onOne = refusal(grafana("https://route.example.com", INGRESS, route("route.example.com")));
    assert.deepEqual(onOne.problems, [BOTH], onOne.message);
  });

  it("a bad grafana.httpRoute beside grafana.ingress: both set is said too", () => {
    const e = refusal(grafana("https://grafana.example.com", INGRESS, route("Not A Host")));
    assert.deepEqual(e.problems, [BOTH, HOST_REFUSED("grafana.httpRoute.host")], e.message);
  });

  it("a grafana.ingress that is no map beside grafana.httpRoute: both set, no URL judged", () => {
    const e = refusal(grafana("http://route.example.com", "    ingress: text\n", route("route.example.com")));
    assert.equal(e.problems.length, 2, e.message);
    assert.match(e.problems[0], /^homelab-observability:grafana\.ingress: expected an object/);
    assert.equal(e.problems[1], BOTH);
  });

  it("a refused grafana.httpRoute.scheme: grafana.url's scheme is not judged against the default", () => {
    const e = refusal(grafana("http://route.example.com", route("route.example.com", "ftp")));
    assert.deepEqual(
      e.problems,
      [`${P("grafana.httpRoute.scheme")}: expected one of http | https, got string "ftp"`],
      e.message,
    );
  });

  it("one way in refused alone: no both-set message, and grafana.url still judged against a way that parsed", () => {
    const alone = refusal(
      grafana(
        "https://grafana.example.com",
        INGRESS.replace("host: grafana.example.com", "host: Not A Host"),
      ),
    );
    assert.deepEqual(alone.problems, [HOST_REFUSED("grafana.ingress.host")], alone.message);
    const tlsBad = refusal(
      grafana("http://other.example.com", `${INGRESS}      tls:\n        secretName: Bad Name\n`),
    );
    assert.equal(tlsBad.problems.length, 2, tlsBad.message);
    assert.match(
      tlsBad.problems[0],
      /^homelab-observability:grafana\.url: expected a URL on grafana\.ingress\.host/,
    );
  });
});
