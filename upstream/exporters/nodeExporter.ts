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
  PROMSLOG_FORMATS,
  PROMSLOG_LEVELS,
  type KingpinApp,
  type KingpinFlag,
  type KingpinValueCheck,
} from "../kingpin";
import { columnsOf, readReferenceFile, referenceDataDir, tsvRows } from "../reference";

/** The node_exporter release whose flags the data lists: the image model/versions.ts pins. */
export const NODE_EXPORTER_VERSION = "v1.10.2";

/** The columns of flags.tsv: the flag, its kind, whether --help hides it, its short letter (`-` none), where it is registered. */
export const NODE_EXPORTER_FLAG_COLUMNS = ["flag", "kind", "hidden", "short", "source"] as const;

/** The reference data folder of a tag: `node-exporter-1.10.2` for v1.10.2. */
export function nodeExporterFolder(tag: string): string {
  const m = /^v(\d+\.\d+\.\d+)$/.exec(tag);
  if (!m) throw new Error(`node-exporter: expected a tag like v1.10.2, found ${JSON.stringify(tag)}`);
  return `node-exporter-${m[1]}`;
}

/** node_exporter's flags as kingpin takes them, each flag's registration, and its short flags (letter to flag). */
export interface NodeExporterFlags {
  flags: Readonly<Record<string, KingpinFlag>>;
  sources: Readonly<Record<string, string>>;
  shorts: Readonly<Record<string, string>>;
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
  const [f, k, h, s, src] = columnsOf(header, NODE_EXPORTER_FLAG_COLUMNS, where);
  const flags: Record<string, KingpinFlag> = {};
  const sources: Record<string, string> = {};
  const shorts: Record<string, string> = {};
  for (const r of rows) {
    if (r[k] !== "bool" && r[k] !== "value" && r[k] !== "cumulative")
      throw new Error(
        `${where}: expected kind bool, value or cumulative for ${r[f]}, found ${JSON.stringify(r[k])}`,
      );
    if (r[h] !== "true" && r[h] !== "false")
      throw new Error(`${where}: expected hidden true or false for ${r[f]}, found ${JSON.stringify(r[h])}`);
    flags[r[f]] = r[k];
    sources[r[f]] = r[src];
    if (r[s] !== "-") shorts[r[s]] = r[f];
  }
  table = { flags, sources, shorts };
  return table;
}

/**
 * The values node_exporter v1.10.2 refuses at its flags' parse: `--log.level` and `--log.format`
 * are promslog's Level and Format (prometheus/common v0.67.1, go.mod:26, promslog/flag/flag.go:44-53
 * `SetValue`), whose Set refuses a level that is not debug, info, warn or error once lowercased
 * (promslog/slog.go:101-114, `unrecognized log level <value>`) and a format that is not exactly
 * logfmt or json (:131-139, `unrecognized log format <value>`). The v1.10.2 binary:
 * `--log.level=verbose` and `--log.format=JSON` exit 1 with those words, `--log.level=DEBUG` starts.
 */
export const NODE_EXPORTER_VALUES: Readonly<Record<string, KingpinValueCheck>> = {
  "log.level": { options: PROMSLOG_LEVELS, anyCase: true, error: (v) => `unrecognized log level ${v}` },
  "log.format": { options: PROMSLOG_FORMATS, error: (v) => `unrecognized log format ${v}` },
};

/**
 * node_exporter as kingpin v2.4.0 runs it: its flags beside kingpin's own, `-h` for `--help`
 * (node_exporter.go:209), `--version` from `kingpin.Version` (:207, a PreAction that prints and
 * exits 0), and the values its log flags refuse.
 */
export function nodeExporterApp(): KingpinApp {
  const { flags, shorts } = nodeExporterFlags();
  return {
    flags: { ...KINGPIN_FLAGS, ...flags },
    shorts,
    preActions: ["version"],
    values: NODE_EXPORTER_VALUES,
  };
}
