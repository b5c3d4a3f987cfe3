/** The Pulumi project name; config keys are `homelab-observability:<key>`. */
export const PROJECT = "homelab-observability";

/**
 * The Pulumi type of a Helm release as the program declares it (@pulumi/kubernetes helm/v3 Release):
 * what the synthesis renders, takeover imports and the change check compares, in one place.
 */
export const RELEASE_TYPE = "kubernetes:helm.sh/v3:Release";
/** The Pulumi types of a PersistentVolumeClaim and a Namespace (@pulumi/kubernetes core/v1). */
export const PVC_TYPE = "kubernetes:core/v1:PersistentVolumeClaim";
export const NAMESPACE_TYPE = "kubernetes:core/v1:Namespace";

/** A DNS-1123 label: the form of a Kubernetes object's one-segment name (a namespace, a Service). */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * The release-name table: the one place a Helm release name (or the fullname override the chart
 * names its objects after) is written. The program installs every chart under a fixed name, so
 * each Service name, pod label (`app.kubernetes.io/instance`), takeover import ID and in-cluster
 * URL (model/endpoints.ts) follows from the name alone; a rename would replace the release.
 */
/** The stack and project a Pulumi URN names (`urn:pulumi:<stack>::<project>::...`). */
export function urnStack(urn: string | undefined): { stack: string; project: string } | undefined {
  const m = /^urn:pulumi:([^:]+)::([^:]+)::/.exec(urn ?? "");
  return m ? { stack: m[1], project: m[2] } : undefined;
}

export const RELEASES = {
  loki: "loki",
  /** kube-prometheus-stack's release name (what a takeover imports). */
  kubePrometheusStack: "kube-prometheus-stack",
  /** kube-prometheus-stack's fullnameOverride: its Prometheus, Alertmanager and operator are `kps-*`. */
  kps: "kps",
  /** The prometheus-operator-crds chart's release (the CRDs outlive kube-prometheus-stack). */
  prometheusOperatorCrds: "prometheus-operator-crds",
  /**
   * Mimir's monolithic StatefulSet and Service (`-target=all`, the program's own objects, no chart);
   * scaled out, the prefix of its groups' Services (`mimir-write`, `mimir-read`, `mimir-backend`).
   */
  mimir: "mimir",
  /** victoria-metrics-k8s-stack's release name and fullnameOverride (the operator names CRs `vm*-vm`). */
  vm: "vm",
  /** The standalone Alertmanager's release and fullname. */
  alertmanager: "alertmanager",
  /** Grafana's release and fullname (also its ServiceAccount's name). */
  grafana: "grafana",
  /** Alloy's node agent (DaemonSet) release and fullname. */
  alloy: "alloy",
  /** Alloy's cluster replica (events, ServiceMonitors) release and fullname. */
  alloyCluster: "alloy-cluster",
  /** Vector's node agent release and fullname. */
  vector: "vector",
  /** prometheus-node-exporter's release and fullname (the job label rules match). */
  nodeExporter: "node-exporter",
  /** kube-state-metrics' release and fullname. */
  kubeStateMetrics: "kube-state-metrics",
} as const;
