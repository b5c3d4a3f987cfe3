import { strict as assert } from "assert";
import { loadStackConfig } from "../../config/load";
import { buildStack } from "../../apply/stack";
import { planStack, type StackPlan } from "../../plan/plan";
import { readStackConfig, synthesize } from "../../synth/synthesize";
import { ROOT } from "../support/helpers";

/** Synthesizes the production stack with its plan changed by `edit` (everything else as `index.ts`). */
async function synthWith(edit: (plan: StackPlan) => void) {
  const cfg = readStackConfig(ROOT, "production");
  return synthesize("production", cfg, (rootOpts) => {
    const stack = loadStackConfig(ROOT);
    const plan = planStack(stack);
    edit(plan);
    return { ...buildStack(stack, rootOpts, plan) };
  });
}

/** Plan entries apply creates after the Prometheus volume, with their component's resource name. */
const AFTER_VOLUME = [
  ["kubePrometheusStack", "kube-prometheus-stack"],
  ["exporters", "exporters"],
  ["alloy", "alloy"],
  ["grafana", "grafana"],
] as const;

describe("apply turns every plan entry's waits into dependsOn, the same way for every component", function () {
  this.timeout(120000);

  it("a wait added to any entry reaches every resource of its component", async () => {
    const rs = (
      await synthWith((plan) => {
        for (const [key] of AFTER_VOLUME) plan[key]!.waitsFor.push({ kind: "prometheus-volume" });
      })
    ).export.deployment.resources;
    // The export records a dependency on a component by the component's URN.
    const volume = rs.find((r) => !r.custom && r.type === "homelab:metrics:PrometheusVolume");
    assert.ok(volume, "production keeps the Prometheus volume");
    for (const [, name] of AFTER_VOLUME) {
      const component = rs.find((r) => !r.custom && r.urn.endsWith(`::${name}`));
      assert.ok(component, `component ${name}`);
      const children = rs.filter((r) => r.custom && r.parent === component.urn);
      assert.ok(children.length > 0, `${name} has resources`);
      for (const c of children)
        assert.ok(
          c.dependencies?.includes(volume.urn),
          `${c.urn.split("::").pop()} (${name}) waits for the volume`,
        );
    }
  });

  it("refuses a wait on something the plan creates later, naming both", async () => {
    await assert.rejects(
      synthWith((plan) => plan.namespace.waitsFor.push({ kind: "kube-prometheus-stack" })),
      /namespace waits for kube-prometheus-stack, which the plan creates later or not at all/,
    );
  });
});
