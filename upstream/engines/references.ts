/*
 * Loki's and Mimir's configuration references, read from upstream/engines/data/ (each folder's
 * README names its upstream source; upstream/refresh/ rebuilds it), and the load-time rules both engines apply to the YAML file they are
 * given. Nothing here restates a key, a type or a default: those are the reference's rows. What is
 * restated is how the engines read the file, each read in their source at the pinned version (the
 * check runs no engine; Loki 3.7.6 itself was run once in a session against these rules,
 * docs/explanation/engine-references.md "Run against Loki 3.7.6"; Mimir's are read, not run):
 *
 * - Loki v3.7.6 loads the file strictly: pkg/util/cfg/dynamic.go:25 (`ConfigFileLoader(args,
 *   "config.file", true)`) -> pkg/util/cfg/files.go:56-69 (`yaml.UnmarshalStrict`, gopkg.in/yaml.v2):
 *   an unknown key stops Loki at start.
 * - Mimir 3.0.0 loads it with `dec.KnownFields(true)` (cmd/mimir/main.go:297-303 at mimir-3.0.0): an
 *   unknown key stops Mimir at start.
 * - `time.Duration` fields take Go's `time.ParseDuration` ("a possibly signed sequence of decimal
 *   numbers, each with optional fraction and a unit suffix ... ns, us (or µs), ms, s, m, h",
 *   https://pkg.go.dev/time#ParseDuration): no `d`, `w` or `y`. `model.Duration` fields take
 *   Prometheus's `model.ParseDuration` (vendor/github.com/prometheus/common/model/time.go:205-259 at
 *   loki v3.7.6: "0", or integers with units y, w, d, h, m, s, ms, largest first, no fraction).
 * - Which Mimir durations are `model.Duration`: every field of the `limits` block that is a duration
 *   is declared `model.Duration` in pkg/util/validation/limits.go:133-304 at mimir-3.0.0; no other
 *   struct under pkg/ declares a yaml field `model.Duration` (git grep at that tag). Loki's reference
 *   has the answer per key (column `go_duration`).
 */
import * as path from "path";
import { MISTAKES } from "@homelab-observability/contract";
import { readReferenceFile, referenceDataDir } from "../reference";

export type Engine = "loki" | "mimir";

/** The reference folder of each engine under upstream/engines/data/. */
export const ENGINE_REFERENCES: Record<Engine, string> = { loki: "loki-3.7.6", mimir: "mimir-3.0" };
const FILES: Record<Engine, string> = { loki: "config-keys.tsv", mimir: "config-fields.tsv" };
/** Loki's listed values (upstream/refresh/loki.ts VALUE_KEYS), beside its keys. */
const LOKI_VALUES_FILE = "config-values.tsv";
/** Each engine's reference file, relative to upstream/engines/data/. */
export const ENGINE_REFERENCE_FILES: Record<Engine, string> = {
  loki: `${ENGINE_REFERENCES.loki}/${FILES.loki}`,
  mimir: `${ENGINE_REFERENCES.mimir}/${FILES.mimir}`,
};

export type DurationKind = "time.Duration" | "model.Duration";
export type Category = "basic" | "advanced" | "experimental" | "deprecated";

/** One key of an engine's configuration file (or a flag without one), as its reference states it. */
export interface EngineField {
  /** Dotted path: `a.b[].c` (list items), `a.b.*.c` (map values). Empty for flag-only rows. */
  path: string;
  /** The reference's type placeholder (`string`, `int`, `duration`, `list of strings`, ...). */
  type: string;
  /** leaf/field, block, list, map, opaque (keys below not listed), flag-only. */
  kind: "leaf" | "block" | "list" | "map" | "opaque" | "flag-only";
  /** The flag without its leading dash, if any. */
  flag?: string;
  /** The default as the reference prints it (Loki only; `3MB` marks a byte size). */
  default?: string;
  duration?: DurationKind;
  /** Mimir only: the field's category at the pinned version. */
  category?: Category;
  /** False when the field exists in the reference's source but not at the pinned version (Mimir delta). */
  atVersion: boolean;
  /** The words the key takes, where the reference lists them (Loki's config-values.tsv), and that row. */
  values?: { words: string[]; source: string };
  /** Where the row comes from, for messages. */
  source: string;
}

export interface EngineReference {
  engine: Engine;
  folder: string;
  /** The engine version the reference describes (from the data itself). */
  version: string;
  fields: Map<string, EngineField>;
  flags: Map<string, EngineField>;
}

function tsvRows(text: string): string[][] {
  return text
    .split("\n")
    .filter((l) => l !== "" && !l.startsWith("#"))
    .map((l) => l.split("\t"));
}

function parseLoki(text: string, folder: string): EngineReference {
  // First line: `# source: grafana/loki v3.6.3:docs/sources/shared/configuration.md`.
  const m = /^# source: grafana\/loki v([0-9][^:\s]*):/.exec(text);
  if (!m)
    throw new Error(`${folder}/${FILES.loki}: expected a first line "# source: grafana/loki v<version>:..."`);
  const [header, ...rows] = tsvRows(text);
  const col = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0)
      throw new Error(`${folder}/${FILES.loki}: expected a column ${name}, found ${header.join(", ")}`);
    return i;
  };
  const [p, t, f, k, d, line, def] = [
    "path",
    "type",
    "cli_flag",
    "kind",
    "go_duration",
    "md_line",
    "default",
  ].map(col);
  const ref: EngineReference = { engine: "loki", folder, version: m[1], fields: new Map(), flags: new Map() };
  for (const r of rows) {
    const field: EngineField = {
      path: r[p],
      type: r[t],
      kind: r[k] as EngineField["kind"],
      ...(r[f] ? { flag: r[f].replace(/^-+/, "") } : {}),
      ...(r[def] ? { default: r[def] } : {}),
      ...(r[d] === "time.Duration" || r[d] === "model.Duration" ? { duration: r[d] } : {}),
      atVersion: true,
      source: `${folder}/${FILES.loki} (configuration.md:${r[line]})`,
    };
    ref.fields.set(field.path, field);
    if (field.flag) ref.flags.set(field.flag, field);
  }
  return ref;
}

/** Sets each listed key's words (config-values.tsv: path, values, md_line) on its field. */
function readLokiValues(text: string, folder: string, ref: EngineReference): void {
  const [header, ...rows] = tsvRows(text);
  const where = `${folder}/${LOKI_VALUES_FILE}`;
  const [p, v, line] = ["path", "values", "md_line"].map((name) => {
    const i = header?.indexOf(name) ?? -1;
    if (i < 0) throw new Error(`${where}: expected a column ${name}, found ${(header ?? []).join(", ")}`);
    return i;
  });
  for (const r of rows) {
    const field = ref.fields.get(r[p]);
    if (!field) throw new Error(`${where}: ${r[p]} is no key of ${folder}/${FILES.loki}`);
    if (!LISTED_VALUES.some((l) => l.key.test(r[p])))
      throw new Error(
        `${where}: ${r[p]} lists values, but upstream/engines/references.ts LISTED_VALUES says nothing of what Loki does with another`,
      );
    field.values = { words: r[v].split(","), source: `${where} (configuration.md:${r[line]})` };
  }
}

function parseMimir(text: string, folder: string): EngineReference {
  const [header, ...rows] = tsvRows(text);
  // The version column names the release the rows are adjusted to (`mimir_3_0_0`).
  const versionCol = header.findIndex((h) => /^mimir_\d+_\d+_\d+$/.test(h));
  if (versionCol < 0)
    throw new Error(
      `${folder}/${FILES.mimir}: expected a column mimir_<major>_<minor>_<patch>, found ${header.join(", ")}`,
    );
  const version = header[versionCol].replace(/^mimir_/, "").replace(/_/g, ".");
  const col = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0)
      throw new Error(`${folder}/${FILES.mimir}: expected a column ${name}, found ${header.join(", ")}`);
    return i;
  };
  const [p, f, t, c, k, s] = ["yaml_path", "flag", "type", "category", "kind", "source"].map(col);
  const ref: EngineReference = { engine: "mimir", folder, version, fields: new Map(), flags: new Map() };
  for (const r of rows) {
    const delta = r[versionCol];
    const category = (/^category-[\d.]+=(\w+)$/.exec(delta)?.[1] ?? r[c]) as Category | "";
    const kind = r[k] === "field" ? (r[t] === "block" ? "block" : "leaf") : (r[k] as EngineField["kind"]);
    const field: EngineField = {
      path: r[p],
      type: r[t],
      kind,
      ...(r[f] ? { flag: r[f] } : {}),
      ...(r[t] === "duration"
        ? { duration: r[p].startsWith("limits.") ? ("model.Duration" as const) : ("time.Duration" as const) }
        : {}),
      ...(category ? { category } : {}),
      atVersion: !delta.startsWith("added-after-"),
      source: `${folder}/${FILES.mimir} (${r[s]})`,
    };
    if (field.path) ref.fields.set(field.path, field);
    if (field.flag) ref.flags.set(field.flag, field);
  }
  return ref;
}

/**
 * Keys and flags the engines accept that their reference hides (`doc:"hidden"`), each read in the
 * source at the pinned version; the charts pass some of them.
 */
const HIDDEN: Record<Engine, EngineField[]> = {
  loki: [
    {
      // grafana/loki v3.7.6 pkg/loki/loki.go:134 (`yaml:"legacy_read_target" doc:"hidden|deprecated"`)
      // and :170 (`f.BoolVar(&c.LegacyReadTarget, "legacy-read-mode", false, "Deprecated. ...")`);
      // the loki chart 18.11.0 passes -legacy-read-mode=false to its backend target
      // (templates/backend/workload.yaml).
      path: "legacy_read_target",
      type: "boolean",
      kind: "leaf",
      flag: "legacy-read-mode",
      category: "deprecated",
      atVersion: true,
      source: "grafana/loki v3.7.6 pkg/loki/loki.go:134,170 (hidden)",
    },
    // The flags of Loki's ConfigWrapper, which main() reads beside the config's own (no key of the
    // file): grafana/loki v3.7.6 pkg/loki/config_wrapper.go:54-58. Loki 3.7.6 run with each of
    // them and -verify-config: accepted.
    ...["verify-config", "print-config-stderr", "list-targets", "log-config-reverse-order"].map(
      (flag): EngineField => ({
        path: "",
        type: "boolean",
        kind: "leaf",
        flag,
        atVersion: true,
        source: "grafana/loki v3.7.6 pkg/loki/config_wrapper.go:54-58 (ConfigWrapper.RegisterFlags)",
      }),
    ),
  ],
  mimir: [],
};

/** A load-time rule an engine's `Validate()` applies to its parsed config, read in its source. */
export interface EngineRule {
  engine: Engine;
  /** Where the rule is, in the engine's source at the pinned version. */
  source: string;
  /** What is wrong with a parsed config, or undefined. */
  problem(config: unknown): string | undefined;
  /** The mistake's key when the pack reports the same mistake (contract/mistakes.ts MISTAKES). */
  mistake?: string;
}

function at(config: unknown, path: string): unknown {
  let v: unknown = config;
  for (const part of path.split(".")) {
    if (typeof v !== "object" || v === null) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/** A YAML scalar's text as the engine's string field reads it; undefined for a block or list. */
const scalarText = (v: unknown): string | undefined =>
  typeof v === "string" || typeof v === "number" || typeof v === "boolean" ? String(v) : undefined;

/** The schema periods of a parsed Loki config (`schema_config.configs`), when it is a list. */
const schemaPeriods = (config: unknown): Record<string, unknown>[] => {
  const configs = at(config, "schema_config.configs");
  return Array.isArray(configs) ? configs.filter((c) => typeof c === "object" && c !== null) : [];
};

export const ENGINE_RULES: readonly EngineRule[] = [
  {
    // PeriodConfig.validate, run for every period by SchemaConfig.Validate (:311-341), which
    // Config.Validate calls before any module starts (pkg/loki/loki.go:284-287).
    engine: "loki",
    source: "grafana/loki v3.7.6 pkg/storage/config/schema_config.go:48, 464-471 (PeriodConfig.validate)",
    problem: (config) => {
      // The period is read as a model.Duration (IndexPeriodicTableConfig.UnmarshalYAML, the
      // reference's go_duration) and compared as a duration: "1d" and "24h0m" are 24h (Loki 3.7.6
      // run with each: accepted). A period that does not parse is the reference check's to report.
      const bad = schemaPeriods(config)
        .map((c, i) => ({ i, c, period: (c.index as Record<string, unknown> | undefined)?.period }))
        .filter(({ c, period }) => {
          const text = scalarText(period);
          if (c.store !== "tsdb" || text === undefined) return false;
          const ms = modelDurationMs(text);
          return ms !== undefined && ms !== 86_400_000;
        });
      return bad.length === 0
        ? undefined
        : bad
            .map(
              ({ i, period }) =>
                `schema_config.configs[${i}].index.period is ${JSON.stringify(period)} with store tsdb: Loki stops at start ("tsdb must always have periodic config for index set to 24h"); set it to 24h`,
            )
            .join("; ");
    },
  },
  {
    engine: "loki",
    source: "grafana/loki v3.7.6 pkg/storage/config/schema_config.go:44, 335-339 (SchemaConfig.Validate)",
    problem: (config) => {
      const froms = schemaPeriods(config).map((c) =>
        typeof c.from === "string" ? c.from : JSON.stringify(c.from ?? ""),
      );
      const i = froms.findIndex((f, j) => j > 0 && !(froms[j - 1] < f));
      return i < 0
        ? undefined
        : `schema_config.configs[${i}].from is "${froms[i]}", not after configs[${i - 1}].from "${froms[i - 1]}": Loki stops at start ("from time in schemas must be distinct and in increasing order"); order the periods by date, each on its own day`;
    },
  },
  {
    engine: "loki",
    source: "grafana/loki v3.7.6 pkg/compactor/config.go:107-110 (Config.Validate)",
    mistake: MISTAKES.lokiDeleteStore,
    problem: (config) =>
      at(config, "compactor.retention_enabled") === true && !at(config, "compactor.delete_request_store")
        ? 'compactor.retention_enabled is true without compactor.delete_request_store: Loki stops at start ("compactor.delete-request-store should be configured when retention is enabled"); set it to the object store the schema writes to'
        : undefined,
  },
  {
    // New in 3.7 (git diff v3.6.3 v3.7.6 -- pkg/compactor/config.go): checked only with retention on.
    engine: "loki",
    source: "grafana/loki v3.7.6 pkg/compactor/config.go:125-127 (Config.Validate)",
    problem: (config) => {
      const prefix = at(config, "compactor.deletion_marker_object_store_prefix");
      return at(config, "compactor.retention_enabled") === true &&
        typeof prefix === "string" &&
        prefix !== "" &&
        !prefix.endsWith("/")
        ? `compactor.deletion_marker_object_store_prefix is "${prefix}" with retention on: Loki stops at start ("deletion marker object store prefix must end with /"); end it with "/" or leave it empty (markers stay on the local disk)`
        : undefined;
    },
  },
  {
    // New in 3.7: Config.Validate calls JobsConfig.Validate whatever retention says.
    engine: "loki",
    source:
      "grafana/loki v3.7.6 pkg/compactor/config.go:130-132, 149-151, 171-177 (DeletionJobsConfig.Validate)",
    problem: (config) => {
      const prefix = at(config, "compactor.jobs_config.deletion.deletion_manifest_store_prefix");
      return typeof prefix === "string" && !prefix.endsWith("/")
        ? `compactor.jobs_config.deletion.deletion_manifest_store_prefix is "${prefix}": Loki stops at start ("deletion manifest store prefix must end with /"); end it with "/" (the default is the reference's)`
        : undefined;
    },
  },
  {
    // With retention on, Config.Validate checks the delete store's key prefix with
    // ValidatePathPrefix (pkg/storage/config/schema_config.go:580-594); the default is "index/".
    engine: "loki",
    source:
      "grafana/loki v3.7.6 pkg/compactor/config.go:119-121 (Config.Validate), pkg/storage/config/schema_config.go:580-594 (ValidatePathPrefix)",
    problem: (config) => {
      const prefix = at(config, "compactor.delete_request_store_key_prefix");
      const text = scalarText(prefix);
      if (at(config, "compactor.retention_enabled") !== true || text === undefined) return undefined;
      const why =
        text === ""
          ? "prefix must be set"
          : text.includes("\\")
            ? "prefix should only have '/' as a path separator"
            : text.startsWith("/")
              ? "prefix should never start with a path separator i.e '/'"
              : !text.endsWith("/")
                ? "prefix should end with a path separator i.e '/'"
                : undefined;
      return why
        ? `compactor.delete_request_store_key_prefix is ${JSON.stringify(text)} with retention on: Loki stops at start ("validate delete store path prefix: ${why}"); use a relative path ending in "/", like the default "index/"`
        : undefined;
    },
  },
  {
    // Each schema period's store, object_store, schema and from, as Config.Validate and the loader
    // read them: validateSchemaValues (pkg/loki/validation.go:93-115) against the store names of
    // pkg/storage/types/types.go:3-47,50-72 and pkg/storage/bucket/client.go:57 (with
    // storage_config.use_thanos_objstore), PeriodConfig.validate's versions
    // (pkg/storage/config/schema_config.go:482-496, VersionAsInt :514-528: "v" trimmed, 9 to 13),
    // DayTime.UnmarshalYAML (:200-211, time.Parse("2006-01-02")). Loki 3.7.6 run with store
    // "tsbd", schema "v14", object_store "s4" and from "2024-13-01": each refused at load.
    engine: "loki",
    source:
      "grafana/loki v3.7.6 pkg/loki/validation.go:93-115, pkg/storage/config/schema_config.go:200-211, 482-496, 514-528",
    problem: (config) => {
      const thanos = at(config, "storage_config.use_thanos_objstore") === true;
      const named = (root: string) =>
        Object.values(
          isObject(at(config, root)) ? (at(config, root) as Record<string, unknown>) : {},
        ).flatMap((stores) => (isObject(stores) ? Object.keys(stores) : []));
      const objectStores = thanos
        ? [...LOKI_THANOS_BACKENDS, ...named("storage_config.object_store.named_stores")]
        : [...LOKI_STORAGE_TYPES, ...named("storage_config.named_stores")];
      const out: string[] = [];
      schemaPeriods(config).forEach((c, i) => {
        const at = `schema_config.configs[${i}]`;
        const [store, objectStore, schema, from] = [c.store, c.object_store, c.schema, c.from].map(
          scalarText,
        );
        if (store !== undefined && !LOKI_INDEX_TYPES.includes(store))
          out.push(
            `${at}.store is ${JSON.stringify(c.store)}: Loki stops at start ("unrecognized \`store\` (index) type"); use one of ${LOKI_SUPPORTED_INDEX_TYPES.join(", ")}`,
          );
        if (objectStore !== undefined && !objectStores.includes(objectStore))
          out.push(
            `${at}.object_store is ${JSON.stringify(c.object_store)}, which is no store type and no named store: Loki stops at start ("unrecognized \`object_store\` type"); use one of ${objectStores.join(", ")}`,
          );
        if (schema !== undefined) {
          const v = schema.replace(/^v+|v+$/g, "");
          const n = /^[+-]?\d+$/.test(v) ? Number(v) : NaN;
          if (!(n >= 9 && n <= 13))
            out.push(
              `${at}.schema is ${JSON.stringify(c.schema)}: Loki stops at start ("invalid schema version"); Loki 3.7.6 knows v9 to v13 (v13 for new periods)`,
            );
        }
        if (from !== undefined && !isDay(from))
          out.push(
            `${at}.from is ${JSON.stringify(c.from)}: Loki stops at load (it parses the day as YYYY-MM-DD, Go's time.Parse("2006-01-02")); write a real day like "2024-04-01"`,
          );
      });
      return out.length ? out.join("; ") : undefined;
    },
  },
];

/** Loki 3.7.6's index types: supported, deprecated and testing (pkg/storage/types/types.go:3-18, 45-47, 50-72). */
const LOKI_SUPPORTED_INDEX_TYPES = ["boltdb-shipper", "tsdb"];
const LOKI_INDEX_TYPES = [
  ...LOKI_SUPPORTED_INDEX_TYPES,
  ...["aws", "aws-dynamo", "bigtable", "bigtable-hashed", "boltdb", "cassandra", "gcp", "gcp-columnkey"],
  ...["grpc-store", "inmemory"],
];
/** Loki 3.7.6's object store types: supported, deprecated and testing (pkg/storage/types/types.go:20-47, 50-72). */
const LOKI_STORAGE_TYPES = [
  ...["filesystem", "aws", "alibabacloud", "azure", "bos", "cos", "gcs", "s3", "swift", "noop"],
  ...[
    "aws-dynamo",
    "bigtable",
    "bigtable-hashed",
    "cassandra",
    "gcp",
    "gcp-columnkey",
    "grpc-store",
    "inmemory",
  ],
];
/** With use_thanos_objstore (pkg/storage/bucket/client.go:57 SupportedBackends). */
const LOKI_THANOS_BACKENDS = ["s3", "gcs", "azure", "swift", "filesystem", "alibabacloud", "bos"];

/** Whether Go's time.Parse("2006-01-02") reads `s`: four-digit year, month 01-12, a day of that month. */
function isDay(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = m.slice(1).map(Number);
  return mo >= 1 && mo <= 12 && d >= 1 && d <= new Date(Date.UTC(y, mo, 0)).getUTCDate();
}

/**
 * A load-time rule an engine's `Validate()` applies to one key's value, read in its source: its
 * problems are named at the entry they concern (`limits_config.retention_stream[1].period`), so a
 * stack file's override of that key is named with its line.
 */
export interface EngineValueRule {
  engine: Engine;
  /** The key's path in the reference. */
  field: string;
  source: string;
  /**
   * What is wrong with the key's value at `path` (the path as the config has it): a path below it
   * and why, with the words the key takes when it takes one of a few (for a closest match).
   * `config` is the whole parsed config when the check has it (not for a flag).
   */
  problems(value: unknown, path: string, config?: unknown): ValueProblem[];
}

/** A value's problem: where, why, and for a key that takes one of a few words, those words and what was found. */
export interface ValueProblem {
  path: string;
  message: string;
  choices?: Choices;
}

/** The words a key takes and the text found, for a "did you mean" (config/lokiValueCheck.ts unknownKeyHint). */
export interface Choices {
  found: string;
  words: readonly string[];
}

/** Loki's least stream retention period (pkg/validation/limits.go:605, `24*time.Hour`). */
const LOKI_LEAST_STREAM_RETENTION_MS = 86_400_000;

/** A value that is none of `words`: the problem, with the words for a closest match. */
function wordProblem(
  value: unknown,
  path: string,
  words: readonly string[],
  stops: string,
  caseless = false,
): ValueProblem[] {
  const text = scalarText(value);
  if (text === undefined) return [];
  const known = caseless ? words.some((w) => w.toLowerCase() === text.toLowerCase()) : words.includes(text);
  return known
    ? []
    : [
        {
          path,
          message: `expected one of ${words.join(", ")}; found ${JSON.stringify(value)}: ${stops}`,
          choices: { found: text, words },
        },
      ];
}

/**
 * A key that takes one of a few words, as the engine's source lists them; `caseless` when the engine
 * compares them ignoring case; `ignored` when the engine does not read the key in that config (then
 * any value passes). Loki 3.7.6 run with a misspelt one of each: refused.
 */
function oneOf(
  field: string,
  words: readonly string[],
  source: string,
  stops: string,
  options: { caseless?: boolean; ignored?: (text: string, config: unknown) => boolean } = {},
): EngineValueRule {
  return {
    engine: "loki",
    field,
    source,
    problems: (value, path, config) => {
      const text = scalarText(value);
      return text !== undefined && options.ignored?.(text, config)
        ? []
        : wordProblem(value, path, words, stops, options.caseless);
    },
  };
}

export const ENGINE_VALUE_RULES: readonly EngineValueRule[] = [
  {
    // Limits.Validate, which Config.Validate calls before any module starts and wraps as
    // "CONFIG ERROR: invalid limits_config config" (pkg/loki/loki.go:314-315). Each entry's period is
    // a model.Duration (StreamRetention, pkg/validation/limits.go:300-301), zero when left out. The
    // entries' keys and the period's form are the reference's (rows read from that struct); what is
    // judged here is a period that parses but is below 24h, or none. Loki reports the first entry
    // it refuses, this every one.
    engine: "loki",
    field: "limits_config.retention_stream",
    source: "grafana/loki v3.7.6 pkg/validation/limits.go:605-607 (Limits.Validate)",
    problems: (value, path) => {
      if (!Array.isArray(value)) return [];
      return value.flatMap((entry, i) => {
        if (!isObject(entry)) return [];
        const streams =
          typeof entry.selector === "string" ? `the streams ${entry.selector}` : "the entry's streams";
        const given = entry.period;
        const absent = given === undefined || given === null;
        const at = absent ? `${path}[${i}]` : `${path}[${i}].period`;
        // yaml.v2 reads a scalar's text into model.Duration's string (so `24` is "24", no unit).
        const text = absent
          ? "0"
          : typeof given === "string" || typeof given === "number"
            ? String(given)
            : undefined;
        const ms = text === undefined ? undefined : modelDurationMs(text);
        // A period that does not parse is the reference check's (limits_config.retention_stream[].period).
        if (ms === undefined || ms >= LOKI_LEAST_STREAM_RETENTION_MS) return [];
        const found = absent ? "no period (Loki reads it as 0s)" : JSON.stringify(given);
        return [
          {
            path: at,
            message:
              `expected a retention period of at least 24h for ${streams}; found ${found}: ` +
              `Loki stops at start ("CONFIG ERROR: invalid limits_config config: retention period must be >= 24h was ${modelDurationText(ms)}"); ` +
              `set period to 24h or more (e.g. "24h" or "7d"), or remove the entry to keep those streams at retention_period`,
          },
        ];
      });
    },
  },
  oneOf(
    "server.log_level",
    ["debug", "info", "warn", "error"],
    "grafana/dskit v0.0.0-20260209132809-8d1c6d34bb5a (loki v3.7.6 go.mod:56) log/level.go:45-51, 59-75 (Level.UnmarshalYAML, Level.Set)",
    'Loki stops at load ("unrecognized log level")',
  ),
  oneOf(
    "limits_config.deletion_mode",
    ["disabled", "filter-only", "filter-and-delete"],
    "grafana/loki v3.7.6 pkg/compactor/deletionmode/mode.go:16-18, 46-55 (ParseMode), pkg/validation/limits.go:619 (Limits.Validate)",
    'Loki stops at start ("unknown deletion mode")',
  ),
  oneOf(
    "ingester.chunk_encoding",
    ["none", "gzip", "lz4-64k", "snappy", "lz4-256k", "lz4-1M", "lz4", "flate", "zstd"],
    "grafana/loki v3.7.6 pkg/compression/codec.go:29-39, 41-62, 72-79 (ParseCodec, case-insensitive), pkg/ingester/ingester.go:173 (Config.Validate)",
    'Loki stops at start ("invalid encoding")',
    { caseless: true },
  ),
  oneOf(
    "ruler.storage.type",
    // The words of the switch, not of the flag's help ("configdb, azure, gcs, s3, swift, local, bos,
    // cos", storage.go:63): Loki 3.7.6 run with `configdb` stopped ("unrecognized rule storage
    // mode configdb"), with `alibabacloud` and its block started.
    ["azure", "gcs", "s3", "bos", "swift", "cos", "alibabacloud", "local"],
    "grafana/loki v3.7.6 pkg/ruler/base/storage.go:97-117 (NewLegacyRuleStore), pkg/loki/modules.go:1581-1639 (initRulerStorage), pkg/loki/loki.go:838, 864, 866 (the ruler in targets all and backend)",
    'Loki stops at start ("unrecognized rule storage mode") in every process that runs the ruler (targets all, backend and ruler; read with -legacy-read-mode); with storage_config.use_thanos_objstore true it reads ruler_storage instead and ignores ruler.storage',
    {
      // Empty is "not configured" (RuleStoreConfig.IsDefaults): the ruler does not start, or takes
      // common.storage (pkg/loki/config_wrapper.go). With use_thanos_objstore the ruler reads
      // ruler_storage (modules.go:1589-1591, 1632-1633): Loki 3.7.6 run so with `s4` here started.
      ignored: (text, config) => text === "" || at(config, "storage_config.use_thanos_objstore") === true,
    },
  ),
];

/**
 * What Loki does with a value the reference's list for the key (config-values.tsv) does not name,
 * by key, read in its source and seen when it was run; a listed key this does not name stops the
 * reference's load. A ring's KV store: dskit builds the ring's client from the word when a module
 * that uses the ring starts, so Loki 3.7.6 passed -verify-config with `memberlst` and stopped at
 * start (within a second) for the rings the running modules use; the rings of modules that do
 * not run (a disabled UI or pattern ingester, an index gateway not in ring mode, a ruler without
 * sharding) are not built, and Loki started with a typo there. Those are refused too: which modules
 * a process runs is its -target's and its flags', not the file's (one file serves the chart's
 * write, read and backend pods), and the typo stops Loki once one of them runs.
 */
const KV_SOURCE =
  "grafana/dskit v0.0.0-20260209132809-8d1c6d34bb5a (loki v3.7.6 go.mod:56) kv/client.go:137-175 (createClient), 194-203 (buildMultiClient)";
const LISTED_VALUES: readonly {
  key: RegExp;
  source: string;
  /** The problems of the key's value (`parent`: the map holding it, when the config has one). */
  problems(
    words: readonly string[],
    value: unknown,
    path: string,
    parent?: Record<string, unknown>,
  ): ValueProblem[];
}[] = [
  {
    key: /(^|\.)kvstore\.store$/,
    source: KV_SOURCE,
    problems: (words, value, path, parent) => {
      const stops = (found: string) =>
        `Loki stops at start (${
          // dskit's switch takes "mock", its test client (client.go:170-172); Loki 3.7.6 run with
          // it panicked at start.
          found === "mock"
            ? 'dskit\'s "mock" store is for its tests: Loki 3.7.6 panics with it, "interface conversion: interface {} is string, not *ring.Desc"'
            : `"invalid KV store type: ${found}"`
        }) in every process that runs a module using this ring`;
      const own = wordProblem(value, path, words, stops(scalarText(value) ?? ""));
      if (own.length > 0 || value !== "multi" || !parent) return own;
      // `multi` builds a client of each of multi.primary and multi.secondary.
      const multi = isObject(parent.multi) ? parent.multi : {};
      const base = path.replace(/store$/, "multi");
      const stores = words.filter((w) => w !== "multi");
      const [primary, secondary] = [multi.primary, multi.secondary].map(scalarText);
      if (!primary || !secondary)
        return [
          {
            path: `${base}.${primary ? "secondary" : "primary"}`,
            message: `expected one of ${stores.join(", ")} with store multi; found none: Loki stops at start ("primary or secondary store not set")`,
          },
        ];
      if (primary === secondary)
        return [
          {
            path: `${base}.secondary`,
            message: `expected a store other than multi.primary (${JSON.stringify(primary)}) with store multi: Loki stops at start ("primary and secondary stores must be different")`,
          },
        ];
      return (["primary", "secondary"] as const).flatMap((k) =>
        wordProblem(
          multi[k],
          `${base}.${k}`,
          stores,
          multi[k] === "multi"
            ? 'Loki stops at start ("primary and secondary stores cannot be multi-stores")'
            : stops(String(multi[k])),
        ),
      );
    },
  },
];

/** The problems of a key whose values the reference lists, by {@link LISTED_VALUES}. */
function listedValueProblems(
  field: EngineField,
  value: unknown,
  path: string,
  parent?: Record<string, unknown>,
): FieldProblem[] {
  if (!field.values) return [];
  const rule = LISTED_VALUES.find((l) => l.key.test(field.path))!;
  return rule.problems(field.values.words, value, path, parent).map((p) => ({
    path: p.path,
    severity: "error",
    message: `${p.message} (${field.values!.source}; ${rule.source})`,
    ...(p.choices ? { choices: p.choices } : {}),
  }));
}

/**
 * What the value rules find in one key's value ({@link ENGINE_VALUE_RULES} and the words the
 * reference lists): `config` is the whole config and `parent` the map holding the key, when known.
 */
function valueProblems(
  ref: EngineReference,
  field: EngineField,
  value: unknown,
  path: string,
  config?: unknown,
  parent?: Record<string, unknown>,
): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const rule of ENGINE_VALUE_RULES)
    if (rule.engine === ref.engine && field.path && rule.field === field.path)
      for (const p of rule.problems(value, path, config))
        out.push({
          path: p.path,
          severity: "error",
          message: `${p.message} (${rule.source})`,
          ...(p.choices ? { choices: p.choices } : {}),
        });
  return [...out, ...listedValueProblems(field, value, path, parent)];
}

const loaded = new Map<string, EngineReference>();

/** An engine's reference, read once per file; throws MissingReferenceError (upstream/reference.ts) when its data file is absent. */
export function loadEngineReference(engine: Engine): EngineReference {
  const folder = ENGINE_REFERENCES[engine];
  const file = path.join(referenceDataDir("engines", folder), FILES[engine]);
  let ref = loaded.get(file);
  if (!ref) {
    const text = readReferenceFile(file);
    ref = engine === "loki" ? parseLoki(text, folder) : parseMimir(text, folder);
    if (engine === "loki")
      readLokiValues(readReferenceFile(path.join(path.dirname(file), LOKI_VALUES_FILE)), folder, ref);
    for (const h of HIDDEN[engine]) {
      if (h.path && !ref.fields.has(h.path)) ref.fields.set(h.path, h);
      if (h.flag && !ref.flags.has(h.flag)) ref.flags.set(h.flag, h);
    }
    loaded.set(file, ref);
  }
  return ref;
}

/**
 * Why the reference does not describe the engine the program pins (model/versions.ts), or
 * undefined. A Renovate bump of the image lands here first: the checks would judge the new
 * engine by the old reference.
 */
export function engineVersionProblem(ref: EngineReference, pinnedTag: string): string | undefined {
  const pinned = pinnedTag.replace(/^v/, "");
  if (pinned === ref.version) return undefined;
  const name = ref.engine === "loki" ? "Loki" : "Mimir";
  const next = `${ref.engine}-${ref.engine === "loki" ? pinned : pinned.split(".").slice(0, 2).join(".")}`;
  return `model/versions.ts pins ${name} ${pinnedTag}, but upstream/engines/data/${ref.folder} describes ${name} ${ref.version}: run npm run refresh-reference -- ${ref.engine} <checkout of ${ref.engine === "loki" ? `grafana/loki at v${pinned}` : `grafana/mimir at mimir-${pinned}`}>, which writes upstream/engines/data/${next}, review the data's diff, then set ENGINE_REFERENCES.${ref.engine} in upstream/engines/references.ts to "${next}"`;
}

/** Go's `time.ParseDuration` grammar (https://pkg.go.dev/time#ParseDuration). */
const GO_DURATION = /^[-+]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/;
/** Prometheus's `model.ParseDuration` units, largest first (common/model/time.go:190-200). */
const PROM_UNITS = ["y", "w", "d", "h", "m", "s", "ms"];

export function parsesAsGoDuration(s: string): boolean {
  return s === "0" || s === "+0" || s === "-0" || GO_DURATION.test(s);
}

export function parsesAsModelDuration(s: string): boolean {
  return modelDurationMs(s) !== undefined;
}

/** Each Prometheus unit in milliseconds (common/model/time.go:191-199: a year is 365d, a week 7d). */
const PROM_UNIT_MS: Record<string, number> = {
  y: 365 * 86_400_000,
  w: 7 * 86_400_000,
  d: 86_400_000,
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
};

/** A `model.Duration` text in milliseconds, as `model.ParseDuration` reads it, or undefined when it does not parse. */
export function modelDurationMs(s: string): number | undefined {
  if (s === "0") return 0;
  if (s === "") return undefined;
  let rest = s;
  let last = -1;
  let ms = 0;
  while (rest !== "") {
    const m = /^(\d+)(ms|[ywdhms])/.exec(rest);
    if (!m) return undefined;
    const pos = PROM_UNITS.indexOf(m[2]);
    if (pos <= last) return undefined; // units go from largest to smallest, each once
    last = pos;
    ms += Number(m[1]) * PROM_UNIT_MS[m[2]];
    rest = rest.slice(m[0].length);
  }
  return ms;
}

/**
 * A duration as `model.Duration.String` prints it (common/model/time.go:272-310 at loki v3.7.6):
 * the words Loki's own messages use for it. Years and weeks only when exact.
 */
export function modelDurationText(ms: number): string {
  if (ms === 0) return "0s";
  let rest = ms;
  let out = "";
  for (const unit of PROM_UNITS) {
    const mult = PROM_UNIT_MS[unit];
    if ((unit === "y" || unit === "w") && rest % mult !== 0) continue;
    const v = Math.floor(rest / mult);
    if (v > 0) {
      out += `${v}${unit}`;
      rest -= v * mult;
    }
  }
  return out;
}

/** The form a duration field takes, with an example, for messages. */
export function durationForm(kind: DurationKind): string {
  return kind === "time.Duration"
    ? 'a Go time.Duration: units ns, us, ms, s, m, h only (no d, w, y), e.g. "24h" or "90m"'
    : 'a Prometheus model.Duration: integers with units y, w, d, h, m, s, ms, largest first, e.g. "7d" or "1w2d"';
}

export function durationParses(kind: DurationKind, s: string): boolean {
  return kind === "time.Duration" ? parsesAsGoDuration(s) : parsesAsModelDuration(s);
}

/** A problem one configuration value has against the reference. */
export interface FieldProblem {
  path: string;
  severity: "error" | "warning";
  message: string;
  /** The mistake (contract/mistakes.ts MISTAKES) when the pack reports it too. */
  mistake?: string;
  /** For an unknown key: the keys the reference has at its level, for a closest match. */
  known?: string[];
  /** For a word the key does not take: the words it takes, for a closest match. */
  choices?: Choices;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const SCALAR = (v: unknown) => ["string", "number", "boolean"].includes(typeof v);

/**
 * Loki's byte sizes (`per_stream_rate_limit`, `max_line_size`) are `int` in the reference but a
 * `flagext.ByteSize` in Go, which takes text: grafana/loki v3.7.6 pkg/util/flagext/bytesize.go
 * (UnmarshalYAML reads a string, Set upper-cases it for c2h5oh/datasize UnmarshalText,
 * vendor/github.com/c2h5oh/datasize/datasize.go: digits, optional spaces, then B, K(B), M(B), G(B),
 * T(B), P(B), E(B) or their long names; no fraction). The reference prints such a default in
 * datasize's form ("3MB"), which is how they are told from plain integers.
 */
const BYTE_SIZE_DEFAULT = /^\d+(B|KB|MB|GB|TB|PB|EB)$/;
const BYTE_SIZE_TEXT =
  /^\d+\s*(b|byte|k|kb|kilo|kilobytes?|m|mb|mega|megabytes?|g|gb|giga|gigabytes?|t|tb|tera|terabytes?|p|pb|peta|petabytes?|e|eb)?$/i;
const isByteSize = (field: EngineField) =>
  field.type === "int" && field.default !== undefined && BYTE_SIZE_DEFAULT.test(field.default);

/**
 * dskit's `flagext.Bytes` (the gRPC clients' window sizes, the dataobj and bloom page sizes) is
 * `int` in the reference too, but read by alecthomas/units ParseBase2Bytes (grafana/loki v3.7.6
 * vendor/github.com/grafana/dskit/flagext/bytes.go, vendor/github.com/alecthomas/units/bytes.go,
 * util.go ParseUnit): numbers, a fraction allowed, each with a unit, all KiB-style or all KB-style
 * (both 1024), "0" alone without one; yaml.v2 hands it an integer's text, so a bare number but 0
 * is refused. The reference prints its default in that form ("16KiB", "63KiB1023B").
 */
const BASE2_BYTES_DEFAULT = /^(\d+[KMGTPE]iB)+(\d+B)?$/;
const BASE2_BYTES_TEXT = [/^((\d+(\.\d*)?|\.\d+)(B|[KMGTPE]iB))+$/, /^((\d+(\.\d*)?|\.\d+)[KMGTPE]?B)+$/];
const isBase2Bytes = (field: EngineField) =>
  field.type === "int" && field.default !== undefined && BASE2_BYTES_DEFAULT.test(field.default);
/** Whether ParseBase2Bytes reads `value` (given as YAML, so an integer as its text). */
const base2BytesReads = (value: unknown): boolean => {
  const text = typeof value === "number" && Number.isInteger(value) ? String(value) : value;
  return typeof text === "string" && (text === "0" || BASE2_BYTES_TEXT.some((re) => re.test(text)));
};

/** What is wrong with `value` for a leaf of `type`, or undefined. */
function leafProblem(field: EngineField, value: unknown): string | undefined {
  const found = `found ${JSON.stringify(value)}`;
  if (value === null) return undefined; // YAML null leaves the default in place
  if (field.duration) {
    // A model.Duration's UnmarshalYAML reads the scalar's text, a number's too (gopkg.in/yaml.v2
    // v2.4.0 decode.go:462-470, gopkg.in/yaml.v3 v3.0.1 decode.go:611-617): `0` is "0", `7` is "7".
    const text = field.duration === "model.Duration" && typeof value === "number" ? String(value) : value;
    if (typeof text !== "string") return `expected ${durationForm(field.duration)}; ${found}`;
    return durationParses(field.duration, text)
      ? undefined
      : `expected ${durationForm(field.duration)}; ${found}`;
  }
  switch (field.type) {
    case "boolean":
      return typeof value === "boolean" ? undefined : `expected a boolean (true or false); ${found}`;
    case "int":
      if (isBase2Bytes(field))
        return base2BytesReads(value)
          ? undefined
          : `expected a byte size with a unit like "64KiB", "1.5MiB" or "1MB" (KB and KiB are both 1024; a bare number but 0 has no unit, which Loki refuses); ${found}`;
      if (Number.isInteger(value)) return undefined;
      if (isByteSize(field))
        return typeof value === "string" && BYTE_SIZE_TEXT.test(value.trim())
          ? undefined
          : `expected a byte size: an integer of bytes or whole units like "3MB", "256KB" (no fraction, no KiB); ${found}`;
      return `expected an integer; ${found}`;
    case "float":
      return typeof value === "number" ? undefined : `expected a number; ${found}`;
    case "list of strings":
      // Several Mimir lists are comma-separated strings too (flagext.StringSliceCSV).
      return (Array.isArray(value) && value.every(SCALAR)) || typeof value === "string"
        ? undefined
        : `expected a list of strings; ${found}`;
    case "list of durations":
      return Array.isArray(value) ? undefined : `expected a list of durations; ${found}`;
    default:
      if (field.type.startsWith("map of")) return isObject(value) ? undefined : `expected a map; ${found}`;
      if (field.type.startsWith("list of") || field.type === "slice")
        return Array.isArray(value) ? undefined : `expected a list; ${found}`;
      // string, url, secret, time, Regexp, ...: a scalar the engine reads as text
      return SCALAR(value) ? undefined : `expected a ${field.type} (a single value); ${found}`;
  }
}

const parentSets = new WeakMap<EngineReference, Set<string>>();
/** Every path that has rows below it (`a`, `a.b`, `a.b[]`, `a.b.*`). */
function parentsOf(ref: EngineReference): Set<string> {
  let set = parentSets.get(ref);
  if (!set) {
    set = new Set();
    for (const p of ref.fields.keys()) {
      const parts = p.split(".");
      for (let i = 1; i < parts.length; i++) {
        const parent = parts.slice(0, i).join(".");
        set.add(parent);
        if (parent.endsWith("[]")) set.add(parent);
      }
    }
    parentSets.set(ref, set);
  }
  return set;
}

/** The keys the reference has directly under `refPath` (the top level for ""). */
export function keysAt(ref: EngineReference, refPath: string): string[] {
  const prefix = refPath ? `${refPath}.` : "";
  const out = new Set<string>();
  for (const p of ref.fields.keys())
    if (p.startsWith(prefix)) {
      const key = p.slice(prefix.length).split(".")[0].replace(/\[\]$/, "");
      if (key && key !== "*") out.add(key);
    }
  return [...out];
}

/**
 * Every problem of one configuration file against the engine's reference: unknown keys (both
 * engines refuse them at load), values of the wrong type, durations in the wrong unit family, keys
 * absent at the pinned version (errors); experimental and deprecated fields (warnings).
 */
export function checkEngineConfig(ref: EngineReference, config: unknown): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const name = ref.engine === "loki" ? "Loki" : "Mimir";
  const parents = parentsOf(ref);
  const walk = (value: unknown, at: string, refPath: string) => {
    if (!isObject(value)) return;
    for (const [key, v] of Object.entries(value)) {
      const path = at ? `${at}.${key}` : key;
      const candidate = refPath ? `${refPath}.${key}` : key;
      const field = ref.fields.get(candidate);
      if (!field) {
        problems.push({
          path,
          severity: "error",
          message: `${name} ${ref.version} has no key ${candidate} (${ref.folder}); it refuses unknown keys at load`,
          known: keysAt(ref, refPath),
        });
        continue;
      }
      visit(field, v, path, value);
    }
  };
  const visit = (field: EngineField, v: unknown, path: string, parent?: Record<string, unknown>) => {
    if (!field.atVersion)
      problems.push({
        path,
        severity: "error",
        message: `${field.path} is not in ${name} ${ref.version}, only in later versions (${field.source})`,
      });
    if (field.category === "experimental" || field.category === "deprecated")
      problems.push({
        path,
        severity: "warning",
        message: `${field.path} is ${field.category} in ${name} ${ref.version} (${field.source})`,
      });
    problems.push(...valueProblems(ref, field, v, path, config, parent));
    switch (field.kind) {
      case "block":
        if (v !== null && !isObject(v))
          problems.push({
            path,
            severity: "error",
            message: `expected a block of keys; found ${JSON.stringify(v)}`,
          });
        else walk(v, path, field.path);
        return;
      case "list": {
        if (v === null) return;
        if (!Array.isArray(v)) {
          problems.push({ path, severity: "error", message: `expected a list; found ${JSON.stringify(v)}` });
          return;
        }
        const item = ref.fields.get(`${field.path}[]`);
        v.forEach((x, i) =>
          item ? visit(item, x, `${path}[${i}]`) : walk(x, `${path}[${i}]`, `${field.path}[]`),
        );
        return;
      }
      case "map": {
        if (v === null) return;
        if (!isObject(v)) {
          problems.push({ path, severity: "error", message: `expected a map; found ${JSON.stringify(v)}` });
          return;
        }
        const item = ref.fields.get(`${field.path}.*`);
        for (const [k, x] of Object.entries(v))
          if (item) visit(item, x, `${path}.${k}`);
          else walk(x, `${path}.${k}`, `${field.path}.*`);
        return;
      }
      case "opaque":
        return;
      default: {
        // Mimir lists its lists of blocks as a leaf (`slice`) with item rows `a[].b`, and its maps
        // of blocks as a leaf with value rows `a.*.b`.
        if (Array.isArray(v) && parents.has(`${field.path}[]`)) {
          v.forEach((x, i) => walk(x, `${path}[${i}]`, `${field.path}[]`));
          return;
        }
        if (isObject(v) && parents.has(`${field.path}.*`)) {
          for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`, `${field.path}.*`);
          return;
        }
        if (ref.engine === "loki" && field.duration === "time.Duration" && typeof v === "number") {
          // gopkg.in/yaml.v2 v2.4.0 (Loki's loader) sets a time.Duration from a YAML number as
          // nanoseconds (decode.go:485-505): Loki 3.7.6 loads `compaction_interval: 10` as 10ns.
          // Zero is the usual "off"; any other bare number is almost surely not what was meant.
          if (v !== 0)
            problems.push({
              path,
              severity: "warning",
              message: `${JSON.stringify(v)} has no unit: Loki reads a bare number as nanoseconds (${v}ns); write ${durationForm("time.Duration")} (${field.source})`,
            });
          return;
        }
        const problem = leafProblem(field, v);
        if (problem) problems.push({ path, severity: "error", message: `${problem} (${field.source})` });
      }
    }
  };
  walk(config, "", "");
  for (const rule of ENGINE_RULES)
    if (rule.engine === ref.engine) {
      const problem = rule.problem(config);
      if (problem)
        problems.push({
          path: "",
          severity: "error",
          message: `${problem} (${rule.source})`,
          ...(rule.mistake ? { mistake: rule.mistake } : {}),
        });
    }
  return problems;
}

/** `-name=value` / `--name=value` / `-name` flags an engine is given, by name (without dashes). */
export function checkEngineFlags(ref: EngineReference, args: readonly string[]): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const name = ref.engine === "loki" ? "Loki" : "Mimir";
  for (const a of args) {
    const m = /^--?([^=]+)(?:=(.*))?$/.exec(a);
    if (!m) continue;
    const flag = ref.flags.get(m[1]);
    if (!flag) {
      problems.push({
        path: a,
        severity: "error",
        message: `${name} ${ref.version} has no flag -${m[1]} (${ref.folder}); Go's flag package stops it at start ("flag provided but not defined")`,
      });
      continue;
    }
    if (flag.category === "experimental" || flag.category === "deprecated")
      problems.push({
        path: a,
        severity: "warning",
        message: `-${m[1]} is ${flag.category} in ${name} ${ref.version} (${flag.source})`,
      });
    if (m[2] !== undefined && flag.kind !== "flag-only" && flag.type !== "block") {
      const problem = leafProblem(flag, coerceFlag(flag, m[2]));
      if (problem) problems.push({ path: a, severity: "error", message: `${problem} (${flag.source})` });
      // A flag sets the same value as its key: the key's load-time rules hold for it too.
      else problems.push(...valueProblems(ref, flag, m[2], a).map((p) => ({ ...p, path: a })));
    }
  }
  return problems;
}

/** A flag's text as the type its field has, so one value check judges both. */
function coerceFlag(field: EngineField, text: string): unknown {
  if (field.type === "boolean") return text === "true" ? true : text === "false" ? false : text;
  if (field.type === "int") return /^-?\d+$/.test(text) ? Number(text) : text;
  if (field.type === "float") return Number.isFinite(Number(text)) ? Number(text) : text;
  return text;
}
