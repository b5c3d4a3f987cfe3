/**
 * What the VictoriaMetrics operator writes into the pods it makes (policy/lib/operatorDefaults.ts):
 * its default requests where a CR's `resources` leaves CPU or memory unset, and its config reloader's,
 * counted by the pack as the pods will ask them. The operator's rules and figures are the module's
 * (read at v0.66.0); these tests state the behaviour and take the figures from the workloads the
 * pack computes for a spec whose figures they do know, or from the operator's own variables.
 */
import { strict as assert } from "assert";
import { workloadsOf, vmOperatorEnv, type Workload } from "../../policy/lib/workloads";
import { parseQuantity } from "../../policy/lib/quantity";
import type { Res } from "../../policy/lib/resources";
import { vmCr, vmOperatorDeployment } from "../support/vmOperator";

const cr = vmCr;
const operator = vmOperatorDeployment;
/** The one workload of `res`, in a stack that also holds `others` (the operator's Deployment). */
const one = (res: Res, others: Res[] = []): Workload => {
  const ws = workloadsOf(res, undefined, [], vmOperatorEnv([...others, res]));
  assert.equal(ws.length, 1);
  return ws[0];
};
const Mi = (n: number) => n * 2 ** 20;
const SET = { requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "64Mi" } };

describe("policy (workloads): what the VictoriaMetrics operator writes into its pods (v0.66.0)", () => {
  it("counts a VMSingle with no resources at the operator's default request, not at 0", () => {
    const w = one(cr("VMSingle", {}));
    assert.ok(w.requests.memory > 0 && w.requests.cpu > 0, JSON.stringify(w.requests));
    assert.ok(w.limits.memory >= w.requests.memory);
  });

  it("writes no default where `useDefaultResources: false`, or where the operator's variable turns them off", () => {
    assert.deepEqual(one(cr("VMSingle", { useDefaultResources: false })).requests, { cpu: 0, memory: 0 });
    const off = operator([{ name: "VM_VMSINGLEDEFAULT_USEDEFAULTRESOURCES", value: "false" }]);
    assert.deepEqual(one(cr("VMSingle", {}), [off]).requests, { cpu: 0, memory: 0 });
    // The CR's own field wins over the operator's variable (defaults.go:576-577).
    assert.ok(one(cr("VMSingle", { useDefaultResources: true }), [off]).requests.memory > 0);
  });

  it("takes the default figures from the operator's variables where they are set", () => {
    const op = operator([
      { name: "VM_VMSINGLEDEFAULT_RESOURCE_REQUEST_MEM", value: "300Mi" },
      { name: "VM_VMSINGLEDEFAULT_RESOURCE_REQUEST_CPU", value: "70m" },
    ]);
    const w = one(cr("VMSingle", {}), [op]);
    assert.deepEqual(w.requests, { cpu: 0.07, memory: Mi(300) });
  });

  it("takes a variable set empty as its default, as the operator's environment reader does", () => {
    const empty = operator([
      { name: "VM_VMSINGLEDEFAULT_RESOURCE_REQUEST_MEM", value: "" },
      { name: "VM_CONFIG_RELOADER_LIMIT_MEMORY", value: "" },
    ]);
    assert.deepEqual(one(cr("VMSingle", {}), [empty]).requests, one(cr("VMSingle", {})).requests);
    assert.deepEqual(
      one(cr("VMAgent", { resources: SET }), [empty]).limits,
      one(cr("VMAgent", { resources: SET })).limits,
    );
  });

  it("defaults CPU and memory apart: a memory limit alone keeps memory the limit and CPU the default", () => {
    const byDefault = one(cr("VMSingle", {})).requests.cpu;
    const w = one(cr("VMSingle", { resources: { limits: { memory: "1Gi" } } }));
    assert.equal(w.requests.memory, Mi(1024));
    assert.equal(w.requests.cpu, byDefault);
    // Set in full, the CR's own figures are what the pod asks: no reloader in a VMSingle pod.
    assert.deepEqual(one(cr("VMSingle", { resources: SET })).requests, { cpu: 0.01, memory: Mi(64) });
  });

  it("adds the config reloader of a VMAgent, a VMAlert that selects rules and a VMAlertmanager", () => {
    const op = operator([
      { name: "VM_CONFIG_RELOADER_REQUEST_MEMORY", value: "40Mi" },
      { name: "VM_CONFIG_RELOADER_REQUEST_CPU", value: "5m" },
    ]);
    for (const [kind, spec] of [
      ["VMAgent", { resources: SET }],
      ["VMAlert", { resources: SET, selectAllByDefault: true }],
      ["VMAlertmanager", { resources: SET }],
    ] as const) {
      const w = one(cr(kind, spec), [op]);
      assert.deepEqual(w.requests, { cpu: 0.015, memory: Mi(104) }, kind);
      assert.equal(w.injectedMemory, Mi(40), kind);
    }
  });

  it("adds no reloader to a VMAgent in ingest-only mode without relabelling, nor to a VMAlert that selects no rules", () => {
    assert.equal(one(cr("VMAgent", { resources: SET, ingestOnlyMode: true })).requests.memory, Mi(64));
    assert.equal(one(cr("VMAlert", { resources: SET })).requests.memory, Mi(64));
    const relabelled = one(
      cr("VMAgent", { resources: SET, ingestOnlyMode: true, inlineRelabelConfig: [{}] }),
    );
    assert.ok(relabelled.requests.memory > Mi(64));
  });

  it("takes the reloader's own resources where the CR sets them", () => {
    const w = one(
      cr("VMAgent", { resources: SET, configReloaderResources: { requests: { cpu: "1m", memory: "8Mi" } } }),
    );
    assert.deepEqual(w.requests, { cpu: 0.011, memory: Mi(72) });
  });

  it("defaults each VMCluster component by its own field, else the VMCluster-wide variable", () => {
    const cluster = (spec: Record<string, unknown>) => ({ vmstorage: spec, vminsert: spec, vmselect: spec });
    const ws = workloadsOf(cr("VMCluster", cluster({})));
    assert.equal(ws.length, 3);
    for (const w of ws) assert.ok(w.requests.memory > 0, w.name);
    const off = operator([{ name: "VM_VMCLUSTERDEFAULT_USEDEFAULTRESOURCES", value: "0" }]);
    const res = cr("VMCluster", cluster({}));
    for (const w of workloadsOf(res, undefined, [], vmOperatorEnv([off, res])))
      assert.equal(w.requests.memory, 0, w.name);
    for (const w of workloadsOf(cr("VMCluster", cluster({ useDefaultResources: false }))))
      assert.equal(w.requests.memory, 0, w.name);
  });

  it("counts the same from the chart's values (a live preview's opaque release) as from the rendered CRs", () => {
    const values = {
      vmsingle: { spec: {} },
      vmagent: { spec: { resources: SET } },
      "victoria-metrics-operator": {
        env: [{ name: "VM_VMSINGLEDEFAULT_RESOURCE_REQUEST_MEM", value: "300Mi" }],
      },
    };
    const release: Res = {
      type: "kubernetes:helm.sh/v3:Release",
      urn: "urn:pulumi:s::p::kubernetes:helm.sh/v3:Release::vm",
      name: "vm",
      props: { chart: "victoria-metrics-k8s-stack", name: "vm", values },
    };
    const byKind = new Map(workloadsOf(release).map((w) => [w.objectKind, w]));
    const op = operator(values["victoria-metrics-operator"].env);
    assert.deepEqual(byKind.get("VMSingle")?.requests, one(cr("VMSingle", {}), [op]).requests);
    assert.equal(byKind.get("VMSingle")?.requests.memory, parseQuantity("300Mi"));
    assert.deepEqual(byKind.get("VMAgent")?.requests, one(cr("VMAgent", { resources: SET }), [op]).requests);
    assert.ok((byKind.get("VMAgent")?.injectedMemory ?? 0) > 0);
  });
});
