import { strict as assert } from "assert";
import { BASE, P, refusal, STORE } from "../support/stackText";

/*
 * A problem's excerpt shows the line of the key it names. When that key's name says it holds a
 * credential (an unknown `adminPasword`, a misspelt `apiTokn`), its value is not shown: the key it
 * misspells would have been a secret (config/locate.ts CREDENTIAL_NAME); so is it when the key
 * misspells a secret config key whose name has no credential word (`heartbeatUrll`), or a
 * receiver's credential field (`bot_tokn` for `bot_token`).
 */
describe("config: the excerpt of a problem on a key named like a credential", () => {
  it("shows the key, never its value, for an unknown key that misspells a password", () => {
    const e = refusal(`${BASE}${STORE}  ${P("grafana")}:
    adminPasword: hunter2hunter2
`);
    assert.match(e.problems[0], /grafana\.adminPasword: unknown key/);
    assert.ok(!e.message.includes("hunter2hunter2"), e.message);
    assert.match(e.message, /adminPasword: <not shown>/);
  });

  it("shows the key, never its value, for an unknown key that misspells a secret config key with no credential word", () => {
    const e = refusal(`${BASE}${STORE}  ${P("heartbeatUrll")}: https://hc-ping.com/SECRETJJJ
  ${P("receiverCredentialss")}:
    ops: SECRETKKK
`);
    assert.ok(
      e.problems.includes(
        `${P("heartbeatUrll")}: unknown key; did you mean "heartbeatUrl"? (its value is plain text, where heartbeatUrl takes a secret: run \`pulumi config rm --stack s 'heartbeatUrll'\` then \`pulumi config set --stack s --secret heartbeatUrl\` (it prompts for the value))`,
      ),
      e.message,
    );
    assert.doesNotMatch(e.message, /SECRETJJJ|SECRETKKK/);
    assert.match(e.message, /heartbeatUrll: <not shown>/);
  });

  it("shows the key, never its value, for an unknown key one slip from a receiver's credential field", () => {
    const e = refusal(`${BASE}${STORE}  ${P("alerting")}:
    receivers:
      - name: tg
        type: telegram
        chat_id: 1
        bot_tokn: SECRETLLL
`);
    assert.ok(
      e.problems.includes(
        `${P("alerting")}.receivers[0].bot_tokn: unknown key; did you mean "bot_token"? (as bot_token: a credential in the receiver, where the stack file holds none: remove this bot_tokn line; it comes from the secrets backend (\`pulumi config set --stack s --secret --path 'receiverCredentials.tg'\`, which prompts for the value, or the 1Password item's field "bot_token") and reaches Alertmanager as bot_token_file, got a plain-text value (not shown))`,
      ),
      e.message,
    );
    assert.doesNotMatch(e.message, /SECRETLLL/);
    assert.match(e.message, /bot_tokn: <not shown>/);
  });

  it("shows the key, never its value, for an unknown key whose closest match is a webhook's url", () => {
    const e = refusal(`${BASE}${STORE}  ${P("alerting")}:
    receivers:
      - name: hook
        type: webhook
        urll: https://hooks.example.net/SECRETMMM
`);
    assert.ok(
      e.problems.includes(
        `${P("alerting")}.receivers[0].urll: unknown key; did you mean "url"? (as url: a credential in the receiver, where the stack file holds none: remove this urll line; it comes from the secrets backend (\`pulumi config set --stack s --secret --path 'receiverCredentials.hook'\`, which prompts for the value, or the 1Password item's field "url") and reaches Alertmanager as url_file, got a plain-text value (not shown))`,
      ),
      e.message,
    );
    assert.doesNotMatch(e.message, /SECRETMMM/);
    assert.match(e.message, /urll: <not shown>/);
  });

  it("shows the value of a key named like nothing secret", () => {
    const e = refusal(`${BASE}${STORE}  ${P("grafana")}:
    replicsa: 7
`);
    assert.match(e.message, /replicsa: 7/);
  });
});
