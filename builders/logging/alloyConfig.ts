/**
 * Alloy configuration builders. Two shapes: a per-node DaemonSet (pod logs from /var/log/pods,
 * the node journal) and one cluster-wide replica (Kubernetes events, and in the later phases
 * ServiceMonitor scraping and PrometheusRule sync to Mimir), so nothing cluster-scoped is
 * collected once per node.
 */

import { componentNeeds, type ApiNeed } from "../../upstream/alloy/apiNeeds";
import { describeErrors, parseAlloy, type Block } from "../../upstream/alloy/syntax";
import { MINIO_METRICS_JOB, MINIO_METRICS_SECRET, type MinioScrape } from "../objectstore/minioMetrics";

/** Labels every pod log line carries (the seeds' label set). */
export const LOG_LABELS = ["cluster", "namespace", "pod", "container", "app", "job", "stream"] as const;

export interface AlloyLogsInput {
  cluster: string;
  /** Host logs: the journal and/or plain syslog files. Default: the journal only. */
  nodeLogs?: { journal: boolean; syslogFiles: string[] };
  /** Loki push endpoint (`.../loki/api/v1/push`). */
  lokiPushUrl: string;
  /** Tenant header; omitted when Loki runs single-tenant. */
  tenant?: string;
}

export interface AlloyClusterInput extends AlloyLogsInput {
  /** Collect Kubernetes events into Loki. */
  events: boolean;
  /** Scrape ServiceMonitors/PodMonitors and remote_write them (once Prometheus is gone). */
  scrape?: {
    remoteWriteUrl: string;
    tenant?: string;
    replicaLabel: string;
    /**
     * MinIO's cluster metrics. Prometheus and vmagent read the program's ScrapeConfig; Alloy's
     * reader of ScrapeConfigs is experimental, so the same scrape is written out here with the
     * token from the same Secret. Default: none.
     */
    minio?: MinioScrape & { secretNamespace: string };
  };
  /**
   * Sync every PrometheusRule of the cluster into Mimir's ruler but those carrying `optOut`
   * (every namespace: no rule_namespace_selector, which Alloy reads as all).
   */
  rules?: { mimirAddress: string; tenant?: string; optOut: { key: string; value: string } };
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

/**
 * One component a config declares: its name, label and argument lines. The configs are lists of
 * these, rendered in order ({@link renderAlloy}); the RBAC comes from the same list
 * ({@link alloyRbac}), so every declared component, and only those, gets its grants.
 */
export interface AlloyDeclaration {
  component: string;
  label?: string;
  args: string[];
}

const declare = (component: string, label: string | undefined, args: string[]): AlloyDeclaration => ({
  component,
  ...(label === undefined ? {} : { label }),
  args,
});

const headOf = (d: AlloyDeclaration) =>
  d.label === undefined ? d.component : `${d.component} ${q(d.label)}`;

/** The config text of a list of declarations. */
export function renderAlloy(declarations: AlloyDeclaration[]): string {
  return declarations.map((d) => block(headOf(d), d.args)).join("\n\n") + "\n";
}

function lokiWrite(input: AlloyLogsInput): AlloyDeclaration {
  const endpoint = [`url = ${q(input.lokiPushUrl)}`];
  if (input.tenant) endpoint.push(`tenant_id = ${q(input.tenant)}`);
  return declare("loki.write", "default", [
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

/**
 * Host logs: the journal (its cursor is kept under Alloy's storage path, which lives on the host,
 * so a restart resumes), and plain syslog files for hosts without one, read from the end the first
 * time (positions file afterwards) so an old file is not replayed into Loki.
 */
function nodeLogBlocks(n: { journal: boolean; syslogFiles: string[] }): AlloyDeclaration[] {
  const out: AlloyDeclaration[] = [];
  if (n.journal)
    out.push(
      declare("loki.relabel", "journal", [
        "forward_to = []",
        relabelRule(["__journal__systemd_unit"], "unit"),
        relabelRule(["__journal_priority_keyword"], "level"),
      ]),
      declare("loki.source.journal", "node", [
        'path = "/var/log/journal"',
        'max_age = "12h"',
        "relabel_rules = loki.relabel.journal.rules",
        'labels = { job = "node/journal", node = sys.env("HOSTNAME") }',
        "forward_to = [loki.write.default.receiver]",
      ]),
    );
  if (n.syslogFiles.length > 0)
    out.push(
      declare("local.file_match", "syslog", [
        `path_targets = [${n.syslogFiles
          .map((f) => `{ __path__ = ${q(f)}, job = "node/syslog", node = sys.env("HOSTNAME") }`)
          .join(", ")}]`,
      ]),
      declare("loki.source.file", "syslog", [
        "targets = local.file_match.syslog.targets",
        "tail_from_end = true",
        "forward_to = [loki.write.default.receiver]",
      ]),
    );
  return out;
}

/** The DaemonSet's components: this node's pods from /var/log/pods (CRI format) and the journal. */
export function alloyNodeDeclarations(input: AlloyLogsInput): AlloyDeclaration[] {
  return [
    declare("logging", undefined, ['level = "info"', 'format = "logfmt"']),
    // Only pods scheduled on this node: each DaemonSet replica tails its own node's files.
    declare("discovery.kubernetes", "pods", [
      'role = "pod"',
      block("selectors", ['role = "pod"', 'field = "spec.nodeName=" + sys.env("HOSTNAME")']),
    ]),
    declare("discovery.relabel", "pod_logs", [
      "targets = discovery.kubernetes.pods.targets",
      relabelRule(["__meta_kubernetes_namespace"], "namespace"),
      relabelRule(["__meta_kubernetes_pod_name"], "pod"),
      relabelRule(["__meta_kubernetes_pod_container_name"], "container"),
      relabelRule(["__meta_kubernetes_pod_label_app_kubernetes_io_name"], "app"),
      relabelRule(["__meta_kubernetes_namespace", "__meta_kubernetes_pod_container_name"], "job", [
        'separator = "/"',
      ]),
      // Seed 004's container_runtime: the scheme of the container ID (containerd://, docker://, cri-o://).
      relabelRule(["__meta_kubernetes_pod_container_id"], "container_runtime", [
        'regex = "^(\\\\S+?)://.+$"',
        'replacement = "$1"',
      ]),
      relabelRule(["__meta_kubernetes_pod_uid", "__meta_kubernetes_pod_container_name"], "__path__", [
        'separator = "/"',
        'replacement = "/var/log/pods/*$1/*.log"',
      ]),
    ]),
    declare("local.file_match", "pod_logs", ["path_targets = discovery.relabel.pod_logs.output"]),
    declare("loki.source.file", "pod_logs", [
      "targets = local.file_match.pod_logs.targets",
      "forward_to = [loki.process.pod_logs.receiver]",
    ]),
    // stage.cri parses the containerd log format and turns its stream field into the stream label.
    declare("loki.process", "pod_logs", [
      "stage.cri {}",
      block("stage.labels", ['values = { stream = "" }']),
      "forward_to = [loki.write.default.receiver]",
    ]),
    ...nodeLogBlocks(input.nodeLogs ?? { journal: true, syslogFiles: [] }),
    lokiWrite(input),
  ];
}

/** The DaemonSet's config: {@link alloyNodeDeclarations} rendered. */
export function alloyNodeConfig(input: AlloyLogsInput): string {
  return renderAlloy(alloyNodeDeclarations(input));
}

const SA = "/var/run/secrets/kubernetes.io/serviceaccount";

/**
 * What kube-prometheus-stack's ServiceMonitors scraped that has no ServiceMonitor once KPS is gone
 * (the prometheus-operator kept the kubelet's Service up to date; KPS rendered the control-plane
 * Services): the kubelet's /metrics, /metrics/cadvisor and /metrics/probes, the API server,
 * CoreDNS, the scheduler, the controller manager, etcd and kube-proxy. Same `job` (and the
 * kubelet's `metrics_path`) as KPS gave them, so the shipped kube-prometheus rules keep matching.
 * The ports are KPS 88's defaults (values.yaml kubeControllerManager/kubeScheduler/kubeEtcd/
 * kubeProxy/coreDns service ports).
 */
export const KUBE_SCRAPES: {
  job: string;
  /** Kubernetes discovery role and, for pods and endpoints, where and which. */
  role: "node" | "pod" | "endpoints";
  namespace?: string;
  selector?: { label?: string; field?: string };
  port?: number;
  scheme: "http" | "https";
  path?: string;
}[] = [
  { job: "kubelet", role: "node", scheme: "https", path: "/metrics" },
  { job: "kubelet", role: "node", scheme: "https", path: "/metrics/cadvisor" },
  { job: "kubelet", role: "node", scheme: "https", path: "/metrics/probes" },
  {
    job: "apiserver",
    role: "endpoints",
    namespace: "default",
    selector: { field: "metadata.name=kubernetes" },
    scheme: "https",
  },
  {
    job: "coredns",
    role: "pod",
    namespace: "kube-system",
    selector: { label: "k8s-app=kube-dns" },
    port: 9153,
    scheme: "http",
  },
  {
    job: "kube-scheduler",
    role: "pod",
    namespace: "kube-system",
    selector: { label: "component=kube-scheduler" },
    port: 10259,
    scheme: "https",
  },
  {
    job: "kube-controller-manager",
    role: "pod",
    namespace: "kube-system",
    selector: { label: "component=kube-controller-manager" },
    port: 10257,
    scheme: "https",
  },
  {
    job: "kube-etcd",
    role: "pod",
    namespace: "kube-system",
    selector: { label: "component=etcd" },
    port: 2381,
    scheme: "http",
  },
  {
    job: "kube-proxy",
    role: "pod",
    namespace: "kube-system",
    selector: { label: "k8s-app=kube-proxy" },
    port: 10249,
    scheme: "http",
  },
];

/** Alloy blocks scraping {@link KUBE_SCRAPES} into `forwardTo`. */
function kubeScrapeBlocks(forwardTo: string): AlloyDeclaration[] {
  return KUBE_SCRAPES.flatMap((k) => {
    const id = `${k.job}${k.path && k.path !== "/metrics" ? k.path.replace(/\//g, "_") : ""}`.replace(
      /-/g,
      "_",
    );
    const discovery = [`role = ${q(k.role)}`];
    if (k.namespace) discovery.push(block("namespaces", [`names = [${q(k.namespace)}]`]));
    if (k.selector)
      discovery.push(
        block("selectors", [
          `role = ${q(k.role)}`,
          ...(k.selector.label ? [`label = ${q(k.selector.label)}`] : []),
          ...(k.selector.field ? [`field = ${q(k.selector.field)}`] : []),
        ]),
      );
    const rules: string[] = [];
    if (k.port !== undefined)
      rules.push(
        block("rule", [
          'source_labels = ["__meta_kubernetes_pod_ip"]',
          `replacement = "$1:${k.port}"`,
          'target_label = "__address__"',
        ]),
      );
    if (k.role === "endpoints")
      rules.push(
        block("rule", [
          'source_labels = ["__meta_kubernetes_endpoint_port_name"]',
          'regex = "https"',
          'action = "keep"',
        ]),
      );
    if (k.role === "node")
      rules.push(
        relabelRule(["__meta_kubernetes_node_name"], "node"),
        block("rule", [`replacement = ${q(k.path!)}`, 'target_label = "metrics_path"']),
      );
    if (k.role === "pod")
      rules.push(
        relabelRule(["__meta_kubernetes_pod_name"], "pod"),
        relabelRule(["__meta_kubernetes_namespace"], "namespace"),
      );
    const scrape = [
      `targets = discovery.relabel.${id}.output`,
      `job_name = ${q(k.job)}`,
      `scheme = ${q(k.scheme)}`,
      ...(k.path ? [`metrics_path = ${q(k.path)}`] : []),
      ...(k.scheme === "https"
        ? [
            `bearer_token_file = ${q(`${SA}/token`)}`,
            // Kubelets and the control plane serve self-signed certificates in most homelabs.
            block("tls_config", [`ca_file = ${q(`${SA}/ca.crt`)}`, "insecure_skip_verify = true"]),
          ]
        : []),
      ...(k.role === "node" ? ["honor_labels = true"] : []),
      `forward_to = [${forwardTo}]`,
    ];
    return [
      declare("discovery.kubernetes", id, discovery),
      declare("discovery.relabel", id, [`targets = discovery.kubernetes.${id}.targets`, ...rules]),
      declare("prometheus.scrape", id, scrape),
    ];
  });
}

/** Alloy blocks scraping MinIO's cluster metrics with the bearer token from its Secret. */
function minioScrapeBlocks(
  m: MinioScrape & { secretNamespace: string },
  forwardTo: string,
): AlloyDeclaration[] {
  return [
    declare("remote.kubernetes.secret", "minio_metrics", [
      `namespace = ${q(m.secretNamespace)}`,
      `name = ${q(MINIO_METRICS_SECRET.name)}`,
    ]),
    declare("prometheus.scrape", "minio_cluster", [
      `targets = [{ __address__ = ${q(m.target)} }]`,
      `job_name = ${q(MINIO_METRICS_JOB)}`,
      `scheme = ${q(m.scheme)}`,
      `metrics_path = ${q(m.path)}`,
      block("authorization", [
        'type = "Bearer"',
        `credentials = remote.kubernetes.secret.minio_metrics.data[${q(MINIO_METRICS_SECRET.key)}]`,
      ]),
      `forward_to = [${forwardTo}]`,
    ]),
  ];
}

/** The single cluster-wide replica's components: events, and (later phases) scraping and rule sync. */
export function alloyClusterDeclarations(input: AlloyClusterInput): AlloyDeclaration[] {
  const parts = [declare("logging", undefined, ['level = "info"', 'format = "logfmt"'])];
  if (input.events) {
    parts.push(
      declare("loki.source.kubernetes_events", "cluster", [
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
      declare("prometheus.operator.servicemonitors", "all", [
        "forward_to = [prometheus.remote_write.backend.receiver]",
      ]),
      declare("prometheus.operator.podmonitors", "all", [
        "forward_to = [prometheus.remote_write.backend.receiver]",
      ]),
      ...kubeScrapeBlocks("prometheus.remote_write.backend.receiver"),
      ...(s.minio ? minioScrapeBlocks(s.minio, "prometheus.remote_write.backend.receiver") : []),
      declare("prometheus.remote_write", "backend", [
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
      // Alloy v1.12.0 reads an absent selector block as an empty one, every object
      // (internal/component/mimir/rules/kubernetes/types.go, common/kubernetes/rules.go): only the
      // opt-out is written; `NotIn` holds for a rule without the label.
      block("rule_selector", [
        block("match_expression", [
          `key = ${q(r.optOut.key)}`,
          `operator = "NotIn"`,
          `values = [${q(r.optOut.value)}]`,
        ]),
      ]),
    );
    parts.push(declare("mimir.rules.kubernetes", "homelab", args));
  }
  return parts;
}

/** The cluster replica's config: {@link alloyClusterDeclarations} rendered. */
export function alloyClusterConfig(input: AlloyClusterInput): string {
  return renderAlloy(alloyClusterDeclarations(input));
}

/** An RBAC rule as the Alloy chart's `rbac.rules` / `rbac.clusterRules` take it. */
export interface RbacRule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
  verbs: string[];
}

/** What one Alloy's ServiceAccount is granted: a ClusterRole's rules and namespaced Roles' rules. */
export interface AlloyRbac {
  clusterRules: RbacRule[];
  /** Namespaced grants (a named Secret's `get`), one Role and RoleBinding per namespace. */
  roles: { namespace: string; rules: RbacRule[] }[];
}

const key = (...parts: (string | undefined)[]) => JSON.stringify(parts);

/** The API calls of one declaration, from the table (upstream/alloy/apiNeeds.ts). */
function declarationNeeds(d: AlloyDeclaration): ApiNeed[] {
  // The table reads a component's arguments as Alloy syntax, as the rendered-object check does.
  const parsed = parseAlloy(renderAlloy([d]));
  if (parsed.errors.length > 0)
    throw new Error(`alloyRbac: ${headOf(d)} does not parse: ${describeErrors(parsed.errors)}`);
  return componentNeeds(parsed.body[0] as Block);
}

/**
 * The RBAC a list of declarations needs, from the table (upstream/alloy/apiNeeds.ts) for exactly
 * those components: cluster-wide calls become ClusterRole rules; a call limited to a namespace is
 * covered by a cluster-wide grant of the same call, else it becomes a Role rule in that namespace;
 * a call that names one object (a Secret's `get`) is a Role rule with `resourceNames`, never a
 * cluster-wide read.
 */
export function alloyRbac(declarations: AlloyDeclaration[]): AlloyRbac {
  const needs = declarations.flatMap(declarationNeeds);
  const wide = new Set(
    needs.filter((n) => n.namespace === undefined).map((n) => key(n.apiGroup, n.resource, n.verb)),
  );
  // (group, resource, names) -> verbs, so a rule lists every verb of one kind of object.
  const collect = (into: Map<string, RbacRule>, n: ApiNeed) => {
    const k = key(n.apiGroup, n.resource, n.nonResourceURL, n.name);
    const rule =
      into.get(k) ??
      (n.nonResourceURL !== undefined
        ? { nonResourceURLs: [n.nonResourceURL], verbs: [] }
        : {
            apiGroups: [n.apiGroup ?? ""],
            resources: [n.resource!],
            ...(n.name ? { resourceNames: [n.name] } : {}),
            verbs: [],
          });
    if (!rule.verbs.includes(n.verb)) rule.verbs.push(n.verb);
    into.set(k, rule);
  };
  const cluster = new Map<string, RbacRule>();
  const namespaced = new Map<string, Map<string, RbacRule>>();
  for (const n of needs) {
    if (n.namespace === undefined) collect(cluster, n);
    else if (n.name !== undefined || !wide.has(key(n.apiGroup, n.resource, n.verb))) {
      const m = namespaced.get(n.namespace) ?? new Map<string, RbacRule>();
      collect(m, n);
      namespaced.set(n.namespace, m);
    }
  }
  return {
    clusterRules: [...cluster.values()],
    roles: [...namespaced].map(([namespace, rules]) => ({ namespace, rules: [...rules.values()] })),
  };
}

/**
 * The Roles and RoleBindings of {@link AlloyRbac.roles} as the Alloy chart's `extraObjects` (the
 * chart renders them through `tpl`, alloy 1.5.0 templates/extra-manifests.yaml, so the subject is
 * the chart's own ServiceAccount name and namespace). The chart's `rbac.namespaces` would turn every
 * rule into a namespaced Role, cluster-wide discovery included, so the Roles live beside it.
 */
export function alloyRoleObjects(release: string, roles: AlloyRbac["roles"]): Record<string, unknown>[] {
  return roles.flatMap(({ namespace, rules }) => {
    const metadata = { name: `${release}-reads`, namespace };
    return [
      { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata, rules },
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata,
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: metadata.name },
        subjects: [
          {
            kind: "ServiceAccount",
            name: '{{ include "alloy.serviceAccountName" . }}',
            namespace: '{{ include "alloy.namespace" . }}',
          },
        ],
      },
    ];
  });
}

/**
 * Rules as the Alloy chart's `rbac.rules` and `rbac.clusterRules` take them. Without
 * `rbac.namespaces` the chart writes both lists into one ClusterRole, one after the other
 * (alloy 1.5.0 templates/rbac.yaml), and an empty list there renders `[]` in the middle of the
 * rules, which is invalid YAML: so both lists get at least one rule (the last rule, or the verbs
 * of a single rule, split between them). What the ClusterRole grants is exactly `all`.
 */
export function alloyChartRbac(all: RbacRule[]): { rules: RbacRule[]; clusterRules: RbacRule[] } {
  if (all.length >= 2) return { rules: all.slice(0, -1), clusterRules: all.slice(-1) };
  const [only] = all;
  if (!only || only.verbs.length < 2)
    throw new Error(
      `alloyChartRbac: expected at least two rules or verbs to split, got ${JSON.stringify(all)}`,
    );
  return {
    rules: [{ ...only, verbs: only.verbs.slice(0, 1) }],
    clusterRules: [{ ...only, verbs: only.verbs.slice(1) }],
  };
}
