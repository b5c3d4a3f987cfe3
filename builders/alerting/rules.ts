import { kpsDefaultRules } from "../../components/alerting/kpsRules";

/** A Prometheus rule group, as promtool, the Prometheus Operator, Mimir's ruler and vmalert read it. */
export interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
export interface RuleGroup {
  name: string;
  interval?: string;
  rules: Rule[];
}

/** Label on every PrometheusRule we create; the evaluator of the phase selects on it. */
export const RULE_LABEL = { key: "homelab.dev/rules", value: "homelab-observability" } as const;

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

/**
 * Every rule set the program ships, by PrometheusRule name suffix: kube-prometheus-stack's default
 * alerts and recording rules (Watchdog for the heartbeat, TargetDown, node/kubelet/apiserver...)
 * as data rendered from the pinned chart, and the program's own Loki pipeline alerts. The chart's
 * own copy stays off (`defaultRules.create: false`), so each rule exists once and the phase's one
 * evaluator selects all of them by {@link RULE_LABEL}.
 */
export function programRuleSets(opts: { namespace: string; canary: boolean }): Record<string, RuleGroup[]> {
  return {
    "kube-prometheus": kpsDefaultRules(opts.namespace),
    loki: lokiRules({ canary: opts.canary }),
  };
}
