import { z } from "zod";
import type { ChartKeys } from "./chartKeys";
import {
  CHART_KEY_NOTE,
  UNKNOWN_KEY,
  chartValueKeyHint,
  chartValuePathOf,
  chartValueProblems,
  type ChartKeyMeant,
} from "./chartValueCheck";
import { imageValueProblems } from "./imageValueCheck";
import { judgedByLoki, lokiValueProblems } from "./lokiValueCheck";
import { CHART_NAMES } from "./chartValues";
import {
  closestMatch,
  ConfigError,
  expectedForm,
  formatIssue,
  hasDefault,
  isKnownPath,
  keyMention,
  knownKeysAt,
  mapValueHint,
  meantKeyOf,
  meantKeySet,
  misspeltDiscriminator,
  namesKey,
  oneLinePerValue,
  oneMessagePerSlip,
  sealedMisspelt,
  standInFor,
  type StackFileFacts,
  problemIsAt,
  type RefusedOverride,
  schemaAt,
  unionTextOptions,
  unquoted,
  valueAsMeant,
} from "./errors";
import { parseSegments } from "./locate";
import { isArm32 } from "./nodePools";
import { holdsSecret } from "./receivers";
import { ITEM_RULES, parseStackConfig } from "./resolve";
import { parseRaw, PROJECT, rawSchema, redactUrl, UNAME_ARCHES, urlAsRead, type StackConfig } from "./schema";
import { isMap, propertyPath, setConfigCommand, valueAt } from "./tree";
import { undecryptableFact, type PlainSecret, type SecureProblem, type SecureValue } from "./stackFile";
import { regExpText } from "../model/words";

/*
 * A stack's config judged whole, for both ways in: the offline tools (stackCheck.ts, after the
 * Pulumi CLI's own rules) and the real program (load.ts, after the CLI passed the stack). The
 * schema's refusals, the chartValues keys and the rules between keys report together, the rules
 * running with each refused value left to its default and a misspelt key read as the one it
 * meant, so one run lists every problem and both ways say the same.
 */

/**
 * The stack's `chartValues` entries the schema takes: a map under a chart name. An unknown chart
 * name or a value that is no map is the schema's problem; the other charts' keys are still
 * checked, in the same run (one misspelt chart name hid every other chart's misspelt keys).
 */
const readChartValues = (raw: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries(isMap(raw.chartValues) ? raw.chartValues : {}).filter(
      ([chart, v]) => (CHART_NAMES as readonly string[]).includes(chart) && isMap(v),
    ),
  ) as Record<string, Record<string, unknown>>;

/** A key path as the problems name it: `loki.retention`, `nodePools[1].name`. */
const pathText = (path: (string | number)[]) =>
  path.length === 0 ? "" : propertyPath(String(path[0]), path.slice(1));

/**
 * `raw` without what the schema refuses, for the rules between keys: each refused value removed
 * where it sits (a bad `loki.retention` goes, `loki.replicas` and `loki.replicationFactor` stay and
 * are still checked against each other), so it takes its default; inside a list's item too (a
 * plain `auth_password` of one receiver goes, the receiver stays). An item refused whole, or left
 * without a required key, goes from its list (at the outermost list, for a list inside an item),
 * and the others stay judged: one receiver with a name given twice set aside every receiver, and
 * the other receivers' problems waited for the next run. `items` names the items gone (by their
 * index in the file); the rules judge the list without them, so their problems name the items
 * left by their index in the file (`renumber`) and a problem naming the list as a whole, judged
 * on fewer items than the file holds, is dropped (judgedStackConfig). A map left without a
 * required key (its value refused and cut, or never written) goes itself, and the rest of its key
 * stays judged: a bad `grafana.ingress.host` sets
 * `grafana.ingress` aside, not `grafana` with its `grafana.url` rule; a map required in turn is
 * missing in the next round and its own holder goes, up to the top-level key. A map set aside is
 * judged as absent, which the file does not say: a rule's problem naming it is dropped
 * (`setAside`, judgedStackConfig), so `grafana.ingress.tls` gone for a bad `secretName` never
 * makes `https://` in `grafana.url` look wrong. Where a cut leaves a top-level key still refused
 * (a list at the top level, a value a second round still refuses), the whole key goes; so do the
 * keys in `brokenKeys` (refused by the Pulumi CLI's rules). `whole` names the keys gone whole,
 * `leaves` the paths of values removed inside kept keys (by the file's indexes; `leavesNow` by
 * the repaired lists').
 *
 * An unknown key is not a value to default: one whose "did you mean" names a key its map lacks (at
 * the top level, one the file does not set) is read as that key (`readAs`, what it names to what it
 * is read as), in a list's item
 * too (renamed in place, the item does not move: `nodePools[0].memroy` as `memory`, and the pools'
 * rules still run), and the "required" refusal of the key it fills is passed over, so the rules see
 * what was meant (a misspelt `takeover.releases` key, dropped, made its release look absent and a
 * rule on it refuse a value that was right); a value the key it names refuses is not read as it,
 * but cut as that key's own refused value would be (its own line says so, errors.ts asMeantKey);
 * any other unknown key is removed and named nowhere, as the config it is in never reads it.
 */
function repairedRaw(raw: Record<string, unknown>, brokenKeys: string[], file: StackFileFacts): RepairedRaw {
  const r = new RawRepair(raw, brokenKeys);
  const { repaired, leaves, maps, items, kept, pending, readAs } = r;
  // A later round cuts only maps left without a required key, and whole keys: what a cut leaf
  // leaves refused otherwise cannot be mended below.
  for (let round = 0; ; round++, r.removePending()) {
    const parsed = (round === 0 && r.parsed) || rawSchema.safeParse(repaired);
    if (parsed.success) return r.result();
    const paths = refusedPaths(parsed.error.issues);
    const filled = new Set<string>();
    // A refusal of the whole config (no key to cut), or of keys already cut (a required key
    // missing), cannot be repaired further.
    if (
      paths.every(({ path: p }) => p.length > 0 && !(String(p[0]) in repaired)) ||
      paths.some(({ path: p }) => p.length === 0)
    )
      return r.result();
    for (const { path, unknown } of paths) {
      if (!unknown && filled.has(pathText(path))) continue;
      const inItem = path.findIndex((p) => typeof p === "number");
      // An item already going: what else it holds is moot.
      if (inItem >= 0 && pending.get(pathText(path.slice(0, inItem)))?.at.has(path[inItem] as number))
        continue;
      // A refused value is cut where it sits, inside a list's item too (the item stays where it
      // is, so nothing shifts), and an unknown key there is renamed in place.
      const target = path;
      const above = target.slice(0, -1);
      // A top-level key is cut whole, but an unknown one is read as the key it means, as one in a
      // map is: dropped, a misspelt `profle: lightweight` left the profile at its default and a rule
      // refused the `victoriametrics` key beside it, a second message with a wrong fix. A key named
      // as a path (`loki.retention`) is no misspelt key (errors.ts pathNamedKeyProblem).
      const topUnknown = above.length === 0 && unknown && parseSegments(String(target[0])).length === 1;
      const holder = above.length > 0 ? valueAt(repaired, above) : topUnknown ? repaired : undefined;
      const present = isMap(holder) && String(target[target.length - 1]) in holder;
      // A required key whose refused value was cut here, and whose form has a valid value
      // (errors.ts standInFor; a map's is made of its required keys'): that value stands in, and
      // the map holding it stays judged. Set aside instead, a top-level map went whole, and a required one (objectStore) held back every rule.
      // So does a required key the file never wrote, outside a list's item (whose item goes, as
      // the list's rules judge items, not keys): a missing `grafana.ingress.controllerNamespace`
      // set the Ingress aside, and `grafana.url`'s scheme against its TLS waited for the next run.
      const cut = leaves.has(pathText(r.fileIndex(path)));
      const standIn =
        !present && !unknown && isMap(holder) && (cut || inItem < 0)
          ? standInFor(schemaAt(path, repaired) as z.ZodTypeAny)
          : undefined;
      if (standIn !== undefined && isMap(holder)) {
        holder[String(target[target.length - 1])] = standIn;
        r.standIns.set(pathText(r.fileIndex(path)), standIn);
        // Judged as a refused value is (its rules' problems dropped), but noted as not written.
        if (!cut) {
          leaves.add(pathText(r.fileIndex(path)));
          r.absent.add(pathText(r.fileIndex(path)));
        }
        continue;
      }
      if (!present && !unknown && isMap(holder) && above.length > 1) {
        // A required key missing from a map that is there (refused and cut, or never written):
        // the map holding it goes, the rest of its key stays judged; inside a list, its item goes.
        // A map that is required in turn is missing at the next round and its own holder goes.
        if (inItem >= 0) {
          r.removeItem(path);
          continue;
        }
        const outer = valueAt(repaired, above.slice(0, -1));
        if (isMap(outer)) {
          delete outer[String(above[above.length - 1])];
          leaves.add(pathText(above));
          maps.add(pathText(above));
          continue;
        }
      }
      const parent = round === 0 ? holder : undefined;
      if (!isMap(parent) || !present) {
        // An item refused whole, or refused again once its values were cut: the item goes. A list
        // refused once items went from it (too few left) takes its default, as a refused list does.
        if (inItem >= 0) r.removeItem(path);
        else if (kept.has(pathText(path)) && isMap(holder)) {
          delete holder[String(path[path.length - 1])];
          leaves.add(pathText(path));
          [...items].filter((i) => pathWithin(i, pathText(path))).forEach((i) => items.delete(i));
          kept.delete(pathText(path));
        } else r.drop(String(path[0]));
        continue;
      }
      const key = String(target[target.length - 1]);
      const meant = unknown ? meantKeyOf(key, knownKeysAt(above, repaired)) : undefined;
      // A value the key meant refuses is said in the misspelt key's own line (errors.ts
      // asMeantKey) and cut as that key's would be: the key meant takes its default, or, required,
      // its map is set aside. Read as it, the next round refused it and cut the whole top-level
      // key (`grafana` for a list under `grafana.ingress.hosts`).
      // Another misspelt key read as it already (`lokii` and `lok`, both closest to `loki`): the
      // first in the file is read, as a map already holding the key is left as it is; at the top
      // level meantKeySet asks the file, which holds neither, and the second overwrote the first.
      const taken =
        meant !== undefined && [...readAs.values()].includes(pathText(r.fileIndex([...above, meant])));
      if (meant !== undefined && !taken && !meantKeySet(above, meant, repaired, file)) {
        const at = pathText(r.fileIndex([...above, meant]));
        const value = valueAsMeant(above, meant, parent[key]);
        // A `secure:` value meant for a key that is no secret is unknown offline (a placeholder
        // stands in): read as the key meant, the rules would judge, and name things after, that.
        if (sealedMisspelt(above, key, meant, repaired, file)) r.leaveUnset(at, true);
        else if (schemaAt([...above, meant], repaired)?.safeParse(value).success === false)
          r.leaveUnset(at, false);
        else {
          r.readInto(at);
          parent[meant] = value;
          readAs.set(pathText(r.fileIndex(path)), at);
          filled.add(pathText([...above, meant]));
        }
      } else if (!unknown) leaves.add(pathText(r.fileIndex(target)));
      delete parent[key];
    }
  }
}

/** What {@link repairedRaw} returns; its comment says what each names. */
interface RepairedRaw {
  repaired: Record<string, unknown>;
  whole: Set<string>;
  leaves: string[];
  leavesNow: string[];
  items: string[];
  renumber: (problem: string) => string;
  readAs: Map<string, string>;
  standIns: Map<string, unknown>;
  absent: string[];
  valuesReadAs: Map<string, ValueReadAs>;
  setAside: string[];
  sealed: string[];
}

/**
 * A variant's name written under a misspelt key (`objectStore: {tpye: minio}`) read as the
 * discriminator it means, in `raw` itself (errors.ts misspeltDiscriminator): zod stops at the
 * missing discriminator and names no unknown key, so the map was held back whole and the rules
 * between keys waited for the next run, where the schema's own lines judge it as that variant.
 * Returns each key read so (its path as written, to the path meant), and the schema's verdict on
 * `raw` when none was ({@link RawParse}).
 */
function misspeltDiscriminatorsReadAs(raw: Record<string, unknown>): {
  readAs: Map<string, string>;
  parsed?: RawParse;
} {
  const readAs = new Map<string, string>();
  const parsed = rawSchema.safeParse(raw);
  if (parsed.success) return { readAs, parsed };
  for (const i of parsed.error.issues) {
    if (i.code !== "invalid_union_discriminator" || valueAt(raw, i.path) !== undefined) continue;
    const holder = i.path.slice(0, -1);
    const slip = misspeltDiscriminator(holder, raw);
    const map = valueAt(raw, holder);
    if (!slip || !isMap(map)) continue;
    map[slip.discriminator] = map[slip.key];
    delete map[slip.key];
    readAs.set(pathText([...holder, slip.key]), pathText([...holder, slip.discriminator]));
  }
  // A key read as its discriminator changed `raw`: the verdict is of the config before.
  return { readAs, parsed: readAs.size === 0 ? parsed : undefined };
}

/**
 * The schema's verdict on a repair's copy of the config, handed from one step of the repair to the
 * next while the copy is unchanged: a refused config was parsed three times over the same copy
 * (misspeltDiscriminatorsReadAs, misspeltValuesReadAs's first round, repairedRaw's first round)
 * where nothing was read as meant, each parse the whole schema's (about a tenth of a refused stack
 * file's check, checkedStackConfig, in a profile). The schema reads its input and never writes it.
 */
type RawParse = ReturnType<typeof rawSchema.safeParse>;

/**
 * Each path the schema refused in one round of {@link repairedRaw}, an unknown key's with its key,
 * unknown keys first: one read as the key it meant fills that key, whose "required" refusal
 * (listed before the repair) then names a key that is there, and is passed over; taken first, it
 * cut the map holding both (a misspelt `parentRef.nam` set `grafana.httpRoute` aside, and the rule
 * on `grafana.ingress` beside it waited for the next run).
 */
function refusedPaths(issues: z.ZodIssue[]): { path: (string | number)[]; unknown: boolean }[] {
  return issues
    .flatMap((i) =>
      i.code === "unrecognized_keys"
        ? i.keys.map((k) => ({ path: [...i.path, k], unknown: true }))
        : [{ path: i.path, unknown: false }],
    )
    .sort((a, b) => Number(b.unknown) - Number(a.unknown));
}

/** Path `l` is under path `m` (a key or an index below it), as {@link pathText} writes both. */
const pathWithin = (l: string, m: string) => l.startsWith(m) && /^[.[]/.test(l.slice(m.length));

/**
 * What one {@link repairedRaw} has cut, set aside and read so far, shared by its rounds: the
 * repaired copy of the config, the removals of a round (made at its end), and how a path in the
 * repaired lists maps to the file's indexes and back.
 */
class RawRepair {
  readonly repaired: Record<string, unknown>;
  readonly valuesReadAs: Map<string, ValueReadAs>;
  readonly whole: Set<string>;
  readonly leaves = new Set<string>();
  readonly readAs = new Map<string, string>();
  /** The required keys whose refused value a valid one stands in for, by their path in the file. */
  readonly standIns = new Map<string, unknown>();
  /** Those of {@link standIns} the file does not write at all. */
  readonly absent = new Set<string>();
  /** Keys meant by a misspelt key holding a `secure:` value, set aside as unknown (errors.ts sealedMisspelt). */
  readonly sealed = new Set<string>();
  // Maps set aside for a required key they lack, and items gone from their lists: what was cut or
  // read inside them is moot.
  readonly maps = new Set<string>();
  readonly items = new Set<string>();
  // Each list an item went from (its path, which holds no index: items go at the outermost list),
  // with the file's index of each item left, in order; the removals of a round, made at its end.
  readonly kept = new Map<string, number[]>();
  readonly pending = new Map<string, { list: unknown[]; at: Set<number> }>();
  /** The schema's verdict on {@link repaired} as the constructor leaves it, when one was made ({@link RawParse}). */
  readonly parsed?: RawParse;

  constructor(raw: Record<string, unknown>, brokenKeys: string[]) {
    this.repaired = structuredClone(raw);
    brokenKeys.forEach((k) => delete this.repaired[k]);
    const discriminators = misspeltDiscriminatorsReadAs(this.repaired);
    discriminators.readAs.forEach((meant, given) => this.readAs.set(given, meant));
    const values = misspeltValuesReadAs(this.repaired, discriminators.parsed);
    this.valuesReadAs = values.readAs;
    this.parsed = values.parsed;
    // The keys below are gone from the copy already: dropping them again changes nothing of it.
    this.whole = new Set(brokenKeys);
    brokenKeys.forEach((k) => this.drop(k));
  }

  /** Keys meant that a misspelt key was not read as ({@link leaveUnset}). */
  private readonly unread = new Set<string>();

  /** Leaves key meant `at` unset: a misspelt key's value refused as its, or `sealed` (set aside as unknown). */
  leaveUnset(at: string, sealed: boolean): void {
    this.leaves.add(at);
    if (sealed) this.sealed.add(at);
    this.unread.add(at);
  }

  /**
   * Key meant `at` is read as a misspelt key's value: a slip of it before, refused as it (`nmae: 5`
   * beside `naem: workers`), left it unset, and a note would say so beside the one saying it read.
   */
  readInto(at: string): void {
    if (!this.unread.has(at)) return;
    this.leaves.delete(at);
    this.sealed.delete(at);
  }

  /** Cuts top-level key `k` whole. */
  drop(k: string): void {
    this.whole.add(k);
    delete this.repaired[k];
  }

  /** Path `l` is in no key gone whole, no map set aside and no item gone: what was done there stands. */
  private outside(l: string): boolean {
    return (
      !this.whole.has(l.split(/[.[]/)[0]) &&
      ![...this.maps].some((m) => pathWithin(l, m)) &&
      ![...this.items].some((i) => pathWithin(l, i) || l === i)
    );
  }

  /** Path `p` (in the repaired lists) with the index in a list items went from as the file gives it. */
  fileIndex(p: (string | number)[]): (string | number)[] {
    const at = p.findIndex((x) => typeof x === "number");
    const left = at < 0 ? undefined : this.kept.get(pathText(p.slice(0, at)));
    return left ? [...p.slice(0, at), left[p[at] as number], ...p.slice(at + 1)] : p;
  }

  /** Removes, at the round's end, the item of the outermost list `p` (a path in the repaired lists) is in. */
  removeItem(p: (string | number)[]): void {
    const at = p.findIndex((x) => typeof x === "number");
    const listPath = p.slice(0, at);
    const list = valueAt(this.repaired, listPath);
    if (!Array.isArray(list)) {
      this.drop(String(p[0]));
      return;
    }
    const key = pathText(listPath);
    if (!this.kept.has(key))
      this.kept.set(
        key,
        list.map((_, i) => i),
      );
    this.items.add(pathText(this.fileIndex(p.slice(0, at + 1))));
    const gone = this.pending.get(key) ?? { list, at: new Set<number>() };
    gone.at.add(p[at] as number);
    this.pending.set(key, gone);
  }

  /** Makes the round's item removals, last index first so none shifts another. */
  removePending(): void {
    for (const [key, { list, at }] of this.pending)
      for (const i of [...at].sort((a, b) => b - a)) {
        list.splice(i, 1);
        this.kept.get(key)!.splice(i, 1);
      }
    this.pending.clear();
  }

  /** `text` with each index of a list items went from moved by `move` (the list's indexes left). */
  private moved(text: string, move: (left: number[], i: number) => number): string {
    return [...this.kept].reduce(
      (t, [list, left]) =>
        t.replace(
          new RegExp(`(^|[^\\w.-])(${regExpText(list)})\\[(\\d+)\\]`, "g"),
          (_, before: string, name: string, i: string) => `${before}${name}[${move(left, Number(i))}]`,
        ),
      text,
    );
  }

  /** The repair as it stands, without what a key gone whole, a map set aside or an item gone makes moot. */
  result(): RepairedRaw {
    const outside = (l: string) => this.outside(l);
    return {
      repaired: this.repaired,
      whole: this.whole,
      leaves: [...this.leaves].filter(outside),
      leavesNow: [...this.leaves].filter(outside).map((l) => this.moved(l, (left, i) => left.indexOf(i))),
      items: [...this.items].filter((i) => !this.whole.has(i.split(/[.[]/)[0])),
      renumber: (problem: string) => this.moved(problem, (left, i) => left[i] ?? i),
      readAs: new Map([...this.readAs].filter(([l]) => outside(l))),
      standIns: new Map([...this.standIns].filter(([l]) => outside(l))),
      absent: [...this.absent].filter(outside),
      valuesReadAs: new Map([...this.valuesReadAs].filter(([l]) => outside(l))),
      setAside: [...this.maps].filter(outside),
      sealed: [...this.sealed].filter(outside),
    };
  }
}

/**
 * What a refused value is read as by the rules: an option close to it, what its quotes hold, or the
 * part of a URL its key takes (schema.ts urlAsRead).
 */
type ValueMeant = string | number | boolean;

/** A refused value as written, what the rules read it as, and why, as the note says it. */
type ValueReadAs = [given: string, meant: ValueMeant, why: string];

/** How each why of a URL read as the part of it the key takes begins (schema.ts urlAsRead). */
const URL_READ = "the URL ";

/**
 * A rule's `problem` quoting a URL it read as the part its key takes (schema.ts urlAsRead: without
 * its login, http for another scheme) as the file writes it, login hidden
 * (`got "ftp://<redacted>@grafana.example.net/sub"`): the value found is the file's, as the
 * schema's own line for it quotes it, not one the file does not hold.
 */
function withUrlsAsWritten(problem: string, valuesReadAs: Map<string, ValueReadAs>): string {
  // A rule quotes the URL it read as is or with its query's credentials hidden (`?token=<redacted>`):
  // either is the value the file writes.
  return [...valuesReadAs.values()]
    .filter(([, , why]) => why.startsWith(URL_READ))
    .reduce(
      (p, [given, meant]) =>
        [String(meant), redactUrl(String(meant))].reduce(
          (q, read) => q.split(JSON.stringify(read)).join(JSON.stringify(redactUrl(given))),
          p,
        ),
      problem,
    );
}

/**
 * Reads, in `raw` (in place), each value outside a list of allowed ones that is close to one of
 * them (an enum's `kps-remove`, a variant's `type: slakc`, an architecture as `uname -m` prints it)
 * as that one, as the value's own problem's "did you mean" names it: the rules between keys then
 * judge what was meant, in the same run, instead of the whole key at its default (a receiver's
 * list goes whole for one slip in one item, and `receiverCredentials` would be judged against no
 * receiver) or, for a required key, not at all. A number or a boolean written in quotes is read as
 * the value its quotes hold, as its line says to write it; a refused URL, as the part of it the key
 * takes (schema.ts urlAsRead). Returns what each path was read as, given to meant, and why, with
 * the schema's verdict on `raw` as left ({@link RawParse}; `first`, its verdict as given, if known).
 */
function misspeltValuesReadAs(
  raw: Record<string, unknown>,
  first?: RawParse,
): { readAs: Map<string, ValueReadAs>; parsed?: RawParse } {
  const readAs = new Map<string, ValueReadAs>();
  // A variant read right can reveal a slip inside it: a few rounds, each on what the last left.
  for (let round = 0; round < 4; round++) {
    const parsed = (round === 0 && first) || rawSchema.safeParse(raw);
    if (parsed.success) return { readAs, parsed };
    let changed = false;
    for (const i of parsed.error.issues) {
      if (i.path.length === 0) continue;
      const holder = valueAt(raw, i.path.slice(0, -1));
      const last = i.path[i.path.length - 1];
      const given =
        isMap(holder) || Array.isArray(holder)
          ? (holder as Record<string | number, unknown>)[last]
          : undefined;
      if (typeof given !== "string") continue;
      // A number or a boolean in quotes (`replicas: "3"`), which its line says to unquote: the
      // rules judge the number meant, as they judge a misspelt option as the option meant, so
      // following the line brings no new refusal on the next run.
      const own = i.code === "invalid_type" ? schemaAt(i.path, raw) : undefined;
      const bare = own && unquoted(own, given);
      if (bare !== undefined) {
        (holder as Record<string | number, unknown>)[last] = bare;
        readAs.set(pathText(i.path), [given, bare, "the value it holds in quotes"]);
        changed = true;
        continue;
      }
      // A URL refused for its login, its scheme or what follows its host
      // (`ftp://admin:…@grafana.example.net/sub`): the rules judge the rest of it, which they read
      // (its path against Grafana's Ingress, its host against the egress rules), in the same run;
      // cut, they ran with the key at its default and said the rest's mistakes one run later. The
      // rest is printed in the note: never a secret's.
      const url =
        i.code === "custom" && !holdsSecret(i.path, raw)
          ? urlAsRead(given, (u) => schemaAt(i.path, raw)?.safeParse(u).success === true)
          : undefined;
      if (url) {
        (holder as Record<string | number, unknown>)[last] = url[0];
        readAs.set(pathText(i.path), [given, ...url]);
        changed = true;
        continue;
      }
      // A union's texts taken as written (dashboardNamespaces' "all") are options like an enum's.
      const options =
        i.code === "invalid_enum_value" || i.code === "invalid_union_discriminator"
          ? i.options.map(String)
          : i.code === "invalid_union"
            ? unionTextOptions(schemaAt(i.path, raw))
            : [];
      // 32-bit ARM is not arm64 misspelt: the rules run without it rather than on a guess.
      if (options.includes("arm64") && isArm32(given)) continue;
      const meant = options.includes(UNAME_ARCHES[given])
        ? UNAME_ARCHES[given]
        : closestMatch(given, options);
      if (meant === undefined) continue;
      (holder as Record<string | number, unknown>)[last] = meant;
      readAs.set(pathText(i.path), [given, meant, "the value it is closest to"]);
      changed = true;
    }
    if (!changed) return { readAs, parsed };
  }
  // The last round read a value as meant: no verdict on `raw` as it is now.
  return { readAs };
}

/**
 * A rule's problem on a key read as the one a misspelt key meant (`readAs`, given to meant), said at
 * the key as written, which the file has and the locator finds: `…Stak (read as …Stack): …`.
 */
function asGiven(said: string, readAs: Map<string, string>): string {
  const problem = commandsAsGiven(said, readAs);
  for (const [given, meant] of readAs) {
    const head = `${PROJECT}:${meant}`;
    if (problem.startsWith(head) && /^[:.[]/.test(problem.slice(head.length)))
      return `${PROJECT}:${given}${problem.slice(head.length).replace(/^:/, ` (read as ${meant.split(/[.[]/).pop()}):`)}`;
  }
  return problem;
}

/** A key in a `pulumi …` command of a message: after a space or quote, before a quote, space, path or end. */
const commandKey = (key: string) => new RegExp(`(?<=[ '])${regExpText(key)}(?=['\`\\s.[]|$)`, "g");

/**
 * `problem` with the commands its hints give (`pulumi config rm …`, `config set --path '…'`) acting
 * on each misspelt key as written rather than on the key it was read as: the file holds the key as
 * written, so `pulumi config rm grafanaAdminPassword` for a `grafanaAdminPasword` removed nothing.
 */
function commandsAsGiven(problem: string, readAs: Map<string, string>): string {
  if (readAs.size === 0) return problem;
  return problem.replace(/`pulumi [^`]*`/g, (command) =>
    [...readAs].reduce((c, [given, meant]) => c.replace(commandKey(meant), given), command),
  );
}

/**
 * `problems` with each rule's refusal of a misspelt key read as the one it meant (`…mimirr (read as
 * mimir): …`, {@link asGiven}) folded into that key's own "unknown key; did you mean" line: one
 * mistake, one message, where the rename alone led to the refusal on the next run and the two lines
 * at the same place read as two mistakes.
 */
function withReadAsRefusals(problems: string[]): string[] {
  const folded = new Set<number>();
  const out = problems.map((p) => {
    const m = /^(\S+): unknown key; did you mean "([^"]+)"\?/.exec(p);
    if (!m) return p;
    const head = `${m[1]} (read as ${m[2]}): `;
    const refusals = problems.flatMap((q, j) => (q.startsWith(head) ? [j] : []));
    // A refusal led by another key whose command acts on this one (one message for several keys,
    // such as the secrets nothing reads): named, so the rename is not taken for the way out.
    const given = m[1].slice(PROJECT.length + 1);
    const elsewhere = problems
      .filter((q) => q !== p && !q.startsWith(head))
      .filter((q) => (q.match(/`pulumi [^`]*`/g) ?? []).some((c) => commandKey(given).test(c)))
      // The refusal's key, also when it is one read as another (`…Pasword (read as …Password): `).
      .map((q) => /^(\S+?)(?: \(read as [^)]*\))?:\s/.exec(q)?.[1] ?? q);
    if (refusals.length === 0 && elsewhere.length > 0)
      return `${p} (read as ${m[2]}, which is refused too: see ${elsewhere.join(", ")})`;
    if (refusals.length === 0) return p;
    refusals.forEach((j) => folded.add(j));
    return `${p} (read as ${m[2]}, which is refused: ${refusals.map((j) => problems[j].slice(head.length)).join("; ")})`;
  });
  return out.filter((_, i) => !folded.has(i));
}

/**
 * Said, so a rule's silence is not read as a pass: which values the rules between keys could not
 * see (a refused value at its default), and what they read instead of what is written (a misspelt
 * key or value as the one meant). A `missing` key had no value to refuse (its own problem says
 * so), and a `blocking` one is said by its own note: neither is named here.
 */
function repairNotes(
  r: Pick<
    ReturnType<typeof repairedRaw>,
    "leaves" | "whole" | "items" | "readAs" | "valuesReadAs" | "standIns" | "absent"
  >,
  missing: ReadonlySet<string>,
  blocking: readonly string[],
  /** Values set aside as `secure:` ones whose form is unknown offline, not as invalid ones. */
  offline: ReadonlySet<string> = new Set(),
  /** Keys a YAML slip leaves unsure, with its line (JudgeOptions.slipped). */
  slipped: readonly { key: string; line: number }[] = [],
  /**
   * Receivers' credentials refused for being written in the stack file (config/receivers.ts
   * noPlainCredentials, `params.plain`): the program never reads one from there (it comes from the
   * secrets backend), so the rules ran with it as the program reads the stack, whichever way out
   * the refusal offers: no note of their own (a second line for the one mistake), nor "invalid".
   */
  plainCredentials: ReadonlySet<string> = new Set(),
): string[] {
  const notes: string[] = [];
  const cut = [
    ...r.leaves.filter((k) => !r.absent.includes(k) && !plainCredentials.has(k)),
    ...[...r.whole].filter(
      (k) => rawSchema.shape[k as keyof typeof rawSchema.shape] && !missing.has(k) && !blocking.includes(k),
    ),
  ];
  // A key the schema gives no default is unset while its value is set aside, not at a default.
  const named = (keys: string[]) => keys.map((k) => `${PROJECT}:${k}`).join(", ");
  const ranWith = (keys: string[], why: string) => {
    // A required key's refused value a valid one stood in for (repairedRaw) is named with it.
    const standing = keys.filter((k) => r.standIns.has(k));
    const filled = keys.filter((k) => !standing.includes(k) && hasDefault(parseSegments(k)));
    const unset = keys.filter((k) => !standing.includes(k) && !filled.includes(k));
    const parts = [
      ...standing.map((k) => `${named([k])} read as ${JSON.stringify(r.standIns.get(k))}`),
      ...(filled.length > 0
        ? [`${named(filled)} at ${filled.length > 1 ? "their defaults" : "its default"}`]
        : []),
      ...(unset.length > 0 ? [`${named(unset)} unset`] : []),
    ];
    return `(the rules between keys (which keys need which) ran with ${parts.join(" and ")}, ${why})`;
  };
  // A value on or under a key a YAML slip leaves unsure was read from what the parser made of the
  // slip: its refusal waits with the key (stackCheck.ts besideSlips), so it is said to be unsure.
  const slipOf = (k: string) => slipped.find((s) => namesKey(k, s.key))?.line;
  const why = (keys: string[], what: string) => {
    const line = slipOf(keys[0]);
    const these = `${what}${keys.length > 1 ? "s" : ""}`;
    return line === undefined
      ? `the ${these} given being invalid`
      : `the ${these} read being unsure because of the YAML slip at line ${line}`;
  };
  /** `keys` in groups of one reason: invalid, or unsure because of one slip (by its line). */
  const byReason = (keys: string[]) => {
    const groups = new Map<number, string[]>();
    for (const k of keys) groups.set(slipOf(k) ?? 0, [...(groups.get(slipOf(k) ?? 0) ?? []), k]);
    return [...groups.values()];
  };
  const unknown = cut.filter((k) => offline.has(k));
  for (const keys of byReason(cut.filter((k) => !offline.has(k))))
    notes.push(ranWith(keys, why(keys, "value")));
  if (unknown.length > 0)
    notes.push(
      ranWith(unknown, `the \`secure:\` value${unknown.length > 1 ? "s" : ""} given being unknown offline`),
    );
  if (r.absent.length > 0)
    notes.push(ranWith(r.absent, `the required key${r.absent.length > 1 ? "s" : ""} not being set`));
  for (const items of byReason(r.items))
    notes.push(
      `(the rules between keys (which keys need which) ran without ${items.map((k) => `${PROJECT}:${k}`).join(", ")}, ${why(items, "item")})`,
    );
  for (const [given, meant] of r.readAs)
    notes.push(
      `(the rules between keys (which keys need which) read ${PROJECT}:${given} as ${PROJECT}:${meant}, the key it is closest to)`,
    );
  for (const [at, [given, meant, why]] of r.valuesReadAs)
    notes.push(
      `(the rules between keys (which keys need which) read ${PROJECT}:${at} ${JSON.stringify(redactUrl(given))} as ${JSON.stringify(why.startsWith(URL_READ) ? redactUrl(String(meant)) : meant)}, ${why})`,
    );
  return notes;
}

/** The receivers' credentials refused for being written in the stack file (`params.plain`), by key path. */
const plainCredentialsIn = (issues: z.ZodIssue[]): Set<string> =>
  new Set(
    issues
      .filter((i) => i.code === "custom" && (i.params as { plain?: unknown } | undefined)?.plain === true)
      .map((i) => pathText(i.path)),
  );

/**
 * A top-level key's few allowed values, when its schema is an enum: the rules can run under each
 * (judgedStackConfig) while the value written is none of them.
 */
function enumOptions(key: string): [string, string[]] | undefined {
  const s = schemaAt([key]);
  return s instanceof z.ZodEnum ? [key, [...(s.options as string[])]] : undefined;
}

/**
 * The note that the rules between keys wait for the required keys `blocking`, refused with no
 * value to stand in: not for a key a YAML slip hides, which is not invalid (the slip's own note
 * says the rules wait for valid YAML).
 */
function blockingNote(blocking: string[], slipped: readonly { key: string }[]): string[] {
  const invalid = blocking.filter((k) => !slipped.some((s) => namesKey(k, s.key)));
  if (invalid.length === 0) return [];
  return [
    `(the rules between keys (which keys need which) are checked once ${invalid.map((k) => `${PROJECT}:${k}`).join(", ")} ${invalid.length > 1 ? "are" : "is"} valid)`,
  ];
}

/** Top-level keys the schema requires (neither optional nor defaulted). */
const isRequired = (key: string) => {
  const s = rawSchema.shape[key as keyof typeof rawSchema.shape] as z.ZodTypeAny | undefined;
  return !!s && !s.isOptional();
};

/** A Pulumi CLI stage problem (stackFile.ts) as the judge needs it: its key and what it did to it. */
export interface CliStageIssue {
  key: string;
  /** The CLI's rules refused the value (not a placeholder standing in, nor a plain secret passed on). */
  refused: boolean;
  /** The key is missing (its own problem says so: no note names it as defaulted). */
  missing: boolean;
}

/** Options of {@link judgedStackConfig}. */
export interface JudgeOptions {
  /** The offline synthesis lists absent secrets itself (and stands in placeholders). */
  allowAbsentSecrets?: boolean;
  /**
   * A pinned chart's keys, for the chartValues check (config/chartValueCheck.ts), undefined for a
   * chart whose archive is not at hand; without it the check does not run.
   */
  chartKeys?: (chart: string) => ChartKeys | undefined;
  /** What the Pulumi CLI's rules found in the stack file (the offline tools' first stage). */
  cliIssues?: CliStageIssue[];
  /** A key's `file:line` in the stack file, for a problem that names a second key's place. */
  placeOf?: (key: string) => string | undefined;
  /** The `secure:` values the CLI cannot decrypt: a key nothing reads says so in its one message. */
  unreadable?: SecureProblem[];
  /** The secret values in plain text: a key nothing reads says so in its one message. */
  plainText?: PlainSecret[];
  /**
   * Whether the CLI passed `chartValues` as a secret (a `secure:` value under it: `pulumi preview`
   * decrypts it, and marks the whole key): its image values are then neither judged nor printed
   * (config/imageValueCheck.ts). Offline, {@link secureValues} says which values are `secure:`.
   */
  chartValuesSecret?: boolean;
  /**
   * The stack file's `secure:` values (the offline tools: a placeholder stands in for each,
   * stackFile.ts secretPlaceholder), whose form the schema cannot judge ({@link withSecureValues}).
   */
  secureValues?: SecureValue[];
  /**
   * The config keys a YAML slip in the stack file may have moved a key in or out of (stackCheck.ts
   * slipUnsureKeys), each with the slip's line: a value under one that the schema refused is
   * unsure, not known to be invalid (what names the key waits for valid YAML, and its own
   * refusal with it).
   */
  slipped?: { key: string; line: number }[];
}

/**
 * The schema's problems (`issues` over `raw`) with the stack file's `secure:` values kept out of
 * its judgement: offline nothing is decrypted, and a placeholder stands in for each, which is no
 * URL or quantity whatever the value is (`pulumi preview` decrypts it). A receiver's credential
 * there is still one, refused by name, said to be a secret, not plain text, and with the fact that
 * the CLI cannot decrypt it either when so (stackCheck.ts saidOnce drops that line). Any other
 * refusal at or under such a value, and every such value of a key that is no secret whether refused
 * or not, is one line of its own, saying its form cannot be judged and how to write it in plain text; when the CLI cannot decrypt it, that line is
 * the value's own (stackFile.ts secureProblemText). `offline` names the values set aside so.
 */
function withSecureValues(
  issues: z.ZodIssue[],
  raw: Record<string, unknown>,
  secureValues: SecureValue[],
  unreadable: SecureProblem[],
  file: StackFileFacts,
): { problems: string[]; offline: Set<string> } {
  const project = `${PROJECT}:`;
  const at = (v: SecureValue) => [v.key.slice(project.length), ...v.path];
  const within = (v: SecureValue, path: (string | number)[]) =>
    v.key.startsWith(project) && at(v).every((seg, i) => path[i] === seg);
  const same = (a: SecureValue, b: SecureValue) =>
    a.key === b.key && a.path.length === b.path.length && a.path.every((seg, i) => b.path[i] === seg);
  const problems: string[] = [];
  const unjudged: SecureValue[] = [];
  // Values a refusal of their own already names (a receiver's credential in the receiver).
  const told: SecureValue[] = [];
  for (const issue of issues) {
    const secure = secureValues.find((v) => within(v, issue.path));
    if (!secure) {
      problems.push(...formatIssue(issue, raw, file).split("\n"));
      continue;
    }
    const broken = unreadable.find((p) => same(p, secure));
    if (issue.code === "custom" && issue.params?.plain === true) {
      told.push(secure);
      const text = formatIssue({ ...issue, params: { ...issue.params, plain: false } }, raw);
      problems.push(broken ? `${text} (${undecryptableFact(broken)})` : text);
    } else if (!unjudged.some((v) => same(v, secure))) unjudged.push(secure);
  }
  // A value the schema took is no better known: the placeholder standing in for it passes as any
  // text would (a namespace, a context), yet the value the CLI decrypts is unjudged all the same,
  // and the synthesis would name things after the placeholder. Every `secure:` value of a key that
  // is no secret is said so, whether the placeholder passed or not; a chartValues leaf is the
  // no-plaintext-credentials policy's (policy/credentials.ts), and a secret key may be secure.
  // A key the schema does not know is its unknown-key message's, wherever under a known one.
  const noSecret = (v: SecureValue) => {
    const name = String(at(v)[0]);
    return (
      v.key.startsWith(project) &&
      isKnownPath(at(v), raw) &&
      name !== "chartValues" &&
      !holdsSecret(at(v), raw)
    );
  };
  for (const v of secureValues.filter(noSecret))
    if (!told.some((t) => same(t, v)) && !unjudged.some((u) => same(u, v))) unjudged.push(v);
  for (const v of unjudged) {
    if (unreadable.some((p) => same(p, v))) continue;
    const [name, ...path] = at(v);
    // A map or a list is no text: one `pulumi config set` of it, which the plain-text way would
    // be, stores a string.
    const plainly =
      mapValueHint(String(name), path, true) ??
      `write it in plain text, with \`${setConfigCommand(v.key, v.path, PROJECT, false)}\` (it prompts for the value)`;
    problems.push(
      `${project}${propertyPath(String(name), path)}: expected ${expectedForm(at(v), "string", undefined, raw)}, got a \`secure:\` value (not shown), which the offline tools cannot decrypt, so its form cannot be judged; ${String(name)} is no secret key: ${plainly}`,
    );
  }
  return { problems, offline: new Set(unjudged.map((v) => pathText(at(v)))) };
}

/**
 * `placeOf` for the rules, with a key read as the one a misspelt key meant (`readAs`: given ->
 * meant) placed at the key as written: a rule that names it among others (`takeover.namespace`'s
 * list of what the import step imports) gives the line to edit, where the key it reads is in no
 * line of the file.
 */
function placedAsWritten<P>(
  placeOf: (key: string) => P | undefined,
  readAs: Map<string, string>,
): (key: string) => P | undefined {
  const givenOf = new Map([...readAs].map(([given, meant]) => [meant, given]));
  return (key) => {
    const given = givenOf.get(key);
    return placeOf(key) ?? (given === undefined ? undefined : placeOf(given));
  };
}

/** {@link StackFileFacts.secure} over the stack file's `secure:` values. */
function secureIn(written: SecureValue[]): (key: string, path: (string | number)[]) => boolean {
  return (key, path) =>
    written.some(
      (v) => v.key === key && v.path.length === path.length && v.path.every((s, i) => s === path[i]),
    );
}

/**
 * The schema's refusals `fresh` of `raw` as said with the stack file's `secure:` values beside them
 * (withSecureValues): offline the stack file says which values are `secure:`, where the program
 * sees them decrypted; those of a key the CLI stage refused (`broken`) are that report's.
 */
function schemaJudged(
  fresh: z.ZodIssue[],
  raw: Record<string, unknown>,
  broken: Set<string>,
  opts: JudgeOptions,
): { problems: string[]; offline: Set<string> } {
  const written = opts.secureValues;
  const plain = written && ((key: string) => !written.some((v) => v.key === key));
  const secureValues = (written ?? []).filter((v) => !broken.has(v.key.slice(PROJECT.length + 1)));
  const secure = written && secureIn(written);
  const keysOf = opts.chartKeys;
  return withSecureValues(fresh, raw, secureValues, opts.unreadable ?? [], {
    plain,
    secure,
    placeOf: opts.placeOf,
    ...(keysOf ? { chartPath: (path: string[]) => chartValuePathOf(path, keysOf)?.path } : {}),
  });
}

/** Adds to `broken` each top-level key the schema refused (or found unknown) in `parsed`. */
function refusedKeysOf(parsed: ReturnType<typeof parseRaw>, broken: Set<string>): void {
  if (parsed.success) return;
  for (const i of parsed.error.issues) {
    if (i.path.length > 0) broken.add(String(i.path[0]));
    else if (i.code === "unrecognized_keys") i.keys.forEach((k) => broken.add(k));
  }
}

/** What the rules between keys said of a config: the config, or their problems and the overrides they refuse. */
interface RulesSaid {
  cfg?: StackConfig;
  problems: string[];
  overrides: RefusedOverride[];
  /** Of `problems`, those a rule judged on a list as the file writes it, items set aside included. */
  asWritten: string[];
}

/**
 * Whether a rule's problem judged whole lists, after `items` (their paths, `alerting.receivers[0]`)
 * were cut from them: a problem naming a list whole judged fewer items than the file holds (a pool
 * gone makes the nodes too few), so only those at an item left stand. An item named by its name
 * (`alerting.receivers "oncall"`) is one left, judged as written: a receiver's credential problems
 * stand beside another receiver cut (dropped, the entry's own plain-text line told it set as a
 * secret under a name no receiver reads, refused next run).
 */
function judgedWholeOf(items: readonly string[]): (problem: string) => boolean {
  const shortLists = [...new Set(items.map((i) => i.replace(/\[\d+\]$/, "")))];
  const byName = (l: string) => new RegExp(`${regExpText(l)} "[^"]*"`, "g");
  return (p) =>
    shortLists.every((l) => p.startsWith(`${PROJECT}:${l}[`) || !namesKey(p.replace(byName(l), ""), l));
}

/**
 * The rules between keys as {@link judgedStackConfig} runs them over a repaired config: each
 * problem said as the file wrote it (`said`) and kept only when it judged whole lists
 * (`judgedWhole`), under each option of a refused enum key (`choices`) when there is one, where
 * only what every option refuses stands.
 */
function rulesJudge(ctx: {
  stack: string;
  env: Record<string, string | undefined>;
  opts: JudgeOptions;
  /** The schema's parse, when the config is judged as it is (nothing repaired). */
  parsed: ReturnType<typeof parseRaw> | undefined;
  placeOf: JudgeOptions["placeOf"];
  /** Keys whose value was refused: a default stands in for them. */
  defaulted: string[];
  setAside: RepairedRaw["setAside"];
  said: (problem: string) => string;
  judgedWhole: (problem: string) => boolean;
  choices: [string, string[]] | undefined;
  /** The config as the file wrote it, before its repair (resolve.ts ParseOptions.asWritten). */
  asWritten: Record<string, unknown>;
}): (input: Record<string, unknown>) => RulesSaid {
  const { opts, said, judgedWhole, choices } = ctx;
  const rules = (input: Record<string, unknown>): RulesSaid => {
    const overrides: RefusedOverride[] = [];
    const listsAsWritten: string[] = [];
    try {
      const c = parseStackConfig(input, ctx.stack, ctx.env, {
        allowAbsentSecrets: opts.allowAbsentSecrets,
        parsed: ctx.parsed,
        placeOf: ctx.placeOf,
        unreadable: opts.unreadable,
        plainText: opts.plainText,
        // A rule's problem at a key whose value was refused judged the default standing in for
        // it, not what the file says: the refusal is that key's one message (a `network.nodes`
        // written as one text is "expected a list", not also "expected at least one CIDR ...,
        // got none"). The rules that ask which keys are set count these as set (resolve.ts).
        refused: { defaulted: ctx.defaulted, setAside: ctx.setAside },
        overrides,
        asWritten: ctx.asWritten,
        listsAsWritten,
      });
      return { cfg: c, problems: [], overrides: [], asWritten: [] };
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      return {
        // A problem judged on a list as the file writes it judged every item of it.
        problems: e.problems.filter((p) => listsAsWritten.includes(p) || judgedWhole(said(p))).map(said),
        asWritten: e.problems.filter((p) => listsAsWritten.includes(p)).map(said),
        overrides: overrides
          .map((o) => ({ ...o, problem: said(o.problem) }))
          .filter((o) => judgedWhole(o.problem)),
      };
    }
  };
  return (input) => {
    if (!choices) return rules(input);
    const [key, options] = choices;
    const under = options.map((o) => rules({ ...input, [key]: o }));
    // A problem said of the key itself judged a value the file does not hold.
    const heldByAll = under
      .map((u) => u.problems.filter((p) => !problemIsAt(p, key)))
      .reduce((all, these) => all.filter((p) => these.includes(p)));
    const overrides = under.flatMap((u) => u.overrides).filter((o) => heldByAll.includes(o.problem));
    const asWritten = heldByAll.filter((p) => under.some((u) => u.asWritten.includes(p)));
    return { problems: heldByAll, overrides, asWritten };
  };
}

/**
 * What the rules between a list's items (resolve.ts ITEM_RULES) say of the file's items, for a list
 * the repair set items aside from (`items`) or put whole at its default (`whole`, every item
 * refused): each item's key taken where it is a map whose value
 * there is valid, so a rule that reads only that key judges an item refused for another value (a
 * pool's name beside its bad `memory`), and never a value the file got wrong. The problems name
 * the file's indexes (those the rules said of the items left are the same text); a note names the
 * keys of items set aside that were read, as the note on those items says the rules ran without them.
 */
function itemRulesJudged(
  raw: Record<string, unknown>,
  items: readonly string[],
  whole: ReadonlySet<string>,
): { problems: string[]; notes: string[] } {
  const problems: string[] = [];
  const notes: string[] = [];
  for (const { list, key, problems: rule } of ITEM_RULES) {
    const given = raw[list];
    // Every item refused puts the list whole at its default, and the rules judge that instead:
    // its items as written are read here all the same (two pools named `a`, each memory `16GB`).
    const atDefault = whole.has(list);
    if (!Array.isArray(given) || !(atDefault || items.some((i) => i.startsWith(`${list}[`)))) continue;
    const values = given.map((item, i) =>
      isMap(item) &&
      typeof item[key] === "string" &&
      schemaAt([list, i, key], raw)?.safeParse(item[key]).success
        ? item[key]
        : undefined,
    );
    problems.push(...rule(values));
    const read = (atDefault ? given.map((_, i) => `${list}[${i}]`) : items).filter((i) => {
      const at = new RegExp(`^${list}\\[(\\d+)\\]$`).exec(i);
      return at !== null && values[Number(at[1])] !== undefined;
    });
    if (read.length > 0)
      notes.push(
        `(the rule between the items of ${PROJECT}:${list} on their ${key} read ${read.map((i) => `${PROJECT}:${i}.${key}`).join(", ")}, the value${read.length > 1 ? "s" : ""} given being valid)`,
      );
  }
  return { problems, notes };
}

/**
 * Notes naming the items set aside (`items`) that a rule judging a list as the file writes it
 * (resolve.ts ParseOptions.listsAsWritten) read: the note on those items says the rules ran without
 * them, which that rule did not (a `mimir.previousTenants` refused whole with the switch off counted
 * its refused `".."`), as {@link itemRulesJudged}'s note says of the items' keys it read.
 */
function readWholeNotes(asWritten: readonly string[], items: readonly string[]): string[] {
  const lists = [...new Set(asWritten.map((p) => p.slice(0, p.indexOf(": "))))];
  return lists.flatMap((key) => {
    const list = key.slice(`${PROJECT}:`.length);
    const read = items.filter((i) => i.startsWith(`${list}[`) && /^\[\d+\]$/.test(i.slice(list.length)));
    return read.length > 0
      ? [
          `(the rule that refused ${key} whole read it as the file writes it, ${read.map((i) => `${PROJECT}:${i}`).join(", ")} included)`,
        ]
      : [];
  });
}

/** {@link judgedStackConfig}'s verdict. */
export interface JudgedConfig {
  cfg?: StackConfig;
  problems: string[];
  notes: string[];
  unchecked: string[];
  /** The `chartValues` overrides the problems refuse (ConfigError.overrides). */
  overrides: string[][];
  /**
   * The key each problem that is not placed at the key it is said of is placed at, by problem
   * (errors.ts RefusedOverride.placeAt), for config/locate.ts.
   */
  placedAt: ReadonlyMap<string, string>;
}

/**
 * The stack's config from its raw keys (`rawFromPulumiConfig`), or every problem of the schema,
 * the chartValues keys and the rules between keys, with notes saying what the rules could not see
 * (a refused value at its default, a misspelt key read as the one meant, a required key refused).
 * `cfg` is set only when there is no problem; `unchecked` names the charts whose chartValues keys
 * had no archive to be checked against (the caller says so, once: apply/program.ts).
 */
export function judgedStackConfig(
  raw: Record<string, unknown>,
  stack: string,
  env: Record<string, string | undefined>,
  opts: JudgeOptions = {},
): JudgedConfig {
  const cliIssues = opts.cliIssues ?? [];
  const problems: string[] = [];
  const notes: string[] = [];
  // `secure:` values the schema refused, whose form is unknown offline (withSecureValues).
  const offline = new Set<string>();
  // What the CLI refused is judged as absent; what it passed on (a placeholder, a plain secret) is judged.
  const broken = new Set(cliIssues.filter((i) => i.refused).map((i) => i.key));
  // Read before the schema's refusals join `broken`: a `chartValues` the schema refuses in part (an
  // unknown chart name) still has its other charts' keys checked.
  const cliRefusedChartValues = broken.has("chartValues");
  const parsed = parseRaw(raw);
  // A key the CLI stage already reported is absent here: the schema's "required" would repeat it,
  // and its `secure:` values are that report's.
  const fresh = parsed.success
    ? []
    : parsed.error.issues.filter((i) => i.path.length === 0 || !broken.has(String(i.path[0])));
  const judged = schemaJudged(fresh, raw, broken, opts);
  problems.push(...withChartValueKeyHints(judged.problems, opts.chartKeys, raw));
  judged.offline.forEach((v) => offline.add(v));
  refusedKeysOf(parsed, broken);
  const chart = chartValuesJudged(raw, opts.chartKeys, cliRefusedChartValues, secretChartValue(opts));
  problems.push(...chart.problems);
  const refused: RefusedOverride[] = [...chart.refused];
  notes.push(...chart.notes);
  const brokenKeys = cliIssues.filter((i) => broken.has(i.key)).map((i) => i.key);
  // A config the schema took whole, with no key the CLI refused, has nothing to repair: the rules
  // judge it as it is, on the parse above (repairedRaw would clone it and parse it twice more to
  // find nothing, and parseStackConfig parse it once more).
  const clean = parsed.success && brokenKeys.length === 0;
  const secure = opts.secureValues && secureIn(opts.secureValues);
  const rep = clean ? unrepaired(raw) : repairedRaw(raw, brokenKeys, { placeOf: opts.placeOf, secure });
  // A misspelt key's `secure:` value set aside, not read as the key meant: unknown, not invalid.
  rep.sealed.forEach((k) => offline.add(k));
  const { repaired, whole, leavesNow, items, renumber, readAs, setAside } = rep;
  // The rules read a misspelt chartValues key as the key it means, as they read a misspelt stack key.
  const charted = withChartKeysMeant(repaired, chart.meant);
  const blocking = [...whole].filter(isRequired);
  // A required key refused with no value to stand in for it (a `phase` of "4", no option near):
  // the rules that read it cannot run, but those that hold whatever it is still can. When every
  // such key is one of a few options, the rules run under each, and what they refuse under all of
  // them is said now; the rest once the key is valid.
  const choices = blocking.length === 1 ? enumOptions(blocking[0]) : undefined;
  let cfg: StackConfig | undefined;
  const readAsRefusals: string[] = [];
  if (blocking.length > 0 && !choices) {
    notes.push(...blockingNote(blocking, opts.slipped ?? []));
  } else {
    notes.push(
      ...repairNotes(
        { ...rep, readAs: new Map([...readAs, ...charted.readAs]) },
        new Set(cliIssues.filter((i) => i.missing).map((i) => i.key)),
        blocking,
        offline,
        opts.slipped,
        plainCredentialsIn(fresh),
      ),
    );
    const judgedWhole = judgedWholeOf(items);
    const judged = rulesJudge({
      stack,
      env,
      opts,
      parsed: clean ? parsed : undefined,
      placeOf: opts.placeOf && placedAsWritten(opts.placeOf, readAs),
      // A key gone whole by the name the problems give it: one whose own name holds dots
      // (`receiverCredentials.team-slack`, set without --path) is `["receiverCredentials.team-slack"]`,
      // not the path of that name, which a rule's hint names as the key it sets (resolve.ts
      // judgedAsWritten would take that problem for one judged at a stand-in).
      defaulted: [...leavesNow, ...[...whole].map((k) => propertyPath(k, []))],
      setAside,
      said: (p) => asGiven(withUrlsAsWritten(renumber(p), rep.valuesReadAs), readAs),
      judgedWhole,
      choices,
      asWritten: raw,
    });
    const r = judged(charted.config);
    cfg = r.cfg;
    problems.push(...r.problems);
    const byItems = itemRulesJudged(raw, items, whole);
    problems.push(...byItems.problems.filter((p) => !r.problems.includes(p)));
    notes.push(...byItems.notes);
    notes.push(...readWholeNotes(r.asWritten, items));
    refused.push(...r.overrides);
    if (choices)
      notes.push(
        `(the rules between keys (which keys need which) that read ${PROJECT}:${choices[0]} are checked once it is valid; ${r.problems.length > 0 ? "the other problems above hold" : "the others refuse nothing"} whatever its value)`,
      );
    // The refusals the reading of misspelt chartValues keys caused: those the rules make of the
    // config as written too are no consequence of it (a `grafana.replicas` told to go under
    // chartValues names the key a misspelt `chartValues.grafana.replicsa` was read as, yet is its
    // own mistake, at its own line).
    const asWritten = charted.read.length > 0 ? judged(repaired).problems : r.problems;
    readAsRefusals.push(...r.problems.filter((p) => !asWritten.includes(p)));
  }
  // One value written gives one line, though the schema and the rules each refuse part of it.
  const said = oneMessagePerSlip(
    oneLinePerValue(withChartReadAsRefusals(withReadAsRefusals(problems), charted.read, readAsRefusals)),
    opts.placeOf,
    raw,
  );
  // A chart name the schema refuses (an unknown one, a value no map) is an override refused whole.
  const refusedCharts =
    isMap(raw.chartValues) && !cliRefusedChartValues
      ? Object.keys(raw.chartValues).filter((k) => !(k in readChartValues(raw)))
      : [];
  return {
    cfg: said.length > 0 ? undefined : cfg,
    problems: said,
    notes,
    unchecked: chart.unchecked,
    overrides: [...refusedCharts.map((chart) => [chart]), ...refused.map((o) => o.path)],
    placedAt: new Map(refused.flatMap((o) => (o.placeAt ? [[o.problem, o.placeAt]] : []))),
  };
}

/**
 * `problems` with an unknown stack key that no key of the stack is close to, and whose path is a
 * key of a chart's values (`grafana.replicas`), sent to `chartValues` ({@link chartValueKeyHint}):
 * the schema alone cannot know the chart's keys, and its list of the section's keys names none of
 * what was meant. Only where the charts are at hand (`keysOf`, the offline synthesis and the program).
 */
function withChartValueKeyHints(
  problems: string[],
  keysOf: JudgeOptions["chartKeys"],
  raw: Record<string, unknown>,
): string[] {
  if (!keysOf) return problems;
  const unknown = new RegExp(`^${PROJECT}:([\\w-]+(?:\\.[\\w-]+)+): unknown key([^\\n]*)`);
  return problems.map((p) => {
    const m = unknown.exec(p);
    if (!m || m[2].includes("; did you mean ")) return p;
    const path = m[1].split(".");
    const value = valueAt(raw, path);
    const hint = chartValueKeyHint(path, keysOf, PROJECT, value);
    return hint ? `${p.slice(0, m.index + m[0].length - m[2].length)}${hint}${p.slice(m[0].length)}` : p;
  });
}

/** The repair of a config the schema took whole (judgedStackConfig): nothing cut, nothing read as another. */
function unrepaired(raw: Record<string, unknown>): RepairedRaw {
  return {
    repaired: raw,
    whole: new Set<string>(),
    leaves: [],
    leavesNow: [],
    items: [],
    renumber: (p: string) => p,
    readAs: new Map<string, string>(),
    standIns: new Map<string, unknown>(),
    absent: [],
    valuesReadAs: new Map<string, ValueReadAs>(),
    setAside: [],
    sealed: [],
  };
}

/**
 * Whether the value at `path` under chartValues is a `secure:` one (offline its placeholder, online
 * decrypted): no image reference to judge by its text, nor one to print. With the whole key passed
 * as a secret (`pulumi preview`), every value is.
 */
function secretChartValue(opts: JudgeOptions): (path: (string | number)[]) => boolean {
  if (opts.chartValuesSecret) return () => true;
  const chartValuesKey = `${PROJECT}:chartValues`;
  return (path) =>
    (opts.secureValues ?? []).some(
      (v) => v.key === chartValuesKey && v.path.every((seg, i) => path[i] === seg),
    );
}

/**
 * The problems of the stack's `chartValues` (judgedStackConfig), none when the Pulumi CLI's rules
 * refused the key: the keys of each chart given that `chartKeys` knows (with the note on unknown
 * keys when one is), and the Loki settings the chart copies into Loki's config; `unchecked` names
 * the charts `chartKeys` had no archive for.
 */
function chartValuesJudged(
  raw: Record<string, unknown>,
  keysOf: JudgeOptions["chartKeys"],
  cliRefused: boolean,
  secret: (path: (string | number)[]) => boolean,
): {
  problems: string[];
  notes: string[];
  unchecked: string[];
  meant: ChartKeyMeant[];
  refused: RefusedOverride[];
} {
  const unchecked: string[] = [];
  const chartKeys =
    keysOf &&
    ((chart: string) => {
      const keys = keysOf(chart);
      if (!keys && !unchecked.includes(chart)) unchecked.push(chart);
      return keys;
    });
  // Keys under the Loki blocks the chart copies into Loki's config are Loki's to judge (lokiValueCheck.ts): one message each.
  const meant: ChartKeyMeant[] = [];
  const refused: RefusedOverride[] = [];
  const chartKeyProblems = (
    cliRefused || !chartKeys
      ? []
      : chartValueProblems(readChartValues(raw), chartKeys, PROJECT, meant, refused)
  ).filter((p) => !judgedByLoki(p, PROJECT, readChartValues(raw).loki));
  const notes = chartKeyProblems.some((p) => p.includes(UNKNOWN_KEY)) ? [CHART_KEY_NOTE] : [];
  // The Loki settings the chart copies whole into Loki's config file, judged by Loki's reference.
  const lokiProblems = cliRefused
    ? []
    : lokiValueProblems(readChartValues(raw).loki, PROJECT, undefined, meant, refused);
  // Image references are judged by their grammar alone: no chart archive is needed.
  const imageProblems = cliRefused ? [] : imageValueProblems(readChartValues(raw), PROJECT, refused, secret);
  const problems = [...chartKeyProblems, ...lokiProblems, ...imageProblems];
  return {
    problems,
    notes,
    unchecked,
    meant: meant.filter((m) => problems.includes(m.problem)),
    refused: refused.filter((o) => problems.includes(o.problem)),
  };
}

/** A path under `chartValues` as the problems name it: `chartValues.loki.loki.limits_config.retention_period`. */
const chartValuesText = (path: string[]) =>
  pathText(["chartValues", ...path.map((p) => (/^\d+$/.test(p) ? Number(p) : p))]);

/**
 * `config` with each misspelt `chartValues` key renamed to the key it means (`meant`), for the rules
 * between keys, and what was read as what (`readAs` for the notes, by the keys' texts; `read` with
 * each one's problem): dropped, a misspelt `limits_config.retention_perod` beside `loki.retention`
 * passed, and the rename its "did you mean" asked for was refused on the next run as the value set
 * twice. A key whose meant key the map already holds is left as it is, as in repairedRaw. `config`
 * itself is not changed: its `chartValues` is copied when a key is renamed.
 */
function withChartKeysMeant(
  config: Record<string, unknown>,
  meant: ChartKeyMeant[],
): {
  config: Record<string, unknown>;
  readAs: Map<string, string>;
  read: { problem: string; given: string; meant: string; key: string }[];
} {
  const read: { problem: string; given: string; meant: string; key: string }[] = [];
  if (meant.length === 0 || !isMap(config.chartValues)) return { config, readAs: new Map(), read };
  const chartValues = structuredClone(config.chartValues);
  for (const m of meant) {
    const holder = valueAt(chartValues, m.given.slice(0, -1));
    const [given, key] = [m.given[m.given.length - 1], m.meant[m.meant.length - 1]];
    if (!isMap(holder) || !(given in holder) || key in holder) continue;
    holder[key] = holder[given];
    delete holder[given];
    read.push({ problem: m.problem, given: chartValuesText(m.given), meant: chartValuesText(m.meant), key });
  }
  return {
    config: read.length > 0 ? { ...config, chartValues } : config,
    readAs: new Map(read.map((r) => [r.given, r.meant])),
    read,
  };
}

/**
 * `problems` with each rule's refusal that names a `chartValues` key a misspelt key was read as
 * ({@link withChartKeysMeant}: the value then set twice, stackKeyPaths.ts sameSettingProblems)
 * folded into the misspelt key's own "did you mean" line, naming the key as written: one mistake,
 * one message, where the rename alone led to the refusal on the next run. `caused` are the rules'
 * refusals that the reading caused (judgedStackConfig); any other problem naming the key meant (a
 * stack key told to go there) is a mistake of its own, kept as its own message at its own line.
 */
function withChartReadAsRefusals(
  problems: string[],
  read: { problem: string; given: string; meant: string; key: string }[],
  caused: readonly string[],
): string[] {
  const folded = new Set<number>();
  const out = problems.map((p) => {
    const r = read.find((x) => x.problem === p);
    if (!r) return p;
    const refusals = problems.flatMap((q, j) => (caused.includes(q) && namesKey(q, r.meant) ? [j] : []));
    if (refusals.length === 0) return p;
    refusals.forEach((j) => folded.add(j));
    // The key meant named as written, which the file has: its hint (`remove …`) works pasted.
    const at = keyMention(r.meant, "g");
    const said = refusals.map((j) => {
      const q = problems[j].replace(at, `$1$2${r.given}$3`);
      return q.startsWith(`${PROJECT}:`) ? q.slice(PROJECT.length + 1) : q;
    });
    return `${p} (read as ${r.key}, which is refused: ${said.join("; ")})`;
  });
  return out.filter((_, i) => !folded.has(i));
}
