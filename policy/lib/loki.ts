import { at, deepMerge, helmOf, parseDoc, textDataOf, type Res } from "./resources";

/** A Loki configuration found in a resource, with where it came from (for messages). */
export interface LokiConfigFound {
  /** Path prefix of the compactor block, e.g. `values.loki.compactor`. */
  where: string;
  /** The effective Loki config (compactor, limits_config, common, schema_config, storage_config). */
  config: Record<string, any>;
}

/** Loki's config keys that identify raw Loki YAML in a ConfigMap or Secret. */
function looksLikeLoki(doc: Record<string, any>): boolean {
  return (
    "schema_config" in doc ||
    ("compactor" in doc &&
      ("limits_config" in doc || "storage_config" in doc || "ingester" in doc || "common" in doc))
  );
}

/** Every Loki config in a resource: grafana/loki chart values (values + structuredConfig) or raw YAML. */
export function lokiConfigsIn(res: Res): LokiConfigFound[] {
  const helm = helmOf(res);
  if (helm && helm.chart === "loki") {
    const loki = helm.values.loki ?? {};
    const fromValues = {
      compactor: loki.compactor,
      limits_config: loki.limits_config,
      schema_config: loki.schemaConfig,
      storage_config: loki.storage_config,
    };
    const structured = loki.structuredConfig ?? {};
    const config = deepMerge(fromValues, structured);
    const where =
      at(structured, "compactor.retention_enabled") !== undefined
        ? "values.loki.structuredConfig.compactor"
        : "values.loki.compactor";
    const found: LokiConfigFound[] = [{ where, config }];
    if (typeof loki.config === "string") {
      const doc = parseDoc(loki.config);
      if (doc && looksLikeLoki(doc)) found.push({ where: "values.loki.config: compactor", config: doc });
    }
    return found;
  }
  return textDataOf(res)
    .map(({ key, text, field }) => ({ where: `${field}["${key}"]: compactor`, doc: parseDoc(text) }))
    .filter((x) => x.doc && looksLikeLoki(x.doc))
    .map((x) => ({ where: x.where, config: x.doc! }));
}

export const STORE_TYPES = ["s3", "aws", "gcs", "azure", "swift", "filesystem", "bos", "cos", "alibabacloud"];

/** Valid delete_request_store values: a store type or a named store of storage_config.named_stores. */
export function validDeleteStores(config: Record<string, any>): string[] {
  const named = Object.values<any>(config.storage_config?.named_stores ?? {}).flatMap((stores) =>
    Object.keys(stores ?? {}),
  );
  return [...STORE_TYPES, ...named];
}

/** Replicas that serve writes and the replication factor of a loki chart's values (chart defaults applied). */
export function lokiTopology(values: any): {
  mode: string;
  rf: number;
  single: number;
  write: number;
  read: number;
  backend: number;
} {
  const mode = String(values.deploymentMode ?? "SimpleScalable");
  const rf = Number(
    at(values, "loki.commonConfig.replication_factor") ??
      at(values, "loki.structuredConfig.common.replication_factor") ??
      3,
  );
  return {
    mode,
    rf,
    single: Number(at(values, "singleBinary.replicas") ?? 0),
    write: Number(at(values, "write.replicas") ?? 3),
    read: Number(at(values, "read.replicas") ?? 3),
    backend: Number(at(values, "backend.replicas") ?? 3),
  };
}
