import * as fs from "fs";
import * as path from "path";
import {
  isAlias,
  isMap,
  isNode,
  isPair,
  isScalar,
  isSeq,
  visit,
  type Alias,
  type LineCounter,
  type Node,
  type Pair,
} from "yaml";
import {
  keyLocator,
  lastOf,
  parseSegments,
  type KeyLocator,
  type Segment,
} from "@homelab-observability/contract";
import { isMergeKey, parsedAsMeant } from "./yamlDocument";
import { shownFile, stackFilePath } from "./paths";
import { PROJECT } from "./schema";
import { propertyPath } from "./tree";
import { CREDENTIAL_FIELDS, secretValueAt } from "../model/secrets";
import { pinnedChart } from "../model/versions";
import { listed, regExpText } from "../model/words";
import { excerpt, shownYamlLines } from "../model/yamlText";

// The excerpt a config problem shows is the one a YAML mistake shows (model/yamlText.ts).
export { excerpt };

/*
 * Where a config problem sits in the files: a key path (`loki.retention`, `nodePools[0].arch`,
 * `alerting.receivers[1].type`) mapped to its line and column in `Pulumi.<stack>.yaml` through the
 * YAML document (eemeli/yaml v2 `parseDocument` with a `LineCounter`: each node keeps its source
 * range). A key the file lacks is placed at the deepest key it has on the way (a missing
 * `objectStore.endpoint` at `objectStore:`, a missing top-level key at `config:`); a top-level key
 * the stack file leaves to Pulumi.yaml's default is placed at that default. A value that reaches
 * its key through a merge key (`<<: *base`) or an alias (`*pool`) is placed where it is written,
 * in the anchored map, with the `<<` or alias line it arrives through (`through`).
 */

/**
 * One step by which a value reaches its key from elsewhere in the file: the line of a merge key
 * (`<<: *base`, `merge`) or of an alias (`*pool`), and that text as written.
 */
export interface Through {
  line: number;
  text: string;
  merge: boolean;
}

/** A place in a file: 1-based line and column. */
export interface Place {
  file: string;
  line: number;
  column: number;
  /** The file's lines, for the excerpt. */
  lines: string[];
  /** The key path was found whole (false: the place is the deepest key found on its way). */
  exact: boolean;
  /** The last line of the key's value (`line` for a one-line value). */
  endLine?: number;
  /** Lines shown each side of `line` (default none). */
  around?: number;
  /** The problem's text starts with `file:line:column` itself: no `at` line repeats it. */
  named?: boolean;
  /**
   * The merge keys and aliases the value reaches its key through, outermost first: `line` is where
   * it is written, in an anchored map, not where the key is used.
   */
  through?: Through[];
  /**
   * The names of what holds the key, besides its key path: the `name` of each list item on the way
   * (a receiver's), the chart and its pinned version and repository under `chartValues`. A problem's
   * words name them, and they differ between the keys one anchored value reaches where the mistake
   * does not (mergedUses).
   */
  holders?: string[];
}

// The key path grammar and the walk are the pack's too (contract/locate.ts): one reading of the file.
// The walk here also follows merge keys and aliases, as the program's parse merges them
// (yamlDocument.ts); the pack's parse keeps `<<` as a key.
export { parseSegments, type Segment };
const GUARDS = { isMap, isPair, isScalar, isSeq };
const { keyEntry } = keyLocator<Node>(GUARDS);

/**
 * The key path a problem names: the text after `<namespace>:` up to the first ": " (every config
 * problem starts so, config/errors.ts), split into keys and `[n]` indexes. Undefined when the
 * problem names no key.
 */
export function problemPath(problem: string): { namespace: string; path: Segment[] } | undefined {
  const m = /^([A-Za-z0-9_.-]+):((?:[^\s:[\]"]+|\[\d+\]|\["(?:[^"\\]|\\.)*"\])+)/.exec(problem);
  if (!m) return undefined;
  return { namespace: m[1], path: parseSegments(m[2]) };
}

interface Parsed {
  file: string;
  /** The walk over this parse, following its merge keys and aliases to their anchors. */
  walker: KeyLocator<Node>;
  readonly lines: string[];
  counter: LineCounter;
  /** The `config:` pair's key node and its map, when the file has one. */
  configKey?: Node;
  config?: Node;
  /** The document's top-level map. */
  root?: Node;
  /** The node an alias names (its anchor's), in this parse. */
  anchored: (alias: Alias) => Node | undefined;
  /** A node's value as plain data, its aliases and merge keys resolved in this parse. */
  toJS: (node: Node) => unknown;
}

function parseFile(file: string): Parsed | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  // A file that is not YAML gets its own error (stackFile.ts YamlFileError) before any problem is
  // placed. The parse is the one stackFile.ts read the file's values from (yamlDocument.ts): the
  // text as meant, a tab in the indentation read as spaces, line for line the file's.
  const { doc, counter } = parsedAsMeant(text);
  const root = doc.contents;
  const top = (name: string) =>
    isMap(root) ? lastOf(root.items, (p) => isScalar(p.key) && p.key.value === name) : undefined;
  const pair = top("config");
  let shown: string[] | undefined;
  return {
    root: (root as Node | null) ?? undefined,
    file,
    walker: keyLocator<Node>(GUARDS, { isAlias, isMergeKey, resolve: (a) => (a as Alias).resolve(doc) }),
    anchored: (a) => a.resolve(doc),
    toJS: (n) => n.toJS(doc),
    // The lines a problem shows, as a YAML mistake shows them (model/yamlText.ts): a secret's
    // value, a URL's login and a token-looking word are not shown, whichever key the problem names.
    // Made when an excerpt first reads them: most files are located only for `file:line` (a
    // problem's second key, a warning), or not at all (a stack file without a problem), and the
    // redaction was the dearest part of locating (about 2 s of the suite's CPU, in every synth).
    get lines() {
      return (shown ??= shownYamlLines(text));
    },
    counter,
    configKey: pair?.key ?? undefined,
    config: (pair?.value as Node | undefined) ?? undefined,
  };
}

/**
 * `place` with `lines` read from `lines()` when first read (a spread of it reads them): a place
 * asked for its `file:line` only never makes the file's shown lines.
 */
function withLines(place: Omit<Place, "lines">, lines: () => string[]): Place {
  return Object.defineProperty(place, "lines", { enumerable: true, configurable: true, get: lines }) as Place;
}

/** Finds key paths in one stack file (and Pulumi.yaml's defaults beside it). */
export class ConfigLocator {
  private constructor(
    private readonly stack: Parsed | undefined,
    private readonly project: Parsed | undefined,
    private readonly projectName: string,
  ) {}

  /**
   * For `stackFile`, else `Pulumi.<stack>.yaml` where the CLI looks for it (paths.ts
   * stackFilePath), beside Pulumi.yaml.
   * A stack whose config lives elsewhere (`--config-file`, a Pulumi ESC environment) gets no place.
   */
  static forStack(
    projectDir: string,
    stack: string,
    stackFile?: string,
    projectName = PROJECT,
  ): ConfigLocator {
    const project = parseFile(path.join(projectDir, "Pulumi.yaml"));
    return new ConfigLocator(parseFile(stackFile ?? stackFilePath(projectDir, stack)), project, projectName);
  }

  /** The stack file problems are placed in, when there is one. */
  get file(): string | undefined {
    return this.stack?.file;
  }

  /**
   * `e` with each problem placed, in the stack file's line order: errors.ts ConfigError, by its
   * shape (errors.ts imports this module, which names no type of it: no cycle).
   */
  locate<E extends { locatedBy(at: (problem: string) => Place | undefined, firstFile?: string): E }>(
    e: E,
    spellingOf?: (problem: string) => string | undefined,
    placedAt?: ReadonlyMap<string, string>,
  ): E {
    return e.locatedBy((p) => this.ofProblem(p, spellingOf?.(p), placedAt?.get(p)), this.file);
  }

  private place(
    p: Parsed,
    node: Node,
    exact: boolean,
    redact: false | "after" | "whole" = false,
    value?: Node,
  ): Place | undefined {
    const start = node.range?.[0];
    if (start === undefined) return undefined;
    const { line, col } = p.counter.linePos(start);
    // A value's end offset is often the next line's start: its last character's line is meant.
    const end = value?.range?.[1];
    const endLine = end !== undefined && end > start ? p.counter.linePos(end - 1).line : line;
    const at = { file: p.file, line, column: col, exact, endLine: Math.max(line, endLine) };
    if (!redact) return withLines(at, () => p.lines);
    // A secret's line shows its key, never its value (plain or ciphertext).
    const last = node.range?.[1] ?? start;
    // A list item is the value itself: nothing of it is shown.
    const endCol =
      redact === "whole" ? col : p.counter.linePos(last).line === line ? p.counter.linePos(last).col : col;
    const text = p.lines[line - 1];
    const kept = text.slice(0, endCol - 1);
    const rest = text.slice(endCol - 1).replace(/^\s*:?\s*/, "");
    if (rest === "") return { ...at, lines: p.lines };
    const lines = [...p.lines];
    lines[line - 1] = `${kept}${endCol > col ? ":" : ""} <not shown>`;
    return { ...at, lines };
  }

  /**
   * The place of a key path of `namespace` (default the project's), or undefined when no file is
   * known; `spelling` is its top key as written, for a key written both namespaced and bare (each
   * value's problem at its own line), else the first of the two.
   */
  at(keyPath: Segment[], namespace = this.projectName, redact = false, spelling?: string): Place | undefined {
    const s = this.stack;
    if (!s) return undefined;
    const [top, ...rest] = keyPath;
    const found = this.topEntry(s, top, namespace, spelling);
    if (!found) {
      // Left to Pulumi.yaml: its declaration with a default holds the value; else the key belongs
      // under the stack file's `config:` (or at its top when it has none).
      const decl = this.project?.config ? keyEntry(this.project.config, [String(top)]) : undefined;
      if (decl?.value && isMap(decl.value) && keyEntry(decl.value, ["default"]))
        return this.place(this.project!, decl.key, false);
      if (s.configKey) return this.place(s, s.configKey, false);
      return withLines({ file: s.file, line: 1, column: 1, exact: false }, () => s.lines);
    }
    const walked = s.walker.walkKeyPath(found, rest);
    // A key whose value is an alias (`retention: *ret`) holds the value written at the anchor: the
    // problem sits where one edit mends it, with the alias it arrives through, as a merge key's.
    const target = walked.exact && isAlias(walked.value) ? s.anchored(walked.value) : undefined;
    const holder = target && holderOf(s.root, target);
    const { key, value, exact, isItem, through } =
      holder && isAlias(walked.value)
        ? {
            ...walked,
            ...holder,
            value: target,
            through: [
              ...walked.through,
              { node: walked.value, text: `\`*${walked.value.source}\``, merge: false },
            ],
          }
        : walked;
    const place = this.place(s, key, exact, redact && (isItem ? "whole" : "after"), value);
    if (!place || through.length === 0) return place;
    const line = (n: Node) => s.counter.linePos(n.range?.[0] ?? 0).line;
    return { ...place, through: through.map((t) => ({ line: line(t.node), text: t.text, merge: t.merge })) };
  }

  /**
   * The scalar the stack file writes at a key path of the project, as written (through merge keys
   * and aliases), else undefined: a hint names an amount in the units the user wrote it in. For
   * keys that hold no secret: a plain-text value is returned as it is.
   */
  scalarText(keyPath: Segment[]): string | undefined {
    const s = this.stack;
    const [top, ...rest] = keyPath;
    const found = s && this.topEntry(s, top, this.projectName);
    if (!s || !found) return undefined;
    const walked = s.walker.walkKeyPath(found, rest);
    if (!walked.exact) return undefined;
    const value = isAlias(walked.value) ? s.anchored(walked.value) : walked.value;
    const v = isScalar(value) ? value.value : undefined;
    return typeof v === "string" || typeof v === "number" ? String(v) : undefined;
  }

  /**
   * Where Pulumi.yaml gives a key path of the project its value, when the stack file leaves the
   * key's top key to it (the CLI's mergeConfig then takes the declaration's whole `default`, or
   * its `value`, or the shorthand value written in its place: config/stackFile.ts loadProject), with
   * the scalar written there: a value the stack file never writes still decides what the stack
   * runs, and a hint names where it lives.
   */
  projectValue(keyPath: Segment[]): { file: string; line: number; text?: string } | undefined {
    const s = this.stack;
    const p = this.project;
    const [top, ...rest] = keyPath;
    if (!s || !p?.config || this.topEntry(s, top, this.projectName)) return undefined;
    const decl = p.walker.firstKeyEntry(p.config, [String(top), `${this.projectName}:${String(top)}`]);
    if (!decl) return undefined;
    const given = isMap(decl.value) ? p.walker.firstKeyEntry(decl.value, ["default", "value"]) : decl;
    if (!given) return undefined;
    const walked = p.walker.walkKeyPath(given, rest);
    if (!walked.exact) return undefined;
    const value = isAlias(walked.value) ? p.anchored(walked.value) : walked.value;
    const v = isScalar(value) ? value.value : undefined;
    const line = p.counter.linePos(walked.key.range?.[0] ?? 0).line;
    return {
      file: p.file,
      line,
      text: typeof v === "string" || typeof v === "number" ? String(v) : undefined,
    };
  }

  /**
   * The value Pulumi.yaml gives the project's `top` key where the stack file leaves the key to it
   * (as {@link projectValue} finds it), whole and as plain data: what the CLI's mergeConfig hands
   * the program, and what a value the stack file sets for the key replaces whole. Undefined where
   * the stack file sets the key, or Pulumi.yaml gives it no value.
   */
  projectDefault(top: string): unknown {
    const s = this.stack;
    const p = this.project;
    if (!s || !p?.config || this.topEntry(s, top, this.projectName)) return undefined;
    const decl = p.walker.firstKeyEntry(p.config, [top, `${this.projectName}:${top}`]);
    if (!decl) return undefined;
    const given = isMap(decl.value) ? p.walker.firstKeyEntry(decl.value, ["default", "value"]) : decl;
    return given?.value === undefined ? undefined : p.toJS(given.value);
  }

  /** A key path's top key in `s`, as {@link at} names it. */
  private topEntry(s: Parsed, top: Segment, namespace: string, spelling?: string) {
    const names =
      spelling !== undefined
        ? [spelling]
        : namespace === this.projectName
          ? [`${namespace}:${top}`, String(top)]
          : [`${namespace}:${top}`];
    // A key under `config:`, else one written at the top of the file (a slip of indentation).
    return s.walker.firstKeyEntry(s.config, names) ?? s.walker.firstKeyEntry(s.root, names);
  }

  /**
   * The names of what holds a key path besides the path itself (see {@link Place.holders}): each
   * list item's `name` as the file writes it (or merges it in), and a chart's pin.
   */
  private holderNames(keyPath: Segment[], namespace: string, spelling?: string): string[] {
    const s = this.stack;
    const [top, ...rest] = keyPath;
    const found = s && this.topEntry(s, top, namespace, spelling);
    const items = rest.flatMap((seg, i) => {
      if (!s || !found || typeof seg !== "number") return [];
      const name = s.walker.walkKeyPath(found, [...rest.slice(0, i + 1), "name"]);
      return name.exact && isScalar(name.value) ? [String(name.value.value)] : [];
    });
    const pin =
      namespace === this.projectName && top === "chartValues" ? pinnedChart(String(rest[0])) : undefined;
    return [...items, ...(pin ? [pin.chart, pin.version, pin.repo] : [])];
  }

  /**
   * `file:line` of a key the stack file holds whole (the file named as the problem's own `at` line
   * names it), for a problem naming a second key beside its own, or a warning about the key.
   */
  fileLine(key: string, namespace = this.projectName): string | undefined {
    const place = this.at(parseSegments(key), namespace);
    return place?.exact ? `${shownFile(place.file)}:${place.line}` : undefined;
  }

  /**
   * The place a problem's key path points at (see {@link problemPath}); `spelling` as in
   * {@link at}; `placeAt` the key of the project whose line to place it at instead, as its check
   * gives it (errors.ts RefusedOverride.placeAt), when the file holds that key.
   */
  ofProblem(problem: string, spelling?: string, placeAt?: string): Place | undefined {
    const p = problemPath(problem);
    // A secret key's line (or a line under one), one whose problem hides the value, or one whose
    // name says it holds a secret (an unknown `adminPasword`, `bot_tokn` or `heartbeatUrll` is as
    // secret as the key it misspells), and so does an unknown key whose closest match is a
    // credential field (`urll` in a webhook receiver: did you mean "url").
    const secret =
      / \(not shown|not shown\)|secure value/.test(problem) ||
      (p !== undefined && secretValueAt(p.path, p.namespace === this.projectName)) ||
      CREDENTIAL_FIELDS.includes(/ unknown key; did you mean "([^"]+)"/.exec(problem)?.[1] ?? "");
    // A config key written at the top of the file (stackFile.ts strayKeyProblem) is placed there,
    // not at the same key under `config:` when the file has both.
    if (p && / unknown key at the top of the stack file/.test(problem) && this.stack?.root) {
      const e = keyEntry(this.stack.root, [`${p.namespace}:${String(p.path[0])}`]);
      if (e) return this.place(this.stack, e.key, true, false, e.value);
    }
    // A key written namespaced and bare (stackFile.ts keySetTwiceProblem) is placed at the bare one.
    if (p && / set twice under `config:`/.test(problem) && this.stack?.config) {
      const e = keyEntry(this.stack.config, [String(p.path[0])]);
      if (e) return this.place(this.stack, e.key, true, secret && "after", e.value);
    }
    // A chartValues override refused beside a judged key the file leaves out is placed at its own
    // line: the key has none, and its default (Pulumi.yaml's `loki: {}`) is not what to edit.
    if (p && placeAt) {
      const place = this.at(parseSegments(placeAt), p.namespace, secret);
      if (place?.exact) return { ...place, holders: this.holderNames(parseSegments(placeAt), p.namespace) };
    }
    if (p) {
      const place = this.at(p.path, p.namespace, secret, spelling);
      return place && { ...place, holders: this.holderNames(p.path, p.namespace, spelling) };
    }
    // A top-level key of the file itself (`confg:`), named bare.
    const bare = /^([^\s:]+): /.exec(problem)?.[1];
    const e = bare && this.stack?.root ? keyEntry(this.stack.root, [bare]) : undefined;
    return e && this.stack ? this.place(this.stack, e.key, true, secret && "after", e.value) : undefined;
  }
}

/**
 * The key node whose value is `target` under `node` (a map's key, or for a list item the item
 * itself), found without following aliases: where an anchored value is written. The yaml library's
 * own visit, not a walk of this module's (the one walk over keys is the contract's keyLocator).
 */
function holderOf(node: unknown, target: Node): { key: Node; isItem: boolean } | undefined {
  let found: { key: Node; isItem: boolean } | undefined;
  if (!isNode(node)) return undefined;
  visit(node, (at, n, path) => {
    if (n !== target) return undefined;
    const parent = path[path.length - 1];
    if (typeof at === "number") found = { key: n as Node, isItem: true };
    // "value": the visit's name for a pair's value, whose pair is the last of the path.
    else if (at === "value") found = { key: (parent as Pair).key as Node, isItem: false };
    return visit.BREAK;
  });
  return found;
}

/**
 * How a value written in an anchored map reaches its key, outermost step first: ` (merged at line
 * 30 through \`<<: *base\`, then at line 8 through \`<<: *common\`)`; empty for a value written at
 * its key.
 */
function throughText(place: Place): string {
  const steps = place.through ?? [];
  if (steps.length === 0) return "";
  const first = steps[0].merge ? "merged" : "reached";
  return ` (${steps.map((s, i) => `${i === 0 ? first : "then"} at line ${s.line} through ${s.text}`).join(", ")})`;
}

/**
 * `problems` (placed at `places`) with those said of one value written once and used at several
 * keys (an anchored map merged into two pools, `<<: *pool`; a value aliased at two keys, `*ret`) as one: the same refusal at the same
 * place is one mistake, which one edit mends, so it is one message naming every key the value
 * reaches and the line it arrives through. The same refusal is the same words once the key paths and
 * holders' names of the problems at the place ({@link Place.holders}: a receiver's name in its credential's
 * key, a chart and its version) and each key's example of the form ({@link withoutExamples}) are set
 * aside, since those differ between the keys one value reaches where the mistake and its mending do not; any other word differs between two mistakes (an unknown
 * key one holder would take as a misspelling and another has no like of), each its own message. The
 * message kept is the use written where the value is (the anchored item itself), else the first found.
 * A value refused at keys that expect different forms (`*ret` at a duration key and at vmsingle's
 * retention) is one mistake as well: the one value is edited, so one message names each key with the
 * form it expects.
 */
export function mergedUses(
  problems: string[],
  places: (Place | undefined)[],
): { problems: string[]; places: (Place | undefined)[] } {
  // A problem's key path ends at its first ": " (every config problem starts so, errors.ts).
  const split = (p: string) => {
    const at = p.indexOf(": ");
    return at < 0 ? undefined : { head: p.slice(0, at), body: p.slice(at) };
  };
  // The names set aside are those of every problem at the place, each problem's own and its
  // neighbours': a pool named `a` is no article `a` in one message and a word in the other.
  const spot = (place: Place) => JSON.stringify([place.file, place.line, place.column]);
  const names = new Map<string, string[]>();
  problems.forEach((p, i) => {
    const place = places[i];
    const head = split(p)?.head;
    if (!place || head === undefined) return;
    const bare = head.slice(head.indexOf(":") + 1);
    names.set(spot(place), [...(names.get(spot(place)) ?? []), head, bare, ...(place.holders ?? [])]);
  });
  const same = (i: number) =>
    withoutNames(withoutExamples(split(problems[i])!.body), names.get(spot(places[i]!))!);
  const groups = new Map<string, number[]>();
  problems.forEach((p, i) => {
    const place = places[i];
    const parts = split(p);
    if (!place || !parts) return;
    // A value refused is one mistake at its place whatever each key expects of it (`*ret` at Loki's
    // retention and at vmsingle's, whose forms differ): the one value is what is edited.
    const found = valueRefused(parts.body)?.found;
    const id = JSON.stringify([spot(place), found === undefined ? same(i) : { found }]);
    groups.set(id, [...(groups.get(id) ?? []), i]);
  });
  const gone = new Set<number>();
  const out = [...problems];
  for (const members of groups.values()) {
    if (members.length < 2 || members.every((i) => !places[i]?.through?.length)) continue;
    const kept = members.find((i) => !places[i]?.through?.length) ?? members[0];
    const others = members.filter((i) => i !== kept);
    others.forEach((i) => gone.add(i));
    // A key whose refusal says what the kept message says is named alone; one expecting another
    // form says that form (and its own hint), so the one message tells every form the edit must meet.
    const uses = others.map((i) => {
      const own = same(i) === same(kept) ? undefined : valueRefused(split(problems[i])!.body);
      const hint = own && own.hint !== valueRefused(split(problems[kept])!.body)?.hint ? own.hint : "";
      return `${split(problems[i])!.head}${throughText(places[i]!)}${own ? `, which expects ${own.form}${hint}` : ""}`;
    });
    const alike = members.every((i) => same(i) === same(kept));
    out[kept] =
      `${problems[kept]} (the same ${split(problems[kept])!.body.startsWith(": unknown key") ? "key" : "value"}, written once, reaches ${listed(uses)}: one edit mends ${members.length > 2 ? "them all" : "both"}${alike ? "" : ", with a value each of them takes"})`;
  }
  const left = (_: unknown, i: number) => !gone.has(i);
  return { problems: out.filter(left), places: places.filter(left) };
}

/**
 * The parts of a problem's words after its key path (`: expected <form>, got string "14days"; did
 * you mean "14d"?`) when it refuses a value written (a text, a number, a boolean), else undefined:
 * `form` expected, the value `found` as described (errors.ts `describe`) and the `hint` after it.
 * A rule that spans keys (config/resolve.ts crossChecks: Loki's 24h minimum) quotes the text it
 * refuses bare (`got "12h"`): that is the same text as the schema's `got string "12h"` at another key
 * the value reaches, so one mistake, found as the schema describes it.
 */
function valueRefused(body: string): { form: string; found: string; hint: string } | undefined {
  const m =
    /^: (?:required, )?expected (.+), got ((?:(?:string|number|boolean) )?(?:"(?:[^"\\]|\\.)*"|[^\s;(]+))(.*)$/s.exec(
      body,
    );
  if (!m) return undefined;
  // Bare only for a quoted text: an unquoted word after "got" without its type is no value written.
  if (!/^(?:string|number|boolean) /.test(m[2]) && !m[2].startsWith('"')) return undefined;
  return { form: m[1], found: m[2].startsWith('"') ? `string ${m[2]}` : m[2], hint: m[3] };
}

/**
 * `text` with the example of each expected form set aside (`like "7d"`): each key offers its own
 * default as the example (Loki's retention "7d", Prometheus's "14d"), where the form and the value
 * refused, and so the edit, are one.
 */
const withoutExamples = (text: string) => text.replace(/\blike "(?:[^"\\]|\\.)*"/g, "like \u0000");

/**
 * `text` with each of `names` set aside where it stands whole, not inside a longer word (`a` in
 * `alerting`), for {@link mergedUses}.
 */
function withoutNames(text: string, names: string[]): string {
  const quoted = [...new Set(names)]
    .filter((n) => n !== "")
    .sort((x, y) => y.length - x.length)
    .map((n) => regExpText(n));
  return quoted.length === 0
    ? text
    : text.replace(new RegExp(`(?<![\\w-])(?:${quoted.join("|")})(?![\\w-])`, "g"), "\u0000");
}

/**
 * `at file:line:col` (unless the problem names it) and the line, with its neighbours when asked, a
 * caret under the column, indented by `indent`.
 */
export function formatPlace(place: Place, indent = "    "): string {
  return [
    ...(place.named
      ? []
      : [`${indent}at ${shownFile(place.file)}:${place.line}:${place.column}${throughText(place)}`]),
    ...excerpt(place.lines, place.line, place.column, place.around ?? 0, `${indent}  `),
  ].join("\n");
}

/**
 * Where a stack key is written, as `file:line`, or undefined when the file does not hold it whole
 * (see {@link overridePlacesIn}).
 */
export type OverridePlace = ((key: string) => string | undefined) & {
  /**
   * The scalar the stack's config holds at a key, as written: the stack file's
   * ({@link ConfigLocator.scalarText}), else Pulumi.yaml's that the file leaves the key to
   * ({@link ConfigLocator.projectValue}); for keys that hold no secret; absent where no file is read.
   */
  written?: (key: string) => string | undefined;
  /**
   * `Pulumi.yaml:N` where Pulumi.yaml's default gives the key its value (the stack file leaving it
   * to that default), else undefined; absent where no file is read.
   */
  defaulted?: (key: string) => string | undefined;
  /**
   * The whole value Pulumi.yaml's default gives a top key the stack file leaves to it
   * ({@link ConfigLocator.projectDefault}), else undefined; absent where no file is read.
   */
  projectDefault?: (top: string) => unknown;
};

/**
 * The key, or else the nearest map above it, that the stack file writes, with its place: a key to
 * add goes into that map (`takeover.releases.grafana` under `takeover.releases:`), so its line is
 * where to write it. Undefined when the file writes neither.
 */
export function placedOrAbove(key: string, at?: OverridePlace): { key: string; where: string } | undefined {
  const parts = parseSegments(key);
  for (let n = parts.length; n > 0; n--) {
    const k = propertyPath(parts[0], parts.slice(1, n));
    const where = at?.(k);
    if (where) return { key: k, where };
  }
  return undefined;
}

/**
 * `key (Pulumi.<stack>.yaml:N)` where the stack file writes the key whole, else
 * `key (not set in the stack file)`, with the line of the map above it that the file writes, where
 * the key is added: a refusal sits on a rendered object, but the operator mends the key, and one
 * that has no line is one to add rather than to look for.
 */
export function stackKeyAt(key: string, at?: OverridePlace): string {
  const placed = placedOrAbove(key, at);
  if (placed?.key === key) return `${key} (${placed.where})`;
  return placed
    ? `${key} (not set in the stack file; ${placed.key} is at ${placed.where})`
    : `${key} (not set in the stack file)`;
}

/**
 * The places of the stack's keys in its stack file (`Pulumi.<stack>.yaml` of `projectDir`): a
 * refused override is found by its key and line, not by the rendered object it ended up in. Only a
 * key the file holds whole gets a line; the file is named relative to the working directory, as the
 * config refusals name it.
 */
export function overridePlacesIn(projectDir: string, stack: string): OverridePlace {
  const locator = ConfigLocator.forStack(projectDir, stack);
  const fileLine = (place: { file: string; line: number }) => `${shownFile(place.file)}:${place.line}`;
  const at: OverridePlace = (key) => {
    const place = locator.at(parseSegments(key));
    return place?.exact ? fileLine(place) : undefined;
  };
  at.written = (key) =>
    locator.scalarText(parseSegments(key)) ?? locator.projectValue(parseSegments(key))?.text;
  at.defaulted = (key) => {
    const place = locator.projectValue(parseSegments(key));
    return place && fileLine(place);
  };
  at.projectDefault = (top) => locator.projectDefault(top);
  return at;
}
