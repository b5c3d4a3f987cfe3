import { strict as assert } from "assert";
import { kpsDefaultRules } from "../../builders/alerting/kpsRules";
import type { DashboardInputs } from "../../builders/grafana/dashboards";
import { communityDashboardConfigMaps } from "../../builders/grafana/grafanaValues";

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

/** A stack's dashboard inputs: communityDashboardConfigMaps reads only the emitters. */
const inputs = (emitters: readonly string[]): DashboardInputs => ({
  backend: "mimir",
  logAgent: "alloy",
  backendUp: true,
  emitters,
});

describe("the community dashboards' ConfigMaps, fitted and written once per set of emitters", () => {
  it("gives each caller its own ConfigMaps and data: a change to one never reaches the next", () => {
    const emitters = ["node-exporter", "kube-state-metrics", "kubelet"];
    const first = communityDashboardConfigMaps("monitoring", inputs(emitters));
    const pristine = JSON.stringify(first);
    assert.ok(first.length > 0 && Object.keys(first[0].data).length > 0, pristine.slice(0, 200));
    const file = Object.keys(first[0].data)[0];
    first[0].data[file] = "{}";
    first[0].data["extra.json"] = "{}";
    first[0].metadata.name = "changed";
    assert.equal(JSON.stringify(communityDashboardConfigMaps("monitoring", inputs(emitters))), pristine);
  });

  it("keys on the emitters and fills in the namespace of each call", () => {
    const files = (emitters: string[], ns = "monitoring") =>
      communityDashboardConfigMaps(ns, inputs(emitters)).flatMap((cm) => Object.keys(cm.data));
    assert.ok(
      files(["node-exporter"]).length < files(["node-exporter", "kube-state-metrics", "kubelet"]).length,
    );
    assert.deepEqual(
      communityDashboardConfigMaps("observability", inputs(["node-exporter"])).map(
        (cm) => cm.metadata.namespace,
      ),
      communityDashboardConfigMaps("x", inputs(["node-exporter"])).map(() => "observability"),
    );
  });
});
