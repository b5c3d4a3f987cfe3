/**
 * Whether two range-query answers agree, series by series: the comparison of the `backend-agrees`
 * check, pure. It follows Mimir's query-tee comparator, which compares the answers of two backends
 * to the same query (grafana/mimir tools/querytee/response_comparator.go and proxy.go, read at
 * commit 003c2cf84abdad9ad3fa4847b81b7681a1baeca8; the CHANGELOG's Query-tee sections of 3.1.0
 * and after change nothing in the comparator or its flags since mimir-3.0.0):
 * - series are matched by their whole label set, in any order (compareMatrix keys the actual
 *   series by `Metric.Fingerprint()`), and a series on one side only is a difference;
 * - samples are matched pairwise by timestamp (compareSamplePair: "expected timestamp ... but
 *   got"); here a timestamp one side lacks is a gap;
 * - values: NaN equals NaN and +Inf/-Inf equal themselves; otherwise, with
 *   `-proxy.compare-use-relative-error`, |expected - actual| / |actual| <= tolerance when actual is
 *   not 0, else |expected - actual| <= tolerance (compareSampleValue). The tolerance's default is
 *   `-proxy.value-comparison-tolerance=0.000001`, there "to prevent false positives due to
 *   differences in floating point values rounding introduced by the non deterministic series
 *   ordering within the Prometheus PromQL engine";
 * - samples newer than `-proxy.compare-skip-recent-samples` (default 2m: "racing with ingestion
 *   and rule evaluation") and older than `-proxy.compare-skip-samples-before` are not compared
 *   (compareMatrixSamples trims them; allMatrixSamplesOutsideComparableWindow), and a series whose
 *   samples all fall outside that window is not compared either.
 * Prometheus' answer is query-tee's "expected", the backend's its "actual".
 */

import type { Backend } from "../model/phases";

/** One series of a range query's matrix (Prometheus HTTP API `resultType: "matrix"`). */
export interface RangeSeries {
  metric: Record<string, string>;
  /** [unix seconds, value as the API prints it]. */
  values: [number, string][];
}

/** query-tee's default value tolerance (`-proxy.value-comparison-tolerance`), used as a relative error. */
export const QUERY_TEE_TOLERANCE = 0.000001;
/** query-tee's default `-proxy.compare-skip-recent-samples`: samples this recent are not compared. */
export const SKIP_RECENT_SECONDS = 120;

/**
 * Functions MetricsQL computes otherwise than PromQL: "Unlike Prometheus, it takes into account
 * the last sample before the given lookbehind window `d` when calculating the result"
 * (VictoriaMetrics docs/MetricsQL.md, `increase`, `rate`, `delta`, `irate`, `idelta`,
 * `changes`, `resets`), with no extrapolation to the window's edges.
 */
export const METRICSQL_WINDOW_FUNCTIONS = [
  "rate",
  "increase",
  "delta",
  "irate",
  "idelta",
  "changes",
  "resets",
] as const;

/**
 * The relative tolerance for one query. Against Mimir, which runs PromQL (its own engine or
 * Prometheus'), it is query-tee's: exactly the case query-tee was made for. Against
 * VictoriaMetrics, an expression that applies one of {@link METRICSQL_WINDOW_FUNCTIONS} to a
 * window `[d]` gets 2 x scrape interval / d at least: MetricsQL's window reaches one sample
 * further back than PromQL's and PromQL extrapolates up to one sample interval at each edge,
 * so for a counter that grows evenly the two answers differ by up to two sample intervals in
 * `d`. `scrapeSeconds` is the longest scrape interval of the Prometheus being compared.
 */
export function toleranceFor(
  expr: string,
  backend: Backend,
  scrapeSeconds: number,
): { tolerance: number; why: string } {
  if (backend === "mimir") return { tolerance: QUERY_TEE_TOLERANCE, why: "query-tee's default" };
  const fn = new RegExp(`\\b(${METRICSQL_WINDOW_FUNCTIONS.join("|")})\\s*\\(`, "g");
  let shortest = Infinity;
  for (const m of expr.matchAll(fn)) {
    // The first range selector inside the call is its window.
    const window = /\[([^\]:]+)(?::[^\]]*)?\]/.exec(expr.slice(m.index + m[0].length));
    const seconds = window ? promDurationSeconds(window[1].trim()) : undefined;
    if (seconds && seconds < shortest) shortest = seconds;
  }
  if (!Number.isFinite(shortest)) return { tolerance: QUERY_TEE_TOLERANCE, why: "query-tee's default" };
  const wide = Math.min(1, (2 * scrapeSeconds) / shortest);
  return wide > QUERY_TEE_TOLERANCE
    ? {
        tolerance: wide,
        why: `MetricsQL's window functions: 2 x ${scrapeSeconds}s scrape interval / ${shortest}s window`,
      }
    : { tolerance: QUERY_TEE_TOLERANCE, why: "query-tee's default" };
}

/** Seconds of a PromQL duration (`5m`, `1h30m`, `90s`, `250ms`); undefined for anything else. */
export function promDurationSeconds(text: string): number | undefined {
  const units: Record<string, number> = {
    ms: 0.001,
    s: 1,
    m: 60,
    h: 3600,
    d: 86400,
    w: 604800,
    y: 31536000,
  };
  if (!/^(\d+(ms|s|m|h|d|w|y))+$/.test(text)) return undefined;
  let total = 0;
  for (const m of text.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) total += Number(m[1]) * units[m[2]];
  return total;
}

/**
 * How far back an expression reads from each evaluation time: every range `[d]` (a subquery's
 * too) and `offset` added up (an upper bound), plus one sample interval for the instant
 * selectors, whose lookback finds the latest sample. Samples of the first this-many seconds after
 * the dual write began are computed by Prometheus from data the backend never got.
 */
export function lookBehindSeconds(expr: string, sampleSeconds: number): number {
  let total = sampleSeconds;
  for (const m of expr.matchAll(/\[([^\]:]+)(?::[^\]]*)?\]/g)) total += promDurationSeconds(m[1].trim()) ?? 0;
  for (const m of expr.matchAll(/\boffset\s+(-?)(\w+)/g)) if (!m[1]) total += promDurationSeconds(m[2]) ?? 0;
  return total;
}

/** A series' label set as Prometheus prints it: `name{a="1", b="2"}`, labels sorted. */
export function seriesName(metric: Record<string, string>): string {
  const { __name__: name = "", ...labels } = metric;
  const inner = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(", ");
  return `${name}{${inner}}`;
}

/** query-tee's compareSampleValue with relative error (`actual` is the backend's value). */
export function valuesAgree(expected: number, actual: number, tolerance: number): boolean {
  if (Number.isNaN(expected) && Number.isNaN(actual)) return true;
  if (expected === Infinity && actual === Infinity) return true;
  if (expected === -Infinity && actual === -Infinity) return true;
  return relativeDifference(expected, actual) <= tolerance;
}

/** |expected - actual| / |actual|, or |expected - actual| when actual is 0 (NaN against a number: Infinity). */
export function relativeDifference(expected: number, actual: number): number {
  if (Number.isNaN(expected) !== Number.isNaN(actual)) return Infinity;
  if (expected === actual) return 0;
  const d = Math.abs(expected - actual);
  if (!Number.isFinite(d)) return Infinity;
  return actual !== 0 ? d / Math.abs(actual) : d;
}

/** The verdict on one query. Worst first: differs, refused, empty, too recent, agrees. */
export type Verdict = "differs" | "refused" | "empty" | "too-recent" | "agrees";
export const VERDICT_ORDER: Verdict[] = ["differs", "refused", "empty", "too-recent", "agrees"];

/** What a comparison found (all timestamps in unix seconds). */
export interface Comparison {
  verdict: "agrees" | "differs" | "empty";
  /** Series with a sample in the compared window, per side. */
  series: { prometheus: number; backend: number };
  /** Series only Prometheus has, and only the backend has (label sets, at most 5 each). */
  onlyPrometheus: string[];
  onlyBackend: string[];
  /** How many series are on one side only. */
  oneSided: number;
  /** Samples of a shared series one side lacks: the first such series and timestamp. */
  gap?: { series: string; missingOn: "prometheus" | "backend"; samples: number; firstAt: number };
  /** The largest relative difference of a shared sample beyond the tolerance. */
  worst?: { series: string; at: number; prometheus: string; backend: string; relative: number };
  /** The first timestamp where the two sides differ (a value, a gap, a one-sided series). */
  firstDifferenceAt?: number;
}

/**
 * Compares Prometheus' and the backend's answers to one range query over the samples with
 * timestamps in [from, to] (others are trimmed, as query-tee does).
 */
export function compareRange(
  prometheus: RangeSeries[],
  backend: RangeSeries[],
  opts: { tolerance: number; from: number; to: number },
): Comparison {
  const inWindow = (s: RangeSeries) => s.values.filter(([t]) => t >= opts.from && t <= opts.to);
  // A series of NaN alone carries no value: Prometheus answers `scalar()` of nothing with one
  // ({} NaN at every step) where VictoriaMetrics answers nothing; Grafana draws neither.
  const hasValue = (vals: [number, string][]) => vals.some(([, v]) => !Number.isNaN(Number(v)));
  const index = (side: RangeSeries[]) => {
    const m = new Map<string, [number, string][]>();
    for (const s of side) {
      const vals = inWindow(s);
      // A series with nothing in the window is not compared (allMatrixSamplesOutsideComparableWindow).
      if (vals.length > 0 && hasValue(vals)) m.set(seriesName(s.metric), vals);
    }
    return m;
  };
  const p = index(prometheus);
  const b = index(backend);
  const only = (a: Map<string, [number, string][]>, other: Map<string, unknown>) =>
    [...a.keys()].filter((k) => !other.has(k)).sort();
  const onlyP = only(p, b);
  const onlyB = only(b, p);
  const out: Comparison = {
    verdict: "agrees",
    series: { prometheus: p.size, backend: b.size },
    onlyPrometheus: onlyP.slice(0, 5),
    onlyBackend: onlyB.slice(0, 5),
    oneSided: onlyP.length + onlyB.length,
  };
  if (p.size === 0 && b.size === 0) return { ...out, verdict: "empty" };
  let first = Infinity;
  for (const k of onlyP) first = Math.min(first, p.get(k)![0][0]);
  for (const k of onlyB) first = Math.min(first, b.get(k)![0][0]);
  for (const [key, pv] of p) {
    const bv = b.get(key);
    if (!bv) continue;
    const bAt = new Map(bv.map(([t, v]) => [t, v]));
    const pAt = new Map(pv.map(([t, v]) => [t, v]));
    for (const [side, mine, theirs] of [
      ["backend", pv, bAt],
      ["prometheus", bv, pAt],
    ] as const) {
      const missing = mine.filter(([t]) => !theirs.has(t));
      if (missing.length === 0) continue;
      first = Math.min(first, missing[0][0]);
      if (!out.gap || missing[0][0] < out.gap.firstAt)
        out.gap = { series: key, missingOn: side, samples: missing.length, firstAt: missing[0][0] };
    }
    for (const [t, v] of pv) {
      const other = bAt.get(t);
      if (other === undefined) continue;
      const e = Number(v);
      const a = Number(other);
      if (valuesAgree(e, a, opts.tolerance)) continue;
      first = Math.min(first, t);
      const relative = relativeDifference(e, a);
      if (!out.worst || relative > out.worst.relative)
        out.worst = { series: key, at: t, prometheus: v, backend: other, relative };
    }
  }
  if (Number.isFinite(first)) {
    out.verdict = "differs";
    out.firstDifferenceAt = first;
  }
  return out;
}
