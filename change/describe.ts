/**
 * How the change check says what changes in an object (or a resource's inputs), for a person to
 * read. Lists are compared as lists: their items matched by a key where every item has one (a rule
 * group's `name`, a rule's `alert` or `record`, a container's or an env var's `name`), else by
 * position; so one rule inserted into a group is one line naming it, not every field of every item
 * after it. Only what is printed: whether an object is replaced or updated is decided elsewhere
 * (providerDiff.ts, apiRules.ts) and does not read this.
 */
import { isSecretEnvelope } from "@homelab-observability/contract";
import { sameJson } from "./sameJson";

/**
 * A value as a message may read it: a value a real export holds as a secret envelope is unreadable,
 * so undefined (neither said nor judged).
 */
export const plainValue = (v: any): any => (isSecretEnvelope(v) ? undefined : v);

/** The fields that name a list's item, in the order they are tried. */
const ITEM_KEYS = ["name", "alert", "record"];
/** Item names said per list change before `and N more`. */
const NAMES_SHOWN = 3;
/** Changes said per line before the rest is summed up (`and N more under <path>`). */
const CHANGES_SHOWN = 4;

const isMap = (x: unknown): x is Record<string, unknown> => !!x && typeof x === "object" && !Array.isArray(x);

/** `a.b`, `a["c.d"]`: a map key appended to a path (as the provider's detailed diff writes it). */
function keyPath(prefix: string, key: string): string {
  if (/[."[\]=\s]/.test(key) || key === "") return `${prefix}["${key.replace(/"/g, '\\"')}"]`;
  return prefix ? `${prefix}.${key}` : key;
}

/**
 * The changes from `a` to `b`, one string each, each starting with the path it concerns:
 * `data.phase` (a value), `spec.groups: 2 removed (config-reloaders, prometheus-operator)`,
 * `spec.groups[name=prometheus].rules[alert=PrometheusBadConfig].expr`, `spec.ingress: 1 added ([3])`.
 * A list of plain values (args, ports as numbers) is one change at its path; so is a secret.
 */
export function describeChanges(a: unknown, b: unknown, path = ""): string[] {
  if (sameJson(a, b)) return [];
  const here = path || "(whole object)";
  if (isSecretEnvelope(a) || isSecretEnvelope(b)) return [here];
  if (isMap(a) && isMap(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    return keys.flatMap((k) => describeChanges(a[k], b[k], keyPath(path, k)));
  }
  if (Array.isArray(a) && Array.isArray(b)) return describeList(a, b, here);
  return [here];
}

/** Each item's identity (`name=x`, `alert=y`; `#2` on a repeated one), or undefined when one has none. */
function itemIds(list: unknown[]): string[] | undefined {
  const seen = new Map<string, number>();
  const ids: string[] = [];
  for (const item of list) {
    if (!isMap(item)) return undefined;
    const field = ITEM_KEYS.find((k) => typeof item[k] === "string");
    if (!field) return undefined;
    // A record rule may repeat (one per label set): its nth occurrence matches the other side's nth.
    const id = `${field}=${item[field] as string}`;
    const n = (seen.get(id) ?? 0) + 1;
    seen.set(id, n);
    ids.push(n > 1 ? `${id}#${n}` : id);
  }
  return ids;
}

/** `(a, b, c and 4 more)`: the items a list change names. */
function named(items: string[]): string {
  const shown = items.slice(0, NAMES_SHOWN).join(", ");
  return `(${shown}${items.length > NAMES_SHOWN ? ` and ${items.length - NAMES_SHOWN} more` : ""})`;
}

/** `rules: 1 added (a), 2 removed (b, c)`: what a list gains and loses, one change; none when neither. */
function listChange(path: string, added: string[], removed: string[], reordered: boolean): string[] {
  const said = [
    ...(added.length ? [`${added.length} added ${named(added)}`] : []),
    ...(removed.length ? [`${removed.length} removed ${named(removed)}`] : []),
    ...(reordered ? ["order changed"] : []),
  ];
  return said.length ? [`${path}: ${said.join(", ")}`] : [];
}

/** What the list adds and removes, then what changes inside the items both sides have. */
function describeList(a: unknown[], b: unknown[], path: string): string[] {
  const [ia, ib] = [itemIds(a), itemIds(b)];
  if (ia && ib) return describeKeyed(a, b, ia, ib, path);
  if (![...a, ...b].every(isMap)) return [path];
  const common = Math.min(a.length, b.length);
  const at = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `[${from + i}]`);
  return [
    ...listChange(path, at(common, b.length), at(common, a.length), false),
    ...a.slice(0, common).flatMap((x, i) => describeChanges(x, b[i], `${path}[${i}]`)),
  ];
}

function describeKeyed(a: unknown[], b: unknown[], ia: string[], ib: string[], path: string): string[] {
  const [inA, inB] = [new Set(ia), new Set(ib)];
  // An item is said by its key's value; the key's field shows in the paths below it.
  const value = (id: string) => id.slice(id.indexOf("=") + 1);
  const added = ib.filter((id) => !inA.has(id)).map(value);
  const removed = ia.filter((id) => !inB.has(id)).map(value);
  const kept = ib.filter((id) => inA.has(id));
  const reordered = kept.join("\n") !== ia.filter((id) => inB.has(id)).join("\n");
  return [
    ...listChange(path, added, removed, reordered),
    ...kept.flatMap((id) => describeChanges(a[ia.indexOf(id)], b[ib.indexOf(id)], `${path}[${id}]`)),
  ];
}

/** The path a change starts with, as segments: `spec`, `groups`, `[name=prometheus]`, `rules`. */
export function leadingPath(change: string): string[] {
  const segments: string[] = [];
  let i = 0;
  while (i < change.length) {
    if (change[i] === "[") {
      const quoted = change[i + 1] === '"';
      let j = i + 1;
      if (quoted) for (j = i + 2; j < change.length && change[j] !== '"'; j++) if (change[j] === "\\") j++;
      j = change.indexOf("]", j);
      if (j < 0) break;
      segments.push(change.slice(i, j + 1));
      i = j + 1;
    } else {
      if (change[i] === ".") i++;
      const m = /^[^.[\s:(]+/.exec(change.slice(i));
      if (!m) break;
      segments.push(m[0]);
      i += m[0].length;
    }
    if (i < change.length && change[i] !== "." && change[i] !== "[") break;
  }
  return segments;
}

const joinPath = (segments: string[]) =>
  segments.map((s, i) => (i === 0 || s.startsWith("[") ? s : `.${s}`)).join("");

/** The path a change concerns, without what it says of it: `spec.groups` of `spec.groups: 1 added (x)`. */
export const changePath = (change: string): string => joinPath(leadingPath(change));

/**
 * A change's list of changes as one readable run: all of them when few, else the first few and
 * `and N more under <the path the rest share>` (`and N more` when they share none).
 */
export function summarizeChanges(changes: string[], shown = CHANGES_SHOWN): string {
  if (changes.length <= shown) return changes.join(", ");
  const head = changes.slice(0, shown - 1);
  const rest = changes.slice(shown - 1);
  const paths = rest.map(leadingPath);
  const common: string[] = [];
  for (let i = 0; paths.every((p) => p.length > i && p[i] === paths[0][i]); i++) common.push(paths[0][i]);
  return `${head.join(", ")}, and ${rest.length} more${common.length ? ` under ${joinPath(common)}` : ""}`;
}
