/**
 * Requests and limits for every pod the program deploys, per profile. One table so the resource
 * budget can be read and tuned in one place; the lightweight column is sized for 8 GiB Pi 5 nodes.
 */
export interface Resources {
  requests: { cpu: string; memory: string };
  limits: { memory: string; cpu?: string };
}

const r = (cpu: string, memory: string, limit: string): Resources => ({
  requests: { cpu, memory },
  limits: { memory: limit },
});

export type Workload =
  | "lokiSingleBinary"
  | "lokiWrite"
  | "lokiRead"
  | "lokiBackend"
  | "lokiGateway"
  | "lokiCanary"
  | "alloyNode"
  | "alloyCluster"
  | "alloyReloader"
  | "vector"
  | "grafana"
  | "grafanaSidecar"
  | "prometheus"
  | "alertmanager"
  | "promOperator"
  | "kubeStateMetrics"
  | "nodeExporter"
  | "mimir"
  | "vmsingle"
  | "vmagent"
  | "vmalert"
  | "vmOperator";

// CPU limits are left off on purpose: CFS throttling hurts latency more than it protects a node.
const standard: Record<Workload, Resources> = {
  lokiSingleBinary: r("200m", "512Mi", "2Gi"),
  lokiWrite: r("100m", "384Mi", "1Gi"),
  lokiRead: r("100m", "256Mi", "1Gi"),
  lokiBackend: r("100m", "256Mi", "1Gi"),
  lokiGateway: r("10m", "32Mi", "128Mi"),
  lokiCanary: r("5m", "16Mi", "64Mi"),
  alloyNode: r("50m", "128Mi", "512Mi"),
  alloyCluster: r("50m", "192Mi", "1Gi"),
  alloyReloader: r("5m", "16Mi", "64Mi"),
  vector: r("50m", "64Mi", "256Mi"),
  grafana: r("50m", "192Mi", "512Mi"),
  grafanaSidecar: r("5m", "48Mi", "128Mi"),
  prometheus: r("200m", "1536Mi", "4Gi"),
  alertmanager: r("10m", "48Mi", "128Mi"),
  promOperator: r("20m", "64Mi", "256Mi"),
  kubeStateMetrics: r("10m", "64Mi", "256Mi"),
  nodeExporter: r("10m", "32Mi", "64Mi"),
  mimir: r("250m", "1Gi", "3Gi"),
  vmsingle: r("100m", "512Mi", "2Gi"),
  vmagent: r("50m", "128Mi", "512Mi"),
  vmalert: r("20m", "64Mi", "256Mi"),
  vmOperator: r("20m", "64Mi", "256Mi"),
};

const lightweight: Record<Workload, Resources> = {
  ...standard,
  lokiSingleBinary: r("100m", "256Mi", "1Gi"),
  lokiGateway: r("5m", "16Mi", "64Mi"),
  lokiCanary: r("5m", "12Mi", "32Mi"),
  vector: r("25m", "48Mi", "192Mi"),
  grafana: r("25m", "128Mi", "384Mi"),
  grafanaSidecar: r("5m", "32Mi", "96Mi"),
  alertmanager: r("5m", "24Mi", "64Mi"),
  kubeStateMetrics: r("5m", "40Mi", "128Mi"),
  nodeExporter: r("5m", "20Mi", "48Mi"),
  vmsingle: r("100m", "256Mi", "1Gi"),
  vmagent: r("50m", "96Mi", "384Mi"),
  vmalert: r("10m", "40Mi", "128Mi"),
  vmOperator: r("10m", "48Mi", "192Mi"),
};

/** Requests and limits of a workload in a profile (a fresh copy: builders may embed it). */
export function sizing(profile: "standard" | "lightweight", workload: Workload): Resources {
  const s = (profile === "lightweight" ? lightweight : standard)[workload];
  return { requests: { ...s.requests }, limits: { ...s.limits } };
}
