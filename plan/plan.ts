import type { StackConfig } from "../config/resolve";
import { planAgents } from "./agents";
import { planAlerting } from "./alerting";
import { planContext } from "./context";
import { planFoundation } from "./foundation";
import { planGrafana } from "./grafana";
import { planLogging } from "./logging";
import { planMetrics } from "./metrics";
import { planNetworkPolicies } from "./networkPlan";
import type { StackPlan } from "./types";
import { chartValueOutputs, chartValuesOf } from "./chartValues";

export type { NamespaceInputs, Planned, StackOutputs, StackPlan, WaitFor } from "./types";
export { PROMETHEUS_VOLUME_RESOURCE } from "./types";

/**
 * The stack's plan: every component's inputs from the phase table, the endpoints and the config,
 * pure, no Pulumi. Each area's planner (foundation, logging, metrics, alerting, agents, Grafana,
 * network) reads the one shared context; this only composes their parts. The composition root
 * (apply/stack.ts) creates exactly what this lists and decides nothing itself. Absent entries are
 * components the phase does not run.
 */
export function planStack(cfg: StackConfig): StackPlan {
  const ctx = planContext(cfg);
  const { ep, caps, buckets } = ctx;
  const { plannedChanges, unprotected, ...metrics } = planMetrics(ctx);
  const foundation = planFoundation(ctx, unprotected);
  const alerting = planAlerting(ctx);
  const logging = planLogging(ctx);
  const agents = planAgents(ctx);
  const runs = { ...alerting, ...logging, ...metrics, ...agents };
  return {
    caps,
    endpoints: ep,
    sizing: ctx.sized,
    ...foundation,
    networkPolicies: planNetworkPolicies(ctx, runs),
    ...runs,
    ...planGrafana(ctx),
    outputs: {
      phase: cfg.phase,
      grafanaUrl: cfg.grafana.url,
      lokiPushUrl: ep.loki.push,
      metricsRemoteWriteUrl: ctx.backendPushUrl,
      metricsQueryUrl: caps.defaultDatasource === "backend" ? ctx.backendEp.query : ep.prometheus.query,
      bucketNames: buckets.consumers.flatMap((c) => [...c.referenced, ...c.buckets]),
      plannedChanges,
      ...chartValueOutputs(cfg.chartValues),
    },
    chartValues: chartValuesOf(cfg.chartValues),
    imageMirrors: cfg.imageMirrors,
  };
}
