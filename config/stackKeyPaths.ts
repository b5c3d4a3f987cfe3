import { isMap, propertyPath } from "./tree";
import { PROJECT, SIZE_EXPECTED } from "./schema";
import type { RefusedOverride } from "./errors";

/*
 * Where a stack key's value lands in its chart's values, or in an object the program writes
 * itself: one table, read by the builders that put the value there (builders/logging/lokiValues.ts
 * and lokiModes.ts, builders/metrics/kpsValues.ts, vmValues.ts and mimirValues.ts,
 * builders/grafana/grafanaValues.ts, through {@link withStackKeys}), by the config check that
 * refuses a `chartValues` override of the same value ({@link sameSettingProblems}) and by the
 * change check that names the key behind a refused claim change (change/claimCause.ts). It lives
 * in config/ because config may not import builders (docs/explanation/architecture.md, Layout).
 */

/** Where a key's value goes; a path's steps are map keys, and list indexes as their digits (`claims.0.size`). */
interface Placement {
  /** The stack-config key (`loki.replicas`). */
  key: string;
  path: readonly string[];
  /**
   * How many leading steps of `path` the build must have made (maps, or a list's item) for the
   * value to go there. Default 1, the top-level section: a value is placed only where that part
   * renders (a Distributed component's claim exists only in Distributed mode, and the chart still
   * gets the component's `replicas: 0` in the others).
   */
  made?: number;
  /**
   * The program always sets this value, from the key or, where the file leaves the key out, from
   * its default or what other keys work out, and judges the stack by it (loki.mode: the keys read,
   * the sizing, the change check): an override of it is refused even where the file does not write
   * the key, the one exception to "an override of a key left to its default passes"
   * (docs/how-to/chart-values.md).
   */
  judged?: true;
}
/** One chart value a stack key sets: the chart (its name in model/versions.ts) and the path in its values. */
export interface ChartKeyPath extends Placement {
  chart: string;
}
/**
 * One field a stack key sets in an object the program writes itself, with no chart between
 * (Mimir's StatefulSets, components/metrics/mimir.ts): `<Kind>/<name>` and the path in the object.
 */
export interface ObjectKeyPath extends Placement {
  object: string;
}
export type StackKeyPath = ChartKeyPath | ObjectKeyPath;

/** Where a claim template's size and class sit in a StatefulSet (builders/core/claim.ts claimSpec). */
const CLAIM_TEMPLATE = ["spec", "volumeClaimTemplates", "0", "spec"] as const;

/** Mimir's StatefulSets by group, as `<Kind>/<name>` (model/services.ts mimirName). */
export const MIMIR_STATEFUL_SETS = {
  all: "StatefulSet/mimir",
  write: "StatefulSet/mimir-write",
  backend: "StatefulSet/mimir-backend",
} as const;

/**
 * The chart values the stack's keys set. A path under a top-level section the build does not
 * render (`vmcluster` on a single-node VictoriaMetrics) is left out of those values
 * ({@link withStackKeys}).
 */
export const STACK_KEY_CHART_PATHS = [
  // The mode decides which targets render, which keys the stack reads and how the change check
  // judges an update (change/lokiMode.ts): a `chartValues.loki.deploymentMode` would run another
  // mode than the stack file says. A top-level plain value: nothing on the way is made (`made: 0`).
  { key: "loki.mode", chart: "loki", path: ["deploymentMode"], made: 0, judged: true },
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
  // Distributed mode: the components with a claim (config/sizing.ts LOKI_DISTRIBUTED_CLAIMS); the
  // chart takes the ingester's and compactor's from `persistence.claims` (loki 18.11.0
  // templates/ingester/statefulset-ingester.yaml, compactor/statefulset-compactor.yaml), the
  // others' from `persistence.size`. Only where the build made the claim: in the other modes each
  // component is `replicas: 0` alone.
  { key: "loki.volumeSize", chart: "loki", path: ["ingester", "persistence", "size"], made: 2 },
  {
    key: "loki.volumeSize",
    chart: "loki",
    path: ["ingester", "persistence", "claims", "0", "size"],
    made: 4,
  },
  { key: "loki.volumeSize", chart: "loki", path: ["indexGateway", "persistence", "size"], made: 2 },
  { key: "loki.volumeSize", chart: "loki", path: ["compactor", "persistence", "size"], made: 2 },
  {
    key: "loki.volumeSize",
    chart: "loki",
    path: ["compactor", "persistence", "claims", "0", "size"],
    made: 4,
  },
  { key: "loki.volumeSize", chart: "loki", path: ["ruler", "persistence", "size"], made: 2 },
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
  // Mimir's claims: monolithic Mimir's size is mimir.volumeSize; the scaled-out groups' sizes are
  // the program's, from the declared workload (config/sizing.ts mimirReadWriteShape), so no key's.
  // Every group's class is storageClasses.metrics (plan/metrics.ts).
  {
    key: "mimir.volumeSize",
    object: MIMIR_STATEFUL_SETS.all,
    path: [...CLAIM_TEMPLATE, "resources", "requests", "storage"],
    made: 3,
  },
  {
    key: "storageClasses.metrics",
    object: MIMIR_STATEFUL_SETS.all,
    path: [...CLAIM_TEMPLATE, "storageClassName"],
    made: 3,
  },
  {
    key: "storageClasses.metrics",
    object: MIMIR_STATEFUL_SETS.write,
    path: [...CLAIM_TEMPLATE, "storageClassName"],
    made: 3,
  },
  {
    key: "storageClasses.metrics",
    object: MIMIR_STATEFUL_SETS.backend,
    path: [...CLAIM_TEMPLATE, "storageClassName"],
    made: 3,
  },
] as const satisfies readonly StackKeyPath[];

type Entry = (typeof STACK_KEY_CHART_PATHS)[number];
/** What a row places into: its chart, or its object (`StatefulSet/mimir`). */
type TargetOf<E> = E extends { chart: infer C } ? C : E extends { object: infer O } ? O : never;
/** The charts and objects the table places values into. */
export type StackKeyTarget = TargetOf<Entry>;
/** The stack keys whose values land in `target`'s values (a chart) or fields (an object). */
export type StackKeysOf<C extends string> = Extract<Entry, { chart: C } | { object: C }>["key"];

/** What a row places into. */
export const targetOf = (e: StackKeyPath): string => ("chart" in e ? e.chart : e.object);

/**
 * `values` with each stack key's value of `target` (a chart, or an object such as
 * `StatefulSet/mimir`) at its paths: how the builders put them there, so the table is the one
 * place that says where. `given` must name every key of the target (the type says so), the value
 * the build derived from it (`loki.write` is 0 where SimpleScalable does not run). A path is
 * skipped where `values` lacks the part its row says the build makes (`made`): not rendered.
 */
export function withStackKeys<C extends StackKeyTarget>(
  target: C,
  values: Record<string, unknown>,
  given: Record<StackKeysOf<C>, unknown>,
): Record<string, unknown> {
  let out = values;
  for (const e of STACK_KEY_CHART_PATHS as readonly StackKeyPath[]) {
    if (targetOf(e) !== target || !madeAt(out, e.path.slice(0, e.made ?? 1))) continue;
    out = placed(out, e.path, (given as Record<string, unknown>)[e.key]) as Record<string, unknown>;
  }
  return out;
}

/** Whether each step of `path` leads to a map or a list in `tree`. */
function madeAt(tree: unknown, path: readonly string[]): boolean {
  let v = tree;
  for (const step of path) {
    if (!isMap(v) && !Array.isArray(v)) return false;
    v = (v as Record<string, unknown>)[step];
    if (!isMap(v) && !Array.isArray(v)) return false;
  }
  return true;
}

/** `tree` with `value` at `path`, the maps and lists on the way copied (a shared one stays as it was). */
function placed(tree: unknown, path: readonly string[], value: unknown): unknown {
  const [head, ...rest] = path;
  const below = (t: unknown) =>
    isMap(t) || Array.isArray(t) ? (t as Record<string, unknown>)[head] : undefined;
  const next = rest.length === 0 ? value : placed(below(tree) ?? {}, rest, value);
  if (Array.isArray(tree)) return tree.map((item, i) => (String(i) === head ? next : item));
  return { ...(isMap(tree) ? tree : {}), [head]: next };
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
 * (docs/how-to/chart-values.md) and pass, as does one of a key the file leaves to its default,
 * except a `judged` key's. `raw` is what the stack file sets; `unread` the keys already refused as
 * unread (their chart value is not theirs: a mode not run renders 0 pods); `placeOf` gives a key's
 * `file:line`, when the file holds it; `worked` a judged key's value where the file leaves it out,
 * with the key that decided it when one did (`workload.logsPerDay` for loki.mode). Each is
 * returned with the override it refuses (its path under `chartValues`), the one its hint says to
 * remove.
 */
export function sameSettingProblems(
  raw: Record<string, unknown>,
  unread: readonly string[],
  placeOf: (key: string) => string | undefined = () => undefined,
  worked: (key: string) => WorkedValue | undefined = () => undefined,
): RefusedOverride[] {
  const out: RefusedOverride[] = [];
  const charts = isMap(raw.chartValues) ? raw.chartValues : {};
  const at = (k: string) => (placeOf(k) ? ` (${placeOf(k)})` : "");
  for (const e of STACK_KEY_CHART_PATHS as readonly StackKeyPath[]) {
    // An object the program writes itself takes no chartValues override.
    if (!("chart" in e)) continue;
    const [section, name] = e.key.split(".");
    const own = isMap(raw[section]) ? raw[section][name] : undefined;
    const derived = own === undefined && e.judged ? worked(e.key) : undefined;
    if (own === undefined && !derived) continue;
    if (unread.some((u) => e.key === u || e.key.startsWith(`${u}.`))) continue;
    const override = overrideAt(charts[e.chart], e.path);
    if (!override) continue;
    const key = propertyPath("chartValues", [e.chart, ...override.at]);
    const set = `${key}: ${JSON.stringify(override.value)}${at(key)}`;
    // The same value the program sets: a repeat, not a second mode, and said as one.
    const repeats = derived !== undefined && JSON.stringify(derived.value) === JSON.stringify(override.value);
    const unsetKey = `expected the ${e.chart} chart's ${e.path.join(".")} set in one place (set it with ${e.key}), got ${set}`;
    out.push({
      problem: repeats
        ? `${PROJECT}:${e.key}: ${unsetKey}, which repeats what the program sets from ${e.key} (not set in the stack file: ${derived.by ? `${derived.by}${at(derived.by)} decides it` : "its default"}); ` +
          `remove ${key}, or set ${e.key}: ${JSON.stringify(override.value)} to keep it in one place`
        : derived
          ? `${PROJECT}:${e.key}: ${unsetKey} while ${e.key}, not set in the stack file, is ${JSON.stringify(derived.value)}, ` +
            `${derived.by ? `which ${derived.by}${at(derived.by)} decides` : "its default"}; the program sets ${e.path.join(".")} from ${e.key} and judges the stack by that value, ` +
            `so the override, merged last, would run what no check judged; remove ${key} (${e.key} sets it)`
          : `${PROJECT}:${e.key}: expected the ${e.chart} chart's ${e.path.join(".")} set in one place (set it once: ${e.key}), ` +
            `got it set twice: ${e.key}: ${JSON.stringify(own)}${at(e.key)} and ${set}, ` +
            `where the override, merged last, would win and ${e.key} do nothing; remove ${key}`,
      path: [e.chart, ...override.at],
      // The key the file leaves out has no line: the override's is the one to edit.
      ...(derived ? { placeAt: key } : {}),
    });
  }
  return out;
}

/**
 * A claim's size a `chartValues` override writes as a bare number where a stack key's volume size
 * goes (`chartValues.grafana.persistence.size: 10`, the value grafana.volumeSize sets), the key
 * left out of the stack file (set too, {@link sameSettingProblems} says to remove the override).
 * Kubernetes reads a quantity without a unit as bytes, so the chart renders a claim of 10 bytes
 * (grafana 12.3.1 templates/pvc.yaml:27 `storage: {{ .Values.persistence.size | quote }}`, run:
 * `storage: "10"`), which the API server takes as any claim; over a claim made before, it refuses
 * the shrink (the change check says so, change/apiRules.ts). The stack key refuses a bare number
 * (schema.ts SIZE_EXPECTED), and the override is the same value: judged by that form, at its line.
 * A size with any unit is left to the chart and Kubernetes, as other overrides are.
 */
export function bareSizeProblems(raw: Record<string, unknown>): RefusedOverride[] {
  const charts = isMap(raw.chartValues) ? raw.chartValues : {};
  const out = new Map<string, RefusedOverride>();
  for (const e of STACK_KEY_CHART_PATHS as readonly StackKeyPath[]) {
    if (!("chart" in e) || !e.key.endsWith(".volumeSize")) continue;
    const [section, name] = e.key.split(".");
    if (isMap(raw[section]) && raw[section][name] !== undefined) continue;
    const override = overrideAt(charts[e.chart], e.path);
    if (!override || override.at.length !== e.path.length) continue;
    const v = override.value;
    if (typeof v !== "number" && !(typeof v === "string" && /^\s*\d+(\.\d+)?\s*$/.test(v))) continue;
    const key = propertyPath("chartValues", [e.chart, ...override.at]);
    out.set(key, {
      problem:
        `${PROJECT}:${key}: ${SIZE_EXPECTED("10Gi")}, got ${typeof v} ${JSON.stringify(v)}: Kubernetes reads it as ` +
        `${String(v).trim()} bytes, a claim of ${String(v).trim()} bytes; write it with its unit (as ${e.key}, which sets it, takes it)`,
      path: [e.chart, ...override.at],
    });
  }
  return [...out.values()];
}

/** A judged key's value where the stack file leaves the key out, and the key that decided it. */
export interface WorkedValue {
  value: unknown;
  /** The key whose value decided it (`workload.logsPerDay`), absent for a plain default. */
  by?: string;
}
