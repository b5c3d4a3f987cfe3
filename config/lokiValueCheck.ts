/*
 * The Loki settings a stack passes through `chartValues.loki.loki.<block>` (and the values the
 * chart writes into a block under another name: `rulerConfig` as `ruler`, `commonConfig` as
 * `common`, `memberlistConfig` or `extraMemberlistConfig` as `memberlist`), judged against Loki's
 * own configuration reference at the pinned version (upstream/engines/data/loki-3.7.6) when the
 * stack file is read, not only against the chart's defaults. The chart copies each such block
 * whole into Loki's config file (loki 18.11.0 values.yaml `loki.config`, lines 334-553:
 * `{{- with .Values.loki.limits_config }} limits_config: {{- tpl (. | toYaml) $ }}`), so the
 * chart's own keys say nothing of what is under it: a key its default leaves out is no typo to the
 * chart check (chartValueCheck.ts), yet Loki refuses any key it does not know at load
 * (upstream/engines/references.ts, yaml.UnmarshalStrict). Judged here, it is one config problem
 * with its file and line and a closest match, and the stack never reaches the cluster.
 */
import { isMap } from "./tree";
import { misspelling, type ChartKeyMeant } from "./chartValueCheck";
import type { RefusedOverride } from "./errors";
import {
  checkEngineConfig,
  loadEngineReference,
  type EngineReference,
  type FieldProblem,
} from "../upstream/engines/references";
import { MissingReferenceError } from "../upstream/reference";
import { LOKI_REMOVED_KEYS } from "@homelab-observability/contract";

/**
 * The schema period the program has written since its first release (builders/logging/lokiValues.ts),
 * bar its object_store, the stack's store. Every log since `from` is stored in this layout.
 */
export const LOKI_SCHEMA_PERIOD = {
  from: "2024-04-01",
  store: "tsdb",
  schema: "v13",
  index: { prefix: "loki_index_", period: "24h" },
} as const;

/**
 * The chart's `loki.<key>` values it writes whole into a block of Loki's config, by the block's
 * name there (loki 18.11.0 values.yaml `loki.config`).
 */
export const LOKI_CONFIG_BLOCKS: Readonly<Record<string, string>> = {
  server: "server",
  pattern_ingester: "pattern_ingester",
  ingester: "ingester",
  ingester_client: "ingester_client",
  block_builder: "block_builder",
  limits_config: "limits_config",
  query_range: "query_range",
  storage_config: "storage_config",
  query_scheduler: "query_scheduler",
  compactor: "compactor",
  compactor_grpc_client: "compactor_grpc_client",
  analytics: "analytics",
  querier: "querier",
  index_gateway: "index_gateway",
  frontend: "frontend",
  frontend_worker: "frontend_worker",
  distributor: "distributor",
  bloom_build: "bloom_build",
  bloom_gateway: "bloom_gateway",
  operational_config: "operational_config",
};

/**
 * The chart's `loki.<key>` values it writes into a block of Loki's config under another name, each
 * only when the chart writes it (loki 18.11.0 values.yaml `loki.config`, lines 347-361, 378-383,
 * 442-444; templates/_helpers.tpl:418-421). What the chart adds to the block itself (`common`'s
 * storage, the ruler's storage helper, memberlist's join list) is the render's to judge.
 */
export const LOKI_RENAMED_BLOCKS: Readonly<
  Record<string, { block: string; written: (values: Record<string, unknown>) => boolean }>
> = {
  // `{{- if .Values.ruler.enabled }} {{ include "loki.rulerConfig" . }}`: merged over the ruler's
  // storage helper (`mergeOverwrite`), so every key given lands under `ruler`.
  rulerConfig: {
    block: "ruler",
    written: (values) =>
      !isMap(values.ruler) || !("enabled" in values.ruler) || Boolean(values.ruler.enabled),
  },
  // `{{- if .Values.loki.commonConfig}} common: {{- toYaml .Values.loki.commonConfig }}`, then the
  // chart's `storage:` under it.
  commonConfig: { block: "common", written: () => true },
  // `memberlist: {{- if .Values.loki.memberlistConfig }} {{- toYaml .Values.loki.memberlistConfig }}`:
  // it replaces the chart's memberlist block whole.
  memberlistConfig: { block: "memberlist", written: () => true },
  // `{{- else }} {{- toYaml .Values.loki.extraMemberlistConfig }}`, above the chart's join list:
  // read only when memberlistConfig is empty.
  extraMemberlistConfig: {
    block: "memberlist",
    written: (values) => {
      const own = isMap(values.loki) ? values.loki.memberlistConfig : undefined;
      return !isMap(own) || Object.keys(own).length === 0;
    },
  },
};

/**
 * The values of `lokiChartValues.loki` the chart writes into Loki's config, each with the block it
 * becomes there: {@link LOKI_CONFIG_BLOCKS}, and {@link LOKI_RENAMED_BLOCKS} where the chart writes them.
 */
function writtenBlocks(lokiChartValues: Record<string, unknown>): [string, string][] {
  return [
    ...Object.entries(LOKI_CONFIG_BLOCKS),
    ...Object.entries(LOKI_RENAMED_BLOCKS)
      .filter(([, { written }]) => written(lokiChartValues))
      .map(([key, { block }]): [string, string] => [key, block]),
  ];
}

/**
 * Whether a problem names a key under a block {@link lokiValueProblems} judges (the chart check then
 * stays silent on it): `lokiChartValues` are the stack's `chartValues.loki`, which say whether the
 * chart writes a renamed block at all.
 */
export function judgedByLoki(
  problem: string,
  project: string,
  lokiChartValues: Record<string, unknown> = {},
): boolean {
  const m = new RegExp(`^${project}:chartValues\\.loki\\.loki\\.(\\w+)\\.`).exec(problem);
  return m !== null && writtenBlocks(lokiChartValues).some(([key]) => key === m[1]);
}

/** A copy without the values the chart computes with `tpl` (`{{ ... }}`): their result is the render's to judge. */
function withoutTemplates(v: unknown): unknown {
  if (typeof v === "string" && v.includes("{{")) return null;
  if (Array.isArray(v)) return v.map(withoutTemplates);
  if (isMap(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withoutTemplates(x)]));
  return v;
}

/**
 * An unknown-key problem with its closest known key at that level, and a word the key does not take
 * with its closest word, when one is a likely misspelling (the same measure as a chart key's).
 */
export function unknownKeyHint(p: FieldProblem): FieldProblem {
  if (p.choices) {
    const near = misspelling(p.choices.found, p.choices.words);
    return near ? { ...p, message: `${p.message}; did you mean ${JSON.stringify(near)}?` } : p;
  }
  if (!p.known) return p;
  const parts = p.path.split(".");
  const near = misspelling(parts[parts.length - 1], p.known);
  return near
    ? { ...p, message: `${p.message}; did you mean ${[...parts.slice(0, -1), near].join(".")}?` }
    : p;
}

/**
 * Every problem of the stack's `chartValues.loki.loki.<block>` against Loki's reference, worded
 * for the stack file (`<project>:chartValues.loki.loki.limits_config.<key>: ...`): unknown keys
 * with a closest match, values of the wrong form. The load-time rules between keys (ENGINE_RULES)
 * need the whole config and are the render's; {@link lokiSchemaProblems} judges the schema.
 */
export function lokiValueProblems(
  lokiChartValues: Record<string, unknown> | undefined,
  project: string,
  reference?: EngineReference,
  /** Where each misspelt key is added with the key it means (chartValueCheck.ts {@link ChartKeyMeant}), when given. */
  meant?: ChartKeyMeant[],
  /** Where each key refused is added with its problem (config/errors.ts RefusedOverride), when given. */
  refused?: RefusedOverride[],
): string[] {
  const own = lokiChartValues?.loki;
  if (!lokiChartValues || !isMap(own)) return [];
  // Loaded only for a stack that sets Loki's own settings: reading the reference costs every
  // other synthesis about 5 ms.
  const ref = reference ?? lokiReference();
  if (!ref) return [];
  const out: string[] = [];
  for (const [chartKey, block] of writtenBlocks(lokiChartValues)) {
    if (!isMap(own[chartKey])) continue;
    const config = { [block]: withoutTemplates(own[chartKey]) };
    for (const p of checkEngineConfig(ref, config).map(unknownKeyHint)) {
      if (p.severity !== "error" || p.path === "") continue;
      const key = `chartValues.loki.loki.${chartKey}${p.path.slice(block.length)}`;
      const removed = p.known ? removedKeyMessage(ref, p, key) : undefined;
      const problem = `${project}:${key}: ${removed ?? (p.known ? unknownKeyMessage(ref, p, key) : p.message)}`;
      out.push(problem);
      // The path under chartValues, a list's index as its own step (`configs[0]` is configs, 0).
      const given = key.slice("chartValues.".length).match(/[^.[\]]+/g) ?? [];
      refused?.push({ problem, path: given });
      // A removed key names the key that replaced it, no closest key to read it as.
      if (removed) continue;
      const near = closestKey(p);
      if (near) meant?.push({ problem, given, meant: [...given.slice(0, -1), near] });
    }
  }
  const schema = schemaProblems(own, project, ref);
  // The schema is one override: any of its problems refuses it whole.
  for (const problem of schema) refused?.push({ problem, path: ["loki", "loki", "schemaConfig"] });
  return [...out, ...schema];
}

/**
 * The schema override: first whether it keeps the logs already written readable
 * ({@link lokiSchemaProblems}); if it does, Loki's own start-up rules of the schema (ENGINE_RULES,
 * run on the schema alone, so no rule of another block fires on a part of the config) and its
 * keys. One message per mistake: a changed period is not refused again for its period.
 */
function schemaProblems(own: Record<string, unknown>, project: string, ref: EngineReference): string[] {
  const kept = lokiSchemaProblems(own, project);
  if (kept.length > 0 || !isMap(own.schemaConfig)) return kept;
  const key = "chartValues.loki.loki.schemaConfig";
  return checkEngineConfig(ref, { schema_config: withoutTemplates(own.schemaConfig) })
    .map(unknownKeyHint)
    .filter((p) => p.severity === "error")
    .map((p) =>
      p.path === ""
        ? `${project}:${key}.configs: ${p.message.replace(/(?<!\/)schema_config\.configs/g, "configs")}`
        : `${project}:${key}${p.path.slice("schema_config".length)}: ${p.known ? unknownKeyMessage(ref, p, `${key}${p.path.slice("schema_config".length)}`) : p.message}`,
    );
}

/**
 * An override of the schema that would leave the logs already written unreadable. Loki finds a
 * day's index and chunks by the period whose `from` covers it (grafana/loki v3.7.6
 * pkg/storage/config/schema_config.go SchemaForTime): a list without the program's period, or
 * with it changed (store, schema, object_store, index prefix or period, or its `from` moved),
 * reads every day since 2024-04-01 with another layout and finds nothing. A new period is added
 * after it with a `from` date not yet written (docs/how-to/chart-values.md).
 */
export function lokiSchemaProblems(own: Record<string, unknown>, project: string): string[] {
  const schema = own.schemaConfig;
  if (schema === undefined) return [];
  const key = `${project}:chartValues.loki.loki.schemaConfig`;
  const configs = isMap(schema) ? schema.configs : undefined;
  const expected = `the period the program writes kept as it is (${JSON.stringify(LOKI_SCHEMA_PERIOD)} with the stack's object_store), new periods after it`;
  if (!Array.isArray(configs))
    return [
      `${key}: expected a map with configs: a list of periods, ${expected}; got ${JSON.stringify(schema)} (Loki would read no schema and stop at start, or lose the days already written)`,
    ];
  const i = configs.findIndex((c) => isMap(c) && String(c.from) === LOKI_SCHEMA_PERIOD.from);
  if (i < 0)
    return [
      `${key}.configs: expected ${expected}; got no period from ${LOKI_SCHEMA_PERIOD.from}, so every log written since then would be read with another layout and not be found`,
    ];
  const c = configs[i] as Record<string, unknown>;
  const index = isMap(c.index) ? c.index : {};
  const fields: [string, unknown, string][] = [
    ["store", c.store, LOKI_SCHEMA_PERIOD.store],
    ["schema", c.schema, LOKI_SCHEMA_PERIOD.schema],
    ["index.prefix", index.prefix, LOKI_SCHEMA_PERIOD.index.prefix],
    ["index.period", index.period, LOKI_SCHEMA_PERIOD.index.period],
  ];
  return fields
    .filter(([, got, want]) => got !== want)
    .map(
      ([field, got, want]) =>
        `${key}.configs[${i}].${field}: expected ${JSON.stringify(want)}, what every log since ${LOKI_SCHEMA_PERIOD.from} was written with (changing a period already written makes those logs unreadable; add a new period with a future from date instead), got ${JSON.stringify(got)}`,
    );
}

/** The key of its level an unknown key's problem is a likely misspelling of, if any. */
function closestKey(p: FieldProblem): string | undefined {
  return p.known ? misspelling(p.path.split(".").pop() ?? "", p.known) : undefined;
}

/** An unknown key of a Loki block, worded for the stack file: what Loki takes there, what was found, the closest key. */
function unknownKeyMessage(ref: EngineReference, p: FieldProblem, key: string): string {
  const parts = p.path.split(".");
  const name = parts[parts.length - 1];
  const near = closestKey(p);
  const parent = parts
    .slice(0, -1)
    .join(".")
    .replace(/\[\d+\]/g, "[]");
  return (
    `unknown key of Loki ${ref.version}'s ${parent} (the loki chart copies it into Loki's config file, and Loki refuses an unknown key at start), ` +
    `expected a key of ${parent} in Loki's configuration reference (upstream/engines/data/${ref.folder}), got ${JSON.stringify(name)}` +
    (near ? `; did you mean ${key.replace(/[^.]+$/, near)}?` : "")
  );
}

/**
 * An unknown key that is one Loki 3.0 removed (`compactor.shared_store`), worded as the pack's
 * `loki-shared-store-removed` says it: what Loki does with it and the key that does its work now.
 * Undefined for any other unknown key.
 */
function removedKeyMessage(ref: EngineReference, p: FieldProblem, key: string): string | undefined {
  const parts = p.path.split(".");
  if (parts.length !== 2) return undefined;
  const [block, name] = parts;
  const removed = LOKI_REMOVED_KEYS[block];
  if (!removed || !Object.hasOwn(removed, name)) return undefined;
  return (
    `a key Loki 3.0 removed (the loki chart copies it into Loki's config file, and Loki ${ref.version} refuses it at start: "field ${name} not found in type ${block}.Config"), ` +
    `expected no ${name} in ${block}, got ${JSON.stringify(name)}; remove it and use ${key.replace(/[^.]+$/, removed[name])} instead`
  );
}

/** Loki's reference, or undefined when its data file is absent (the render says so). */
function lokiReference(): EngineReference | undefined {
  try {
    return loadEngineReference("loki");
  } catch (e) {
    if (e instanceof MissingReferenceError) return undefined;
    throw e;
  }
}
