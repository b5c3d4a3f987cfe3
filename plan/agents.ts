import { RULE_OPT_OUT } from "../builders/alerting/rules";
import type { AlloyLogsInput } from "../builders/logging/alloyConfig";
import { replicaLabelFor } from "../builders/metrics/remoteWrite";
import { runsAlloyCluster } from "../model/auxiliaryPods";
import type { PlanContext } from "./context";
import { none, type StackPlan } from "./types";

/** The agents' part of the plan (each absent when the stack runs no such agent). */
type AgentsPlan = Pick<StackPlan, "alloy"> & Pick<StackPlan, "vector">;

/** Vector's disk buffer: its minimum is 268435488 bytes (just above 256 MiB); 512 MiB leaves room. */
export const VECTOR_BUFFER_BYTES = 512 * 2 ** 20;

/**
 * The agents. Alloy's cluster replica does what must happen once per cluster: events (with Alloy as
 * the log agent), scraping when Alloy is the scraper, rule sync when Mimir's ruler evaluates; the
 * per-node logs go to Alloy's DaemonSet or to Vector.
 */
export function planAgents(ctx: PlanContext): AgentsPlan {
  const { cfg, caps, ep } = ctx;
  const logs: AlloyLogsInput = {
    cluster: cfg.cluster,
    lokiPushUrl: ep.loki.push,
    tenant: ctx.lokiTenant,
    nodeLogs: cfg.nodeLogs,
  };
  const events = cfg.logAgent === "alloy";
  const scrape =
    caps.scraper === "alloy" && ctx.backendPushUrl
      ? {
          remoteWriteUrl: ctx.backendPushUrl,
          tenant: ctx.tenant,
          replicaLabel: replicaLabelFor("mimir"),
          minio: ctx.minioScrape && { ...ctx.minioScrape, secretNamespace: ctx.ns },
        }
      : undefined;
  const rules =
    caps.ruleEvaluator === "mimir-ruler"
      ? { mimirAddress: ep.mimir.base, tenant: ctx.tenant, optOut: RULE_OPT_OUT }
      : undefined;
  const needsCluster = runsAlloyCluster(cfg.logAgent, caps);
  const out: AgentsPlan = {};
  if (cfg.logAgent === "alloy" || needsCluster) {
    out.alloy = {
      inputs: {
        namespace: ctx.ns,
        nodePlacement: ctx.placement,
        profile: cfg.profile,
        scheduling: ctx.scheduling,
        node: cfg.logAgent === "alloy" ? logs : undefined,
        cluster: needsCluster ? { ...logs, events, scrape, rules } : undefined,
      },
      waitsFor: none(),
    };
  }
  if (cfg.logAgent === "vector") {
    out.vector = {
      inputs: {
        placement: ctx.placement,
        profile: cfg.profile,
        scheduling: ctx.scheduling,
        settings: {
          cluster: cfg.cluster,
          // The write path: Vector pushes (its loki sink appends /loki/api/v1/push).
          lokiBaseUrl: ep.loki.pushBase,
          tenant: ctx.lokiTenant,
          bufferBytes: VECTOR_BUFFER_BYTES,
          nodeLogs: cfg.nodeLogs,
        },
      },
      waitsFor: none(),
    };
  }
  return out;
}
