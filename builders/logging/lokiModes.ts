/*
 * Which of the loki chart's workloads run, and how many pods each, per deployment mode; and what
 * lets an ingester leave the ring without losing a line. Pure. The chart's modes and the
 * components each runs are read in grafana-community loki 18.11.0 templates/_helpers.tpl
 * (`loki.deployment.isMonolithic`: Monolithic, SingleBinary and both transitional names;
 * `isScalable`: SimpleScalable and the transitional modes; `isDistributed`: Distributed and
 * SimpleScalable<->Distributed) and templates/validate.yaml (monolithic and scalable replicas
 * together only in "Monolithic<->SimpleScalable").
 */
import type { LokiConfig } from "../../config/resolve";
import {
  LOKI_DISTRIBUTED_CLAIMS,
  LOKI_DISTRIBUTED_WORKLOADS,
  lokiDistributedShape,
  type LokiDistributedComponent,
} from "../../config/sizing";
import { runsMonolithic, runsScalable, type LokiMode } from "../../model/sizing";
import { versions } from "../../model/versions";

/**
 * The chart's name of a mode. Chart 12.0 renamed `SingleBinary` to `Monolithic` (grafana-community
 * loki README "From 11.x to 12.0.0"; 18.11.0 still takes both); the grafana/loki 6.x line knows
 * only the old names (loki 6.49.0 templates/_helpers.tpl `loki.deployment.isSingleBinary`:
 * "SingleBinary", "SingleBinary<->SimpleScalable"). So the values carry the names of the chart
 * they are for.
 */
export function chartDeploymentMode(
  mode: LokiMode,
  chartVersion: string = versions.charts.loki.version,
): string {
  if (Number(chartVersion.split(".")[0]) >= 12) return mode;
  if (mode === "Monolithic") return "SingleBinary";
  if (mode === "Monolithic<->SimpleScalable") return "SingleBinary<->SimpleScalable";
  return mode;
}

/**
 * The longest one flush of an ingester's chunks may take (Loki `ingester.flush_op_timeout`, set
 * here rather than left to Loki's default so the grace below is measured against a known value).
 */
export const LOKI_FLUSH_OP_TIMEOUT_SECONDS = 600;

/**
 * How long Kubernetes lets a pod holding an ingester stop before it kills it: above the flush
 * time, so an ingester leaving the ring (a write pod scaled away, a monolithic pod restarted)
 * flushes every chunk to object storage before it is gone. The ingester marks itself LEAVING,
 * flushes and then unregisters (grafana/dskit 8d1c6d34bb5a, the version loki v3.7.6's go.mod pins,
 * ring/lifecycler.go `stopping`: changeState LEAVING, processShutdown, unregister); each flush
 * op is bounded by flush_op_timeout (grafana/loki v3.7.6 pkg/ingester/ingester.go RegisterFlags,
 * `ingester.flush-op-timeout`). Two minutes above it leave room for the WAL to close and the
 * ring entry to go.
 */
export const LOKI_TERMINATION_GRACE_SECONDS = LOKI_FLUSH_OP_TIMEOUT_SECONDS + 120;

/**
 * Loki's ingester settings that make a leaving ingester lose nothing, the first stage of
 * upstream's move off SimpleScalable (grafana/loki v3.7.6
 * docs/sources/setup/migrate/ssd-to-ha-monolithic/_index.md, "Stage 1": `ingester.wal.flush_on_shutdown:
 * true`, `ingester.lifecycler.unregister_on_shutdown: true`), in every mode: chunks are flushed
 * on shutdown, and the ingester leaves the ring once done, so the gate sees it gone.
 */
export function lokiIngesterConfig(): Record<string, unknown> {
  return {
    wal: { flush_on_shutdown: true },
    lifecycler: { unregister_on_shutdown: true },
    flush_op_timeout: `${LOKI_FLUSH_OP_TIMEOUT_SECONDS / 60}m`,
  };
}

/** Pods of each SimpleScalable/Monolithic workload (0: the chart renders none). */
export interface LokiTargetReplicas {
  singleBinary: number;
  write: number;
  read: number;
  backend: number;
}

/**
 * The pods each target runs in the stack's mode. In the transitional mode the monolithic pods
 * run beside what is left of SimpleScalable (the write pods still holding data, and read and
 * backend until the move ends); Distributed runs none of them.
 */
export function lokiTargetReplicas(
  loki: Pick<LokiConfig, "mode" | "replicas" | "write" | "read" | "backend">,
): LokiTargetReplicas {
  const scalable = runsScalable(loki.mode);
  return {
    singleBinary: runsMonolithic(loki.mode) ? loki.replicas : 0,
    write: scalable ? loki.write : 0,
    read: scalable ? loki.read : 0,
    backend: scalable ? loki.backend : 0,
  };
}

/** Distributed components without a data volume of their own. */
const SCRATCH: readonly LokiDistributedComponent[] = ["distributor", "queryFrontend", "queryScheduler"];

/**
 * Loki config of Distributed mode the chart would otherwise fill with addresses of components the
 * program does not run: the bloom planner's and the bloom gateways' (loki 18.11.0 values.yaml
 * `loki.bloom_build.builder.planner_address`, `loki.bloom_gateway.client.addresses`, rendered even
 * with `enabled: false`). Empty, as Loki's own defaults are, and off.
 */
export function lokiDistributedConfig(mode: LokiMode): Record<string, unknown> {
  if (mode !== "Distributed") return {};
  return {
    bloom_build: { enabled: false, builder: { planner_address: "" } },
    bloom_gateway: { enabled: false, client: { addresses: "" } },
  };
}

/** What each Distributed component gets beside its replicas (the shell every target shares). */
export type ComponentValues = (c: LokiDistributedComponent, replicas: number) => Record<string, unknown>;

/**
 * Values of Distributed Loki's components (loki 18.11.0 values.yaml top-level keys `ingester`,
 * `distributor`, `indexGateway`, `querier`, `queryFrontend`, `queryScheduler`, `compactor`,
 * `ruler`): every component at its sized replicas (config/sizing.ts lokiDistributedShape), 0 in
 * the other modes so none renders. Ingesters without zone-aware replication (its three zone
 * StatefulSets need the rollout operator and zone labels a homelab's nodes do not carry:
 * `ingester.zoneAwareReplication.enabled`, default true), so they keep the chart's hard node
 * anti-affinity (`ingester.affinity`). The components with a claim keep it when the StatefulSet
 * goes (`persistence.enableStatefulSetAutoDeletePVC: false`, whenDeleted/whenScaled Retain). Their
 * size is loki.volumeSize, which lokiValues places through config/stackKeyPaths.ts' table.
 */
export function lokiDistributedValues(
  loki: Pick<LokiConfig, "mode">,
  logsPerDayBytes: number | undefined,
  shell: ComponentValues,
  storageClass: string,
): Record<string, unknown> {
  const on = loki.mode === "Distributed";
  const shape = lokiDistributedShape(logsPerDayBytes);
  const out: Record<string, unknown> = {};
  for (const c of Object.keys(LOKI_DISTRIBUTED_WORKLOADS) as LokiDistributedComponent[]) {
    const replicas = on ? shape[c].replicas : 0;
    if (!on) {
      out[c] = { replicas: 0 };
      continue;
    }
    const claims = LOKI_DISTRIBUTED_CLAIMS.includes(c)
      ? {
          persistence: {
            enabled: true,
            storageClass,
            enableStatefulSetAutoDeletePVC: false,
            ...(c === "ingester" || c === "compactor"
              ? { claims: [{ name: "data", accessModes: ["ReadWriteOnce"], storageClass }] }
              : {}),
          },
        }
      : {};
    // The distributor, query frontend and scheduler get no data volume from the chart, yet Loki
    // creates its TSDB shipper directories under /var/loki in every target (the `written-paths`
    // check, which reads Loki's defaults at the pinned version): a scratch volume there, since
    // the container's root filesystem is read-only.
    const scratch = SCRATCH.includes(c)
      ? {
          extraVolumes: [{ name: "loki-scratch", emptyDir: {} }],
          extraVolumeMounts: [{ name: "loki-scratch", mountPath: "/var/loki" }],
        }
      : {};
    out[c] = {
      ...shell(c, replicas),
      ...scratch,
      replicas,
      // A PodDisruptionBudget lets one pod go at a time; loki 6.49.0 refuses to render a component
      // with more than one replica without it ("`.Values.queryFrontend.maxUnavailable` must be set
      // when `.Values.queryFrontend.replicas` is greater than 1",
      // templates/query-frontend/poddisruptionbudget-query-frontend.yaml); 18.11.0 still takes the key.
      ...(replicas > 1 ? { maxUnavailable: 1 } : {}),
      ...claims,
      ...(c === "ingester"
        ? {
            zoneAwareReplication: { enabled: false },
            terminationGracePeriodSeconds: LOKI_TERMINATION_GRACE_SECONDS,
          }
        : {}),
    };
  }
  return out;
}
