import { kpsDefaultRules } from "./kpsRules";
import type { Rule, RuleGroup } from "./ruleGroup";
import { PROJECT } from "../../model/names";
import type { LabelSelector } from "../../upstream/ruleSelection";

export type { Rule, RuleGroup };

/** Label on every PrometheusRule we create (what the program owns; the evaluators do not select on it). */
export const RULE_LABEL = { key: "homelab.dev/rules", value: PROJECT } as const;

/**
 * The label that keeps a PrometheusRule from every evaluator the program runs, in every phase: a
 * rule an app ships for a Prometheus of its own, or one the operator evaluates elsewhere.
 */
export const RULE_OPT_OUT = { key: "homelab.dev/evaluate", value: "false" } as const;

/**
 * What the phase's one evaluator selects: every PrometheusRule in every namespace (the namespace
 * selector is empty, or absent where absent means all: upstream/ruleSelection.ts) but those
 * labelled {@link RULE_OPT_OUT}. `NotIn` holds for a rule without the label.
 */
export const EVERY_RULE: LabelSelector = {
  matchExpressions: [{ key: RULE_OPT_OUT.key, operator: "NotIn", values: [RULE_OPT_OUT.value] }],
};

/**
 * A selector no object satisfies (the key both present and absent): how a running Prometheus lets
 * go of every rule once the backend's evaluator holds them. The chart cannot render a null
 * selector (kube-prometheus-stack 88.0.0 templates/prometheus/prometheus.yaml renders `{}`, every
 * rule, when the value is empty).
 */
export const NO_RULE: LabelSelector = {
  matchExpressions: [
    { key: RULE_OPT_OUT.key, operator: "Exists" },
    { key: RULE_OPT_OUT.key, operator: "DoesNotExist" },
  ],
};

const PUSH_ROUTES = "loki_api_v1_push|api_prom_push|push_v1";
const QUERY_ROUTES = "loki_api_v1_query|loki_api_v1_query_range|api_prom_query";

/** Alerts on the logging pipeline itself: nothing ingested, push/query errors, retention stalled, canary gaps. */
export function lokiRules(opts: { canary: boolean }): RuleGroup[] {
  const rules: Rule[] = [
    {
      alert: "LokiNoLogsIngested",
      expr: "(sum(rate(loki_distributor_lines_received_total[10m])) or vector(0)) == 0",
      for: "15m",
      labels: { severity: "critical" },
      annotations: {
        summary: "Loki has ingested no log lines for 25 minutes.",
        description:
          "No agent is pushing, or every push fails. Check the Alloy/Vector pods and Loki's write path.",
      },
    },
    {
      alert: "LokiPushErrors",
      expr: `sum by (job) (rate(loki_request_duration_seconds_count{route=~"${PUSH_ROUTES}",status_code=~"5.."}[5m])) / sum by (job) (rate(loki_request_duration_seconds_count{route=~"${PUSH_ROUTES}"}[5m])) > 0.05`,
      for: "10m",
      labels: { severity: "warning" },
      annotations: {
        summary: "More than 5% of pushes to {{ $labels.job }} fail.",
        description: "{{ $value | humanizePercentage }} of push requests return 5xx.",
      },
    },
    {
      alert: "LokiQueryErrors",
      expr: `sum by (job) (rate(loki_request_duration_seconds_count{route=~"${QUERY_ROUTES}",status_code=~"5.."}[5m])) / sum by (job) (rate(loki_request_duration_seconds_count{route=~"${QUERY_ROUTES}"}[5m])) > 0.05`,
      for: "10m",
      labels: { severity: "warning" },
      annotations: {
        summary: "More than 5% of queries to {{ $labels.job }} fail.",
        description: "{{ $value | humanizePercentage }} of query requests return 5xx.",
      },
    },
    {
      alert: "LokiRetentionNotRunning",
      expr: "(time() - max(loki_compactor_apply_retention_last_successful_run_timestamp_seconds)) > 3 * 3600",
      for: "15m",
      labels: { severity: "warning" },
      annotations: {
        summary: "Loki's compactor has not applied retention for over 3 hours.",
        description:
          "Old logs are not being deleted; the bucket will grow. Check the compactor (backend or single binary) logs.",
      },
    },
  ];
  if (opts.canary) {
    rules.push({
      alert: "LokiCanaryMissingEntries",
      expr: "sum by (instance) (increase(loki_canary_missing_entries_total[15m])) > 0",
      for: "5m",
      labels: { severity: "warning" },
      annotations: {
        summary: "Loki canary {{ $labels.instance }} cannot read back entries it wrote.",
        description: "{{ $value }} entries went missing in 15 minutes: the write or read path loses logs.",
      },
    });
  }
  return [{ name: "loki-pipeline", rules }];
}

/** The object store a stack writes to (config `objectStore.type`). */
/** Every kind of object store the stack may keep its data in (docs/reference/alerts.md lists each one's alerts). */
export const STORE_KINDS = ["minio", "garage", "ceph-rgw", "filesystem"] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

/** Inputs of {@link objectStoreRules}. */
export interface ObjectStoreRuleInputs {
  store: StoreKind;
  /** Namespace of the consumers' claims (filesystem store). */
  namespace: string;
  /**
   * Mimir runs (metricsBackend mimir, in the phases the table gives it): its bucket alerts exist only then, as
   * nothing else emits Mimir's bucket metrics. Default true.
   */
  mimir?: boolean;
}

/** Usable free space under which the store warns, and under which it pages (fractions). */
export const STORE_FREE_WARNING = 0.15;
export const STORE_FREE_CRITICAL = 0.05;

/**
 * The claims a filesystem store keeps its data on: Loki's `storage` (SingleBinary) or `data`
 * (SimpleScalable write/backend) claim templates (loki 6.49.0 templates/single-binary/statefulset.yaml,
 * templates/backend/statefulset-backend.yaml) and Mimir's `data` claim (components/metrics/mimir.ts).
 */
export const STORE_CLAIMS = "(storage|data)-(loki|mimir)(-(write|backend))?-[0-9]+";

/**
 * Alerts on the object store, from each consumer's own client metrics and from the store:
 *
 * - Loki's S3 client: `loki_s3_request_duration_seconds{operation,status_code}`, a histogram whose
 *   status_code is "200" on success and the error's code otherwise (grafana/loki
 *   pkg/storage/chunk/client/aws/s3_storage_client.go `s3RequestDuration`, instrumented through
 *   `instrument.CollectedRequest(..., instrument.ErrorCode, ...)`). Ceph RGW speaks S3 too.
 * - Mimir's bucket client: `thanos_objstore_bucket_operations_total` and
 *   `thanos_objstore_bucket_operation_failures_total` with `component` (blocks, ruler, alertmanager
 *   storage) and `operation` (grafana/mimir pkg/storage/bucket/client.go `bucketWithMetrics`: the
 *   thanos-io/objstore counters under a "thanos_" prefix). Failures exclude "object not found".
 * - MinIO's cluster capacity: `minio_cluster_capacity_usable_free_bytes` and
 *   `minio_cluster_capacity_usable_total_bytes` on /minio/v2/metrics/cluster (minio/minio
 *   cmd/metrics-v2.go), scraped with the least-privilege token the program makes.
 * - A filesystem store: the kubelet's `kubelet_volume_stats_available_bytes` /
 *   `kubelet_volume_stats_capacity_bytes` of the consumers' claims.
 *
 * Ceph RGW's capacity is not covered: the stack does not scrape Ceph (Rook's mgr exports
 * `ceph_cluster_total_bytes`; point your own scraper there).
 */
export function objectStoreRules(opts: ObjectStoreRuleInputs): RuleGroup[] {
  const rules: Rule[] = [];
  const s3 = opts.store !== "filesystem";
  if (s3) {
    rules.push({
      alert: "LokiObjectStoreErrors",
      expr:
        'sum by (job, operation) (rate(loki_s3_request_duration_seconds_count{status_code!~"2..|cancel"}[15m]))' +
        " / sum by (job, operation) (rate(loki_s3_request_duration_seconds_count[15m])) > 0.05",
      for: "15m",
      labels: { severity: "critical" },
      annotations: {
        summary: "{{ $labels.job }}: more than 5% of {{ $labels.operation }} calls to the object store fail.",
        description:
          "{{ $value | humanizePercentage }} of Loki's {{ $labels.operation }} requests fail. Chunks that cannot be flushed stay in the ingesters' WAL until it fills. Check the store's health, its free space and Loki's credentials (loki-s3-credentials).",
      },
    });
  }
  // Only where Mimir runs (see ObjectStoreRuleInputs.mimir).
  if (opts.mimir !== false) {
    rules.push({
      alert: "MimirObjectStoreErrors",
      expr:
        "sum by (job, component, operation) (rate(thanos_objstore_bucket_operation_failures_total[15m]))" +
        " / sum by (job, component, operation) (rate(thanos_objstore_bucket_operations_total[15m])) > 0.05",
      for: "15m",
      labels: { severity: "critical" },
      annotations: {
        summary: "Mimir's {{ $labels.component }} fails {{ $labels.operation }} on the object store.",
        description:
          "{{ $value | humanizePercentage }} of {{ $labels.operation }} operations fail. Blocks that cannot be uploaded stay on the ingester's disk until it fills. Check the store's health, its free space and Mimir's credentials (mimir-s3-credentials).",
      },
    });
  }
  if (opts.store === "minio") {
    const free = "minio_cluster_capacity_usable_free_bytes / minio_cluster_capacity_usable_total_bytes";
    rules.push(
      {
        alert: "MinioFreeSpaceLow",
        expr: `${free} < ${STORE_FREE_WARNING}`,
        for: "30m",
        labels: { severity: "warning" },
        annotations: {
          summary: `MinIO ({{ $labels.instance }}) has less than ${STORE_FREE_WARNING * 100}% usable space left.`,
          description:
            "{{ $value | humanizePercentage }} of the usable capacity is free. Shorten Loki's retention or Mimir's blocksRetention, or add drives, before writes start failing.",
        },
      },
      {
        alert: "MinioFreeSpaceCritical",
        expr: `${free} < ${STORE_FREE_CRITICAL}`,
        for: "5m",
        labels: { severity: "critical" },
        annotations: {
          summary: `MinIO ({{ $labels.instance }}) has less than ${STORE_FREE_CRITICAL * 100}% usable space left.`,
          description:
            "{{ $value | humanizePercentage }} of the usable capacity is free: uploads of chunks and blocks fail soon. Free space now (retention, old buckets, noncurrent versions).",
        },
      },
      {
        alert: "MinioFillingUp",
        expr: `${free} < 0.4 and predict_linear(minio_cluster_capacity_usable_free_bytes[6h], 4 * 24 * 3600) < 0`,
        for: "1h",
        labels: { severity: "warning" },
        annotations: {
          summary: "MinIO ({{ $labels.instance }}) will be full within four days at the current rate.",
          description:
            "Usable free space is {{ $value | humanizePercentage }} and falling. Check what grows (mc du) and the consumers' retention.",
        },
      },
      {
        alert: "MinioCapacityMetricsMissing",
        expr: "absent(minio_cluster_capacity_usable_total_bytes)",
        for: "30m",
        labels: { severity: "warning" },
        annotations: {
          summary: "No capacity metrics from MinIO for 30 minutes: free-space alerts cannot fire.",
          description:
            "The minio-cluster scrape fails or is not configured. Check the ScrapeConfig minio-cluster, the Secret minio-metrics-token and that the metrics user still has the admin:Prometheus policy.",
        },
      },
    );
  }
  if (opts.store === "filesystem") {
    const sel = `namespace="${opts.namespace}",persistentvolumeclaim=~"${STORE_CLAIMS}"`;
    rules.push({
      alert: "StoreVolumeFreeSpaceLow",
      expr: `kubelet_volume_stats_available_bytes{${sel}} / kubelet_volume_stats_capacity_bytes{${sel}} < ${STORE_FREE_WARNING}`,
      for: "30m",
      labels: { severity: "warning" },
      annotations: {
        summary: `Claim {{ $labels.persistentvolumeclaim }} (filesystem object store) has less than ${STORE_FREE_WARNING * 100}% free.`,
        description:
          "{{ $value | humanizePercentage }} free. Logs or blocks on this claim stop being written when it is full: shorten retention or grow the claim.",
      },
    });
  }
  return rules.length > 0 ? [{ name: "object-store", rules }] : [];
}

/** The inotify limits the operators' own notes set on every node (seed 004). */
export const INOTIFY_MIN = { maxUserWatches: 524288, maxUserInstances: 512 } as const;

/**
 * Nodes whose inotify limits are below what log agents and kubelets need ("too many open files").
 * node-exporter's sysctl collector (off by default) exports each included sysctl as
 * `node_sysctl_<name with dots as underscores>` (prometheus/node_exporter collector/sysctl_linux.go
 * `newConstMetric`, `SanitizeMetricName`); builders/metrics/exporterValues.ts turns it on.
 */
export function nodeRules(): RuleGroup[] {
  const limit = (alert: string, sysctl: string, min: number): Rule => ({
    alert,
    expr: `node_sysctl_${sysctl.replace(/\./g, "_")} < ${min}`,
    for: "15m",
    labels: { severity: "warning" },
    annotations: {
      summary: `{{ $labels.instance }}: ${sysctl} is {{ $value }}, below ${min}.`,
      description: `Log agents and kubelets fail with "too many open files" when inotify runs out. Raise ${sysctl} to at least ${min} (docs/how-to/troubleshooting.md, "Raising inotify limits").`,
    },
  });
  return [
    {
      name: "node-inotify",
      rules: [
        limit("NodeInotifyMaxUserWatchesLow", "fs.inotify.max_user_watches", INOTIFY_MIN.maxUserWatches),
        limit(
          "NodeInotifyMaxUserInstancesLow",
          "fs.inotify.max_user_instances",
          INOTIFY_MIN.maxUserInstances,
        ),
      ],
    },
  ];
}

/**
 * Every rule set the program ships, by PrometheusRule name suffix: kube-prometheus-stack's default
 * alerts and recording rules (Watchdog for the heartbeat, TargetDown, node/kubelet/apiserver...)
 * as data rendered from the pinned chart, and the program's own Loki pipeline alerts. The chart's
 * own copy stays off (`defaultRules.create: false`), so each rule exists once and the phase's one
 * evaluator selects all of them by {@link RULE_LABEL}.
 */
export function programRuleSets(opts: {
  namespace: string;
  canary: boolean;
  store: StoreKind;
  /** See {@link ObjectStoreRuleInputs.mimir}. Default true. */
  mimir?: boolean;
  /**
   * The stack's emitters (plan/emitters.ts): kube-prometheus-stack's rules that read what none of
   * them emits are left out (builders/alerting/fitRules.ts). Default: all rules.
   */
  emitters?: readonly string[];
}): Record<string, RuleGroup[]> {
  const sets: Record<string, RuleGroup[]> = {
    "kube-prometheus": kpsDefaultRules(opts.namespace, opts.emitters),
    loki: lokiRules({ canary: opts.canary }),
    nodes: nodeRules(),
  };
  const store = objectStoreRules({ store: opts.store, namespace: opts.namespace, mimir: opts.mimir });
  if (store.length > 0) sets["object-store"] = store;
  return sets;
}

/**
 * One rule set as a PrometheusRule with the program's one rule label: which engine evaluates it is
 * chosen by selectors elsewhere (Prometheus until the backend takes the rules; Mimir's ruler via
 * Alloy, or vmalert via the VictoriaMetrics operator, after), so each rule has one evaluator.
 */
export function prometheusRule(set: string, namespace: string, groups: RuleGroup[]) {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PrometheusRule",
    metadata: {
      name: `homelab-${set}`,
      namespace,
      labels: { [RULE_LABEL.key]: RULE_LABEL.value },
    },
    spec: { groups },
  };
}
