import {
  at,
  deepMerge,
  helmOf,
  holdsDashboards,
  parseDoc,
  perScope,
  textDataOf,
  type Res,
} from "./resources";

/** A Loki configuration found in a resource, with where it came from (for messages). */
export interface LokiConfigFound {
  /** Path prefix of the compactor block, e.g. `values.loki.compactor`. */
  where: string;
  /** The effective Loki config (compactor, limits_config, common, schema_config, storage_config). */
  config: Record<string, any>;
  /** Built from loki chart values (the chart's own defaults are part of it). */
  chart?: boolean;
}

/** Loki's config keys that identify raw Loki YAML in a ConfigMap or Secret. */
function looksLikeLoki(doc: Record<string, any>): boolean {
  return (
    "schema_config" in doc ||
    ("compactor" in doc &&
      ("limits_config" in doc || "storage_config" in doc || "ingester" in doc || "common" in doc))
  );
}

/**
 * Chart defaults that templates in values commonly reference (loki 6.49 values.yaml); a template
 * reading anything else stays unresolved and is not judged.
 */
const LOKI_VALUE_DEFAULTS: Record<string, unknown> = {
  "loki.storage.type": "s3",
  deploymentMode: "SimpleScalable",
};

/** Marks a value the chart's `tpl` would compute from something the pack cannot evaluate. */
export const UNRESOLVED_TEMPLATE = /\{\{/;

/**
 * Renders the simple templates the loki chart evaluates with `tpl` (config.tpl passes
 * `loki.compactor`, `limits_config`, `storage_config`, ... and the merged structuredConfig through
 * `tpl`): `{{ .Values.a.b }}` becomes the value at a.b (or its chart default). Anything else is
 * left as is, so callers can see it is unresolved.
 */
export function renderTemplates(v: any, values: any): any {
  if (typeof v === "string" && v.includes("{{")) {
    const whole = /^\s*\{\{-?\s*\.Values\.([\w.]+)\s*-?\}\}\s*$/.exec(v);
    const lookup = (path: string) => at(values, path) ?? LOKI_VALUE_DEFAULTS[path];
    if (whole) {
      const found = lookup(whole[1]);
      return found === undefined || typeof found === "object" ? v : found;
    }
    return v.replace(/\{\{-?\s*\.Values\.([\w.]+)\s*-?\}\}/g, (m, path: string) => {
      const found = lookup(path);
      return found === undefined || typeof found === "object" ? m : String(found);
    });
  }
  if (Array.isArray(v)) return v.map((x) => renderTemplates(x, values));
  if (v && typeof v === "object") {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, renderTemplates(x, values)]));
  }
  return v;
}

/** The store type key the chart writes under `common.storage` (templates/_helpers.tpl, loki.commonStorageConfig). */
function chartCommonStorageKey(values: any): string {
  if (at(values, "minio.enabled") === true) return "s3";
  const type = String(at(values, "loki.storage.type") ?? "s3");
  return ["s3", "gcs", "azure", "swift", "alibabacloud", "cos", "bos"].includes(type) ? type : "filesystem";
}

/**
 * The Loki config the loki chart renders from its values, as far as policies need it: the sections
 * config.tpl takes from `loki.*`, then `loki.structuredConfig` merged over them (last, and it wins:
 * `mergeOverwrite` in templates/_helpers.tpl loki.calculatedConfig; with Helm 3.17 a false or ""
 * there overrides too), then simple `{{ .Values.x }}` templates rendered.
 */
export function lokiChartConfig(values: any): Record<string, any> {
  const loki = values.loki ?? {};
  const commonConfig = loki.commonConfig ?? { path_prefix: "/var/loki", replication_factor: 3 };
  const fromValues: Record<string, any> = {
    compactor: loki.compactor,
    limits_config: loki.limits_config,
    schema_config: loki.schemaConfig,
    storage_config: loki.storage_config,
    ingester: loki.ingester,
    common:
      commonConfig && Object.keys(commonConfig).length > 0
        ? { ...commonConfig, storage: { [chartCommonStorageKey(values)]: {} } }
        : undefined,
  };
  for (const k of Object.keys(fromValues)) if (fromValues[k] === undefined) delete fromValues[k];
  return renderTemplates(deepMerge(fromValues, loki.structuredConfig ?? {}), values);
}

/**
 * Every Loki config in a resource: grafana/loki chart values (values + structuredConfig) or raw
 * YAML. Three Loki policies ask for a resource's configs (read-only), so within one scope (the
 * evaluator's per resource) each resource is worked out once.
 */
export const lokiConfigsIn: (res: Res) => LokiConfigFound[] = perScope(findLokiConfigs);

function findLokiConfigs(res: Res): LokiConfigFound[] {
  const helm = helmOf(res);
  if (helm && helm.chart === "loki") {
    const loki = helm.values.loki ?? {};
    const structured = loki.structuredConfig ?? {};
    const config = lokiChartConfig(helm.values);
    const where =
      at(structured, "compactor.retention_enabled") !== undefined
        ? "values.loki.structuredConfig.compactor"
        : "values.loki.compactor";
    const found: LokiConfigFound[] = [{ where, config, chart: true }];
    if (typeof loki.config === "string") {
      const doc = parseDoc(loki.config);
      if (doc && looksLikeLoki(doc)) found.push({ where: "values.loki.config: compactor", config: doc });
    }
    return found;
  }
  if (holdsDashboards(res)) return [];
  return (
    textDataOf(res)
      // A text whose characters name neither top-level key cannot hold them (looksLikeLoki): no
      // parse for it, which matters for the large ones (dashboards, rule files).
      .filter(({ text }) => text.includes("schema_config") || text.includes("compactor"))
      .map(({ key, text, field }) => ({ where: `${field}["${key}"]: compactor`, doc: parseDoc(text) }))
      .filter((x) => x.doc && looksLikeLoki(x.doc))
      .map((x) => ({ where: x.where, config: x.doc! }))
  );
}

export const STORE_TYPES = ["s3", "aws", "gcs", "azure", "swift", "filesystem", "bos", "cos", "alibabacloud"];

/** Valid delete_request_store values: a store type or a named store of storage_config.named_stores. */
export function validDeleteStores(config: Record<string, any>): string[] {
  const named = Object.values<any>(config.storage_config?.named_stores ?? {}).flatMap((stores) =>
    Object.keys(stores ?? {}),
  );
  return [...STORE_TYPES, ...named];
}

/** Keys of `common.storage` and `storage_config` and the store type each configures (pkg/storage/factory.go). */
const STORE_SECTIONS: Record<string, string[]> = {
  s3: ["s3", "aws"],
  aws: ["s3", "aws"],
  gcs: ["gcs"],
  azure: ["azure"],
  swift: ["swift"],
  filesystem: ["filesystem"],
  bos: ["bos"],
  cos: ["cos"],
  alibabacloud: ["alibabacloud"],
};

/** Whether two store types are one (s3 and aws: one configuration section serves both). */
export function sameStoreType(a: string, b: string): boolean {
  return a === b || (STORE_SECTIONS[a] ?? []).includes(b);
}

/**
 * Store types with a configuration: `common.storage.<type>` or `storage_config.<type>` sections.
 * Undefined when the config names no storage at all (it may come from flags; nothing to judge).
 */
export function configuredStoreTypes(config: Record<string, any>): string[] | undefined {
  const common = config.common?.storage;
  const sc = config.storage_config;
  if (!common && !sc) return undefined;
  const out = new Set<string>();
  for (const section of [common, sc]) {
    if (!section || typeof section !== "object") continue;
    for (const k of Object.keys(section)) for (const t of STORE_SECTIONS[k] ?? []) out.add(t);
  }
  return [...out];
}

/**
 * Replicas that take writes and the replication factor of a loki chart's values (chart defaults
 * applied). Which targets take writes follows the chart's deploymentMode (templates/_helpers.tpl,
 * loki.deployment.isSingleBinary / isScalable / isDistributed): the single binary, the write
 * target, the ingesters in Distributed mode; the transitional modes run both sides on one ring.
 */
export function lokiTopology(
  values: any,
  /** The chart's own default deploymentMode (SimpleScalable in 6.x, Monolithic from 12.0). */
  defaultMode = "SimpleScalable",
): {
  mode: string;
  rf: number;
  rfPath: string;
  single: number;
  write: number;
  read: number;
  backend: number;
  ingester: number;
  /** Replicas that take writes, and the values paths they come from. */
  writers: number;
  writerPaths: string[];
} {
  const mode = String(values.deploymentMode ?? defaultMode);
  // Precedence as Loki applies it: an explicit ingester ring factor, else common; structuredConfig wins over values.
  const candidates: [string, unknown][] = [
    [
      "values.loki.structuredConfig.ingester.lifecycler.ring.replication_factor",
      at(values, "loki.structuredConfig.ingester.lifecycler.ring.replication_factor"),
    ],
    [
      "values.loki.ingester.lifecycler.ring.replication_factor",
      at(values, "loki.ingester.lifecycler.ring.replication_factor"),
    ],
    [
      "values.loki.structuredConfig.common.replication_factor",
      at(values, "loki.structuredConfig.common.replication_factor"),
    ],
    ["values.loki.commonConfig.replication_factor", at(values, "loki.commonConfig.replication_factor")],
  ];
  const chosen = candidates.find(([, v]) => v !== undefined && v !== null);
  const rf = Number(chosen?.[1] ?? 3);
  const t = {
    single: Number(at(values, "singleBinary.replicas") ?? 0),
    write: Number(at(values, "write.replicas") ?? 3),
    read: Number(at(values, "read.replicas") ?? 3),
    backend: Number(at(values, "backend.replicas") ?? 3),
    ingester: Number(at(values, "ingester.replicas") ?? 0),
  };
  const sides: Record<string, (keyof typeof t)[]> = {
    SingleBinary: ["single"],
    "SingleBinary<->SimpleScalable": ["single", "write"],
    // Chart 12.0's names for the same two (loki 18.11.0 templates/_helpers.tpl loki.deployment.isMonolithic).
    Monolithic: ["single"],
    "Monolithic<->SimpleScalable": ["single", "write"],
    SimpleScalable: ["write"],
    "SimpleScalable<->Distributed": ["write", "ingester"],
    Distributed: ["ingester"],
  };
  const parts = sides[mode] ?? [];
  const pathOf = {
    single: "singleBinary",
    write: "write",
    ingester: "ingester",
    read: "read",
    backend: "backend",
  };
  return {
    mode,
    rf,
    rfPath: chosen?.[0] ?? "values.loki.commonConfig.replication_factor (chart default 3)",
    ...t,
    writers: parts.reduce((n, k) => n + t[k], 0),
    writerPaths: parts.map((k) => `values.${pathOf[k]}.replicas`),
  };
}
