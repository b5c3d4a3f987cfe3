import { strict as assert } from "assert";
import type { RunningState } from "../../model/running";
import { formatRuleEvaluators, ruleEvaluatorChange } from "../../change/ruleEvaluators";
import { refusalsIn } from "../../change/change";
import { EVERY_RULE } from "../../builders/alerting/rules";
import { refusedLines } from "../support/changeStates";

/*
 * Issue 51, one message per mistake: one evaluator's selector change moves every running rule it
 * selects, so the rules it leaves with no evaluator (or with two) are one refusal naming each rule,
 * counted once, not one REFUSED line per rule.
 */

const rule = (namespace: string, name: string) => ({
  apiVersion: "monitoring.coreos.com/v1",
  kind: "PrometheusRule",
  metadata: { name, namespace, labels: {} },
  spec: { groups: [] },
});
const prometheus = (name: string, ruleSelector: unknown) => ({
  object: {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "Prometheus",
    metadata: { name, namespace: "monitoring" },
    spec: { ruleSelector, ruleNamespaceSelector: {} },
  },
});
const running: RunningState = {
  dir: "/r",
  releases: [],
  statefulSets: [],
  pvcs: [],
  prometheusRules: [rule("a", "x"), rule("b", "y"), rule("c", "z")],
};

describe("change check --running: rules one selector change leaves without an evaluator are one refusal (change/ruleEvaluators.ts)", () => {
  it("three rules losing their one evaluator: one REFUSED line naming the three, counted 1", () => {
    const narrow = prometheus("kps", { matchLabels: { release: "kps" } });
    const change = ruleEvaluatorChange([prometheus("kps", EVERY_RULE)], [narrow], running);
    const lines = refusedLines(formatRuleEvaluators(change, "/r"));
    assert.deepEqual(lines, [
      "     REFUSED PrometheusRules a/x, b/y, c/z evaluator: no evaluator after the update (today prometheus monitoring/kps): their alerts would stop; label each homelab.dev/evaluate=false if that is meant",
    ]);
    assert.equal(refusalsIn(change.refusals), 1);
  });

  it("three rules gaining a second evaluator: one REFUSED line naming the three and both evaluators, counted 1", () => {
    const change = ruleEvaluatorChange(
      [],
      [prometheus("kps", EVERY_RULE), prometheus("other", EVERY_RULE)],
      running,
    );
    const text = formatRuleEvaluators(change, "/r");
    assert.deepEqual(refusedLines(text), [
      "     REFUSED PrometheusRules a/x, b/y, c/z evaluator: 2 evaluators after the update (prometheus monitoring/kps, prometheus monitoring/other; today none), where one is expected: every alert would fire twice",
    ]);
    assert.match(
      text,
      /^ {2}a\/x, b\/y, c\/z: none -> prometheus monitoring\/kps, prometheus monitoring\/other$/m,
    );
    assert.equal(refusalsIn(change.refusals), 1);
  });

  it("a rule that had none and gets none is not said to stop", () => {
    const change = ruleEvaluatorChange([], [], { ...running, prometheusRules: [rule("a", "x")] });
    assert.match(change.refusals[0].refused[0].reason, /today none either\): its alerts never fire/);
  });
});
