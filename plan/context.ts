import type { StackConfig } from "../config/resolve";
import { planBuckets } from "../config/buckets";
import { mimirReadWriteShape, planSizing, vmClusterShape, type Sizing } from "../config/sizing";
import type { BucketPlan, Consumer, ConsumerStorage } from "../model/storage";
import { capabilities, type PhaseCapabilities } from "../model/phases";
import { endpoints, minioMetricsEndpoint, type Endpoints } from "../model/endpoints";
import type { AlertmanagerInputs } from "../builders/alerting/alertmanagerConfig";
import type { MinioScrape } from "../builders/objectstore/minioMetrics";
import type { AgentPlacement } from "../builders/security/podSecurity";
import { agentScheduling, type AgentScheduling } from "../builders/security/hardening";
import { consumerStorage } from "./storage";
import type { WaitFor } from "./types";

/**
 * What every area's planner reads besides the config: the phase's capabilities, the endpoints, the
 * buckets, the sizing and the agents' placement, each decided once here so that two planners can
 * never disagree on them.
 */
export interface PlanContext {
  cfg: StackConfig;
  /** The stack's namespace. */
  ns: string;
  caps: PhaseCapabilities;
  ep: Endpoints;
  /** The running KPS's fullname when it is taken over under another name. */
  kpsFullname?: string;
  /** The VictoriaMetrics cluster version's shape, only for a workload one vmsingle cannot hold. */
  vmCluster?: ReturnType<typeof vmClusterShape>;
  /** Mimir scaled out, only for a workload one monolithic Mimir cannot hold. */
  mimirRw?: ReturnType<typeof mimirReadWriteShape>;
  mimirBackend: boolean;
  buckets: BucketPlan;
  /** A consumer's buckets and credentials. */
  storage: (c: Consumer) => ConsumerStorage;
  /** What a consumer waits for: its buckets, when it has any. */
  storageWait: (c: Consumer) => WaitFor[];
  alerting: AlertmanagerInputs;
  /** The backend's tenant (Mimir with multitenancy only). */
  tenant?: string;
  /**
   * The tenants Mimir's reads also cover (`mimir.previousTenants`, multitenancy only): Grafana reads
   * them beside `tenant`, which alone is written. Empty without multitenancy.
   */
  previousTenants: string[];
  backendEp: Endpoints["mimir"] | Endpoints["victoriametrics"];
  /** Where metrics are written while the phase runs a backend. */
  backendPushUrl?: string;
  lokiTenant?: string;
  /** Loki's likewise (`loki.previousTenants`, authEnabled only). */
  lokiPreviousTenants: string[];
  sized: Sizing;
  /** Node agents run on every pool the config declares, first. */
  scheduling: AgentScheduling;
  /** MinIO's capacity: scraped from the address pods use (objectStore.endpoint). */
  minioScrape?: MinioScrape;
  /** The node agents' namespace: the stack's while they stay. */
  agentsNs: string;
  placement: AgentPlacement;
  /** The stack's namespace is the operator's, taken over. */
  adopted: boolean;
  /** ... and only imported so far (takeover.step import). */
  importing: boolean;
}

/** The context every planner shares, from validated config alone. */
export function planContext(cfg: StackConfig): PlanContext {
  const ns = cfg.namespace;
  const caps = capabilities(cfg.phase, cfg.metricsBackend);
  const kpsFullname = cfg.takeover?.kpsFullname;
  const vmCluster = caps.backend ? vmClusterShape(cfg) : undefined;
  const mimirRw = caps.backend ? mimirReadWriteShape(cfg) : undefined;
  const ep = endpoints(ns, cfg.loki, kpsFullname, !!vmCluster, !!mimirRw);
  const mimirBackend = cfg.metricsBackend === "mimir";
  const buckets = planBuckets(cfg);
  const backendEp = mimirBackend ? ep.mimir : ep.victoriametrics;
  const step = cfg.agents.step;
  const agentsNs = step === "stay" ? ns : cfg.agents.namespace;
  const adopted = cfg.takeover?.namespace === true;
  return {
    cfg,
    ns,
    caps,
    ep,
    kpsFullname,
    vmCluster,
    mimirRw,
    mimirBackend,
    buckets,
    storage: (c) => consumerStorage(buckets, cfg.objectStore, c),
    storageWait: (c) =>
      buckets.consumers.some((p) => p.consumer === c) ? [{ kind: "storage", consumer: c }] : [],
    alerting: {
      pushover: cfg.alerting.pushover,
      pushoverPriority: cfg.alerting.pushoverPriority,
      heartbeat: cfg.alerting.heartbeat,
      heartbeatInterval: cfg.alerting.heartbeatInterval,
      receivers: cfg.alerting.receivers,
    },
    tenant: mimirBackend && cfg.mimir.multitenancy ? cfg.mimir.tenant : undefined,
    previousTenants: mimirBackend && cfg.mimir.multitenancy ? cfg.mimir.previousTenants : [],
    backendEp,
    backendPushUrl: caps.backend ? backendEp.push : undefined,
    lokiTenant: cfg.loki.authEnabled ? cfg.loki.tenant : undefined,
    lokiPreviousTenants: cfg.loki.authEnabled ? cfg.loki.previousTenants : [],
    sized: planSizing(cfg),
    scheduling: agentScheduling(cfg.nodePools),
    minioScrape:
      cfg.objectStore.type === "minio" ? minioMetricsEndpoint(cfg.objectStore.endpoint) : undefined,
    agentsNs,
    placement: {
      namespace: agentsNs,
      moved: step !== "stay",
      ...(step === "handover" ? { parkedIn: ns } : {}),
    },
    adopted,
    importing: adopted && cfg.takeover?.step === "import",
  };
}
