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
});
