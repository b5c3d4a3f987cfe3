/**
 * A panel target's PromQL as Grafana 12.3 sends it to the Prometheus datasource, its variables
 * resolved the way Grafana resolves them (read in grafana/grafana and grafana/scenes, stored
 * copies):
 * - built-in interval variables: pkg/promlib/models/query.go `InterpolateVariables`:
 *   `$__interval` is `gtime.FormatInterval(step)` (one unit, truncated: 75s is "1m";
 *   grafana-plugin-sdk-go backend/gtime/gtime.go), `$__interval_ms` the step in ms, `$__range` the
 *   range rounded to seconds plus "s" (`$__range_s`, `$__range_ms`), `$__rate_interval` Go's
 *   `Duration.String()` of `calculateRateInterval`: max(interval + scrape interval, 4 x scrape
 *   interval), the scrape interval being the datasource's `timeInterval`, "15s" when unset (the
 *   program's datasources set none: builders/grafana/datasources.ts);
 * - dashboard variables: a saved variable becomes a scenes variable with
 *   `defaultToAll: Boolean(variable.includeAll)`, `isMulti: variable.multi`,
 *   `allValue: variable.allValue || undefined` (public/app/features/dashboard-scene, the save
 *   model transform); its value is the saved `current` when an option matches it, else All when
 *   `defaultToAll`, else the first option, and "" (or none) without options (scenes
 *   MultiValueVariable `validateAndUpdate`, `getDefaultSingleState`, `getDefaultMultiState`);
 *   All is the custom all value, unescaped, or else every option;
 * - query variables `label_values(<selector>, <label>)` and `label_values(<label>)` ask the
 *   datasource for the label's values (packages/grafana-prometheus/src/metric_find_query.ts), then
 *   the variable's `regex` and `sort` apply;
 * - values go into the expression through packages/grafana-prometheus/src/escaping.ts
 *   `interpolateQueryExpr`: neither multi nor include-all: backslashes and single quotes escaped
 *   (the classic `prometheusRegularEscape`); otherwise each value regex-escaped
 *   (`prometheusSpecialRegexEscape`), several joined as `(a|b)`.
 */

/** A dashboard variable as the dashboard JSON saves it (`templating.list[]`). */
export interface TemplateVariable {
  name: string;
  type: string;
  query?: unknown;
  current?: { value?: string | string[]; text?: string | string[] } | null;
  options?: { value?: string }[];
  includeAll?: boolean;
  multi?: boolean;
  allValue?: string | null;
  regex?: string | null;
  sort?: number | null;
}

/** Where and how Grafana would run the query. */
export interface GrafanaQueryContext {
  /** The query's step (Grafana's calculated interval), seconds. */
  stepSeconds: number;
  /** The dashboard's time range, seconds. */
  rangeSeconds: number;
  /** The datasource's `timeInterval` (scrape interval); Grafana's default "15s" when unset. */
  scrapeInterval?: string;
  /** The values of `label` on the series `selector` matches (all series without one), as the datasource answers. */
  labelValues(label: string, selector?: string): Promise<string[]>;
}

/** A resolved variable: its values (All expanded) and how Grafana formats them. */
export interface ResolvedVariable {
  values: string[];
  /** The custom all value, used raw when All is selected. */
  allValue?: string;
  multi: boolean;
  includeAll: boolean;
}

/** Why a target cannot be resolved (a variable kind Grafana answers from somewhere verify cannot ask). */
export class UnresolvableVariable extends Error {}

const ALL = "$__all";

/** Go's `time.Duration.String()` for whole seconds: "45s", "1m15s", "1m0s", "1h0m0s". */
export function goDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s === 0) return "0s";
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}h${m}m${sec}s` : m > 0 ? `${m}m${sec}s` : `${sec}s`;
}

/** grafana-plugin-sdk-go gtime.FormatInterval for whole seconds: the largest unit, truncated. */
export function grafanaInterval(seconds: number): string {
  const units: [string, number][] = [
    ["y", 31536000],
    ["d", 86400],
    ["h", 3600],
    ["m", 60],
    ["s", 1],
  ];
  for (const [u, n] of units) if (seconds >= n) return `${Math.floor(seconds / n)}${u}`;
  return `${Math.max(1, Math.round(seconds * 1000))}ms`;
}

/** Seconds of a Grafana interval ("15s", "1m", "2h"). */
function intervalSeconds(text: string): number {
  const m = /^(\d+)(ms|s|m|h|d|w|y)$/.exec(text.trim());
  if (!m) throw new UnresolvableVariable(`scrape interval "${text}" is not an interval`);
  const unit: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };
  return Number(m[1]) * unit[m[2]];
}

/** The built-in interval and range variables replaced (pkg/promlib InterpolateVariables). */
export function replaceBuiltins(
  expr: string,
  ctx: Pick<GrafanaQueryContext, "stepSeconds" | "rangeSeconds" | "scrapeInterval">,
): string {
  const scrape = intervalSeconds(ctx.scrapeInterval || "15s");
  const rate = Math.max(ctx.stepSeconds + scrape, 4 * scrape);
  const range = Math.round(ctx.rangeSeconds);
  // Longer names first: `$__interval` is a prefix of `$__interval_ms`.
  const builtins: [string, string][] = [
    ["__rate_interval_ms", String(Math.round(rate * 1000))],
    ["__rate_interval", goDuration(rate)],
    ["__interval_ms", String(Math.round(ctx.stepSeconds * 1000))],
    ["__interval", grafanaInterval(ctx.stepSeconds)],
    ["__range_ms", String(Math.round(ctx.rangeSeconds * 1000))],
    ["__range_s", String(range)],
    ["__range", `${range}s`],
  ];
  let out = expr;
  for (const [name, value] of builtins)
    out = out.split(`\${${name}}`).join(value).split(`$${name}`).join(value);
  return out;
}

/** escaping.ts prometheusRegularEscape (classic): backslashes, then single quotes. */
const regularEscape = (v: string) => v.replace(/\\/g, "\\\\").replace(/'/g, "\\\\'");
/** escaping.ts prometheusSpecialRegexEscape (classic): backslashes, then regex metacharacters. */
const regexEscape = (v: string) => v.replace(/\\/g, "\\\\\\\\").replace(/[$^*{}[\]+?.()|]/g, "\\\\$&");

/** escaping.ts interpolateQueryExpr. */
export function formatValue(
  value: string | string[],
  v: Pick<ResolvedVariable, "multi" | "includeAll">,
): string {
  if (!v.multi && !v.includeAll)
    return Array.isArray(value) ? value.map(regularEscape).join(",") : regularEscape(value);
  if (typeof value === "string") return regexEscape(value);
  const escaped = value.map(regexEscape);
  return escaped.length === 1 ? escaped[0] : `(${escaped.join("|")})`;
}

/** The options of a query variable: label values through its regex and sort. */
async function queryOptions(
  v: TemplateVariable,
  ctx: GrafanaQueryContext,
  resolved: Map<string, ResolvedVariable>,
): Promise<string[]> {
  const q = interpolate(queryText(v), resolved).trim();
  const m = /^label_values\(\s*(?:(.*)\s*,\s*)?([a-zA-Z_][a-zA-Z0-9_]*)\s*\)$/s.exec(q);
  if (!m) throw new UnresolvableVariable(`variable ${v.name}: query "${q}" is not label_values(...)`);
  let values = await ctx.labelValues(m[2], m[1]?.trim() || undefined);
  if (v.regex) {
    const r = /^\/(.*)\/([gimsuy]*)$/s.exec(v.regex);
    const re = new RegExp(r ? r[1] : v.regex, r ? r[2].replace("g", "") : "");
    values = values.flatMap((x) => {
      const hit = re.exec(x);
      return hit ? [hit[1] ?? hit[0]] : [];
    });
  }
  values = [...new Set(values)];
  // Grafana's sort: 1/2 alphabetical asc/desc, 3/4 numerical, 5/6 alphabetical case-insensitive.
  const num = (x: string) => Number(/-?\d+(\.\d+)?/.exec(x)?.[0] ?? NaN);
  const sorts: Record<number, (a: string, b: string) => number> = {
    1: (a, b) => (a < b ? -1 : a > b ? 1 : 0),
    2: (a, b) => (a < b ? 1 : a > b ? -1 : 0),
    3: (a, b) => num(a) - num(b),
    4: (a, b) => num(b) - num(a),
    5: (a, b) => a.toLowerCase().localeCompare(b.toLowerCase()),
    6: (a, b) => b.toLowerCase().localeCompare(a.toLowerCase()),
  };
  const sort = sorts[v.sort ?? 0];
  return sort ? [...values].sort(sort) : values;
}

/** A variable's `query` as text (a query variable may save it as `{query: "..."}`). */
const queryText = (v: TemplateVariable): string => {
  const inner = (v.query as { query?: unknown } | undefined)?.query;
  return typeof v.query === "string" ? v.query : typeof inner === "string" ? inner : "";
};

/** The options of a custom variable (comma-separated, `text : value` pairs allowed). */
function customOptions(v: TemplateVariable): string[] {
  return queryText(v)
    .split(/(?<!\\),/)
    .map((o) => o.trim())
    .filter((o) => o !== "")
    .map((o) => (o.includes(" : ") ? o.split(" : ")[1] : o));
}

/**
 * Every variable of a dashboard resolved, in the list's order (a variable reads only those
 * before it). Datasource and ad hoc filter variables are left out: the program rewrites every
 * datasource reference to a fixed uid (builders/grafana/community.ts), and no ad hoc filter is set.
 */
export async function resolveVariables(
  vars: TemplateVariable[],
  ctx: GrafanaQueryContext,
): Promise<Map<string, ResolvedVariable>> {
  const resolved = new Map<string, ResolvedVariable>();
  for (const v of vars) {
    const base = { multi: !!v.multi, includeAll: !!v.includeAll, allValue: v.allValue || undefined };
    if (v.type === "datasource" || v.type === "adhoc") continue;
    if (v.type === "constant" || v.type === "textbox") {
      const value = v.type === "constant" ? queryText(v) : (firstOf(v.current?.value) ?? queryText(v));
      resolved.set(v.name, { ...base, multi: false, includeAll: false, values: [value] });
      continue;
    }
    let options: string[];
    if (v.type === "query") options = await queryOptions(v, ctx, resolved);
    else if (v.type === "custom" || v.type === "interval") options = customOptions(v);
    else throw new UnresolvableVariable(`variable ${v.name}: type "${v.type}" is not resolved by verify`);
    const current = [v.current?.value ?? []].flat().map(String);
    const all = current[0] === ALL && v.includeAll;
    const matching = current.filter((c) => options.includes(c));
    let values: string[] = [];
    let pickedAll = false;
    if (all) pickedAll = true;
    else if (matching.length > 0) values = v.multi ? matching : [matching[0]];
    else if (v.includeAll) pickedAll = true;
    else values = options.length > 0 ? [options[0]] : v.multi ? [] : [""];
    if (pickedAll) values = options;
    resolved.set(v.name, { ...base, values, allValue: pickedAll ? base.allValue : undefined });
  }
  return resolved;
}

const firstOf = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/** `$name`, `${name}`, `${name:format}` and `[[name]]` replaced by their formatted values. */
export function interpolate(expr: string, resolved: Map<string, ResolvedVariable>): string {
  return expr.replace(/\$\{(\w+)(?::(\w+))?\}|\[\[(\w+)(?::(\w+))?\]\]|\$(\w+)/g, (m, a, fa, b, fb, c) => {
    const name = a ?? b ?? c;
    const format = fa ?? fb;
    const v = resolved.get(name);
    if (!v) return m;
    // A custom all value goes in as it is (scenes' CustomAllValue).
    if (v.allValue !== undefined) return v.allValue;
    if (format === "raw") return v.values.join(",");
    if (format === "pipe") return v.values.join("|");
    if (format === "regex")
      return v.values.length === 1 ? regexEscape(v.values[0]) : `(${v.values.map(regexEscape).join("|")})`;
    return formatValue(v.multi || v.includeAll ? v.values : (v.values[0] ?? ""), v);
  });
}

/** A panel target's expression as Grafana sends it: dashboard variables, then the built-ins. */
export async function resolveTarget(
  expr: string,
  vars: TemplateVariable[],
  ctx: GrafanaQueryContext,
): Promise<string> {
  const resolved = await resolveVariables(vars, ctx);
  return replaceBuiltins(interpolate(expr, resolved), ctx);
}
