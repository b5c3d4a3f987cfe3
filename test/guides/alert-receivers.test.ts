/**
 * docs/how-to/alert-receivers.md as a new user follows it: "An email receiver without
 * `auth_username` has no credential", so a credential set for one is read by nothing and the mail
 * goes out without the login its writer set up: refused, once, at its line, never shown.
 */
import { strict as assert } from "assert";
import { BASE, P, refusal, STORE } from "../support/stackText";

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
