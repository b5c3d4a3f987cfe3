import type { Backend } from "../../model/phases";
/** The Prometheus (kube-prometheus-stack) remote_write entry while KPS and the backend both run (caps.prometheusRemoteWrite). */
export interface RemoteWriteInputs {
  backend: Backend;
  url: string;
  /** X-Scope-OrgID when Mimir multitenancy is on. */
  tenant?: string;
}

/** Replica label each backend deduplicates HA pairs on (Mimir's HA tracker expects `__replica__`). */
export function replicaLabelFor(backend: Backend): string {
  return backend === "mimir" ? "__replica__" : "prometheus_replica";
}

export function remoteWriteEntry(input: RemoteWriteInputs): Record<string, any> {
  return {
    name: input.backend,
    url: input.url,
    ...(input.tenant ? { headers: { "X-Scope-OrgID": input.tenant } } : {}),
    // A small cluster: modest shards, bounded memory, retries that ride out a backend restart.
    queueConfig: {
      capacity: 10000,
      maxShards: 10,
      minShards: 1,
      maxSamplesPerSend: 2000,
      batchSendDeadline: "5s",
      minBackoff: "100ms",
      maxBackoff: "30s",
    },
    ...(input.backend === "victoriametrics"
      ? // vmsingle dedups identical series; a replica label would split them.
        { writeRelabelConfigs: [{ action: "labeldrop", regex: "prometheus_replica" }] }
      : {}),
  };
}
