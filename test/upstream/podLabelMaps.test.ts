/**
 * Which maps of pod labels only add labels to the pods (model/podLabels.ts addsPodLabel), held
 * against `helm template` of the pinned charts: for each map a stack can override that the report
 * reads as pod labels (synth/report.ts podLabelsKey), an override giving every label the pods carry
 * of their own another value, and, where the chart merges the map with another (loki's
 * `mergeOverwrite`), one giving both maps the same key. The map only adds when each render refuses
 * the pods (a key written twice: synth's parse of Helm's output says "duplicated mapping key") or
 * keeps the value the pods had; the keys it gives the pods with no override are its own.
 * For a map the chart writes into a custom resource (`spec.podMetadata.labels`) Helm holds only the
 * chart's part (the map reaches the resource as written); the operator's part is read, not run
 * (model/podLabels.ts cites prometheus-operator v0.93.0 and the VictoriaMetrics operator v0.66.0).
 */
import { strict as assert } from "assert";
import { load as loadYaml } from "js-yaml";
import { addsPodLabel } from "../../model/podLabels";
import { versions } from "../../model/versions";
import { nodeExporterValues } from "../../builders/metrics/exporterValues";
import { agentScheduling } from "../../builders/security/hardening";
import { isPlainMap } from "../../config/tree";
import { helmBinary } from "../../synth/render/helm";
import { parseManifest } from "../../synth/render/manifest";
import { pinnedChartArchive } from "../support/helpers";
import { toolOutput, toolRun } from "../support/toolOutput";

type Values = Record<string, unknown>;

/** One map of pod labels of a pinned chart, and how to render the pods it labels. */
interface MapCase {
  chart: string;
  /** Its path under the chart, dotted (no key of it holds a dot). */
  map: string;
  /** Values that make the chart render those pods (the chart's defaults else). */
  base?: Values;
  /** The templates writing the pods (`--show-only`), and which of their objects by name. */
  templates: string[];
  name?: RegExp;
  /** Other maps the chart writes into the same pods, with their templates there. */
  beside?: { map: string; templates: string[] }[];
  /**
   * A map the chart writes into a custom resource's `spec.podMetadata.labels` (its path in the
   * resource's spec), and the keys the operator writes before the map (read, not run).
   */
  operator?: { spec: string; writtenBefore: string[] };
}

const LOKI: Values = {
  deploymentMode: "SingleBinary",
  loki: { commonConfig: { replication_factor: 1 }, storage: { type: "filesystem" }, useTestSchema: true },
  singleBinary: { replicas: 1 },
  read: { replicas: 0 },
  write: { replicas: 0 },
  backend: { replicas: 0 },
};
const LOKI_WORKLOAD = "templates/monolithic/workload.yaml";
const LOKI_GATEWAY = "templates/gateway/deployment.yaml";
const LOKI_CACHE = "templates/chunks-cache/statefulset.yaml";
const LOKI_RESULTS = "templates/results-cache/statefulset.yaml";
const VM_CLUSTER: Values = {
  vmsingle: { enabled: false },
  vmcluster: { enabled: true, spec: { requestsLoadBalancer: { enabled: true } } },
};
const VM_CR = "templates/victoria-metrics-operator";

const CASES: MapCase[] = [
  { chart: "vector", map: "podLabels", templates: ["templates/statefulset.yaml"] },
  {
    chart: "vector",
    map: "haproxy.podLabels",
    base: { role: "Stateless-Aggregator", haproxy: { enabled: true } },
    templates: ["templates/haproxy/deployment.yaml"],
  },
  { chart: "alloy", map: "controller.podLabels", templates: ["templates/controllers/daemonset.yaml"] },
  { chart: "grafana", map: "podLabels", templates: ["templates/deployment.yaml"] },
  {
    chart: "grafana",
    map: "imageRenderer.podLabels",
    base: { imageRenderer: { enabled: true } },
    templates: ["templates/image-renderer-deployment.yaml"],
  },
  { chart: "alertmanager", map: "podLabels", templates: ["templates/statefulset.yaml"] },
  {
    chart: "prometheus-node-exporter",
    map: "podLabels",
    // The program's own labels of the map are its own defaults too.
    base: { podLabels: nodeExporterValues("standard", agentScheduling([])).podLabels as Values },
    templates: ["templates/daemonset.yaml"],
  },
  { chart: "kube-state-metrics", map: "podLabels", templates: ["templates/deployment.yaml"] },
  {
    chart: "loki",
    map: "loki.podLabels",
    base: LOKI,
    templates: [LOKI_WORKLOAD, LOKI_GATEWAY, LOKI_CACHE, LOKI_RESULTS],
    beside: [
      { map: "defaults.podLabels", templates: [LOKI_WORKLOAD] },
      { map: "singleBinary.podLabels", templates: [LOKI_WORKLOAD] },
      { map: "gateway.podLabels", templates: [LOKI_GATEWAY] },
      { map: "chunksCache.podLabels", templates: [LOKI_CACHE] },
    ],
  },
  {
    chart: "loki",
    map: "defaults.podLabels",
    base: LOKI,
    templates: [LOKI_WORKLOAD],
    beside: [{ map: "loki.podLabels", templates: [LOKI_WORKLOAD] }],
  },
  {
    chart: "loki",
    map: "singleBinary.podLabels",
    base: LOKI,
    templates: [LOKI_WORKLOAD],
    beside: [
      { map: "loki.podLabels", templates: [LOKI_WORKLOAD] },
      { map: "defaults.podLabels", templates: [LOKI_WORKLOAD] },
    ],
  },
  {
    chart: "loki",
    map: "gateway.podLabels",
    base: LOKI,
    templates: [LOKI_GATEWAY],
    beside: [{ map: "loki.podLabels", templates: [LOKI_GATEWAY] }],
  },
  {
    chart: "loki",
    map: "chunksCache.podLabels",
    base: LOKI,
    templates: [LOKI_CACHE],
    beside: [{ map: "loki.podLabels", templates: [LOKI_CACHE] }],
  },
  {
    chart: "loki",
    map: "chunksCache.l2.podLabels",
    base: { ...LOKI, chunksCache: { l2: { enabled: true } } },
    templates: [LOKI_CACHE],
    name: /-l2$/,
    beside: [{ map: "loki.podLabels", templates: [LOKI_CACHE] }],
  },
  {
    chart: "loki",
    map: "resultsCache.podLabels",
    base: LOKI,
    templates: [LOKI_RESULTS],
    beside: [{ map: "loki.podLabels", templates: [LOKI_RESULTS] }],
  },
  {
    chart: "loki",
    map: "lokiCanary.podLabels",
    base: LOKI,
    templates: ["templates/loki-canary/daemonset.yaml"],
  },
  {
    chart: "loki",
    map: "minio.podLabels",
    base: { ...LOKI, ignoreMinioDeprecation: true, minio: { enabled: true } },
    templates: ["charts/minio/templates/statefulset.yaml"],
  },
  {
    chart: "loki",
    map: "rollout_operator.podLabels",
    base: { ...LOKI, rollout_operator: { enabled: true } },
    templates: ["charts/rollout_operator/templates/deployment.yaml"],
  },
  {
    chart: "kube-prometheus-stack",
    map: "prometheusOperator.podLabels",
    templates: ["templates/prometheus-operator/deployment.yaml"],
  },
  {
    chart: "kube-prometheus-stack",
    map: "prometheusOperator.admissionWebhooks.deployment.podLabels",
    base: { prometheusOperator: { admissionWebhooks: { deployment: { enabled: true } } } },
    templates: ["templates/prometheus-operator/admission-webhooks/deployment/deployment.yaml"],
  },
  ...["kube-prometheus-stack", "victoria-metrics-k8s-stack"].flatMap((chart): MapCase[] => [
    {
      chart,
      map: "grafana.podLabels",
      base: { grafana: { enabled: true } },
      templates: ["charts/grafana/templates/deployment.yaml"],
    },
    {
      chart,
      map: "grafana.imageRenderer.podLabels",
      base: { grafana: { enabled: true, imageRenderer: { enabled: true } } },
      templates: ["charts/grafana/templates/image-renderer-deployment.yaml"],
    },
    {
      chart,
      map: "kube-state-metrics.podLabels",
      templates: ["charts/kube-state-metrics/templates/deployment.yaml"],
    },
    {
      chart,
      map: "prometheus-node-exporter.podLabels",
      templates: ["charts/prometheus-node-exporter/templates/daemonset.yaml"],
    },
  ]),
  {
    chart: "kube-prometheus-stack",
    map: "prometheus-windows-exporter.podLabels",
    base: { windowsMonitoring: { enabled: true } },
    templates: ["charts/prometheus-windows-exporter/templates/daemonset.yaml"],
  },
  ...(
    [
      ["prometheus.prometheusSpec", "templates/prometheus/prometheus.yaml", ["app.kubernetes.io/version"]],
      [
        "alertmanager.alertmanagerSpec",
        "templates/alertmanager/alertmanager.yaml",
        ["app.kubernetes.io/version"],
      ],
      ["thanosRuler.thanosRulerSpec", "templates/thanos-ruler/ruler.yaml", []],
    ] as const
  ).map(([spec, template, writtenBefore]): MapCase => ({
    chart: "kube-prometheus-stack",
    map: `${spec}.podMetadata.labels`,
    base: { thanosRuler: { enabled: true } },
    templates: [template],
    operator: { spec: "podMetadata.labels", writtenBefore: [...writtenBefore] },
  })),
  ...(
    [
      ["vmsingle", "vmsingle/vmsingle.yml"],
      ["vmagent", "vmagent/vmagent.yaml"],
      ["vmalert", "vmalert/vmalert.yaml"],
      ["alertmanager", "vmalertmanager/vmalertmanager.yaml"],
      ["vmauth", "vmauth/vmauth.yaml"],
    ] as const
  ).map(([c, template]): MapCase => ({
    chart: "victoria-metrics-k8s-stack",
    map: `${c}.spec.podMetadata.labels`,
    base: { [c]: { enabled: true } },
    templates: [`${VM_CR}/${template}`],
    operator: { spec: "podMetadata.labels", writtenBefore: [] },
  })),
  ...["vmselect", "vminsert", "vmstorage", "requestsLoadBalancer.spec"].map((c): MapCase => ({
    chart: "victoria-metrics-k8s-stack",
    map: `vmcluster.spec.${c}.podMetadata.labels`,
    base: VM_CLUSTER,
    templates: [`${VM_CR}/vmcluster/vmcluster.yaml`],
    operator: { spec: `${c}.podMetadata.labels`, writtenBefore: [] },
  })),
  {
    chart: "victoria-metrics-k8s-stack",
    map: "victoria-metrics-operator.podLabels",
    templates: ["charts/victoria-metrics-operator/templates/server.yaml"],
  },
];

/** `value` at the dotted `path` of a new map. */
const at = (path: string, value: unknown): Values =>
  path.split(".").reduceRight<unknown>((v, k) => ({ [k]: v }), value) as Values;

/** `b` merged into `a`, maps by key, as Helm merges a values file into the defaults. */
function merged(a: Values, b: Values): Values {
  const out: Values = { ...a };
  for (const [k, v] of Object.entries(b))
    out[k] = isPlainMap(out[k]) && isPlainMap(v) ? merged(out[k], v) : v;
  return out;
}

/** What Helm renders of one pod-writing object: its labels, or the parse's refusal. */
type Rendered = { id: string; labels?: Record<string, string>; refused?: string };

/** The kinds of object that hold pods, and of the custom resources an operator makes pods of. */
const WORKLOAD = /^kind: (?:Deployment|StatefulSet|DaemonSet|Job)$/m;
const SERVER =
  /^kind: (?:Prometheus|Alertmanager|ThanosRuler|VM(?:Single|Agent|Alert|Alertmanager|Auth|Cluster))$/m;

/**
 * Values under every render of a chart that turn off what labels no pod: the two stacks' rule and
 * dashboard generation (kube-prometheus-stack 88.0.0 values.yaml:174-175, 1391;
 * victoria-metrics-k8s-stack 0.80.0 values.yaml:44-46, 70-73), most of Helm's time for each (a
 * render of the chart's defaults, 4 runs each: 0.22 -> 0.15 s and 0.82 -> 0.42 s of CPU), for the
 * file's ~130 renders in a cold run.
 */
const LEAN: Record<string, Values> = {
  "kube-prometheus-stack": { defaultRules: { create: false }, grafana: { defaultDashboardsEnabled: false } },
  "victoria-metrics-k8s-stack": { defaultRules: { create: false }, defaultDashboards: { enabled: false } },
};

/** `helm template` of the pinned chart of `c` with `values`, its `templates` only (once per machine: the fixture cache). */
function helmTemplate(ctx: Mocha.Context, c: MapCase, values: Values) {
  const pin = Object.values(versions.charts).find((p) => p.chart === c.chart)!;
  const archive = pinnedChartArchive(ctx, pin);
  const args = ["template", "x", archive, "--namespace", "ns"];
  for (const [k, v] of Object.entries(merged(LEAN[c.chart] ?? {}, values)))
    args.push("--set-json", `${k}=${JSON.stringify(v)}`);
  for (const t of c.templates) args.push("--show-only", t);
  return toolRun(helmBinary(), args, { inputs: [archive] });
}

/**
 * The objects `c.templates` render with `values` that hold pods (or, for a map the chart writes
 * into a custom resource, that resource), each parsed as synth parses Helm's output, with the pods'
 * labels (or the labels at `c.operator.spec` of the resource's spec). Helm must render.
 */
function render(ctx: Mocha.Context, c: MapCase, values: Values): Rendered[] {
  const r = helmTemplate(ctx, c, values);
  assert.equal(r.status, 0, `${c.chart} ${JSON.stringify(values)}:\n${r.stderr}`);
  return r.stdout
    .split(/^---$/m)
    .filter((doc) => (c.operator ? SERVER : WORKLOAD).test(doc))
    .map((doc): Rendered => {
      const id = `${/^# Source: (\S+)/m.exec(doc)?.[1]} ${/^ {2}name: (\S+)/m.exec(doc)?.[1]}`;
      try {
        const [o] = parseManifest(doc).objects as unknown as { spec: Values }[];
        const path = c.operator ? c.operator.spec : "template.metadata.labels";
        const labels = path.split(".").reduce<unknown>((v, k) => (isPlainMap(v) ? v[k] : undefined), o.spec);
        return { id, labels: (labels ?? {}) as Record<string, string> };
      } catch (e) {
        return { id, refused: String((e as Error).message) };
      }
    })
    .filter((o) => !c.name || c.name.test(o.id));
}

/** Whether, in every object, the map's key `key` at `value` was refused or left the label as it was. */
function keptOrRefused(objects: Rendered[], before: Rendered[], key: string, value: string): boolean {
  return objects.every((o) => {
    if (o.refused !== undefined) return /duplicated mapping key/.test(o.refused);
    const was = before.find((b) => b.id === o.id)?.labels?.[key];
    return was === undefined || o.labels![key] !== value;
  });
}

/**
 * The keys the map at `c.map` gives the pods with no override (its defaults): those the pods lose
 * when the map is null (Helm drops a key set to null from the defaults), or, where the chart
 * refuses a null map (loki's `mergeOverwrite`, templates/_pod.tpl:32), the keys of its default in
 * the chart's values (`helm show values`).
 */
function mapDefaults(ctx: Mocha.Context, c: MapCase, before: Rendered[]): string[] {
  const r = helmTemplate(ctx, c, merged(c.base ?? {}, at(c.map, null)));
  if (r.status === 0) {
    const without = render(ctx, c, merged(c.base ?? {}, at(c.map, null)));
    return [
      ...new Set(
        before.flatMap((o) =>
          Object.keys(o.labels ?? {}).filter(
            (k) => without.find((w) => w.id === o.id)?.labels?.[k] === undefined,
          ),
        ),
      ),
    ];
  }
  const pin = Object.values(versions.charts).find((p) => p.chart === c.chart)!;
  const archive = pinnedChartArchive(ctx, pin);
  const shown = loadYaml(toolOutput(helmBinary(), ["show", "values", archive], [archive]));
  const value = c.map.split(".").reduce<unknown>((v, k) => (isPlainMap(v) ? v[k] : undefined), shown);
  assert.ok(isPlainMap(value), `${c.chart} ${c.map}: no map in the chart's values`);
  return Object.keys(value);
}

describe("model/podLabels.ts: the maps of pod labels that only add, as the pinned charts render them", function () {
  this.timeout(120_000);
  const FRESH = "homelab.test/added";

  for (const c of CASES)
    it(`${c.chart} ${c.map}: ${c.operator ? "the chart writes it as given into the custom resource; the operator's labels" : "an override of the pods' own labels and of another map's"}, as model/podLabels.ts says`, function () {
      const base = c.base ?? {};
      // The map labels the pods: a new key reaches every object.
      const added = render(this, c, merged(base, at(c.map, { [FRESH]: "x" })));
      assert.ok(added.length > 0, `${c.chart}: ${c.templates.join(", ")} render no object`);
      for (const o of added) assert.equal(o.labels?.[FRESH], "x", `${c.map} does not label ${o.id}`);

      if (c.operator) {
        // The chart writes the map as given, no label of its own beside it.
        for (const o of added) assert.deepEqual(o.labels, { [FRESH]: "x" }, o.id);
        assert.equal(
          addsPodLabel(c.chart, c.map, FRESH),
          true,
          "a new key only adds (the operator's source)",
        );
        for (const k of c.operator.writtenBefore) assert.equal(addsPodLabel(c.chart, c.map, k), false, k);
        return;
      }

      // The labels the pods carry without the map are their own; those it gives them with no
      // override are the map's defaults, an override of which writes over the value they carry.
      const before = render(this, c, base);
      const labelKeys = (os: Rendered[]) => [...new Set(os.flatMap((o) => Object.keys(o.labels ?? {})))];
      const defaults = mapDefaults(this, c, before);
      for (const k of defaults)
        assert.equal(addsPodLabel(c.chart, c.map, k), false, `${c.map}: its default ${k} is written over`);
      const own = labelKeys(before).filter((k) => !defaults.includes(k));

      // Each of the pods' own labels given another value through the map.
      const over = render(this, c, merged(base, at(c.map, Object.fromEntries(own.map((k) => [k, "o"])))));
      let adds = own.every((k) => keptOrRefused(over, before, k, "o"));
      // Another map written into the same pods with the same key: the map must not win.
      for (const b of c.beside ?? []) {
        const both = { ...c, templates: b.templates };
        const first = merged(base, at(b.map, { [FRESH]: "a" }));
        const under = render(this, both, merged(first, at(c.map, { [FRESH]: "b" })));
        if (!keptOrRefused(under, render(this, both, first), FRESH, "b")) adds = false;
      }
      assert.equal(addsPodLabel(c.chart, c.map, FRESH), adds, `model/podLabels.ts on ${c.chart} ${c.map}`);
    });
});
