import { CORE_SCHEMA, load as loadYaml } from "js-yaml";
import * as contract from "@homelab-observability/contract";
import { SECRET_SIG, SECRET_SIG_KEY } from "@homelab-observability/contract";

/** A resource as every policy sees it, whether from `pulumi preview` or from a stack export. */
export interface Res {
  type: string;
  urn: string;
  name: string;
  props: Record<string, any>;
  /** Its options as the engine passes them: `parent`, the URN of the resource it belongs to. */
  opts?: { parent?: string };
}

/**
 * The resource a policy's args (resource or stack) describe: the args themselves, which carry a
 * Res's four fields (policies only read them). A copy per policy and resource was a measurable
 * share of the pack's time over thousands of resources.
 */
export function toRes(a: {
  type: string;
  urn: string;
  name: string;
  props: Record<string, any>;
  opts?: { parent?: string };
}): Res {
  return a;
}

/**
 * The key of the method by which a resource of the offline evaluator (policy/evaluate.ts
 * StackResource) gives one value of its outputs unwrapped without unwrapping the rest: a policy
 * that reads one field of a type reads it through {@link propAt}. The engine hands policies props
 * already unwrapped, and there `propAt` reads them as they are.
 */
export const PROP_AT = Symbol("propAt");

/**
 * `res.props[path[0]]?.[path[1]]...`, the value as `props` holds it. Offline, a stack resource's
 * `props` is its outputs unwrapped whole when first read: reading one field of every
 * NetworkPolicy's (their `metadata.namespace`) searched each one's whole tree for secrets, and
 * copied it when it held one, for that field alone.
 */
export function propAt(res: Res, path: readonly string[]): unknown {
  const own = (res as { [PROP_AT]?: (path: readonly string[]) => unknown })[PROP_AT];
  if (own) return own.call(res, path);
  let v: any = res.props;
  for (const k of path) v = v?.[k];
  return v;
}

/** Values of a release of `chart`, or undefined when the resource is anything else or {@link helmOf} gives none. */
export function chartValues(res: Res, chart: string): any {
  const helm = helmOf(res);
  return helm && helm.chart === chart ? helm.values : undefined;
}

// Pulumi's marker for a secret value in serialized state and exports: the shared contract's.
export { SECRET_SIG, SECRET_SIG_KEY };
/**
 * The contract's isSecretEnvelope, read once: the contract's `export *` compiles to a getter per
 * name, and the pack asks this of nearly every object it reads.
 */
export const isSecretEnvelope: (v: unknown) => boolean = contract.isSecretEnvelope;
/** The contract's walkers over secret envelopes, read once likewise. */
export const holdsSecret: typeof contract.holdsSecret = contract.holdsSecret;
export const mapSecrets: typeof contract.mapSecrets = contract.mapSecrets;
export const secretPlaintext: typeof contract.secretPlaintext = contract.secretPlaintext;

/**
 * What the offline evaluator hands policies for a secret whose export holds only ciphertext (the
 * engine would hand its plaintext). Policies may treat it as "a Pulumi secret was here", and tell
 * it only through {@link isPulumiSecret}. One object, told by identity: no value of an export, a
 * stack file or a parsed text can be it (JSON and YAML make new objects), so a user's own text
 * "[secret]" is judged as text. The string "[secret]" it once was made such text a secret: a
 * `login_hint: "[secret]"` in Grafana's values was refused as "a Pulumi secret written into plain
 * configuration", a `password: "[secret]"` said a secret instead of a literal. No keys of its own
 * (a walker finds nothing in it, as in that string) and it reads "[secret]" wherever it is printed,
 * interpolated or serialised, as that string did.
 */
class SecretStandIn {
  toString(): string {
    return "[secret]";
  }
  toJSON(): string {
    return this.toString();
  }
  [Symbol.toPrimitive](): string {
    return this.toString();
  }
}
export const SECRET_STAND_IN: SecretStandIn = Object.freeze(new SecretStandIn());

/** A Pulumi secret, wrapped (export shape) or as the offline evaluator's stand-in. */
export function isPulumiSecret(v: unknown): boolean {
  return v === SECRET_STAND_IN || isSecretEnvelope(v);
}

/**
 * The parts of each dotted path {@link at} was given: the paths are the pack's own (chart data,
 * policies), a few hundred, read for every release of a stack. Split once, not on every call:
 * the split arrays were garbage for the collector over the pack benchmark's 10,000 resources.
 * 700,000 reads of 7 paths over 2,000 objects of many shapes: 31.6 ms split per call, 13.2 split once.
 */
const pathParts = new Map<string, readonly string[]>();

/** Value at a dotted path ("a.b.c"); "" is the object itself. */
export function at(obj: any, path: string): any {
  if (path === "") return obj;
  let parts = pathParts.get(path);
  if (parts === undefined) {
    // Bounded: a caller building paths from data must not grow it without end.
    if (pathParts.size >= 4096) pathParts.clear();
    pathParts.set(path, (parts = path.split(".")));
  }
  let cur = obj;
  for (let i = 0; i < parts.length; i++) {
    if (cur === null || cur === undefined || typeof cur !== "object") return undefined;
    cur = cur[parts[i]];
  }
  return cur;
}

export const HELM_TYPES = new Set(["kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v4:Chart"]);

type Helm = { chart: string; values: any };
/** What a Helm resource is without its values: its chart, and whether its values are a secret the pack cannot read. */
type HelmChart = { chart: string; valuesSecret: boolean };
type HelmRead = Helm & HelmChart;
/**
 * helmRead's answer (helmOf's and helmChartOf's) per props, with the two fields it was read from:
 * kept while they are the same (a changed chart or values is read anew). Nearly every policy asks it
 * of every release, the stack policies of every release again: over the pack benchmark's 10,000 resources the answers were
 * 23 ms of a 1,014 ms profiled run. Callers only read it.
 */
const helmMemo = new WeakMap<object, { chart: unknown; values: unknown; helm: HelmRead }>();

function helmRead(res: Res): HelmRead | undefined {
  if (!HELM_TYPES.has(res.type)) return undefined;
  const props = res.props;
  const kept = typeof props === "object" && props !== null ? helmMemo.get(props) : undefined;
  if (kept && kept.chart === props.chart && kept.values === props.values) return kept.helm;
  const helm = readHelm(res);
  if (typeof props === "object" && props !== null)
    helmMemo.set(props, { chart: props.chart, values: props.values, helm });
  return helm;
}

/**
 * Chart name and values of a Helm release/chart resource; undefined for anything else, and for a
 * release whose values are a Pulumi secret the pack cannot read. Every policy reads values through
 * here, so none judges such a release as the chart's defaults (resource-budget said loki's default
 * chunks cache stays Pending and the sized loki and prometheus pods request 0Mi: 9 violations over
 * the five stacks' exports so edited): no-plaintext-credentials says the release, and that no other
 * policy judged its values.
 */
export function helmOf(res: Res): Helm | undefined {
  const helm = helmRead(res);
  return helm && !helm.valuesSecret ? helm : undefined;
}

/**
 * Chart of a Helm release/chart resource, whether or not its values can be read; undefined for
 * anything else. For what a policy judges without the values: the chart, the namespace.
 */
export function helmChartOf(res: Res): HelmChart | undefined {
  return helmRead(res);
}

function readHelm(res: Res): HelmRead {
  const rawChart = String(res.props.chart ?? "");
  // "repo/loki", "oci://.../loki", "./loki-6.49.0.tgz" and "loki" all name the chart loki.
  let chart = rawChart.slice(rawChart.lastIndexOf("/") + 1);
  if (chart.endsWith(".tgz")) chart = chart.replace(/-\d[\w.+-]*\.tgz$/, "");
  const values = res.props.values ?? {};
  // Values that are a Pulumi secret as a whole, in an export without `--show-secrets`, reach
  // policies as the evaluator's stand-in (evaluate.ts unwrapSecrets), not as the envelope: neither
  // can be read, and neither is the chart's defaults.
  const secret = isPulumiSecret(values);
  return { chart, values: secret ? {} : values, valuesSecret: secret };
}

/** Go template's truth (contract/template.ts), for the policies that import it from here. */
export { templateTrue } from "@homelab-observability/contract";

/** The types textDataOf reads; it finds nothing in any other. */
export const TEXT_DATA_TYPES: ReadonlySet<string> = new Set([
  "kubernetes:core/v1:ConfigMap",
  "kubernetes:core/v1:Secret",
]);

/** Helm releases and ConfigMap / Secret texts: where chart values or config files live. */
export const HELM_AND_TEXT_TYPES: ReadonlySet<string> = new Set([...HELM_TYPES, ...TEXT_DATA_TYPES]);

/**
 * Whether a ConfigMap holds Grafana dashboards: the label Grafana's dashboard sidecar loads
 * (grafana chart 12.3.1 values.yaml `sidecar.dashboards.label`). Its texts are dashboard JSON, never
 * an engine's config file, and are hundreds of kilobytes: the engine policies do not search them.
 */
export function holdsDashboards(res: Res): boolean {
  return (
    res.type === "kubernetes:core/v1:ConfigMap" && res.props.metadata?.labels?.grafana_dashboard !== undefined
  );
}

/**
 * ConfigMap / Secret text entries, decoded (base64 `data` of Secrets included), once per scope:
 * the Loki, Mimir and Grafana policies each ask for a resource's texts, and a Secret's were
 * decoded again for each (Buffer writes were ~2% of the pack benchmark's profile). Callers only
 * read the entries.
 */
export const textDataOf = (res: Res): { key: string; text: string; field: string }[] =>
  TEXT_DATA_TYPES.has(res.type) ? textDataKept(res) : [];

function readTextData(res: Res): { key: string; text: string; field: string }[] {
  const out: { key: string; text: string; field: string }[] = [];
  // Objects only; a secret the evaluator stood in for (SECRET_STAND_IN) has no entries.
  if (res.type === "kubernetes:core/v1:ConfigMap") {
    const d = res.props.data;
    if (d && typeof d === "object")
      for (const [k, v] of Object.entries(d))
        if (typeof v === "string") out.push({ key: k, text: v, field: "data" });
  } else if (res.type === "kubernetes:core/v1:Secret") {
    const sd = res.props.stringData;
    if (sd && typeof sd === "object" && !isSecretEnvelope(sd))
      for (const [k, v] of Object.entries(sd))
        if (typeof v === "string") out.push({ key: k, text: v, field: "stringData" });
    const d = res.props.data;
    if (d && typeof d === "object" && !isSecretEnvelope(d)) {
      for (const [k, v] of Object.entries(d))
        if (typeof v === "string")
          out.push({ key: k, text: Buffer.from(v, "base64").toString("utf8"), field: "data" });
    }
  }
  return out;
}

type Doc = Record<string, any> | undefined;
/** Results across calls (a live pack server's requests), bounded. */
const parsed = new Map<string, Doc>();
const PARSE_CACHE_LIMIT = 4096;
/**
 * Results within one scope: the offline evaluator opens one per resource (and one for the stack
 * policies), so every text is parsed once however many policies read it, and the documents are
 * dropped when the scope closes. Keyed by the whole text, so a changed text is parsed anew.
 */
let scoped: Map<string, Doc> | undefined;
let scopeDepth = 0;
/** Per-scope memos (perScope), emptied when the outermost scope closes. */
const memos: Map<object, unknown>[] = [];

/** Opens a scope; scopes nest (concurrent evaluations), and the outermost close drops the results. */
export function openScope(): void {
  if (scopeDepth++ === 0) scoped = new Map();
}

export function closeScope(): void {
  if (scopeDepth === 0) throw new Error("closeScope without openScope");
  if (--scopeDepth === 0) {
    scoped = undefined;
    // Only a memo that holds something: clearing allocates the map a new table, and the offline
    // evaluator closes a scope per resource, most of which no memo was asked about.
    for (const m of memos) if (m.size > 0) m.clear();
  }
}

/** One answer of a {@link perScope} memo: for a type, and the answer for another type of the same props. */
type Memoed<V> = { type: string; value: V; next: Memoed<V> | undefined };

/**
 * A memo of `compute(res)` per resource props and type, kept only while a scope is open
 * (policies evaluating one resource share its props and never change them; between evaluations
 * a resource may have changed in place). Outside a scope it computes every time. Per props a
 * chain of answers by type (nearly always one), not a map of types: a Map per resource and memo
 * was allocated for every resource the memo was asked about, and those of the stack policies'
 * scope (every release's, ConfigMap's and Secret's) lived until its end. Profiled (a loaded
 * 2-core machine), the memo's own lines took 52 samples a pack run before, 29 after.
 */
export function perScope<V>(compute: (res: Res) => V): (res: Res) => V {
  const memo = new Map<object, Memoed<V>>();
  memos.push(memo);
  return (res) => {
    const props = res.props;
    if (!scoped || !props || typeof props !== "object") return compute(res);
    const first = memo.get(props);
    for (let e = first; e !== undefined; e = e.next) if (e.type === res.type) return e.value;
    const value = compute(res);
    memo.set(props, { type: res.type, value, next: memo.get(props) });
    return value;
  };
}

/** {@link textDataOf}'s entries, per scope (declared after perScope, which it uses). */
const textDataKept = perScope(readTextData);

/** YAML 1.2 core schema (as the `yaml` package's default): `2024-04-01` stays a string, no `<<` merges. */
function parseText(text: string): unknown {
  // JSON is YAML; the native parser reads it several times faster (falls back on flow YAML).
  if (/^\s*[{[]/.test(text)) {
    try {
      return JSON.parse(text);
    } catch {
      // `{a: b}` and friends: YAML below.
    }
  } else if (!/[:?]/.test(text)) {
    // No mapping without a `key: value` or `? key`: a scalar such as "true" or "monitoring".
    return undefined;
  }
  return loadYaml(text, { schema: CORE_SCHEMA });
}

/**
 * Parses YAML/JSON text into an object; undefined when it is not a mapping. Several policies read
 * the same ConfigMap text, so results are shared (read-only) through a bounded cache. js-yaml, not
 * the `yaml` package: it reads the same documents into the same values about 2x faster, and the
 * pack parses every ConfigMap and Secret text it is given.
 */
export function parseDoc(text: string): Record<string, any> | undefined {
  const cache = scoped ?? parsed;
  if (cache.has(text)) return cache.get(text);
  let doc: Record<string, any> | undefined;
  try {
    const value = parseText(text);
    doc =
      value && typeof value === "object" && !Array.isArray(value)
        ? (value as Record<string, any>)
        : undefined;
  } catch {
    doc = undefined;
  }
  if (cache === parsed && parsed.size >= PARSE_CACHE_LIMIT) parsed.clear();
  cache.set(text, doc);
  return doc;
}

/** Short label for messages: `type name`. */
export function label(res: Res): string {
  return `${res.type} "${res.name}"`;
}

/** Deep merge where `over` wins; arrays replace (as Helm does). */
export function deepMerge(base: any, over: any): any {
  if (over === undefined) return base;
  if (
    base &&
    over &&
    typeof base === "object" &&
    typeof over === "object" &&
    !Array.isArray(base) &&
    !Array.isArray(over)
  ) {
    const out: Record<string, any> = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
    return out;
  }
  return over;
}
