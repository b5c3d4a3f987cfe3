/**
 * The one list of accepted security findings: every escalation path a role keeps, every pod that
 * stays root, each named and justified (kube-prometheus keeps its kubescape exceptions the same
 * way). The rendered-object checks (preview/checks/privileges.ts) accept exactly these; a test
 * (test/builders/privileges.test.ts) fails when an entry no longer occurs in any stack file, so the
 * list never outlives its reason. docs/explanation/security-model.md explains it.
 */
import type { AcceptedException } from "./privileges";

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
  { subject: "DaemonSet monitoring/alloy", finding: "runs-as-root", reason: LOG_AGENT },
  { subject: "DaemonSet monitoring-agents/alloy", finding: "runs-as-root", reason: LOG_AGENT },
  { subject: "DaemonSet monitoring/vector", finding: "runs-as-root", reason: LOG_AGENT },
  { subject: "DaemonSet monitoring-agents/vector", finding: "runs-as-root", reason: LOG_AGENT },
  // The one-off ownership fix of VictoriaMetrics' data volumes.
  {
    subject: "VMAgent monitoring/vm container fix-data-ownership",
    finding: "runs-as-root",
    reason: OWNERSHIP_FIX,
  },
  {
    subject: "VMSingle monitoring/vm container fix-data-ownership",
    finding: "runs-as-root",
    reason: OWNERSHIP_FIX,
  },
  // The same for the VMCluster's storage and cache claims (a workload one vmsingle cannot hold).
  {
    subject: "VMCluster monitoring/vm vmstorage container fix-data-ownership",
    finding: "runs-as-root",
    reason: OWNERSHIP_FIX,
  },
  {
    subject: "VMCluster monitoring/vm vmselect container fix-data-ownership",
    finding: "runs-as-root",
    reason: OWNERSHIP_FIX,
  },
];
