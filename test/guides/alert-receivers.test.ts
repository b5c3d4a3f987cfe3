/**
 * docs/how-to/alert-receivers.md as a new user follows it: "An email receiver without
 * `auth_username` has no credential", so a credential set for one is read by nothing and the mail
 * goes out without the login its writer set up: refused, once, at its line, never shown.
 */
import { strict as assert } from "assert";
import { checkedStackConfig } from "../../config/stackCheck";
import { BASE, P, refusal, stackProject, STORE } from "../support/stackText";

const SECRET = "hunter2-smtp-password";

/** The guide's email receiver without `auth_username`, and `receiverCredentials.mail` as `entry`. */
const stack = (entry: string) => `${BASE}${STORE}  ${P("secrets")}:
    backend: config
  ${P("alerting")}:
    pushover: false
    heartbeat: false
    receivers:
      - name: mail
        type: email
        to: ops@example.net
        from: alertmanager@example.net
        smarthost: smtp.example.net:587
  ${P("receiverCredentials")}:
    mail: ${entry}
`;

describe("alert-receivers: a credential for an email receiver without auth_username", () => {
  it("a secret one is one message at its line: nothing reads it, what to do", () => {
    const e = refusal(stack("\n      secure: AAABAGH="), "lab");
    assert.equal(e.problems.length, 1, e.message);
    assert.match(
      e.problems[0],
      /^homelab-observability:receiverCredentials\.mail: expected no credential for alerting\.receivers "mail" \(email\) while it has no auth_username \(Alertmanager logs in to the smarthost only with one, so nothing reads it\), got one \(not shown\); set auth_username on the receiver, or remove it with `pulumi config rm --stack lab --path 'receiverCredentials\.mail'`$/,
    );
    assert.match(e.message, /Pulumi\.lab\.yaml:19:5/);
  });

  it("a plain-text one is the same one message, saying it is plain text, never the value", () => {
    const e = refusal(stack(SECRET), "lab");
    assert.equal(e.problems.length, 1, e.message);
    assert.match(
      e.problems[0],
      /expected no credential .* got one \(receiverCredentials\.mail's value is plain text/,
    );
    assert.ok(!e.message.includes(SECRET), e.message);
  });

  it("an undecryptable one is the same one message: its fix (remove it) mends the value too", () => {
    const e = refusal(stack("\n      secure: notbase64!!"), "lab");
    assert.equal(e.problems.length, 1, e.message);
    assert.match(e.problems[0], /^homelab-observability:receiverCredentials\.mail: expected no credential/);
  });
});

/** The guide's email receiver with `extra` fields in its flow map, and `more` keys after it. */
const written = (extra: string, more = "") => `${BASE}${STORE}  ${P("secrets")}:
    backend: config
  ${P("alerting")}:
    pushover: false
    heartbeat: false
    receivers:
      - {name: mail, type: email, to: ops@example.net, from: alertmanager@example.net, smarthost: smtp.example.net:587${extra}}
${more}`;

/** Whether a stack file of `text` passes the config check of one run. */
const accepted = (text: string) => {
  checkedStackConfig(stackProject(text, "lab"), "lab", {}, { allowAbsentSecrets: true });
  return true;
};

describe("alert-receivers: a plain-text auth_password on an email receiver without auth_username", () => {
  it("is one message naming auth_username and both ways out, with no placeholder in its command, never the value", () => {
    const e = refusal(written(`, auth_password: ${SECRET}`), "lab");
    assert.deepEqual(e.problems, [
      `${P("alerting.receivers[0].auth_password")}: a credential in the receiver, on one without auth_username, which reads none (Alertmanager logs in to the smarthost only with a username): remove auth_password to send without logging in, or set auth_username and move the password to the secrets backend (\`pulumi config set --stack lab --secret --path 'receiverCredentials.mail'\`, which prompts for the value, or the 1Password item's field "auth_password"), where it reaches Alertmanager as auth_password_file, got a plain-text value (not shown)`,
    ]);
    assert.ok(!e.message.includes(SECRET), e.message);
  });

  it("either way it names passes the next run: no second refusal", () => {
    assert.ok(accepted(written("")));
    assert.ok(
      accepted(
        written(
          ", auth_username: alertmanager@example.net",
          `  ${P("receiverCredentials")}:\n    mail:\n      secure: AAABAGH=\n`,
        ),
      ),
    );
  });

  it("beside an auth_username, the password is only moved: the message says no more", () => {
    const e = refusal(written(`, auth_username: alertmanager@example.net, auth_password: ${SECRET}`), "lab");
    assert.deepEqual(e.problems, [
      `${P("alerting.receivers[0].auth_password")}: a credential in the receiver, where the stack file holds none: remove this auth_password line; it comes from the secrets backend (\`pulumi config set --stack lab --secret --path 'receiverCredentials.mail'\`, which prompts for the value, or the 1Password item's field "auth_password") and reaches Alertmanager as auth_password_file, got a plain-text value (not shown)`,
    ]);
  });
});
