/**
 * The operator's environment as a live preview reads it from victoria-metrics-k8s-stack's values
 * (`victoria-metrics-operator.env`). The operator chart writes each entry as `value: {{ .value |
 * quote }}` (victoria-metrics-operator 0.63.1, the subchart of victoria-metrics-k8s-stack 0.80.0,
 * templates/server.yaml:59-63), so a YAML `false` or `300` in the stack file reaches the operator as
 * the text "false" or "300" (run with helm v3.17.3: `value: false` renders `value: "false"`). The
 * pack must count the same pods from those values as from the rendered Deployment.
 */
import { strict as assert } from "assert";
import { workloadsOf, vmOperatorEnv, type Workload } from "../../policy/lib/workloads";
import type { Res } from "../../policy/lib/resources";
import { vmCr, vmOperatorDeployment } from "../support/vmOperator";

const SET = { requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "64Mi" } };

/** The release's workload of `kind` counted from its values (a live preview's opaque release). */
function fromValues(env: { name: string; value: unknown }[], kind: string): Workload | undefined {
  const values = {
    vmsingle: { spec: {} },
    vmagent: { spec: { resources: SET } },
    "victoria-metrics-operator": { env },
  };
  const release: Res = {
    type: "kubernetes:helm.sh/v3:Release",
    urn: "urn:pulumi:s::p::kubernetes:helm.sh/v3:Release::vm",
    name: "vm",
    props: { chart: "victoria-metrics-k8s-stack", name: "vm", values },
  };
  return workloadsOf(release).find((w) => w.objectKind === kind);
}

/** The same CR counted from the rendered objects, with the operator's env as the chart renders it. */
function fromRendered(env: { name: string; value: string }[], kind: string, spec: object): Workload {
  const cr = vmCr(kind, spec as Record<string, unknown>);
  return workloadsOf(cr, undefined, [], vmOperatorEnv([vmOperatorDeployment(env), cr]))[0];
}

describe("policy (workloads): the VictoriaMetrics operator's env from chart values as the chart quotes it", () => {
  it("reads a YAML boolean as the text the chart renders: `value: false` turns the defaults off", () => {
    const name = "VM_VMSINGLEDEFAULT_USEDEFAULTRESOURCES";
    const w = fromValues([{ name, value: false }], "VMSingle");
    assert.deepEqual(w?.requests, fromRendered([{ name, value: "false" }], "VMSingle", {}).requests);
    assert.deepEqual(w?.requests, { cpu: 0, memory: 0 });
  });

  it("reads a YAML number as the text the chart renders: `value: 0` and a reloader request of `1` CPU", () => {
    const off = fromValues([{ name: "VM_VMAGENTDEFAULT_USEDEFAULTRESOURCES", value: 0 }], "VMAgent");
    const offRendered = [{ name: "VM_VMAGENTDEFAULT_USEDEFAULTRESOURCES", value: "0" }];
    assert.deepEqual(off?.requests, fromRendered(offRendered, "VMAgent", { resources: SET }).requests);
    const cpu = fromValues([{ name: "VM_CONFIG_RELOADER_REQUEST_CPU", value: 1 }], "VMAgent");
    const cpuRendered = [{ name: "VM_CONFIG_RELOADER_REQUEST_CPU", value: "1" }];
    assert.deepEqual(cpu?.requests, fromRendered(cpuRendered, "VMAgent", { resources: SET }).requests);
    assert.equal(cpu?.requests.cpu, 1.01);
  });
});
