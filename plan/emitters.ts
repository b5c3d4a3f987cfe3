/**
 * Which components emit metrics in a stack, in the vocabulary of the `present_when` column of
 * upstream/metrics/data/emitted-metrics.tsv. The dashboards are fitted to it (a panel reading a
 * metric nothing here emits is dropped); the rendered check (`emitted-metrics`) reads the same
 * keys from the rendered workloads and configs, and a test holds the two to each other.
 */
import type { Backend, LogAgent, PhaseCapabilities } from "../model/phases";
import { INOTIFY_SYSCTLS, NODE_EXPORTER_EXTRA_COLLECTORS } from "../builders/metrics/exporterValues";

export interface EmitterInputs {
  caps: Pick<PhaseCapabilities, "kps" | "backend" | "scraper" | "ruleEvaluator" | "prometheusRemoteWrite">;
  backend: Backend;
  logAgent: LogAgent;
  /** The chart's Loki canary runs (loki.canary). */
  lokiCanary: boolean;
  /** The stack scrapes MinIO's cluster metrics (objectStore.type minio). */
  minio: boolean;
}

/** The deployment keys that hold in a stack. */
export function stackEmitters(s: EmitterInputs): string[] {
  const mimir = s.backend === "mimir" && s.caps.backend;
  const vm = s.backend === "victoriametrics" && s.caps.backend;
  const alloy =
    s.logAgent === "alloy" || s.caps.scraper === "alloy" || s.caps.ruleEvaluator === "mimir-ruler";
  const keys: [string, boolean][] = [
    ["always", true],
    ["loki", true],
    ["loki-canary", s.lokiCanary],
    ["alloy", alloy],
    ["vector", s.logAgent === "vector"],
    ["mimir", mimir],
    ["mimir-ruler", mimir && s.caps.ruleEvaluator === "mimir-ruler"],
    ["vmsingle", vm],
    ["vmagent", vm && s.caps.scraper === "vmagent"],
    ["vmalert", vm && s.caps.ruleEvaluator === "vmalert"],
    // kube-prometheus-stack's Prometheus and its operator; an Alertmanager runs in every phase (KPS's,
    // the standalone chart's beside Mimir, or the VictoriaMetrics operator's).
    ["prometheus", s.caps.kps],
    ["prometheus-operator", s.caps.kps],
    ["alertmanager", true],
    ["node-exporter", true],
    ["kube-state-metrics", true],
    ["prometheus-remote-write", s.caps.prometheusRemoteWrite],
    ["alloy-remote-write", s.caps.scraper === "alloy" && mimir],
    ["minio-scrape", s.minio],
    ...INOTIFY_SYSCTLS.map((k): [string, boolean] => [`node-exporter-sysctl:${k}`, true]),
    ...NODE_EXPORTER_EXTRA_COLLECTORS.map((c): [string, boolean] => [`node-exporter-collector:${c}`, true]),
  ];
  return keys.filter(([, on]) => on).map(([k]) => k);
}

/** The keys of the stack a plan context describes (what the dashboards and the rules are fitted to). */
export function contextEmitters(ctx: {
  caps: EmitterInputs["caps"];
  cfg: {
    metricsBackend: Backend;
    logAgent: LogAgent;
    loki: { canary: boolean };
    objectStore: { type: string };
  };
}): string[] {
  return stackEmitters({
    caps: ctx.caps,
    backend: ctx.cfg.metricsBackend,
    logAgent: ctx.cfg.logAgent,
    lokiCanary: ctx.cfg.loki.canary,
    minio: ctx.cfg.objectStore.type === "minio",
  });
}
