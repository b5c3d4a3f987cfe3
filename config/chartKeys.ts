import { isMap } from "./tree";
import { pointerStep } from "@homelab-observability/contract";
import { parseUserYaml } from "../model/yamlText";
import * as path from "path";
import { isDeepStrictEqual } from "util";

/*
 * The keys a chart reads, from its archive: the tree of its default values (values.yaml, each
 * subchart's under its alias or name, as Helm merges them) and the names its templates use. Helm
 * itself ignores a value no template reads, so a mistyped `chartValues` key silently does nothing;
 * config/chartValues.ts checks the stack's overrides against what is learned here.
 */

/**
 * A level of a chart's values: each key maps to the level below it, or to 0 when what is below is
 * not checked key by key: a scalar, a list, an empty map (`podAnnotations: {}`), a map the
 * templates write out or range over whole (`toYaml .Values.resources`, `range .Values.x`), or a
 * path the templates read that has no default map, whose keys are whatever the user writes.
 */
export interface KeyTree {
  [key: string]: KeyTree | 0;
}

/**
 * The defaults of a chart that are true or false, or a number, by the levels of its values: what a
 * quoted override of one is told (config/chartValueCheck.ts). Other defaults are not in it.
 */
export interface KindTree {
  [key: string]: KindTree | "boolean" | "number";
}

/** What {@link chartKeys} learns of one chart archive. */
export interface ChartKeys {
  /** The chart's values, as far as they are known key by key. */
  values: KeyTree;
  /** The kinds of its boolean and number defaults (values.yaml, each subchart's under its key). */
  kinds: KindTree;
  /** The values paths Helm reads as a subchart's condition, its own and its subcharts' (chartKeys always reads them). */
  conditions?: ChartCondition[];
  /** What the chart's values.schema.json says of its values ({@link TypeTree}), where it has one. */
  types?: TypeTree;
}

/**
 * What a chart's values.schema.json says of the values at one place, as far as this reading
 * follows it: Helm validates the values against the schema before any template renders and
 * refuses the release naming the key ("Invalid type. Expected: boolean, given: integer": run, helm
 * 3.17.3 over loki 18.11.0 with lokiCanary.enabled 0). Read: `type`, `properties`, `items` (one
 * schema for every item), `required`, `additionalProperties` (a schema, or false), `enum`,
 * `minimum`, `maximum` and `pattern`, through a `$ref` into the same document (alertmanager
 * 1.42.0 types `image`, `resources` and the containers' `env` by `#/definitions/...`), and `allOf`,
 * every branch of which holds ({@link conjoin}: loki 18.11.0's
 * `monitoring.dashboards.grafanaOperator.instanceSelector`, the pinned charts' one `allOf`). Not
 * followed, so never the ground of a refusal: `anyOf`/`oneOf`/`not`/`if`, `patternProperties`, the
 * exclusive bounds, a `$ref` to another document (no pinned chart's schema has any of the first
 * four); a subchart's schema sits under its key.
 */
export interface TypeTree {
  /** The JSON types allowed (`["boolean"]`, `["integer", "null"]`), where `type` says them. */
  type?: string[];
  /** The keys below that the schema says something of (`properties`). */
  keys?: Record<string, TypeTree>;
  /** What each item of a list must be (`items` as one schema). */
  items?: TypeTree;
  /** The keys a map must hold (`required`). */
  required?: string[];
  /**
   * What each key of a map that {@link keys} does not name must be (`additionalProperties` as a
   * schema): loki 18.11.0 types every annotation and label map's values as text.
   */
  others?: TypeTree;
  /** A map may hold no key that {@link keys} does not name (`additionalProperties: false`). */
  closed?: true;
  /** The only values allowed (`enum`), where the schema lists them. */
  enum?: unknown[];
  /** The least number allowed (`minimum`), where the schema says it. */
  minimum?: number;
  /** The greatest number allowed (`maximum`), where the schema says it. */
  maximum?: number;
  /** The regular expression text must match somewhere (`pattern`, Go's RE2 syntax), where the schema says it. */
  pattern?: string;
  /**
   * The chart's values.yaml holds this key, in maps all the way down: Helm's coalesce deletes a
   * null given for it, where a null for a key it lacks stays and is validated (helm.sh/helm/v3
   * v3.17.3 pkg/chartutil/coalesce.go coalesceValues and coalesceTablesFullKey).
   */
  held?: true;
}

/**
 * A values path Helm itself reads, as the `condition` of a subchart (Chart.yaml `dependencies`),
 * not a template: Helm v3.17.3 sets every dependency on, then each takes the first of its
 * condition's paths that holds a boolean, passing over any other value with a warning
 * (helm.sh/helm/v3 v3.17.3 pkg/chartutil/dependencies.go:165-168 and 48-71).
 */
export interface ChartCondition {
  /** The path from the chart's root values (a subchart's own conditions under its key). */
  path: string[];
  /** The subchart it turns on or off: its alias, else its name. */
  subchart: string;
  /** Its dependency has no other condition path and no tags: its value alone decides. */
  alone: boolean;
  /**
   * The key of the subchart whose Chart.yaml names it, when not the chart's own: Helm drops a
   * disabled subchart before it reads that subchart's dependencies' conditions
   * (dependencies.go:176-206), so this one is read only while that subchart renders.
   */
  within?: string;
}

/** The files of a gzipped tar that `want` selects, by path (ustar, GNU long names and pax paths). */
export function tarFiles(tar: Buffer, want: (name: string) => boolean): Map<string, string> {
  const out = new Map<string, string>();
  let longName: string | undefined;
  for (let off = 0; off + 512 <= tar.length;) {
    const header = tar.subarray(off, off + 512);
    if (header.every((b) => b === 0)) break;
    const field = (a: number, b: number) => header.toString("latin1", a, b).replace(/\0.*$/s, "");
    const size = parseInt(field(124, 136).trim() || "0", 8);
    const type = String.fromCharCode(header[156] || 48);
    const prefix = field(345, 500);
    const name = longName ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
    const body = tar.subarray(off + 512, off + 512 + size);
    longName = undefined;
    if (type === "L") longName = body.toString("utf8").replace(/\0.*$/s, "");
    else if (type === "x") longName = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(body.toString("utf8"))?.[1];
    else if ((type === "0" || type === "\0") && want(name)) out.set(name, body.toString("utf8"));
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

/** The tree of a values document: maps with keys become levels, everything else a leaf. */
function treeOf(values: unknown): KeyTree | 0 {
  if (!isMap(values) || Object.keys(values).length === 0) return 0;
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, treeOf(v)]));
}

/** The boolean and number defaults of a values document, by level; undefined when it has none. */
function kindsOf(values: unknown): KindTree | "boolean" | "number" | undefined {
  if (typeof values === "boolean") return "boolean";
  if (typeof values === "number") return "number";
  if (!isMap(values)) return undefined;
  const levels = Object.entries(values).flatMap(([k, v]) => {
    const kind = kindsOf(v);
    return kind === undefined ? [] : [[k, kind] as const];
  });
  return levels.length > 0 ? Object.fromEntries(levels) : undefined;
}

/**
 * What a values.schema.json document says ({@link TypeTree}): {@link schemaTypesOf} at the most
 * levels of `$ref`s ({@link MAX_REF_DEPTH}) that keeps within {@link MAX_REFS} followed, the same
 * levels on every branch.
 */
function schemaTypes(doc: unknown): TypeTree | undefined {
  for (let levels = MAX_REF_DEPTH; ; levels--) {
    const reading = { levels, refs: MAX_REFS };
    const read = schemaTypesOf(doc, doc, 0, reading);
    if (reading.refs >= 0 || levels === 0) return read;
  }
}

/**
 * What a values.schema.json node says ({@link TypeTree}), `root` being its document (for a `$ref`
 * `#/...`, read as a JSON pointer); undefined when it says nothing this reading follows. A `$ref`
 * stands for its target alone, as in draft-07, which Helm 3.17.3's validator (xeipuuv/gojsonschema)
 * reads: the keywords beside it are not read. `depth` is the `$ref`s followed to `node`: none is
 * followed past `reading.levels`, which stops a schema whose `$ref`s go round, and each followed
 * counts down `reading.refs` (below zero: too many, {@link schemaTypes} reads again with fewer levels).
 */
function schemaTypesOf(
  node: unknown,
  root: unknown,
  depth: number,
  reading: { levels: number; refs: number },
): TypeTree | undefined {
  if (!isMap(node) || reading.refs < 0) return undefined;
  if (typeof node.$ref === "string") {
    if (!node.$ref.startsWith("#") || depth >= reading.levels) return undefined;
    reading.refs--;
    return schemaTypesOf(pointer(root, node.$ref.slice(1)), root, depth + 1, reading);
  }
  const out: TypeTree = {};
  const t = node.type;
  if (typeof t === "string") out.type = [t];
  else if (Array.isArray(t) && t.length > 0 && t.every((x) => typeof x === "string")) out.type = t;
  if (isMap(node.properties)) {
    const keys = Object.entries(node.properties).flatMap(([k, v]) => {
      const below = schemaTypesOf(v, root, depth, reading);
      return below === undefined ? [] : [[k, below] as const];
    });
    if (keys.length > 0) out.keys = Object.fromEntries(keys);
  }
  const items = isMap(node.items) ? schemaTypesOf(node.items, root, depth, reading) : undefined;
  if (items) out.items = items;
  if (
    Array.isArray(node.required) &&
    node.required.every((k) => typeof k === "string") &&
    node.required.length > 0
  )
    out.required = node.required;
  const others = isMap(node.additionalProperties)
    ? schemaTypesOf(node.additionalProperties, root, depth, reading)
    : undefined;
  if (others) out.others = others;
  else if (node.additionalProperties === false) out.closed = true;
  if (Array.isArray(node.enum) && node.enum.length > 0) out.enum = node.enum;
  if (typeof node.minimum === "number") out.minimum = node.minimum;
  if (typeof node.maximum === "number") out.maximum = node.maximum;
  if (typeof node.pattern === "string") out.pattern = node.pattern;
  // Each branch of an `allOf` holds beside the node's own keywords: one tree, what all of them say.
  const all = Array.isArray(node.allOf)
    ? node.allOf.flatMap((branch) => schemaTypesOf(branch, root, depth, reading) ?? [])
    : [];
  const met = all.reduce(conjoin, out);
  return Object.keys(met).length > 0 ? met : undefined;
}

/**
 * What a value must meet to meet both `a` and `b`: a values.schema.json's `allOf` is read as the
 * one {@link TypeTree} a value must meet, what every branch says, and the node's own keywords
 * beside them. Helm 3.17.3 validates with
 * xeipuuv/gojsonschema v1.2.0 (helm.sh/helm/v3 v3.17.3 go.mod:36, pkg/chartutil/jsonschema.go:79),
 * which validates the value against every branch and refuses it when one fails (validation.go:331-345
 * at v1.2.0: each branch's errors, then "Must validate all the schemas (allOf)"). Run, helm 3.17.3
 * over loki 18.11.0 with `monitoring.dashboards.grafanaOperator.instanceSelector` (an `allOf` of
 * `{type: object}` and the LabelSelector definition) given `{matchLabels: {a: 1}}`:
 * "instanceSelector.matchLabels.a: Invalid type. Expected: string, given: integer" and
 * "instanceSelector: Must validate all the schemas (allOf)".
 *
 * Where the branches cannot be said as one tree (two patterns, types or enums with nothing in
 * common), the one kept says less than the schema: a value is then never refused that Helm takes.
 */
export function conjoin(a: TypeTree, b: TypeTree): TypeTree {
  const out: TypeTree = {};
  const type = a.type && b.type ? sharedTypes(a.type, b.type) : (a.type ?? b.type);
  if (type?.length) out.type = type;
  const keys = conjoinedKeys(a, b);
  if (keys) out.keys = keys;
  const items = a.items && b.items ? conjoin(a.items, b.items) : (a.items ?? b.items);
  if (items) out.items = items;
  const required = [...new Set([...(a.required ?? []), ...(b.required ?? [])])];
  if (required.length) out.required = required;
  if (a.closed || b.closed) out.closed = true;
  else {
    const others = a.others && b.others ? conjoin(a.others, b.others) : (a.others ?? b.others);
    if (others) out.others = others;
  }
  const allowed =
    a.enum && b.enum
      ? a.enum.filter((v) => b.enum!.some((w) => isDeepStrictEqual(v, w)))
      : (a.enum ?? b.enum);
  if (allowed?.length) out.enum = allowed;
  const minimum = [a.minimum, b.minimum].filter((n) => n !== undefined);
  if (minimum.length) out.minimum = Math.max(...minimum);
  const maximum = [a.maximum, b.maximum].filter((n) => n !== undefined);
  if (maximum.length) out.maximum = Math.min(...maximum);
  // Two patterns are not one RE2 expression: the first stands, the other's refusals go unsaid.
  const pattern = a.pattern ?? b.pattern;
  if (pattern !== undefined) out.pattern = pattern;
  return out;
}

/** The JSON types both lists allow: an integer is a number (gojsonschema v1.2.0 validation.go:123). */
function sharedTypes(a: string[], b: string[]): string[] {
  const within = (t: string, list: string[]) =>
    list.includes(t) || (t === "integer" && list.includes("number"));
  return [...new Set([...a.filter((t) => within(t, b)), ...b.filter((t) => within(t, a))])];
}

/**
 * The keys both say something of, each as what it must meet under both: a key one side names and
 * the other does not meets that side's `additionalProperties` schema too; one a closed side does
 * not name is refused there, so it is no key of the conjunction (its `closed` refuses it).
 */
function conjoinedKeys(a: TypeTree, b: TypeTree): Record<string, TypeTree> | undefined {
  const view = (t: TypeTree, k: string): TypeTree | "refused" | undefined =>
    t.keys?.[k] ?? t.others ?? (t.closed ? "refused" : undefined);
  const entries = [...new Set([...Object.keys(a.keys ?? {}), ...Object.keys(b.keys ?? {})])].flatMap((k) => {
    const [x, y] = [view(a, k), view(b, k)];
    if (x === "refused" || y === "refused") return [];
    return [[k, x && y ? conjoin(x, y) : (x ?? y)!] as const];
  });
  return entries.length ? Object.fromEntries(entries) : undefined;
}

/**
 * `node` with each key it names (`properties`, `required`) that the values document `doc` holds
 * marked {@link TypeTree.held}, at every level where both go on as maps.
 */
function withHeld(node: TypeTree, doc: unknown): TypeTree {
  if (!isMap(doc)) return node;
  const keys: Record<string, TypeTree> = { ...node.keys };
  for (const k of new Set([...Object.keys(keys), ...(node.required ?? [])]))
    if (k in doc) keys[k] = { ...withHeld(keys[k] ?? {}, doc[k]), held: true };
  return Object.keys(keys).length > 0 ? { ...node, keys } : node;
}

/**
 * How many `$ref`s deep a schema is followed: alertmanager 1.42.0's `config.route` names itself for
 * its `routes`' items (`#/definitions/config/route`), read to 16 levels of routes; below, nothing is judged.
 */
const MAX_REF_DEPTH = 16;

/**
 * How many `$ref`s one schema's reading follows in all: {@link MAX_REF_DEPTH} alone lets a
 * definition that names itself at several keys (an expression of `and`, `or`, `not`) be copied
 * keys^16 times (three: past a minute and the memory, in every `pulumi preview` reading the
 * archive). Past it, the schema is read to fewer levels of `$ref`s; one not followed says nothing,
 * never a refusal. Alertmanager 1.42.0's schema follows 96 (its 16 levels of routes), loki 18.11.0's none.
 */
const MAX_REFS = 2000;

/** The node at JSON pointer `at` (`/definitions/image`, RFC 6901) in `doc`, or undefined. */
function pointer(doc: unknown, at: string): unknown {
  if (at === "") return doc;
  if (!at.startsWith("/")) return undefined;
  let cur: unknown = doc;
  for (const raw of at.slice(1).split("/")) {
    // A `$ref` is a URI: its fragment may be %-encoded (a malformed one points nowhere).
    let k: string;
    try {
      k = pointerStep(decodeURIComponent(raw));
    } catch {
      return undefined;
    }
    cur = isMap(cur) ? cur[k] : Array.isArray(cur) ? cur[Number(k)] : undefined;
  }
  return cur;
}

/**
 * `b` under `a`: what `a` says stays. Charts come parent first, and a parent's values.yaml sets its
 * subcharts' values over their own defaults, as Helm merges them.
 */
function underKinds(a: KindTree, b: KindTree): KindTree {
  const out: KindTree = { ...b, ...a };
  for (const [k, v] of Object.entries(a)) {
    const under = b[k];
    if (typeof v === "object" && typeof under === "object") out[k] = underKinds(v, under);
  }
  return out;
}

/** `b` laid over `a`: a level's keys are both's. */
function mergeTrees(a: KeyTree | 0 | undefined, b: KeyTree | 0): KeyTree | 0 {
  if (a === undefined) return b;
  if (a === 0 || b === 0) return a === 0 && b === 0 ? 0 : { ...(a || {}), ...(b || {}) };
  const out: KeyTree = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = mergeTrees(out[k], v);
  return out;
}

/** One use of a values path by a template: the keys on the way, and whether its end is used whole. */
export interface TemplateUse {
  path: string[];
  /** Written out or iterated as it is (`toYaml`, `tpl`, `range`): its keys are the user's. */
  whole: boolean;
}

// Functions that write a value out as it is: whatever keys a map has end up in the manifest.
const WRITES = String.raw`(?:toYaml|toJson|toPrettyJson|toRawJson|tpl)`;
// A reference: `.Values.a.b` (also `$.Values`, `$root.Values`), `$var.a.b`, `.a.b`, `$var` or `.`.
const REF = /(?:(\$\w*)|(?<![\w)\]]))((?:\.[A-Za-z_][\w-]*)+)|(\$\w+)|(?<![\w)\]])\.(?![\w.])/g;

// Functions a map passes through as a map: a copy, a merge, or all its keys but some (`omit`) are
// still written out whole.
const PASSES = String.raw`(?:deepCopy|merge|mergeOverwrite|default|omit)`;
/**
 * The copies a variable's value may be made through and still be the values map it copies:
 * `$config := omit .Values.config "enabled"` (alertmanager), `$output := deepCopy (omit
 * $Values.vmalert.spec "notifiers") | mergeOverwrite ...` (victoria-metrics-k8s-stack vm.alert.spec).
 */
const COPIED = new RegExp(String.raw`^(?:\(\s*)*(?:(?:deepCopy|omit|merge|mergeOverwrite)\s+(?:\(\s*)*)+`);
/** `index P "a"`, `get P "a"` or `pluck "a" P` just before the path: the map picked is the one used. */
const INDEXES = /(?:index|get)\s*\(?\s*$/;
// Built once: usedWholeBefore and usedWholeAfter run for every reference of every chart's templates,
// and building both patterns per call was most of their time. Measured: templateUses over the 20
// pinned archives, alternated, medians of 4: 783 ms before, 683 ms after.
const WRITTEN_BEFORE = new RegExp(String.raw`(?:${WRITES}|range)\s*\(?\s*(?:${PASSES}\s*\(?\s*)*$`);
const RANGED_BEFORE = new RegExp(String.raw`range\s+(?:\$\w+\s*,\s*)?\$\w+\s*:=\s*(?:${PASSES}\s*\(?\s*)*$`);
const WRITTEN_AFTER = new RegExp(String.raw`^\s*(?:\|\s*${PASSES}\b[^|]*)*\|\s*${WRITES}\b`);
/** Whether what stands before a reference writes it out or ranges over it. */
function usedWholeBefore(before: string): boolean {
  return WRITTEN_BEFORE.test(before) || RANGED_BEFORE.test(before);
}
/** Whether what follows a reference pipes it, through copies and merges, into a writer. */
function usedWholeAfter(after: string): boolean {
  return WRITTEN_AFTER.test(after);
}

/**
 * What `.`, a variable or a field of a dict stands for where a template runs: values paths (inside
 * `with .Values.a`, or a dict's field given `.Values.a`), the chart's root context (`.` at the top
 * of a file: `.Values` is read from it), or a dict made with `dict` and handed to a named template
 * (`include "x" (dict "ctx" . "spec" .Values.vmalert.spec)`), by field.
 */
export type Context =
  { kind: "paths"; paths: string[][] } | { kind: "root" } | { kind: "dict"; fields: Record<string, Context> };

const ROOT: Context = { kind: "root" };

/** The named templates of a chart archive by name, and what each reads called with a context. */
export interface Defines {
  bodies: Map<string, string[]>;
  /** The uses of a template called with a context, by name and context: each read once. */
  seen: Map<string, TemplateUse[]>;
}

// Actions that open a block closed by `end`.
const OPENS = /^(?:if|with|range|define|block)\b/;

/**
 * The named templates (`define`, `block`) of a chart's template files: one namespace across the
 * chart and its subcharts, as Helm parses them together (the operator subchart of
 * victoria-metrics-k8s-stack includes `vm.securityContext` from victoria-metrics-common).
 */
export function definesOf(texts: Iterable<string>): Defines {
  const bodies = new Map<string, string[]>();
  for (const text of texts) {
    const open: (string | undefined)[] = [];
    let from = 0;
    for (const action of text.matchAll(/\{\{-?([\s\S]*?)-?\}\}/g)) {
      const raw = action[1].trim();
      const end = (action.index ?? 0) + action[0].length;
      const name = /^(?:define|block)\s+"([^"]+)"/.exec(raw)?.[1];
      if (name !== undefined) {
        open.push(name);
        from = end;
      } else if (OPENS.test(raw)) open.push(undefined);
      else if (/^end\b/.test(raw)) {
        const closed = open.pop();
        if (closed !== undefined && open.length === 0)
          bodies.set(closed, [...(bodies.get(closed) ?? []), text.slice(from, action.index)]);
      }
    }
  }
  return { bodies, seen: new Map() };
}

/**
 * The value paths a template uses, each as the keys on the way: `.Values.a.b` (also `$.Values`,
 * `$root.Values`); a variable assigned a values path (`$c := .Values.singleBinary`, then
 * `$c.replicas`), or a copy of one (`$config := omit .Values.config "enabled"`); the dot inside
 * `with .Values.a` (`.b`); and literal keys read by `index`, `dig`, `hasKey` and `set`. A use is
 * whole when it is written out (`toYaml`, `tpl`, `toJson`) or ranged over: only then are the map's
 * keys the user's. A map merely tested or passed on (`hasKey`, a variable) keeps the keys its
 * default and the reads under it name.
 *
 * With the chart's named templates (`defines`), a values path handed to one in a `dict`
 * (`include "vm.securityContext" (dict "securityContext" .Values.securityContext "helm" .)`) or as
 * its argument is followed into it, as Helm runs it: `.securityContext.x` there reads
 * `securityContext.x`, `toYaml .securityContext` writes it whole, and `.helm.Values.y` reads `y`.
 */
export function templateUses(text: string, defines?: Defines): TemplateUse[] {
  return usesIn(text, defines, ROOT, 0);
}

/** How deep named templates are followed into each other (the pinned charts go four deep). */
const MAX_CALL_DEPTH = 8;

/** The variables of a template, by name: values paths, key literals, contexts. */
interface Scope {
  vars: Map<string, string[][]>;
  keyVars: Map<string, string>;
  ctxVars: Map<string, Context>;
}
const newScope = (): Scope => ({ vars: new Map(), keyVars: new Map(), ctxVars: new Map() });

/** The uses of `text` run with `top` as its `.` and `$` (undefined: not known). */
function usesIn(
  text: string,
  defines: Defines | undefined,
  top: Context | undefined,
  depth: number,
): TemplateUse[] {
  const out: TemplateUse[] = [];
  let scope = newScope();
  // What `.` is in each open block; a define's block keeps the scope outside it, restored at its end.
  const blocks: { dot: Context | undefined; outer?: Scope }[] = [{ dot: top }];
  for (const action of text.matchAll(/\{\{-?([\s\S]*?)-?\}\}/g)) {
    const raw = action[1].trim();
    if (raw.startsWith("/*")) continue;
    const { vars, keyVars, ctxVars } = scope;
    // Only a literal, or one field of the context (`.agentKey`, what a helper is called with)
    // defaulting to one: a values path defaulting to a literal (`$tag := .Values.image.tag | default
    // "x"`) stays a values path, read below.
    const keyVar = /^(\$\w+)\s*:?=\s*(?:"([^"]+)"|\.\w+\s*\|\s*default\s+"([^"]+)")\s*$/.exec(raw);
    if (keyVar) keyVars.set(keyVar[1], keyVar[2] ?? keyVar[3]);
    // A key variable read as a literal, so `index $Values $agentKey` (victoria-metrics-k8s-stack
    // 0.91.2 `vm.agent.spec`) reads the key it holds (its default, when a caller may pass another).
    const body = raw.replace(/\$\w+\b/g, (v) => (keyVars.has(v) ? `"${keyVars.get(v)}"` : v));
    const dot = blocks[blocks.length - 1].dot;
    const at: Where = { dot, top, scope };
    const refs: { at: number; end: number; paths: string[][]; full: string[][] }[] = [];
    // Quoted text blanked out (same length): a literal such as "app.kubernetes.io/name" is no path.
    const code = body.replace(/"(?:[^"\\]|\\.)*"|`[^`]*`/g, (q) => `"${" ".repeat(q.length - 2)}"`);
    for (const m of code.matchAll(REF)) {
      const paths = resolve(m, at);
      if (paths.length > 0)
        refs.push({ at: m.index ?? 0, end: (m.index ?? 0) + m[0].length, paths, full: paths });
    }
    for (const r of refs) {
      const before = body.slice(0, r.at);
      const after = body.slice(r.end);
      // Literal keys read below the path: `index P "a" "b"`, `hasKey P "a"`, `set P "a"`, `dig "a" "b" d P`.
      const lit = (s: string) => [...s.matchAll(/"([^"]*)"/g)].map((q) => q[1]);
      let tail: string[] = [];
      const follows = /^((?:\s+"[^"]+")+)/.exec(after)?.[1];
      const indexed = !!follows && INDEXES.test(before);
      if (follows && /(?:index|hasKey|set|unset|get|pluck)\s*\(?\s*$/.test(before))
        tail = /(?:hasKey|set|unset|get)\s*\(?\s*$/.test(before) ? lit(follows).slice(0, 1) : lit(follows);
      const dig = /dig((?:\s+"[^"]*")+)\s+(?:"[^"]*"|\S+)\s*$/.exec(before);
      if (dig) tail = lit(dig[1]).filter(Boolean);
      // Whole: the path, or the map an `index`/`get` of it picks (`range $k, $v := index .Values
      // "grafana.ini"`), is written out or ranged over, through copies and merges on the way
      // (`tpl (deepCopy .Values.vmsingle.spec | mergeOverwrite $spec | toYaml)`).
      const head = indexed ? before.replace(INDEXES, "") : before;
      const rest = indexed ? after.slice(follows.length) : after;
      const whole = (tail.length === 0 || indexed) && (usedWholeBefore(head) || usedWholeAfter(rest));
      r.full = r.paths.map((p) => [...p, ...tail]);
      for (const p of r.full) out.push({ path: p, whole });
    }
    // Variables: `$x := <values path>` (or `=`), by name in the template, also through copies
    // (`$x := deepCopy (omit P "k")`); also the map an `index` or `get` of one picks
    // (`$agentValues := index $Values "vmagent"`), whose path has the keys.
    const assign = /^(?:(?:with|if)\s+)?(\$\w+)\s*:?=\s*/.exec(body);
    const start = (assign ?? /^with\s+/.exec(body))?.[0].length;
    const copied = start === undefined ? 0 : (COPIED.exec(body.slice(start))?.[0].length ?? 0);
    const picked = start === undefined ? undefined : /^\(?\s*(?:index|get)\s+\(?\s*/.exec(body.slice(start));
    // Not a path a field is then taken of: `(.Values.alertmanager).config`.
    const direct = refs.find(
      (r) => (r.at === start || r.at === start! + copied) && !/^\s*\)+\./.test(body.slice(r.end)),
    );
    const viaIndex = picked && refs.find((r) => r.at === start! + picked[0].length);
    const rhs = direct ?? (viaIndex && { ...viaIndex, paths: viaIndex.full });
    // A context: `$ctx := .ctx`, `$ctx := dict "helm" . "appKey" "vmalert"`, `with $ctx`.
    const expr = start === undefined || rhs ? undefined : contextOf(body, code, start, at);
    const held = expr && code.slice(expr.end).trim() === "" ? expr.ctx : undefined;
    if (assign && rhs) vars.set(assign[1], [...(vars.get(assign[1]) ?? []), ...rhs.paths]);
    // The values themselves, as helpers called with a context take them: `$Values := (.helm).Values
    // | default .Values` (victoria-metrics-k8s-stack's _helpers.tpl), then `$Values.vmsingle.spec`.
    else if (
      assign &&
      /^\(\s*\.\w+\s*\)\.Values\s*(?:\||$)|^\$?\.Values\s*$/.test(body.slice(assign[0].length))
    )
      vars.set(assign[1], [[]]);
    else if (assign && held) ctxVars.set(assign[1], held);
    if (defines) for (const call of callsIn(body, code, at)) out.push(...called(defines, call, depth));
    // Blocks: `with P` makes `.` P inside; `range`, `define` and `block` make it something else, and
    // a define's variables are its own.
    const word = /^(\w+)/.exec(body)?.[1];
    if (word === "end") {
      const closed = blocks.length > 1 ? blocks.pop() : undefined;
      if (closed?.outer) scope = closed.outer;
    } else if (word === "with") blocks.push({ dot: rhs ? { kind: "paths", paths: rhs.paths } : held });
    else if (word === "if") blocks.push({ dot });
    else if (word === "range") blocks.push({ dot: undefined });
    else if (word === "define" || word === "block") {
      blocks.push({ dot: undefined, outer: scope });
      scope = newScope();
    }
  }
  return out;
}

/** Where a template runs: what `.` and `$` are, and its variables. */
interface Where {
  dot: Context | undefined;
  top: Context | undefined;
  scope: Scope;
}

/** A named template called with a context: `include "x" (dict ...)`, `template "x" .Values.y`. */
interface Call {
  name: string;
  ctx: Context;
}

/**
 * The calls of one action whose argument carries values: a dict with a field that is a values path
 * or the root (`"ctx" .`), or a values path itself. A call with the root alone (`include "x" .`) is
 * not followed: the template's own reads of `.Values` are read where it is defined.
 */
function callsIn(body: string, code: string, at: Where): Call[] {
  const out: Call[] = [];
  for (const m of code.matchAll(/\b(?:include|template)\s+"/g)) {
    const open = (m.index ?? 0) + m[0].length - 1;
    const close = code.indexOf('"', open + 1);
    if (close < 0) continue;
    const ctx = contextOf(body, code, close + 1, at)?.ctx;
    if (ctx && (ctx.kind === "paths" || (ctx.kind === "dict" && Object.keys(ctx.fields).length > 0)))
      out.push({ name: body.slice(open + 1, close), ctx });
  }
  return out;
}

/** The uses of a named template run with a context, each template and context read once. */
function called(defines: Defines, call: Call, depth: number): TemplateUse[] {
  const key = `${call.name}\u0000${JSON.stringify(call.ctx)}`;
  const known = defines.seen.get(key);
  if (known) return known;
  if (depth >= MAX_CALL_DEPTH) return [];
  // A template that calls itself with the same context reads nothing more the second time.
  defines.seen.set(key, []);
  const uses = (defines.bodies.get(call.name) ?? []).flatMap((b) => usesIn(b, defines, call.ctx, depth + 1));
  defines.seen.set(key, uses);
  return uses;
}

/**
 * The context the expression at `from` in an action stands for, and where it ends: `.`, `$`, a
 * variable or a field path (`.ctx`, `$x.spec`, `.Values.a`), a `(dict "k" v ...)` by its fields, or
 * a parenthesised one of those. Undefined for anything else (a literal, a function's result).
 */
function contextOf(
  body: string,
  code: string,
  from: number,
  at: Where,
): { ctx?: Context; end: number } | undefined {
  let i = from;
  while (/\s/.test(code[i] ?? "")) i++;
  if (code[i] === "(") {
    const end = closing(code, i);
    // `(.helm).Values`: fields taken of the group's value.
    const fields = /^(?:\.[A-Za-z_][\w-]*)+/.exec(code.slice(end + 1))?.[0] ?? "";
    const group = contextOf(body, code, i + 1, at);
    const inner = /^\(\s*dict\b/.test(code.slice(i))
      ? dictOf(body, code, i + 1 + code.slice(i + 1).indexOf("dict") + 4, end, at)
      : group && code.slice(group.end, end).trim() === ""
        ? group.ctx
        : undefined;
    const names = fields.split(".").filter(Boolean);
    return { ctx: inner && lookup(inner, names), end: end + 1 + fields.length };
  }
  // A literal: no context, but its end.
  if (code[i] === '"') return { end: code.indexOf('"', i + 1) + 1 };
  if (/^dict\b/.test(code.slice(i))) {
    const end = code.length;
    return { ctx: dictOf(body, code, i + 4, end, at), end };
  }
  const token = /^[^\s()|]+/.exec(code.slice(i))?.[0];
  if (!token) return undefined;
  return { ctx: tokenContext(token, at), end: i + token.length };
}

/** The context of one token: `.`, `$`, `$x`, `.a.b`, `$.a`, `$x.a`. */
function tokenContext(token: string, at: Where): Context | undefined {
  if (token === ".") return at.dot;
  if (token === "$") return at.top;
  const m = /^(\$\w*)?((?:\.[A-Za-z_][\w-]*)*)$/.exec(token);
  if (!m) return undefined;
  const [, variable, fields] = m;
  const names = fields.split(".").filter(Boolean);
  const base =
    variable === undefined
      ? at.dot
      : variable === "$"
        ? at.top
        : at.scope.vars.has(variable)
          ? { kind: "paths" as const, paths: at.scope.vars.get(variable)! }
          : at.scope.ctxVars.get(variable);
  const found = lookup(base, names);
  // `.Values` wherever `.` is not a dict: helpers are mostly called with the root.
  return (
    found ??
    (names[0] === "Values" && base?.kind !== "dict" ? { kind: "paths", paths: [names.slice(1)] } : undefined)
  );
}

/** `dict "k1" v1 "k2" v2 ...` from `from` to `end`: each field whose value is a context. */
function dictOf(body: string, code: string, from: number, end: number, at: Where): Context | undefined {
  const fields: Record<string, Context> = {};
  let i = from;
  for (;;) {
    while (i < end && /\s/.test(code[i])) i++;
    if (i >= end || code[i] !== '"') break;
    const close = code.indexOf('"', i + 1);
    const key = body.slice(i + 1, close);
    const value = contextOf(body, code, close + 1, at);
    if (!value) break;
    if (value.ctx) fields[key] = value.ctx;
    i = value.end;
  }
  return { kind: "dict", fields };
}

/** The index of the parenthesis closing the one at `open` (quotes are blanked in `code`). */
function closing(code: string, open: number): number {
  let depth = 0;
  for (let i = open; i < code.length; i++) {
    if (code[i] === "(") depth++;
    else if (code[i] === ")" && --depth === 0) return i;
  }
  return code.length;
}

/** What `names` below a context is: a field of a dict, keys below values paths, the root's `.Values`. */
function lookup(ctx: Context | undefined, names: string[]): Context | undefined {
  if (!ctx || names.length === 0) return ctx;
  if (ctx.kind === "paths") return { kind: "paths", paths: ctx.paths.map((p) => [...p, ...names]) };
  if (ctx.kind === "root")
    return names[0] === "Values" ? { kind: "paths", paths: [names.slice(1)] } : undefined;
  return lookup(ctx.fields[names[0]], names.slice(1));
}

const pathsOf = (ctx: Context | undefined): string[][] => (ctx?.kind === "paths" ? ctx.paths : []);

/** The values paths a reference stands for (none when it is not one). */
function resolve(m: RegExpMatchArray, at: Where): string[][] {
  const [, variable, fields, bare] = m;
  const { vars, ctxVars } = at.scope;
  if (bare !== undefined) return vars.get(bare) ?? pathsOf(ctxVars.get(bare));
  if (fields === undefined) return pathsOf(at.dot);
  const names = fields.split(".").filter(Boolean);
  // In a template handed a dict, `.x` and `$.x` are its fields (`.Values` only when it has one).
  if (variable === undefined && at.dot?.kind === "dict") return pathsOf(lookup(at.dot, names));
  if (variable === "$" && at.top?.kind === "dict") return pathsOf(lookup(at.top, names));
  if (variable !== undefined && vars.has(variable)) return vars.get(variable)!.map((p) => [...p, ...names]);
  if (variable !== undefined && ctxVars.has(variable)) return pathsOf(lookup(ctxVars.get(variable), names));
  if (names[0] === "Values") return [names.slice(1)];
  return variable === undefined ? pathsOf(lookup(at.dot, names)) : [];
}

/**
 * `tree` with the keys each use reads known, and free-form (a leaf) where the chart leaves the
 * keys to the user: a path used whole, or one whose end has no default map to check against. A map
 * with a default that is only read, tested or passed on keeps its default's keys and the reads
 * under it. Longer paths go first, so a bare read of a map does not hide the reads below it.
 */
function withTemplateUses(tree: KeyTree, uses: TemplateUse[]): KeyTree {
  const walk = (p: string[], end: (level: KeyTree, key: string) => void) => {
    let level = tree;
    for (const [i, k] of p.entries()) {
      if (i === p.length - 1) return end(level, k);
      const next = level[k];
      if (next === 0) return;
      level = level[k] = next ?? {};
    }
  };
  const sorted = uses.filter((u) => u.path.length > 0).sort((a, b) => b.path.length - a.path.length);
  for (const u of sorted) walk(u.path, (level, k) => void (level[k] ??= 0));
  for (const u of sorted) if (u.whole) walk(u.path, (level, k) => void (level[k] = 0));
  return tree;
}

/**
 * The keys of a chart archive (the gzip already undone): each chart directory's values.yaml laid
 * under the key its parent names it by (Chart.yaml `dependencies`: alias, else name), then the
 * paths its templates use.
 */
export function chartKeys(tar: Buffer): ChartKeys {
  const files = tarFiles(
    tar,
    (n) =>
      /(^|\/)(values|Chart)\.yaml$/.test(n) ||
      /(^|\/)values\.schema\.json$/.test(n) ||
      /\/templates\//.test(n) ||
      n.endsWith(".tpl"),
  );
  // Chart directories: `<root>` and `<dir>/charts/<sub>`, each with the values prefixes it has.
  const dirs = [...files.keys()]
    .filter((n) => n.endsWith("/Chart.yaml"))
    .map((n) => path.posix.dirname(n))
    .sort((a, b) => a.length - b.length);
  const prefixes = new Map<string, string[][]>();
  for (const dir of dirs) {
    const parent = dir.includes("/charts/") ? dir.slice(0, dir.lastIndexOf("/charts/")) : undefined;
    if (parent === undefined) {
      prefixes.set(dir, [[]]);
      continue;
    }
    const name = (safeYaml(files.get(`${dir}/Chart.yaml`)) as { name?: string } | undefined)?.name;
    const keys = (chartDependencies(files.get(`${parent}/Chart.yaml`)) ?? [])
      .filter((d) => d.name === name)
      .flatMap((d) => d.alias ?? d.name ?? []);
    const own = keys.length > 0 ? keys : [name ?? path.posix.basename(dir)];
    prefixes.set(
      dir,
      (prefixes.get(parent) ?? []).flatMap((p) => own.map((k) => [...p, k])),
    );
  }
  // A template belongs to the deepest chart directory holding it: `.Values` is that chart's.
  const owner = (file: string) => dirs.filter((d) => file.startsWith(`${d}/`)).pop();
  // Named templates are one namespace across the chart and its subcharts, as Helm parses them.
  const defines = definesOf(
    [...files].filter(([n]) => /\/templates\//.test(n) || n.endsWith(".tpl")).map(([, text]) => text),
  );
  let values: KeyTree = {};
  let kinds: KindTree = {};
  let types: TypeTree = {};
  const conditions: ChartCondition[] = [];
  for (const dir of dirs) {
    for (const prefix of prefixes.get(dir) ?? [])
      conditions.push(...conditionsOf(chartDependencies(files.get(`${dir}/Chart.yaml`)) ?? [], prefix));
    const doc = safeYaml(files.get(`${dir}/values.yaml`));
    const own = treeOf(doc) || {};
    const ownKinds = kindsOf(doc);
    const schema = schemaTypes(safeJson(files.get(`${dir}/values.schema.json`)));
    const ownTypes = schema && withHeld(schema, doc);
    // Template text in the defaults is read too: a chart renders it with `tpl`, so what it names is
    // read. The loki chart writes Loki's whole config that way (values.yaml `loki.config`, rendered
    // by `tpl .Values.loki.config` in templates/_helpers.tpl, 6.55.0 and 18.11.0 alike), and with it
    // `loki.ingester`, `loki.compactor` and the other blocks it writes out whole.
    const uses: TemplateUse[] = templateStrings(doc).flatMap((text) => templateUses(text, defines));
    for (const [name, text] of files)
      if (owner(name) === dir && (name.startsWith(`${dir}/templates/`) || name.endsWith(".tpl")))
        uses.push(...templateUses(text, defines));
    const tree = withTemplateUses(own, uses);
    for (const prefix of prefixes.get(dir) ?? []) {
      const placed = prefix.reduceRight<KeyTree>((acc, k) => ({ [k]: acc }), tree);
      values = mergeTrees(values, placed) || {};
      if (typeof ownKinds === "object")
        kinds = underKinds(
          kinds,
          prefix.reduceRight<KindTree>((acc, k) => ({ [k]: acc }), ownKinds),
        );
      // Helm validates each chart's own values against its own schema, a subchart's under its key.
      if (ownTypes)
        types = underTypes(
          types,
          prefix.reduceRight<TypeTree>((acc, k) => ({ keys: { [k]: acc } }), ownTypes),
        );
    }
  }
  return { values, kinds, conditions, ...(Object.keys(types).length > 0 ? { types } : {}) };
}

/**
 * Both schemas' words at each place: each chart's schema is checked on its own, so where both
 * say something `a`'s is kept and `b`'s fills in what `a` does not say (a value refused by either
 * is refused by Helm; one left unsaid is only not judged).
 */
function underTypes(a: TypeTree, b: TypeTree): TypeTree {
  const out: TypeTree = { ...b, ...a };
  if (a.keys && b.keys) {
    const keys: Record<string, TypeTree> = { ...b.keys };
    for (const [k, v] of Object.entries(a.keys)) keys[k] = b.keys[k] ? underTypes(v, b.keys[k]) : v;
    out.keys = keys;
  }
  if (a.items && b.items) out.items = underTypes(a.items, b.items);
  return out;
}

/** A values.schema.json's document, or undefined where there is none or it is no JSON (Helm then refuses the chart itself). */
function safeJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * The conditions of `deps` (one chart directory's dependencies) as paths from the root values:
 * Helm reads a subchart's conditions under the key its values sit at (`prefix`; dependencies.go
 * processDependencyEnabled's `path`), each split at its dots (chartutil Values.PathValue).
 */
function conditionsOf(deps: ChartDependency[], prefix: string[]): ChartCondition[] {
  return deps.flatMap((d) => {
    const subchart = d.alias ?? d.name;
    const paths = d.conditions.filter((c) => c !== "");
    if (subchart === undefined) return [];
    return paths.map((c) => ({
      path: [...prefix, ...c.split(".")],
      subchart,
      alone: paths.length === 1 && d.tags.length === 0,
      ...(prefix.length > 0 ? { within: prefix[prefix.length - 1] } : {}),
    }));
  });
}

/** One entry of a Chart.yaml `dependencies`: its name and alias (when strings), and its `condition`. */
export interface ChartDependency {
  name?: string;
  /** The key its values sit under in the parent's, when not its name. */
  alias?: string;
  /** The values paths that turn it on or off (`condition`, comma-separated in Chart.yaml). */
  conditions: string[];
  /** Its `tags`, which turn it on or off too (the strings among them). */
  tags: string[];
}

/**
 * The `dependencies` of a Chart.yaml text, read as chartKeys reads the rest of the chart; undefined
 * when the text is absent or not YAML.
 */
export function chartDependencies(chartYaml: string | undefined): ChartDependency[] | undefined {
  const doc = safeYaml(chartYaml);
  if (doc === undefined) return undefined;
  const deps = isMap(doc) && Array.isArray(doc.dependencies) ? doc.dependencies : [];
  return deps.filter(isMap).map((d) => ({
    ...(typeof d.name === "string" ? { name: d.name } : {}),
    ...(typeof d.alias === "string" ? { alias: d.alias } : {}),
    conditions: typeof d.condition === "string" ? d.condition.split(",").map((c) => c.trim()) : [],
    tags: Array.isArray(d.tags) ? d.tags.filter((t): t is string => typeof t === "string") : [],
  }));
}

/** The strings of a values document that hold template actions (`{{ ... }}`). */
function templateStrings(doc: unknown): string[] {
  if (typeof doc === "string") return doc.includes("{{") ? [doc] : [];
  if (Array.isArray(doc)) return doc.flatMap(templateStrings);
  return isMap(doc) ? Object.values(doc).flatMap(templateStrings) : [];
}

/** A YAML document, or undefined when it is absent or not YAML Helm could read either. */
function safeYaml(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return parseUserYaml(text, { maxAliasCount: -1, uniqueKeys: false, merge: true });
  } catch {
    return undefined;
  }
}
