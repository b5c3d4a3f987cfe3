import { strict as assert } from "assert";
import { closeScope, openScope, type Res } from "../../policy/lib/resources";
import { workloadsOf } from "../../policy/lib/workloads";

// workloadsOf keeps what the pack's chart data renders for a release while a scope is open (the
// stack policies each ask for every release); a workload names its source resource.
describe("policy (workloads of a chart release within a scope)", () => {
  const release = (name: string, props: Record<string, any>): Res => ({
    type: "kubernetes:helm.sh/v3:Release",
    urn: `urn:pulumi:s::p::kubernetes:helm.sh/v3:Release::${name}`,
    name,
    props,
  });
  it("names each resource as its workloads' source, even when two are handed the same props", () => {
    const props = { chart: "grafana", name: "grafana", values: {} };
    const a = release("a", props);
    const b = release("b", props);
    openScope();
    try {
      const first = workloadsOf(a);
      const second = workloadsOf(b);
      assert.ok(first.length > 0, "grafana renders a workload");
      assert.ok(first.every((w) => w.source === a && w.name.startsWith("a/")));
      assert.ok(second.every((w) => w.source === b && w.name.startsWith("b/")));
      // Asked again in the scope: the same answer.
      assert.deepEqual(workloadsOf(a), first);
    } finally {
      closeScope();
    }
  });
  it("reads a release's values anew once the scope is closed (a release may change between evaluations)", () => {
    const props: Record<string, any> = { chart: "grafana", name: "grafana", values: {} };
    const r = release("r", props);
    openScope();
    const before = workloadsOf(r).map((w) => w.replicas);
    closeScope();
    props.values = { replicas: 3 };
    openScope();
    try {
      assert.notDeepEqual(
        workloadsOf(r).map((w) => w.replicas),
        before,
      );
    } finally {
      closeScope();
    }
  });
});
