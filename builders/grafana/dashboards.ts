import type { Backend, LogAgent } from "../../model/phases";
/**
 * The dashboards Grafana provisions from the program itself (never downloaded by the pod): small
 * but real, written for the metric and label names this stack produces (the kube-prometheus
 * recording rules it ships, job="node-exporter", job="kubelet" with metrics_path, Loki's and the
 * agents' own metrics). Panels name datasources only by the stable uids of datasources.ts, so
 * they keep working across the backend flip.
 */
import { LOKI_UID, METRICS_UID } from "./datasources";

export interface DashboardInputs {
  backend: Backend;
  logAgent: LogAgent;
  /** The metrics backend exists (caps.backend). */
  backendUp: boolean;
  /**
   * The components that emit metrics in this stack (plan/emitters.ts, the `present_when` keys of
   * upstream/metrics/data/emitted-metrics.tsv): a panel that needs one the stack lacks is left out,
   * and the community dashboards are fitted to the same list.
   */
  emitters: readonly string[];
}

const METRICS = { type: "prometheus", uid: METRICS_UID } as const;
const LOGS = { type: "loki", uid: LOKI_UID } as const;

type Unit = "short" | "percentunit" | "bytes" | "Bps" | "s" | "reqps";

interface PanelSpec {
  title: string;
  exprs: string[];
  unit?: Unit;
  /** Loki (LogQL) instead of metrics. */
  logs?: boolean;
  /** Legend template, e.g. "{{instance}}". */
  legend?: string;
  /** Emitters (any of) whose metrics it reads beyond the dashboard's own subject; default none. */
  needs?: string[];
}

function dashboard(
  uid: string,
  title: string,
  specs: PanelSpec[],
  tags: string[] = [],
  emitters?: readonly string[],
): Record<string, any> {
  const panels = specs.filter((p) => !p.needs || !emitters || p.needs.some((e) => emitters.includes(e)));
  return {
    uid,
    title,
    tags: ["homelab", ...tags],
    schemaVersion: 39,
    editable: false,
    time: { from: "now-6h", to: "now" },
    refresh: "1m",
    panels: panels.map((p, i) => {
      const ds = p.logs ? LOGS : METRICS;
      return {
        id: i + 1,
        title: p.title,
        type: "timeseries",
        datasource: ds,
        gridPos: { h: 8, w: 12, x: (i % 2) * 12, y: Math.floor(i / 2) * 8 },
        fieldConfig: { defaults: { unit: p.unit ?? "short" }, overrides: [] },
        targets: p.exprs.map((expr, j) => ({
          refId: String.fromCharCode(65 + j),
          datasource: ds,
          expr,
          ...(p.legend ? { legendFormat: p.legend } : {}),
        })),
      };
    }),
  };
}

/** Loki itself: ingestion, request errors and latency, retention, canary. */
export function lokiDashboard(emitters?: readonly string[]): Record<string, any> {
  const push = 'route=~"loki_api_v1_push|api_prom_push"';
  return dashboard(
    "homelab-loki",
    "Loki",
    [
      { title: "Lines received / s", exprs: ["sum(rate(loki_distributor_lines_received_total[5m]))"] },
      {
        title: "Bytes received / s",
        exprs: ["sum(rate(loki_distributor_bytes_received_total[5m]))"],
        unit: "Bps",
      },
      {
        title: "Push 5xx ratio",
        exprs: [
          `sum(rate(loki_request_duration_seconds_count{${push},status_code=~"5.."}[5m])) / sum(rate(loki_request_duration_seconds_count{${push}}[5m]))`,
        ],
        unit: "percentunit",
      },
      {
        title: "Request latency p99 by route",
        exprs: [
          "histogram_quantile(0.99, sum by (le, route) (rate(loki_request_duration_seconds_bucket[5m])))",
        ],
        unit: "s",
        legend: "{{route}}",
      },
      {
        title: "Since the last retention run",
        exprs: ["time() - max(loki_compactor_apply_retention_last_successful_run_timestamp_seconds)"],
        unit: "s",
      },
      {
        title: "Canary missing entries (15m)",
        exprs: ["sum(increase(loki_canary_missing_entries_total[15m]))"],
        needs: ["loki-canary"],
      },
      {
        title: "Log lines by namespace / s",
        exprs: ['sum by (namespace) (rate({namespace=~".+"}[5m]))'],
        logs: true,
        legend: "{{namespace}}",
      },
    ],
    ["loki"],
    emitters,
  );
}

/** Nodes: the node-exporter recording rules kube-prometheus ships, disk and network. */
export function nodeDashboard(): Record<string, any> {
  return dashboard(
    "homelab-nodes",
    "Nodes (node-exporter)",
    [
      {
        title: "CPU utilisation",
        exprs: ["instance:node_cpu_utilisation:rate5m"],
        unit: "percentunit",
        legend: "{{instance}}",
      },
      {
        title: "Memory utilisation",
        exprs: ["instance:node_memory_utilisation:ratio"],
        unit: "percentunit",
        legend: "{{instance}}",
      },
      { title: "Load (1m) per CPU", exprs: ["instance:node_load1_per_cpu:ratio"], legend: "{{instance}}" },
      {
        title: "Filesystem space used",
        exprs: [
          '1 - node_filesystem_avail_bytes{job="node-exporter",fstype!=""} / node_filesystem_size_bytes{job="node-exporter",fstype!=""}',
        ],
        unit: "percentunit",
        legend: "{{instance}} {{mountpoint}}",
      },
      {
        title: "Network received / transmitted",
        exprs: [
          "instance:node_network_receive_bytes_excluding_lo:rate5m",
          "instance:node_network_transmit_bytes_excluding_lo:rate5m",
        ],
        unit: "Bps",
        legend: "{{instance}}",
      },
      {
        title: "Disk IO time",
        exprs: ["instance_device:node_disk_io_time_seconds:rate5m"],
        unit: "percentunit",
        legend: "{{instance}} {{device}}",
      },
    ],
    ["node-exporter"],
  );
}

/** Kubernetes compute resources by namespace: kube-prometheus's recording rules over cAdvisor and kube-state-metrics. */
export function computeDashboard(): Record<string, any> {
  return dashboard(
    "homelab-k8s-compute",
    "Kubernetes / Compute resources",
    [
      {
        title: "CPU usage by namespace",
        exprs: [
          "sum by (namespace) (node_namespace_pod_container:container_cpu_usage_seconds_total:sum_irate)",
        ],
        legend: "{{namespace}}",
      },
      {
        title: "Memory working set by namespace",
        exprs: [
          'sum by (namespace) (node_namespace_pod_container:container_memory_working_set_bytes{container!=""})',
        ],
        unit: "bytes",
        legend: "{{namespace}}",
      },
      {
        title: "CPU requests vs usage",
        exprs: [
          "sum(namespace_cpu:kube_pod_container_resource_requests:sum)",
          "sum(node_namespace_pod_container:container_cpu_usage_seconds_total:sum_irate)",
        ],
      },
      {
        title: "Memory requests vs working set",
        exprs: [
          "sum(namespace_memory:kube_pod_container_resource_requests:sum)",
          'sum(node_namespace_pod_container:container_memory_working_set_bytes{container!=""})',
        ],
        unit: "bytes",
      },
      {
        title: "Container restarts (1h)",
        exprs: [
          'sum by (namespace) (increase(kube_pod_container_status_restarts_total{job="kube-state-metrics"}[1h]))',
        ],
        legend: "{{namespace}}",
      },
      {
        title: "Volume space used",
        exprs: [
          'kubelet_volume_stats_used_bytes{job="kubelet"} / kubelet_volume_stats_capacity_bytes{job="kubelet"}',
        ],
        unit: "percentunit",
        legend: "{{namespace}}/{{persistentvolumeclaim}}",
      },
    ],
    ["kubernetes"],
  );
}

/** The metrics backend's own health. */
export function backendDashboard(
  backend: DashboardInputs["backend"],
  emitters?: readonly string[],
): Record<string, any> {
  if (backend === "mimir")
    return dashboard(
      "homelab-metrics-backend",
      "Metrics backend (Mimir)",
      [
        {
          title: "Samples received / s",
          exprs: ["sum(rate(cortex_distributor_received_samples_total[5m]))"],
        },
        { title: "In-memory series", exprs: ["sum(cortex_ingester_memory_series)"] },
        {
          title: "Push request errors / s",
          exprs: [
            'sum by (status_code) (rate(cortex_request_duration_seconds_count{route=~"api_v1_push|otlp_v1_metrics",status_code!~"2.."}[5m]))',
          ],
          unit: "reqps",
          legend: "{{status_code}}",
        },
        {
          title: "Rule evaluation failures / s",
          exprs: ["sum(rate(cortex_prometheus_rule_evaluation_failures_total[5m]))"],
          // The ruler's per-tenant metrics exist only while it evaluates rules.
          needs: ["mimir-ruler"],
        },
        {
          title: "Since the last successful compaction",
          exprs: ["time() - max(cortex_compactor_last_successful_run_timestamp_seconds)"],
          unit: "s",
        },
        {
          title: "Discarded samples / s by reason",
          exprs: ["sum by (reason) (rate(cortex_discarded_samples_total[5m]))"],
          legend: "{{reason}}",
        },
      ],
      ["mimir"],
      emitters,
    );
  return dashboard(
    "homelab-metrics-backend",
    "Metrics backend (VictoriaMetrics)",
    [
      { title: "Rows inserted / s", exprs: ["sum(rate(vm_rows_inserted_total[5m]))"] },
      { title: "Active time series", exprs: ['sum(vm_cache_entries{type="storage/hour_metric_ids"})'] },
      { title: "Free disk space", exprs: ["min(vm_free_disk_space_bytes)"], unit: "bytes" },
      {
        title: "vmagent remote-write pending bytes",
        exprs: ["sum(vmagent_remotewrite_pending_data_bytes)"],
        unit: "bytes",
        needs: ["vmagent"],
      },
      {
        title: "vmalert rule errors / s",
        exprs: [
          "sum(rate(vmalert_alerting_rules_errors_total[5m]) + rate(vmalert_recording_rules_errors_total[5m]))",
        ],
        needs: ["vmalert"],
      },
      { title: "Alerts firing (vmalert)", exprs: ["sum(vmalert_alerts_firing)"], needs: ["vmalert"] },
    ],
    ["victoriametrics"],
    emitters,
  );
}

/** The log agent's own health. */
export function logAgentDashboard(
  agent: DashboardInputs["logAgent"],
  emitters?: readonly string[],
): Record<string, any> {
  if (agent === "alloy")
    return dashboard(
      "homelab-log-agent",
      "Log agent (Alloy)",
      [
        {
          title: "Entries sent to Loki / s",
          exprs: ["sum by (instance) (rate(loki_write_sent_entries_total[5m]))"],
          legend: "{{instance}}",
        },
        {
          title: "Bytes sent / s",
          exprs: ["sum by (instance) (rate(loki_write_sent_bytes_total[5m]))"],
          unit: "Bps",
          legend: "{{instance}}",
        },
        {
          title: "Entries dropped / s",
          exprs: ["sum by (instance, reason) (rate(loki_write_dropped_entries_total[5m]))"],
          legend: "{{instance}} {{reason}}",
        },
        {
          title: "Files tailed",
          exprs: ["sum by (instance) (loki_source_file_files_active_total)"],
          legend: "{{instance}}",
        },
        {
          title: "Unhealthy components",
          exprs: [
            'sum by (instance) (alloy_component_controller_running_components{health_type!="healthy"})',
          ],
          legend: "{{instance}}",
        },
        {
          title: "Remote write samples pending",
          exprs: ["sum(prometheus_remote_storage_samples_pending)"],
          needs: ["prometheus-remote-write", "alloy-remote-write"],
        },
      ],
      ["alloy"],
      emitters,
    );
  return dashboard(
    "homelab-log-agent",
    "Log agent (Vector)",
    [
      {
        title: "Events sent to Loki / s",
        // Loki's sinks only: the prometheus_exporter sink serving these metrics is a sink too.
        exprs: [
          'sum by (host) (rate(vector_component_sent_events_total{component_kind="sink",component_type="loki"}[5m]))',
        ],
        legend: "{{host}}",
      },
      {
        title: "Events received / s by source",
        exprs: [
          'sum by (component_id) (rate(vector_component_received_events_total{component_kind="source"}[5m]))',
        ],
        legend: "{{component_id}}",
      },
      {
        title: "Component errors / s",
        exprs: ["sum by (component_id) (rate(vector_component_errors_total[5m]))"],
        legend: "{{component_id}}",
      },
      {
        title: "Disk buffer bytes",
        // vector_buffer_byte_size is deprecated at 0.56.0 (lib/vector-buffers/src/internal_events.rs).
        exprs: ["sum by (host) (vector_buffer_size_bytes)"],
        unit: "bytes",
        legend: "{{host}}",
      },
      {
        title: "Events discarded / s",
        exprs: ["sum by (component_id) (rate(vector_component_discarded_events_total[5m]))"],
        legend: "{{component_id}}",
      },
    ],
    ["vector"],
    emitters,
  );
}

/** One page: targets up, firing alerts, log and sample ingestion, recent errors in the logs. */
export function overviewDashboard(): Record<string, any> {
  return dashboard(
    "homelab-overview",
    "Stack overview",
    [
      { title: "Targets down by job", exprs: ["count by (job) (up == 0)"], legend: "{{job}}" },
      {
        title: "Alerts firing by severity",
        exprs: ['count by (severity) (ALERTS{alertstate="firing"})'],
        legend: "{{severity}}",
      },
      { title: "Log lines ingested / s", exprs: ["sum(rate(loki_distributor_lines_received_total[5m]))"] },
      {
        title: "Scrape samples / s by job",
        exprs: ["sum by (job) (rate(scrape_samples_scraped[5m]))"],
        legend: "{{job}}",
      },
      {
        title: "Error lines / min by namespace",
        exprs: ['sum by (namespace) (count_over_time({namespace=~".+"} |~ "(?i)error" [1m]))'],
        logs: true,
        legend: "{{namespace}}",
      },
      {
        title: "Node CPU utilisation",
        exprs: ["instance:node_cpu_utilisation:rate5m"],
        unit: "percentunit",
        legend: "{{instance}}",
      },
    ],
    ["overview"],
  );
}

/** Every dashboard a phase provisions, by file name (the chart's `dashboards.homelab` keys). */
export function dashboardsFor(input: DashboardInputs): Record<string, Record<string, any>> {
  return {
    overview: overviewDashboard(),
    loki: lokiDashboard(input.emitters),
    nodes: nodeDashboard(),
    "kubernetes-compute": computeDashboard(),
    "log-agent": logAgentDashboard(input.logAgent, input.emitters),
    ...(input.backendUp ? { "metrics-backend": backendDashboard(input.backend, input.emitters) } : {}),
  };
}
