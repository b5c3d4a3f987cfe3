import { isMap } from "./tree";
import { PROJECT } from "./schema";

/*
 * Where a stack key's value lands in its chart's values: one table, read by the builders that put
 * the value there (builders/logging/lokiValues.ts, builders/metrics/kpsValues.ts and vmValues.ts,
 * builders/grafana/grafanaValues.ts, through {@link withStackKeys}) and by the config check that
 * refuses a `chartValues` override of the same value ({@link sameSettingProblems}). It lives in
 * config/ because config may not import builders (docs/explanation/architecture.md, Layout).
 */

/** One chart value a stack key sets: the chart (its name in model/versions.ts) and the path in its values. */
export interface StackKeyPath {
  /** The stack-config key (`loki.replicas`). */
  key: string;
  chart: string;
  path: readonly string[];
}

/**
 * The chart values the stack's keys set. A path under a top-level section the build does not
 * render (`vmcluster` on a single-node VictoriaMetrics) is left out of those values
 * ({@link withStackKeys}).
 */
export const STACK_KEY_CHART_PATHS = [
  { key: "loki.replicas", chart: "loki", path: ["singleBinary", "replicas"] },
  { key: "loki.write", chart: "loki", path: ["write", "replicas"] },
  { key: "loki.read", chart: "loki", path: ["read", "replicas"] },
  { key: "loki.backend", chart: "loki", path: ["backend", "replicas"] },
  { key: "loki.replicationFactor", chart: "loki", path: ["loki", "commonConfig", "replication_factor"] },
  { key: "loki.retention", chart: "loki", path: ["loki", "limits_config", "retention_period"] },
  { key: "loki.deleteDelay", chart: "loki", path: ["loki", "compactor", "retention_delete_delay"] },
  { key: "loki.authEnabled", chart: "loki", path: ["loki", "auth_enabled"] },
  { key: "loki.canary", chart: "loki", path: ["lokiCanary", "enabled"] },
  { key: "loki.gateway", chart: "loki", path: ["gateway", "enabled"] },
  // The claim size of each target that keeps one (the read target has none: builders/logging/lokiValues.ts).
  { key: "loki.volumeSize", chart: "loki", path: ["singleBinary", "persistence", "size"] },
  { key: "loki.volumeSize", chart: "loki", path: ["write", "persistence", "size"] },
  { key: "loki.volumeSize", chart: "loki", path: ["backend", "persistence", "size"] },
  {
    key: "prometheus.retention",
    chart: "kube-prometheus-stack",
    path: ["prometheus", "prometheusSpec", "retention"],
  },
  {
    key: "prometheus.retentionSize",
    chart: "kube-prometheus-stack",
    path: ["prometheus", "prometheusSpec", "retentionSize"],
  },
  {
    key: "prometheus.volumeSize",
    chart: "kube-prometheus-stack",
    path: [
      "prometheus",
      "prometheusSpec",
      "storageSpec",
      "volumeClaimTemplate",
      "spec",
      "resources",
      "requests",
      "storage",
    ],
  },
  {
    key: "victoriametrics.retention",
    chart: "victoria-metrics-k8s-stack",
    path: ["vmsingle", "spec", "retentionPeriod"],
  },
  {
    key: "victoriametrics.volumeSize",
    chart: "victoria-metrics-k8s-stack",
    path: ["vmsingle", "spec", "storage", "resources", "requests", "storage"],
  },
  {
    key: "victoriametrics.retention",
    chart: "victoria-metrics-k8s-stack",
    path: ["vmcluster", "spec", "retentionPeriod"],
  },
  {
    key: "victoriametrics.scrapeInterval",
    chart: "victoria-metrics-k8s-stack",
    path: ["vmagent", "spec", "scrapeInterval"],
  },
  { key: "grafana.volumeSize", chart: "grafana", path: ["persistence", "size"] },
] as const satisfies readonly StackKeyPath[];

type Entry = (typeof STACK_KEY_CHART_PATHS)[number];
/** The stack keys whose values land in `chart`'s values. */
export type StackKeysOf<C extends string> = Extract<Entry, { chart: C }>["key"];

/**
 * `values` with each stack key's value of `chart` at its paths: how the builders put them there,
 * so the table is the one place that says where. `given` must name every key of the chart (the
 * type says so), the value the build derived from it (`loki.write` is 0 where SimpleScalable does
 * not run). A path whose top-level section `values` lacks is skipped: that part is not rendered.
 */
export function withStackKeys<C extends Entry["chart"]>(
  chart: C,
  values: Record<string, unknown>,
  given: Record<StackKeysOf<C>, unknown>,
): Record<string, unknown> {
  let out = values;
  for (const e of STACK_KEY_CHART_PATHS as readonly StackKeyPath[]) {
    if (e.chart !== chart || !isMap(out[e.path[0]])) continue;
    out = placed(out, e.path, (given as Record<string, unknown>)[e.key]);
  }
  return out;
}

/** `tree` with `value` at `path`, the maps on the way copied (a shared map stays as it was). */
function placed(
  tree: Record<string, unknown>,
  path: readonly string[],
  value: unknown,
): Record<string, unknown> {
  const [head, ...rest] = path;
  if (rest.length === 0) return { ...tree, [head]: value };
  const below = isMap(tree[head]) ? tree[head] : {};
  return { ...tree, [head]: placed(below, rest, value) };
}

/** What a chartValues override holds at `path`: a value there, or a plain value (null included) on the way that replaces it. */
function overrideAt(values: unknown, path: readonly string[]): { at: string[]; value: unknown } | undefined {
  let v: unknown = values;
  for (let i = 0; i < path.length; i++) {
    if (!isMap(v) || !(path[i] in v)) return undefined;
    v = v[path[i]];
    if (i < path.length - 1 && !isMap(v)) return { at: path.slice(0, i + 1), value: v };
  }
  return { at: [...path], value: v };
}

/**
 * One problem for each stack key the file sets whose chart value a `chartValues` override sets
 * too: the override is merged last (builders/chartValues.ts), so it would win and the stack key
 * would silently do nothing. Overrides of values no stack key sets are what chartValues is for
 * (docs/how-to/chart-values.md) and pass. `raw` is what the stack file sets; `unread` the keys
 * already refused as unread (their chart value is not theirs: a mode not run renders 0 pods);
 * `placeOf` gives a key's `file:line`, when the file holds it.
 */
export function sameSettingProblems(
  raw: Record<string, unknown>,
  unread: readonly string[],
  placeOf: (key: string) => string | undefined = () => undefined,
): string[] {
  const out: string[] = [];
  const charts = isMap(raw.chartValues) ? raw.chartValues : {};
  for (const e of STACK_KEY_CHART_PATHS as readonly StackKeyPath[]) {
    const [section, name] = e.key.split(".");
    const own = isMap(raw[section]) ? raw[section][name] : undefined;
    if (own === undefined || unread.some((u) => e.key === u || e.key.startsWith(`${u}.`))) continue;
    const override = overrideAt(charts[e.chart], e.path);
    if (!override) continue;
    const key = ["chartValues", e.chart, ...override.at].join(".");
    const at = (k: string) => (placeOf(k) ? ` (${placeOf(k)})` : "");
    out.push(
      `${PROJECT}:${e.key}: expected the ${e.chart} chart's ${e.path.join(".")} set in one place (set it once: ${e.key}), ` +
        `got it set twice: ${e.key}: ${JSON.stringify(own)}${at(e.key)} and ${key}: ${JSON.stringify(override.value)}${at(key)}, ` +
        `where the override, merged last, would win and ${e.key} do nothing; remove ${key}`,
    );
  }
  return out;
}
