import { parseQuantity } from "../config/resolve";
import { runsExporters, type MimirTargetShape } from "../config/sizing";
import { prometheusClaim } from "../model/storage";
import { RELEASES } from "../model/names";
import type { Resources } from "../model/sizing";
import { scraperAccount } from "../builders/metrics/exporterValues";
import type { MimirTargetSpec } from "../builders/metrics/mimirValues";
import type { PlanContext } from "./context";
import { crds, none, PROMETHEUS_VOLUME_RESOURCE, type StackPlan } from "./types";

type MetricsPlan = Pick<
  StackPlan,
  "mimir" | "victoriaMetrics" | "prometheusVolume" | "kubePrometheusStack" | "exporters"
> & {
  /** Deletions and replacements these make on purpose, by resource name, with why. */
  plannedChanges: Record<string, string>;
  /** Data-bearing resources a production stack leaves unprotected on purpose, by name, with the key. */
  unprotected: Record<string, string>;
};

/**
 * The metrics side of a phase: the backend (Mimir or VictoriaMetrics), kube-prometheus-stack and
 * its Prometheus volume, the exporters.
 */
export function planMetrics(ctx: PlanContext): MetricsPlan {
  const plan: MetricsPlan = { plannedChanges: {}, unprotected: {} };
  if (ctx.caps.backend && ctx.mimirBackend) Object.assign(plan, planMimir(ctx, plan.plannedChanges));
  if (ctx.caps.backend && !ctx.mimirBackend)
    Object.assign(plan, planVictoriaMetrics(ctx, plan.plannedChanges));
  Object.assign(plan, planPrometheus(ctx, plan.plannedChanges));
  // The update before KPS goes lifts the claim's protect so that the next one may delete it
  // (docs/how-to/move-between-phases.md): the stack-info ConfigMap says so to the pack (contract/).
  if (ctx.cfg.production && plan.prometheusVolume && !plan.prometheusVolume.inputs.protect)
    plan.unprotected[PROMETHEUS_VOLUME_RESOURCE] = "prometheus.cleanupVolumeOnRemoval";
  const exporters = planExporters(ctx);
  if (exporters) plan.exporters = exporters;
  return plan;
}

function planMimir(ctx: PlanContext, plannedChanges: Record<string, string>): Pick<StackPlan, "mimir"> {
  const { cfg, ns, mimirRw } = ctx;
  const sized = ctx.sized.resources;
  const target = (t: MimirTargetShape, r: Resources | undefined): MimirTargetSpec => ({
    replicas: t.replicas,
    // planSizing sizes every target of the shape it returns; absent would be a bug here.
    resources:
      r ??
      (() => {
        throw new Error("planStack: Mimir's scaled-out groups were not sized (config/sizing.ts)");
      })(),
    ...(t.volume === undefined ? {} : { volumeSize: t.volume }),
  });
  if (mimirRw)
    // Reported, never silent: the monolithic StatefulSet goes; its claim stays (Retain), and the
    // blocks it uploaded are in the bucket the backend's store-gateways read.
    plannedChanges[RELEASES.mimir] =
      `workload.activeSeries: ${cfg.workload.activeSeries} series need more memory than one Mimir on the largest node; Mimir runs scaled out in groups of Mimir 3.0 modules (${mimirRw.write.replicas} write x ${mimirRw.write.memory}, ${mimirRw.read.replicas} read x ${mimirRw.read.memory}, ${mimirRw.backend.replicas} backend x ${mimirRw.backend.memory}); the monolithic StatefulSet is deleted, its volume retained: flush its ingester to the bucket first (docs/how-to/sizing.md)`;
  return {
    mimir: {
      inputs: {
        namespace: ns,
        profile: cfg.profile,
        storageClass: cfg.storageClasses.metrics,
        volumeSize: cfg.mimir.volumeSize,
        resources: sized.mimir,
        settings: {
          namespace: ns,
          replicas: cfg.mimir.replicas,
          maxGlobalSeriesPerUser: cfg.mimir.maxGlobalSeriesPerUser,
          blocksRetention: cfg.mimir.blocksRetention,
          ingestionRate: cfg.mimir.ingestionRate,
          multitenancy: cfg.mimir.multitenancy,
          tenantFederation: ctx.previousTenants.length > 0,
          storage: ctx.storage("mimir"),
          // The ruler notifies an Alertmanager only once it holds the rules.
          alertmanagerUrl: ctx.caps.ruleEvaluator === "mimir-ruler" ? ctx.ep.alertmanager : "",
          ...(mimirRw
            ? { readWrite: { write: mimirRw.write.replicas, backend: mimirRw.backend.replicas } }
            : {}),
        },
        ...(mimirRw
          ? {
              readWrite: {
                write: target(mimirRw.write, sized.mimirWrite),
                read: target(mimirRw.read, sized.mimirRead),
                backend: target(mimirRw.backend, sized.mimirBackend),
              },
            }
          : {}),
      },
      waitsFor: [...ctx.storageWait("mimir"), crds],
    },
  };
}

function planVictoriaMetrics(
  ctx: PlanContext,
  plannedChanges: Record<string, string>,
): Pick<StackPlan, "victoriaMetrics"> {
  const { cfg, vmCluster } = ctx;
  if (vmCluster)
    // Reported, never silent: a running vmsingle's data stays on its claim but is not read.
    plannedChanges["victoriametrics-vmcluster"] =
      `workload.activeSeries: ${cfg.workload.activeSeries} series need more memory than one vmsingle on the largest node; VictoriaMetrics runs as a VMCluster (${vmCluster.storageReplicas} vmstorage x ${vmCluster.storageMemory}); a running vmsingle's data stays on its volume and is carried over with vmctl (docs/how-to/sizing.md)`;
  return {
    victoriaMetrics: {
      inputs: {
        namespace: ctx.ns,
        protect: cfg.production,
        settings: {
          caps: ctx.caps,
          cluster: cfg.cluster,
          profile: cfg.profile,
          retention: cfg.victoriametrics.retention,
          volumeSize: cfg.victoriametrics.volumeSize,
          storageClass: cfg.storageClasses.metrics,
          scrapeInterval: cfg.victoriametrics.scrapeInterval,
          bufferBytes: bytes(cfg.victoriametrics.bufferSize),
          alerting: ctx.alerting,
          sized: ctx.sized.resources,
          ...(vmCluster ? { vmCluster, endpoints: ctx.ep.victoriametrics } : {}),
        },
      },
      waitsFor: [crds],
    },
  };
}

/**
 * Whether the stack has a Prometheus claim: while KPS runs; without it, only a claim that holds data
 * (`prometheus.keepVolume`, or one taken over) until `prometheus.cleanupVolumeOnRemoval`. A fresh
 * install at a phase without KPS gets none.
 */
export function prometheusVolumeKept(caps: { kps: boolean }, cfg: PlanContext["cfg"]): boolean {
  if (caps.kps) return true;
  if (cfg.prometheus.cleanupVolumeOnRemoval) return false;
  return cfg.prometheus.keepVolume || !!cfg.takeover?.prometheusVolume;
}

/** kube-prometheus-stack while the phase runs it, and its Prometheus volume. */
function planPrometheus(
  ctx: PlanContext,
  plannedChanges: Record<string, string>,
): Pick<StackPlan, "prometheusVolume" | "kubePrometheusStack"> {
  const { cfg, ns, caps } = ctx;
  const out: Pick<StackPlan, "prometheusVolume" | "kubePrometheusStack"> = {};
  const promClaim = prometheusClaim(ctx.kpsFullname ?? RELEASES.kps, cfg.takeover?.prometheusVolume);
  // The Prometheus TSDB claim exists while KPS runs, then while it holds data (kept by the stack
  // or taken over) until the stack asks for its cleanup.
  if (!caps.kps && cfg.prometheus.cleanupVolumeOnRemoval)
    plannedChanges[PROMETHEUS_VOLUME_RESOURCE] =
      "prometheus.cleanupVolumeOnRemoval: the claim kube-prometheus-stack's Prometheus used, where the stack still has one, is deleted with its data, not kept";
  if (prometheusVolumeKept(caps, cfg)) {
    out.prometheusVolume = {
      inputs: {
        namespace: ns,
        storageClass: cfg.storageClasses.metrics,
        size: cfg.prometheus.volumeSize,
        claimName: promClaim.claim,
        allowDeletion: cfg.prometheus.cleanupVolumeOnRemoval,
        protect: cfg.production && !cfg.prometheus.cleanupVolumeOnRemoval,
      },
      waitsFor: none(),
    };
  }
  if (caps.kps) {
    out.kubePrometheusStack = {
      inputs: {
        namespace: ns,
        settings: {
          caps,
          cluster: cfg.cluster,
          profile: cfg.profile,
          backend: cfg.metricsBackend,
          retention: cfg.prometheus.retention,
          retentionSize: cfg.prometheus.retentionSize,
          volumeSize: cfg.prometheus.volumeSize,
          storageClass: cfg.storageClasses.metrics,
          remoteWrite: { backend: cfg.metricsBackend, url: ctx.backendPushUrl ?? "", tenant: ctx.tenant },
          alerting: ctx.alerting,
          fullname: ctx.kpsFullname,
          claimTemplate: promClaim.template,
          sized: ctx.sized.resources,
        },
      },
      waitsFor: [crds, ...(out.prometheusVolume ? [{ kind: "prometheus-volume" } as const] : [])],
    };
  }
  return out;
}

/**
 * node-exporter in every phase; kube-state-metrics once KPS (which brings its own) is gone. Not
 * while a running KPS is only being imported (config/sizing.ts runsExporters).
 */
function planExporters(ctx: PlanContext): StackPlan["exporters"] {
  const { cfg, caps } = ctx;
  if (!runsExporters(cfg)) return undefined;
  return {
    inputs: {
      namespace: ctx.ns,
      nodeExporter: ctx.placement,
      profile: cfg.profile,
      kubeStateMetrics: !caps.kps,
      scheduling: ctx.scheduling,
      scrapers: [scraperAccount(caps.scraper, ctx.ns, ctx.kpsFullname)],
    },
    // It waits for KPS, whose update may drop KPS's own DaemonSet on host port 9100.
    waitsFor: caps.kps ? [{ kind: "kube-prometheus-stack" }] : [],
  };
}

/** Bytes of a size the schema has already validated (config.ts `size`). */
function bytes(size: string): number {
  const n = parseQuantity(size);
  if (n === undefined)
    throw new Error(`planStack: "${size}" is not a quantity; the config schema should have refused it`);
  return n;
}
