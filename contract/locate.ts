/*
 * The one walk from a stack key path (`nodePools[0].taints`, `grafana.ini`) to its node in a
 * stack file's YAML document (eemeli/yaml v2 `parseDocument`, whose nodes keep their source range).
 * The program places its config problems with it (config/locate.ts ConfigLocator) and the pack the
 * stack keys its messages name (policy/lib/stackKeys.ts): one reading of the file, so that both
 * put a key on the same line. The contract imports no package, so each side passes in yaml's own
 * guards (keyLocator): they tell nodes apart by yaml's marks, whichever copy of yaml parsed them.
 * A side whose parse merges merge keys (`<<: *base`, the program's: config/yamlDocument.ts) passes
 * the guards for those too ({@link MergeGuards}), and the walk follows them and aliases to where a
 * value is written.
 */

/**
 * A file as a message names it: relative to `base`, the folder the command was started in, when
 * the file is inside it ("Pulumi.pi.yaml", "stacks/Pulumi.pi.yaml"), else as it is, absolute where
 * it was found so (a `../../` path reads worse than the file's own). The one rule for every place
 * the program's config messages and the pack's lines print. `file` and `base` are normalized paths.
 */
export function shownPath(file: string, base: string): string {
  const dir = base.endsWith("/") ? base : `${base}/`;
  return file.startsWith(dir) ? file.slice(dir.length) : file;
}

/** One segment of a key path: a map key or a list index. */
export type Segment = string | number;

/**
 * `a.b[0]["c.d"]` -> ["a", "b", 0, "c.d"] (the Pulumi property-path grammar, resource/properties_path.go
 * ParsePropertyPath). In a quoted key only `\"` is an escape (a quote); any other backslash is itself,
 * so `["a\\"b"]` is the key `a\"b` (config/tree.ts propertyPath writes it so).
 */
export function parseSegments(text: string): Segment[] {
  const out: Segment[] = [];
  const re = /\[(\d+)\]|\["((?:\\"|[^"])*)"\]|([^.[\]]+)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[1] !== undefined) out.push(Number(m[1]));
    else if (m[2] !== undefined) out.push(m[2].replace(/\\"/g, '"'));
    else out.push(m[3]);
  }
  return out;
}

/**
 * One step of a key path in the Pulumi CLI's property-path grammar, as the `i`th segment ({@link
 * parseSegments} reads it back; the program's config/tree.ts propertyPath and the pack's messages
 * write it): `.key`
 * (bare when first), `[0]` for a list index, `["a.b"]` for a key holding `.`, `[`, `]` or `"`,
 * which would otherwise be read as more than one key (pulumi/pulumi
 * sdk/go/common/resource/properties_path.go `ParsePropertyPath`: a bare name ends at `.` or `[`; a
 * quoted one runs to the closing `"`, `\"` standing for a quote).
 */
export function pathStep(k: string | number, i: number): string {
  if (typeof k === "number") return `[${k}]`;
  if (k !== "" && !/[.[\]"]/.test(k)) return `${i === 0 ? "" : "."}${k}`;
  return `["${k.replace(/"/g, '\\"')}"]`;
}

/**
 * The last item that matches: a key written twice in one map keeps its last value (the YAML parser's
 * `toJS`, which the config is judged on while the file has that slip), so its problems are placed there.
 */
export function lastOf<T>(items: readonly T[], match: (item: T) => boolean): T | undefined {
  for (let i = items.length - 1; i >= 0; i--) if (match(items[i])) return items[i];
  return undefined;
}

/** The guards of the `yaml` package (v2) the walk tells a map, a list, a pair and a scalar apart with. */
export interface YamlGuards {
  isMap: (node: unknown) => boolean;
  isSeq: (node: unknown) => boolean;
  isPair: (node: unknown) => boolean;
  isScalar: (node: unknown) => boolean;
}

/**
 * What a walk that follows merge keys and aliases needs of yaml v2 beyond {@link YamlGuards}:
 * `isAlias`, an alias's anchored node (`Alias.resolve(doc)`), and whether a pair's key is a merge
 * key (a parse with `merge: true` makes `<<` one).
 */
export interface MergeGuards {
  isAlias: (node: unknown) => boolean;
  resolve: (alias: unknown) => unknown;
  isMergeKey: (key: unknown) => boolean;
}

/**
 * One step by which a value reaches its key from elsewhere in the file: a merge key's key node
 * (`merge`) or an alias node, and the text it stands for (`` `<<: *base` ``, `` `*a` of `<<: [*a, *b]` ``,
 * `` `*pool` ``).
 */
export interface Step<N> {
  node: N;
  text: string;
  merge: boolean;
}

/** A key found in a map: its key node, its value, and how many segments its name took. */
export interface KeyEntry<N> {
  key: N;
  value: N | undefined;
  used: number;
  /** The merge keys it arrives through, outermost first (a walk with {@link MergeGuards} only). */
  through?: Step<N>[];
}

/** Where a key path leads: the deepest key found on its way and its value. */
export interface KeyFound<N> {
  key: N;
  value: N | undefined;
  /** The whole path was found (false: `key` is the deepest key found on its way). */
  exact: boolean;
  /** `key` is a list item (the value itself, with no key of its own). */
  isItem: boolean;
  /** The merge keys and aliases the value arrives through, outermost first (with {@link MergeGuards}). */
  through: Step<N>[];
}

/** The walk over one YAML document's nodes (`N`: the caller's node type, yaml's `Node`). */
export interface KeyLocator<N> {
  /** The key node and value of `segments[0]` in a map node, also when the key holds dots split apart. */
  keyEntry: (map: unknown, segments: Segment[]) => KeyEntry<N> | undefined;
  /** The first of `names` (in that order of preference) that `map` holds as a key (or merges in). */
  firstKeyEntry: (map: unknown, names: string[]) => KeyEntry<N> | undefined;
  /** From a found key down the rest of its path: list indexes into lists, names into maps. */
  walkKeyPath: (from: KeyEntry<N> | { key: N; value: N | undefined }, rest: Segment[]) => KeyFound<N>;
}

/** yaml v2's shapes the walk reads, once a guard has said which a node is. */
type Items = { items: unknown[] };
type Pair = { key: unknown; value: unknown };

/**
 * The walk, told nodes apart by the caller's guards: `{ isMap, isPair, isScalar, isSeq }` of yaml v2,
 * and with `merges` it follows merge keys and aliases.
 */
export function keyLocator<N>(yaml: YamlGuards, merges?: MergeGuards): KeyLocator<N> {
  const keyEntry = (map: unknown, segments: Segment[]): KeyEntry<N> | undefined => {
    if (!yaml.isMap(map)) return undefined;
    const items = (map as Items).items;
    // A map key with dots (`grafana.ini` under chartValues) arrives split: the longest match wins.
    for (let n = segments.length; n >= 1; n--) {
      const name = segments.slice(0, n).join(".");
      const pair = lastOf(
        items,
        (p) =>
          yaml.isPair(p) &&
          yaml.isScalar((p as Pair).key) &&
          String(((p as Pair).key as { value: unknown }).value) === name,
      ) as Pair | undefined;
      if (pair) return { key: pair.key as N, value: (pair.value as N | null) ?? undefined, used: n };
    }
    return undefined;
  };
  /** A merge key's entry as written, for a message: `*base`, or `{...}` for a map written in place. */
  const entryText = (n: unknown) => (merges?.isAlias(n) ? `*${(n as { source: string }).source}` : "{...}");
  /**
   * `keyEntry`, also when a merge key brings the key in. A key written in the map itself comes
   * first, wherever it stands: the value eemeli/yaml's merge keeps, and the Pulumi CLI's
   * gopkg.in/yaml.v3 v3.0.1 too (decode.go `merge` marks the map's own keys in `mergedFields`
   * before it merges). Else the first `<<` of the map that sets it (a map with a second `<<` the
   * CLI refuses, and the program with it: config/stackFile.ts mapsWithMergeKeys), followed into its
   * map as far as it goes: nested merges, and in a list (`<<: [*a, *b]`) the first entry that sets
   * the key, which yaml.v3 keeps too (decode.go `merge` unmarshals the entries in order, each key
   * once; run against gopkg.in/yaml.v3 v3.0.1 from the Go module proxy).
   */
  const reach = (map: unknown, segments: Segment[], seen = new Set<unknown>()): KeyEntry<N> | undefined => {
    const own = keyEntry(map, segments);
    if (own || !merges || !yaml.isMap(map) || seen.has(map)) return own;
    seen.add(map);
    for (const pair of (map as Items).items as Pair[]) {
      if (!yaml.isPair(pair) || !merges.isMergeKey(pair.key)) continue;
      const list = yaml.isSeq(pair.value);
      const entries = list ? (pair.value as Items).items : [pair.value];
      for (const entry of entries) {
        const found = reach(merges.isAlias(entry) ? merges.resolve(entry) : entry, segments, seen);
        if (!found) continue;
        const text = list
          ? `\`${entryText(entry)}\` of \`<<: [${entries.map(entryText).join(", ")}]\``
          : `\`<<: ${entryText(entry)}\``;
        return { ...found, through: [{ node: pair.key as N, text, merge: true }, ...(found.through ?? [])] };
      }
    }
    return undefined;
  };
  const firstKeyEntry = (map: unknown, names: string[]): KeyEntry<N> | undefined => {
    for (const n of names) {
      const e = reach(map, [n]);
      if (e) return e;
    }
    return undefined;
  };
  const walkKeyPath = (
    from: KeyEntry<N> | { key: N; value: N | undefined },
    rest: Segment[],
  ): KeyFound<N> => {
    let { key, value: node } = from;
    const through = [...(("through" in from ? from.through : undefined) ?? [])];
    let isItem = false;
    let i = 0;
    while (i < rest.length && node) {
      // An alias's anchored node is never an alias itself (YAML gives an alias no anchor): one step.
      const alias = merges?.isAlias(node) ? node : undefined;
      const target = alias ? (merges!.resolve(alias) as N | undefined) : node;
      if (!target) break;
      const seg = rest[i];
      const item = typeof seg === "number" && yaml.isSeq(target);
      const listed = item ? ((target as unknown as Items).items[seg] as N | undefined) : undefined;
      const next: KeyEntry<N> | undefined = item
        ? listed && { key: listed, value: listed, used: 1 }
        : reach(target, rest.slice(i).map(String));
      if (!next) break;
      if (alias) through.push({ node: alias, text: `\`${entryText(alias)}\``, merge: false });
      through.push(...(next.through ?? []));
      ({ key, value: node } = next);
      isItem = item;
      i += next.used;
    }
    return { key, value: node, exact: i >= rest.length, isItem, through };
  };
  return { keyEntry, firstKeyEntry, walkKeyPath };
}

/** One step of a JSON pointer (RFC 6901) unescaped: `~1` is "/", then `~0` is "~". */
export const pointerStep = (step: string): string => step.replace(/~1/g, "/").replace(/~0/g, "~");

/** The steps of JSON pointer `pointer` (`/spec/template/metadata/annotations/a~1b`), unescaped ({@link pointerStep}); none for "". */
export const pointerSteps = (pointer: string): string[] => pointer.split("/").slice(1).map(pointerStep);
