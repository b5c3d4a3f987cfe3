import { strict as assert } from "assert";
import { kpsDefaultRules } from "../../builders/alerting/kpsRules";

describe("kube-prometheus-stack's default rules, fitted once per namespace and emitters", () => {
  it("gives each caller its own groups, rules, labels and annotations: a change to one copy never reaches the next", () => {
    const emitters = ["node_cpu_seconds_total", "up"];
    const first = kpsDefaultRules("monitoring", emitters);
    const pristine = JSON.stringify(first);
    const rule = first.flatMap((g) => g.rules).find((r) => r.labels && r.annotations)!;
    assert.ok(rule, "a rule with labels and annotations");
    rule.labels!.severity = "changed";
    rule.annotations![Object.keys(rule.annotations!)[0]] = "changed";
    rule.expr = "changed";
    first[0].rules.pop();
    first[0].name = "changed";
    assert.equal(JSON.stringify(kpsDefaultRules("monitoring", emitters)), pristine);
  });

  it("keys on the namespace and on the emitters (none given: the chart's every rule)", () => {
    const all = kpsDefaultRules("monitoring");
    const few = kpsDefaultRules("monitoring", ["up"]);
    const count = (gs: ReturnType<typeof kpsDefaultRules>) => gs.reduce((n, g) => n + g.rules.length, 0);
    assert.ok(count(few) < count(all), `${count(few)} of ${count(all)}`);
    const exprs = (ns: string) => kpsDefaultRules(ns).flatMap((g) => g.rules.map((r) => String(r.expr)));
    assert.ok(exprs("observability").some((e) => e.includes('namespace="observability"')));
    assert.ok(!exprs("observability").some((e) => e.includes('namespace="monitoring"')));
    assert.ok(exprs("monitoring").some((e) => e.includes('namespace="monitoring"')));
  });
});
