import { mimirReplicationFactor } from "../../model/sizing";
import type { ConsumerStorage } from "../../model/storage";
import { endpointHost, S3_ENV } from "../../model/storage";
import { replicaLabelFor } from "./remoteWrite";
import { mimirEndpoints } from "../../model/endpoints";
import { PORTS } from "../../model/services";

export interface MimirInputs {
  namespace: string;
  replicas: number;
  maxGlobalSeriesPerUser: number;
  ingestionRate: number;
  multitenancy: boolean;
  /**
   * Reads may name several tenants (`tenant_federation.enabled`): Grafana reads the previous
   * tenants beside the one written (`mimir.previousTenants`). Default false.
   */
  tenantFederation?: boolean;
  storage: ConsumerStorage;
  /**
   * Alertmanager the ruler notifies; "" for none (the ruler has no rules until it is the evaluator,
   * model/phases.ts). Written to `limits.ruler_alertmanager_client_config.alertmanager_url`: Mimir 3.0
   * deprecates `ruler.alertmanager_url` for it (upstream/engines/data/mimir-3.0/config-fields.tsv; the
   * old key is only copied there, grafana/mimir mimir-3.0.0 pkg/mimir/modules.go:415-420).
   */
  alertmanagerUrl: string;
  /** Compactor block retention (`compactor_blocks_retention_period`), e.g. "90d". */
  blocksRetention: string;
  /**
   * The scaled-out shape (config/sizing.ts `mimirReadWriteShape`): write and backend pods, which the
   * ingester and store-gateway rings replicate over. Default: absent, monolithic (`replicas` pods).
   */
  readWrite?: { write: number; backend: number };
}

/** Every ring on memberlist (no consul or etcd to run). */
const memberlist = { kvstore: { store: "memberlist" } };

/**
 * Where the ruler keeps the rule files it evaluates. Mimir wipes this directory at start, so it
 * must never be the filesystem `ruler_storage` (that would delete every rule on restart).
 */
export const MIMIR_RULER_SCRATCH = "/data/ruler-scratch";

/**
 * Rule limits the shipped rules need: Mimir's defaults (pkg/util/validation/limits.go:
 * ruler.max-rules-per-rule-group 20, ruler.max-rule-groups-per-tenant 70) reject
 * kube-prometheus's node-exporter group (26 rules) and its prometheus group (23).
 */
export const MIMIR_RULER_LIMITS = { rulesPerGroup: 60, groupsPerTenant: 150 } as const;

/**
 * Where every Mimir process keeps its activity log (`activity_tracker.filepath`): on the pod's
 * `/data` volume. Mimir's default, `./metrics-activity.log`, lands in the image's working directory
 * `/`, which uid 10001 cannot write; every process opens the file at start and stops when it cannot
 * ("failed to create activity file"; upstream/engines/writablePaths.ts). The official chart puts it
 * on a mounted volume too (mimir-distributed 6.0.0 values.yaml:123-124, templates/validate.yaml:12-13).
 */
export const MIMIR_ACTIVITY_LOG = "/data/metrics-activity.log";

/**
 * What the scaled-out shape adds (monolithic stacks keep their config, and their pods, unchanged):
 * the query-frontend and queriers (read) find the query-schedulers (backend) through the
 * schedulers' ring, the way the upstream jsonnet ran the same grouping ("Query-scheduler ring-based
 * service discovery is always enabled in the Mimir read-write deployment mode",
 * operations/mimir/read-write-deployment/config.libsonnet, commit 23a8b45b; the querier worker then
 * needs no scheduler address, pkg/querier/worker `IsSchedulerConfigured`); with `-target=all` they
 * reach the scheduler in the same process instead (pkg/mimir/modules.go `initQuerier`).
 */
const scaledOutConfig = {
  query_scheduler: { service_discovery_mode: "ring", ring: memberlist },
};

/**
 * Mimir's own config for a monolithic homelab: classic architecture (no Kafka ingest storage),
 * rings on memberlist, distinct blocks and rules locations, credentials by `${VAR}` only, every
 * written path on the pod's `/data` volume.
 *
 * No HA tracker: it needs consul or etcd (memberlist is not supported), and every phase has one
 * writer (one Prometheus, later one Alloy replica). Writers still send `cluster` and `__replica__`;
 * the distributor drops `__replica__` (`drop_labels`), so series keep one identity when the writer
 * changes from Prometheus to Alloy when KPS goes.
 */
export function mimirConfig(input: MimirInputs): Record<string, any> {
  const rw = input.readWrite;
  const rf = mimirReplicationFactor(rw ? rw.write : input.replicas);
  const storeRf = mimirReplicationFactor(rw ? rw.backend : input.replicas);
  const storage = input.storage;
  // Blocks and rules only: no Mimir process here runs the Alertmanager (`all` leaves it out,
  // upstream/engines/mimirModules.ts; the scaled-out groups do not name it), so it has no store.
  const location = (purpose: "blocks" | "ruler", dir: string) => {
    if (storage.kind === "filesystem") return { backend: "filesystem", filesystem: { dir: `/data/${dir}` } };
    const loc = storage.locations[purpose]!;
    return { s3: { bucket_name: loc.bucket }, ...(loc.prefix ? { storage_prefix: loc.prefix } : {}) };
  };
  return {
    multitenancy_enabled: input.multitenancy,
    // Without it every request naming two tenants is refused with 422 "too many tenant IDs present
    // in the request. max: 1" (grafana/mimir mimir-3.0.0 3e9aeb43 pkg/api/tenant.go:33-34); with it
    // the querier merges the tenants' series, each labelled __tenant_id__
    // (pkg/querier/tenantfederation/merge_queryable.go:460, pkg/mimir/modules.go:559-575). One config for
    // every process: the flag must be on in all of them (its help, tenant_federation.go:32).
    // max_tenants stays 0, no limit (tenant_federation.go:19).
    ...(input.tenantFederation ? { tenant_federation: { enabled: true } } : {}),
    usage_stats: { enabled: false },
    server: { http_listen_port: PORTS.mimir.http, grpc_listen_port: PORTS.mimir.grpc, log_level: "info" },
    ingest_storage: { enabled: false },
    common: {
      storage:
        storage.kind === "s3"
          ? {
              backend: "s3",
              s3: {
                endpoint: endpointHost(storage.endpoint),
                region: storage.region,
                insecure: storage.plainHttp,
                // Path-style as the store wants it (MinIO, Garage: objectStore.pathStyle, Ceph's
                // claims). Mimir's default "auto" picks virtual-host style for AWS, Google and Aliyun
                // hosts only (minio-go pkg/s3utils IsVirtualHostSupported), so this says what
                // already happens for the stores here, and keeps it when a store sits behind such a host.
                ...(storage.pathStyle ? { bucket_lookup_type: "path" } : {}),
                ...(storage.skipVerify ? { http: { insecure_skip_verify: true } } : {}),
                access_key_id: `\${${S3_ENV.accessKey}}`,
                secret_access_key: `\${${S3_ENV.secretKey}}`,
              },
            }
          : { backend: "filesystem" },
    },
    blocks_storage: {
      ...location("blocks", "blocks"),
      tsdb: { dir: "/data/tsdb" },
      bucket_store: { sync_dir: "/data/tsdb-sync" },
    },
    ruler_storage: location("ruler", "ruler"),
    compactor: { data_dir: "/data/compactor", sharding_ring: memberlist },
    distributor: { ring: memberlist },
    ingester: { ring: { ...memberlist, replication_factor: rf } },
    store_gateway: { sharding_ring: { ...memberlist, replication_factor: storeRf } },
    ruler: {
      rule_path: MIMIR_RULER_SCRATCH,
      ring: memberlist,
    },
    memberlist: { join_members: [mimirEndpoints(input.namespace).gossip] },
    activity_tracker: { filepath: MIMIR_ACTIVITY_LOG },
    ...(rw ? scaledOutConfig : {}),
    limits: {
      max_global_series_per_user: input.maxGlobalSeriesPerUser,
      ingestion_rate: input.ingestionRate,
      ingestion_burst_size: input.ingestionRate * 2,
      drop_labels: [replicaLabelFor("mimir")],
      compactor_blocks_retention_period: input.blocksRetention,
      ruler_max_rules_per_rule_group: MIMIR_RULER_LIMITS.rulesPerGroup,
      ruler_max_rule_groups_per_tenant: MIMIR_RULER_LIMITS.groupsPerTenant,
      ...(input.alertmanagerUrl
        ? { ruler_alertmanager_client_config: { alertmanager_url: input.alertmanagerUrl } }
        : {}),
    },
  };
}
