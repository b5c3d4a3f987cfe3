import { isMap } from "./tree";
import * as path from "path";
import { parse } from "yaml";

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

/** What {@link chartKeys} learns of one chart archive. */
export interface ChartKeys {
  /** The chart's values, as far as they are known key by key. */
  values: KeyTree;
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

// Functions a map passes through as a map: a copy or merge of it is still written out whole.
const PASSES = String.raw`(?:deepCopy|merge|mergeOverwrite|default)`;
/** `index P "a"`, `get P "a"` or `pluck "a" P` just before the path: the map picked is the one used. */
const INDEXES = /(?:index|get)\s*\(?\s*$/;
/** Whether what stands before a reference writes it out or ranges over it. */
function usedWholeBefore(before: string): boolean {
  return (
    new RegExp(String.raw`(?:${WRITES}|range)\s*\(?\s*(?:${PASSES}\s*\(?\s*)*$`).test(before) ||
    new RegExp(String.raw`range\s+(?:\$\w+\s*,\s*)?\$\w+\s*:=\s*(?:${PASSES}\s*\(?\s*)*$`).test(before)
  );
}
/** Whether what follows a reference pipes it, through copies and merges, into a writer. */
function usedWholeAfter(after: string): boolean {
  return new RegExp(String.raw`^\s*(?:\|\s*${PASSES}\b[^|]*)*\|\s*${WRITES}\b`).test(after);
}

/**
 * The value paths a template uses, each as the keys on the way: `.Values.a.b` (also `$.Values`,
 * `$root.Values`); a variable assigned a values path (`$c := .Values.singleBinary`, then
 * `$c.replicas`); the dot inside `with .Values.a` (`.b`); and literal keys read by `index`, `dig`,
 * `hasKey` and `set`. A use is whole when it is written out (`toYaml`, `tpl`, `toJson`) or ranged
 * over: only then are the map's keys the user's. A map merely tested or passed on (`hasKey`,
 * `include`, a variable) keeps the keys its default and the reads under it name.
 */
export function templateUses(text: string): TemplateUse[] {
  const out: TemplateUse[] = [];
  const vars = new Map<string, string[][]>();
  // Variables holding a key, by name: `$k := "vmagent"`, `$k := .agentKey | default "vmagent"`.
  const keyVars = new Map<string, string>();
  // What `.` is in each open block: a values path, or undefined (the root, a range element, a define's argument).
  const dots: (string[] | undefined)[] = [undefined];
  for (const action of text.matchAll(/\{\{-?([\s\S]*?)-?\}\}/g)) {
    const raw = action[1].trim();
    if (raw.startsWith("/*")) continue;
    // Only a literal, or one field of the context (`.agentKey`, what a helper is called with)
    // defaulting to one: a values path defaulting to a literal (`$tag := .Values.image.tag | default
    // "x"`) stays a values path, read below.
    const keyVar = /^(\$\w+)\s*:?=\s*(?:"([^"]+)"|\.\w+\s*\|\s*default\s+"([^"]+)")\s*$/.exec(raw);
    if (keyVar) keyVars.set(keyVar[1], keyVar[2] ?? keyVar[3]);
    // A key variable read as a literal, so `index $Values $agentKey` (victoria-metrics-k8s-stack
    // 0.91.2 `vm.agent.spec`) reads the key it holds (its default, when a caller may pass another).
    const body = raw.replace(/\$\w+\b/g, (v) => (keyVars.has(v) ? `"${keyVars.get(v)}"` : v));
    const dot = dots[dots.length - 1];
    const refs: { at: number; end: number; paths: string[][]; full: string[][] }[] = [];
    // Quoted text blanked out (same length): a literal such as "app.kubernetes.io/name" is no path.
    const code = body.replace(/"(?:[^"\\]|\\.)*"|`[^`]*`/g, (q) => `"${" ".repeat(q.length - 2)}"`);
    for (const m of code.matchAll(REF)) {
      const paths = resolve(m, dot, vars);
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
    // Variables: `$x := <values path>` (or `=`), by name across the file; also the map an `index`
    // or `get` of one picks (`$agentValues := index $Values "vmagent"`), whose path has the keys.
    const assign = /^(?:(?:with|if)\s+)?(\$\w+)\s*:?=\s*/.exec(body);
    const start = (assign ?? /^with\s+/.exec(body))?.[0].length;
    const picked = start === undefined ? undefined : /^\(?\s*(?:index|get)\s+\(?\s*/.exec(body.slice(start));
    const direct = refs.find((r) => r.at === start);
    const viaIndex = picked && refs.find((r) => r.at === start! + picked[0].length);
    const rhs = direct ?? (viaIndex && { ...viaIndex, paths: viaIndex.full });
    if (assign && rhs) vars.set(assign[1], [...(vars.get(assign[1]) ?? []), ...rhs.paths]);
    // The values themselves, as helpers called with a context take them: `$Values := (.helm).Values
    // | default .Values` (victoria-metrics-k8s-stack's _helpers.tpl), then `$Values.vmsingle.spec`.
    else if (
      assign &&
      /^\(\s*\.\w+\s*\)\.Values\s*(?:\||$)|^\$?\.Values\s*$/.test(body.slice(assign[0].length))
    )
      vars.set(assign[1], [[]]);
    // Blocks: `with P` makes `.` P inside; `range`, `define` and `block` make it something else.
    const word = /^(\w+)/.exec(body)?.[1];
    if (word === "end") {
      if (dots.length > 1) dots.pop();
    } else if (word === "with") dots.push(rhs?.paths[0]);
    else if (word === "if") dots.push(dot);
    else if (word === "range" || word === "define" || word === "block") dots.push(undefined);
  }
  return out;
}

/** The values paths a reference stands for (none when it is not one). */
function resolve(m: RegExpMatchArray, dot: string[] | undefined, vars: Map<string, string[][]>): string[][] {
  const [, variable, fields, bare] = m;
  if (bare !== undefined) return vars.get(bare) ?? [];
  if (fields === undefined) return dot ? [dot] : [];
  const names = fields.split(".").filter(Boolean);
  if (names[0] === "Values" && (variable === undefined || !vars.has(variable))) return [names.slice(1)];
  if (variable !== undefined) return (vars.get(variable) ?? []).map((p) => [...p, ...names]);
  return dot ? [[...dot, ...names]] : [];
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
    (n) => /(^|\/)(values|Chart)\.yaml$/.test(n) || /\/templates\//.test(n) || n.endsWith(".tpl"),
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
    const deps = (safeYaml(files.get(`${parent}/Chart.yaml`)) as { dependencies?: unknown[] } | undefined)
      ?.dependencies;
    const keys = (Array.isArray(deps) ? deps : [])
      .filter((d): d is { name: string; alias?: string } => isMap(d) && d.name === name)
      .map((d) => d.alias ?? d.name);
    const own = keys.length > 0 ? keys : [name ?? path.posix.basename(dir)];
    prefixes.set(
      dir,
      (prefixes.get(parent) ?? []).flatMap((p) => own.map((k) => [...p, k])),
    );
  }
  // A template belongs to the deepest chart directory holding it: `.Values` is that chart's.
  const owner = (file: string) => dirs.filter((d) => file.startsWith(`${d}/`)).pop();
  let values: KeyTree = {};
  for (const dir of dirs) {
    const own = treeOf(safeYaml(files.get(`${dir}/values.yaml`))) || {};
    const uses: TemplateUse[] = [];
    for (const [name, text] of files)
      if (owner(name) === dir && (name.startsWith(`${dir}/templates/`) || name.endsWith(".tpl")))
        uses.push(...templateUses(text));
    const tree = withTemplateUses(own, uses);
    for (const prefix of prefixes.get(dir) ?? []) {
      const placed = prefix.reduceRight<KeyTree>((acc, k) => ({ [k]: acc }), tree);
      values = mergeTrees(values, placed) || {};
    }
  }
  return { values };
}

/** A YAML document, or undefined when it is absent or not YAML Helm could read either. */
function safeYaml(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return parse(text, { maxAliasCount: -1, uniqueKeys: false, merge: true });
  } catch {
    return undefined;
  }
}
