/**
 * node_exporter's command line: the flags its linux binary registers, read from
 * upstream/exporters/data/node-exporter-<version>/flags.tsv (written by
 * upstream/refresh/nodeExporter.ts from node_exporter's source at the pinned tag, with the
 * exporter-toolkit and prometheus/common modules its go.mod pins). node_exporter parses them with
 * kingpin v2.4.0 (go.mod:6 at v1.10.2), `kingpin.Parse()` at node_exporter.go:210, as
 * upstream/kingpin.ts models it.
 */
import * as path from "path";
import {
  KINGPIN_FLAGS,
  KINGPIN_TYPE_CHECKS,
  PROMSLOG_FORMATS,
  PROMSLOG_LEVELS,
  kingpinOneOf,
  type KingpinApp,
  type KingpinFlag,
  type KingpinValueCheck,
} from "../kingpin";
import { closestMatch } from "@homelab-observability/contract";
import { columnsOf, readReferenceFile, referenceDataDir, tsvRows } from "../reference";

/** The node_exporter release whose flags the data lists: the image model/versions.ts pins. */
export const NODE_EXPORTER_VERSION = "v1.10.2";

/** The columns of flags.tsv: the flag, its kind, whether --help hides it, its short letter (`-` none), where it is registered. */
export const NODE_EXPORTER_FLAG_COLUMNS = [
  "flag",
  "kind",
  "type",
  "set",
  "hidden",
  "short",
  "source",
] as const;

/** The reference data folder of a tag: `node-exporter-1.10.2` for v1.10.2. */
export function nodeExporterFolder(tag: string): string {
  const m = /^v(\d+\.\d+\.\d+)$/.exec(tag);
  if (!m) throw new Error(`node-exporter: expected a tag like v1.10.2, found ${JSON.stringify(tag)}`);
  return `node-exporter-${m[1]}`;
}

/**
 * node_exporter's flags as kingpin takes them, each flag's registration, its short flags (letter
 * to flag), and the Go type each flag's value is parsed as with where that parse is.
 */
export interface NodeExporterFlags {
  flags: Readonly<Record<string, KingpinFlag>>;
  sources: Readonly<Record<string, string>>;
  shorts: Readonly<Record<string, string>>;
  types: Readonly<Record<string, { type: string; set: string }>>;
}

let table: NodeExporterFlags | undefined;

/** The flags of the pinned node_exporter (read once). */
export function nodeExporterFlags(): NodeExporterFlags {
  if (table) return table;
  const folder = nodeExporterFolder(NODE_EXPORTER_VERSION);
  const where = `upstream/exporters/data/${folder}/flags.tsv`;
  const [header, ...rows] = tsvRows(
    readReferenceFile(path.join(referenceDataDir("exporters", folder), "flags.tsv")),
  );
  const [f, k, t, set, h, s, src] = columnsOf(header, NODE_EXPORTER_FLAG_COLUMNS, where);
  const flags: Record<string, KingpinFlag> = {};
  const sources: Record<string, string> = {};
  const shorts: Record<string, string> = {};
  const types: Record<string, { type: string; set: string }> = {};
  for (const r of rows) {
    if (r[k] !== "bool" && r[k] !== "value" && r[k] !== "cumulative")
      throw new Error(
        `${where}: expected kind bool, value or cumulative for ${r[f]}, found ${JSON.stringify(r[k])}`,
      );
    if (r[h] !== "true" && r[h] !== "false")
      throw new Error(`${where}: expected hidden true or false for ${r[f]}, found ${JSON.stringify(r[h])}`);
    flags[r[f]] = r[k];
    sources[r[f]] = r[src];
    types[r[f]] = { type: r[t], set: r[set] };
    if (r[s] !== "-") shorts[r[s]] = r[f];
  }
  table = { flags, sources, shorts, types };
  return table;
}

/**
 * The checks of node_exporter v1.10.2's values by the Go type each flag sets (flags.tsv's `type`):
 * kingpin's own ({@link KINGPIN_TYPE_CHECKS}) and promslog's Level and Format (prometheus/common
 * v0.67.1, go.mod:26, promslog/flag/flag.go:44-53 `SetValue`), whose Set refuses a level that is
 * not debug, info, warn or error once lowercased (promslog/slog.go:101-114, `unrecognized log level
 * <value>`) and a format that is not exactly logfmt or json (:131-139, `unrecognized log format
 * <value>`). The v1.10.2 binary: `--log.level=verbose` and `--log.format=JSON` exit 1 with those
 * words, `--log.level=DEBUG` starts.
 */
const NODE_EXPORTER_TYPE_CHECKS: Readonly<Record<string, KingpinValueCheck>> = {
  ...KINGPIN_TYPE_CHECKS,
  "promslog.Level": {
    ...kingpinOneOf(PROMSLOG_LEVELS, (v) => `unrecognized log level ${v}`, true),
    meant: (v) => closestMatch(v.toLowerCase(), PROMSLOG_LEVELS),
  },
  "promslog.Format": {
    ...kingpinOneOf(PROMSLOG_FORMATS, (v) => `unrecognized log format ${v}`),
    meant: (v) => closestMatch(v.toLowerCase(), PROMSLOG_FORMATS),
  },
};

/**
 * The check of each node_exporter flag's values, by its type; a type without one is an error of the
 * model, said (a refresh to a release whose flag sets a new type is seen, not passed).
 */
export function nodeExporterValues(): Readonly<Record<string, KingpinValueCheck>> {
  const { types } = nodeExporterFlags();
  return Object.fromEntries(
    Object.entries(types).map(([flag, { type }]) => {
      const check = Object.prototype.hasOwnProperty.call(NODE_EXPORTER_TYPE_CHECKS, type)
        ? NODE_EXPORTER_TYPE_CHECKS[type]
        : undefined;
      if (!check)
        throw new Error(
          `node-exporter: flags.tsv gives --${flag} the type ${type}, which upstream/exporters/nodeExporter.ts has no check for: read its Set at the source and add one`,
        );
      return [flag, check];
    }),
  );
}

/**
 * node_exporter as kingpin v2.4.0 runs it: its flags beside kingpin's own, `-h` for `--help`
 * (node_exporter.go:209), `--version` from `kingpin.Version` (:207, a PreAction that prints and
 * exits 0), and the values each flag's type refuses.
 */
export function nodeExporterApp(): KingpinApp {
  if (app) return app;
  const { flags, shorts } = nodeExporterFlags();
  app = {
    flags: { ...KINGPIN_FLAGS, ...flags },
    shorts,
    preActions: ["version"],
    values: nodeExporterValues(),
  };
  return app;
}
let app: KingpinApp | undefined;
