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
 * not checked key by key: a scalar, a list, an empty map (`podAnnotations: {}`), or a map the
 * templates use whole (`toYaml .Values.resources`, `range .Values.x`, `index .Values "grafana.ini"`),
 * whose keys are whatever the user writes.
 */
export interface KeyTree {
  [key: string]: KeyTree | 0;
}

/** What {@link chartKeys} learns of one chart archive. */
export interface ChartKeys {
  /** The chart's values, as far as they are known key by key. */
  values: KeyTree;
  /** Every name the templates use (field names after a dot, quoted words): a key they read is among them. */
  words: string[];
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

const isMap = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

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

/**
 * The value paths a template uses: `.Values.a.b` (also `$.Values`, `$root.Values`) and
 * `index .Values.a "b" "c"`, each as the keys on the way. The path's end is used whole.
 */
export function templatePaths(text: string): string[][] {
  const out: string[][] = [];
  const chain = /\$?\w*\.Values((?:\.[A-Za-z_]\w*)*)((?:\s+"[^"]+")*)/g;
  for (const m of text.matchAll(chain)) {
    const fields = m[1].split(".").filter(Boolean);
    const before = text.slice(Math.max(0, (m.index ?? 0) - 7), m.index);
    const quoted = /index\s*\(?\s*$/.test(before) ? [...m[2].matchAll(/"([^"]+)"/g)].map((q) => q[1]) : [];
    out.push([...fields, ...quoted]);
  }
  return out;
}

/** `tree` with every path the templates use whole made a leaf, and every key on the way known. */
function withTemplatePaths(tree: KeyTree, paths: string[][]): KeyTree {
  for (const p of paths) {
    if (p.length === 0) continue;
    let level = tree;
    for (const [i, k] of p.entries()) {
      if (i === p.length - 1) level[k] = 0;
      else {
        const next = level[k];
        if (next === 0) break;
        level = level[k] = next ?? {};
      }
    }
  }
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
  const words = new Set<string>();
  for (const dir of dirs) {
    const own = treeOf(safeYaml(files.get(`${dir}/values.yaml`))) || {};
    const paths: string[][] = [];
    for (const [name, text] of files)
      if (owner(name) === dir && (name.startsWith(`${dir}/templates/`) || name.endsWith(".tpl"))) {
        paths.push(...templatePaths(text));
        for (const m of text.matchAll(/\.([A-Za-z_][\w-]*)|"([^"\s{}]+)"/g)) words.add(m[1] ?? m[2]);
      }
    const tree = withTemplatePaths(own, paths);
    for (const prefix of prefixes.get(dir) ?? []) {
      const placed = prefix.reduceRight<KeyTree>((acc, k) => ({ [k]: acc }), tree);
      values = mergeTrees(values, placed) || {};
    }
  }
  return { values, words: [...words].sort() };
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
