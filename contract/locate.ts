/*
 * The one walk from a stack key path (`nodePools[0].taints`, `grafana.ini`) to its node in a
 * stack file's YAML document (eemeli/yaml v2 `parseDocument`, whose nodes keep their source range).
 * The program places its config problems with it (config/locate.ts ConfigLocator) and the pack the
 * stack keys its messages name (policy/lib/stackKeys.ts): one reading of the file, so that both
 * put a key on the same line. The contract imports no package, so each side passes in yaml's own
 * guards (keyLocator): they tell nodes apart by yaml's marks, whichever copy of yaml parsed them.
 */

/** One segment of a key path: a map key or a list index. */
export type Segment = string | number;

/** `a.b[0]["c.d"]` -> ["a", "b", 0, "c.d"] (the Pulumi property-path grammar, resource/properties_path.go). */
export function parseSegments(text: string): Segment[] {
  const out: Segment[] = [];
  const re = /\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]|([^.[\]]+)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[1] !== undefined) out.push(Number(m[1]));
    else if (m[2] !== undefined) out.push(m[2].replace(/\\"/g, '"'));
    else out.push(m[3]);
  }
  return out;
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

/** A key found in a map: its key node, its value, and how many segments its name took. */
export interface KeyEntry<N> {
  key: N;
  value: N | undefined;
  used: number;
}

/** Where a key path leads: the deepest key found on its way and its value. */
export interface KeyFound<N> {
  key: N;
  value: N | undefined;
  /** The whole path was found (false: `key` is the deepest key found on its way). */
  exact: boolean;
  /** `key` is a list item (the value itself, with no key of its own). */
  isItem: boolean;
}

/** The walk over one YAML document's nodes (`N`: the caller's node type, yaml's `Node`). */
export interface KeyLocator<N> {
  /** The key node and value of `segments[0]` in a map node, also when the key holds dots split apart. */
  keyEntry: (map: unknown, segments: Segment[]) => KeyEntry<N> | undefined;
  /** The first of `names` (in that order of preference) that `map` holds as a key. */
  firstKeyEntry: (map: unknown, names: string[]) => KeyEntry<N> | undefined;
  /** From a found key down the rest of its path: list indexes into lists, names into maps. */
  walkKeyPath: (from: { key: N; value: N | undefined }, rest: Segment[]) => KeyFound<N>;
}

/** yaml v2's shapes the walk reads, once a guard has said which a node is. */
type Items = { items: unknown[] };
type Pair = { key: unknown; value: unknown };

/** The walk, told nodes apart by the caller's guards: `{ isMap, isPair, isScalar, isSeq }` of yaml v2. */
export function keyLocator<N>(yaml: YamlGuards): KeyLocator<N> {
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
  const firstKeyEntry = (map: unknown, names: string[]): KeyEntry<N> | undefined => {
    for (const n of names) {
      const e = keyEntry(map, [n]);
      if (e) return e;
    }
    return undefined;
  };
  const walkKeyPath = (from: { key: N; value: N | undefined }, rest: Segment[]): KeyFound<N> => {
    let { key, value: node } = from;
    let isItem = false;
    let i = 0;
    while (i < rest.length && node) {
      const seg = rest[i];
      if (typeof seg === "number" && yaml.isSeq(node)) {
        const item = (node as unknown as Items).items[seg] as N | undefined;
        if (!item) break;
        key = item;
        node = item;
        isItem = true;
        i += 1;
        continue;
      }
      const e = keyEntry(node, rest.slice(i).map(String));
      if (!e) break;
      key = e.key;
      node = e.value;
      isItem = false;
      i += e.used;
    }
    return { key, value: node, exact: i >= rest.length, isItem };
  };
  return { keyEntry, firstKeyEntry, walkKeyPath };
}
