import { strict as assert } from "assert";
import { BASE, P, refusal, STORE } from "../support/stackText";

/*
 * Two receivers of one name are told in the same run as another receiver's bad value: zod runs the
 * list's name rule only once every entry parsed, so the repeated name was told one run later
 * (config/receivers.ts hiddenReceiverIssues).
 */
const stack = (third: string) => `${BASE}${STORE}  ${P("alerting")}:
    pushover: false
    heartbeat: false
    receivers:
      - name: team-slack
        type: slack
      - name: team-slack
        type: webhook
${third}`;

describe("config: a receiver name given twice beside another bad receiver (audit hG)", () => {
  it("is told in the same run, at the second name's line, naming the first", () => {
    const e = refusal(stack("      - name: pd\n        type: pagerduty\n        minSeverity: info\n"), "lab");
    const dup = e.problems.filter((p) => p.startsWith(P("alerting.receivers[1].name")));
    assert.equal(dup.length, 1, e.message);
    assert.match(
      dup[0],
      /expected a name no other receiver has \("team-slack" is taken by alerting\.receivers\[0\]\)/,
    );
    assert.ok(
      e.problems.some((p) => p.startsWith(P("alerting.receivers[2].minSeverity"))),
      e.message,
    );
    assert.match(e.message, /Pulumi\.lab\.yaml:\d+:\d+\n.*- name: team-slack/);
  });

  it("is told once when the list parses (the list's own rule)", () => {
    const e = refusal(stack(""), "lab");
    assert.equal(
      e.problems.filter((p) => p.includes("expected a name no other receiver has")).length,
      1,
      e.message,
    );
  });

  it("a refused receiver hides no other receiver's problem from the rules between keys", () => {
    const pd = "      - name: pd\n        type: pagerduty\n        item: pd-item\n";
    const ITEM = `${P("alerting.receivers[2].item")}: expected no item while secrets.backend is "config" (that backend reads the credential of receiver "pd" from receiverCredentials.pd; only the onepassword backend reads an item), got "pd-item"; remove it, or set secrets.backend "onepassword"`;
    // A name given twice: the second receiver is set aside, the third still judged, by its own index.
    const twice = refusal(stack(pd), "lab");
    assert.deepEqual(twice.problems.slice(1), [ITEM]);
    assert.ok(
      twice.notes.includes(
        `(the rules between keys (which keys need which) ran without ${P("alerting.receivers[1]")}, the item given being invalid)`,
      ),
      twice.message,
    );
    // A plain password on a mail receiver: that value is set aside, the receivers still judged.
    const mail = stack(pd)
      .replace(
        "type: webhook",
        "type: email\n        to: a@example.com\n        from: b@example.com\n        smarthost: smtp.example.com:587\n        auth_password: hunter2",
      )
      .replace(/- name: team-slack\n(\s+)type: email/, "- name: mail\n$1type: email");
    const plain = refusal(mail, "lab");
    assert.match(
      plain.problems[0],
      /^homelab-observability:alerting\.receivers\[1\]\.auth_password: a credential in the receiver, .* got a plain-text value \(not shown\)$/,
    );
    assert.deepEqual(plain.problems.slice(1), [ITEM]);
  });
});
