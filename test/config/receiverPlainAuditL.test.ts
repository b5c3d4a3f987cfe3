import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { ConfigError } from "../../config/errors";
import { loadStackConfig } from "../../config/load";
import { ROOT, tmpDir } from "../support/helpers";
import { BASE, P, RECEIVER, refusal, STORE } from "../support/stackText";
import { withRuntimeConfig } from "../support/runtimeConfig";

/*
 * Audit hL: a plain-text value under a `receiverCredentials` name that is a slip of a receiver's
 * is one message, the unknown name's, saying the value is plain text too: its fix (set the
 * credential as a secret under the right name, remove the slip) mends both. Before, a second line
 * said "expected a secret" of the same entry, whose own fix (encrypt it in place) left the slip.
 */

const VALUE = "https://hooks.slack.example/plain-31337";
const SECRETS = `  ${P("secrets")}:\n    backend: config\n`;

describe("config: a plain value under a misspelt receiverCredentials name is one message (audit hL)", function () {
  this.timeout(20000);

  it("offline: the unknown name's message says the value is plain text; no second line", () => {
    const e = refusal(
      `${BASE}${STORE}${SECRETS}${RECEIVER}  ${P("receiverCredentials")}:\n    team-slak: ${VALUE}\n`,
      "lab",
    );
    const about = e.problems.filter((p) => p.includes("receiverCredentials"));
    assert.deepEqual(
      about,
      [
        `${P("receiverCredentials.team-slak")}: unknown receiver name; did you mean "team-slack"? (alerting.receivers "team-slack" (slack) reads its credential under its own name, and has none: set it as a secret with \`pulumi config set --stack lab --secret --path 'receiverCredentials.team-slack'\`, then remove this one with \`pulumi config rm --stack lab --path 'receiverCredentials.team-slak'\`); also, receiverCredentials.team-slak's value is plain text in the stack file, not a secret: not shown, yet anyone who reads the file has it`,
      ],
      e.message,
    );
    assert.ok(!e.message.includes(VALUE), "the secret is not printed");
  });

  it("offline: a plain value under the right name beside it keeps its own message", () => {
    const e = refusal(
      `${BASE}${STORE}${SECRETS}${RECEIVER}  ${P("receiverCredentials")}:\n    team-slak: ${VALUE}\n    team-slack: ${VALUE}\n`,
      "lab",
    );
    const about = e.problems.filter((p) => p.includes("receiverCredentials"));
    assert.equal(about.length, 2, e.message);
    assert.ok(
      about.some((p) => p.startsWith(`${P("receiverCredentials.team-slak")}: unknown receiver name; `)),
    );
    assert.ok(about.some((p) => p.startsWith(`${P("receiverCredentials.team-slack")}: expected a secret`)));
  });

  it("under the Pulumi runtime (config/load.ts): the same one message", async () => {
    const dir = tmpDir("audit-l");
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    // What the CLI hands the program for that file: receiverCredentials not among its secret keys.
    await withRuntimeConfig(
      "lab",
      {
        [P("kubeContext")]: "admin@example",
        [P("phase")]: "kps-removed",
        [P("objectStore")]: JSON.stringify({ type: "minio", endpoint: "http://minio.storage.svc:9000" }),
        [P("secrets")]: JSON.stringify({ backend: "config" }),
        [P("alerting")]: JSON.stringify({
          pushover: false,
          heartbeat: false,
          receivers: [{ name: "team-slack", type: "slack", channel: "#alerts" }],
        }),
        [P("receiverCredentials")]: JSON.stringify({ "team-slak": VALUE }),
      },
      () => {
        assert.throws(
          () => loadStackConfig(dir),
          (e: unknown) => {
            assert.ok(e instanceof ConfigError, String(e));
            const about = e.problems.filter((p) => p.includes("receiverCredentials"));
            assert.equal(about.length, 1, e.message);
            assert.match(
              about[0],
              /^homelab-observability:receiverCredentials\.team-slak: unknown receiver name; did you mean "team-slack"\? .*set it as a secret with .*; also, receiverCredentials's value is plain text in the stack file, not a secret: not shown, yet anyone who reads the file has it$/,
            );
            assert.ok(!e.message.includes(VALUE), "the secret is not printed");
            return true;
          },
        );
      },
    );
  });
});
