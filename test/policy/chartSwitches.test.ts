/**
 * The switches that turn a chart's components on and off, read as helm 3.17.3 reads them, the same
 * by the program's sizing (config/sizing.ts fitProblems: what it sums and places) and by the pack's
 * chart model (policy/lib/workloads.ts: what the budget counts). Helm reads a template `if` by Go
 * template truth and a subchart's `condition:` by a boolean alone (helm v3.17.3
 * pkg/chartutil/dependencies.go:52-71). Run with helm 3.17.3 over kube-prometheus-stack 88.0.0 and
 * victoria-metrics-k8s-stack 0.80.0 (`helm template` with each value at every switch below): 0 and
 * null leave out the template `if` parts (Prometheus, VMSingle, VMAgent, VMAlert, the VMCluster's
 * vminsert) and render the subcharts (kube-state-metrics, node-exporter, Grafana, the VM
 * operator); the string "false" renders both; false renders neither.
 */
import { strict as assert } from "assert";
import { SIZED_SWITCHES } from "@homelab-observability/contract";
import { fitProblems, sizedValuesPath } from "../../config/sizing";
import { DEFAULT_CHARTS } from "../../policy/lib/charts";
import { workloadsOf } from "../../policy/lib/workloads";
import type { Res } from "../../policy/lib/resources";
import { config } from "../support/helpers";

const VM = "victoria-metrics-k8s-stack";
const KPS = "kube-prometheus-stack";

/** `values` with `v` at the dot-separated `path`. */
function setAt(values: Record<string, any>, path: string, v: unknown): Record<string, any> {
  const out = structuredClone(values);
  const keys = path.split(".");
  let at = out;
  for (const k of keys.slice(0, -1)) at = at[k] ??= {};
  at[keys[keys.length - 1]] = v;
  return out;
}

/** The names of the workloads the pack counts for a release of `chart` with `values`. */
function packCounts(chart: string, values: Record<string, any>): string[] {
  const release: Res = {
    type: "kubernetes:helm.sh/v3:Release",
    urn: `urn:pulumi:s::p::kubernetes:helm.sh/v3:Release::r`,
    name: "r",
    props: { chart, name: "r", values },
  };
  return workloadsOf(release).map((w) => w.name.replace(/^r\//, ""));
}

/** Each sized component, its chart, the switch that renders it, and what else must be on for it. */
const SIZED: { component: string; chart: string; path: string; base: Record<string, any> }[] = [
  { component: "vmsingle", chart: VM, path: "vmsingle.enabled", base: {} },
  { component: "vmstorage", chart: VM, path: "vmcluster.enabled", base: { vmsingle: { enabled: false } } },
  ...["vminsert", "vmselect"].map((c) => ({
    component: c,
    chart: VM,
    path: `vmcluster.spec.${c}.enabled`,
    base: { vmsingle: { enabled: false }, vmcluster: { enabled: true } },
  })),
  { component: "prometheus", chart: KPS, path: "prometheus.enabled", base: {} },
];

/** What fitProblems says of one pod of `component` bigger than any node, with `chartValues`. */
function sizingProblems(component: string, chartValues: Record<string, unknown>): string[] {
  const cfg = config({
    nodePools: [{ name: "w", arch: "amd64", count: 3, cpu: "4", memory: "4Gi" }],
    chartValues,
  });
  const pod = {
    component,
    workload: component,
    replicas: 1,
    memoryBytes: 64 * 2 ** 30,
    requestBytes: 64 * 2 ** 30,
    volumeBytes: 0,
    sizedFor: "3000000 series (workload.activeSeries)",
  };
  return fitProblems(cfg, { resources: {}, components: [pod] }, (k) => k);
}

describe("chart switches: the program's sizing and the pack leave out the same sized components", () => {
  for (const s of SIZED)
    it(`${s.chart} ${s.path}: false leaves out ${s.component} in both`, () => {
      const on = setAt(s.base, s.path, true);
      const off = setAt(s.base, s.path, false);
      assert.ok(packCounts(s.chart, on).includes(s.component), "the pack counts it with the switch on");
      assert.ok(!packCounts(s.chart, off).includes(s.component), "the pack counts it with the switch off");
      assert.notDeepEqual(sizingProblems(s.component, { [s.chart]: on }), [], "sizing judges it on");
      assert.deepEqual(sizingProblems(s.component, { [s.chart]: off }), [], "sizing judges it off");
    });
});

describe("chart switches: the pack reads a template `if` by Go template truth, as helm renders it", () => {
  // [chart, switch path, workload it renders, values beside it]
  const IFS: [string, string, string, Record<string, any>][] = [
    [VM, "vmsingle.enabled", "vmsingle", {}],
    [VM, "vmagent.enabled", "vmagent", {}],
    [VM, "vmalert.enabled", "vmalert", {}],
    [VM, "vmcluster.spec.vminsert.enabled", "vminsert", { vmcluster: { enabled: true } }],
    [KPS, "prometheus.enabled", "prometheus", {}],
    [KPS, "alertmanager.enabled", "alertmanager", {}],
  ];
  for (const [chart, path, w, base] of IFS) {
    for (const v of [0, null, ""])
      it(`${chart} ${path}: ${JSON.stringify(v)} renders no ${w}, so the pack counts none`, () =>
        assert.ok(!packCounts(chart, setAt(base, path, v)).includes(w)));
    it(`${chart} ${path}: "false" (a string) is true to the template, so ${w} is counted`, () =>
      assert.ok(packCounts(chart, setAt(base, path, "false")).includes(w)));
  }
});

describe("chart switches: the pack reads a subchart's condition by a boolean alone, as helm does", () => {
  // [chart, condition path (Chart.yaml), workload the subchart renders]
  const CONDITIONS: [string, string, string][] = [
    [KPS, "kubeStateMetrics.enabled", "kube-state-metrics"],
    [KPS, "nodeExporter.enabled", "node-exporter"],
    [KPS, "grafana.enabled", "grafana"],
    [VM, "victoria-metrics-operator.enabled", "operator"],
    // The operator subchart's pre-delete hook (run with helm 3.17.3: false renders no Job).
    [VM, "victoria-metrics-operator.enabled", "crds-cleanup"],
    [VM, "kube-state-metrics.enabled", "kube-state-metrics"],
    [VM, "prometheus-node-exporter.enabled", "node-exporter"],
    [VM, "grafana.enabled", "grafana"],
  ];
  for (const [chart, path, w] of CONDITIONS) {
    for (const v of [0, null, "false"])
      it(`${chart} ${path}: ${JSON.stringify(v)} is no boolean, helm keeps the subchart, so ${w} is counted`, () =>
        assert.ok(packCounts(chart, setAt({}, path, v)).includes(w)));
    it(`${chart} ${path}: false leaves the subchart out, so ${w} is not counted`, () =>
      assert.ok(!packCounts(chart, setAt({}, path, false)).includes(w)));
  }
});

describe("chart switches: one list of the sized components' switches (contract SIZED_SWITCHES)", () => {
  it("the pack's chart model reads each sized component's switches from it, in the chart sizing writes it to", () => {
    for (const [component, sw] of Object.entries(SIZED_SWITCHES)) {
      const chart = sizedValuesPath(component)?.chart;
      assert.ok(chart !== undefined, `${component}: sizing writes it to no chart`);
      const w = DEFAULT_CHARTS[chart].workloads.find((x) => x.name === component);
      assert.ok(w, `${component}: the pack models no such workload of ${chart}`);
      assert.deepEqual(
        { enabled: w.enabled, part: w.partEnabled },
        { enabled: sw.enabled, part: sw.part },
        `${component} of ${chart}`,
      );
    }
  });
});
