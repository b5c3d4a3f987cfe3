import { textReplicas } from "@homelab-observability/contract";
import { isMap, propertyPath, valueAt } from "./tree";
import { pinnedChart, versions } from "../model/versions";
import type { ChartCondition, ChartKeys, KeyTree, KindTree, TypeTree } from "./chartKeys";
import { boolOnlySwitches } from "./sizing";
import { didYouMean, nearest, RENAME_AND_MEND, schemaAt, type RefusedOverride } from "./errors";
import { STACK_KEY_CHART_PATHS } from "./stackKeyPaths";
import { chartTextIsNumber } from "../upstream/chartTextNumbers";

/*
 * The stack's `chartValues` checked against the pinned charts' own keys (chartKeys.ts): a key
 * Helm would ignore because it is a misspelling of one the chart reads is a config problem like any
 * other, named with its file and line by config/stackCheck.ts.
 */

/** Every text in a values tree, for the names the user's own templated values read. */
const textsOf = (v: unknown): string[] =>
  typeof v === "string" ? [v] : isMap(v) || Array.isArray(v) ? Object.values(v).flatMap(textsOf) : [];

/**
 * The probable typos among the `chartValues` keys, and the text among their values where the
 * chart's default is a boolean or number (a `"false"` or `no` where it is false: {@link textScalar}): a key is a typo when (a) neither the chart's
 * default values nor the value paths its templates read have it at its level (chartKeys.ts), (b)
 * no text of the user's own values for the chart reads it (a `tpl` string reading
 * `.Values.<key>`), and (c) a known key of that level is a misspelling of it ({@link misspelling}).
 * Levels the chart leaves to the user (an empty default like `podAnnotations: {}`, a map its
 * templates write out whole like grafana.ini's sections) have no known keys, so nothing there is one.
 *
 * Each is an error (exit 2) like any unknown key of the stack's own: Helm ignores a key no template
 * reads, so the override silently does nothing. The three conditions together leave hardly a false
 * alarm, and a key the user's own templated values read is kept ({@link CHART_KEY_NOTE} says so).
 * `keysOf` gives the chart's keys (chartKeys.ts), or undefined when its archive is not at hand
 * (nothing is checked then: the render names the missing archive).
 */
export function chartValueProblems(
  values: Record<string, Record<string, unknown> | undefined>,
  keysOf: (chart: string) => ChartKeys | undefined,
  project: string,
  /** Where each misspelt key is added with the key it means ({@link ChartKeyMeant}), when given. */
  meant?: ChartKeyMeant[],
  /** Where each key refused is added with its problem, when given. */
  refused?: RefusedOverride[],
): string[] {
  const out: string[] = [];
  for (const [chart, user] of Object.entries(values)) {
    const keys = user && Object.keys(user).length > 0 ? keysOf(chart) : undefined;
    if (!user || !keys) continue;
    const own = textsOf(user).join("\n");
    const pin = pinnedChart(chart);
    const refuse = (found: [ValuesPath, string][]) => {
      for (const [path, what] of found) {
        const problem = `${project}:${propertyPath("chartValues", [chart, ...path])}: ${what}`;
        out.push(problem);
        refused?.push({ problem, path: [chart, ...path.map(String)] });
      }
    };
    const conditionAt = (p: string[]) =>
      (keys.conditions ?? []).find((c) => c.path.length === p.length && c.path.every((k, i) => k === p[i]));
    const walk = (
      at: string[],
      given: Record<string, unknown>,
      level: KeyTree,
      kinds: KindTree | undefined,
    ) => {
      for (const [key, v] of Object.entries(given)) {
        const known = level[key];
        const kind = kinds?.[key];
        if (known !== undefined) {
          if (known !== 0 && isMap(v))
            walk([...at, key], v, known, typeof kind === "object" ? kind : undefined);
          else
            refuse(
              typeRefusals(keys, chart, [...at, key], v, () =>
                quotedProblem(kind, v, chart, conditionAt([...at, key]), [...at, key]),
              ),
            );
          continue;
        }
        // What the chart's schema says of the map the key is written in.
        const schemaHere = typeNodeAt(keys.types, at);
        // A key the schema names is the chart's though no template reads it: judged by what the
        // schema says of it, never refused as a key its closed map does not name.
        if (schemaHere?.keys?.[key]) {
          refuse(typeRefusals(keys, chart, [...at, key], v));
          continue;
        }
        if (new RegExp(`\\.Values(\\.\\w+)*\\.${key.replace(/[^\w]/g, "\\$&")}\\b`).test(own)) {
          // Read by a `tpl` text of the user's, so no slip Helm would ignore; but Helm judges the
          // values by the schema before any template renders, that text too: a map the schema
          // closes refuses it all the same (run, helm 3.17.3 over alertmanager 1.42.0:
          // `image.foo` read by `route.main.hostnames: ["{{ .Values.image.foo }}"]`, "image:
          // Additional property foo is not allowed"; a key of the open top level so read renders).
          refuse(
            schemaKeyRefusals(keys, chart, schemaHere, at, key, v).map(([p, what]) => [
              p,
              schemaHere?.closed ? `${what}${TPL_READ_CLOSED}` : what,
            ]),
          );
          continue;
        }
        const near = misspelling(key, Object.keys(level));
        // A key of the stack's own at the same path (`grafana.volumeSize`) written under the chart:
        // its name says which key was meant, however far it is from the chart's keys.
        const stackKey = near ? undefined : stackKeyOf(chart, [...at, key]);
        if (!near && !stackKey) {
          // No key of the chart's is meant: what its schema says of a key it does not name.
          refuse(otherKeyRefusals(schemaHere, chart, at, key, v));
          continue;
        }
        // Named as the stack file and `pulumi config set --path` name them: a key holding a dot
        // (`grafana.ini`) in brackets, where a dot would read as two keys.
        const named = (k: string) => propertyPath("chartValues", [chart, ...at, k]);
        // Renamed, the value is judged as the key meant: a quoted "false" there is the next refusal,
        // by the same rule a value at that key is (the chart's schema first: loki's refuses the text
        // at render, where template truth would say it turns the switch on).
        const mend = near
          ? (helmTypeProblem(keys, chart, [...at, near], v) ??
            quotedProblem(kinds?.[near], v, chart, conditionAt([...at, near]), [...at, near]))
          : undefined;
        const problem =
          `${project}:${named(key)}${UNKNOWN_KEY}${chart} chart ${pin?.version} (${schemaHere?.closed ? "its values.schema.json allows no other key there: Helm refuses the release at render" : "Helm would ignore it"}), ` +
          `expected a key its values.yaml or templates name (\`helm show values ${chart} --repo ${pin?.repo} --version ${pin?.version}\`), ` +
          `got ${JSON.stringify(key)}; did you mean ${near ? `${named(near)}?${mend ? `${RENAME_AND_MEND}${mend})` : ""}` : `${stackKey}? (a key of the stack's own, not of the chart's values: set it as ${project}:${stackKey})`}`;
        out.push(problem);
        refused?.push({ problem, path: [chart, ...at, key] });
        if (near) meant?.push({ problem, given: [chart, ...at, key], meant: [chart, ...at, near] });
      }
    };
    walk([], user, keys.values, keys.kinds);
  }
  return out;
}

/**
 * The stack's sections that stand for a chart: the one of its name (`grafana`, `loki`), and one
 * whose keys set values of that chart alone (config/stackKeyPaths.ts: `prometheus` for
 * kube-prometheus-stack; `storageClasses` sets several charts' and stands for none).
 */
function sectionsOf(chart: string): string[] {
  const charts = new Map<string, Set<string>>();
  for (const e of STACK_KEY_CHART_PATHS) {
    if (!("chart" in e)) continue;
    const section = e.key.slice(0, e.key.indexOf("."));
    charts.set(section, (charts.get(section) ?? new Set()).add(e.chart));
  }
  const own = [...charts].filter(([, of]) => of.size === 1 && of.has(chart)).map(([section]) => section);
  return [...new Set([chart, ...own])];
}

/** The stack key (`grafana.volumeSize`) at `path` under a section standing for `chart`, if the schema has one. */
function stackKeyOf(chart: string, path: readonly string[]): string | undefined {
  const key = sectionsOf(chart)
    .map((section) => [section, ...path])
    .find((p) => schemaAt(p) !== undefined);
  return key && propertyPath(key[0], key.slice(1));
}

/**
 * The `chartValues` path (`["chartValues", "grafana", "replicas"]`) that a stack key path under a
 * section standing for a chart ({@link sectionsOf}) means when, below the section, it is a key of
 * that chart's values, each key as written or the one it is a slip of ({@link misspelling}:
 * `grafana.replica`): chart values written as the stack's own key, which no rule reads. Undefined
 * when no chart at hand has it.
 */
export function chartValuePathOf(
  path: readonly string[],
  keysOf: (chart: string) => ChartKeys | undefined,
): { path: string[]; chart: string; version: string } | undefined {
  const [section, ...rest] = path;
  if (rest.length === 0) return undefined;
  for (const { chart, version } of Object.values(versions.charts)) {
    if (!sectionsOf(chart).includes(section)) continue;
    let level: KeyTree | 0 | undefined = keysOf(chart)?.values;
    const meant: string[] = [];
    for (const k of rest) {
      if (level === undefined || level === 0) break;
      const key: string | undefined = k in level ? k : misspelling(k, Object.keys(level));
      if (key === undefined) break;
      meant.push(key);
      level = level[key];
    }
    if (meant.length === rest.length) return { path: ["chartValues", chart, ...meant], chart, version };
  }
  return undefined;
}

/**
 * "; did you mean chartValues.<chart>.<path>? (…)" for an unknown stack key that is a chart's key
 * ({@link chartValuePathOf}: `grafana.replicas`, `grafana.replica`). "" when no chart at hand has it.
 */
export function chartValueKeyHint(
  path: readonly string[],
  keysOf: (chart: string) => ChartKeys | undefined,
  project: string,
  value?: unknown,
): string {
  const meant = chartValuePathOf(path, keysOf);
  if (!meant) return "";
  const [, chart, ...rest] = meant.path;
  const version = meant.version;
  // A chart value a stack key sets (`singleBinary.replicas` by loki.replicas, `persistence.size`
  // by grafana.volumeSize) is refused under chartValues as set in two places: that key is where
  // it goes, and a map holding one is moved without it.
  const setBy = stackKeysSetting(chart, rest).filter((e) => holds(value, e.path.slice(rest.length)));
  const exact = setBy.find((e) => e.path.length === rest.length);
  if (exact)
    return `; did you mean ${exact.key}? (${propertyPath(rest[0], rest.slice(1))} of the ${chart} chart ${version}'s values is what the stack key ${project}:${exact.key} sets: set it there)`;
  const but =
    setBy.length === 0
      ? ""
      : `, but for ${setBy.map((e) => `${propertyPath(e.path[0], e.path.slice(1))}, which the stack key ${e.key} sets`).join("; ")}: set that there`;
  return `; did you mean ${propertyPath(meant.path[0], meant.path.slice(1))}? (${propertyPath(rest[0], rest.slice(1))} is a key of the ${chart} chart ${version}'s values, not of the stack's ${path[0]}: a chart value goes under ${project}:chartValues.${chart}${but})`;
}

/** Whether `value` holds a key at `path` under it (any value at the empty path). */
const holds = (value: unknown, path: readonly string[]): boolean =>
  path.length === 0 || valueAt(value, [...path]) !== undefined;

/** The stack keys setting `chart`'s values at `path` or under it (config/stackKeyPaths.ts). */
function stackKeysSetting(
  chart: string,
  path: readonly string[],
): { key: string; path: readonly string[] }[] {
  return STACK_KEY_CHART_PATHS.filter(
    (e): e is Extract<(typeof STACK_KEY_CHART_PATHS)[number], { chart: string }> =>
      "chart" in e && e.chart === chart && path.every((k, i) => e.path[i] === k),
  );
}

/**
 * A misspelt `chartValues` key and the key its "did you mean" names, each as its path under
 * `chartValues` (`["loki", "loki", "limits_config", "retention_perod"]`), with the problem saying
 * so: the rules between keys read it as the key it means (config/judge.ts), as they read a misspelt
 * stack key, so what the rename alone would bring (the value then set twice) is said in this run.
 */
export interface ChartKeyMeant {
  problem: string;
  given: string[];
  meant: string[];
}

/*
 * Text where the chart's default is a boolean, and a quoted number where it is a number, are
 * refused (exit 2), as a misspelt key is: the override then does something else than it says
 * without a word from Helm. The stack file is YAML 1.2 to Pulumi (its CLI reads it with
 * gopkg.in/yaml.v3, which takes only true and false as booleans, and the program hands the text on
 * to Helm as text), so YAML 1.1's `no`, `off`, `yes` and `on` are text like a quoted `"false"` or
 * `"0"`. To `if` in a template any text but "" is true, so `persistence.enabled: no` keeps the
 * volume it was written to remove; where a chart's schema types the key, Helm refuses the text at
 * render instead, and the problem says that ({@link helmTypeProblem}). A
 * number read as text fails or misleads the template's arithmetic and comparisons (`gt`, `eq`).
 * Writing the boolean or number itself is always what was meant, so a refusal costs the user
 * nothing a warning would spare. A subchart's condition (`grafana.enabled` of
 * kube-prometheus-stack) is read by Helm, not by a template, and is refused with Helm's reason
 * ({@link helmReads}): there `""` leaves the subchart on.
 */

/**
 * The refusal of text `v` where the chart's default of `kind` is a boolean or a number
 * ({@link textScalar}), from "expected" on; undefined for any other value or kind. At a replica key
 * whose template prints a whole number's text unquoted (contract TEXT_REPLICAS), the object holds
 * the number: accepted (the fit check counts it, config/sizing.ts chartReplicas); so at any number
 * key where Helm was seen to render the text as the number (upstream/chartTextNumbers.ts).
 */
function quotedProblem(
  kind: KindTree[string] | undefined,
  v: unknown,
  chart: string,
  condition: ChartCondition | undefined,
  path: string[],
): string | undefined {
  if (typeof kind !== "string") return undefined;
  if (typeof v !== "string")
    return condition && kind === "boolean" ? conditionNotBoolean(v, chart, condition) : undefined;
  if (textReplicas(chart, path.join("."), v) !== undefined || chartTextIsNumber(chart, path, v))
    return undefined;
  const quoted = textScalar(kind, v, condition);
  return (
    quoted &&
    `${quoted.expected}, as the ${chart} chart ${pinnedChart(chart)?.version}'s default is (${quoted.hint}), ` +
      `got string ${JSON.stringify(v)}; ${quoted.why}`
  );
}

/**
 * The refusal of a value Helm refuses by its type before any template renders: one the chart's
 * values.schema.json does not allow at `path` (ChartKeys.types), or anything but a boolean at a
 * switch a template of a chart without a schema takes as one (contract ChartSwitch.boolOnly). Run,
 * helm 3.17.3: loki 18.11.0 with lokiCanary.enabled 0, 1, "" or "false" ("Invalid type. Expected:
 * boolean, given: integer"); prometheus-node-exporter 4.49.1 with kubeRBACProxy.enabled the same
 * ("wrong type for value; expected bool"); victoria-metrics-k8s-stack 0.80.0 and
 * kube-prometheus-stack 88.0.0 have neither, and render their switches (vmsingle.enabled,
 * vmcluster.enabled and its parts', prometheus.enabled) with each of those by Go template truth.
 * The schema's type is judged at a map's own key too: loki 18.11.0 `read.podDisruptionBudget: 5`,
 * "read.podDisruptionBudget: Invalid type. Expected: object, given: integer" (run, helm 3.17.3:
 * Helm's coalesce keeps a scalar given for a map, with a warning, and validates it).
 * A null in a map is not judged here, whether Helm sees it depending on the program's own values:
 * where they hold the key, the merge deletes it (builders/chartValues.ts mergeValues); elsewhere it
 * reaches Helm, and the program judges it once those values are known ({@link helmNullProblems},
 * apply/program.ts). A null in a list always reaches Helm, and is judged ({@link itemRefusals}).
 */
function helmTypeProblem(keys: ChartKeys, chart: string, path: string[], v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  const node = typeNodeAt(keys.types, path);
  const bool = node?.type
    ? undefined
    : boolOnlySwitches(chart).find((s) => s.path.join(".") === path.join("."));
  if (bool)
    return typeProblem(["boolean"], v, `the ${chart} chart ${pinnedChart(chart)?.version}'s ${bool.why}`);
  return node && schemaValueProblem(node, v, chart);
}

/**
 * The refusal of the value `v` itself by what the chart's schema says of it at one place (`node`):
 * its type, then its `enum`, bounds and `pattern`, from "expected" on; undefined when it passes
 * them (what it holds is judged apart). Run, helm 3.17.3 over alertmanager 1.42.0:
 * `image.pullPolicy: Alway` "image.pullPolicy must be one of the following: "Never",
 * "IfNotPresent", "Always"", `replicaCount: -1` "Must be greater than or equal to 0",
 * `config.route.group_by: ["5"]` "Does not match pattern ...". The pattern is Go's RE2 (gojsonschema
 * compiles it with regexp.MustCompile) and matches anywhere in the text unless anchored; one
 * {@link goPattern} cannot write as JavaScript is not judged.
 */
function schemaValueProblem(node: TypeTree, v: unknown, chart: string): string | undefined {
  const typed = node.type && schemaTypeProblem(node.type, v, chart);
  if (typed) return typed;
  const by = (what: string) => schemaSays(chart, what);
  if (node.enum && (v === null || typeof v !== "object") && !node.enum.some((o) => o === v)) {
    const options = node.enum.map((o) => JSON.stringify(o));
    const texts = node.enum.filter((o): o is string => typeof o === "string");
    return `expected one of ${options.join(", ")} (${by(node.enum.length > 1 ? "allows only these" : "allows only this")}), got ${foundWords(v)}${typeof v === "string" ? didYouMean(v, texts) : ""}`;
  }
  if (typeof v === "number" && node.minimum !== undefined && v < node.minimum)
    return `expected a number of at least ${node.minimum} (${by(`sets the minimum ${node.minimum}`)}), got the number ${v}`;
  if (typeof v === "number" && node.maximum !== undefined && v > node.maximum)
    return `expected a number of at most ${node.maximum} (${by(`sets the maximum ${node.maximum}`)}), got the number ${v}`;
  if (typeof v === "string" && node.pattern !== undefined && goPattern(node.pattern)?.test(v) === false)
    return `expected text matching the pattern ${node.pattern} (${by("sets that pattern")}), got ${foundWords(v)}`;
  return undefined;
}

/** Why a value is refused by what the chart's schema says at its place: `what` it says, and Helm's refusal. */
const schemaSays = (chart: string, what: string): string =>
  `the ${chart} chart ${pinnedChart(chart)?.version}'s values.schema.json ${what} there: Helm refuses the release at render`;

/**
 * A schema's `pattern` (Go RE2 syntax) as a JavaScript expression that matches the same text, or
 * undefined where this cannot say so (then it is not judged, and Helm judges it at render). Go's
 * `.` is any character but a newline and `\s` is `[\t\n\f\r ]` (regexp/syntax/doc.go:19,118-119,
 * go1.26.8 here; helm 3.17.3 is built with go1.23.7), where JavaScript's `.` stops at \r, U+2028
 * and U+2029 too and its `\s` takes \v and Unicode spaces: alertmanager 1.42.0's `^...$`
 * (config.route.group_by) matches "a\rb" in Go, which helm 3.17.3 renders. So a `.` outside a
 * class is written `[^\n]`; `\s`, `\S`, a flag group (`(?s)`) and a class opening with `]`
 * (a literal in Go) are not judged.
 */
function goPattern(source: string): RegExp | undefined {
  if (/\\[sS]|\(\?[-a-zA-Z]|\[\^?\]/.test(source.replace(/\\\\/g, ""))) return undefined;
  let out = "";
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === "\\") {
      out += source.slice(i, i + 2);
      i++;
    } else if (inClass) {
      inClass = c !== "]";
      out += c;
    } else {
      inClass = c === "[";
      out += c === "." ? "[^\\n]" : c;
    }
  }
  try {
    return new RegExp(out, "u");
  } catch {
    return undefined;
  }
}

/**
 * The refusal of key `key` in a map the chart's schema closes (`additionalProperties: false`,
 * `node`), from "expected" on: run, helm 3.17.3, alertmanager 1.42.0 `image: {foo: x}` "image:
 * Additional property foo is not allowed".
 */
function closedKeyProblem(node: TypeTree, key: string, chart: string): string {
  const allowed = Object.keys(node.keys ?? {});
  const by = schemaSays(chart, "allows no other key");
  return `expected ${allowed.length > 0 ? `one of the keys ${allowed.join(", ")}` : "no key"} (${by}), got ${JSON.stringify(key)}${didYouMean(key, allowed)}`;
}

/**
 * The refusals of the key `key` (value `v`) of a map at `path` that the schema's `node` does not
 * name: judged by the schema's `additionalProperties` (an item's rules: {@link itemRefusals}), or
 * refused where it allows no other key; none where it says neither. A null is left to
 * {@link helmNullProblems}, which knows whether it reaches Helm.
 */
function otherKeyRefusals(
  node: TypeTree | undefined,
  chart: string,
  path: ValuesPath,
  key: string,
  v: unknown,
): [ValuesPath, string][] {
  if (node?.others) return v === null ? [] : itemRefusals(node.others, chart, [...path, key], v);
  if (node?.closed) return [[[...path, key], closedKeyProblem(node, key, chart)]];
  return [];
}

/** The refusal of `v` where the chart's schema allows only `allowed`, from "expected" on; undefined when it is one of them. */
function schemaTypeProblem(allowed: string[], v: unknown, chart: string): string | undefined {
  const by = `the ${chart} chart ${pinnedChart(chart)?.version}'s values.schema.json allows only ${allowed.map(typeWords).join(" or ")} there`;
  return typeProblem(allowed, v, by);
}

/** The refusal of `v` where `by` allows only `allowed`, from "expected" on; undefined when it is one of them. */
function typeProblem(allowed: string[], v: unknown, by: string): string | undefined {
  if (allowed.some((t) => isOfType(t, v))) return undefined;
  return `expected ${allowed.map(typeWords).join(" or ")} (${by}: Helm refuses the release at render), got ${foundWords(v)}${typeHint(allowed, v)}`;
}

/** What a chart's schema says at `path` of its values ({@link TypeTree}), or undefined where it says nothing. */
function typeNodeAt(types: TypeTree | undefined, path: readonly (string | number)[]): TypeTree | undefined {
  let node: TypeTree | undefined = types;
  for (const k of path) node = node?.keys?.[k];
  return node;
}

/** A path under a chart's values, a list's item by its index. */
type ValuesPath = (string | number)[];

/**
 * The refusals of the value `v` at `path`, a key the walk of the chart's keys goes no deeper in:
 * its own ({@link helmTypeProblem}, else `quoted`), or, where it has none, those of what it holds
 * that the schema says something of: a map's keys, which Helm validates even where the chart's
 * values.yaml leaves the map to the user (loki 18.11.0 `read.podDisruptionBudget.enabled: 0`,
 * "Invalid type. Expected: boolean, given: integer", run, helm 3.17.3), and a list's items
 * ({@link itemRefusals}).
 */
function typeRefusals(
  keys: ChartKeys,
  chart: string,
  path: ValuesPath,
  v: unknown,
  quoted: () => string | undefined = () => undefined,
): [ValuesPath, string][] {
  const own = helmTypeProblem(keys, chart, path.map(String), v) ?? quoted();
  if (own) return [[path, own]];
  const node = typeNodeAt(keys.types, path);
  if (Array.isArray(v))
    return node?.items ? v.flatMap((item, i) => itemRefusals(node.items!, chart, [...path, i], item)) : [];
  if (!isMap(v) || node === undefined) return [];
  return Object.entries(v).flatMap(([k, w]) => schemaKeyRefusals(keys, chart, node, path, k, w));
}

/**
 * The refusals of key `key` (value `v`) of the map at `path`, of which the chart's schema says
 * `node`: by what it says of that key where it names it, else by its `additionalProperties`.
 */
function schemaKeyRefusals(
  keys: ChartKeys,
  chart: string,
  node: TypeTree | undefined,
  path: ValuesPath,
  key: string,
  v: unknown,
): [ValuesPath, string][] {
  return node?.keys?.[key] || !(node?.others || node?.closed)
    ? typeRefusals(keys, chart, [...path, key], v)
    : otherKeyRefusals(node, chart, path, key, v);
}

/** Said of a key a closed map refuses that a `tpl` text of the user's values reads. */
const TPL_READ_CLOSED =
  "; that a tpl text of your values reads it does not keep it: Helm judges the values by the schema before any template renders";

/**
 * The refusals of a list's item `v` at `path` by what the schema says of each item (`node`): its
 * type, a null's too, and a map's required keys, then the same of its keys and items below. Helm
 * coalesces no default into a list (a list given replaces the chart's whole: helm.sh/helm/v3
 * v3.17.3 pkg/chartutil/coalesce.go coalesceTablesFullKey merges maps alone), so what the item
 * holds is what Helm validates: run, helm 3.17.3, loki 18.11.0 `gateway.ingress.hosts: [{host: 5}]`
 * "gateway.ingress.hosts.0.host: Invalid type. Expected: string, given: integer", `[{host: null}]`
 * "... given: null"; alertmanager 1.42.0 `config.receivers: [{webhook_configs: []}]`
 * "config.receivers.0: name is required", `[{name: null}]` "config.receivers.0.name: Invalid type.
 * Expected: string, given: null" (a key given null is there: only its type is judged).
 */
function itemRefusals(node: TypeTree, chart: string, path: ValuesPath, v: unknown): [ValuesPath, string][] {
  const own = schemaValueProblem(node, v, chart);
  if (own) return [[path, own]];
  if (Array.isArray(v))
    return node.items ? v.flatMap((item, i) => itemRefusals(node.items!, chart, [...path, i], item)) : [];
  if (!isMap(v)) return [];
  const missing = (node.required ?? []).filter((k) => !(k in v));
  const version = pinnedChart(chart)?.version;
  const held = Object.keys(v);
  return [
    ...(missing.length > 0
      ? [
          [
            path,
            `expected a map with the key${missing.length > 1 ? "s" : ""} ${missing.join(" and ")} (the ${chart} chart ${version}'s values.schema.json requires ${missing.length > 1 ? "them" : "it"} there: Helm refuses the release at render), got a map ${held.length > 0 ? `with ${held.join(", ")} alone` : "with no key"}`,
          ] as [ValuesPath, string],
        ]
      : []),
    ...Object.entries(v).flatMap(([k, w]) => {
      const below = node.keys?.[k];
      return below ? itemRefusals(below, chart, [...path, k], w) : otherKeyRefusals(node, chart, path, k, w);
    }),
  ];
}

/**
 * The refusals of the nulls a release's values hand Helm from the user's override (`values`, the
 * program's own merged with `override`: builders/chartValues.ts mergeValues deletes a key the
 * program's values hold, so a null reaches Helm only inside a map the program does not write),
 * by what Helm 3.17.3 then does: a null for a key the chart's values.yaml holds is deleted with
 * the chart's default ({@link TypeTree.held}), and refused where the schema requires the key; a
 * null for a key it lacks stays, and is refused where the schema's type has no null. Run, helm
 * 3.17.3 through the offline synthesis of the staging stack: alertmanager 1.42.0
 * `service: {port: null}` "service: port is required", `serviceAccount: {create: null}` "serviceAccount:
 * create is required", `dnsConfig: {nameservers: null}` "dnsConfig.nameservers: Invalid type.
 * Expected: array, given: null"; `image: null` and `replicaCount: null`, keys the program writes,
 * render with the chart's defaults. A null whose deletion a template then trips on (loki 18.11.0
 * `loki.storage: null`, "Please define loki.storage.bucketNames.chunks", templates/monolithic/workload.yaml:7)
 * is the render's to say, with the override's line: no schema says it.
 */
export function helmNullProblems(
  chart: string,
  values: Record<string, unknown>,
  override: Record<string, unknown>,
  keys: ChartKeys,
  project: string,
  refused?: RefusedOverride[],
): string[] {
  const out: string[] = [];
  const version = pinnedChart(chart)?.version;
  const walk = (at: string[], given: Record<string, unknown>, node: TypeTree) => {
    for (const [k, v] of Object.entries(given)) {
      const path = [...at, k];
      // A key the schema does not name is judged by its `additionalProperties`, never held.
      const below = node.keys?.[k] ?? node.others;
      if (isMap(v)) {
        if (below) walk(path, v, below);
        continue;
      }
      if (v !== null || valueAt(override, path) !== null) continue;
      const problem = below?.held
        ? node.required?.includes(k) &&
          `expected ${below.type?.map(typeWords).join(" or ") ?? "a value"} (the ${chart} chart ${version}'s values.schema.json requires ${propertyPath(path[0], path.slice(1))}, and Helm deletes a key given null, the chart's default with it: Helm refuses the release at render), got null; remove the key to keep the chart's default`
        : below?.type &&
          !below.type.includes("null") &&
          `${schemaTypeProblem(below.type, null, chart)}; remove the key, or give ${below.type.map(typeWords).join(" or ")}`;
      if (!problem) continue;
      const said = `${project}:${propertyPath("chartValues", [chart, ...path])}: ${problem}`;
      out.push(said);
      refused?.push({ problem: said, path: [chart, ...path] });
    }
  };
  if (keys.types) walk([], values, keys.types);
  return out;
}

/** Whether `v` is of JSON Schema type `t` (an integer is a number too). */
function isOfType(t: string, v: unknown): boolean {
  switch (t) {
    case "boolean":
      return typeof v === "boolean";
    case "integer":
      return typeof v === "number" && Number.isInteger(v);
    case "number":
      return typeof v === "number";
    case "string":
      return typeof v === "string";
    case "array":
      return Array.isArray(v);
    case "object":
      return isMap(v);
    case "null":
      return v === null;
    default:
      // A type this reading does not know: not judged.
      return true;
  }
}

/** A JSON Schema type as the problem says it. */
const typeWords = (t: string): string =>
  ({
    boolean: "true or false",
    integer: "a whole number",
    number: "a number",
    string: "text",
    array: "a list",
    object: "a map",
    null: "null",
  })[t] ?? t;

/** A value as the problem says what was found. */
function foundWords(v: unknown): string {
  if (typeof v === "string") return `string ${JSON.stringify(v)}`;
  if (typeof v === "number") return `the number ${v}`;
  if (Array.isArray(v)) return "a list";
  return isMap(v) ? "a map" : String(v);
}

/** The value meant, where the one found says it: `write false` for 0, `drop the quotes: 5` for "5". */
function typeHint(allowed: string[], v: unknown): string {
  if (allowed.includes("boolean")) {
    if (typeof v === "string") {
      // `off` unquoted: YAML 1.1's false, text to Pulumi (YAML 1.2), said as textScalar says it.
      const word = v.trim();
      const meant = YAML11_BOOLEANS.get(word);
      const read =
        meant === undefined
          ? ""
          : `; YAML 1.2, as Pulumi reads the stack file, takes ${word} as text, not as ${meant} (YAML 1.1 did)`;
      return `; ${textScalar("boolean", v)!.hint}${read}`;
    }
    if (v === 0 || v === 1) return `; write ${v === 1}`;
    return "; write true or false";
  }
  // Text written unquoted as a number or a boolean (`host: 5`): YAML reads it as that.
  if (allowed.includes("string") && (typeof v === "number" || typeof v === "boolean"))
    return `; write it in quotes: "${v}"`;
  const numeric = allowed.find((t) => t === "integer" || t === "number");
  if (numeric && typeof v === "string") {
    const n = Number(v);
    if (v.trim() !== "" && Number.isFinite(n) && (numeric === "number" || Number.isInteger(n)))
      return `; drop the quotes: ${v.trim()}`;
  }
  return "";
}

/**
 * The refusal of a number or null in a subchart's condition, which Helm passes over as it passes
 * over text ({@link helmReads}): run, `helm template` of kube-prometheus-stack 88.0.0 with
 * grafana.enabled 0, 1 or null renders the grafana subchart and warns "returned non-bool value".
 * Where only templates read a boolean, `if` takes 0 and 1 as false and true and null as false (the
 * default deleted), what they say: those are kept (test/config/chartConditionNonText.test.ts).
 */
function conditionNotBoolean(v: unknown, chart: string, condition: ChartCondition): string | undefined {
  if (typeof v !== "number" && v !== null) return undefined;
  // Removing the key is no way back to the chart's default: the program's own value, if it sets
  // one (kube-prometheus-stack grafana.enabled false, builders/metrics/kpsValues.ts), then stands.
  const hint = v === 0 || v === 1 ? `write ${v === 1}` : "write true or false";
  const found = v === null ? "null" : `the number ${v}`;
  return `expected true or false, as the ${chart} chart ${pinnedChart(chart)?.version}'s default is (${hint}), got ${found}; ${helmReads(condition, String(v), String(v))}`;
}

/** YAML 1.1's words for true and false, each in its three cases: text in YAML 1.2 (yaml.v3 resolve.go). */
const YAML11_BOOLEANS = new Map<string, boolean>(
  (
    [
      ["y", true],
      ["yes", true],
      ["on", true],
      ["n", false],
      ["no", false],
      ["off", false],
    ] as const
  ).flatMap(([w, b]) => [w, w[0].toUpperCase() + w.slice(1), w.toUpperCase()].map((f) => [f, b] as const)),
);

/**
 * What a text value is told where the chart's default is of `kind`, or undefined when the text is
 * fine there: for a boolean any text (the value meant, when the text says one, written as YAML
 * reads a boolean), for a number the text of one.
 */
function textScalar(
  kind: "boolean" | "number",
  v: string,
  condition?: ChartCondition,
): { expected: string; hint: string; why: string } | undefined {
  if (kind === "number")
    return v.trim() !== "" && Number.isFinite(Number(v))
      ? {
          expected: "expected a number",
          hint: `drop the quotes: ${v.trim()}`,
          why: "the chart's templates would read text, not a number",
        }
      : undefined;
  const word = v.trim();
  const lower = word.toLowerCase();
  const meant =
    lower === "true" || word === "1"
      ? true
      : lower === "false" || word === "0"
        ? false
        : YAML11_BOOLEANS.get(word);
  const hint =
    meant === undefined
      ? "write true or false, without quotes"
      : word === String(meant)
        ? `drop the quotes: ${meant}`
        : `write ${meant}, without quotes`;
  const read =
    meant !== undefined && YAML11_BOOLEANS.has(word)
      ? `YAML 1.2, as Pulumi reads the stack file, takes ${word} as text, not as ${meant} (YAML 1.1 did), and `
      : "";
  return {
    expected: "expected true or false",
    hint,
    why: read + (condition ? helmReads(condition, v) : templatesRead(v, meant)),
  };
}

/** Why text is refused where a template reads the boolean: `meant`, the boolean the text says. */
const templatesRead = (v: string, meant: boolean | undefined) =>
  `to the chart's templates any text but "" is true` +
  (meant === false ? `, so ${JSON.stringify(v)} would turn it on` : "");

/**
 * Why text is refused in a subchart's `condition`: Helm reads it, not a template, and takes only
 * a boolean; any other value it passes over with a warning ("returned non-bool value"), and the
 * subchart stays on unless another of its condition's paths, or a tag, turns it off
 * (helm.sh/helm/v3 v3.17.3 pkg/chartutil/dependencies.go:56-63, 165-175). Run: `helm template` of
 * kube-prometheus-stack 88.0.0 renders its grafana subchart's 12 objects with grafana.enabled "",
 * "false", 0 or null, none with false; victoria-metrics-k8s-stack 0.80.0 its kube-state-metrics
 * with "" and "false". So `""`, false to a template, does not leave the subchart out.
 */
function helmReads(condition: ChartCondition, v: string, shown = JSON.stringify(v)): string {
  const key = condition.path.join(".");
  const sub = `the ${condition.subchart} subchart`;
  // A subchart's own dependency is read only while that subchart renders (ChartCondition.within):
  // loki 18.11.0's rollout_operator.crds.enabled, with rollout_operator off, renders nothing and warns of nothing.
  const { within } = condition;
  const reads = `${within ? `while the ${within} subchart renders, ` : ""}Helm reads ${key} as`;
  const file = `(the ${within ? `${within} subchart` : "chart"}'s Chart.yaml dependencies)`;
  return condition.alone
    ? `${reads} ${sub}'s condition ${file}, takes only true or false there and passes over any other value with a warning, rendering the subchart: ${shown} would not leave it out`
    : `${reads} one of ${sub}'s conditions ${file}, takes only true or false there and passes over any other value with a warning`;
}

/**
 * The key of `known` that `key` is a misspelling of: at most one edit away (a letter added,
 * dropped or changed, or two neighbours swapped: config/errors.ts' distance, which ignores case, so a key
 * that differs only in case, which Helm would not read, is named with the one meant), two when
 * both are at least {@link LONG_KEY} letters long. A looser rule (a third of the letters) sent
 * `containerSecurityContext` to `podSecurityContext`, a key of another scope six edits away.
 */
export function misspelling(key: string, known: readonly string[]): string | undefined {
  const { best, distance } = nearest(key, known);
  if (best === undefined) return undefined;
  const allowed = Math.min(key.length, best.length) >= LONG_KEY ? 2 : 1;
  return distance <= allowed ? best : undefined;
}

/** The length from which a key may be two edits from the one meant (`serviceAccountName`). */
const LONG_KEY = 12;

/**
 * Said once when charts with `chartValues` keys had no archive at hand (`--no-render` with an
 * empty chart cache): their keys went unchecked, which silence would pass off as checked.
 */
export const uncheckedChartsNote = (charts: readonly string[]) =>
  `chartValues keys not checked (no chart archive in the chart cache, HOMELAB_CHART_CACHE): ${charts.join(", ")}`;

/** What a misspelt key's problem says after its key: {@link CHART_KEY_NOTE} is said under those alone. */
export const UNKNOWN_KEY = ": unknown key of the ";

/** Said once under the chart keys reported: the way to keep a key the chart itself does not read. */
export const CHART_KEY_NOTE =
  "(a chartValues key the chart does not read is kept when your own templated values read it, in a map the chart's values.schema.json does not close: name it in them as .Values.<key>)";

/**
 * The stack's `chartValues` (`values`, as the stack file sets it) without each override at `paths`
 * (a refusal's, config/errors.ts ConfigError.overrides: key paths under `chartValues`, the chart first), and
 * `removed`, those keys as the problems write them, in order; undefined when the stack sets none
 * of them. The rest of the stack is judged without them in the same run (cli/synthRun.ts): one
 * refused override hid every problem only the rendered objects show. A key inside a list takes the
 * list with it (an item's index says nothing once another item goes), and a map left empty goes too.
 */
export function withoutRefusedOverrides(
  values: unknown,
  paths: readonly (readonly string[])[],
): { values: Record<string, unknown>; removed: string[] } | undefined {
  if (!isMap(values)) return undefined;
  const kept = structuredClone(values);
  const removed: string[] = [];
  for (const refused of paths) {
    // Cut at the first list on the way: the key that holds it goes.
    const inList = refused.findIndex((_, i) => Array.isArray(valueAt(kept, refused.slice(0, i))));
    const path = inList < 0 ? [...refused] : refused.slice(0, inList);
    if (path.length === 0 || valueAt(kept, path) === undefined) continue;
    removed.push(propertyPath("chartValues", path));
    for (let at = path.length; at > 0; at--) {
      const holder = valueAt(kept, path.slice(0, at - 1));
      const value = isMap(holder) ? holder[path[at - 1]] : undefined;
      if (!isMap(holder) || (at < path.length && !(isMap(value) && Object.keys(value).length === 0))) break;
      delete holder[path[at - 1]];
    }
  }
  return removed.length > 0 ? { values: kept, removed } : undefined;
}
