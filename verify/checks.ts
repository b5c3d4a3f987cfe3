/**
 * The checks, one function each, asking the stack's own APIs:
 * - Prometheus HTTP API (query, rules; prometheus/docs/querying/api.md), which Mimir serves under
 *   `/prometheus` and VictoriaMetrics at its root (vmsingle proxies `/api/v1/rules` to vmalert:
 *   victoria-metrics-k8s-stack 0.80.0 templates/_helpers.tpl "vm.single.spec" sets
 *   `-vmalert.proxyURL` whenever vmalert is enabled);
 * - Alertmanager API v2 (`/api/v2/status`, `/api/v2/alerts`; alertmanager api/v2/openapi.yaml);
 * - Loki's HTTP API (`/loki/api/v1/query`; docs/sources/reference/loki-http-api.md);
 * - Grafana's HTTP API (`/api/datasources`, `/api/datasources/uid/<uid>/health`, `/api/ds/query`;
 *   docs/sources/developers/http_api/data_source.md).
 * Each returns pass/fail/skip with one line of detail; an unreachable component fails its checks.
 */
import { ApiError, basicAuth, instantQuery, requestJson, tenantHeaders, urlOf } from "./http";
import { parseUserYaml } from "../model/yamlText";
import type { CheckId, CheckResult, Evaluator, Expectations, VerifyContext } from "./types";
import { historyApi, metricsApi } from "./metricsApi";
import { checkBackendAgrees } from "./agreeCheck";

export type { VerifyContext } from "./types";
import { checkLokiGate, LOKI_STEPS } from "./lokiGate";
import { ComponentError } from "./identify";

/** Window of the remote-write counters (no failed or retried sample in it). */
export const REMOTE_WRITE_WINDOW = "5m";
/** Largest send lag a remote-write queue may have (seconds behind the newest sample). */
export const MAX_SEND_LAG_SECONDS = 120;
/** How far the backend's count(up) may be from Prometheus' (share of Prometheus'). */
export const COUNT_TOLERANCE = 0.1;
/** How recent the log lines must be. */
export const LOGS_WINDOW = "10m";

const pass = (id: CheckId, detail: string): CheckResult => ({ id, status: "pass", detail });
const fail = (id: CheckId, detail: string): CheckResult => ({ id, status: "fail", detail });
const skip = (id: CheckId, detail: string): CheckResult => ({ id, status: "skip", detail });
const list = (xs: string[], max = 8) =>
  xs.length <= max ? xs.join(", ") : `${xs.slice(0, max).join(", ")} and ${xs.length - max} more`;

/** The engine behind the phase's default "Metrics" datasource. */
const defaultMetrics = (ctx: VerifyContext) =>
  metricsApi(ctx, ctx.exp.caps.defaultDatasource === "prometheus" ? "prometheus" : "backend");

/** `targets`: every promised scrape job has an up target, asked of the default datasource. */
export async function checkTargets(ctx: VerifyContext): Promise<CheckResult> {
  const api = await defaultMetrics(ctx);
  const up = await instantQuery(api.base, "count by (job) (up == 1)", { headers: api.headers });
  const seen = new Set(up.map((s) => s.metric.job));
  const missing = ctx.exp.jobs.filter((j) => !seen.has(j));
  if (ctx.exp.jobs.length === 0)
    return fail("targets", "the plan promises no scrape job (nothing to compare)");
  if (missing.length > 0)
    return fail(
      "targets",
      `${api.name}: no up target for ${missing.length} of ${ctx.exp.jobs.length} promised jobs: ${list(missing)}`,
    );
  return pass("targets", `${api.name}: all ${ctx.exp.jobs.length} promised jobs have up targets`);
}

/** One remote-write queue as Prometheus reports it. */
export interface QueueState {
  queue: string;
  failed: number;
  retried: number;
  lagSeconds: number;
}

/** The verdict on Prometheus' remote-write queues and the two `count(up)`s. Pure. */
export function judgeRemoteWrite(
  queues: QueueState[],
  prometheusUp: number | undefined,
  backendUp: number | undefined,
  backendName: string,
): CheckResult {
  const problems: string[] = [];
  if (queues.length === 0)
    problems.push(
      "Prometheus reports no remote-write queue (prometheus_remote_storage_queue_highest_sent_timestamp_seconds is empty: no remote_write, or Prometheus does not scrape itself)",
    );
  for (const q of queues) {
    if (q.failed > 0) problems.push(`${q.queue}: ${q.failed} samples failed in ${REMOTE_WRITE_WINDOW}`);
    if (q.retried > 0) problems.push(`${q.queue}: ${q.retried} samples retried in ${REMOTE_WRITE_WINDOW}`);
    if (!(q.lagSeconds <= MAX_SEND_LAG_SECONDS))
      problems.push(
        `${q.queue}: sending ${Math.round(q.lagSeconds)} s behind (bound ${MAX_SEND_LAG_SECONDS} s)`,
      );
  }
  if (prometheusUp !== undefined && backendUp === undefined && queues.length > 0)
    // Queues that send without failing, into a backend with no `up` at all: they send elsewhere.
    problems.push(
      `count(up): Prometheus ${prometheusUp}, ${backendName} none: ${backendName} holds no \`up\` series, so what Prometheus remote-writes does not reach it (remote_write names another URL, or this ${backendName} was just started empty)`,
    );
  else if (prometheusUp === undefined || backendUp === undefined)
    problems.push(`count(up): Prometheus ${prometheusUp ?? "none"}, ${backendName} ${backendUp ?? "none"}`);
  else if (Math.abs(prometheusUp - backendUp) > Math.max(1, COUNT_TOLERANCE * prometheusUp))
    problems.push(
      `count(up): Prometheus ${prometheusUp}, ${backendName} ${backendUp} (more than ${COUNT_TOLERANCE * 100}% apart)`,
    );
  if (problems.length > 0) return fail("remote-write", problems.join("; "));
  return pass(
    "remote-write",
    `${queues.length} queue(s) sending, no failed or retried samples in ${REMOTE_WRITE_WINDOW}; count(up) ${prometheusUp} on Prometheus, ${backendUp} on ${backendName}`,
  );
}

/** `remote-write`: Prometheus' queues send, nothing fails or retries, the backend has the same `up`. */
export async function checkRemoteWrite(ctx: VerifyContext): Promise<CheckResult> {
  if (!ctx.exp.caps.prometheusRemoteWrite)
    return skip("remote-write", "Prometheus does not remote-write in this phase");
  const prom = await metricsApi(ctx, "prometheus");
  const q = (expr: string) => instantQuery(prom.base, expr);
  const key = (m: Record<string, string>) => m.remote_name || m.url || "queue";
  // The gauges over the lookback (5 m, as in checkHistory), not at this instant: a failed scrape of
  // Prometheus by itself marks them stale, and an instant selector found "no remote-write queue"
  // until the next scrape. last_over_time reads past the marker and keeps the labels.
  const last = (m: string) => `last_over_time(${m}[5m])`;
  const [sent, failed, retried, lag, promUp] = await Promise.all([
    q(last("prometheus_remote_storage_queue_highest_sent_timestamp_seconds")),
    q(
      `sum by (remote_name, url) (increase(prometheus_remote_storage_samples_failed_total[${REMOTE_WRITE_WINDOW}]))`,
    ),
    q(
      `sum by (remote_name, url) (increase(prometheus_remote_storage_samples_retried_total[${REMOTE_WRITE_WINDOW}]))`,
    ),
    q(
      `max by (remote_name, url) (${last("prometheus_remote_storage_highest_timestamp_in_seconds")} - ignoring(remote_name, url) group_right ${last("prometheus_remote_storage_queue_highest_sent_timestamp_seconds")})`,
    ),
    q("count(up)"),
  ]);
  const of = (samples: { metric: Record<string, string>; value: number }[], name: string) =>
    samples.find((s) => key(s.metric) === name)?.value;
  const queues: QueueState[] = [...new Set(sent.map((s) => key(s.metric)))].map((name) => ({
    queue: name,
    failed: of(failed, name) ?? 0,
    retried: of(retried, name) ?? 0,
    lagSeconds: of(lag, name) ?? Infinity,
  }));
  let backendUp: number | undefined;
  const backend = await metricsApi(ctx, "backend").catch((e: ApiError) => e);
  // A backend URL that is not the backend (verify/identify.ts) is its own cause, told once.
  if (backend instanceof ComponentError) throw backend;
  let backendProblem = "";
  if (backend instanceof Error) backendProblem = backend.message;
  else
    try {
      backendUp = (await instantQuery(backend.base, "count(up)", { headers: backend.headers }))[0]?.value;
    } catch (e) {
      backendProblem = (e as Error).message;
    }
  const verdict = judgeRemoteWrite(
    queues,
    promUp[0]?.value,
    backendUp,
    backend instanceof Error ? "the backend" : backend.name,
  );
  return backendProblem ? fail("remote-write", `${backendProblem}; ${verdict.detail}`) : verdict;
}

interface LoadedGroup {
  name: string;
  rules: { name: string; health?: string; lastError?: string }[];
}

/** Rule groups an engine has loaded (`GET <base>/api/v1/rules`). */
async function loadedGroups(base: string, headers: Record<string, string>): Promise<LoadedGroup[]> {
  const body = await requestJson(urlOf(base, "/api/v1/rules"), { headers });
  return (body?.data?.groups ?? []) as LoadedGroup[];
}

/** Where an evaluator's rules API is. */
async function rulesApi(
  ctx: VerifyContext,
  e: Evaluator,
): Promise<{ base: string; headers: Record<string, string>; name: string }> {
  if (e === "prometheus") return metricsApi(ctx, "prometheus");
  // The ruler's API (the backend group when scaled out; the one Mimir Service otherwise), with the
  // written tenant alone, whatever mimir.previousTenants lists: the ruler evaluates the program's
  // groups under that tenant, and its API refuses a request naming two (tenant.TenantID's
  // ErrTooManyOrgIDs, grafana/mimir mimir-3.0.0 pkg/ruler/api.go:172).
  if (e === "mimir-ruler")
    return {
      base: urlOf(await ctx.base("mimir-ruler"), "/prometheus"),
      headers: tenantHeaders(ctx.exp.backendTenant),
      name: "Mimir's ruler",
    };
  // vmsingle, or a VMCluster's vmselect (under `/select/<tenant>/prometheus`), proxies to vmalert.
  const base = await ctx.base("victoriametrics");
  return {
    base,
    headers: {},
    name: `vmalert (through ${/\/select\//.test(base) ? "vmselect" : "vmsingle"})`,
  };
}

/** `rules`: the phase's one evaluator has every group loaded without errors; no other engine has them. */
export async function checkRules(ctx: VerifyContext): Promise<CheckResult> {
  const { caps, ruleGroups } = ctx.exp;
  const wanted = new Set(ruleGroups.map((g) => g.name));
  const api = await rulesApi(ctx, caps.ruleEvaluator);
  const groups = await loadedGroups(api.base, api.headers);
  const problems: string[] = [];
  const loaded = new Set(groups.map((g) => g.name));
  const missing = [...wanted].filter((n) => !loaded.has(n));
  if (missing.length > 0)
    problems.push(`${api.name} lacks ${missing.length} of ${wanted.size} rule groups: ${list(missing)}`);
  const broken = groups
    .filter((g) => wanted.has(g.name))
    .flatMap((g) =>
      g.rules.filter((r) => r.health === "err").map((r) => `${g.name}/${r.name}: ${r.lastError ?? "error"}`),
    );
  if (broken.length > 0) problems.push(`${broken.length} rules evaluate with errors: ${list(broken, 3)}`);
  // The engines that run in this phase besides the evaluator: none may evaluate the program's rules
  // (the same recording rule twice writes out-of-order samples; alerts fire twice).
  const others: Evaluator[] = [];
  if (caps.kps && caps.ruleEvaluator !== "prometheus") others.push("prometheus");
  if (caps.backend && ctx.exp.backend === "mimir" && caps.ruleEvaluator !== "mimir-ruler")
    others.push("mimir-ruler");
  for (const other of others) {
    const o = await rulesApi(ctx, other);
    const theirs = (await loadedGroups(o.base, o.headers))
      .filter((g) => wanted.has(g.name))
      .map((g) => g.name);
    if (theirs.length > 0)
      problems.push(`${o.name} also evaluates ${theirs.length} of the program's groups: ${list(theirs, 4)}`);
  }
  if (problems.length > 0) return fail("rules", problems.join("; "));
  const rules = ruleGroups.reduce((n, g) => n + g.rules.length, 0);
  return pass(
    "rules",
    `${api.name}: ${wanted.size} groups (${rules} rules) loaded, none failing${others.length ? `; not on ${others.join(", ")}` : ""}`,
  );
}

/**
 * Which engine sent an alert, from what each attaches: vmalert's generator URL points at its own UI
 * (`/vmalert/alert?group_id=...`, older `/api/v1/<group>/<alert>/status`); prometheus-operator
 * gives every Prometheus the external label `prometheus="<ns>/<name>"`
 * (pkg/prometheus/promcfg.go, `prometheusExternalLabelName`), which Prometheus attaches to the
 * alerts it sends; Mimir's ruler sends neither.
 */
export function senderOf(alert: { labels?: Record<string, string>; generatorURL?: string }): Evaluator {
  const url = alert.generatorURL ?? "";
  if (/\/vmalert\/|[?&]group_id=|\/api\/v1\/\d+\/\d+\/status/.test(url)) return "vmalert";
  if (alert.labels?.prometheus) return "prometheus";
  return "mimir-ruler";
}

/** The active Watchdog alerts at the phase's Alertmanager, by who sent them. */
async function watchdogSenders(am: string): Promise<Evaluator[]> {
  const alerts = await requestJson(
    urlOf(am, "/api/v2/alerts", {
      filter: 'alertname="Watchdog"',
      active: "true",
      silenced: "false",
      inhibited: "false",
    }),
  );
  return (alerts as any[]).map(senderOf);
}

/** `alerting`: the phase's Alertmanager runs the program's config and gets the Watchdog from the evaluator. */
export async function checkAlerting(ctx: VerifyContext): Promise<CheckResult> {
  const { caps, receivers } = ctx.exp;
  const am = await ctx.base("alertmanager");
  const status = await requestJson(urlOf(am, "/api/v2/status"));
  const problems: string[] = [];
  let config: any;
  try {
    config = parseUserYaml(String(status?.config?.original ?? ""));
  } catch {
    config = undefined;
  }
  const has = new Set(((config?.receivers ?? []) as { name: string }[]).map((r) => r.name));
  const missing = receivers.filter((r) => !has.has(r));
  if (missing.length > 0)
    problems.push(
      `its config lacks the program's receivers ${list(missing)} (has ${list([...has]) || "none"})`,
    );
  const senders = await watchdogSenders(am);
  if (senders.length === 0) problems.push(`no Watchdog is firing there (${caps.ruleEvaluator} sends none)`);
  else if (!senders.includes(caps.ruleEvaluator))
    problems.push(
      `the Watchdog comes from ${[...new Set(senders)].join(", ")}, not from ${caps.ruleEvaluator}`,
    );
  const strangers = [...new Set(senders.filter((s) => s !== caps.ruleEvaluator))];
  if (senders.includes(caps.ruleEvaluator) && strangers.length > 0)
    problems.push(`a Watchdog also comes from ${strangers.join(", ")}`);
  if (problems.length > 0)
    return fail("alerting", `Alertmanager (${caps.alertmanager}): ${problems.join("; ")}`);
  return pass(
    "alerting",
    `Alertmanager (${caps.alertmanager}): the program's ${receivers.length} receivers, Watchdog firing from ${caps.ruleEvaluator}`,
  );
}

/** A LogQL instant query (`GET /loki/api/v1/query`); a metric query answers a vector. */
async function lokiVector(
  ctx: VerifyContext,
  expr: string,
): Promise<{ metric: Record<string, string>; value: number }[]> {
  const base = await ctx.base("loki");
  // loki.tenant alone, whatever loki.previousTenants lists: `logs` asks for the last minutes'
  // lines, which the agents write to that tenant only.
  const body = await requestJson(urlOf(base, "/loki/api/v1/query", { query: expr }), {
    headers: tenantHeaders(ctx.exp.lokiTenant),
  });
  if (body?.status !== "success" || body?.data?.resultType !== "vector")
    throw new ApiError(
      `Loki query ${expr}: expected a vector, got ${body?.data?.resultType ?? body?.status}`,
    );
  return (body.data.result as any[]).map((r) => ({ metric: r.metric ?? {}, value: Number(r.value?.[1]) }));
}

/**
 * loki-canary's loss counters (pkg/canary/reader/reader.go and comparator/comparator.go): entries
 * it wrote and never read back, read back out of order or twice, missing at the spot check.
 */
export const CANARY_LOSS_METRICS = [
  "loki_canary_missing_entries_total",
  "loki_canary_spot_check_missing_entries_total",
  "loki_canary_out_of_order_entries_total",
  "loki_canary_duplicate_entries_total",
  "loki_canary_unexpected_entries_total",
] as const;

/** `logs`: Loki got lines from every node lately, and the canary lost nothing. */
export async function checkLogs(ctx: VerifyContext): Promise<CheckResult> {
  const { cluster, nodes, nodeLabelled, canary } = ctx.exp;
  const problems: string[] = [];
  let seen = "";
  if (nodeLabelled) {
    const byNode = await lokiVector(
      ctx,
      `sum by (node) (count_over_time({cluster="${cluster}", node=~".+"}[${LOGS_WINDOW}]))`,
    );
    const heard = byNode.filter((s) => s.value > 0).map((s) => s.metric.node);
    if (heard.length < nodes)
      problems.push(
        `lines from ${heard.length} of ${nodes} nodes in the last ${LOGS_WINDOW}${heard.length ? ` (${list(heard)})` : ""}: a node's agent sends nothing`,
      );
    seen = `lines from ${heard.length} node(s)`;
  } else {
    const all = await lokiVector(ctx, `sum(count_over_time({cluster="${cluster}"}[${LOGS_WINDOW}]))`);
    if (!(all[0]?.value > 0)) problems.push(`no line with cluster="${cluster}" in the last ${LOGS_WINDOW}`);
    seen = `${all[0]?.value ?? 0} lines (nodes unlabelled: no node logs configured)`;
  }
  if (canary) {
    const api = await defaultMetrics(ctx);
    // Over the lookback (5 m, as in checkHistory), not at this instant: a failed scrape of the
    // canary marks its series stale and an instant selector leaves them out until the next
    // scrape, though the canary was scraped. last_over_time reads past the marker: Prometheus
    // (promql/engine.go:1909 at v2.42.0, :2652 at v3.7.3) and VictoriaMetrics, which drops
    // staleness markers before every rollup but default_rollup and stale_samples_over_time
    // (app/vmselect/promql/eval.go dropStaleNaNs; read, not run).
    const entries = await instantQuery(api.base, "sum(last_over_time(loki_canary_entries_total[5m]))", {
      headers: api.headers,
    });
    if (entries.length === 0)
      problems.push(`${api.name} has no loki_canary_entries_total (canary not scraped)`);
    for (const m of CANARY_LOSS_METRICS) {
      const lost = await instantQuery(api.base, `sum(increase(${m}[15m]))`, { headers: api.headers });
      if ((lost[0]?.value ?? 0) > 0) problems.push(`${m} rose by ${Math.round(lost[0].value)} in 15m`);
    }
  }
  if (problems.length > 0) return fail("logs", problems.join("; "));
  return pass("logs", `${seen} in the last ${LOGS_WINDOW}${canary ? "; canary lost nothing in 15m" : ""}`);
}

/** `grafana`: one default datasource, every provisioned one healthy, every dashboard query answers. */
export async function checkGrafana(ctx: VerifyContext): Promise<CheckResult> {
  const base = await ctx.base("grafana");
  const login = await ctx.grafanaLogin();
  const headers = basicAuth(login.user, login.password);
  const have = (await requestJson(urlOf(base, "/api/datasources"), { headers })) as any[];
  const problems: string[] = [];
  const defaults = have.filter((d) => d.isDefault);
  const planned = ctx.exp.datasources.find((d) => d.isDefault);
  if (defaults.length !== 1)
    problems.push(
      `${defaults.length} default datasources (${list(defaults.map((d) => d.name)) || "none"}); exactly one is right`,
    );
  else if (planned && defaults[0].uid !== planned.uid)
    problems.push(
      `the default datasource is ${defaults[0].name} (uid ${defaults[0].uid}), the plan's is uid ${planned.uid}`,
    );
  const uids = new Set(have.map((d) => d.uid));
  for (const d of ctx.exp.datasources) {
    if (!uids.has(d.uid)) {
      problems.push(`datasource ${d.name} (uid ${d.uid}) is not provisioned`);
      continue;
    }
    const health = await requestJson(
      urlOf(base, `/api/datasources/uid/${encodeURIComponent(d.uid)}/health`),
      {
        headers,
        anyStatus: true,
      },
    );
    if (health?.status !== "OK")
      problems.push(`datasource ${d.name} unhealthy: ${health?.message ?? health?.status}`);
  }
  // Each shipped panel query through Grafana itself, one request per datasource.
  const byUid = new Map<string, Expectations["dashboardQueries"]>();
  for (const q of ctx.exp.dashboardQueries)
    byUid.set(q.datasourceUid, [...(byUid.get(q.datasourceUid) ?? []), q]);
  let asked = 0;
  for (const [uid, queries] of byUid) {
    if (!uids.has(uid)) continue;
    const body = await requestJson(urlOf(base, "/api/ds/query"), {
      headers,
      anyStatus: true,
      body: {
        from: "now-1h",
        to: "now",
        queries: queries.map((q, i) => ({
          refId: `Q${i}`,
          datasource: { uid },
          expr: q.expr,
          intervalMs: 60000,
          maxDataPoints: 100,
        })),
      },
    });
    asked += queries.length;
    queries.forEach((q, i) => {
      const r = body?.results?.[`Q${i}`];
      const err = r === undefined ? (body?.message ?? "no result") : r.error;
      if (err) problems.push(`dashboard "${q.dashboard}": ${q.expr}: ${err}`);
    });
  }
  if (problems.length > 0) return fail("grafana", list(problems, 4));
  return pass(
    "grafana",
    `one default (${defaults[0].name}), ${ctx.exp.datasources.length} datasources healthy, ${asked} dashboard queries answered`,
  );
}

const PROMQL_WORDS = new Set([
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "and",
  "or",
  "unless",
  "bool",
  "offset",
  "sum",
  "min",
  "max",
  "avg",
  "count",
  "stddev",
  "stdvar",
  "topk",
  "bottomk",
  "quantile",
  "count_values",
  "group",
  "inf",
  "nan",
]);

/** Metric names a PromQL expression reads (names before a selector or standing alone). */
export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, " ")
    .replace(/\[[^\]]*\]/g, " ")
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ");
  const names = new Set<string>();
  for (const m of stripped.matchAll(/(?<![\w:.])([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()/g))
    if (!PROMQL_WORDS.has(m[1].toLowerCase()) && !/^\d/.test(m[1])) names.add(m[1]);
  return [...names];
}

/**
 * `history` (with --gate): the backend holds what the next phase relies on, judged from what the
 * phase table changes between the two phases (verify names no phase itself):
 * - the default datasource leaves Prometheus: the backend must hold, as far back as Prometheus
 *   keeps data, every dashboard series Prometheus has;
 * - Prometheus (KPS) goes away: the backend's own evaluator must have evaluated the alerts over
 *   that window (its Watchdog `ALERTS` series), and the heartbeat's Watchdog must come from it.
 * The backend is read as Grafana reads it (`historyApi`): after a tenant move whose old tenant
 * `mimir.previousTenants` lists, the history under it counts, as it shows on the dashboards.
 */
export async function checkHistory(ctx: VerifyContext): Promise<CheckResult> {
  const { gate, next, exp } = ctx;
  if (!gate || !next) return skip("history", "asked only with --gate <next phase>");
  const flips = exp.caps.defaultDatasource === "prometheus" && next.defaultDatasource === "backend";
  const kpsLeaves = exp.caps.kps && !next.kps;
  if (!flips && !kpsLeaves)
    return skip("history", `${gate} keeps the default datasource and Prometheus: no history to hold`);
  const days = Math.round(exp.historyWindowSeconds / 86400);
  const since = ctx.now() - exp.historyWindowSeconds;
  // One hour into the window: data written at its very start may already be compacted away.
  const at = since + 3600;
  const date = new Date(since * 1000).toISOString().slice(0, 16) + "Z";
  // As Grafana reads it: the written tenant and, where federation is on, the previous ones.
  const backend = await historyApi(ctx);
  // count() without `by` drops every label, so the one sample counts the series of every tenant
  // read: a federated read labels each series __tenant_id__ (grafana/mimir mimir-3.0.0
  // pkg/querier/tenantfederation/merge_queryable.go:400-407) and splits none here.
  const heldAt = async (selector: string) =>
    (
      await instantQuery(backend.base, `count(last_over_time(${selector}[1h]))`, {
        time: at,
        headers: backend.headers,
      })
    ).length > 0;
  const problems: string[] = [];
  const held: string[] = [];
  if (flips) {
    const names = [
      ...new Set(
        exp.dashboardQueries
          .filter((q) => exp.datasources.some((d) => d.uid === q.datasourceUid && d.type === "prometheus"))
          .flatMap((q) => metricNames(q.expr)),
      ),
    ].sort();
    // Only what Prometheus has: the Grafana default leaves it for the backend, which must hold the
    // same back to Prometheus' retention. A dashboard series nothing produces in this stack (no
    // canary, nothing discarded yet) is no reason to wait. What it has over its lookback, 5 m by
    // default (prometheus v2.42.0 cmd/prometheus/main.go:396-397), not at this instant: a failed
    // scrape marks the target's series stale (scrape/scrape.go:1360-1362, 1706-1708), an instant
    // selector leaves them out until the next scrape (promql/engine.go:1791), and the series of
    // one failed scrape were no longer asked of the backend. last_over_time reads past the marker
    // (engine.go:1909) and keeps the name (engine.go:1411-1417).
    const prom = await metricsApi(ctx, "prometheus");
    const present = new Set(
      (
        await instantQuery(
          prom.base,
          `count by (__name__) (last_over_time({__name__=~"${names.join("|")}"}[5m]))`,
        )
      ).map((s) => s.metric.__name__),
    );
    const wanted = names.filter((n) => present.has(n));
    const missing: string[] = [];
    for (const n of wanted) if (!(await heldAt(n))) missing.push(n);
    if (missing.length > 0)
      problems.push(
        `${backend.name} holds no data from ${date} (${days}d back) for ${missing.length} of the ${wanted.length} dashboard series Prometheus has: ${list(missing)}; keep the current phase running until it does`,
      );
    else
      held.push(
        `${backend.name} holds all ${wanted.length} dashboard series Prometheus has back to ${date} (${days}d)`,
      );
  }
  if (kpsLeaves) {
    const evaluator = exp.caps.ruleEvaluator;
    if (evaluator === "prometheus") problems.push("Prometheus still evaluates the rules, and it goes away");
    // Prometheus' ALERTS carry its external label `prometheus`; the ruler's and vmalert's do not.
    else if (!(await heldAt('ALERTS{alertname="Watchdog", alertstate="firing", prometheus=""}')))
      problems.push(`${backend.name} has no Watchdog evaluated by ${evaluator} at ${date} (${days}d back)`);
    const senders = await watchdogSenders(await ctx.base("alertmanager"));
    if (!senders.includes(evaluator) || evaluator === "prometheus")
      problems.push(
        `the heartbeat's Watchdog comes from ${senders.length ? [...new Set(senders)].join(", ") : "nobody"}, not ${evaluator === "prometheus" ? "the backend" : evaluator}`,
      );
    else
      held.push(
        `${evaluator} evaluated the alerts since ${date} (${days}d, read on ${backend.name}) and sends the heartbeat`,
      );
  }
  if (problems.length > 0) return fail("history", problems.join("; "));
  return pass("history", held.join("; "));
}

/**
 * `loki-ring` (with a Loki step's --gate, verify/lokiGate.ts LOKI_STEPS): whether the next step of a
 * move off or onto SimpleScalable, or a scale-down, is safe, asked of Loki's ring, readiness and
 * config (verify/lokiGate.ts).
 */
export async function checkLokiRing(ctx: VerifyContext): Promise<CheckResult> {
  if (!ctx.lokiStep) return skip("loki-ring", `asked only with --gate ${LOKI_STEPS.join(", ")}`);
  const r = await checkLokiGate(await ctx.base("loki-ring"), ctx.lokiStep, ctx.exp.loki);
  return r.ok ? pass("loki-ring", r.detail) : fail("loki-ring", r.detail);
}

/** Every check in report order. */
export const CHECKS: { id: CheckId; run: (ctx: VerifyContext) => Promise<CheckResult> }[] = [
  { id: "targets", run: checkTargets },
  { id: "remote-write", run: checkRemoteWrite },
  { id: "rules", run: checkRules },
  { id: "alerting", run: checkAlerting },
  { id: "logs", run: checkLogs },
  { id: "grafana", run: checkGrafana },
  { id: "history", run: checkHistory },
  { id: "loki-ring", run: checkLokiRing },
  { id: "backend-agrees", run: checkBackendAgrees },
];

/** Runs every check; an error becomes that check's `fail` with its message (never a stack). */
export async function runChecks(ctx: VerifyContext): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  // A component that failed its probe (verify/identify.ts) is one cause: its message once, on the
  // first check that needed it; the later ones point there.
  const firstFailed = new Map<string, CheckId>();
  for (const c of CHECKS) {
    try {
      out.push(await c.run(ctx));
    } catch (e) {
      const first = e instanceof ComponentError ? firstFailed.get(e.component) : undefined;
      if (e instanceof ComponentError && !first) firstFailed.set(e.component, c.id);
      out.push(
        fail(
          c.id,
          first
            ? `needs ${(e as ComponentError).component}, which is not usable (see ${first})`
            : e instanceof Error
              ? e.message
              : String(e),
        ),
      );
    }
  }
  return out;
}
