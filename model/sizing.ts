/**
 * Requests and limits for every pod the program deploys, per profile. One table so the resource
 * budget can be read and tuned in one place; the lightweight column is sized for 8 GiB Pi 5 nodes.
 */
/** The sizing profiles: standard, or lightweight for Raspberry Pis (the second column of every table here). */
export const PROFILES = ["standard", "lightweight"] as const;
/** A sizing profile (config `profile`). */
export type Profile = (typeof PROFILES)[number];

export interface Resources {
  requests: { cpu: string; memory: string };
  limits: { memory: string; cpu?: string };
}

const r = (cpu: string, memory: string, limit: string): Resources => ({
  requests: { cpu, memory },
  limits: { memory: limit },
});
/**
 * A data-bearing workload (its TSDB, WAL or chunks live in the pod until flushed): its memory
 * request is its limit. The scheduler then reserves what the pod may use, and under node memory
 * pressure the kubelet evicts pods using more than they requested first, which such a pod never
 * is (kubelet eviction ranking, "usage above requests" first).
 */
const stateful = (cpu: string, memory: string): Resources => r(cpu, memory, memory);

export type Workload =
  | "lokiSingleBinary"
  | "lokiWrite"
  | "lokiRead"
  | "lokiBackend"
  | "lokiGateway"
  | "lokiGatewayExporter"
  | "lokiCanary"
  | "lokiIngester"
  | "lokiDistributor"
  | "lokiQuerier"
  | "lokiQueryFrontend"
  | "lokiQueryScheduler"
  | "lokiIndexGateway"
  | "lokiCompactor"
  | "lokiRuler"
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
  | "kubeRbacProxy"
  | "mimir"
  | "mimirWrite"
  | "mimirRead"
  | "mimirBackend"
  | "vmsingle"
  | "vmstorage"
  | "vminsert"
  | "vmselect"
  | "vmagent"
  | "vmalert"
  | "vmOperator";

/** The data-bearing workloads: memory request = memory limit in every profile (tested). */
export const STATEFUL_WORKLOADS: readonly Workload[] = [
  "lokiSingleBinary",
  "lokiWrite",
  "lokiBackend",
  "lokiIngester",
  "lokiIndexGateway",
  "lokiCompactor",
  "lokiRuler",
  "prometheus",
  "mimir",
  "mimirWrite",
  "mimirBackend",
  "vmsingle",
  "vmstorage",
];

// CPU limits are left off on purpose: CFS throttling hurts latency more than it protects a node.
const standard: Record<Workload, Resources> = {
  lokiSingleBinary: stateful("200m", "2Gi"),
  lokiWrite: stateful("100m", "1Gi"),
  lokiRead: r("100m", "256Mi", "1Gi"),
  lokiBackend: stateful("100m", "1Gi"),
  lokiGateway: r("10m", "32Mi", "128Mi"),
  // The gateway's access-log-exporter (chart 18): counts nginx's access log lines it gets over syslog.
  lokiGatewayExporter: r("5m", "16Mi", "64Mi"),
  lokiCanary: r("5m", "16Mi", "64Mi"),
  // Distributed (only past what Monolithic holds, config/sizing.ts sizes each from the declared
  // logs); these are the floors. Ingesters hold the WAL and chunks in memory, the index gateway
  // its index copies, the compactor its working set, the ruler its WAL: data-bearing.
  lokiIngester: stateful("200m", "1Gi"),
  lokiDistributor: r("100m", "256Mi", "512Mi"),
  lokiQuerier: r("100m", "512Mi", "1Gi"),
  lokiQueryFrontend: r("50m", "256Mi", "512Mi"),
  lokiQueryScheduler: r("50m", "128Mi", "256Mi"),
  lokiIndexGateway: stateful("100m", "512Mi"),
  lokiCompactor: stateful("100m", "1Gi"),
  lokiRuler: stateful("100m", "512Mi"),
  alloyNode: r("50m", "128Mi", "512Mi"),
  alloyCluster: r("50m", "192Mi", "1Gi"),
  alloyReloader: r("5m", "16Mi", "64Mi"),
  vector: r("50m", "64Mi", "256Mi"),
  grafana: r("50m", "192Mi", "512Mi"),
  grafanaSidecar: r("5m", "48Mi", "128Mi"),
  prometheus: stateful("200m", "4Gi"),
  alertmanager: r("10m", "48Mi", "128Mi"),
  promOperator: r("20m", "64Mi", "256Mi"),
  kubeStateMetrics: r("10m", "64Mi", "256Mi"),
  nodeExporter: r("10m", "32Mi", "64Mi"),
  // node-exporter's proxy: one TokenReview and SubjectAccessReview per scraper a few minutes
  // (their answers are cached, pkg/authz/auth.go:96-97 at kube-rbac-proxy v0.20.0).
  kubeRbacProxy: r("5m", "16Mi", "64Mi"),
  // Sized from its series cap whenever it runs (config/sizing.ts); this is the floor.
  mimir: stateful("250m", "3Gi"),
  // Mimir scaled out (only for a declared workload one Mimir cannot hold), each group sized
  // from the series (config/sizing.ts); these are the floors. write holds the ingesters' WAL and
  // TSDB head, backend the store-gateway's index headers and the compactor's work: data-bearing.
  mimirWrite: stateful("250m", "3Gi"),
  mimirRead: r("100m", "1Gi", "1Gi"),
  mimirBackend: stateful("100m", "2Gi"),
  vmsingle: stateful("100m", "2Gi"),
  // The cluster version (only for a declared workload one vmsingle cannot hold): vmstorage is sized
  // from the series (config/sizing.ts); this is its floor.
  vmstorage: stateful("100m", "2Gi"),
  vminsert: r("50m", "128Mi", "512Mi"),
  vmselect: r("50m", "256Mi", "1Gi"),
  vmagent: r("50m", "128Mi", "512Mi"),
  vmalert: r("20m", "64Mi", "256Mi"),
  vmOperator: r("20m", "64Mi", "256Mi"),
};

const lightweight: Record<Workload, Resources> = {
  ...standard,
  lokiSingleBinary: stateful("100m", "1Gi"),
  lokiGateway: r("5m", "16Mi", "64Mi"),
  lokiCanary: r("5m", "12Mi", "32Mi"),
  vector: r("25m", "48Mi", "192Mi"),
  grafana: r("25m", "128Mi", "384Mi"),
  grafanaSidecar: r("5m", "32Mi", "96Mi"),
  alertmanager: r("5m", "24Mi", "64Mi"),
  kubeStateMetrics: r("5m", "40Mi", "128Mi"),
  nodeExporter: r("5m", "20Mi", "48Mi"),
  vmsingle: stateful("100m", "1Gi"),
  vmstorage: stateful("100m", "1Gi"),
  vminsert: r("25m", "96Mi", "384Mi"),
  vmselect: r("25m", "192Mi", "768Mi"),
  vmagent: r("50m", "96Mi", "384Mi"),
  vmalert: r("10m", "40Mi", "128Mi"),
  vmOperator: r("10m", "48Mi", "192Mi"),
};

/**
 * Requests and limits of a workload in a profile (a fresh copy: builders may embed it); `sized`
 * (config/sizing.ts: from the declared workload or a cap) replaces the profile's where it has one.
 */
export function sizing(
  profile: Profile,
  workload: Workload,
  sized?: Partial<Record<Workload, Resources>>,
): Resources {
  const s = sized?.[workload] ?? (profile === "lightweight" ? lightweight : standard)[workload];
  return { requests: { ...s.requests }, limits: { ...s.limits } };
}

/** Ingester and store-gateway replication: 3 once there are 3 replicas to hold the copies, else 1. */
export function mimirReplicationFactor(replicas: number): number {
  return replicas >= 3 ? 3 : 1;
}

/**
 * The transitional mode the loki chart runs the monolithic pods and SimpleScalable's targets in side
 * by side, on one ring (grafana-community loki 18.11.0 values.yaml `deploymentMode` and
 * templates/validate.yaml: "If this was intentional change the deploymentMode to the transitional
 * 'Monolithic<->SimpleScalable' mode"; `SingleBinary<->SimpleScalable` is its old name).
 */
export const LOKI_TRANSITIONAL_MODE = "Monolithic<->SimpleScalable";

/**
 * Loki's deployment modes, as the loki chart names them (grafana-community loki 18.11.0
 * values.yaml `deploymentMode`, default `Monolithic`; README "From 11.x to 12.0.0": "`SingleBinary`
 * has been renamed to `Monolithic`. The old naming `SingleBinary` is still supported. `SimpleScalable`
 * is still supported but will be removed in Loki 4.0.0"). The stack config takes each, and the
 * transitional mode for the move off SimpleScalable (docs/how-to/loki-off-simple-scalable.md).
 */
export const LOKI_MODES = [
  "Monolithic",
  "SimpleScalable",
  "Distributed",
  "SingleBinary",
  LOKI_TRANSITIONAL_MODE,
] as const;
/** A mode the stack config names (`SingleBinary` is the old name of `Monolithic`). */
export type LokiModeName = (typeof LOKI_MODES)[number];
/** Loki's deployment mode once resolved: `SingleBinary` is read as `Monolithic`. */
export type LokiMode = Exclude<LokiModeName, "SingleBinary">;

/** The mode a stack config's name means (`SingleBinary` is `Monolithic`). */
export function lokiModeOf(name: LokiModeName): LokiMode {
  return name === "SingleBinary" ? "Monolithic" : name;
}

/**
 * A mode as a message names it: as the stack file writes it (`written`, loki.mode's text), so a
 * file that says `SingleBinary` never reads that it says `Monolithic`, with the chart's name
 * beside the old one (grafana-community loki 18.11.0 values.yaml `deploymentMode`: "Monolithic
 * (deprecated: SingleBinary)"). `quoted` puts each name in double quotes.
 */
export function lokiModeText(mode: LokiMode, written?: unknown, quoted = false): string {
  const q = (name: string) => (quoted ? `"${name}"` : name);
  return written === "SingleBinary" && mode === "Monolithic"
    ? `${q("SingleBinary")} (the loki chart's old name of ${q("Monolithic")})`
    : q(mode);
}

/** Whether a mode runs the monolithic pods (`-target=all`): Monolithic, and the transitional mode beside the write pods. */
export function runsMonolithic(mode: LokiMode): boolean {
  return mode === "Monolithic" || mode === LOKI_TRANSITIONAL_MODE;
}
/** Whether a mode runs SimpleScalable's write, read and backend targets. */
export function runsScalable(mode: LokiMode): boolean {
  return mode === "SimpleScalable" || mode === LOKI_TRANSITIONAL_MODE;
}
