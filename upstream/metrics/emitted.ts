import * as fs from "fs";
import * as path from "path";
import { fewEdits, nearest } from "@homelab-observability/contract";
import { readReferenceFile } from "../reference";
import { OLDEST_KUBERNETES_KEY, SUPPORTED_KUBERNETES_MINORS } from "./kubernetes";

/**
 * The metric names the stack's components emit, each read at the component's source at the version
 * the program pins: `upstream/metrics/data/emitted-metrics.tsv` (its header says the columns; every
 * row keeps the file and line it was read from). Panels and alerts are judged against it: a query
 * that reads a name no running component emits shows nothing, or never fires, without an error.
 */

/** One row of the data: a metric (or a `prefix*` a component owns) and when it exists. */
export interface EmittedRow {
  metric: string;
  type: string;
  emitter: string;
  versionRead: string;
  source: string;
  labels: string[];
  /** Deployment keys (any of) under which the emitter runs; `always` and `record` are special. */
  presentWhen: string[];
  notes: string;
  /** The name upstream replaced this one with, when it is deprecated. */
  replacedBy?: string;
}

/** Where the data file lives: in the project (the directory holding Pulumi.yaml above this file). */
export function emittedMetricsFile(from: string = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "Pulumi.yaml")))
      return path.join(dir, "upstream", "metrics", "data", "emitted-metrics.tsv");
    if (path.dirname(dir) === dir)
      throw new Error(`no Pulumi.yaml above ${from}: cannot find the emitted-metrics data`);
  }
}

/**
 * The rows `npm run refresh-metrics` (upstream/refresh/metrics.ts) generates from each emitter's own
 * source at its tag (upstream/metrics/data/emitted-sources.tsv): beside the curated file, whose rows
 * (read with file and line, and the labels a scrape adds) take precedence.
 */
export function generatedMetricsFile(from: string = __dirname): string {
  return path.join(path.dirname(emittedMetricsFile(from)), "emitted-generated.tsv");
}

let cache: EmittedRow[] | undefined;

/** Every row of the data (comments skipped), the curated file's first, parsed once. */
export function emittedRows(): EmittedRow[] {
  if (cache) return cache;
  const rows: EmittedRow[] = [];
  for (const file of [emittedMetricsFile(), generatedMetricsFile()]) parseInto(file, rows);
  cache = rows;
  return rows;
}

/** A row as every emitted-metrics table writes it: {@link EmittedRow} with present_when as text. */
export type TableRow = Omit<EmittedRow, "presentWhen" | "replacedBy"> & { presentWhen: string };

/**
 * The columns every emitted-metrics table shares (metric, type, emitter, `repository tag`, source,
 * labels, present_when, notes), from one row's cells; present_when as written (`a|b`).
 */
export function sharedColumns(c: string[]): TableRow {
  return {
    metric: c[0],
    type: c[1],
    emitter: c[2],
    versionRead: c[3],
    source: c[4],
    labels: c[5] ? c[5].split(",") : [],
    presentWhen: c[6],
    notes: c[7],
  };
}

function parseInto(file: string, rows: EmittedRow[]): void {
  // Read through the recording loader: the check cache keys a verdict on every data file read.
  const lines = readReferenceFile(file).split("\n");
  lines.forEach((line, i) => {
    if (!line || line.startsWith("#") || line.startsWith("metric\t")) return;
    const c = line.split("\t");
    if (c.length !== 9)
      throw new Error(`${file}:${i + 1}: expected 9 tab-separated columns, found ${c.length}`);
    rows.push({
      ...sharedColumns(c),
      presentWhen: c[6].split("|").filter(Boolean),
      ...(c[8] ? { replacedBy: c[8] } : {}),
    });
  });
}

/**
 * `present_when` keys of conditions that hold only where the stack configures them: a Loki storage
 * client, cache or key-value store other than S3 and the in-memory ring (`loki-store:`,
 * `loki-cache:`, `loki-kv:`), a node_exporter collector registered defaultDisabled
 * (`node-exporter-collector:<name>`, present where `--collector.<name>` is passed), etcd's
 * `--metrics=extensive` (`etcd-metrics:`). Names under a key the stack lacks are judged not
 * running, so the panels and rules on them are left out.
 */
export const CONDITION_KEY =
  /^(loki-store|loki-cache|loki-kv|node-exporter-collector|etcd-metrics|kubernetes):/;

const HISTOGRAM_SUFFIXES = ["_bucket", "_count", "_sum"];
/** A summary is exposed as NAME{quantile}, NAME_sum and NAME_count. */
const SUMMARY_SUFFIXES = ["_count", "_sum"];

/** The rows by name (the first row naming a metric wins) and the prefix rows, built once per row set. */
const indexes = new WeakMap<EmittedRow[], { byName: Map<string, EmittedRow>; prefixes: EmittedRow[] }>();
function indexOf(rows: EmittedRow[]) {
  let ix = indexes.get(rows);
  if (!ix) {
    const byName = new Map<string, EmittedRow>();
    for (const r of rows) if (r.type !== "prefix" && !byName.has(r.metric)) byName.set(r.metric, r);
    ix = { byName, prefixes: rows.filter((r) => r.type === "prefix") };
    indexes.set(rows, ix);
  }
  return ix;
}

/** How one metric name stands against the data, for a stack whose emitters are `present`. */
export type Verdict =
  /** A row names it and its emitter runs (or a rule the stack ships records it). */
  | { kind: "emitted"; row?: EmittedRow }
  /** A row or a prefix names it, but its emitter does not run in this stack. */
  | { kind: "not-running"; row: EmittedRow }
  /** Upstream says the name does not exist at the pinned version. */
  | { kind: "absent"; row: EmittedRow }
  /** Upstream deprecated it: read `replacedBy` instead. */
  | { kind: "deprecated"; row: EmittedRow }
  /** A recording rule's name (it has a colon) that no rule of the stack records. */
  | { kind: "not-recorded" }
  /** Nothing in the data names it or its prefix while its owner runs: not judged. */
  | { kind: "unverified"; row?: EmittedRow };

// Every cluster runs Kubernetes: a name its oldest supported minor emits is there (a name only a
// newer minor emits is not, and its row says which minors: `kubernetes:1.30|...`).
const runs = (row: EmittedRow, present: ReadonlySet<string>) =>
  row.presentWhen.some((k) => k === "always" || k === OLDEST_KUBERNETES_KEY || present.has(k));

/** The row naming `metric` exactly, a histogram's series included (NAME_bucket/_count/_sum). */
function rowFor(metric: string, rows: EmittedRow[]): EmittedRow | undefined {
  const { byName } = indexOf(rows);
  const exact = byName.get(metric);
  if (exact) return exact;
  for (const s of HISTOGRAM_SUFFIXES)
    if (metric.endsWith(s)) {
      const base = byName.get(metric.slice(0, -s.length));
      if (base?.type === "histogram" || (base?.type === "summary" && SUMMARY_SUFFIXES.includes(s)))
        return base;
    }
  return undefined;
}

/** The longest `prefix*` row that `metric` starts with. */
function prefixFor(metric: string, rows: EmittedRow[]): EmittedRow | undefined {
  let best: EmittedRow | undefined;
  for (const r of indexOf(rows).prefixes)
    if (metric.startsWith(r.metric.slice(0, -1))) if (!best || r.metric.length > best.metric.length) best = r;
  return best;
}

/**
 * Judges one metric name: `present` holds the deployment keys of the stack (the `present_when`
 * column's vocabulary), `recorded` the names the stack's own recording rules write.
 */
export function judgeMetric(
  metric: string,
  present: ReadonlySet<string>,
  recorded: ReadonlySet<string>,
  rows: EmittedRow[] = emittedRows(),
): Verdict {
  if (recorded.has(metric)) return { kind: "emitted" };
  // By Prometheus' naming practice only recording rules put colons in a name.
  if (metric.includes(":")) return { kind: "not-recorded" };
  const row = rowFor(metric, rows);
  if (row) {
    if (row.type === "absent") return { kind: "absent", row };
    if (row.replacedBy) return { kind: "deprecated", row };
    if (row.type === "record") return { kind: "not-running", row };
    return runs(row, present) ? { kind: "emitted", row } : { kind: "not-running", row };
  }
  const prefix = prefixFor(metric, rows);
  if (prefix && !runs(prefix, present)) return { kind: "not-running", row: prefix };
  return { kind: "unverified", ...(prefix ? { row: prefix } : {}) };
}

/** Row types that name no series a query reads: a prefix, a name that does not exist, log streams. */
const NOT_SERIES = new Set([
  "prefix",
  "absent",
  "record",
  "log-stream",
  "structured-metadata",
  "scrape-target",
]);

/** The names of series the data knows (a histogram's and a summary's series each), built once per row set. */
const seriesNames = new WeakMap<EmittedRow[], string[]>();
function knownSeries(rows: EmittedRow[]): string[] {
  let names = seriesNames.get(rows);
  if (!names) {
    const all = new Set<string>();
    for (const r of rows) {
      if (NOT_SERIES.has(r.type) || r.replacedBy) continue;
      all.add(r.metric);
      const suffixes =
        r.type === "histogram" ? HISTOGRAM_SUFFIXES : r.type === "summary" ? SUMMARY_SUFFIXES : [];
      for (const s of suffixes) all.add(r.metric + s);
    }
    names = [...all];
    seriesNames.set(rows, names);
  }
  return names;
}

/**
 * At most this many edits make a name the data does not know a misspelling of one it knows: a
 * letter dropped, doubled, swapped or wrong, twice at most. The bound of a config key's slip (a
 * third of the letters, contract/closest.ts fewEdits) spans a whole word of a metric name, whose
 * words names share: `http_requests_total`, an app's own metric, is three edits from etcd's
 * `etcd_requests_total`, and no slip of it.
 */
const MISSPELT_EDITS = 2;

/**
 * The name the data knows that `metric`, a name it does not know ({@link judgeMetric}'s
 * `unverified`), is a misspelling of, or undefined: `node_cpu_seconds_totl` means
 * `node_cpu_seconds_total`.
 */
export function misspeltMetric(metric: string, rows: EmittedRow[] = emittedRows()): string | undefined {
  const { best, distance } = nearest(metric, knownSeries(rows));
  // And at most an edit per six letters: a short name is a name of its own, not a slip (an app's
  // `cpu` is one edit from `up`).
  return best !== undefined && distance <= Math.min(MISSPELT_EDITS, Math.floor(metric.length / 6))
    ? best
    : undefined;
}

/** Row types whose labels column says every label a series of the name carries, the scrape's aside. */
const LABELLED = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);

/**
 * The label `label`, which a query matches `metric` on, is a misspelling of, or undefined: a
 * label neither the emitter (its row's labels column) nor the scrape (the `*` row's) attaches to
 * the series, a letter or two ({@link MISSPELT_EDITS}, and no more than a third of its letters)
 * from one they do: `node_cpu_seconds_total{mdoe="idle"}` means `mode`, and matches no series.
 * Names whose row lists no labels are not judged (cAdvisor's rows do not say theirs), nor are
 * labels far from every known one (a relabelling of the scrape may add those).
 */
export function misspeltLabel(
  metric: string,
  label: string,
  rows: EmittedRow[] = emittedRows(),
): string | undefined {
  const row = rowFor(metric, rows);
  if (!row || !LABELLED.has(row.type) || row.labels.length === 0) return undefined;
  const known = [
    ...row.labels,
    ...(indexOf(rows).byName.get("*")?.labels ?? []),
    ...(metric === `${row.metric}_bucket` && row.type === "histogram" ? ["le"] : []),
    ...(metric === row.metric && row.type === "summary" ? ["quantile"] : []),
  ];
  if (known.includes(label)) return undefined;
  const { best, distance } = nearest(label, known);
  return best !== undefined && distance <= MISSPELT_EDITS && fewEdits(label, best, distance)
    ? best
    : undefined;
}

/** A verdict that makes a query wrong (rather than merely unjudged). */
export const isFault = (v: Verdict) =>
  v.kind === "not-running" || v.kind === "absent" || v.kind === "deprecated" || v.kind === "not-recorded";

/**
 * Whether a row is present only from a Kubernetes minor on (every `present_when` key a
 * `kubernetes:<minor>`): a name newer than the stack's oldest supported minor, no component.
 */
export const newerKubernetesOnly = (row: EmittedRow) =>
  row.presentWhen.length > 0 && row.presentWhen.every((k) => k.startsWith("kubernetes:"));

/** One sentence saying why a metric is a fault, naming the row's source. */
export function describeFault(metric: string, v: Verdict): string {
  if (v.kind === "absent")
    return `${metric} does not exist at the pinned version (${v.row.emitter}: ${v.row.source})`;
  if (v.kind === "deprecated")
    return `${metric} is deprecated upstream; read ${v.row.replacedBy} (${v.row.emitter}: ${v.row.source})`;
  if (v.kind === "not-recorded") return `${metric} is a recording rule this stack does not ship`;
  // A Kubernetes name newer than the oldest supported minor: say from which minor it exists.
  if (v.kind === "not-running" && newerKubernetesOnly(v.row))
    return `${metric} exists from Kubernetes ${v.row.presentWhen[0].slice("kubernetes:".length)} on (${v.row.emitter}: ${v.row.versionRead}, ${v.row.source}); the stack supports ${SUPPORTED_KUBERNETES_MINORS[0]}, where it shows nothing`;
  if (v.kind === "not-running")
    return v.row.type === "record"
      ? `${metric} is a recording rule this stack does not ship`
      : `${metric} comes from ${v.row.emitter}, which this stack does not run (needs ${v.row.presentWhen.join(" or ")})`;
  return `${metric} is emitted`;
}
