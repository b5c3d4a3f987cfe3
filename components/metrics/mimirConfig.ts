import type { ConsumerStorage } from "../objectstore/storageRefs";
import { endpointHost, S3_ENV } from "../objectstore/storageRefs";
import { replicaLabelFor } from "./remoteWrite";

export interface MimirInputs {
  namespace: string;
  replicas: number;
  maxGlobalSeriesPerUser: number;
  ingestionRate: number;
  multitenancy: boolean;
  storage: ConsumerStorage;
  /** Alertmanager the ruler notifies. */
  alertmanagerUrl: string;
}

export const MIMIR_HTTP_PORT = 8080;
export const MIMIR_NAME = "mimir";

/** In-cluster base URL of Mimir (monolithic, `-target=all`). */
export function mimirBaseUrl(namespace: string): string {
  return `http://${MIMIR_NAME}.${namespace}.svc.cluster.local:${MIMIR_HTTP_PORT}`;
}

const memberlist = { kvstore: { store: "memberlist" } };

/**
 * Mimir's own config for a monolithic homelab: classic architecture (no Kafka ingest storage), ring
 * and HA tracker on memberlist, three distinct storage locations, credentials by `${VAR}` only.
 */
export function mimirConfig(input: MimirInputs): Record<string, any> {
  const rf = input.replicas >= 3 ? 3 : 1;
  const storage = input.storage;
  const location = (purpose: "blocks" | "ruler" | "alertmanager", dir: string) => {
    if (storage.kind === "filesystem") return { backend: "filesystem", filesystem: { dir: `/data/${dir}` } };
    const loc = storage.locations[purpose]!;
    return { s3: { bucket_name: loc.bucket }, ...(loc.prefix ? { storage_prefix: loc.prefix } : {}) };
  };
  return {
    multitenancy_enabled: input.multitenancy,
    usage_stats: { enabled: false },
    server: { http_listen_port: MIMIR_HTTP_PORT, grpc_listen_port: 9095, log_level: "info" },
    ingest_storage: { enabled: false },
    common: {
      storage:
        storage.kind === "s3"
          ? {
              backend: "s3",
              s3: {
                endpoint: endpointHost(storage.endpoint),
                region: storage.region,
                insecure: storage.insecure,
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
    alertmanager_storage: location("alertmanager", "alertmanager"),
    compactor: { data_dir: "/data/compactor", sharding_ring: memberlist },
    distributor: {
      ring: memberlist,
      ha_tracker: { enable_ha_tracker: true, kvstore: { store: "memberlist" } },
    },
    ingester: { ring: { ...memberlist, replication_factor: rf } },
    store_gateway: { sharding_ring: { ...memberlist, replication_factor: rf } },
    ruler: { rule_path: "/data/ruler", alertmanager_url: input.alertmanagerUrl, ring: memberlist },
    memberlist: { join_members: [`${MIMIR_NAME}-gossip.${input.namespace}.svc.cluster.local:7946`] },
    limits: {
      max_global_series_per_user: input.maxGlobalSeriesPerUser,
      ingestion_rate: input.ingestionRate,
      ingestion_burst_size: input.ingestionRate * 2,
      // HA dedup: Prometheus pairs (and Alloy) send cluster + __replica__; Mimir keeps one replica.
      accept_ha_samples: true,
      ha_cluster_label: "cluster",
      ha_replica_label: replicaLabelFor("mimir"),
      compactor_blocks_retention_period: "0",
    },
  };
}
