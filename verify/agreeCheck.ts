/**
 * `backend-agrees` (with --gate, while Prometheus and the backend both run): every query the next
 * phase relies on answers the same on the backend as on Prometheus. The queries are each panel
 * target on the "Metrics" datasource, its Grafana variables resolved as Grafana resolves them
 * (./grafanaVars.ts), and each recording rule and alert expression the next phase evaluates on
 * the backend. Each runs as a range query on both, with the same start, end and step, over the
 * window both hold: from the dual write's first sample plus what the expression reads behind each
 * step, to query-tee's skip of recent samples before now, at most `--window` and never longer
 * than the dashboard's own range. The answers are compared series by series (./agree.ts).
 */
import { ApiError, labelValues, rangeQuery, requestJson, urlOf } from "./http";
import { parseUserYaml } from "../model/yamlText";
import { metricsApi } from "./metricsApi";
import { agreeSkip } from "./agreeGates";
import type { AgreeOptions, CheckResult, PanelTarget, QueryReport, VerifyContext } from "./types";

export type { AgreeOptions, QueryReport } from "./types";
import {
  compareRange,
  lookBehindSeconds,
  promDurationSeconds,
  QUERY_TEE_TOLERANCE,
  SKIP_RECENT_SECONDS,
  toleranceFor,
  VERDICT_ORDER,
  type Comparison,
  type Verdict,
} from "./agree";
import { resolveTarget, UnresolvableVariable } from "./grafanaVars";

export const AGREE_DEFAULTS: AgreeOptions = {
  windowSeconds: 3600,
  stepSeconds: 60,
  skipRecentSeconds: SKIP_RECENT_SECONDS,
  concurrency: 4,
  queryTimeoutMs: 30_000,
};

const iso = (t: number) => new Date(t * 1000).toISOString().replace(".000Z", "Z");
const alignDown = (t: number, step: number) => Math.floor(t / step) * step;
const alignUp = (t: number, step: number) => Math.ceil(t / step) * step;

/**
 * The longest scrape interval in Prometheus' loaded config (`GET /api/v1/status/config`,
 * Prometheus docs/querying/api.md "Config"); the loaded config carries every default, and a
 * `global.scrape_interval` left out is 1m (prometheus config/config.go DefaultGlobalConfig).
 */
export async function scrapeIntervalSeconds(base: string, timeoutMs: number): Promise<number> {
  const body = await requestJson(urlOf(base, "/api/v1/status/config"), { timeoutMs });
  let cfg: any;
  try {
    cfg = parseUserYaml(String(body?.data?.yaml ?? ""));
  } catch {
    cfg = undefined;
  }
  const all = [
    cfg?.global?.scrape_interval ?? "1m",
    ...((cfg?.scrape_configs ?? []) as any[]).map((s) => s.scrape_interval),
  ];
  const secs = all
    .map((d) => (typeof d === "string" ? promDurationSeconds(d) : undefined))
    .filter((s): s is number => !!s);
  return secs.length ? Math.max(...secs) : 60;
}

/** A summary of one report for the check's detail line. */
export function describe(r: QueryReport): string {
  const parts: string[] = [];
  if (r.onlyBackend?.length) parts.push(`only on the backend: ${r.onlyBackend.join(", ")}`);
  if (r.onlyPrometheus?.length) parts.push(`only on Prometheus: ${r.onlyPrometheus.join(", ")}`);
  if (r.gap)
    parts.push(
      `${r.gap.series}: ${r.gap.samples} sample(s) missing on ${r.gap.missingOn === "backend" ? "the backend" : "Prometheus"} from ${r.gap.firstAt}`,
    );
  if (r.worst)
    parts.push(
      `${r.worst.series} at ${r.worst.at}: Prometheus ${r.worst.prometheus}, backend ${r.worst.backend} (relative difference ${r.worst.relative === null ? "unbounded" : r.worst.relative.toPrecision(3)}, tolerance ${r.tolerance})`,
    );
  if (r.errors)
    parts.push(
      `Prometheus: ${r.errors.prometheus ?? "answered"}; backend: ${r.errors.backend ?? "answered"}`,
    );
  if (r.note) parts.push(r.note);
  if (r.firstDifferenceAt && r.verdict === "differs")
    parts.push(`first difference at ${r.firstDifferenceAt}`);
  return `${r.query.replace(/\s+/g, " ").trim()}${parts.length ? `: ${parts.join("; ")}` : ""}`;
}

/** Reports worst first: by verdict, then differing ones by how far apart. */
export function worstFirst(reports: QueryReport[]): QueryReport[] {
  const sev = (r: QueryReport) =>
    r.onlyBackend?.length || r.onlyPrometheus?.length || r.gap ? Infinity : (r.worst?.relative ?? Infinity);
  return [...reports].sort(
    (a, b) =>
      VERDICT_ORDER.indexOf(a.verdict) - VERDICT_ORDER.indexOf(b.verdict) ||
      (a.verdict === "differs" ? sev(b) - sev(a) || 0 : 0) ||
      a.query.localeCompare(b.query),
  );
}

/** Runs `work` over `items` with at most `limit` at once. */
async function pool<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

/** A query with where it comes from; `panel` set for dashboard targets (resolved later). */
interface Wanted {
  source: string;
  expr: string;
  panel?: PanelTarget;
}

/**
 * Prometheus' HTTP API refuses a range query of more than 11000 steps (web/api/v1/api.go queryRange,
 * v2.42.0:487, v3.7.3:607); the look-behind of dualWriteBegan keeps within it.
 */
const MAX_POINTS = 11000;

/**
 * When the dual write began: the time of the backend's first `count(up)` in the window, and when
 * that is the window's first step, from `behind` seconds before it (what a query reads behind the
 * window's first step); undefined when no `up` falls inside the window. Asked only over the
 * window, a backend with data at the window's first step was taken as holding all a query reads
 * behind it, and a query reading further back than a young dual write was compared, and
 * differed, instead of waiting. Over a long look-behind the step widens to keep within
 * {@link MAX_POINTS}; a point has data only at or after a sample, so the beginning found is
 * never earlier than the true one.
 */
async function dualWriteBegan(
  backend: { base: string; headers: Record<string, string> },
  at: { windowStart: number; end: number; step: number; behind: number; timeoutMs: number },
): Promise<number | undefined> {
  const first = async (start: number, end: number, step: number) => {
    const ups = await rangeQuery(
      backend.base,
      "count(up)",
      { start, end, step },
      { headers: backend.headers, timeoutMs: at.timeoutMs },
    );
    return Math.min(...ups.flatMap((s) => s.values.map(([t]) => t)));
  };
  const inWindow = await first(at.windowStart, at.end, at.step);
  if (!Number.isFinite(inWindow)) return undefined;
  if (inWindow > at.windowStart || at.behind <= 0) return inWindow;
  const step = Math.ceil(at.behind / MAX_POINTS / at.step) * at.step;
  return Math.min(
    inWindow,
    await first(at.windowStart - Math.ceil(at.behind / step) * step, at.windowStart, step),
  );
}

export async function checkBackendAgrees(ctx: VerifyContext): Promise<CheckResult> {
  const id = "backend-agrees" as const;
  const { exp, gate, next } = ctx;
  const opts: AgreeOptions = { ...AGREE_DEFAULTS, ...(ctx.agree ?? {}) };
  if (!gate || !next) return { id, status: "skip", detail: "asked only with --gate <next phase>" };
  // The same rule tells verify's arguments which gates read --window and --step (agreeGates.ts).
  const skip = agreeSkip(exp.phase, exp.caps, gate);
  if (skip) return { id, status: "skip", detail: skip };
  if (opts.windowSeconds < opts.stepSeconds)
    return {
      id,
      status: "fail",
      detail: `the window (${opts.windowSeconds}s) is shorter than the step (${opts.stepSeconds}s): nothing to compare`,
    };
  const prom = await metricsApi(ctx, "prometheus");
  const backend = await metricsApi(ctx, "backend");
  const step = opts.stepSeconds;
  const scrape = await scrapeIntervalSeconds(prom.base, opts.queryTimeoutMs);
  const end = alignDown(ctx.now() - opts.skipRecentSeconds, step);
  const windowStart = alignUp(end - opts.windowSeconds, step);
  const wanted: Wanted[] = exp.panelTargets.map((p) => ({
    source: `dashboard "${p.dashboard}", panel "${p.panel}" (${p.refId})`,
    expr: p.expr,
    panel: p,
  }));
  const rulesMove = next.ruleEvaluator !== "prometheus";
  if (rulesMove)
    for (const g of exp.ruleGroups)
      for (const r of g.rules) wanted.push({ source: `rule ${g.name}/${r.record ?? r.alert}`, expr: r.expr });

  // Grafana's variables, asked of Prometheus (the datasource the dashboards read until the flip).
  const valuesCache = new Map<string, Promise<string[]>>();
  const askValues = (window: { start: number; end: number }) => (label: string, selector?: string) => {
    const key = `${label}\u0000${selector ?? ""}`;
    if (!valuesCache.has(key))
      valuesCache.set(
        key,
        labelValues(prom.base, label, { match: selector, start: window.start, end: window.end }),
      );
    return valuesCache.get(key)!;
  };
  const unresolved: QueryReport[] = [];
  const byExpr = new Map<string, { sources: string[]; rangeSeconds: number }>();
  for (const w of wanted) {
    let expr = w.expr;
    let rangeSeconds = opts.windowSeconds;
    if (w.panel) {
      rangeSeconds = Math.min(opts.windowSeconds, w.panel.rangeSeconds);
      try {
        expr = await resolveTarget(w.panel.expr, w.panel.variables, {
          stepSeconds: step,
          rangeSeconds,
          labelValues: askValues({ start: windowStart, end }),
        });
      } catch (e) {
        if (!(e instanceof UnresolvableVariable) && !(e instanceof ApiError)) throw e;
        unresolved.push({
          query: w.expr,
          sources: [w.source],
          verdict: "refused",
          tolerance: 0,
          toleranceFrom: "",
          errors: { prometheus: e.message },
          note: "its variables could not be resolved",
        });
        continue;
      }
    }
    const known = byExpr.get(expr);
    if (known) {
      known.sources.push(w.source);
      known.rangeSeconds = Math.min(known.rangeSeconds, rangeSeconds);
    } else byExpr.set(expr, { sources: [w.source], rangeSeconds });
  }

  const entries = [...byExpr];
  // When the dual write began, as far back as any query reads from the window's first step.
  const firstUp = await dualWriteBegan(backend, {
    windowStart,
    end,
    step,
    behind: Math.max(0, ...entries.map(([expr]) => lookBehindSeconds(expr, scrape))),
    timeoutMs: opts.queryTimeoutMs,
  });
  if (firstUp === undefined)
    return {
      id,
      status: "fail",
      detail: `${backend.name} holds no \`up\` sample between ${iso(windowStart)} and ${iso(end)}: nothing was written to it (see remote-write)`,
    };
  let done = 0;
  const compareOne = async ([
    expr,
    { sources, rangeSeconds },
  ]: (typeof entries)[number]): Promise<QueryReport> => {
    const { tolerance, why } = toleranceFor(expr, exp.backend, scrape);
    const base = { query: expr, sources, tolerance, toleranceFrom: why };
    // A dual write that began before all this query reads at the window's first step skips
    // nothing: firstUp + its look-behind is then at or before the window's start.
    const from = Math.max(
      alignUp(end - rangeSeconds, step),
      alignUp(firstUp + lookBehindSeconds(expr, scrape), step),
    );
    try {
      if (from > end)
        return {
          ...base,
          verdict: "too-recent" as const,
          note: `it reads ${lookBehindSeconds(expr, scrape)}s back and the backend's data begins ${iso(firstUp)}: comparable from ${iso(from)}`,
        };
      const window = { start: from, end, step };
      const ask = (api: { base: string; headers: Record<string, string> }) =>
        rangeQuery(api.base, expr, window, { headers: api.headers, timeoutMs: opts.queryTimeoutMs }).then(
          (r) => ({ ok: true as const, r }),
          (e: Error) => ({ ok: false as const, e: e.message }),
        );
      const [p, b] = await Promise.all([ask(prom), ask(backend)]);
      const shownWindow = { start: iso(from), end: iso(end), step };
      if (!p.ok || !b.ok)
        return {
          ...base,
          verdict: "refused" as const,
          window: shownWindow,
          errors: { ...(p.ok ? {} : { prometheus: p.e }), ...(b.ok ? {} : { backend: b.e }) },
        };
      const c: Comparison = compareRange(p.r, b.r, {
        tolerance,
        from,
        to: end,
      });
      return {
        ...base,
        verdict: c.verdict === "empty" ? "empty" : c.verdict,
        window: shownWindow,
        series: c.series,
        ...(c.onlyPrometheus.length ? { onlyPrometheus: c.onlyPrometheus } : {}),
        ...(c.onlyBackend.length ? { onlyBackend: c.onlyBackend } : {}),
        ...(c.gap ? { gap: { ...c.gap, firstAt: iso(c.gap.firstAt) } } : {}),
        ...(c.worst
          ? {
              worst: {
                ...c.worst,
                at: iso(c.worst.at),
                relative: Number.isFinite(c.worst.relative) ? c.worst.relative : null,
              },
            }
          : {}),
        ...(c.firstDifferenceAt !== undefined ? { firstDifferenceAt: iso(c.firstDifferenceAt) } : {}),
      };
    } finally {
      opts.progress?.(++done, entries.length);
    }
  };
  const reports = worstFirst([...unresolved, ...(await pool(entries, opts.concurrency, compareOne))]);
  const count = (v: Verdict) => reports.filter((r) => r.verdict === v).length;
  const dashboards = exp.panelTargets.length;
  const rules = rulesMove ? exp.ruleGroups.reduce((n, g) => n + g.rules.length, 0) : 0;
  const summary =
    `${reports.length} queries (${dashboards} panel targets${rulesMove ? `, ${rules} rule expressions` : ""}) ` +
    `against ${backend.name} from ${iso(Math.max(windowStart, alignUp(firstUp, step)))} to ${iso(end)}, step ${step}s: ` +
    `${count("agrees")} agree, ${count("differs")} differ, ${count("refused")} refused, ` +
    `${count("empty")} empty on both, ${count("too-recent")} too recent to compare ` +
    `(relative tolerance ${QUERY_TEE_TOLERANCE}, query-tee's${exp.backend === "victoriametrics" ? `; MetricsQL's window functions 2 x ${scrape}s scrape interval / window` : ""})`;
  const bad = reports.filter((r) => r.verdict === "differs" || r.verdict === "refused");
  if (bad.length > 0)
    return {
      id,
      status: "fail",
      detail: `${summary}; worst: ${describe(bad[0])} [${bad[0].sources[0]}]`,
      queries: reports,
    };
  if (count("agrees") === 0)
    return { id, status: "fail", detail: `${summary}; no query could be compared yet`, queries: reports };
  return { id, status: "pass", detail: summary, queries: reports };
}
