/**
 * Every dashboard panel and every alerting or recording rule of the rendered stack reads metrics
 * some component of that stack emits. A query on a name nothing emits shows "No data" or never
 * fires, and no engine reports it. The names come from each query (Prometheus' grammar,
 * upstream/metrics/promql.ts); who emits what, at the pinned version, from upstream/metrics/emitted.ts; who
 * runs, from the rendered workloads and configs. Names the data knows nothing about are counted as
 * unverified, never passed silently; one a letter or two from a name it knows is that name
 * misspelt, as is a label matcher a letter or two from a label the metric carries. A query
 * Prometheus cannot parse is refused too (MetricsQL, where VictoriaMetrics may run it, aside).
 */
import {
  describeFault,
  isFault,
  judgeMetric,
  misspeltLabel,
  misspeltMetric,
  newerKubernetesOnly,
} from "../upstream/metrics/emitted";
import { causeKey, MISTAKES, NETWORK_POLICIES_DEFERRED } from "@homelab-observability/contract";
import { INOTIFY_SYSCTLS, NODE_EXPORTER_EXTRA_COLLECTORS } from "../builders/metrics/exporterValues";
import {
  promqlBlockingMetrics,
  promqlErrors,
  promqlLabelMatchers,
  promqlMetrics,
} from "../upstream/metrics/promql";
import { communityLeftOut, panelsOf, type LeftOut } from "../builders/grafana/community";
import { fitRuleSets } from "../builders/alerting/fitRules";
import { KPS_RULES_DATA } from "../builders/alerting/kpsRules";
import { SERVERS } from "../upstream/operators/prometheusOperator";
import {
  chartOf,
  crdsIn,
  fromRelease,
  releaseNaming,
  releaseUrns,
  type Finding,
  type K8sObject,
  type Placed,
} from "./objects";
import { provisionedLogsDatasources } from "./dashboards";
import { LOKI_UID } from "../builders/grafana/datasources";
import { alloyConfigReleases } from "./ruleEvaluators";
import { subchartsOf } from "../synth/subcharts";

/** A query the stack evaluates or shows: a panel target or a rule. */
export interface StackQuery {
  /** `dashboard <ConfigMap>/<file>: <panel title>` or `rule <PrometheusRule>/<group>/<name>`. */
  where: string;
  expr: string;
  /**
   * A panel's datasource uid (or the string naming it); a rule has none. Through VictoriaMetrics,
   * a query may be MetricsQL, which PromQL's grammar does not take.
   */
  datasource?: string;
  /** A VMRule's: vmalert reads MetricsQL. */
  metricsql?: boolean;
}

const WORKLOADS = new Set(["Deployment", "StatefulSet", "DaemonSet"]);

/** Every string of an object (its data and spec), for config text that names a component. */
function strings(v: unknown, out: string[] = []): string[] {
  if (typeof v === "string") out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => strings(x, out));
  else if (v && typeof v === "object") Object.values(v).forEach((x) => strings(x, out));
  return out;
}

/**
 * The deployment keys an operator's custom resource gives (a Prometheus, a VMAgent), with what it
 * must hold besides (a Prometheus's `remoteWrite`): the release rendering that resource decides
 * them, whatever its name (releasesRunning).
 */
const KEYS_BY_KIND: Record<string, { kinds: string[]; when?: (o: K8sObject) => boolean }> = {
  alertmanager: { kinds: ["Alertmanager", "VMAlertmanager"] },
  prometheus: { kinds: ["Prometheus"] },
  vmsingle: { kinds: ["VMSingle", "VMCluster"] },
  vmagent: { kinds: ["VMAgent"] },
  vmalert: { kinds: ["VMAlert"] },
  "prometheus-remote-write": { kinds: ["Prometheus"], when: (o) => (o.spec?.remoteWrite ?? []).length > 0 },
};

/**
 * The deployment keys of operators, with the kinds of the servers each reconciles (prometheus-operator:
 * upstream/operators/prometheusOperator.ts SERVERS): the chart rendering those would run the
 * operator (kube-prometheus-stack, whose `prometheusOperator.enabled: false` leaves it out while
 * its Prometheus and Alertmanager stay rendered).
 */
const RECONCILES: Record<string, readonly string[]> = { "prometheus-operator": Object.keys(SERVERS) };

/**
 * The charts whose workloads presentEmitters knows by the chart's name (`app.kubernetes.io/name`
 * without a `nameOverride`): a workload of one is known by its chart label whatever that label says.
 */
const RENAMED_CHARTS = new Set([
  "loki",
  "alloy",
  "vector",
  "kube-state-metrics",
  "prometheus-node-exporter",
  "alertmanager",
]);

/**
 * The deployment keys of the data's `present_when` column that hold in this stack, read from the
 * rendered objects (not from the plan, so a plan that believes a component runs cannot fool it).
 */
export function presentEmitters(objects: K8sObject[]): Set<string> {
  const present = new Set<string>(["always"]);
  const configText = objects
    .filter((o) => o.kind === "ConfigMap" || o.kind === "Secret")
    .flatMap((o) => strings(o.data ?? {}))
    .join("\n");
  for (const o of objects) {
    // Scaled to nothing (a chart value `replicas: 0`): no pod runs to emit anything.
    if (o.spec?.replicas === 0) continue;
    const component = o.metadata?.labels?.["app.kubernetes.io/component"];
    // The chart's name, which its `nameOverride` replaces in the app label (loki's `nameOverride:
    // lo` labels every Loki pod `lo`, and the pods still run): the chart label is the chart's.
    const chart = chartOf(o);
    const label = o.metadata?.labels?.["app.kubernetes.io/name"];
    const name = chart !== undefined && RENAMED_CHARTS.has(chart) ? chart : label;
    if (WORKLOADS.has(o.kind)) {
      if (name === "loki") present.add(component === "canary" ? "loki-canary" : "loki");
      if (name === "alloy" || name === "vector" || name === "mimir" || name === "kube-state-metrics")
        present.add(name);
      if (name === "prometheus-node-exporter") {
        present.add("node-exporter");
        for (const c of o.spec?.template?.spec?.containers ?? [])
          for (const a of c.args ?? []) {
            if (typeof a === "string" && a.startsWith("--collector.sysctl.include="))
              present.add(`node-exporter-sysctl:${a.split("=")[1]}`);
            // A collector node_exporter registers defaultDisabled, turned on.
            const on = typeof a === "string" ? /^--collector\.([a-z_]+)$/.exec(a) : null;
            if (on) present.add(`node-exporter-collector:${on[1]}`);
          }
      }
    }
    // kube-prometheus-stack labels its operator `<name>-prometheus-operator`, its name the
    // `nameOverride` (templates/prometheus-operator/_prometheus-operator.tpl); the component stays.
    if (
      WORKLOADS.has(o.kind) &&
      (label === "kube-prometheus-stack-prometheus-operator" ||
        (chart === "kube-prometheus-stack" && component === "prometheus-operator"))
    )
      present.add("prometheus-operator");
    if (WORKLOADS.has(o.kind) && name === "alertmanager") present.add("alertmanager");
    for (const [key, { kinds, when }] of Object.entries(KEYS_BY_KIND))
      if (kinds.includes(o.kind) && (!when || when(o))) present.add(key);
    if (o.kind === "ScrapeConfig" && strings(o.spec).some((s) => s.includes("/minio/v2/metrics/cluster")))
      present.add("minio-scrape");
  }
  // A takeover's import step (its namespace marked as for NetworkPolicies) changes nothing that
  // runs: the running kube-prometheus-stack's node-exporter stays until the update step, whose
  // render this check judges in turn (plan/plan.ts places the program's own only then).
  if (objects.some((o) => o.kind === "Namespace" && o.metadata?.annotations?.[NETWORK_POLICIES_DEFERRED])) {
    present.add("node-exporter");
    for (const k of INOTIFY_SYSCTLS) present.add(`node-exporter-sysctl:${k}`);
    for (const c of NODE_EXPORTER_EXTRA_COLLECTORS) present.add(`node-exporter-collector:${c}`);
  }
  // Mimir's ruler evaluates only the groups Alloy loads into it (mimir.rules.kubernetes).
  if (present.has("mimir") && /mimir\.rules\.kubernetes "/.test(configText)) present.add("mimir-ruler");
  if (/prometheus\.remote_write "/.test(configText)) present.add("alloy-remote-write");
  if (/metrics_path = "\/minio\/v2\/metrics\/cluster"/.test(configText)) present.add("minio-scrape");
  return present;
}

const RULE_KINDS = new Set(["PrometheusRule", "VMRule"]);

/** The datasources that query Prometheus or Mimir, which read PromQL only (docs/how-to/add-a-dashboard.md). */
const PROMQL_ONLY = new Set(["prometheus", "mimir"]);

/** Rules of PrometheusRule and VMRule objects: their queries and the names they record. */
function rulesIn(objects: K8sObject[]): { queries: StackQuery[]; recorded: Set<string> } {
  const queries: StackQuery[] = [];
  const recorded = new Set<string>();
  for (const o of objects) {
    if (!RULE_KINDS.has(o.kind)) continue;
    for (const g of o.spec?.groups ?? [])
      for (const r of g.rules ?? []) {
        if (r.record) recorded.add(r.record);
        queries.push({
          where: `rule ${o.kind} ${o.metadata.name}/${g.name}/${r.alert ?? r.record}`,
          expr: String(r.expr),
          ...(o.kind === "VMRule" ? { metricsql: true } : {}),
        });
      }
  }
  return { queries, recorded };
}

/**
 * True when a target or panel reads Loki (LogQL streams, not metrics): its type says so, or it
 * names (by uid, or by a string Grafana resolves as a name or a uid) a Loki datasource `logs` holds.
 */
const isLogs = (ds: any, logs: ReadonlySet<string>) =>
  ds?.type === "loki" || logs.has(typeof ds === "string" ? ds : ds?.uid);

/** PromQL targets of the dashboards Grafana's sidecar loads (ConfigMaps labelled grafana_dashboard). */
export function dashboardQueries(objects: K8sObject[]): StackQuery[] {
  const logs = new Set([LOKI_UID, ...provisionedLogsDatasources(objects)]);
  const out: StackQuery[] = [];
  for (const o of objects) {
    if (o.kind !== "ConfigMap" || o.metadata?.labels?.grafana_dashboard === undefined) continue;
    for (const [file, text] of Object.entries<string>(o.data ?? {})) {
      if (!file.endsWith(".json")) continue;
      // A file that is no JSON has no queries: checks/dashboards.ts reports it.
      let json: any;
      try {
        json = JSON.parse(text);
      } catch {
        continue;
      }
      for (const p of panelsOf(json))
        for (const t of p.targets ?? []) {
          const ds = t.datasource ?? p.datasource;
          if (typeof t.expr !== "string" || !t.expr || isLogs(ds, logs)) continue;
          const uid = typeof ds === "string" ? ds : ds?.uid;
          out.push({
            where: `dashboard ${o.metadata.name}/${file}: ${p.title}`,
            expr: t.expr,
            ...(typeof uid === "string" ? { datasource: uid } : {}),
          });
        }
    }
  }
  return out;
}

export interface EmittedMetricsReport {
  /** Queries judged (panel targets and rules). */
  queries: number;
  /** Metric names judged against the data. */
  metrics: number;
  /** Names read by some query that the data does not know: listed, not failed. */
  unverified: string[];
  present: string[];
  /**
   * The community panels and dashboards, and kube-prometheus-stack's default rules, a stack with
   * these emitters leaves out, and why: the builders fit them with the same judgement
   * (builders/grafana/community.ts, builders/alerting/fitRules.ts).
   */
  leftOut: LeftOut[];
  findings: Finding[];
}

/** What the builders leave out for a stack whose emitters are `present`. */
export function leftOutFor(present: ReadonlySet<string>): LeftOut[] {
  const emitters = [...present];
  const rules = fitRuleSets({ "kube-prometheus": KPS_RULES_DATA.groups }, emitters);
  return [...communityLeftOut({ emitters }), ...rules.leftOut];
}

/**
 * The releases whose values decide whether a component the stack does not run would run: for each
 * deployment key a row needs (`loki-canary`, `node-exporter-collector:systemd`, the component
 * before any `:`), the release its name says runs it (checks/objects.ts releaseNaming: `loki-canary`
 * is release loki's, whose `lokiCanary.enabled: false` leaves it out), so that synth/report.ts
 * traces the panels and rules gone empty to that release's chartValues override.
 */
function releasesRunning(placed: Placed[], presentWhen: string[]): { releases?: string[] } {
  const urns = presentWhen.flatMap((k) => {
    // releaseNaming answers one URN (a string: spread, it would give its characters).
    const named = releaseNaming(placed, k.split(":")[0]);
    // A key an operator's resource gives is its release's, whatever that is named: Prometheus's
    // remote write is kube-prometheus-stack's, whose `prometheus.prometheusSpec.remoteWrite: []`
    // leaves it out (not Alloy's alone, beside which it is the other emitter).
    const kinds = KEYS_BY_KIND[k]?.kinds ?? [];
    // An operator's key: the releases rendering the resources it reconciles, which would run it.
    const reconciled = RECONCILES[k] ?? [];
    const rendered = releaseUrns(placed.filter((p) => [...kinds, ...reconciled].includes(p.obj.kind)));
    const rendering = rendered.length > 0 || kinds.length === 0 ? rendered : serversBeside(placed, kinds);
    const found = [
      ...(named ? [named] : []),
      ...(FROM_ALLOY_CONFIG.has(k) ? alloyConfigReleases(placed) : []),
      ...rendering,
    ];
    return found.length > 0 ? found : carrying(placed, k.split(":")[0]);
  });
  return urns.length > 0 ? { releases: [...new Set(urns)] } : {};
}

/**
 * The releases whose chart carries `component` as a subchart (synth/subcharts.ts), when no release
 * is named after it: kube-prometheus-stack would run its `kube-state-metrics` but for
 * `kubeStateMetrics.enabled: false`, and no object of the release says so once it is off.
 */
function carrying(placed: Placed[], component: string): string[] {
  return releaseUrns(
    placed.filter((p) => {
      const chart = fromRelease(p) ? chartOf(p.obj) : undefined;
      return chart !== undefined && chart !== component && subchartsOf(chart)?.has(component) === true;
    }),
  );
}

/**
 * The releases rendering another server of the operator that would run a resource of `kinds`, when
 * none is rendered: kube-prometheus-stack, rendering the Prometheus, would render the Alertmanager
 * its `alertmanager.enabled: false` leaves out. The operator is known by the API group the stack's
 * CRDs give each kind (the CRDs themselves come from another release: prometheus-operator-crds).
 */
function serversBeside(placed: Placed[], kinds: string[]): string[] {
  const groups = new Set(
    crdsIn(placed)
      .filter((c) => kinds.includes(c.spec?.names?.kind))
      .map((c) => String(c.spec?.group)),
  );
  const servers = new Set(Object.values(KEYS_BY_KIND).flatMap((x) => x.kinds));
  return releaseUrns(
    placed.filter((p) => servers.has(p.obj.kind) && groups.has(String(p.obj.apiVersion).split("/")[0])),
  );
}

/**
 * The deployment keys presentEmitters reads from an Alloy config's text, not from a workload of
 * their name (Mimir's ruler evaluates only the groups Alloy's `mimir.rules.kubernetes` loads into
 * it; the remote write and the MinIO scrape are Alloy components): the values of the releases
 * holding Alloy configs decide whether they run (a `chartValues` override of the config that drops
 * the rule sync empties the ruler's panels).
 */
const FROM_ALLOY_CONFIG = new Set(["mimir-ruler", "alloy-remote-write", "minio-scrape"]);

/** Judges every panel and rule query of the rendered stack. */
export function checkEmittedMetrics(placed: Placed[]): EmittedMetricsReport {
  const objects = placed.map((p) => p.obj);
  const present = presentEmitters(objects);
  const rules = rulesIn(objects);
  const queries = [...dashboardQueries(objects), ...rules.queries];
  const findings: Finding[] = [];
  const judged = new Set<string>();
  const unverified = new Set<string>();
  const verdicts = new Map<string, ReturnType<typeof judgeMetric>>();
  const judge = (m: string) => {
    if (!verdicts.has(m)) verdicts.set(m, judgeMetric(m, present, rules.recorded));
    return verdicts.get(m)!;
  };
  for (const q of queries) {
    promqlMetrics(q.expr).forEach((m) => judged.add(m));
    // Only the names that decide whether the query shows data: `old_name or new_name` reads the
    // emitted side (upstream/metrics/promql.ts promqlBlockingMetrics).
    for (const m of promqlBlockingMetrics(q.expr, (n) => judge(n).kind === "emitted")) {
      const v = judge(m);
      // A name the data does not know, a letter or two from one it does, is that one misspelt: the
      // panel or rule shows nothing. Any other unknown name (an app's own metric) is listed.
      const meant = v.kind === "unverified" ? misspeltMetric(m) : undefined;
      if (meant !== undefined) {
        const known = judge(meant);
        const row = "row" in known ? known.row : undefined;
        findings.push({
          check: "emitted-metrics",
          where: q.where,
          message: `expected a metric name a component emits, got ${m}, which no row of upstream/metrics/data names; did you mean ${meant}?${row ? ` (${row.emitter}: ${row.source})` : ""}`,
        });
      } else if (v.kind === "unverified") unverified.add(m);
      if (isFault(v))
        findings.push({
          check: "emitted-metrics",
          where: q.where,
          message: describeFault(m, v),
          // Every query on a component the stack does not run: one mistake (contract/mistakes.ts).
          ...(v.kind === "not-running" && v.row.type !== "record" && !newerKubernetesOnly(v.row)
            ? {
                // The emitters as a set: rows list them in either order (samples_pending
                // `prometheus-remote-write|alloy-remote-write`, the other remote-write rows the other way).
                cause: causeKey(MISTAKES.notRunning, [...v.row.presentWhen].sort().join(" or ")),
                ...releasesRunning(placed, v.row.presentWhen),
                // Which components run follows from switches and configs, no pod's size or place.
                wiring: true,
              }
            : {}),
        });
    }
  }
  // A query Prometheus cannot parse shows an error, not data. Where VictoriaMetrics runs, a query
  // may be MetricsQL (a superset of PromQL) unless it names Prometheus' or Mimir's datasource.
  const metricsqlRuns = present.has("vmsingle");
  for (const q of queries) {
    if (q.metricsql || (metricsqlRuns && !PROMQL_ONLY.has(q.datasource ?? ""))) continue;
    const [at] = promqlErrors(q.expr);
    if (at === undefined) continue;
    // An excerpt cut inside the query is marked (`…conds_total`): a bare cut read as the query's
    // own text, a misspelt name the user never wrote.
    const before = `${at > 30 ? "…" : ""}${q.expr.slice(Math.max(0, at - 30), at)}`;
    const after = q.expr.length > at + 30 ? `${q.expr.slice(at, at + 30)}…` : q.expr.slice(at);
    findings.push({
      check: "emitted-metrics",
      where: q.where,
      message: `expected a PromQL query, found a syntax error at character ${at + 1}: "${before}" then ${after ? `"${after}"` : "the end of the query"}; Prometheus refuses the query, which shows an error instead of data`,
    });
  }
  // A label matcher misspelt matches no series: the panel or rule shows nothing.
  for (const q of queries)
    for (const { metric, label } of promqlLabelMatchers(q.expr)) {
      const meant = misspeltLabel(metric, label);
      if (meant !== undefined)
        findings.push({
          check: "emitted-metrics",
          where: q.where,
          message: `expected a label ${metric} carries, got ${label}; did you mean ${meant}? (${metric}{${label}=...} matches no series)`,
        });
    }
  return {
    queries: queries.length,
    metrics: judged.size,
    unverified: [...unverified].sort(),
    present: [...present].sort(),
    leftOut: leftOutFor(present),
    findings,
  };
}
