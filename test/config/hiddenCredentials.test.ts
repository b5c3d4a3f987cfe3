import { strict as assert } from "assert";
import { parseStackConfig } from "../../config/resolve";
import { ConfigError } from "../../config/errors";
import { BASE, P, refusal, STORE } from "../support/stackText";

/*
 * A receiver refused for one value (a number where text goes) still has its plain-text credential
 * told in the same run: zod runs the credential refusal only on a receiver that parsed, so it was
 * told one run later, once the other value was fixed (config/receivers.ts hiddenCredentialIssues).
 */
const RECEIVERS = `${BASE}${STORE}  ${P("alerting")}:
    pushover: false
    heartbeat: false
    receivers:
      - name: team-slack
        type: slack
        channel: 42
        api_url: https://hooks.slack.com/services/T0/B0/SECRET123
      - name: mail
        type: email
        to: ops@example.net
        from: am@example.net
        smarthost: smtp.example.net:587
        auth_username: am@example.net
`;
const CREDENTIAL = `${P("alerting.receivers[0].api_url")}: a credential in the receiver, where the stack file holds none: remove this api_url line; it comes from the secrets backend`;

describe("config: a receiver's plain-text credential beside another bad value of that receiver", () => {
  it("is told in the same run as the bad value, at its own line, its value not shown", () => {
    const e = refusal(RECEIVERS, "lab");
    assert.ok(!e.message.includes("SECRET123"), e.message);
    const lines = e.problems.filter((p) => p.startsWith(P("alerting.receivers[0]")));
    assert.equal(lines.length, 2, e.message);
    assert.match(lines[0], /receivers\[0\]\.channel: expected text/);
    assert.ok(lines[1].startsWith(CREDENTIAL), lines[1]);
    assert.match(lines[1], /'receiverCredentials\.team-slack'/);
    assert.match(e.message, /Pulumi\.lab\.yaml:\d+:\d+\n.*api_url: <not shown>/);
  });

  it("beside a receiver name the schema refuses, its hint sets the credential under the name it is to be renamed to, which the name's own message offers", () => {
    // Pasted as it is, the command sets the entry the renamed receiver reads: no stand-in name (a
    // `NAME` set literally would be read by no receiver) and not the refused one.
    const e = refusal(RECEIVERS.replace("- name: team-slack", "- name: Team.Slack"), "lab");
    const credential = e.problems.find((p) => p.startsWith(CREDENTIAL));
    assert.ok(credential, e.message);
    assert.ok(
      credential.includes(
        '(`pulumi config set --stack lab --secret --path \'receiverCredentials.team-slack\'` once the receiver is named "team-slack", which prompts for the value, or the 1Password item\'s field "api_url")',
      ),
      credential,
    );
    assert.ok(!credential.includes("Team.Slack"), credential);
    assert.ok(
      e.problems.includes(
        `${P("alerting.receivers[0].name")}: expected a receiver name (lowercase letters, digits and '-', at most 40 characters, not null, pushover, heartbeat) like "team-slack", got string "Team.Slack"; did you mean "team-slack"?`,
      ),
      e.message,
    );
  });

  it("beside a receiver name that reads as another receiver's, offers no rename onto it nor a command setting that receiver's credential", () => {
    // "Team.Slack" reads as "team-slack", which the mail receiver renamed here already holds: the
    // rename would be refused as a second team-slack, and the command would overwrite that
    // receiver's credential.
    const e = refusal(
      RECEIVERS.replace("- name: team-slack", "- name: Team.Slack").replace(
        "- name: mail",
        "- name: team-slack",
      ),
      "lab",
    );
    const credential = e.problems.find((p) => p.startsWith(CREDENTIAL));
    assert.ok(credential, e.message);
    assert.ok(!credential.includes("receiverCredentials.team-slack"), credential);
    assert.ok(
      credential.includes(
        "(the entry of receiverCredentials under the receiver's name once it is valid, or the 1Password item's field \"api_url\")",
      ),
      credential,
    );
    assert.ok(!e.message.includes('did you mean "team-slack"'), e.message);
  });

  it("beside a receiver name that reads as no valid one, names the credential's entry in words, with no command to paste", () => {
    const e = refusal(RECEIVERS.replace("- name: team-slack", "- name: Heartbeat"), "lab");
    const credential = e.problems.find((p) => p.startsWith(CREDENTIAL));
    assert.ok(credential, e.message);
    assert.ok(
      credential.includes(
        "(the entry of receiverCredentials under the receiver's name once it is valid, or the 1Password item's field \"api_url\")",
      ),
      credential,
    );
  });

  it("as pulumi preview reads the config (parseStackConfig), once", () => {
    const raw = {
      alerting: {
        pushover: false,
        heartbeat: false,
        receivers: [
          { name: "team-slack", type: "slack", channel: 42, api_url: "https://hooks.slack.com/x/SECRET123" },
        ],
      },
    };
    let thrown: unknown;
    try {
      parseStackConfig(raw, "lab", {});
    } catch (e) {
      thrown = e;
    }
    assert.ok(thrown instanceof ConfigError, String(thrown));
    assert.ok(!thrown.message.includes("SECRET123"), thrown.message);
    const told = thrown.problems.filter((p) =>
      p.includes("receivers[0].api_url: a credential in the receiver"),
    );
    assert.equal(told.length, 1, thrown.message);
  });

  it("a receiver that parses has its credential told once, by the schema's own refusal", () => {
    const e = refusal(RECEIVERS.replace("channel: 42", 'channel: "#alerts"'), "lab");
    assert.equal(e.problems.filter((p) => p.startsWith(CREDENTIAL)).length, 1, e.message);
  });
});
