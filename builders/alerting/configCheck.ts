import { closestMatch } from "../../config/errors";
import {
  durationForm,
  durationParses,
  modelDurationMs,
  type DurationKind,
} from "../../upstream/engines/references";

/*
 * Every Alertmanager configuration the rendered stack holds, judged by the rules Alertmanager
 * applies when it loads one (prometheus/alertmanager v0.28.1, the pinned image): a receiver name
 * given twice (config/config.go:408 "notification config name %q is not unique"), a route to a
 * receiver the config does not define (config/config.go:685-695 checkReceiver "undefined receiver
 * %q used in route"), a root route without a receiver or with matchers (config/config.go:644-648),
 * and a matcher both its parsers refuse (config/config.go:1115-1125 Matchers calls
 * matcher/compat/parse.go Matchers; without a feature flag, and the charts set none,
 * cmd/alertmanager/main.go:199 InitFromFlags picks FallbackMatchersParser, parse.go:152-188: the
 * UTF-8 parser matcher/parse, and where it fails the classic pkg/labels/parse.go:26 and :117-176;
 * either way a regular expression pkg/labels/matcher.go:69 cannot compile), and a duration its
 * reader refuses (configDurationProblems). Alertmanager refuses such a file at start, and the
 * reloader keeps the old one: nothing the synthesis renders would say so. A receiver no route
 * reaches loads but never gets an alert, which is as silent: reported too.
 *
 * The program's own configuration (alertmanagerConfig.ts) passes; what breaks one is a
 * `chartValues` override of it (`chartValues.alertmanager.config.route.routes` replaces the whole
 * list: Helm merges maps, not lists), which synth/report.ts traces to the override. The rendered
 * files are found by checks/alertmanagerConfigs.ts.
 */

/** The classic matcher form (pkg/labels/parse.go:26). */
const MATCHER = /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(=~|=|!=|!~)\s*([\s\S]*?)\s*$/;

/**
 * The UTF-8 parser's form (matcher/parse/parse.go parseMatcher, lexer.go:27 isReserved): a name
 * and a value each quoted or unquoted, unquoted being any run without white space or
 * `{}!=~,\"'` and backquote. It takes names the classic form refuses (`k8s-app`, `service.name`).
 */
const UNQUOTED = "[^\\s{}!=~,\\\\\"'`]+";
const QUOTED = '"(?:[^"\\\\]|\\\\.)*"';
const UTF8_MATCHER = new RegExp(
  `^\\s*(${UNQUOTED}|${QUOTED})\\s*(=~|=|!=|!~)\\s*(${UNQUOTED}|${QUOTED})\\s*$`,
);

/** RE2's inline flags (`(?i)`, `(?s:...)`), which JavaScript's RegExp does not take: compiled without them. */
const RE2_FLAGS = /\(\?[imsU]+\)|\(\?[imsU]*-?[imsU]*:/g;

/** Why a regular expression fails to compile, as near as JavaScript's RegExp judges RE2's syntax. */
function regexProblem(v: string): string | undefined {
  try {
    new RegExp(`^(?:${v.replace(RE2_FLAGS, (m) => (m.endsWith(":") ? "(?:" : ""))})$`);
    return undefined;
  } catch (e) {
    return (e as Error).message.replace(/^Invalid regular expression: /, "");
  }
}

/** Splits a matcher line on commas outside quotes, without its braces (pkg/labels/parse.go:55-90). */
function matcherTokens(line: string): string[] {
  const s = line.trim().replace(/^\{/, "").replace(/\}$/, "");
  const tokens: string[] = [];
  let [token, quoted, escaped] = ["", false, false];
  for (const c of s) {
    if (c === "," && !quoted) {
      tokens.push(token);
      token = "";
      continue;
    }
    if (c === '"' && !escaped) quoted = !quoted;
    escaped = c === "\\" ? !escaped : false;
    token += c;
  }
  if (token.trim() !== "") tokens.push(token);
  return tokens;
}

/** What is wrong with one matcher line, undefined when Alertmanager takes it. */
export function matcherProblem(line: unknown): string | undefined {
  const form = 'expected matchers like severity="critical" or alertname=~"Kube.*"';
  if (typeof line !== "string") return `${form}, got ${JSON.stringify(line)}`;
  const tokens = matcherTokens(line);
  // The line as the UTF-8 parser reads it, or, where it refuses any of it, as the classic one does
  // (the fallback is per line, not per matcher).
  const utf8 = tokens.map((token) => UTF8_MATCHER.exec(token));
  const inUtf8 = utf8.every((m) => m !== null);
  for (const [i, token] of tokens.entries()) {
    const m = inUtf8 ? utf8[i] : MATCHER.exec(token);
    if (!m)
      return `${form}, got ${JSON.stringify(line)} ("${token.trim()}": no label name, operator and value)`;
    let value = m[3];
    if (value.startsWith('"')) {
      if (value.length < 2 || !value.endsWith('"') || /(^|[^\\])"/.test(value.slice(1, -1)))
        return `${form}, got ${JSON.stringify(line)} (the value of "${token.trim()}" has an unescaped or unclosed double quote)`;
      value = value.slice(1, -1).replace(/\\(["\\])/g, "$1");
    }
    const bad = m[2].includes("~") ? regexProblem(value) : undefined;
    if (bad)
      return `${form}, got ${JSON.stringify(line)} (the regular expression of "${token.trim()}" does not compile: ${bad})`;
  }
  return undefined;
}

/** One problem of a configuration: the key path in the file and what is wrong there. */
export interface ConfigProblem {
  path: string;
  message: string;
  /**
   * The paths in the file the verdict rests on, when more than `path` (a route's receiver rests on
   * the receivers too): a chartValues override is its cause only when it sets one of them.
   */
  judged?: string[];
}
type Problem = ConfigProblem;

/** The matchers of one route or inhibit rule, `keys` naming its matcher lists. */
function matcherProblems(node: Record<string, any>, at: string, keys: string[]): Problem[] {
  const out: Problem[] = [];
  for (const key of keys.filter((k) => !k.endsWith("match_re"))) {
    const list = node[key];
    if (list === undefined) continue;
    (Array.isArray(list) ? list : [list]).forEach((line, i) => {
      const bad = matcherProblem(line);
      if (bad) out.push({ path: `${at}${key}[${i}]`, message: bad });
    });
  }
  // `match_re` (deprecated, still read): a map from label to a regular expression.
  for (const key of keys.filter((k) => k.endsWith("match_re")))
    for (const [label, v] of Object.entries<unknown>(node[key] ?? {})) {
      const bad = typeof v === "string" ? regexProblem(v) : "not a string";
      if (bad)
        out.push({
          path: `${at}${key}.${label}`,
          message: `expected a regular expression, got ${JSON.stringify(v)} (${bad})`,
        });
    }
  return out;
}

/**
 * How Alertmanager 0.28.1 reads each duration of its file (gopkg.in/yaml.v2 v2.4.0, UnmarshalStrict,
 * config/config.go:205): a `model.Duration` from any scalar's text by prometheus/common v0.61.0's
 * ParseDuration (model/time.go:329-340, "not a valid duration string", "duration out of range"); a
 * `time.Duration` field from a text by Go's time.ParseDuration, a YAML number being nanoseconds
 * (yaml.v2 decode.go:485-514, as vendored by Loki v3.7.6); the notifiers' own `duration` from any
 * scalar's text by Go's time.ParseDuration (config/notifiers.go:711-719). Read, not run at 0.28.1;
 * amtool 0.25 refuses the same values (run: test/builders/alertmanagerDurations.test.ts).
 */
type DurationReader = DurationKind | "text time.Duration";

/** Whether Alertmanager reads `v` as a duration of `reader`. */
function readsAsDuration(v: unknown, reader: DurationReader): boolean {
  if (typeof v === "number") return reader === "time.Duration" || durationParses("model.Duration", String(v));
  const kind = reader === "text time.Duration" ? "time.Duration" : reader;
  return typeof v === "string" && durationParses(kind, v);
}

/** The durations of one node, `keys` with their reader, each Alertmanager refuses. */
function durationProblems(
  node: Record<string, any>,
  at: string,
  keys: Record<string, DurationReader>,
): Problem[] {
  const out: Problem[] = [];
  for (const [key, reader] of Object.entries(keys)) {
    const v: unknown = node[key];
    if (v === undefined || v === null || readsAsDuration(v, reader)) continue;
    const form = durationForm(reader === "text time.Duration" ? "time.Duration" : reader);
    out.push({
      path: `${at}${key}`,
      message: `expected ${form}, got ${JSON.stringify(v)} (Alertmanager refuses the file)`,
    });
  }
  return out;
}

/** A route's timers (config/config.go:896-898, model.Duration), two of which may not be zero (:939-944). */
function routeTimerProblems(node: Record<string, any>, at: string): Problem[] {
  const out = durationProblems(node, `${at}.`, {
    group_wait: "model.Duration",
    group_interval: "model.Duration",
    repeat_interval: "model.Duration",
  });
  for (const key of ["group_interval", "repeat_interval"]) {
    const v: unknown = node[key];
    if ((typeof v === "string" || typeof v === "number") && modelDurationMs(String(v)) === 0)
      out.push({
        path: `${at}.${key}`,
        message: `expected a duration above zero, got ${JSON.stringify(v)} (Alertmanager refuses the file: "${key} cannot be zero")`,
      });
  }
  return out;
}

/** Each receiver's notifier durations (config/notifiers.go:541, :741-743, :911 at v0.28.1). */
const NOTIFIER_DURATIONS: Record<string, Record<string, DurationReader>> = {
  webhook_configs: { timeout: "time.Duration" },
  pushover_configs: { retry: "text time.Duration", expire: "text time.Duration", ttl: "text time.Duration" },
  jira_configs: { reopen_duration: "model.Duration" },
};

/** Every duration of a configuration Alertmanager would refuse. */
function configDurationProblems(
  c: Record<string, any>,
  routes: { node: Record<string, any>; at: string }[],
): Problem[] {
  const out: Problem[] = [];
  if (c.global && typeof c.global === "object")
    out.push(...durationProblems(c.global, "global.", { resolve_timeout: "model.Duration" }));
  for (const { node, at } of routes) out.push(...routeTimerProblems(node, at));
  (Array.isArray(c.receivers) ? c.receivers : []).forEach((r: any, i: number) => {
    for (const [list, keys] of Object.entries(NOTIFIER_DURATIONS))
      (Array.isArray(r?.[list]) ? r[list] : []).forEach((n: any, j: number) => {
        if (n && typeof n === "object")
          out.push(...durationProblems(n, `receivers[${i}].${list}[${j}].`, keys));
      });
  });
  return out;
}

/** Every route of the tree with its path (`route`, `route.routes[2]`, ...). */
function routesOf(route: Record<string, any>, at = "route"): { node: Record<string, any>; at: string }[] {
  const children: any[] = Array.isArray(route.routes) ? route.routes : [];
  return [
    { node: route, at },
    ...children.flatMap((r, i) => (r && typeof r === "object" ? routesOf(r, `${at}.routes[${i}]`) : [])),
  ];
}

/** What Alertmanager 0.28.1 would refuse in a configuration, and the receivers no route reaches. */
export function alertmanagerConfigProblems(config: unknown): Problem[] {
  if (!config || typeof config !== "object") return [];
  const c = config as Record<string, any>;
  const out: Problem[] = [];
  const receivers: any[] = Array.isArray(c.receivers) ? c.receivers : [];
  const names = receivers.map((r) => String(r?.name ?? ""));
  names.forEach((n, i) => {
    const first = names.indexOf(n);
    if (first !== i)
      out.push({
        path: `receivers[${i}].name`,
        message: `expected a receiver name no other receiver has, got "${n}", which receivers[${first}] has too (Alertmanager refuses the file: "notification config name \\"${n}\\" is not unique")`,
      });
  });
  const route = c.route && typeof c.route === "object" ? (c.route as Record<string, any>) : undefined;
  if (!route)
    return [
      ...out,
      {
        path: "route",
        message:
          'expected a root route with a receiver, got none (Alertmanager refuses the file: "no routes provided")',
      },
    ];
  if (!route.receiver)
    out.push({
      path: "route.receiver",
      message:
        'expected the receiver of every alert no child route takes, got none (Alertmanager refuses the file: "root route must specify a default receiver")',
    });
  for (const key of ["match", "match_re", "matchers"])
    if (route[key] !== undefined)
      out.push({
        path: `route.${key}`,
        message:
          'expected no matchers on the root route (it takes every alert), got some (Alertmanager refuses the file: "root route must not have any matchers")',
      });
  out.push(...configDurationProblems(c, routesOf(route)));
  const used = new Set<string>();
  // The receivers a mistyped route's name most likely meant (its "did you mean").
  const meant = new Set<string>();
  for (const { node, at } of routesOf(route)) {
    if (at !== "route") out.push(...matcherProblems(node, `${at}.`, ["matchers", "match_re"]));
    if (typeof node.receiver !== "string" || node.receiver === "") continue;
    used.add(node.receiver);
    if (!names.includes(node.receiver)) {
      const near = closestMatch(node.receiver, names);
      if (near) meant.add(near);
      out.push({
        path: `${at}.receiver`,
        // Undefined where the route names another, or where the receivers lost the one it names.
        judged: [`${at}.receiver`, "receivers"],
        message: `expected a receiver the file defines (${names.join(", ")}), got "${node.receiver}"${near ? `; did you mean "${near}"?` : ""} (Alertmanager refuses the file: "undefined receiver \\"${node.receiver}\\" used in route")`,
      });
    }
  }
  (Array.isArray(c.inhibit_rules) ? c.inhibit_rules : []).forEach((r: any, i: number) => {
    if (r && typeof r === "object")
      out.push(
        ...matcherProblems(r, `inhibit_rules[${i}].`, [
          "source_matchers",
          "target_matchers",
          "source_match_re",
          "target_match_re",
        ]),
      );
  });
  // One message for every receiver left without a route: one override of route.routes drops them
  // all, and each is told in the same run. Left out is only a receiver a mistyped route's name
  // most likely meant ("did you mean" above), when no other route names it: fixing the typo routes
  // it, so the typo's message already stands for it. Any other receiver is unrouted whatever the
  // typo meant (an override that drops the heartbeat's route beside a mistyped "pushovr").
  const unrouted = names.flatMap((n, i) =>
    n && !used.has(n) && !meant.has(n) && names.indexOf(n) === i ? [i] : [],
  );
  if (unrouted.length > 0)
    out.push({
      path: unrouted.map((i) => `receivers[${i}]`).join(", "),
      // Unrouted where a receiver was added, or where the routes lost the route naming it.
      judged: [...unrouted.map((i) => `receivers[${i}]`), "route"],
      message: `expected every receiver named by some route, got ${unrouted.map((i) => `"${names[i]}"`).join(", ")} that no route names: ${unrouted.length === 1 ? "it never gets" : "they never get"} an alert (a chartValues list such as route.routes replaces the program's whole list)`,
    });
  return out;
}
