/**
 * How a chart's templates read a value: the program's config check (config/sizing.ts, what a
 * `chartValues` switch leaves running) and the pack's chart model (policy/lib/workloads.ts) judge
 * a switch the same way.
 */

/** Go template's truth, which a chart's `if` and `with` test (text/template: false, 0, "", nil, empty list or map are false). */
export function templateTrue(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (v !== null && typeof v === "object") return Object.keys(v).length > 0;
  return !!v;
}

/**
 * An on/off switch of a chart: the values path it is read at and the chart's default there. Helm
 * reads it one of two ways. A template `if` (the default here) tests Go template truth
 * ({@link templateTrue}); a value of null deletes the chart's default as Helm coalesces the values,
 * so the `if` sees nothing and the component is off. A dependency's `condition:` in Chart.yaml
 * (`condition`) is decided by a boolean alone: helm v3.17.3 pkg/chartutil/dependencies.go:52-71
 * (processDependencyConditions) sets the subchart on or off only where the path holds a bool, warns
 * "returned non-bool value" for any other value and leaves the subchart on (:165-168 sets every one
 * on first); a path with no value (a null deleted) is skipped the same way (:64). Run with helm
 * 3.17.3 over kube-prometheus-stack 88.0.0 and victoria-metrics-k8s-stack 0.80.0: `false` renders
 * neither; null and 0 render the subcharts (kube-state-metrics, node-exporter, grafana, the VM
 * operator) and none of the template `if` parts (Prometheus, VMSingle, VMAgent...); "false" (a
 * string) renders both.
 */
export interface ChartSwitch {
  /** Values path, dot-separated. */
  path: string;
  /** The chart's default at `path` (values.yaml). */
  default: boolean;
  /** A subchart's `condition:` (Chart.yaml), read as a boolean only; unset: a template `if`. */
  condition?: boolean;
  /**
   * Where a chart without a values.schema.json refuses any value but a boolean at `path` in a
   * template (a `ternary`, a `kindIs`), that template, cited: the config check refuses such a value
   * before any render (config/chartValueCheck.ts). A chart's schema says it as data instead.
   */
  boolOnly?: string;
}

/**
 * Whether a switch is on for `value`, the release's value at its path (undefined: unset), as helm
 * reads it ({@link ChartSwitch}). A value the program writes never holds a null: its `chartValues`
 * merge deletes the key instead (builders/chartValues.ts), so the program passes undefined there.
 */
export function switchOn(s: ChartSwitch, value: unknown): boolean {
  if (value === undefined) return s.default;
  return s.condition ? value !== false : templateTrue(value);
}

/**
 * The switches that render a sized component's pods (contract SizedComponent.component), the one
 * list both the program's sizing (config/sizing.ts, what it sums and places) and the pack's chart
 * model (policy/lib/charts.ts, what the budget counts) read: `enabled`, and for a part of a VMCluster
 * its own `part` switch, which renders only while both are on. Each is a template `if`:
 * victoria-metrics-k8s-stack 0.80.0 templates/victoria-metrics-operator/vmsingle/vmsingle.yml:2 and
 * vmcluster/vmcluster.yaml:2 (values.yaml:301 `vmsingle.enabled: true`, :413 `vmcluster.enabled:
 * false`), a VMCluster part by its own (templates/_helpers.tpl:330, :335; values.yaml:439, :460,
 * true); kube-prometheus-stack 88.0.0 templates/prometheus/prometheus.yaml:1 (values.yaml:3615,
 * true). Each sized component not here runs whenever its engine does.
 */
export const SIZED_SWITCHES: Readonly<Record<string, { enabled: ChartSwitch; part?: ChartSwitch }>> = (() => {
  const cluster: ChartSwitch = { path: "vmcluster.enabled", default: false };
  const part = (c: string): ChartSwitch => ({ path: `vmcluster.spec.${c}.enabled`, default: true });
  return {
    vmsingle: { enabled: { path: "vmsingle.enabled", default: true } },
    vmstorage: { enabled: cluster },
    vminsert: { enabled: cluster, part: part("vminsert") },
    vmselect: { enabled: cluster, part: part("vmselect") },
    prometheus: { enabled: { path: "prometheus.enabled", default: true } },
  };
})();

/** Where a chart reads a sized component's replica count, and the chart's default there. */
export interface ChartReplicas {
  /** Values path, dot-separated. */
  path: string;
  /** The chart's default at `path` (values.yaml): what runs when a null deletes the program's value. */
  default: number;
  /**
   * Values path of a count of copies of those replicas ({@link prometheusShards}), when the
   * component has one. Default: none.
   */
  shards?: string;
  /** The zones the chart may run the replicas in, each its own StatefulSet ({@link chartPods}). */
  zones?: ChartZones;
}

/**
 * A chart's zone-aware StatefulSets of one component: loki 18.11.0's ingesters
 * (templates/ingester/workload.yaml:3-13). With `enabled` on (values.yaml:3248, true; the program
 * turns it off, builders/logging/lokiModes.ts) it renders one StatefulSet per zone, zone-a, zone-b
 * and zone-c (:8), of `ceil(replicas / 3)` pods each (templates/ingester/_helpers.tpl:4-6
 * `loki.ingester.replicaCount`), in place of the one StatefulSet of `replicas` pods, which renders
 * beside them only while `migration` is on too (:3; values.yaml:3318-3319, false). Run with helm
 * 3.17.3, Distributed mode: `ingester.replicas` 1, 2, 3 render 3 pods (1 a zone), 4 and 5 render 6,
 * 7 renders 9, 0 renders three StatefulSets of 0; 4 with migration on renders 4 + 6.
 */
export interface ChartZones {
  enabled: ChartSwitch;
  migration: ChartSwitch;
  /** How many zones' StatefulSets the chart renders. */
  count: number;
}

/**
 * The pods a sized component's chart runs for `replicas` at its row's path, as the chart and the
 * operator run them: in its zones where they are on ({@link ChartZones}), times its shards where
 * it has them ({@link chartCopies}). `read` gives the release's value at a values path (undefined
 * where unset), `on` whether a switch of it is on. The one count both the program's budget
 * (config/sizing.ts chartReplicas) and the pack's chart model (policy/lib/workloads.ts) make.
 */
export function chartPods(
  row: ChartReplicas,
  replicas: number,
  read: (path: string) => unknown,
  on: (s: ChartSwitch) => boolean,
): number {
  const z = row.zones;
  const zoned =
    z !== undefined && on(z.enabled)
      ? z.count * Math.ceil(replicas / z.count) + (on(z.migration) ? replicas : 0)
      : replicas;
  return zoned * chartCopies(row, read);
}

/**
 * How many StatefulSets of `replicas` pods each prometheus-operator runs for a Prometheus whose
 * `spec.shards` is `shards`: that many when it is above 1, else one (prometheus-operator v0.93.0
 * pkg/prometheus/common.go:99-121 ExpectedStatefulSetShardNames, shardsNumber; each shard
 * reconciled as its own StatefulSet, pkg/prometheus/server/operator.go:1037-1079; read, not run).
 * kube-prometheus-stack 88.0.0 writes `prometheus.prometheusSpec.shards` into the CR when it is
 * not null (templates/prometheus/prometheus.yaml:96-97; values.yaml:4601, 1).
 */
export function prometheusShards(shards: unknown): number {
  // The chart prints the value unquoted, so a whole number written as text ("3") reaches the CR as a number.
  const n = typeof shards === "string" && /^\d+$/.test(shards) ? Number(shards) : shards;
  return typeof n === "number" && Number.isInteger(n) && n > 1 ? n : 1;
}

/**
 * How many copies of its `replicas` pods a sized component's chart runs (`at`: the release's value
 * at a values path, undefined when unset): its shards where its row has a shards path
 * ({@link prometheusShards}), else one. The one count of copies both the program's budget
 * (config/sizing.ts chartReplicas) and the pack's chart model (policy/lib/workloads.ts) multiply by.
 */
export function chartCopies(row: ChartReplicas, at: (path: string) => unknown): number {
  return row.shards === undefined ? 1 : prometheusShards(at(row.shards));
}

/**
 * Where each sized component's chart reads its replica count (contract SizedComponent.component, a
 * Loki target by its chart key: `loki monolithic`, `loki ingester`), the one table the program's
 * budget (config/sizing.ts chartReplicas, what fitProblems counts) and the pack's chart model
 * (policy/lib/charts.ts) read. A `chartValues` value there replaces the program's count, and that
 * many pods run. kube-prometheus-stack 88.0.0 templates/prometheus/prometheus.yaml:95 writes
 * `replicas` into the Prometheus CR (values.yaml:4589, 1); victoria-metrics-k8s-stack 0.80.0 passes
 * `vmcluster.spec` into the VMCluster CR (templates/victoria-metrics-operator/vmcluster/vmcluster.yaml;
 * values.yaml:424, :441, :462, 2 each), whose operator makes that many pods of each part (operator
 * v0.66.0 internal/controller/operator/factory/vmcluster/vmcluster.go:687, read, not run); loki
 * 18.11.0 templates/_workload.tpl:21 and :53 writes `<target>.replicas` (values.yaml:1884
 * singleBinary 0, :2146, :2415, :2653 write, read, backend 3, Distributed's components 0), the
 * single binary through `loki.monolithicReplicas` ({@link lokiSingleBinaryReplicas}). vmsingle has no count
 * past one, and Mimir runs from no chart: neither has a row.
 */
export const SIZED_REPLICAS: Readonly<Record<string, ChartReplicas>> = (() => {
  const loki = (key: string, def: number): [string, ChartReplicas] => [
    `loki ${key}`,
    { path: `${key}.replicas`, default: def },
  ];
  return {
    prometheus: {
      path: "prometheus.prometheusSpec.replicas",
      default: 1,
      shards: "prometheus.prometheusSpec.shards",
    },
    ...Object.fromEntries(
      ["vmstorage", "vminsert", "vmselect"].map((c) => [
        c,
        { path: `vmcluster.spec.${c}.replicaCount`, default: 2 },
      ]),
    ),
    "loki monolithic": { path: "singleBinary.replicas", default: 0 },
    ...Object.fromEntries([loki("write", 3), loki("read", 3), loki("backend", 3)]),
    "loki ingester": {
      path: "ingester.replicas",
      default: 0,
      zones: {
        enabled: { path: "ingester.zoneAwareReplication.enabled", default: true },
        migration: { path: "ingester.zoneAwareReplication.migration.enabled", default: false },
        count: 3,
      },
    },
    ...Object.fromEntries(
      ["distributor", "indexGateway", "querier", "queryFrontend", "queryScheduler", "compactor", "ruler"].map(
        (c) => loki(c, 0),
      ),
    ),
  };
})();

/**
 * Replica keys whose template prints the value unquoted (`replicas: {{ .Values.<path> }}`), so a
 * whole number written as text ("7") reaches the rendered object as the number and that many pods
 * run: by chart, then values path, with the template line. Run with helm 3.17.3 (`--set-string
 * <path>=7`), each renders `replicas: 7` as an integer: kube-prometheus-stack 88.0.0 (with
 * thanosRuler and the webhook's deployment on), grafana 12.3.1 (with imageRenderer on), alloy 1.5.0
 * (controller.type statefulset), vector 0.56.0, kube-state-metrics 6.4.1, and
 * victoria-metrics-k8s-stack 0.80.0's grafana, kube-state-metrics and operator subcharts. Not here,
 * as the render refuses them: victoria-metrics-k8s-stack passes `vmcluster.spec`, `vmsingle.spec`
 * and `alertmanager.spec` into its CRs as they are (`replicaCount: "7"`, text the CRDs type
 * integer); loki 18.11.0's and alertmanager 1.42.0's values.schema.json type their counts integer,
 * and Helm refuses the text ("Invalid type. Expected: [integer,null], given: string").
 */
export const TEXT_REPLICAS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  "kube-prometheus-stack": {
    "prometheus.prometheusSpec.replicas": "templates/prometheus/prometheus.yaml:95",
    "prometheus.prometheusSpec.shards": "templates/prometheus/prometheus.yaml:97",
    "alertmanager.alertmanagerSpec.replicas": "templates/alertmanager/alertmanager.yaml:35",
    "thanosRuler.thanosRulerSpec.replicas": "templates/thanos-ruler/ruler.yaml:30",
    "prometheusOperator.admissionWebhooks.deployment.replicas":
      "templates/prometheus-operator/admission-webhooks/deployment/deployment.yaml:18",
    "grafana.replicas": "charts/grafana/templates/deployment.yaml:18, statefulset.yaml:15",
    "grafana.imageRenderer.replicas": "charts/grafana/templates/image-renderer-deployment.yaml:19",
    "kube-state-metrics.replicas": "charts/kube-state-metrics/templates/deployment.yaml:23",
  },
  grafana: {
    replicas: "templates/deployment.yaml:18, statefulset.yaml:15",
    "imageRenderer.replicas": "templates/image-renderer-deployment.yaml:19",
  },
  alloy: { "controller.replicas": "templates/controllers/statefulset.yaml:21, deployment.yaml:18" },
  vector: { replicas: "templates/statefulset.yaml:16, deployment.yaml:16" },
  "kube-state-metrics": { replicas: "templates/deployment.yaml:23" },
  "victoria-metrics-k8s-stack": {
    "grafana.replicas": "charts/grafana/templates/deployment.yaml:18, statefulset.yaml:15",
    "grafana.imageRenderer.replicas": "charts/grafana/templates/image-renderer-deployment.yaml:19",
    "kube-state-metrics.replicas": "charts/kube-state-metrics/templates/deployment.yaml:23",
    "victoria-metrics-operator.replicaCount": "charts/victoria-metrics-operator/templates/server.yaml:21",
  },
};

/**
 * The count a whole number written as text at `path` of `chart` runs, where the chart renders it as
 * the number ({@link TEXT_REPLICAS}); undefined for any other value or key. Digits alone, with no
 * leading zero (YAML 1.1 reads "07" as octal).
 */
export function textReplicas(chart: string, path: string, v: unknown): number | undefined {
  return TEXT_REPLICAS[chart]?.[path] !== undefined && typeof v === "string" && /^(0|[1-9]\d*)$/.test(v)
    ? Number(v)
    : undefined;
}

/**
 * The single binary's pods for `replicas` at `singleBinary.replicas`, while the chart runs it
 * (loki 18.11.0 templates/_helpers.tpl:1207-1214 `loki.monolithicReplicas`): the count above 1,
 * else 1. Run with helm 3.17.3 (deploymentMode SingleBinary): 0 renders the StatefulSet with
 * `replicas: 1`; 3 renders 3 with `loki.storage.type: s3`, and with `filesystem` the chart
 * refuses to render ("Cannot run more than 1 Monolithic replica without an object storage
 * backend", templates/validate.yaml:18-20), which the render names.
 */
export function lokiSingleBinaryReplicas(replicas: number): number {
  return Math.max(1, replicas);
}

/**
 * The switches of the DaemonSets' parts, by the container the program sizes (config/sizing.ts
 * nodeDaemons, what it counts on every node) and the pack models (policy/lib/charts.ts): each a
 * template `if`. The canary: loki 18.11.0 templates/loki-canary/daemonset.yaml:1 (values.yaml:928
 * `lokiCanary.enabled: true`); node-exporter's kube-rbac-proxy container: prometheus-node-exporter
 * 4.49.1 templates/daemonset.yaml:190 (values.yaml:41 `kubeRBACProxy.enabled: false`). Only a
 * boolean renders at either (run with helm 3.17.3: 0, "" and "false" are refused, loki's
 * values.schema.json:6129 types it boolean, node-exporter's daemonset.yaml:33 and :50 pass it to
 * `ternary`, which takes a bool alone), so of Go template truth only true and false reach a node.
 */
export const DAEMON_SWITCHES = {
  lokiCanary: { path: "lokiCanary.enabled", default: true },
  kubeRbacProxy: {
    path: "kubeRBACProxy.enabled",
    default: false,
    // Run, helm 3.17.3: 0, 1, "" and "false" each refused, "wrong type for value; expected bool".
    boolOnly: "templates/daemonset.yaml:33 and :50 pass it to ternary, which takes a bool alone",
  },
} as const satisfies Readonly<Record<string, ChartSwitch>>;
