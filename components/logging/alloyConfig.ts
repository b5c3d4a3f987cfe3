/**
 * Alloy configuration builders. Two shapes: a per-node DaemonSet (pod logs from /var/log/pods,
 * the node journal) and one cluster-wide replica (Kubernetes events, and in the later phases
 * ServiceMonitor scraping and PrometheusRule sync to Mimir), so nothing cluster-scoped is
 * collected once per node.
 */

/** Labels every pod log line carries (the seeds' label set). */
export const LOG_LABELS = ["cluster", "namespace", "pod", "container", "app", "job", "stream"] as const;

export interface AlloyLogsInput {
  cluster: string;
  /** Loki push endpoint (`.../loki/api/v1/push`). */
  lokiPushUrl: string;
  /** Tenant header; omitted when Loki runs single-tenant. */
  tenant?: string;
}

export interface AlloyClusterInput extends AlloyLogsInput {
  /** Collect Kubernetes events into Loki. */
  events: boolean;
  /** Scrape ServiceMonitors/PodMonitors and remote_write them (once Prometheus is gone). */
  scrape?: { remoteWriteUrl: string; tenant?: string; replicaLabel: string };
  /** Sync PrometheusRules labelled for us into Mimir's ruler. */
  rules?: { mimirAddress: string; tenant?: string; selector: { key: string; value: string } };
}

const q = (s: string) => JSON.stringify(s);

function block(head: string, lines: string[], indent = ""): string {
  const inner = lines.map((l) =>
    l
      .split("\n")
      .map((x) => `${indent}  ${x}`)
      .join("\n"),
  );
  return `${indent}${head} {\n${inner.join("\n")}\n${indent}}`;
}

function lokiWrite(input: AlloyLogsInput): string {
  const endpoint = [`url = ${q(input.lokiPushUrl)}`];
  if (input.tenant) endpoint.push(`tenant_id = ${q(input.tenant)}`);
  return block('loki.write "default"', [
    block("endpoint", endpoint),
    `external_labels = { cluster = ${q(input.cluster)} }`,
  ]);
}

function relabelRule(sources: string[], target: string, extra: string[] = []): string {
  return block("rule", [
    `source_labels = [${sources.map(q).join(", ")}]`,
    ...extra,
    `target_label = ${q(target)}`,
  ]);
}

/** The DaemonSet's config: this node's pods from /var/log/pods (CRI format) and the journal. */
export function alloyNodeConfig(input: AlloyLogsInput): string {
  const parts = [
    block("logging", ['level = "info"', 'format = "logfmt"']),
    // Only pods scheduled on this node: each DaemonSet replica tails its own node's files.
    block('discovery.kubernetes "pods"', [
      'role = "pod"',
      block("selectors", ['role = "pod"', 'field = "spec.nodeName=" + sys.env("HOSTNAME")']),
    ]),
    block('discovery.relabel "pod_logs"', [
      "targets = discovery.kubernetes.pods.targets",
      relabelRule(["__meta_kubernetes_namespace"], "namespace"),
      relabelRule(["__meta_kubernetes_pod_name"], "pod"),
      relabelRule(["__meta_kubernetes_pod_container_name"], "container"),
      relabelRule(["__meta_kubernetes_pod_label_app_kubernetes_io_name"], "app"),
      relabelRule(["__meta_kubernetes_namespace", "__meta_kubernetes_pod_container_name"], "job", [
        'separator = "/"',
      ]),
      relabelRule(["__meta_kubernetes_pod_uid", "__meta_kubernetes_pod_container_name"], "__path__", [
        'separator = "/"',
        'replacement = "/var/log/pods/*$1/*.log"',
      ]),
    ]),
    block('local.file_match "pod_logs"', ["path_targets = discovery.relabel.pod_logs.output"]),
    block('loki.source.file "pod_logs"', [
      "targets = local.file_match.pod_logs.targets",
      "forward_to = [loki.process.pod_logs.receiver]",
    ]),
    // stage.cri parses the containerd log format and turns its stream field into the stream label.
    block('loki.process "pod_logs"', [
      "stage.cri {}",
      block("stage.labels", ['values = { stream = "" }']),
      "forward_to = [loki.write.default.receiver]",
    ]),
    block('loki.relabel "journal"', [
      "forward_to = []",
      relabelRule(["__journal__systemd_unit"], "unit"),
      relabelRule(["__journal_priority_keyword"], "level"),
    ]),
    block('loki.source.journal "node"', [
      'path = "/var/log/journal"',
      'max_age = "12h"',
      "relabel_rules = loki.relabel.journal.rules",
      'labels = { job = "node/journal", node = sys.env("HOSTNAME") }',
      "forward_to = [loki.write.default.receiver]",
    ]),
    lokiWrite(input),
  ];
  return parts.join("\n\n") + "\n";
}

/** The single cluster-wide replica: events, and (later phases) scraping and rule sync. */
export function alloyClusterConfig(input: AlloyClusterInput): string {
  const parts = [block("logging", ['level = "info"', 'format = "logfmt"'])];
  if (input.events) {
    parts.push(
      block('loki.source.kubernetes_events "cluster"', [
        'job_name = "integrations/kubernetes/eventhandler"',
        'log_format = "logfmt"',
        "forward_to = [loki.write.default.receiver]",
      ]),
      lokiWrite(input),
    );
  }
  if (input.scrape) {
    const s = input.scrape;
    const endpoint = [`url = ${q(s.remoteWriteUrl)}`];
    if (s.tenant) endpoint.push(`headers = { "X-Scope-OrgID" = ${q(s.tenant)} }`);
    endpoint.push(
      block("queue_config", ["capacity = 10000", "max_shards = 10", "max_samples_per_send = 2000"]),
    );
    parts.push(
      block('prometheus.operator.servicemonitors "all"', [
        "forward_to = [prometheus.remote_write.backend.receiver]",
      ]),
      block('prometheus.operator.podmonitors "all"', [
        "forward_to = [prometheus.remote_write.backend.receiver]",
      ]),
      block('prometheus.remote_write "backend"', [
        block("endpoint", endpoint),
        `external_labels = { cluster = ${q(input.cluster)}, ${q(s.replicaLabel)} = sys.env("HOSTNAME") }`,
      ]),
    );
  }
  if (input.rules) {
    const r = input.rules;
    const args = [`address = ${q(r.mimirAddress)}`];
    if (r.tenant) args.push(`tenant_id = ${q(r.tenant)}`);
    args.push(
      block("rule_selector", [block("match_labels", [`${q(r.selector.key)} = ${q(r.selector.value)}`])]),
    );
    parts.push(block('mimir.rules.kubernetes "homelab"', args));
  }
  return parts.join("\n\n") + "\n";
}
