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
import { closestMatch, MISTAKES } from "@homelab-observability/contract";
import { columnsOf, readReferenceFile, referenceDataDir, tsvRows } from "../reference";
import { goFlagsGiven, type GoFlag, type GoFlagGiven, type GoFlagSet } from "../goflag";
import { GO_BOOL } from "../goStrconv";

export type Engine = "loki" | "mimir";

/** The reference folder of each engine under upstream/engines/data/. */
export const ENGINE_REFERENCES: Record<Engine, string> = { loki: "loki-3.7.6", mimir: "mimir-3.0" };
const FILES: Record<Engine, string> = { loki: "config-keys.tsv", mimir: "config-fields.tsv" };
/** Loki's listed values (upstream/refresh/loki.ts VALUE_KEYS), beside its keys. */
const LOKI_VALUES_FILE = "config-values.tsv";
/** The flags Loki declares beyond its keys' (upstream/refresh/goFlags.ts goDeclaredFlags), beside its keys. */
export const LOKI_FLAGS_FILE = "flags.tsv";
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
  /**
   * A flag the engine's chart passes itself (`arg`, as it is passed): a warning about it says what
   * `note` says (why no stack key changes it, and what that means), not only that it is deprecated.
   */
  chartArg?: { arg: string; note: string };
}

export interface EngineReference {
  engine: Engine;
  folder: string;
  /** The engine version the reference describes (from the data itself). */
  version: string;
  fields: Map<string, EngineField>;
  flags: Map<string, EngineField>;
  /** Flags the engine declares that no key's row names (Loki's flags.tsv), and how Go takes each. */
  otherFlags?: Map<string, { kind: GoFlag; source: string }>;
  /**
   * Flags registered as `<prefix>tail` where the refresh found no prefix (flags.tsv rows
   * `<prefix>...`): a flag ending in `tail` may be one, so it is not refused.
   */
  flagTails?: { tail: string; kind: GoFlag; source: string }[];
}

function parseLoki(text: string, folder: string): EngineReference {
  // First line: `# source: grafana/loki v3.6.3:docs/sources/shared/configuration.md`.
  const m = /^# source: grafana\/loki v([0-9][^:\s]*):/.exec(text);
  if (!m)
    throw new Error(`${folder}/${FILES.loki}: expected a first line "# source: grafana/loki v<version>:..."`);
  const [header, ...rows] = tsvRows(text);
  const [p, t, f, k, d, line, def] = columnsOf(
    header,
    ["path", "type", "cli_flag", "kind", "go_duration", "md_line", "default"],
    `${folder}/${FILES.loki}`,
  );
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

/** Sets the flags no key names (flags.tsv: flag, kind, found, source) on the reference. */
function readLokiFlags(text: string, folder: string, ref: EngineReference): void {
  const where = `${folder}/${LOKI_FLAGS_FILE}`;
  const [header, ...rows] = tsvRows(text);
  const [f, k, s] = columnsOf(header, ["flag", "kind", "source"], where);
  ref.otherFlags = new Map();
  ref.flagTails = [];
  for (const r of rows) {
    if (r[k] !== "bool" && r[k] !== "value")
      throw new Error(`${where}: expected kind bool or value for ${r[f]}, found ${JSON.stringify(r[k])}`);
    const source = `grafana/loki v${ref.version} ${r[s]} (${where})`;
    const tail = /^<prefix>(.+)$/.exec(r[f]);
    if (tail) ref.flagTails.push({ tail: tail[1], kind: r[k], source });
    else ref.otherFlags.set(r[f], { kind: r[k], source });
  }
}

/** Sets each listed key's words (config-values.tsv: path, values, md_line) on its field. */
function readLokiValues(text: string, folder: string, ref: EngineReference): void {
  const [header, ...rows] = tsvRows(text);
  const where = `${folder}/${LOKI_VALUES_FILE}`;
  const [p, v, line] = columnsOf(header, ["path", "values", "md_line"], where);
  for (const r of rows) {
    const field = ref.fields.get(r[p]);
    if (!field) throw new Error(`${where}: ${r[p]} is no key of ${folder}/${FILES.loki}`);
    if (!LISTED_VALUES.some((l) => l.key.test(r[p])))
      throw new Error(
        `${where}: ${r[p]} lists values, but upstream/engines/references.ts LISTED_VALUES says nothing of what Loki does with another`,
      );
    field.values = {
      words: r[v].split(",").map((w) => (w === '""' ? "" : w)),
      source: `${where} (configuration.md:${r[line]})`,
    };
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
  const [p, f, t, c, k, s] = columnsOf(
    header,
    ["yaml_path", "flag", "type", "category", "kind", "source"],
    `${folder}/${FILES.mimir}`,
  );
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
      // (templates/backend/workload.yaml:3, `"args" (list "-legacy-read-mode=false")` handed to
      // loki.component, which _pod.tpl writes out before the values' extraArgs: no value of the
      // chart leaves it out). false is the flag's default at :170, so the flag changes nothing:
      // the program keeps the chart's rendering, and the warning says there is nothing to do.
      path: "legacy_read_target",
      type: "boolean",
      kind: "leaf",
      flag: "legacy-read-mode",
      category: "deprecated",
      atVersion: true,
      source: "grafana/loki v3.7.6 pkg/loki/loki.go:134,170 (hidden)",
      chartArg: {
        arg: "-legacy-read-mode=false",
        note: "the loki chart passes it to its backend target itself (templates/backend/workload.yaml), no chart value leaves it out, and false is the flag's default: nothing to change in the stack",
      },
    },
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
  /** A word Loki takes but reads as another (said, not failed); an error when absent. */
  severity?: "warning";
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
          message: `expected one of ${wordsText(words)}; found ${JSON.stringify(value)}: ${stops}`,
          choices: { found: text, words: words.filter((w) => w !== "") },
        },
      ];
}

/** The words for a message, the empty one as `""` (empty). */
const wordsText = (words: readonly string[]): string =>
  words.map((w) => (w === "" ? '"" (empty)' : w)).join(", ");

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
  options: {
    caseless?: boolean;
    ignored?: (text: string, config: unknown) => boolean;
    /** A word Loki takes but reads as another: said, not failed. */
    warning?: boolean;
    /** yaml.v2 sets a string field to "" for a YAML null (gopkg.in/yaml.v2 v2.4.0 decode.go:427-434). */
    nullIsEmpty?: boolean;
  } = {},
): EngineValueRule {
  return {
    engine: "loki",
    field,
    source,
    problems: (value, path, config) => {
      const v = value === null && options.nullIsEmpty ? "" : value;
      const text = scalarText(v);
      if (text !== undefined && options.ignored?.(text, config)) return [];
      return wordProblem(v, path, words, stops, options.caseless).map((p) =>
        options.warning ? { ...p, severity: "warning" as const } : p,
      );
    },
  };
}

/** Loki 3.7.6's codec names (pkg/compression/codec.go:29-62). */
const LOKI_CODECS = ["none", "gzip", "lz4-64k", "snappy", "lz4-256k", "lz4-1M", "lz4", "flate", "zstd"];

/**
 * An OTLP attributes entry's action, read when the entry is parsed: "" (or null) is
 * structured_metadata, a word but index_label, structured_metadata and drop stops Loki at load
 * (AttributesConfig.UnmarshalYAML); OTLPConfig.Validate then refuses index_label for scope
 * attributes. The help says index_label is for resource attributes only; Loki 3.7.6 took it for a
 * log attribute, as the source does, and refused it for a scope attribute.
 */
function otlpActionRules(): EngineValueRule[] {
  const source =
    "grafana/loki v3.7.6 pkg/loghttp/push/otlp_config.go:15-25, 134-146 (AttributesConfig.UnmarshalYAML), 118-125 (OTLPConfig.Validate), pkg/validation/limits.go:637-641";
  const words = ["structured_metadata", "drop", "index_label"];
  return ["resource_attributes.attributes_config[]", "scope_attributes[]", "log_attributes[]"].map(
    (entry): EngineValueRule => ({
      engine: "loki",
      field: `limits_config.otlp_config.${entry}.action`,
      source,
      problems: (value, path) => {
        const text = value === null ? "" : scalarText(value);
        if (text === "") return [];
        if (text === "index_label" && entry === "scope_attributes[]")
          return [
            {
              path,
              message:
                'expected structured_metadata or drop for a scope attribute; found "index_label": Loki stops at load ("index_label action is only supported for resource_attributes")',
            },
          ];
        return wordProblem(
          value,
          path,
          words,
          `Loki stops at load ("unsupported action, it must be one of: drop, index_label, structured_metadata"); left out it is structured_metadata`,
        );
      },
    }),
  );
}

/**
 * A Prometheus relabel config's action (ruler.alert_relabel_configs and each remote-write client's
 * write_relabel_configs, whose keys the refresh reads from relabel.Config): Action.UnmarshalYAML
 * lower-cases the word and takes one of eleven, refusing any other ("" too) when the file is
 * parsed. A YAML null leaves the default, replace (yaml.v2 calls no UnmarshalYAML for it,
 * decode.go:297-300). Loki's own copy of the struct for limits_config.ruler_remote_write_relabel_configs
 * (pkg/ruler/util/relabel.go) reads a plain string and is not judged here.
 */
function relabelActionRules(): EngineValueRule[] {
  const source =
    "prometheus/prometheus v0.312.1-0.20260612131846-2ad3a8717015 (loki v3.7.6 go.mod:88) model/relabel/relabel.go:46-70, 72-83 (Action.UnmarshalYAML)";
  const words = [
    ...["replace", "keep", "drop", "keepequal", "dropequal", "hashmod", "labelmap", "labeldrop"],
    ...["labelkeep", "lowercase", "uppercase"],
  ];
  return [
    "ruler.alert_relabel_configs[]",
    "ruler.remote_write.client.write_relabel_configs[]",
    "ruler.remote_write.clients.*.write_relabel_configs[]",
    "limits_config.ruler_remote_write_config.*.write_relabel_configs[]",
  ].map((entry): EngineValueRule => ({
    engine: "loki",
    field: `${entry}.action`,
    source,
    problems: (value, path) =>
      value === null
        ? []
        : wordProblem(value, path, words, 'Loki stops at load ("unknown relabel action")', true),
  }));
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
    LOKI_CODECS,
    "grafana/loki v3.7.6 pkg/compression/codec.go:29-39, 41-62, 72-79 (ParseCodec, case-insensitive), pkg/ingester/ingester.go:173 (Config.Validate)",
    'Loki stops at start ("invalid encoding")',
    { caseless: true },
  ),
  // The three words below take no list from their help (none, or a sentence), so they are the
  // source's, each read where Limits.Validate, which Config.Validate calls, checks it (Loki 3.7.6
  // run with a misspelt one, "" or a null: "CONFIG ERROR: invalid limits_config config").
  oneOf(
    "limits_config.bloom_block_encoding",
    LOKI_CODECS,
    "grafana/loki v3.7.6 pkg/compression/codec.go:29-39, 41-62, 72-79 (ParseCodec, case-insensitive), pkg/validation/limits.go:647-649 (Limits.Validate)",
    'Loki stops at load ("invalid encoding")',
    { caseless: true, nullIsEmpty: true },
  ),
  oneOf(
    "limits_config.tsdb_sharding_strategy",
    ["power_of_two", "bounded"],
    "grafana/loki v3.7.6 pkg/logql/shards.go:26-56 (ParseShardVersion), pkg/validation/limits.go:643-645 (Limits.Validate)",
    'Loki stops at load ("invalid tsdb sharding strategy: invalid shard version")',
    { nullIsEmpty: true },
  ),
  ...otlpActionRules(),
  ...relabelActionRules(),
  // The flag is a plain string (config.go:71 registers it with StringVar; Mode.Set's check,
  // :23-35, is never called), so Loki takes any word: only "ring" builds the ring
  // (pkg/loki/modules.go:2028), only "simple" takes the simple mode's steps in the index gateway
  // client (pkg/indexgateway/client.go:242, 496). Loki 3.7.6 run with `rng` and `Ring`: ready.
  oneOf(
    "index_gateway.mode",
    ["simple", "ring"],
    "grafana/loki v3.7.6 pkg/indexgateway/config.go:47-55, 71; pkg/loki/modules.go:2020-2028",
    'Loki 3.7.6 takes it and reads it as neither mode: no ring is built for it, and the index gateway client skips the simple mode\'s steps (set "ring" or "simple")',
    { warning: true, nullIsEmpty: true },
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
 * by key, read in its source and seen when it was run (docs/explanation/engine-references.md, "Run
 * against Loki 3.7.6"); a listed key this does not name stops the reference's load. The first rule
 * whose key matches is the key's.
 *
 * Which process reads a key is often its -target's and its flags', not the file's (one file serves
 * the chart's write, read and backend pods), so a word a module reads only when it starts is refused
 * whether or not the module runs: a ring's KV store, the ruler's sharding. A word read only once a
 * switch beside it is on (a client's TLS, a results cache, zone-aware routing) is refused too, the
 * message saying when Loki refuses it. Only a key Loki does not read at all under the file's own
 * choice is passed: ruler_storage and the thanos object store's list-objects version without
 * storage_config.use_thanos_objstore (and ruler.storage with it, ENGINE_VALUE_RULES).
 */
interface ListedRule {
  key: RegExp;
  source: string;
  /** The problems of the key's value (`parent`: the map holding it, `config`: the whole config, when the check has them). */
  problems(
    words: readonly string[],
    value: unknown,
    path: string,
    parent?: Record<string, unknown>,
    config?: unknown,
  ): ValueProblem[];
}

/** Whether the file reads the thanos object store's keys (pkg/loki/modules.go:1589-1591, pkg/storage/factory.go). */
const thanosOff = (config: unknown) =>
  config !== undefined && at(config, "storage_config.use_thanos_objstore") !== true;

/**
 * A key that takes one of the listed words: `empty` when Loki takes "" too (a YAML null is "" to
 * a string field: gopkg.in/yaml.v2 v2.4.0 decode.go:427-434), `stops` what Loki does with another, `ignored` where the file makes
 * Loki not read the key, `warning` for a word Loki takes but reads as another.
 */
function listed(
  key: RegExp,
  source: string,
  options: {
    empty: boolean;
    stops: (found: string, path: string) => string;
    ignored?: (path: string, config: unknown) => boolean;
    warning?: boolean;
    caseless?: boolean;
    /** A YAML null leaves the key's default (a type with its own UnmarshalYAML). */
    nullAccepted?: boolean;
    /** The words Loki takes where the source's differ from the help's. */
    words?: (listed: readonly string[], path: string) => readonly string[];
  },
): ListedRule {
  return {
    key,
    source,
    problems: (words, value, path, _parent, config) => {
      if (options.ignored?.(path, config) || (value === null && options.nullAccepted)) return [];
      const v = value === null ? "" : value;
      const known = (options.words?.(words, path) ?? words).filter((w) => w !== "");
      const accepted = options.empty ? [...known, ""] : known;
      const text = scalarText(v);
      const out =
        text === undefined
          ? [
              {
                path,
                message: `expected one of ${wordsText(accepted)}; found ${JSON.stringify(v)}: ${options.stops(JSON.stringify(v), path)}`,
              },
            ]
          : wordProblem(v, path, accepted, options.stops(text, path), options.caseless);
      return options.warning ? out.map((p) => ({ ...p, severity: "warning" as const })) : out;
    },
  };
}

const DSKIT = "grafana/dskit v0.0.0-20260209132809-8d1c6d34bb5a (loki v3.7.6 go.mod:56)";
const OBJSTORE =
  "grafana/objstore v0.0.0-20250728171719-b5d3b766d1b0 (replacing thanos-io/objstore, loki v3.7.6 go.mod:528) vendor/github.com/thanos-io/objstore";
/** The thanos object store's S3 blocks (pkg/storage/bucket/s3/config.go), beside the chunk store's own (pkg/storage/chunk/client/aws). */
const THANOS_S3 = String.raw`^(ruler_storage|(storage_config|common\.storage)\.object_store)\.s3\.`;
const KV_SOURCE = `${DSKIT} kv/client.go:137-175 (createClient), 194-203 (buildMultiClient)`;
/** The processes that run the ruler: grafana/loki v3.7.6 pkg/loki/loki.go:838, 864, 866. */
const RULER_RUNS = "in every process that runs the ruler (targets all, backend and ruler)";
/** gRPC clients whose Validate the loader runs (pkg/loki/loki.go:284-370). */
const GRPC_VALIDATED =
  /^(frontend_worker\.|ingest_limits_frontend_client\.|storage_config\.bigtable\.)|^ingest_limits_frontend\.client_config\./;

const LISTED_VALUES: readonly ListedRule[] = [
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
  // The thanos rule store: `local` (NewRuleStore, storage.go:128-133), else bucket.NewClient's
  // switch (client.go:214-231), read only with use_thanos_objstore (modules.go:1589-1591, 1632-1633).
  // Loki 3.7.6 run with `s4`, `Filesystem` or "" stopped at start; without use_thanos_objstore, or
  // with -target=write, it was ready.
  listed(
    /^ruler_storage\.backend$/,
    "grafana/loki v3.7.6 pkg/ruler/base/storage.go:127-140 (NewRuleStore), pkg/storage/bucket/client.go:57-59, 206-231 (NewClient), pkg/loki/modules.go:1581-1639 (initRulerStorage)",
    {
      empty: false,
      stops: () =>
        `Loki stops at start ("unsupported storage backend") ${RULER_RUNS}; without storage_config.use_thanos_objstore it reads ruler.storage and ignores ruler_storage`,
      ignored: (_path, config) => thanosOff(config),
    },
  ),
  // Validate defaults "" to default and by-group (ruler.go:129-136), then refuses another word; newRuler
  // runs it (ruler.go:270-273) when the ruler starts with its storage configured.
  listed(
    /^ruler\.sharding_(strategy|algo)$/,
    "grafana/loki v3.7.6 pkg/ruler/base/ruler.go:48-50, 127-145 (Config.Validate), 270-273 (newRuler)",
    {
      empty: true,
      stops: (_found, path) =>
        `Loki stops at start ("invalid ruler config: invalid sharding ${path.endsWith("algo") ? "algorithm" : "strategy"}") ${RULER_RUNS}`,
    },
  ),
  // The help says an unset mode is local: left out, the flag's default is; written empty (or null),
  // Loki 3.7.6 stopped ("invalid evaluation mode: .").
  listed(
    /^ruler\.evaluation\.mode$/,
    "grafana/loki v3.7.6 pkg/ruler/evaluator.go:32-37 (EvaluationConfig.Validate), pkg/loki/modules.go:1709-1712 (initRuleEvaluator)",
    {
      empty: false,
      stops: () =>
        `Loki stops at start ("invalid ruler evaluation config: invalid evaluation mode") ${RULER_RUNS}; leave the key out for local`,
    },
  ),
  listed(
    /^server\.tls_min_version$/,
    `${DSKIT} server/tls_config.go:43-59 (stringToTLSVersion), server/server.go:352-355 (New)`,
    {
      empty: true,
      stops: (found) =>
        `Loki stops at start (${JSON.stringify(`TLS version "${found}" not recognized`)}) in every process`,
    },
  ),
  // Every other minimum TLS version is a client's (dskit crypto/tls ClientConfig), read when the
  // client dials with TLS on.
  listed(/(^|\.)tls_min_version$/, `${DSKIT} crypto/tls/tls.go:157-162 (ClientConfig.GetTLSConfig)`, {
    empty: true,
    stops: (found) =>
      `each connection this client makes with its TLS enabled fails (${JSON.stringify(`unknown minimum TLS version: "${found}"`)}): Loki 3.7.6 run so in ingester_client answered 500 to every push and query`,
  }),
  listed(
    /(^|\.)grpc_compression$/,
    `${DSKIT} grpcclient/grpcclient.go:101-107 (Config.Validate), 115-117 (CallOptions: grpc.UseCompressor)`,
    {
      empty: true,
      stops: (found, path) =>
        GRPC_VALIDATED.test(path)
          ? `Loki stops at load (${JSON.stringify(`unsupported compression type: "${found}"`)})${path.startsWith("ingest_limits_frontend.") ? " when ingest_limits.enabled is true" : ""}`
          : `every call through this client fails (${JSON.stringify(`grpc: Compressor is not installed for requested grpc-encoding "${found}"`)}): Loki 3.7.6 run so in ingester_client answered 500 to every push and query`,
    },
  ),
  listed(
    /(^|\.)signature_version$/,
    "grafana/loki v3.7.6 pkg/storage/chunk/client/aws/s3_storage_client.go:46-51, 138-141 (S3Config.Validate), pkg/storage/factory.go:249-253, 362-364",
    { empty: false, stops: () => 'Loki stops at load ("unsupported signature version")' },
  ),
  listed(
    new RegExp(`${THANOS_S3}storage_class$`),
    "grafana/loki v3.7.6 pkg/storage/bucket/s3/config.go:32, 46, 130-132 (Config.Validate), pkg/storage/bucket/client.go:140-153, pkg/loki/loki.go:309 (ruler_storage), pkg/storage/factory.go:374",
    { empty: true, stops: () => 'Loki stops at load ("unsupported S3 storage class")' },
  ),
  listed(
    /(^|\.)storage_class$/,
    "grafana/loki v3.7.6 pkg/storage/common/aws/storage_class.go:26-35 (ValidateStorageClass), pkg/storage/chunk/client/aws/s3_storage_client.go:138-143",
    { empty: false, stops: (found) => `Loki stops at load ("unsupported S3 storage class: ${found}")` },
  ),
  listed(
    new RegExp(`${THANOS_S3}sse\\.type$`),
    "grafana/loki v3.7.6 pkg/storage/bucket/s3/config.go:31, 45, 156-159 (SSEConfig.Validate)",
    { empty: true, stops: () => 'Loki stops at load ("unsupported S3 SSE type")' },
  ),
  // The chunk store's own S3 reads its SSE type when it builds its client; Loki 3.7.6 with the
  // aws store on a MinIO and `SSE-KM` stopped at start (the compactor's client first).
  listed(
    /(^|\.)sse\.type$/,
    "grafana/loki v3.7.6 pkg/storage/chunk/client/aws/s3_storage_client.go:190-193, 205-211 (buildSSEParsedConfig), pkg/storage/chunk/client/aws/sse_config.go:26-49 (NewSSEParsedConfig)",
    {
      empty: true,
      stops: () =>
        'Loki stops at start in every process that builds this store\'s client ("failed to build SSE config: SSE type is empty or invalid")',
    },
  ),
  // A YAML null leaves the zero value, auto: yaml.v2 calls no UnmarshalYAML for it (prepare,
  // decode.go:297-300). The reference types it `int` (its zero value's); it is a word.
  listed(
    /(^|\.)s3\.bucket_lookup_type$/,
    `${OBJSTORE} providers/s3/s3.go:36-38, 52-71 (BucketLookupType.UnmarshalYAML); grafana/loki v3.7.6 pkg/storage/bucket/s3/config.go:52-56, 248-255 (the flag)`,
    {
      empty: false,
      nullAccepted: true,
      stops: (found) => `Loki stops at load ("unsupported bucket lookup type: ${found}")`,
    },
  ),
  // Read when the bucket's client is built; Loki 3.7.6 with the thanos store on a MinIO and `v3`
  // stopped at start, without use_thanos_objstore it was ready.
  listed(
    /(^|\.)list_objects_version$/,
    `${OBJSTORE} providers/s3/s3.go:319-321 (NewBucketWithConfig), grafana/loki v3.7.6 pkg/storage/bucket/s3/bucket_client.go:62`,
    {
      empty: true,
      stops: (found) =>
        `Loki stops at start in every process that builds this bucket's client (${JSON.stringify(`Initialize s3 client list objects version: Unsupported version "${found}" was provided`)})`,
      ignored: (_path, config) => thanosOff(config),
    },
  ),
  listed(
    /(^|\.)environment$/,
    "grafana/loki v3.7.6 pkg/storage/chunk/client/azure/blob_storage_client.go:47, 610-613 (BlobStorageConfig.Validate)",
    { empty: false, stops: () => 'Loki stops at load ("unsupported Azure blob storage environment")' },
  ),
  // Validated only for these two caches, each once it is on (cache_results; cache_index_stats_results,
  // on by default).
  listed(
    /^query_range\.(results_cache|index_stats_results_cache)\.compression$/,
    "grafana/loki v3.7.6 pkg/storage/chunk/cache/resultscache/config.go:28-34 (Config.Validate), pkg/querier/queryrange/queryrangebase/roundtrip.go:61-66, pkg/querier/queryrange/roundtrip.go:80-91",
    {
      empty: true,
      stops: (found, path) =>
        `Loki stops at load ("unsupported compression type: ${found}") once the cache is on (${path.includes("index_stats") ? "query_range.cache_index_stats_results, true by default" : "query_range.cache_results"})`,
    },
  ),
  listed(
    /^query_range\.\w+_cache\.compression$/,
    "grafana/loki v3.7.6 pkg/querier/queryrange/roundtrip.go:119 (newResultsCacheFromConfig)",
    {
      empty: true,
      warning: true,
      stops: () => 'Loki 3.7.6 takes it and keeps this cache uncompressed: it compresses only with "snappy"',
    },
  ),
  listed(/^query_engine\.results_cache\.compression$/, "grafana/loki v3.7.6 pkg/engine/handler.go:99", {
    empty: true,
    warning: true,
    caseless: true,
    stops: () => 'Loki 3.7.6 takes it and keeps this cache uncompressed: it compresses only with "snappy"',
  }),
  listed(
    /(^|\.)zone_aware_routing\.role$/,
    `${DSKIT} kv/memberlist/node_zone_aware_routing.go:61-83 (ZoneAwareRoutingConfig.Validate), kv/memberlist/memberlist_client.go:252`,
    {
      empty: false,
      stops: (found) =>
        `Loki stops at start ("invalid role: ${found}") in every process that runs memberlist, once zone_aware_routing.enabled is true`,
    },
  ),
  listed(/^server\.log_format$/, `${DSKIT} log/gokit.go:40-51 (newGoKit)`, {
    empty: true,
    warning: true,
    stops: () => 'Loki 3.7.6 takes it and logs in logfmt: it writes JSON only for "json"',
  }),
  // Lower-cased, then aimd for the controller and limited for the retrier; the hedger's switch has
  // no word but its default (congestion.go:41-46), so its help's `limited` does nothing either.
  // Loki logs "unrecognized ... strategy in config, using noop" and runs.
  listed(
    /(^|\.)congestion_control\.(controller|retry|hedging)\.strategy$/,
    "grafana/loki v3.7.6 pkg/storage/chunk/client/congestion/congestion.go:19-46",
    {
      empty: true,
      warning: true,
      caseless: true,
      words: (words, path) => (path.includes(".hedging.") ? [] : words),
      stops: (_found, path) =>
        path.includes(".hedging.")
          ? "Loki 3.7.6 has no hedging strategy: it takes every word as none, its help's too"
          : "Loki 3.7.6 takes it as no strategy: congestion control does nothing with it",
    },
  ),
];

/** The problems of a key whose values the reference lists, by {@link LISTED_VALUES}. */
function listedValueProblems(
  field: EngineField,
  value: unknown,
  path: string,
  parent?: Record<string, unknown>,
  config?: unknown,
): FieldProblem[] {
  if (!field.values) return [];
  const rule = LISTED_VALUES.find((l) => l.key.test(field.path))!;
  return rule.problems(field.values.words, value, path, parent, config).map((p) => ({
    path: p.path,
    severity: p.severity ?? "error",
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
          severity: p.severity ?? "error",
          message: `${p.message} (${rule.source})`,
          ...(p.choices ? { choices: p.choices } : {}),
        });
  return [...out, ...listedValueProblems(field, value, path, parent, config)];
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
    if (engine === "loki") {
      readLokiValues(readReferenceFile(path.join(path.dirname(file), LOKI_VALUES_FILE)), folder, ref);
      readLokiFlags(readReferenceFile(path.join(path.dirname(file), LOKI_FLAGS_FILE)), folder, ref);
    }
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

/** One part of a Go `time.ParseDuration` text: a number (digits before or after a point) and its unit. */
const GO_DURATION_PART = /^(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/;
/** Each unit Go's `time.ParseDuration` takes, in nanoseconds (time/format.go unitMap). */
const GO_UNIT_NS: Record<string, bigint> = {
  ns: 1n,
  us: 1000n,
  µs: 1000n,
  μs: 1000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};
const TWO_63 = 2n ** 63n;
/** Prometheus's `model.ParseDuration` units, largest first (common/model/time.go:190-200). */
const PROM_UNITS = ["y", "w", "d", "h", "m", "s", "ms"];

/**
 * Whether Go's `time.ParseDuration` takes `s`: its grammar (https://pkg.go.dev/time#ParseDuration)
 * and its range, at most 2^63-1 ns (2^63 when negative), counted as it counts: whole part and
 * unit in 64 bits, a fraction's digits past 2^63 dropped and its share added in float64
 * (go1.26.8 src/time/format.go:1631-1727, run: "2562047h" and "2562047.788015215h" are taken,
 * "2562048h" and "2562047.8h" refused with "invalid duration"; Loki 3.7.6 builds with go 1.26.5,
 * go.mod:3 and Makefile:29 at the tag). Loki's loader reads a time.Duration's text with it and
 * refuses the file where it fails (vendor/gopkg.in/yaml.v2/decode.go:508-514 at v3.7.6, read, not run).
 */
export function parsesAsGoDuration(s: string): boolean {
  let rest = s.replace(/^[-+]/, "");
  const negative = s.startsWith("-");
  if (rest === "0") return true;
  if (rest === "") return false;
  let total = 0n;
  while (rest !== "") {
    const m = GO_DURATION_PART.exec(rest);
    if (!m || (m[1] === "" && !m[2])) return false;
    const unit = GO_UNIT_NS[m[3]];
    let whole = 0n;
    for (const c of m[1]) {
      whole = whole * 10n + BigInt(c);
      if (whole > TWO_63) return false;
    }
    if (whole > TWO_63 / unit) return false;
    let part = whole * unit;
    // leadingFraction: digits that would take the fraction past 2^63-1 are skipped.
    let fraction = 0n;
    let scale = 1;
    for (const c of m[2] ?? "") {
      if (fraction > (TWO_63 - 1n) / 10n) break;
      const next = fraction * 10n + BigInt(c);
      if (next > TWO_63) break;
      fraction = next;
      scale *= 10;
    }
    if (fraction > 0n) part += BigInt(Math.trunc(Number(fraction) * (Number(unit) / scale)));
    if (part > TWO_63) return false;
    total += part;
    if (total > TWO_63) return false;
    rest = rest.slice(m[0].length);
  }
  return negative || total < TWO_63;
}

export function parsesAsModelDuration(s: string): boolean {
  return modelDurationMs(s) !== undefined;
}

/** Each Prometheus unit in milliseconds (common/model/time.go:191-199: a year is 365d, a week 7d). */
export const PROM_UNIT_MS: Record<string, number> = {
  y: 365 * 86_400_000,
  w: 7 * 86_400_000,
  d: 86_400_000,
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
};

/**
 * The longest duration `model.ParseDuration` takes, in nanoseconds: 2^63-1, a time.Duration's
 * largest (common/model/time.go:248-255 at v0.67.1, the version in Mimir mimir-3.0.0's go.mod:35
 * and vendor/modules.txt:1223; "duration out of range" above it, so Mimir and Loki stop at load).
 * Run: ParseDuration of v0.67.1 takes "292y", "106751d" and "2562047h" and refuses "293y",
 * "106752d" and "2562048h".
 */
const MODEL_DURATION_MAX_NS = 2n ** 63n - 1n;
/**
 * The longest duration `model.ParseDuration` takes, in the words every message says it in: 2^63-1 ns
 * in whole milliseconds, the finest unit it reads (amtool 0.25, run: "106751d1h" and this taken,
 * "106751d23h47m16s855ms" refused; 106751d alone would name a limit below what it takes).
 */
export const MODEL_DURATION_MOST = "106751d23h47m16s854ms (about 292 years)";

/**
 * The parts of a `model.Duration` text (number and unit, largest unit first, each unit once; "0" has
 * none), or undefined when it is not of that form: the one reading of its form that its value and
 * the words of a refusal are both taken from.
 */
function modelDurationParts(s: string): [bigint, string][] | undefined {
  if (s === "0") return [];
  if (s === "") return undefined;
  const parts: [bigint, string][] = [];
  let rest = s;
  let last = -1;
  while (rest !== "") {
    const m = /^(\d+)(ms|[ywdhms])/.exec(rest);
    if (!m) return undefined;
    const pos = PROM_UNITS.indexOf(m[2]);
    if (pos <= last) return undefined; // units go from largest to smallest, each once
    last = pos;
    parts.push([BigInt(m[1]), m[2]]);
    rest = rest.slice(m[0].length);
  }
  return parts;
}

/** A `model.Duration` text in nanoseconds, read as `model.ParseDuration` reads it but for its range. */
function modelDurationNs(s: string): bigint | undefined {
  return modelDurationParts(s)?.reduce(
    (ns, [v, unit]) => ns + v * BigInt(PROM_UNIT_MS[unit]) * 1_000_000n,
    0n,
  );
}

/**
 * The words `model.ParseDuration` refuses a text of its form with for its length, or undefined when
 * it takes it (or the text is not of its form): part by part, a number past a uint64 fails
 * `strconv.ParseUint` first ("not a valid duration string: %q"), a part or the running sum past
 * 2^63-1 ns is "duration out of range" (common/model/time.go:226-229, :248-255 at v0.67.1; read,
 * not run).
 */
export function modelDurationRefusal(s: string): string | undefined {
  let ns = 0n;
  for (const [v, unit] of modelDurationParts(s) ?? []) {
    if (v > 2n ** 64n - 1n) return `not a valid duration string: ${JSON.stringify(s)}`;
    ns += v * BigInt(PROM_UNIT_MS[unit]) * 1_000_000n;
    if (ns > MODEL_DURATION_MAX_NS) return "duration out of range";
  }
  return undefined;
}

/** A `model.Duration` text in milliseconds, as `model.ParseDuration` reads it, or undefined when it does not parse. */
export function modelDurationMs(s: string): number | undefined {
  const ns = modelDurationNs(s);
  return ns === undefined || ns > MODEL_DURATION_MAX_NS ? undefined : Number(ns / 1_000_000n);
}

/** Whether `s` is a `model.Duration` in form that `model.ParseDuration` refuses for its length alone. */
export function modelDurationTooLong(s: string): boolean {
  return modelDurationRefusal(s) !== undefined;
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

/** The longest duration Go's `time.ParseDuration` takes (2^63-1 ns), in the words every message says it in. */
export const GO_DURATION_MOST = "2562047h47m16.854775807s (about 292 years)";

/** The form a duration field takes, with an example, for messages. */
export function durationForm(kind: DurationKind): string {
  return kind === "time.Duration"
    ? `a Go time.Duration: units ns, us, ms, s, m, h only (no d, w, y), e.g. "24h" or "90m", of at most ${GO_DURATION_MOST}`
    : `a Prometheus model.Duration: integers with units y, w, d, h, m, s, ms, largest first, e.g. "7d" or "1w2d", of at most ${MODEL_DURATION_MOST}`;
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

/**
 * What is wrong with `value` for a leaf of `type`, or undefined. `quoted`: the value is YAML's (a
 * config file's, not a flag's text), where a true, false or number the leaf takes written in quotes
 * is text, which the engine's YAML loader refuses (gopkg.in/yaml.v2, Loki's, reads no "4" into a
 * float64 field): the form says to drop them, as the stack's own keys say it (config/errors.ts numberForm).
 */
function leafProblem(field: EngineField, value: unknown, quoted = false): string | undefined {
  const form = expectedForm(field, value);
  if (form === undefined) return undefined;
  const text = typeof value === "string" ? value.trim() : "";
  const read =
    text === "true"
      ? true
      : text === "false"
        ? false
        : /^-?\d+(\.\d+)?$/.test(text)
          ? Number(text)
          : undefined;
  const hint =
    quoted && read !== undefined && expectedForm(field, read) === undefined
      ? ` (drop the quotes: ${text})`
      : "";
  return `expected ${form}${hint}; found ${JSON.stringify(value)}`;
}

/** The form a leaf of `type` expects when `value` is not one (without "expected "), or undefined. */
function expectedForm(field: EngineField, value: unknown): string | undefined {
  if (value === null) return undefined; // YAML null leaves the default in place
  if (field.duration) {
    // A model.Duration's UnmarshalYAML reads the scalar's text, a number's too (gopkg.in/yaml.v2
    // v2.4.0 decode.go:462-470, gopkg.in/yaml.v3 v3.0.1 decode.go:611-617): `0` is "0", `7` is "7".
    const text = field.duration === "model.Duration" && typeof value === "number" ? String(value) : value;
    if (typeof text !== "string") return durationForm(field.duration);
    return durationParses(field.duration, text) ? undefined : durationForm(field.duration);
  }
  switch (field.type) {
    case "boolean":
      return typeof value === "boolean" ? undefined : "true or false, a boolean";
    case "int":
      if (isBase2Bytes(field))
        return base2BytesReads(value)
          ? undefined
          : `a byte size with a unit like "64KiB", "1.5MiB" or "1MB" (KB and KiB are both 1024; a bare number but 0 has no unit, which Loki refuses)`;
      if (Number.isInteger(value)) return undefined;
      if (isByteSize(field))
        return typeof value === "string" && BYTE_SIZE_TEXT.test(value.trim())
          ? undefined
          : `a byte size: an integer of bytes or whole units like "3MB", "256KB" (no fraction, no KiB)`;
      return "an integer";
    case "float":
      return typeof value === "number" ? undefined : "a number";
    case "list of strings":
      // Several Mimir lists are comma-separated strings too (flagext.StringSliceCSV).
      return (Array.isArray(value) && value.every(SCALAR)) || typeof value === "string"
        ? undefined
        : "a list of strings";
    case "list of durations":
      return Array.isArray(value) ? undefined : "a list of durations";
    default:
      if (field.type.startsWith("map of")) return isObject(value) ? undefined : "a map";
      if (field.type.startsWith("list of") || field.type === "slice")
        return Array.isArray(value) ? undefined : "a list";
      // string, url, secret, time, Regexp, ...: a scalar the engine reads as text
      return SCALAR(value) ? undefined : `a ${field.type} (a single value)`;
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
        // A key whose words the reference lists is judged by them (valueProblems), whatever its
        // type column says (a bucket lookup type is `int` there, a word to Loki).
        const problem = field.values ? undefined : leafProblem(field, v, true);
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

/**
 * The flags each engine's main() declares beside its config's, which its reference may not list:
 * Mimir's loader's (cmd/mimir/main.go:108-110 at mimir-3.0.0). Loki's (its ConfigWrapper's,
 * -config.file among them) are its reference's flags.tsv, read from the source.
 */
export const ENGINE_MAIN_FLAGS: Readonly<Record<Engine, Readonly<Record<string, GoFlag>>>> = {
  loki: {},
  mimir: { "config.file": "value", "config.expand-env": "bool" },
};

/** The flags Mimir's first pass declares (mimir-3.0.0 cmd/mimir/main.go:263-268): the loader's two alone. */
const MIMIR_LOADER_FLAGS: GoFlagSet = { flags: ENGINE_MAIN_FLAGS.mimir };

/**
 * The config file Mimir 3.0.0 loads and whether it expands it: `config.file` and `config.expand-env`
 * as its first pass sets them, which is not its main parse. Before it declares its other flags, main()
 * parses the arguments with a flag set of those two alone, once from each argument in turn to the
 * end, ignoring every error (cmd/mimir/main.go:92, 261-279): a `-config.file` is read wherever it
 * stands, after a non-flag, after `--`, after a flag that takes it as its value; the last one met
 * wins (`-config.file=` loads none). The main parse ignores both flags (main.go:108-110). Checked
 * against that function run with go1.26.8's flag package.
 */
export function mimirLoaderFlags(args: readonly string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < args.length; i++)
    for (const g of goFlagsGiven(args.slice(i), MIMIR_LOADER_FLAGS).given)
      flags.set(
        g.name,
        g.name === "config.file"
          ? (g.value ?? "")
          : String(g.value === undefined || GO_BOOL.true.has(g.value)),
      );
  return flags;
}

/** {@link engineDeclaredFlags}' table of each reference read. */
const declaredFlags = new WeakMap<EngineReference, Readonly<Record<string, GoFlag>>>();

/**
 * How Go's flag package takes each flag the engine declares: its reference's (a `boolean` one,
 * IsBoolFlag, only as `=value`; any other the next argument too) and its main()'s.
 */
export function engineDeclaredFlags(ref: EngineReference): Readonly<Record<string, GoFlag>> {
  // Built once per reference: engine-config asks for it for every engine container, twice for Loki's.
  let flags = declaredFlags.get(ref);
  if (!flags) {
    const kinds: Record<string, GoFlag> = {};
    for (const [name, f] of ref.flags) kinds[name] = f.type === "boolean" ? "bool" : "value";
    for (const [name, f] of ref.otherFlags ?? []) kinds[name] ??= f.kind;
    flags = Object.freeze({ ...kinds, ...ENGINE_MAIN_FLAGS[ref.engine] });
    declaredFlags.set(ref, flags);
  }
  return flags;
}

/**
 * The flags an engine is given (the arguments after its binary), read as Go's flag package reads
 * them (upstream/goflag.ts) for a program declaring `declared` (the engine's, {@link engineDeclaredFlags}):
 * `-name=value`, `-name value`, a boolean bare; none after `--` or the first argument that is not a
 * flag (Go leaves them as arguments, which neither engine reads). Each flag of the reference given is
 * judged, its problem's path the argument(s) it came from; one declared beside the reference (the
 * loader's -config.file) is not. Each argument Go refuses (an undeclared flag, a boolean's bad value)
 * or answers with the usage is one problem; the flags after it are read as Go would once it is put
 * right (removed), unless it is a bare undeclared flag: whether it takes the next argument is unknown.
 * `serves`: the engine is meant to keep running (a Deployment's, not a Job's), so an argument on
 * which it does a task and exits is a problem too ({@link lokiExitsBeforeParse}, {@link engineExitsAfterParse}); an
 * undeclared flag a flags.tsv `<prefix>` row may be is a warning, not refused ({@link tailFlags}).
 */
export function checkEngineFlags(
  ref: EngineReference,
  args: readonly string[],
  declared: Readonly<Record<string, GoFlag>> = engineDeclaredFlags(ref),
  serves = true,
): FieldProblem[] {
  // -health or -version: Loki exits before it reads a flag.
  const beforeParse = lokiExitsBeforeParse(ref, args);
  if (beforeParse.length > 0) return serves ? beforeParse : [];
  const tails = tailFlags(ref, args, declared);
  const table =
    tails.length === 0
      ? declared
      : { ...declared, ...Object.fromEntries(tails.map((t) => [t.name, t.kind])) };
  const name = ref.engine === "loki" ? "Loki" : "Mimir";
  const problems: FieldProblem[] = [];
  // The flags the engine sets once the refused ones are removed: its exits are judged on them, so
  // that an exit is said beside a refused flag, not only once that one is put right.
  const given: GoFlagGiven[] = [];
  const done = () => (serves ? [...engineExitsAfterParse(ref, given), ...problems] : problems);
  let rest = args;
  for (let first = true; ; first = false) {
    const parsed = goFlagsGiven(rest, { flags: table });
    given.push(...parsed.given);
    if (first)
      for (const t of tails)
        problems.push({
          path: t.arg,
          severity: "warning",
          message: `-${t.name} may be a flag of ${name} ${ref.version}: ${t.source} registers <prefix>${t.tail} under a prefix its reference does not resolve, so it is not refused; check it at the source`,
        });
    const { read, at } = parsed;
    problems.push(...givenFlagProblems(ref, parsed.given, table));
    if (at === undefined || "flags" in read) return done();
    const arg = rest[at];
    const undeclared = "refused" in read && /^flag provided but not defined: -(.*)$/s.exec(read.refused);
    problems.push({
      path: arg,
      severity: "error",
      message:
        "exits" in read
          ? `${name} ${ref.version} declares no ${arg}: Go's flag package answers it with the usage (flag.ErrHelp), and ${name} prints it and exits at start`
          : undeclared
            ? `${name} ${ref.version} has no flag -${undeclared[1]} (${ref.folder}); Go's flag package stops it at start ("flag provided but not defined")${flagMeant(undeclared[1], table)}`
            : `${name} stops at start: Go's flag package refuses it (${"refused" in read ? read.refused : ""})`,
    });
    if (undeclared && !arg.includes("=")) return done();
    rest = rest.slice(at + 1);
  }
}

/**
 * Mimir 3.0.0's flags on which it does a task and exits instead of running, each once its main parse
 * has read it true (a boolean of main()'s or of its config's): `-help`, `-h` (one variable, the last
 * given wins) and `-help-all` print the usage and exit 2 (cmd/mimir/main.go:78-80, 124-136),
 * `-version` prints the version and returns (:76, 138-141), `-modules` lists the modules and returns
 * (:77, 209-231), `-print.config` prints the config and exits 0 (pkg/mimir/mimir.go:178, 898-903,
 * from mimir.New at main.go:206).
 */
const MIMIR_EXITS: readonly ExitRow[] = [
  [["help", "h"], "prints its usage", "cmd/mimir/main.go:78-79, 124-136"],
  [["help-all"], "prints its usage", "cmd/mimir/main.go:80, 124-136"],
  [["version"], "prints its version", "cmd/mimir/main.go:76, 138-141"],
  [["modules"], "lists its modules", "cmd/mimir/main.go:77, 209-231"],
  [["print.config"], "prints its config", "pkg/mimir/mimir.go:178, 898-903"],
];

/**
 * Loki 3.7.6's flags on which it does a task and exits once they are parsed: `-verify-config` once
 * the config is valid (cmd/loki/main.go:108-111), `-list-targets` once it listed them (:141-144).
 */
const LOKI_EXITS: readonly ExitRow[] = [
  [["verify-config"], "checks its config", "cmd/loki/main.go:108-111"],
  [["list-targets"], "lists its targets", "cmd/loki/main.go:141-144"],
];

/** A flag (and the names that set its variable), what the engine does on it instead of running, where. */
type ExitRow = readonly [names: readonly string[], does: string, source: string];

/** "; did you mean -X?" for an undeclared flag one of the engine's flags is the closest match of, or "". */
function flagMeant(given: string, declared: Readonly<Record<string, GoFlag>>): string {
  const near = closestMatch(given, Object.keys(declared));
  return near === undefined ? "" : `; did you mean -${near}?`;
}

/**
 * The flags `args` names that `declared` lacks but that end in the tail of a flag registered under
 * a prefix the reference does not resolve ({@link EngineReference.flagTails}): each may be declared,
 * taken as that registration's kind.
 */
function tailFlags(
  ref: EngineReference,
  args: readonly string[],
  declared: Readonly<Record<string, GoFlag>>,
): { arg: string; name: string; tail: string; kind: GoFlag; source: string }[] {
  if (!ref.flagTails?.length) return [];
  const out: { arg: string; name: string; tail: string; kind: GoFlag; source: string }[] = [];
  for (const a of args) {
    const name = /^--?([^-=][^=]*)/.exec(a)?.[1];
    if (!name || Object.prototype.hasOwnProperty.call(declared, name) || out.some((o) => o.name === name))
      continue;
    const t = ref.flagTails.find((x) => name.endsWith(x.tail) && name.length > x.tail.length);
    if (t) out.push({ arg: a, name, ...t });
  }
  return out;
}

/**
 * Loki 3.7.6's arguments on which it does a task and exits before any parse: any argument `-health`
 * (any number of dashes, no value, wherever it stands) runs a health check against /ready and
 * exits (cmd/loki/main.go:49-53, health.go:17-26), and any `-version` prints the version and exits 0
 * (main.go:55-58, pkg/loki/config_wrapper.go:42-50; `-version=true` is a flag it ignores). The pod
 * restarts it for ever.
 */
function lokiExitsBeforeParse(ref: EngineReference, args: readonly string[]): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (ref.engine !== "loki") return problems;
  for (const a of args)
    if (/^-+health$/.test(a))
      problems.push(
        engineExit(ref, a, "runs its health check against /ready", "cmd/loki/main.go:49-53, health.go:17-26"),
      );
    else if (/^-+version$/.test(a))
      problems.push(
        engineExit(ref, a, "prints its version", "cmd/loki/main.go:55-58, pkg/loki/config_wrapper.go:42-50"),
      );
  return problems;
}

/**
 * An engine's flags on which it does a task and exits once they are parsed (`given`, the flags Go's
 * flag package sets, in order, once the ones it refuses are removed: a refused one stops the engine
 * before any of these, and checkEngineFlags says so beside them): {@link LOKI_EXITS},
 * {@link MIMIR_EXITS}. The last of the flags setting one variable decides it (a boolean's value as
 * Go's ParseBool reads it).
 */
function engineExitsAfterParse(ref: EngineReference, given: readonly GoFlagGiven[]): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const [names, does, source] of ref.engine === "loki" ? LOKI_EXITS : MIMIR_EXITS) {
    const g = [...given].reverse().find((x) => names.includes(x.name));
    if (g && (g.value === undefined || GO_BOOL.true.has(g.value)))
      problems.push(engineExit(ref, g.args.join(" "), does, source));
  }
  return problems;
}

/** The problem of an argument on which the engine does a task and exits instead of running. */
const engineExit = (ref: EngineReference, path: string, does: string, source: string): FieldProblem => ({
  path,
  severity: "error",
  message: `${ref.engine === "loki" ? "Loki" : "Mimir"} ${ref.version} ${does} and exits instead of running (${ref.engine === "loki" ? `grafana/loki v${ref.version}` : `grafana/mimir mimir-${ref.version}`} ${source}), so the pod restarts it for ever: remove it`,
});

/** The problems of the flags Go's flag package set ({@link checkEngineFlags}). */
function givenFlagProblems(
  ref: EngineReference,
  given: readonly GoFlagGiven[],
  declared: Readonly<Record<string, GoFlag>>,
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const name = ref.engine === "loki" ? "Loki" : "Mimir";
  for (const g of given) {
    const flag = ref.flags.get(g.name);
    if (!flag) continue;
    const a = g.args.join(" ");
    if (flag.category === "experimental" || flag.category === "deprecated")
      problems.push({
        path: a,
        severity: "warning",
        message: `-${g.name} is ${flag.category} in ${name} ${ref.version} (${flag.source})${flag.chartArg?.arg === a ? `; ${flag.chartArg.note}` : ""}`,
      });
    if (g.value !== undefined && flag.kind !== "flag-only" && flag.type !== "block") {
      // A boolean's value Go has read already (strconv.ParseBool): judged as what it set.
      const text = declared[g.name] === "bool" ? String(GO_BOOL.true.has(g.value)) : g.value;
      const problem = flag.values ? undefined : leafProblem(flag, coerceFlag(flag, text));
      if (problem) problems.push({ path: a, severity: "error", message: `${problem} (${flag.source})` });
      // A flag sets the same value as its key: the key's load-time rules hold for it too.
      else problems.push(...valueProblems(ref, flag, text, a).map((p) => ({ ...p, path: a })));
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
