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

/*
 * A plain value under the name of a receiver the schema refuses (its name, or another value): the
 * entry's own line told it set as a secret under that same name, which no receiver reads once the
 * receiver is mended, refused again one run later. Its one message sets it under the name the
 * receiver takes (the name's own "did you mean"), and removes this entry.
 */
describe("config: a plain value under a refused receiver's name points to the name it takes", function () {
  this.timeout(20000);
  const receivers = (...items: string[]) =>
    `  ${P("alerting")}:\n    pushover: false\n    heartbeat: false\n    receivers:\n${items.join("")}`;
  const slack = (name: string) => `      - name: ${name}\n        type: slack\n        channel: "#alerts"\n`;
  const credentials = (...entries: string[]) => `  ${P("receiverCredentials")}:\n${entries.join("")}`;
  const CIPHER = "AAABAHRlYW0tc2xhY2stY2lwaGVydGV4dA==";

  it("one message for the entry, with the set command under the valid name; no 'expected a secret'", () => {
    const e = refusal(
      `${BASE}${STORE}${SECRETS}${receivers(slack("Team_Slack"))}${credentials(`    Team_Slack: ${VALUE}\n`)}`,
      "lab",
    );
    assert.deepEqual(
      e.problems,
      [
        `${P("alerting.receivers[0].name")}: expected a receiver name (lowercase letters, digits and '-', at most 40 characters, not null, pushover, heartbeat) like "team-slack", got string "Team_Slack"; did you mean "team-slack"?`,
        `${P("receiverCredentials.Team_Slack")}: expected the name of a receiver the schema takes, got "Team_Slack", the name of the receiver "Team_Slack" (slack), which the schema refuses for its name (its own problem says why); did you mean "team-slack"? (the receiver reads its credential under its own name: once it is named "team-slack", set it as a secret with \`pulumi config set --stack lab --secret --path 'receiverCredentials.team-slack'\`, then remove this one with \`pulumi config rm --stack lab --path 'receiverCredentials.Team_Slack'\`); also, receiverCredentials.Team_Slack's value is plain text in the stack file, not a secret: not shown, yet anyone who reads the file has it`,
      ],
      e.message,
    );
    assert.ok(!e.message.includes(VALUE), "the secret is not printed");
    // The hints followed: the receiver renamed, its credential a secret under that name.
    assert.throws(
      () =>
        refusal(
          `${BASE}${STORE}${SECRETS}${receivers(slack("team-slack"))}${credentials(`    team-slack:\n      secure: ${CIPHER}\n`)}`,
          "lab",
        ),
      /was accepted/,
    );
  });

  it("a slip of the refused name is told the same, and a secure entry too (said in the first run)", () => {
    const e = refusal(
      `${BASE}${STORE}${SECRETS}${receivers(slack("Team_Slack"))}${credentials(`    Team_Slak:\n      secure: ${CIPHER}\n`)}`,
      "lab",
    );
    const about = e.problems.filter((p) => p.startsWith(P("receiverCredentials")));
    assert.deepEqual(
      about,
      [
        `${P("receiverCredentials.Team_Slak")}: expected the name of a receiver the schema takes, got "Team_Slak", close to the name of the receiver "Team_Slack" (slack), which the schema refuses for its name (its own problem says why); did you mean "team-slack"? (the receiver reads its credential under its own name: once it is named "team-slack", set it with \`pulumi config set --stack lab --secret --path 'receiverCredentials.team-slack'\`, then remove this one with \`pulumi config rm --stack lab --path 'receiverCredentials.Team_Slak'\`)`,
      ],
      e.message,
    );
  });

  it("a reserved name, which reads as no name it takes: no command under a name that would be refused", () => {
    const e = refusal(
      `${BASE}${STORE}${SECRETS}${receivers(slack("heartbeat"))}${credentials(`    heartbeat: ${VALUE}\n`)}`,
      "lab",
    );
    const about = e.problems.filter((p) => p.startsWith(P("receiverCredentials")));
    assert.deepEqual(
      about,
      [
        `${P("receiverCredentials.heartbeat")}: expected the name of a receiver the schema takes, got "heartbeat", the name of the receiver "heartbeat" (slack), which the schema refuses for its name (its own problem says why), and no name it takes is near it; once the receiver has a name it takes, set the credential as a secret as the entry of receiverCredentials under that name, then remove this one with \`pulumi config rm --stack lab --path 'receiverCredentials.heartbeat'\`; also, receiverCredentials.heartbeat's value is plain text in the stack file, not a secret: not shown, yet anyone who reads the file has it`,
      ],
      e.message,
    );
    assert.ok(!/config set [^`]*receiverCredentials\.heartbeat/.test(e.message), e.message);
  });

  it("another receiver refused beside it keeps a slip's one message (it was dropped for naming the list)", () => {
    const e = refusal(
      `${BASE}${STORE}${SECRETS}${receivers(slack("Bad_Name"), slack("oncall"))}${credentials(`    oncal: ${VALUE}\n`)}`,
      "lab",
    );
    const about = e.problems.filter((p) => p.startsWith(P("receiverCredentials")));
    assert.deepEqual(
      about,
      [
        `${P("receiverCredentials.oncal")}: unknown receiver name; did you mean "oncall"? (alerting.receivers "oncall" (slack) reads its credential under its own name, and has none: set it as a secret with \`pulumi config set --stack lab --secret --path 'receiverCredentials.oncall'\`, then remove this one with \`pulumi config rm --stack lab --path 'receiverCredentials.oncal'\`); also, receiverCredentials.oncal's value is plain text in the stack file, not a secret: not shown, yet anyone who reads the file has it`,
      ],
      e.message,
    );
  });

  it("a refused name that reads as another receiver's: the entry is not told to set that receiver's credential", () => {
    // `Team_Slack` reads as `team-slack`, which the second receiver has: `Team_Slack`'s entry was
    // told "did you mean team-slack", to set receiverCredentials.team-slack, overwriting the other
    // receiver's credential with this one.
    const e = refusal(
      `${BASE}${STORE}${SECRETS}${receivers(slack("Team_Slack"), slack("team-slack"))}${credentials(
        `    Team_Slack:\n      secure: ${CIPHER}\n`,
        `    team-slack:\n      secure: ${CIPHER}\n`,
      )}`,
      "lab",
    );
    const about = e.problems.filter((p) => p.startsWith(P("receiverCredentials")));
    assert.deepEqual(
      about,
      [
        `${P("receiverCredentials.Team_Slack")}: expected the name of a receiver the schema takes, got "Team_Slack", the name of the receiver "Team_Slack" (slack), which the schema refuses for its name (its own problem says why); the name it reads as, "team-slack", is taken (alerting.receivers "team-slack" has it, and reads its own entry): rename the receiver to a name no other receiver has and set the credential under that name in receiverCredentials, or merge the receiver into "team-slack"; either way, remove this one with \`pulumi config rm --stack lab --path 'receiverCredentials.Team_Slack'\``,
      ],
      e.message,
    );
    assert.ok(!/config set [^`]*receiverCredentials\.team-slack/.test(e.message), e.message);
  });

  it("under the Pulumi runtime (config/load.ts): the same one message, under the name the receiver takes", async () => {
    const dir = tmpDir("refused-receiver");
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
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
          receivers: [{ name: "Team_Slack", type: "slack", channel: "#alerts" }],
        }),
        [P("receiverCredentials")]: JSON.stringify({ Team_Slack: VALUE }),
      },
      () => {
        assert.throws(
          () => loadStackConfig(dir),
          (e: unknown) => {
            assert.ok(e instanceof ConfigError, String(e));
            const about = e.problems.filter((p) => p.startsWith(P("receiverCredentials")));
            assert.equal(about.length, 1, e.message);
            assert.match(
              about[0],
              /^homelab-observability:receiverCredentials\.Team_Slack: expected the name of a receiver the schema takes, .*did you mean "team-slack"\? .*set it as a secret with `[^`]*'receiverCredentials\.team-slack'`, then remove this one with `[^`]*'receiverCredentials\.Team_Slack'`\); also, receiverCredentials's value is plain text/,
            );
            assert.ok(!e.message.includes(VALUE), "the secret is not printed");
            return true;
          },
        );
      },
    );
  });
});
