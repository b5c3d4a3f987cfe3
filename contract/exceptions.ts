/**
 * The one list of accepted security findings: every escalation path a role keeps, every pod that
 * stays root, each named and justified (kube-prometheus keeps its kubescape exceptions the same
 * way). The rendered-object checks (checks/privileges.ts) accept exactly these; a test
 * (test/builders/privileges.test.ts) fails when an entry no longer occurs in any stack file, so the
 * list never outlives its reason. docs/explanation/security-model.md explains it.
 *
 * A subject never names a namespace literally: the stack's namespace (`namespace`, default
 * "monitoring") and the agents' (`agents.namespace`, or the stack's while `agents.step` is stay) are
 * whatever the stack file says, so an entry names the namespace by its role ({@link STACK_NAMESPACE},
 * {@link AGENTS_NAMESPACE}) and {@link acceptedExceptionsFor} puts in the stack's names. An entry
 * whose role the stack does not say is accepted nowhere, so it never matches a namespace it was not
 * written for.
 */
import type { AcceptedException } from "./privileges";

/** Stands for the stack's namespace (`namespace`) in a subject. */
export const STACK_NAMESPACE = "<namespace>";
/** Stands for the node agents' namespace (`agents.namespace`; the stack's while agents.step is stay). */
export const AGENTS_NAMESPACE = "<agents.namespace>";

/** The namespaces one stack uses, by role; a role left out is one the caller could not establish. */
export interface StackNamespaces {
  /** The stack's namespace. */
  namespace?: string;
  /** The node agents' namespace (the stack's own while agents.step is stay). */
  agents?: string;
}

const ROLES: readonly [placeholder: string, role: keyof StackNamespaces][] = [
  [STACK_NAMESPACE, "namespace"],
  [AGENTS_NAMESPACE, "agents"],
];

/**
 * The accepted exceptions of one stack: each namespace role in a subject replaced by the stack's
 * name for it. Entries naming a role `namespaces` leaves out are dropped, never guessed.
 */
export function acceptedExceptionsFor(
  namespaces: StackNamespaces,
  accepted: readonly AcceptedException[] = ACCEPTED_EXCEPTIONS,
): AcceptedException[] {
  const resolve = (subject: string): string | undefined => {
    let out = subject;
    for (const [placeholder, role] of ROLES) {
      if (!out.includes(placeholder)) continue;
      const name = namespaces[role];
      if (name === undefined) return undefined;
      out = out.split(placeholder).join(name);
    }
    return out;
  };
  return accepted.flatMap((a) => {
    const subject = resolve(a.subject);
    return subject === undefined ? [] : [{ ...a, subject }];
  });
}

/** `<kind> <namespace role>/<name>`: a pod owner in the stack's namespace. */
const inStack = (kindAndName: string): string => {
  const [kind, name] = kindAndName.split(" ");
  return `${kind} ${STACK_NAMESPACE}/${name}`;
};
/** `<kind> <namespace role>/<name>`: a node agent, which runs in either namespace (agents.step). */
const agent = (kindAndName: string): string[] => {
  const [kind, name] = kindAndName.split(" ");
  return [`${kind} ${STACK_NAMESPACE}/${name}`, `${kind} ${AGENTS_NAMESPACE}/${name}`];
};

/** Why prometheus-operator keeps `*` on Secrets cluster-wide (its ClusterRole in the KPS chart). */
const PROMETHEUS_OPERATOR =
  "prometheus-operator reads the Secrets every ServiceMonitor, PodMonitor, Probe and AlertmanagerConfig of any namespace references (credentials, TLS) and writes the generated Prometheus and Alertmanager configs as Secrets: kube-prometheus-stack 88.0.0 templates/prometheus-operator/clusterrole.yaml:44-50 grants configmaps and secrets '*' and has no value narrowing it but namespace lists the stack does not use";

/** Why the VictoriaMetrics operator keeps reading Secrets cluster-wide. */
const VM_OPERATOR =
  "the VictoriaMetrics operator (v0.66.0 config/rbac/role.yaml) reads the Secrets the scrape objects it converts reference in any namespace and writes vmagent's and vmalert's configs as Secrets; its role names explicit verbs (builders/metrics/vmRbac.ts), but the Secret read stays cluster-wide while it watches every namespace";

/** Why a log agent runs as root on every node. */
const LOG_AGENT =
  "node agent: it tails the kubelet's container logs under /var/log/pods and the journal, files the kubelet and journald write owned by root and not world-readable, and keeps its positions in a hostPath directory; its filesystem access is limited to those read-only host paths (NODE_AGENT_HOST_PATHS, checked by host-paths), no privilege escalation, every capability dropped";

/** Why the VictoriaMetrics data volumes' one-off ownership fix runs as root. */
const OWNERSHIP_FIX =
  "init container fix-data-ownership (builders/metrics/vmValues.ts ownershipFix): chown needs uid 0 and CAP_CHOWN to hand a volume written as root by the earlier pods to the non-root user (65534); fsGroupChangePolicy does not reach hostPath-backed (local-path) claims. It holds only CAP_CHOWN, mounts only the data volume, no token, and does nothing once the volume is the user's; the main containers run as 65534";

// ---- findings of the third-party scanner (@monokle/validation 0.33.0, test/checks/scanner.test.ts)

/** KBP108 reports every rule without `resources`: a false positive on the /metrics rule. */
const KBP108_NON_RESOURCE =
  "scanner false positive: @monokle/validation 0.33.0 lib/validators/practices/rules/KBP108-noPodExecute.js:16 reports any rule whose `resources` is unset, here the nonResourceURLs rule for the API server's /metrics; the role grants no pods/exec";

/** Users below 10000: the images' own users. */
const LOW_ID =
  "a non-root user below the scanner's 10000: Grafana's 472 and the VM operator chart's 1000 as the program sets them, the images' own users for Alloy and nginx-unprivileged; a clash with a host user matters through host namespaces or hostPath, which this pod has neither of";

/** Node agents read host paths and use the host network. */
const NODE_AGENT_HOST =
  "node agent: it reads the node's own files (node-exporter /proc, /sys and the root filesystem; the log agents /var/log) through read-only hostPath mounts, each path and its read-only flag restricted by the host-paths check (NODE_AGENT_HOST_PATHS)";

/** node-exporter on the host network. */
const NODE_EXPORTER_HOST_NETWORK =
  "node-exporter reports the node's own network interfaces and sockets, which it sees only in the host's network namespace (prometheus-node-exporter 4.49.1 values.yaml hostNetwork: true, the chart's default); node_exporter itself listens on 127.0.0.1 only, and the node's port 9100 is kube-rbac-proxy's HTTPS, which lets through only a token granted get on services/node-exporter (docs/explanation/security-model.md)";

/** The VM operator creates the workloads of the CRs it reconciles. */
const VM_OPERATOR_CREATES =
  "the VictoriaMetrics operator creates the Deployments and StatefulSets of the VMSingle, VMAgent, VMAlert and VMCluster it reconciles (v0.66.0 config/rbac/role.yaml, apps); it creates no Pod directly (builders/metrics/vmRbac.ts)";

const scanner = (subjects: string[], rules: string[], reason: string): AcceptedException[] =>
  subjects.flatMap((subject) => rules.map((r) => ({ subject, finding: `monokle:${r}`, reason })));

export const ACCEPTED_EXCEPTIONS: readonly AcceptedException[] = [
  // Operators' roles.
  { subject: "ClusterRole kps-operator", finding: "wildcard-sensitive", reason: PROMETHEUS_OPERATOR },
  { subject: "ClusterRole kps-operator", finding: "cluster-secret-read", reason: PROMETHEUS_OPERATOR },
  {
    subject: "ClusterRole kube-prometheus-stack-operator",
    finding: "wildcard-sensitive",
    reason: `${PROMETHEUS_OPERATOR} (the takeover stack keeps the adopted release's name)`,
  },
  {
    subject: "ClusterRole kube-prometheus-stack-operator",
    finding: "cluster-secret-read",
    reason: `${PROMETHEUS_OPERATOR} (the takeover stack keeps the adopted release's name)`,
  },
  {
    subject: "ClusterRole vm-victoria-metrics-operator",
    finding: "cluster-secret-read",
    reason: VM_OPERATOR,
  },
  // Node agents that must be root.
  ...[...agent("DaemonSet alloy"), ...agent("DaemonSet vector")].map((subject) => ({
    subject,
    finding: "runs-as-root",
    reason: LOG_AGENT,
  })),
  // The one-off ownership fix of VictoriaMetrics' data volumes.
  {
    subject: `${inStack("VMAgent vm")} container fix-data-ownership`,
    finding: "runs-as-root",
    reason: OWNERSHIP_FIX,
  },
  {
    subject: `${inStack("VMSingle vm")} container fix-data-ownership`,
    finding: "runs-as-root",
    reason: OWNERSHIP_FIX,
  },
  // The same for the VMCluster's storage and cache claims (a workload one vmsingle cannot hold).
  {
    subject: `${inStack("VMCluster vm")} vmstorage container fix-data-ownership`,
    finding: "runs-as-root",
    reason: OWNERSHIP_FIX,
  },
  {
    subject: `${inStack("VMCluster vm")} vmselect container fix-data-ownership`,
    finding: "runs-as-root",
    reason: OWNERSHIP_FIX,
  },
  // The scanner's findings, item by item.
  ...scanner(
    [
      "ClusterRole alloy-cluster",
      "ClusterRole kps-prometheus",
      "ClusterRole kube-prometheus-stack-prometheus",
      "ClusterRole vm-vmagent",
    ],
    ["KBP108"],
    KBP108_NON_RESOURCE,
  ),
  ...scanner(["ClusterRole vm-victoria-metrics-operator"], ["KBP107"], VM_OPERATOR_CREATES),
  ...scanner(
    [...agent("DaemonSet alloy"), ...agent("DaemonSet vector")],
    ["KBP104", "KBP105", "KBP109"],
    LOG_AGENT,
  ),
  ...scanner(
    [...agent("DaemonSet alloy"), ...agent("DaemonSet vector"), ...agent("DaemonSet node-exporter")],
    ["PSS105"],
    NODE_AGENT_HOST,
  ),
  ...scanner(agent("DaemonSet node-exporter"), ["PSS102"], NODE_EXPORTER_HOST_NETWORK),
  ...scanner(
    [
      "Deployment alloy-cluster",
      "Deployment grafana",
      "Deployment loki-gateway",
      "Deployment vm-victoria-metrics-operator",
      "Job vm-victoria-metrics-operator-cleanup-hook",
    ].map(inStack),
    ["KBP104", "KBP105"],
    LOW_ID,
  ),
];
