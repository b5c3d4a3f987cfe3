/**
 * A Helm hook that runs only at uninstall (the VictoriaMetrics operator chart's pre-delete CRD
 * cleanup Job) is no pod of the running stack: the budget's share leaves it out, but it must still
 * fit a node when it runs (policy/lib/budget.ts computeBudget, contract runsOnlyAtUninstall).
 */
import { strict as assert } from "assert";
import { runsOnlyAtUninstall } from "@homelab-observability/contract";
import { computeBudget } from "../../policy/lib/budget";
import type { Res } from "../../policy/lib/resources";
import { workloadsOf } from "../../policy/lib/workloads";
import { vmStackRelease } from "../support/vmOperator";

const Mi = (n: number) => n * 2 ** 20;
const pool = { name: "pi5", arch: "arm64", count: 1, cpu: 4, memoryBytes: Mi(1024), labels: {}, taints: [] };

/** The cleanup Job as the release renders it, with `annotations` and a pod requesting `memory`. */
const job = (annotations: Record<string, string>, memory = "56Mi"): Res => ({
  type: "kubernetes:batch/v1:Job",
  urn: "urn:pulumi:s::p::kubernetes:batch/v1:Job::vm-victoria-metrics-operator-cleanup-hook",
  name: "vm-victoria-metrics-operator-cleanup-hook",
  props: {
    metadata: { name: "vm-victoria-metrics-operator-cleanup-hook", annotations },
    spec: {
      template: {
        spec: {
          containers: [
            { name: "kubectl", image: "registry.k8s.io/kubectl", resources: { requests: { memory } } },
          ],
        },
      },
    },
  },
});
// victoria-metrics-operator 0.63.1 templates/_helpers.tpl:1-5, as helm 3.17.3 renders it.
const PRE_DELETE = {
  "helm.sh/hook": "pre-delete",
  "helm.sh/hook-weight": "-3",
  "helm.sh/hook-delete-policy": "before-hook-creation",
};

describe("policy (budget): a hook Helm runs only at uninstall", () => {
  it("reads Helm's hook annotation as Helm does: every event an uninstall's, split at commas, trimmed, any case", () => {
    for (const hook of ["pre-delete", "post-delete", " Pre-Delete , post-delete"])
      assert.equal(runsOnlyAtUninstall(hook), true, hook);
    for (const hook of [undefined, "", "pre-install", "pre-install,pre-delete", "test", 3])
      assert.equal(runsOnlyAtUninstall(hook), false, String(hook));
  });

  it("leaves a rendered pre-delete Job out of the pools' sum, which counts the same Job without the annotation", () => {
    assert.equal(computeBudget([job(PRE_DELETE)], [pool]).total.sums.memory, 0);
    assert.equal(computeBudget([job({})], [pool]).total.sums.memory, Mi(56));
    // A hook at install and upgrade runs on every `pulumi up`, beside the stack: counted.
    const install = computeBudget([job({ "helm.sh/hook": "pre-install,pre-delete" })], [pool]);
    assert.equal(install.total.sums.memory, Mi(56));
  });

  it("still judges whether the pre-delete Job's pod fits a node: one bigger than every node is oversized", () => {
    const b = computeBudget([job(PRE_DELETE, "2Gi")], [pool]);
    assert.deepEqual(
      b.oversized.map((o) => o.workload),
      ["Job vm-victoria-metrics-operator-cleanup-hook"],
    );
    assert.equal(b.total.sums.memory, 0);
  });

  it("leaves the cleanup Job of an opaque release (a live preview) out of the sum, as the rendered one", () => {
    // The model reads the Job's requests from the values (their chart default is no value it knows).
    const cleanup = (more: Record<string, unknown>) =>
      vmStackRelease({
        "victoria-metrics-operator": {
          crds: { cleanup: { resources: { requests: { memory: "56Mi" } }, ...more } },
        },
      });
    const [on, off] = [cleanup({}), cleanup({ enabled: false })];
    const hook = workloadsOf(on).find((w) => w.kind === "Job");
    assert.ok(hook, "the chart model renders the cleanup Job");
    assert.equal(hook.uninstallOnly, true);
    assert.equal(hook.requests.memory, Mi(56));
    assert.ok(!workloadsOf(off).some((w) => w.kind === "Job"));
    const sum = (r: Res) => computeBudget([r], [{ ...pool, memoryBytes: Mi(8192) }]).total.sums.memory;
    assert.equal(sum(on), sum(off));
  });
});
