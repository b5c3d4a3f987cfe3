/**
 * The community dashboards: kubernetes-mixin's and node-exporter's (from kube-prometheus-stack),
 * loki-mixin's (from the loki chart) and VictoriaMetrics' own, as rendered from the pinned charts
 * by scripts/genDashboards.ts. The program provisions them itself in every phase, so they stay when
 * kube-prometheus-stack goes, and fits each to the stack:
 * - every datasource reference points at the stable uids of datasources.ts (`metrics`, `loki`), so
 *   the backend flip changes nothing and no datasource picker can point at a removed Prometheus;
 * - a panel that reads a metric no component of the stack emits (upstream/metrics/emitted.ts), a
 *   name no emitter's source names at its pinned version (nothing proves it shows data), or a
 *   recording rule the stack does not ship, is dropped; a dashboard left without panels is dropped.
 *   Each removal is said ({@link fitCommunityDashboards}; the synth lists them).
 */
import * as fs from "fs";
import * as path from "path";
import { judgeMetric } from "../../upstream/metrics/emitted";
import { KPS_RULES_DATA } from "../alerting/kpsRules";
import { blockingNames, queryNeeds, whyLeftOut, type LeftOut } from "./queryNeeds";

/** The file a community dashboard is provisioned as (its ConfigMap's data key): its chart, then its own name. */
export const dashboardFile = (d: { source: string; file: string }): string => `${d.source}-${d.file}.json`;

/** The command that writes the community dashboards' data (scripts/genDashboards.ts), as messages name it. */
export const DASHBOARDS_GENERATOR = "npx tsx scripts/genDashboards.ts";
/** Its flag letting a chart's dashboards go (one chart a flag). */
export const ALLOW_DROPPED = "--allow-dropped";

export type { LeftOut };
import { LOKI_UID, METRICS_UID, VICTORIAMETRICS_UID } from "./datasources";

/**
 * VictoriaMetrics' own dashboards query in MetricsQL (`default`, `topk` with a variable k), which
 * Prometheus refuses: they read VictoriaMetrics' datasource, provisioned whenever vmsingle runs
 * (and they are provisioned only then).
 */
const METRICSQL_SOURCES = new Set(["victoria-metrics-k8s-stack"]);

/** One dashboard as the chart renders it, with the metric names each panel reads. */
export interface CommunityDashboard {
  /** The chart that ships it. */
  source: string;
  version: string;
  /** The chart's file name, without .json. */
  file: string;
  /** Grafana folder the sidecar files it under. */
  folder: string;
  title: string;
  /** The emitters (any of) it is about (`present_when` keys): a stack without one does not get it. */
  needs: string[];
  /** Per panel, in {@link panelsOf} order: the metric names its PromQL targets read. */
  panelMetrics: string[][];
  json: any;
}

/** What scripts/genDashboards.ts writes. */
export interface CommunityDashboardsData {
  generatedBy: string;
  dashboards: CommunityDashboard[];
}

/**
 * The data file in the project (the directory holding Pulumi.yaml, found from this file upwards),
 * so source and dist/ read the same file. Read with fs rather than imported: typing 900 kB of JSON
 * would cost every type check seconds, and a build would copy it into dist/.
 */
export function communityDashboardsFile(from: string = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "Pulumi.yaml")))
      return path.join(dir, "builders", "grafana", "data", "community-dashboards.json");
    if (path.dirname(dir) === dir)
      throw new Error(`no Pulumi.yaml above ${from}: cannot find the dashboards data`);
  }
}

let loaded: CommunityDashboardsData | undefined;

/** The shipped data (scripts/genDashboards.ts writes it), read once. */
export function communityDashboardsData(): CommunityDashboardsData {
  loaded ??= JSON.parse(fs.readFileSync(communityDashboardsFile(), "utf8")) as CommunityDashboardsData;
  return loaded;
}

/** Every panel of a dashboard in document order, the panels inside (collapsed) rows included. */
export function panelsOf(node: any): any[] {
  // `rows` is the dashboard schema before Grafana 5 (each row holding its panels), which the
  // loki-mixin dashboards of the loki chart 18.11.0 still use (loki-chunks, loki-retention);
  // Grafana migrates it on load.
  return [...(node?.panels ?? []), ...(node?.rows ?? [])].flatMap((p: any) => [p, ...panelsOf(p)]);
}

/** What the stack runs, in the vocabulary of the data's `present_when` column. */
export interface CommunityInputs {
  emitters: readonly string[];
}

/** A dashboard ready for the sidecar: file name, folder and the JSON Grafana loads. */
export interface ProvisionedDashboard {
  file: string;
  folder: string;
  source: string;
  json: any;
}

const RECORDED = new Set(
  KPS_RULES_DATA.groups.flatMap((g) => g.rules.map((r) => r.record).filter((r): r is string => !!r)),
);

/** The datasource variables of a dashboard, by name, with the kind of datasource they pick. */
function datasourceVariables(json: any): Map<string, "prometheus" | "loki"> {
  const out = new Map<string, "prometheus" | "loki">();
  for (const v of json.templating?.list ?? [])
    if (v.type === "datasource") out.set(v.name, v.query === "loki" ? "loki" : "prometheus");
  return out;
}

const GRAFANA_BUILTIN = { type: "grafana", uid: "grafana" };

/** True when a datasource reference (a panel's or a target's) picks Loki. */
function isLoki(ref: unknown, vars: Map<string, "prometheus" | "loki">): boolean {
  if (ref === null || ref === undefined) return false;
  const uid = typeof ref === "string" ? ref : (ref as any)?.uid;
  if (typeof ref !== "string" && (ref as any)?.type === "loki") return true;
  const variable = /^\$\{?(\w+)\}?$/.exec(String(uid ?? ""))?.[1];
  return variable !== undefined && vars.get(variable) === "loki";
}

/** One datasource reference, rewritten to a stable uid (or Grafana's built-in annotations source). */
function stableRef(ref: unknown, vars: Map<string, "prometheus" | "loki">, metricsUid: string): unknown {
  if (ref === null || ref === undefined) return { type: "prometheus", uid: metricsUid };
  const uid = typeof ref === "string" ? ref : (ref as any)?.uid;
  const type = typeof ref === "string" ? undefined : (ref as any)?.type;
  if (uid === "-- Grafana --" || uid === "grafana" || type === "datasource") return GRAFANA_BUILTIN;
  const variable = /^\$\{?(\w+)\}?$/.exec(String(uid ?? ""))?.[1];
  const kind = (variable && vars.get(variable)) || (type === "loki" ? "loki" : "prometheus");
  return kind === "loki" ? { type: "loki", uid: LOKI_UID } : { type: "prometheus", uid: metricsUid };
}

/** Every `datasource` field (panels, targets, annotations, variables) pointed at a stable uid. */
function rewriteDatasources(node: any, vars: Map<string, "prometheus" | "loki">, metricsUid: string): any {
  if (!node || typeof node !== "object") return node;
  // Indexed loops, no entry pair or closure per node: every stack's dashboards (megabytes of JSON)
  // are copied through here each time they are fitted.
  if (Array.isArray(node)) {
    const items: any[] = new Array(node.length);
    for (let i = 0; i < node.length; i++)
      if (i in node) items[i] = rewriteDatasources(node[i], vars, metricsUid); // a hole stays one, as map keeps it
    return items;
  }
  const out: Record<string, any> = {};
  const keys = Object.keys(node);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    // `null` is Grafana's default datasource, which is Metrics (uid `metrics`) in every phase.
    out[k] =
      k === "datasource"
        ? stableRef(node[k], vars, metricsUid)
        : rewriteDatasources(node[k], vars, metricsUid);
  }
  return out;
}

/** The dashboard without the panels whose index (in {@link panelsOf} order) is in `drop`. */
function withoutPanels(json: any, drop: Set<number>): any {
  let i = 0;
  const walk = (panels: any[]): any[] =>
    panels.flatMap((p) => {
      const keep = !drop.has(i++);
      const nested = p.panels ? { ...p, panels: walk(p.panels) } : p;
      return keep ? [nested] : [];
    });
  // In panelsOf's order: the panels, then the legacy rows.
  const panels = walk(json.panels ?? []);
  return json.rows ? { ...json, panels, rows: walk(json.rows) } : { ...json, panels };
}

/**
 * The community dashboards a stack provisions: each fitted to what it runs (see the file's
 * comment). Dashboards with nothing left to show are left out.
 */
export function communityDashboards(input: CommunityInputs): ProvisionedDashboard[] {
  return fitCommunityDashboards(input).dashboards;
}

/** {@link communityDashboards}, with every panel and dashboard left out and why. */
export function fitCommunityDashboards(input: CommunityInputs): {
  dashboards: ProvisionedDashboard[];
  leftOut: LeftOut[];
} {
  const out: ProvisionedDashboard[] = [];
  const leftOut: LeftOut[] = [];
  for (const { d, vars, fitted } of fitEach(input, leftOut)) {
    const metricsUid = METRICSQL_SOURCES.has(d.source) ? VICTORIAMETRICS_UID : METRICS_UID;
    const json = rewriteDatasources(fitted, vars, metricsUid);
    json.templating = {
      ...(json.templating ?? {}),
      list: (json.templating?.list ?? []).filter((v: any) => v.type !== "datasource"),
    };
    out.push({ file: dashboardFile(d), folder: d.folder, source: d.source, json });
  }
  return { dashboards: out, leftOut };
}

/**
 * Only {@link fitCommunityDashboards}' `leftOut`, without rewriting the dashboards kept (a copy
 * of every one of them): what the emitted-metrics check reports (checks/emittedMetrics.ts).
 */
export function communityLeftOut(input: CommunityInputs): LeftOut[] {
  const leftOut: LeftOut[] = [];
  // Run for what it pushes: the dashboards it yields are not rewritten.
  for (const kept of fitEach(input, leftOut)) void kept;
  return leftOut;
}

/**
 * Each dashboard the stack gets, without the panels it cannot fill (still with the chart's
 * datasource references), in the data's order; what it leaves out is pushed to `leftOut` as it
 * goes, in the same order.
 */
function* fitEach(
  input: CommunityInputs,
  leftOut: LeftOut[],
): Generator<{ d: CommunityDashboard; vars: Map<string, "prometheus" | "loki">; fitted: any }> {
  const present = new Set(input.emitters);
  for (const d of communityDashboardsData().dashboards) {
    if (!d.needs.some((n) => n === "always" || present.has(n))) continue;
    const file = dashboardFile(d);
    const drop = new Set<number>();
    const panels = panelsOf(d.json);
    const vars = datasourceVariables(d.json);
    const verdict = new Map<string, string | undefined>();
    const why = (m: string) => {
      if (!verdict.has(m)) verdict.set(m, whyLeftOut(m, judgeMetric(m, present, RECORDED)));
      return verdict.get(m);
    };
    d.panelMetrics.forEach((_, i) => {
      const panel = panels[i];
      for (const t of panel?.targets ?? []) {
        // A logs query is LogQL (`| logfmt` is no metric): Loki answers it, not the metrics.
        if (typeof t.expr !== "string" || !t.expr || isLoki(t.datasource ?? panel.datasource, vars)) continue;
        // The query's alternatives (`a or b`), computed offline: the program loads no PromQL parser.
        const alternatives = queryNeeds(t.expr) ?? [d.panelMetrics[i]];
        const blocking = blockingNames(alternatives, (m) => why(m) === undefined);
        if (blocking.length === 0) continue;
        drop.add(i);
        leftOut.push({
          what: `dashboard ${file}: ${panel?.title ?? `panel ${i}`}`,
          why: why(blocking[0])!,
          metric: blocking[0],
        });
        break;
      }
    });
    const fitted = withoutPanels(d.json, drop);
    if (!panelsOf(fitted).some((p) => p.type !== "row" && (p.targets ?? []).length > 0)) {
      leftOut.push({ what: `dashboard ${file}`, why: "no panel left that this stack can fill" });
      continue;
    }
    yield { d, vars, fitted };
  }
}
