import { z } from "zod";
import { parse as parseYaml } from "yaml";
import { closestMatch, closestOption, nearest, parseQuantity, slipOf } from "@homelab-observability/contract";
import {
  BARE_NUMBER_OFFERS,
  COMPONENT_MAPS,
  PROJECT,
  rawSchema,
  redactUrl,
  SECRET_KEYS,
  SIZE_UNITS,
  STAND_INS,
  UNAME_ARCHES,
  wantsText,
} from "./schema";
import { unknownKeyHint } from "./keyHints";
import { formatPlace, mergedUses, parseSegments, type Place, type Segment } from "./locate";
import { arm32Hint, isArm32 } from "./nodePools";
import { credentialNameMeant, holdsSecret, validReceiverName } from "./receivers";
import { commandDir, pulumiCommand } from "./paths";
import { isMap, propertyPath, removeKeyCommand, removePathCommand, setConfigCommand, valueAt } from "./tree";
import { withUnexpanded } from "./unexpandedVariables";
import { RECEIVER_CREDENTIALS_KEY } from "../model/secrets";
import { shellWord } from "../model/running";
import { countWord, listed, regExpText } from "../model/words";

/*
 * Config errors: every problem names the key path, the expected form and what was found, and a
 * secret's value is never printed.
 */
/**
 * Raised with every problem found, each naming the key path, the expected form and what was found,
 * and, where the stack file is known, the file, line and column of the key with the line itself.
 * Placed problems come in file order (the stack file first, `firstFile`), then line and column;
 * those without a place follow in the order found, so the list reads down the file.
 */
export class ConfigError extends Error {
  readonly problems: string[];
  /** Where each problem's key is (config/locate.ts), by index into `problems`. */
  readonly places: (Place | undefined)[];

  constructor(
    problems: string[],
    /** What the list leaves out or where it came from (e.g. the Pulumi CLI's own first error). */
    readonly notes: string[] = [],
    places: (Place | undefined)[] = [],
    /** The file whose problems come first (the stack file), when problems are placed. */
    readonly firstFile?: string,
    /**
     * The `chartValues` overrides the problems refuse, each as its key path under `chartValues`
     * (the chart first: `["grafana", "grafana.ini"]`), as the checks that refuse them give it
     * ({@link RefusedOverride}): synth judges the stack again without them (cli/synthRun.ts), and a
     * path read back from a problem's text would take a key its hint names, or split a dotted key.
     */
    readonly overrides: readonly (readonly string[])[] = [],
  ) {
    const order = inFileOrder(places, problems.length, firstFile);
    const ordered = order.map((i) => problems[i]);
    const at = order.map((i) => places[i]);
    super(
      `invalid stack configuration (${ordered.length} problem${ordered.length === 1 ? "" : "s"}):` +
        listedProblems(ordered, at) +
        notes.map((n) => `\n${n}`).join(""),
    );
    this.problems = ordered;
    this.places = at;
    this.name = "ConfigError";
  }

  /**
   * The same problems, each placed by `locate` (config/locate.ts ConfigLocator), in the order of
   * `firstFile` (the stack file) and its lines.
   */
  locatedBy(locate: (problem: string) => Place | undefined, firstFile?: string): ConfigError {
    // Placed, one value used at several keys (a merged anchor) shows as what it is: one mistake.
    const { problems, places } = mergedUses(this.problems, this.problems.map(locate));
    return new ConfigError(problems, this.notes, places, firstFile, this.overrides);
  }

  /**
   * The same problems and notes with every `pulumi config` command they quote run against
   * `stack` in the project folder `projectDir` ({@link pulumiCommandsFor}).
   */
  forStack(stack: string, projectDir: string): ConfigError {
    const run = (text: string) => pulumiCommandsFor(text, stack, projectDir);
    return new ConfigError(
      this.problems.map(run),
      this.notes.map(run),
      this.places,
      this.firstFile,
      this.overrides,
    );
  }
}

/**
 * A `chartValues` override a check refuses (set twice with a stack key, a misspelt chart key or
 * chart name, a quoted boolean), with its `problem`: `path` is the refused key's path under
 * `chartValues`, the chart first, each key as written (`["grafana", "grafana.inii"]`).
 */
export interface RefusedOverride {
  problem: string;
  path: string[];
  /**
   * The key whose line the problem is placed at, where not the key it is said of: the override's
   * own (`chartValues.loki.deploymentMode`), when that key, judged, is left out of the stack file
   * (stackKeyPaths.ts sameSettingProblems) and has no line of its own to edit (its default is
   * Pulumi.yaml's `loki: {}`).
   */
  placeAt?: string;
}

/**
 * Problems as a message lists them, each on a line of its own (`\n  - `) with its place, when it
 * has one, below it (the key's file, line and the line itself: config/locate.ts formatPlace).
 */
export function listedProblems(problems: string[], places: (Place | undefined)[]): string {
  return problems.map((p, i) => `\n  - ${p}${places[i] ? `\n${formatPlace(places[i])}` : ""}`).join("");
}

/**
 * Indexes 0..n-1 in reading order: placed before unplaced, `firstFile` before other files (the
 * rest by name), then line and column; ties keep the order found (Array.prototype.sort is stable).
 */
function inFileOrder(places: (Place | undefined)[], n: number, firstFile?: string): number[] {
  const key = (p: Place | undefined): [number, string, number, number] =>
    p ? [p.file === firstFile ? 0 : 1, p.file, p.line, p.column] : [2, "", 0, 0];
  return Array.from({ length: n }, (_, i) => i).sort((a, b) => {
    const [x, y] = [key(places[a]), key(places[b])];
    for (let k = 0; k < x.length; k++) if (x[k] !== y[k]) return x[k] < y[k] ? -1 : 1;
    return 0;
  });
}

/**
 * `text` with each quoted `pulumi config <verb>` run against the stack file the message is about:
 * `--stack <stack>` when it names no stack (the CLI otherwise uses whichever stack is selected,
 * `pulumi stack select`), and the project folder `projectDir` when it is not this checkout
 * (config/paths.ts pulumiCommand: the CLI otherwise edits the checkout's stack file). Every config
 * message's hint passes here on its way out, whoever wrote it.
 */
export function pulumiCommandsFor(text: string, stack: string, projectDir: string): string {
  const pulumi = pulumiCommand(commandDir(projectDir));
  return text.replace(
    /`pulumi config (set|rm|get)((?: [^`]*)?)`/g,
    (_, verb: string, rest: string) =>
      `\`${pulumi} config ${verb}${/ --stack[ =]/.test(rest) ? "" : ` --stack ${shellWord(stack)}`}${rest}\``,
  );
}

/** Whether `problem` is said of the key path `key` (`network.nodes`) or of a key under it. */
export function problemIsAt(problem: string, key: string): boolean {
  const head = `${PROJECT}:${key}`;
  return problem.startsWith(head) && /^[:.[ ]/.test(problem.slice(head.length));
}

/**
 * `problem` names the key path `path` (or a key inside it) anywhere in its text: a rule that names
 * a map set aside for a required key it lacks judged the map as absent, which the file does not
 * say (`grafana.ingress.tls` gone for a bad `secretName` is not "no TLS").
 */
export function namesKey(problem: string, path: string): boolean {
  return keyMention(path).test(problem);
}

/**
 * What {@link namesKey} finds: `path` as a whole key in a problem's text, with or without the
 * project's prefix; its groups are what comes before it (1), the prefix (2) and the character after (3).
 */
export function keyMention(path: string, flags = ""): RegExp {
  const at = regExpText(path);
  return new RegExp(`(^|[\\s:"'(\`])(${PROJECT}:)?${at}($|[^\\w-])`, flags);
}

/** Stands for a secret's value in messages. */
export const REDACTED = Symbol("redacted secret");

/** Stands for a credential's value written in plain text: not shown either, yet no secret. */
export const REDACTED_PLAIN = Symbol("redacted plain-text credential");

/** What was found, for a message: a secret's value never. */
export function describe(value: unknown): string {
  if (value === REDACTED) return "a secret value (not shown)";
  if (value === REDACTED_PLAIN) return "a plain-text value (not shown)";
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  // An empty list is said so: "expected a list of at least 1 entry, got a list" named no mistake.
  if (Array.isArray(value)) return value.length === 0 ? "an empty list" : "a list";
  if (typeof value === "object") return "an object";
  return `${typeof value} ${JSON.stringify(typeof value === "string" ? redactUrl(value) : value)}`;
}

/** A key path as every message names it ({@link propertyPath}: a key holding a dot in brackets). */
function keyPath(path: (string | number)[]): string {
  return `${PROJECT}:${propertyPath(String(path[0]), path.slice(1))}`;
}

/**
 * One zod issue as a problem line: the key path, the expected form and what was found; a text
 * refused that holds `$VAR` or `${VAR}` also says it is read as written, not expanded (the Pulumi
 * CLI expands no variables in stack config, config/unexpandedVariables.ts).
 */
export function formatIssue(issue: z.ZodIssue, input: unknown, file: StackFileFacts = {}): string {
  const text = issueText(issue, input, file);
  // A secret's references are part of its value: never named. Nor a URL's login, which describe() hides.
  const secret =
    (SECRET_KEYS as readonly unknown[]).includes(issue.path[0]) ||
    (issue.code === "custom" && issue.params?.secret === true);
  const found = valueAt(input, issue.path);
  if (secret || issue.code === "unrecognized_keys" || typeof found !== "string") return text;
  return withUnexpanded(text, `${PROJECT}:${String(issue.path[0])}`, redactUrl(found), issue.path.slice(1));
}

function issueText(issue: z.ZodIssue, input: unknown, file: StackFileFacts = {}): string {
  // A secret's value is never printed, whatever is wrong with it.
  // A credential where it does not belong (a receiver's, config/receivers.ts) is flagged by its issue.
  const secret =
    (SECRET_KEYS as readonly unknown[]).includes(issue.path[0]) ||
    (issue.code === "custom" && issue.params?.secret === true);
  // A credential refused for being written in plain text (`params.plain`) was found as plain text.
  const found = secret
    ? issue.code === "custom" && issue.params?.plain === true
      ? REDACTED_PLAIN
      : REDACTED
    : valueAt(input, issue.path);
  const at = keyPath(issue.path);
  switch (issue.code) {
    case "unrecognized_keys":
      return unknownKeyLines(issue, input, file);
    case "invalid_type":
      return found === undefined
        ? `${at}: required, expected ${expectedForm(issue.path, issue.expected, undefined, input)}, got nothing`
        : `${at}: expected ${expectedForm(issue.path, issue.expected, found, input)}, got ${describe(found)}${oneItemHint(issue.path, found, input)}${numberHint(issue.path, found, input)}${bytesHint(issue.path, found, input)}${bareNumberHint(issue.path, found, input)}${booleanHint(issue.expected, found)}${storedTextHint(issue.path, found, issue.expected)}`;
    case "invalid_enum_value": {
      const hint = typeof found === "string" ? enumHint(found, issue.options.map(String)) : "";
      const twins = hint ? listedTwinsHint(issue.path, hint, issue.options.map(String), input) : "";
      return `${at}: expected one of ${issue.options.join(" | ")}, got ${describe(found)}${hint ? `${hint}${twins}` : otherKeyValueHint(issue.path, found, input)}`;
    }
    case "invalid_literal":
      return `${at}: expected ${JSON.stringify(issue.expected)}, got ${describe(found)}${
        typeof found === "string" && typeof issue.expected === "string"
          ? didYouMean(found, [issue.expected])
          : ""
      }`;
    case "invalid_union_discriminator":
      return discriminatorText(issue.path, at, issue.options.map(String), found, input);
    case "invalid_union": {
      // zod's own "Invalid input" names no form: the union's variants do. A text close to one the
      // union takes as written ("Al" for dashboardNamespaces' "all") is that value misspelt, as an
      // enum's option would be.
      const options = unionTextOptions(schemaAt(issue.path, input));
      const hint = typeof found === "string" && options.length > 0 ? enumHint(found, options) : "";
      return `${at}: expected ${expectedForm(issue.path, "a value", found, input)}, got ${describe(found)}${hint}`;
    }
    case "too_small":
    case "too_big":
      return `${at}: expected ${boundedForm(issue, found, input)}, got ${describe(found)}`;
    default:
      return `${at}: ${issue.message}, got ${describe(found)}${bareNumberHint(issue.path, found, input) || unitHint(issue.path, found, input) || hostHint(issue.path, found, input) || caseHint(issue.path, found, input) || receiverNameHint(issue.path, found, input) || trailingSlashHint(issue.path, found, input)}`;
  }
}

/**
 * The lines of a map's unknown keys (one zod issue names them all): each with the key it is
 * closest to, and, where several are closest to one key the map lacks, each naming the others.
 */
function unknownKeyLines(
  issue: Pick<z.ZodUnrecognizedKeysIssue, "keys" | "path">,
  input: unknown,
  file: StackFileFacts,
  beside: readonly string[] = [],
): string {
  const shape = knownKeysAt(issue.path, input);
  // The closest known key when one is close; the map's own word on its keys when it has one
  // (a schema's description: chartValues names its charts); else the whole list when it is short.
  const described = schemaAt(issue.path, input)?.description;
  const keysSaid = described
    ? `, ${described}`
    : shape.length > 0 && shape.length <= 8
      ? `; expected one of: ${shape.join(", ")}`
      : shape.length > 8
        ? " (every key: docs/reference/configuration.md)"
        : "";
  /** A key's name as its line gives it: a top-level key holding dots is one key, named so. */
  const nameOf = (k: string) =>
    issue.path.length === 0 ? `${PROJECT}:${propertyPath(k, [])}` : keyPath([...issue.path, k]);
  /** The line of a key said in words of its own, whatever key it is closest to; else undefined. */
  const ownLine = (k: string): string | undefined => {
    const pathNamed = issue.path.length === 0 ? pathNamedKeyProblem(k, input, file) : undefined;
    if (pathNamed) return pathNamed;
    // A key another variant has (keepDeletedDays of a MinIO store, under type garage) was
    // written for that variant: saying so names the way out, where "unknown" names none.
    const other = otherVariantOf(issue.path, k, input);
    if (other) return `${nameOf(k)}: ${other}`;
    const encrypted = securedMapProblem(issue.path, k);
    if (encrypted) return encrypted;
    // A map's own word on this key (a release's name under chartValues names its chart).
    const hinted = unknownKeyHint(schemaAt(issue.path, input), k);
    if (hinted !== undefined) return `${nameOf(k)}: unknown key${hinted}`;
    // Its value unknown offline, a secure one is no value to judge as the key meant's.
    const sealed = sealedMeantHint(issue.path, k, meantKeyOf(k, shape), input, file);
    if (sealed) return `${nameOf(k)}: unknown key${sealed}`;
    return undefined;
  };
  // `beside`: other unknown keys of the map, said in lines of their own (keyNotOfVariant).
  const own = new Map([...issue.keys, ...beside].map((k) => [k, ownLine(k)]));
  const sharing = slipsOfOneKey(
    issue.path,
    [...issue.keys, ...beside].filter((k) => own.get(k) === undefined),
    shape,
    input,
    file,
  );
  return issue.keys
    .map((k) => {
      const ownWords = own.get(k);
      if (ownWords !== undefined) return ownWords;
      // A map with its own word on its keys (chartValues' chart names) says why better than a
      // key of the same name elsewhere (chartValues.mimir is not the top-level mimir misplaced).
      const meant = meantKeyOf(k, shape);
      const near =
        meantKeyHint(k, shape, issue.path, input, file) ||
        (described ? stackKeyHint(issue.path, k, input, file) : elsewhereHint(k, issue.path, input, file));
      const others = sharing.get(k);
      const together =
        others === undefined || meant === undefined
          ? ""
          : sameMeantNote(issue.path, k, others.map(nameOf), others, meant, input);
      const line = `${nameOf(k)}: unknown key${near || keysSaid}${together}`;
      const asMeant = asMeantKey(issue.path, k, meant, input, file, others);
      // Beside another slip, the line says to rename the one whose value is meant: "rename this
      // key" would name this one, whose value the key meant refuses.
      const mend =
        together && asMeant.hint.startsWith(RENAME_AND_MEND)
          ? ` (as ${meant}: ${asMeant.hint.slice(RENAME_AND_MEND.length)}`
          : asMeant.hint;
      const below =
        meant === undefined
          ? ""
          : sealedBelowHint(
              issue.path,
              k,
              [[...issue.path, meant]],
              input,
              file,
              !meantKeySet(issue.path, meant, input, file),
            );
      return [`${line}${mend}${below}`, ...asMeant.lines].join("\n");
    })
    .join("\n");
}

/**
 * Each of `keys` (unknown keys of the map at `path`) whose closest key in `shape` is one the map
 * lacks and another of them is closest to too, with those others, in the file's order.
 */
function slipsOfOneKey(
  path: (string | number)[],
  keys: readonly string[],
  shape: readonly string[],
  input: unknown,
  file: StackFileFacts,
): Map<string, string[]> {
  const byMeant = new Map<string, string[]>();
  for (const k of keys) {
    const meant = meantKeyOf(k, shape);
    // Beside the key meant, each line says to merge into it (meantKeyHint): true of every one.
    if (meant === undefined || setsKey(path, meant, input, file)) continue;
    byMeant.set(meant, [...(byMeant.get(meant) ?? []), k]);
  }
  const sharing = new Map<string, string[]>();
  for (const group of byMeant.values())
    if (group.length > 1)
      for (const k of group)
        sharing.set(
          k,
          group.filter((o) => o !== k),
        );
  return sharing;
}

/**
 * What the line of `key` adds when `others` of its map (named `names`) are closest to `meant`
 * too, a key the map lacks (`lokii` and `lok`, no `loki`): each "did you mean" followed, the file
 * would hold `meant` twice, which is no YAML the Pulumi CLI reads (and one `pulumi config set`
 * overwrites the other), so only one of them is renamed. Maps are merged; any other value is one to
 * keep. The rules between keys read the first as `meant` (config/judge.ts repairedRaw).
 */
function sameMeantNote(
  path: (string | number)[],
  key: string,
  names: string[],
  others: string[],
  meant: string,
  input: unknown,
): string {
  const map = valueAt(input, path);
  const merged = isMap(map) && [key, ...others].every((k) => isMap(map[k]));
  const one = others.length === 1;
  const rest = one ? "other" : "others";
  // In the file's order, so each line names them alike.
  const group = merged ? Object.keys(map).filter((k) => k === key || others.includes(k)) : [];
  const shared = sharedEntries(group.map((k) => (map as Record<string, Record<string, unknown>>)[k]));
  // Moved as they are, an entry two of them hold is written twice in the one map: no YAML the
  // Pulumi CLI reads, so the advice says which entries they are, and to keep one value of each.
  const keep =
    shared.length === 0
      ? ""
      : `, keeping one value of ${listed(shared)}, which ${one ? "both hold" : "more than one of them holds"}`;
  const way = merged
    ? `rename one of the ${countWord(others.length + 1)} and move what the ${rest} ${one ? "holds" : "hold"} into it${keep}, then remove the ${rest}`
    : `rename the one whose value is meant and remove the ${rest}`;
  return ` (${listed(names)} ${one ? "is" : "are"} closest to ${meant} too, and ${meant} can be set only once: ${way})`;
}

/**
 * The entries more than one of `maps` holds, each by its path below the maps (`host`,
 * `tls.secretName`), in the order first written. An entry that is a map in each is itself moved
 * key by key (`tls` in both is one `tls` holding both's keys), so only what they hold in common
 * below it is named.
 */
function sharedEntries(maps: Record<string, unknown>[], below: string[] = []): string[] {
  const seen = new Map<string, unknown[]>();
  for (const m of maps) for (const [k, v] of Object.entries(m)) seen.set(k, [...(seen.get(k) ?? []), v]);
  return [...seen].flatMap(([k, values]) => {
    if (values.length < 2) return [];
    const path = [...below, k];
    return values.every(isMap) ? sharedEntries(values, path) : [propertyPath(path[0], path.slice(1))];
  });
}

/**
 * The lines of a discriminated union whose discriminator names no variant (`at`, the key's name;
 * `options`, the variants'). The variant's name (a receiver's type, the object store's type) is an
 * enum value like any other; the map beside it is judged as the variant closest to it.
 */
function discriminatorText(
  path: (string | number)[],
  at: string,
  options: string[],
  found: unknown,
  input: unknown,
): string {
  const holder = path.slice(0, -1);
  // Written under a misspelt key (`tpye: minio`), the name is still the variant meant: the map is
  // judged as it, so what else is wrong in it is said now, not once the key is fixed.
  const slip = found === undefined ? misspeltDiscriminator(holder, input) : undefined;
  if (slip) {
    const near = typeof slip.value === "string" ? closestMatch(slip.value, options) : undefined;
    // Renamed, a name that is no variant's is the next run's refusal: said here too.
    const value =
      slip.value === near
        ? ""
        : ` (it holds ${describe(slip.value)}, where ${slip.discriminator} takes one of ${options.join(" | ")}${near ? `: did you mean "${near}"?` : ""})`;
    // Other slips of it beside (`tyep` beside `tpye`): each line names the others.
    const union = unwrap(schemaAt(holder, input) as z.ZodTypeAny) as z.ZodDiscriminatedUnion<
      string,
      z.AnyZodObject[]
    >;
    const slips = discriminatorSlips(union, valueAt(input, holder) as Record<string, unknown>);
    const twins = slips.length > 1 ? slipsNote(holder, slip.key, slips, slip.discriminator, input) : "";
    const others = keysOfNoVariant(holder, input).filter(
      (l) => !l.startsWith(`${keyPath([...holder, slip.key])}: `),
    );
    return [
      // "required": mergeMisspeltRequired folds it into the misspelt key's line.
      `${at}: required, expected one of ${options.join(" | ")}, got nothing`,
      `${keyPath([...holder, slip.key])}: unknown key; did you mean "${slip.discriminator}"?${twins}${value}`,
      ...(near ? asClosestVariant(holder, input, near, slip.key) : others),
    ].join("\n");
  }
  const near = typeof found === "string" ? closestMatch(found, options) : undefined;
  return [
    `${at}: expected one of ${options.join(" | ")}, got ${describe(found)}${
      typeof found === "string" ? didYouMean(found, options) : ""
    }`,
    ...(near ? asClosestVariant(holder, input, near) : keysOfNoVariant(holder, input)),
  ].join("\n");
}

/**
 * The known key an unknown key of a map is read as (its closest match), but for `secure`: that is
 * the Pulumi CLI's word for an encrypted value, written on a map beside its keys
 * ({@link securedMapProblem}), never a slip of a key's name (`insecure`, one edit away, would read
 * the ciphertext as a setting). Undefined when none.
 */
export function meantKeyOf(key: string, known: readonly string[]): string | undefined {
  return key === "secure" ? undefined : closestMatch(key, known);
}

/**
 * A `secure:` key inside a map beside its other keys (`loki: {mode: …, secure: …}`): an encrypted
 * value written on a map of settings, which the Pulumi CLI reads as a key named "secure" (only a
 * `secure:` that is its key's one entry is a secret, config/stackFile.ts). Said as that, not as a
 * misspelt key; undefined for any other key, or at the top level.
 */
function securedMapProblem(path: (string | number)[], key: string): string | undefined {
  if (key !== "secure" || path.length === 0) return undefined;
  return `${keyPath([...path, key])}: unknown key: not a misspelt key but an encrypted value (\`secure:\`) written on ${keyPath(path)}, a map of settings and no secret; remove it (an encrypted value is the one entry of a key that takes a secret)`;
}

/**
 * What the stack file itself writes, where the caller knows it: the config a message judges holds
 * Pulumi.yaml's defaults too (a `nodePools` the file never writes has an item), and the program sees
 * secrets decrypted.
 */
export interface StackFileFacts {
  /**
   * Whether the file holds a top-level key (its full name, `project:key`) in plain text rather than
   * as a `secure:` value; only the offline tools, which read the file, know.
   */
  plain?: (key: string) => boolean;
  /**
   * Whether the file writes the value at `path` under a top-level key (its full name) as a
   * `secure:` value; only the offline tools, which read the file, know.
   */
  secure?: (key: string, path: (string | number)[]) => boolean;
  /** A key path's `file:line` where the file writes it (`loki.retention`), else undefined. */
  placeOf?: (key: string) => string | undefined;
  /**
   * The `chartValues` path a stack key path means when it is a key of a pinned chart's values
   * (`grafana.replicas`: config/chartValueCheck.ts chartValuePathOf), else undefined; only where the
   * charts are at hand (config/judge.ts).
   */
  chartPath?: (path: string[]) => string[] | undefined;
}

/**
 * A top-level key whose own name is a path to a key the config has (`loki.retention`,
 * `nodePools[0].count`), or to one close to it (`grafanna.url`, `loki.retenton`): what `pulumi
 * config set loki.retention 7d` writes without `--path`, one key of that name, which the program
 * never reads. Named as the property-path grammar names one key holding dots (`["loki.retention"]`),
 * the name the locator finds it by in the stack file; said to be a path, with the key meant
 * ({@link meantPath}) and the ways to put its value there: the file, nested, or the CLI, the key
 * removed by its own name and the one meant set with `--path` (the command prompts for the value, so
 * a secret stays out of the shell's history). Each way is one that its next run accepts: a secret
 * key is set with `--secret` only, as a plain value moved in the file would be refused as plain
 * text; a `secure:` value meant for a key that is no secret is set again in plain text, as moved
 * it would be refused as a secret whose form cannot be judged (config/judge.ts); a key meant that
 * the stack sets already is merged with it, as moved or set it would be written twice (`Map keys
 * must be unique`) or replaced; a path under a key that takes one value sets that key. Undefined
 * for a key whose first segment names no key.
 */
function pathNamedKeyProblem(key: string, input: unknown, file: StackFileFacts = {}): string | undefined {
  const written = parseSegments(key);
  // A chart's key written as the stack's own (`grafana.replicas`) belongs under chartValues: a
  // hint to the section alone would be refused again there.
  const names = written.filter((s): s is string => typeof s === "string");
  const chart = names.length === written.length ? file.chartPath?.(names) : undefined;
  const meant =
    written.length < 2 ? undefined : (meantPath(written, input) ?? (chart && { path: chart, leaf: false }));
  if (!meant) return undefined;
  const { path, leaf } = meant;
  const given = keyPath(written).slice(PROJECT.length + 1);
  const target = keyPath(path);
  const short = target.slice(PROJECT.length + 1);
  const secret = (SECRET_KEYS as readonly unknown[]).includes(path[0]);
  const plain = secret && file.plain?.(`${PROJECT}:${key}`) === true;
  const set = setConfigCommand(`${PROJECT}:${String(path[0])}`, path.slice(1), PROJECT, secret);
  const remove = removeKeyCommand(`${PROJECT}:${key}`, PROJECT);
  const fresh = freshLeaves(path, file);
  const facts = [
    ...(leaf ? [`${target} takes one value, with no keys under it`] : []),
    ...(plain ? [`its value is plain text, where ${short} takes a secret`] : []),
  ];
  const said = facts.length > 0 ? `; ${facts.join("; ")}` : "";
  // A secret's value, or a `secure:` one, is set by the CLI, not moved in the file (above).
  const movable = !secret && file.secure?.(`${PROJECT}:${key}`, []) !== true;
  // Asked of the file: `input` holds Pulumi.yaml's defaults, which a value moved in replaces.
  const alreadySet = file.placeOf?.(short) !== undefined;
  const moveTo =
    path.length === 1 ? target : `${String(path[path.length - 1])} under ${keyPath(path.slice(0, -1))}`;
  // "pulumi config set" unquoted: a quoted command gets the stack's name (ConfigError.forStack).
  const ways = alreadySet
    ? `, and ${target} is already set: ${
        !movable
          ? setByCliWays(remove, set, true)
          : `move what this key holds into it, then remove this key (\`${remove}\`)`
      }`
    : fresh === undefined
      ? `${said ? ":" : ";"} ${movable ? `move its value in the stack file to ${moveTo}, or ` : ""}${setByCliWays(remove, set, false)}`
      : `${said ? ":" : ";"} ${movable ? `move its value in the stack file to ${moveTo}, which the file does not write yet: write the other keys ${fresh.holder} requires with it (${fresh.names.join(", ")}); or run` : "run"} \`${remove}\` then ${[...fresh.commands, set].map((c) => `\`${c}\``).join(", ")} (each prompts for a value not given)`;
  const guess = !leaf && short !== given ? ` (did you mean ${short}?)` : "";
  return `${PROJECT}:${propertyPath(key, [])}${PATH_NAMED}${given} (as pulumi config set writes it without --path), which nothing reads${guess}${said}${ways}`;
}

/** The words of {@link pathNamedKeyProblem} after the key, before the path its name holds. */
const PATH_NAMED = ": unknown key: one key whose name holds the path ";

/**
 * The way a value under a key nothing reads reaches the key meant when the CLI must set it (`set`,
 * which prompts for the value), not the file: a secret's, or a `secure:` one meant for a key that is
 * no secret, which moved as ciphertext the next run refuses. This key is removed and the one meant
 * set; when that is set already, only if this key's value is the one meant.
 */
function setByCliWays(remove: string, set: string, alreadySet: boolean): string {
  return alreadySet
    ? `remove this key with \`${remove}\`, and if its value is the one meant, set it again with \`${set}\` (it prompts for the value)`
    : `run \`${remove}\` then \`${set}\` (it prompts for the value)`;
}

/**
 * Whether `key` of the map at `path`, misspelt for `meant`, holds a `secure:` value in the stack
 * file while `meant` is no secret key: its value is unknown offline, so it is no value to judge or
 * read as the key meant's ({@link sealedMeantHint}; judge.ts repairedRaw sets it aside).
 */
export function sealedMisspelt(
  path: (string | number)[],
  key: string,
  meant: string,
  input: unknown,
  file: StackFileFacts,
): boolean {
  return !holdsSecret([...path, meant], input) && writtenSecure(path, key, file);
}

/** Whether the stack file writes `key` of the map at `path` as a `secure:` value. */
function writtenSecure(path: (string | number)[], key: string, file: StackFileFacts): boolean {
  // Where the file writes the value: under its own top-level key, or inside the map at `path`.
  const holder = `${PROJECT}:${String(path.length === 0 ? key : path[0])}`;
  return file.secure?.(holder, path.length === 0 ? [] : [...path.slice(1), key]) === true;
}

/**
 * "; did you mean X? (…)" for a misspelt key whose value is a `secure:` one where the key it means
 * is no secret (`kubeContxt: {secure: …}`, `grafana: {urll: {secure: …}}`): {@link sealedWays}.
 * Undefined for any other key, or when no key is close.
 */
function sealedMeantHint(
  path: (string | number)[],
  key: string,
  meant: string | undefined,
  input: unknown,
  file: StackFileFacts,
): string | undefined {
  const ways = meant === undefined ? undefined : sealedWays(path, key, [[...path, meant]], input, file);
  return ways && `; did you mean "${meant}"? (${ways})`;
}

/**
 * How the key `key` of the map at `path`, holding a `secure:` value, reaches the keys it may mean
 * (`targets`, full paths; the same level's, or another's: elsewhereHint), when none is a secret
 * ({@link holdsSecret}). Offline the value is unknown (a placeholder stands in, stackFile.ts
 * secretPlaceholder), so it is neither quoted nor judged as the key meant's; and renamed, or moved
 * into the key meant, it is ciphertext on a key that is no secret, which the next run refuses
 * (judge.ts withSecureValues): this key is removed and the key meant set by the CLI in plain text
 * ({@link setByCliWays}), a map's keys in the file; each candidate is named, never "move it".
 * Undefined for a plain value, or when a target is a secret (its own hint says where it goes).
 */
function sealedWays(
  path: (string | number)[],
  key: string,
  targets: (string | number)[][],
  input: unknown,
  file: StackFileFacts,
): string | undefined {
  if (targets.length === 0 || !writtenSecure(path, key, file) || targets.some((t) => holdsSecret(t, input)))
    return undefined;
  const holder = `${PROJECT}:${String(path.length === 0 ? key : path[0])}`;
  const remove =
    path.length === 0
      ? removeKeyCommand(holder, PROJECT)
      : removePathCommand(holder, [...path.slice(1), key], PROJECT);
  const short = (t: (string | number)[]) => keyPath(t).slice(PROJECT.length + 1);
  const set = (t: (string | number)[]) =>
    setConfigCommand(`${PROJECT}:${String(t[0])}`, t.slice(1), PROJECT, false);
  const isSet = (t: (string | number)[]) => meantKeySet(t.slice(0, -1), String(t[t.length - 1]), input, file);
  const map = (t: (string | number)[]) => mapValueHint(String(t[0]), t.slice(1));
  const [only] = targets;
  const alreadySet = targets.length === 1 && isSet(only);
  const one = () => {
    const m = map(only);
    return m === undefined
      ? setByCliWays(remove, set(only), alreadySet)
      : alreadySet
        ? `remove this key with \`${remove}\`, and if its value is the one meant, write its keys under ${short(only)} in the stack file`
        : `run \`${remove}\`, then ${m}`;
  };
  // Several keys it may mean: each named with its own way, the writer picks the one meant.
  const each = (t: (string | number)[]) =>
    map(t) === undefined
      ? `\`${set(t)}\` (it prompts for the value${isSet(t) ? `; ${short(t)} is already set: only if this key's value is the one meant` : ""})`
      : `the keys of ${short(t)} written in the stack file`;
  const ways =
    targets.length === 1
      ? one()
      : `run \`${remove}\`, then set the key meant: ${targets.map(each).join(" or ")}`;
  const names = targets.map(short).join(" and ");
  return `its value is a \`secure:\` value (not shown), which the offline tools cannot decrypt, and ${names} ${targets.length === 1 ? "is no secret key" : "are no secret keys"}${alreadySet ? ` and is already set` : ""}: ${ways}`;
}

/**
 * The `secure:` values the stack file writes inside the map (or list) of `key` of the map at
 * `path`, each by its path below `key` (not below a `secure:` value: that is one value). The
 * key itself written `secure:` is {@link sealedWays}'s.
 */
function secureBelow(
  path: (string | number)[],
  key: string,
  input: unknown,
  file: StackFileFacts,
): (string | number)[][] {
  if (!file.secure) return [];
  const holder = `${PROJECT}:${String(path.length === 0 ? key : path[0])}`;
  const inFile = path.length === 0 ? [] : [...path.slice(1), key];
  const found: (string | number)[][] = [];
  const walk = (x: unknown, below: (string | number)[]) => {
    const entries: [string | number, unknown][] = Array.isArray(x)
      ? x.map((e, i) => [i, e])
      : isMap(x)
        ? Object.entries(x)
        : [];
    for (const [k, v] of entries) {
      const at = [...below, k];
      if (file.secure?.(holder, [...inFile, ...at])) found.push(at);
      else walk(v, at);
    }
  };
  walk(valueAt(input, [...path, key]), []);
  return found;
}

/**
 * The `secure:` values inside a map key meant for another (`grafana: {ingres: {host: {secure: …}}}`
 * for `grafana.ingress`, `loki: {objectStore: …}` for the top-level one; `target` is the full path
 * of the key meant) whose key there is one the config reads and no secret ({@link holdsSecret},
 * asked of the config with the value there: a receiver's credential is one by its receiver):
 * renamed or moved as told, each is ciphertext on a key that is no secret, which the next run
 * refuses (judge.ts withSecureValues), so the line that tells the rename says it now, by their
 * paths below the key meant. Empty without a key meant, or for a `chartValues` leaf (the
 * no-plaintext-credentials policy's).
 */
function sealedBelow(
  path: (string | number)[],
  key: string,
  target: (string | number)[] | undefined,
  input: unknown,
  file: StackFileFacts,
): (string | number)[][] {
  if (target === undefined || writtenSecure(path, key, file)) return [];
  const found = secureBelow(path, key, input, file);
  if (found.length === 0) return [];
  const there = structuredClone(input) as Record<string | number, unknown>;
  const holder = target.length === 1 ? there : valueAt(there, target.slice(0, -1));
  const last = String(target[target.length - 1]);
  if (isMap(holder) && holder[last] === undefined)
    holder[last] = valueAsMeant(target.slice(0, -1), last, valueAt(input, [...path, key]));
  return found.filter(
    (b) =>
      target[0] !== "chartValues" &&
      isKnownPath([...target, ...b], there) &&
      !holdsSecret([...target, ...b], there),
  );
}

/**
 * What the line of a map key meant for another (`targets`, the full path of each key it may mean:
 * one, or several a "did you mean A or B" names) adds for its `secure:` values whose keys there are
 * no secret ({@link sealedBelow}): their paths (never their values), and the way that works: the
 * map's keys under the key meant in the stack file (with `rename`, this key renamed; else moved
 * there as the line says), then each such value set again in plain text by the CLI, which replaces
 * that one leaf (tree.ts setConfigCommand; a map or a list, which one set stores as text, as
 * mapValueHint says), under whichever key meant it went to. "" when there is none.
 */
function sealedBelowHint(
  path: (string | number)[],
  key: string,
  targets: (string | number)[][],
  input: unknown,
  file: StackFileFacts,
  rename: boolean,
): string {
  // Each value below this key, and the keys meant where it lands on no secret.
  const each = targets.map((t) => sealedBelow(path, key, t, input, file).map((b) => JSON.stringify(b)));
  const below = [...new Set(each.flat())].map((b) => JSON.parse(b) as (string | number)[]);
  if (below.length === 0) return "";
  const landing = (b: (string | number)[]) =>
    targets.filter((_, n) => each[n].includes(JSON.stringify(b))).map((t) => [...t, ...b]);
  const short = (t: (string | number)[]) => keyPath(t).slice(PROJECT.length + 1);
  const one = below.length === 1;
  // Each path below this key as a path reads (`host`, `[0].memory`, `["a.b"]`), not `0.memory`.
  const given = below
    .map((b) => propertyPath("_", b).slice(1))
    .map((g) => (g.startsWith(".") ? g.slice(1) : g))
    .join(", ");
  const names = below.map((b) => landing(b).map(short).join(" or ")).join(", ");
  const way = (t: (string | number)[]) => {
    const map = mapValueHint(String(t[0]), t.slice(1), true);
    return map === undefined
      ? `\`${setConfigCommand(`${PROJECT}:${String(t[0])}`, t.slice(1), PROJECT, false)}\``
      : `${short(t)} as a map: ${map}`;
  };
  const ways = below.map((b) => landing(b).map(way).join(" or "));
  // Moved (the line says how: into a key set already, or to another level), the set follows.
  const first = rename
    ? `rename this key to ${String(targets[0][targets[0].length - 1])} in the stack file, then set`
    : `once moved into ${targets.map(short).join(" or ")}, set`;
  const whichever = targets.length > 1 ? ", whichever it went into" : "";
  return ` (its ${given} ${one ? "is a `secure:` value" : "are `secure:` values"} (not shown), which the offline tools cannot decrypt, and ${names} ${one ? "is no secret key" : "are no secret keys"} (ciphertext there is refused): ${first} ${one ? "it" : "them"} again in plain text with ${ways.join(", ")}${whichever} (${one ? "it prompts" : "each prompts"} for the value))`;
}

/**
 * The other keys a `--path` set of `path` needs when the path crosses a map or list item the stack
 * file does not write (`nodePools[0]`, where Pulumi.yaml's default pool stands; `alerting.receivers[0]`):
 * set alone, the leaf makes that map with this one key, which replaces any default and lacks every
 * other key it requires, so the next run refuses it. `holder` is the first such map (a list's item
 * by its index), `names` its required keys below it, `commands` the `--path` sets of them
 * ({@link requiredLeaves}; a union's first variant as the example). Undefined when the file writes
 * every map on the way, is not known (no `file.placeOf`), or none of them requires another key.
 */
function freshLeaves(
  path: (string | number)[],
  file: StackFileFacts,
): { holder: string; names: string[]; commands: string[] } | undefined {
  const placeOf = file.placeOf;
  if (!placeOf) return undefined;
  const short = (p: (string | number)[]) => keyPath(p).slice(PROJECT.length + 1);
  let n = path.findIndex((_, i) => i > 0 && placeOf(short(path.slice(0, i))) === undefined);
  if (n < 0) return undefined;
  // A list the file lacks is written by its item.
  if (typeof path[n] === "number") n++;
  const key = String(path[0]);
  const target = short(path);
  const leaves = new Map<string, { path: (string | number)[]; value: string }>();
  let first: number | undefined;
  for (let i = n; i < path.length; i++) {
    // A list's items are taken at their own index, on the next step.
    const at = schemaAt(path.slice(0, i));
    if (at && unwrap(at) instanceof z.ZodArray) continue;
    for (const l of requiredLeaves(key, path.slice(1, i)) ?? []) {
      const leaf = short([key, ...l.path]);
      // The key set itself, or a map on its way, is this key's value, not another key.
      if (leaf === target || target.startsWith(`${leaf}.`) || target.startsWith(`${leaf}[`)) continue;
      leaves.set(leaf, l);
      first ??= i;
    }
  }
  if (first === undefined) return undefined;
  const holder = keyPath(path.slice(0, first));
  const name = `${PROJECT}:${key}`;
  return {
    holder,
    names: [...leaves.keys()].map((at) => at.slice(holder.length - PROJECT.length).replace(/^\./, "")),
    commands: [...leaves.values()].map(
      (l) => `${setConfigCommand(name, l.path, PROJECT, false)}${l.value ? ` ${l.value}` : ""}`,
    ),
  };
}

/**
 * The key path `written` means: each map key the one its map has, or the one closest to it
 * ({@link closestMatch}); a list index where the schema has a list; any key of a map whose keys are
 * names (a chart's values, `receiverCredentials`' receivers). `leaf` when the path goes on below a
 * key that takes one value (`pushoverToken.value`): the path is cut there. Undefined when a key
 * matches none, or the first names no key at all.
 */
function meantPath(
  written: Segment[],
  input: unknown,
): { path: (string | number)[]; leaf: boolean } | undefined {
  const path: (string | number)[] = [];
  // A receiver's credential is one text under its name (model/secrets.ts), and a name is one key:
  // what follows `receiverCredentials.` is a name, whatever dots it holds (`receiverCredentials.Team.Slack`,
  // set without --path, is the entry "Team.Slack", not "Team" with a key under it), read as the
  // receiver it names (config/receivers.ts credentialNameMeant).
  const rest = written.slice(1);
  if (written[0] === RECEIVER_CREDENTIALS_KEY && rest.length > 0 && rest.every((s) => typeof s === "string"))
    return { path: [RECEIVER_CREDENTIALS_KEY, credentialNameMeant(rest.join("."), input)], leaf: false };
  for (const seg of written) {
    const at = schemaAt(path, input);
    const shape = at && unwrap(at);
    // The secrets are text to the schema; `receiverCredentials` is a map of them by receiver name
    // (model/secrets.ts), read apart (config/receiverSecrets.ts).
    const named =
      shape instanceof z.ZodRecord ||
      shape instanceof z.ZodUnknown ||
      shape instanceof z.ZodAny ||
      (path.length === 1 && path[0] === RECEIVER_CREDENTIALS_KEY);
    if (named || (typeof seg === "number" && shape instanceof z.ZodArray)) {
      path.push(seg);
      continue;
    }
    const known = knownKeysAt(path, input);
    const keys = known.length > 0 ? known : schemaKeys(shape);
    if (keys.length === 0 && !(shape instanceof z.ZodArray))
      return path.length === 0 ? undefined : { path, leaf: true };
    const meant = typeof seg === "string" ? (keys.includes(seg) ? seg : closestMatch(seg, keys)) : undefined;
    if (meant === undefined) return undefined;
    path.push(meant);
  }
  return { path, leaf: false };
}

/** Words people write after a number of CPUs, as the unit a Kubernetes CPU quantity gives them. */
const CPU_WORDS: Record<string, string> = {
  core: "",
  cores: "",
  cpu: "",
  cpus: "",
  vcpu: "",
  vcpus: "",
  millicore: "m",
  millicores: "m",
  millicpu: "m",
  millicpus: "m",
  mcpu: "m",
};

/** Unit words and spellings people write for the units a size or a duration takes. */
const DURATION_WORDS: Record<string, string> = {
  ms: "ms",
  s: "s",
  sec: "s",
  secs: "s",
  second: "s",
  seconds: "s",
  m: "m",
  min: "m",
  mins: "m",
  minute: "m",
  minutes: "m",
  h: "h",
  hr: "h",
  hrs: "h",
  hour: "h",
  hours: "h",
  d: "d",
  day: "d",
  days: "d",
  w: "w",
  wk: "w",
  week: "w",
  weeks: "w",
  y: "y",
  yr: "y",
  year: "y",
  years: "y",
};

/** The size units a byte count is offered in, largest first (each binary unit above its decimal one). */
const BYTE_UNITS = ["Ti", "T", "Gi", "G", "Mi", "M", "Ki", "k"];

/**
 * What a size written as a number alone meant. Below a MiB of bytes, the Gi a volume's size most
 * often has ("70" is "70Gi"); from a MiB on, bytes (a node's memory pasted in bytes: 2^20 Gi would be
 * a PiB), said in the largest unit that holds them whole ("8589934592" is "8Gi"), or nothing when
 * none does: another size would be another value, not the same one spelled as the key takes it.
 */
function bareSizes(n: string): string[] {
  const bytes = Number(n);
  if (!Number.isSafeInteger(bytes) || bytes < 2 ** 20) return [`${n}Gi`];
  const whole = BYTE_UNITS.find((u) => bytes % parseQuantity(`1${u}`)! === 0);
  return whole ? [`${bytes / parseQuantity(`1${whole}`)!}${whole}`] : [];
}

/**
 * `; did you mean "8Gi"?` for a size or a duration written with its unit spelled another way
 * ("8GB", "8 Gi", "8gi"; "14days", "14 d", "2weeks"), when the key's own schema takes the
 * spelling it has: the form in the message is right, but the nearest value that passes is quicker
 * to act on. Else "".
 */
function unitHint(path: (string | number)[], found: unknown, input: unknown): string {
  if (typeof found !== "string") return "";
  const schema = schemaAt(path, input);
  if (!schema) return "";
  // A size a day may say so itself ("50GB/day", "50GB a day"): the key already means a day.
  const m = /^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*(?:(?:\/\s*|per\s+|a\s+)(?:d|day))?\s*$/.exec(found);
  if (!m) return "";
  const [, n, unit] = m;
  const candidates: string[] = [];
  // A key that takes a bare number counts CPUs (nodePools[].cpu): "m" is a thousandth there and "M"
  // a million, so a unit is never read as bytes ("4000 m" is "4000m", not "4000Mi"), and a word for
  // a core or a thousandth of one is its unit ("4 cores" is "4", "500 millicores" "500m").
  if (schema.safeParse("1").success) {
    const cpu = CPU_WORDS[unit.toLowerCase()] ?? (unit === "m" ? "m" : undefined);
    const near = cpu === undefined ? undefined : `${n}${cpu}`;
    return near !== undefined && near !== found && schema.safeParse(near).success
      ? `; did you mean "${near}"?`
      : "";
  }
  // A number alone where a size is written with its unit: the unit a volume's size most often has
  // (a key that takes bytes alone, or no Gi, is offered nothing), or, for bytes, those bytes.
  if (unit === "") candidates.push(...bareSizes(n));
  // A byte unit, offered with the meaning it has: in a Kubernetes quantity a decimal unit is the
  // bare letter (k, M, G) and a binary one ends in i (Ki, Mi, Gi) (k8s.io/apimachinery
  // pkg/api/resource/quantity.go, the Quantity grammar: <decimalSI> ::= n | u | m | "" | k | M |
  // G | T | P | E, <binarySI> ::= Ki | Mi | Gi | Ti | Pi | Ei), so "8GB" (8 x 10^9 bytes) is "8G"
  // and "8GiB" or "8gi" is "8Gi". A bare letter ("8g") keeps the binary unit, as before; a key
  // like workload.logsPerDay takes Prometheus' spelling, binary where the spelling was ("50Gi" as
  // "50GiB", "50G" as "50GB").
  const bytes = /^([kmgtp])(i?b?)$/i.exec(unit);
  const decimal = bytes !== null && /^b$/i.test(bytes[2]);
  if (bytes) {
    const prefix = bytes[1].toLowerCase() === "k" ? "K" : bytes[1].toUpperCase();
    const kubernetes = decimal ? `${n}${prefix === "K" ? "k" : prefix}` : `${n}${prefix}i`;
    candidates.push(kubernetes, `${n}${prefix}${/i/i.test(bytes[2]) ? "iB" : "B"}`);
  }
  const word = DURATION_WORDS[unit.toLowerCase()];
  if (word) candidates.push(`${n}${word}`);
  const near = candidates.find((c) => c !== found && schema.safeParse(c).success);
  if (!near) return "";
  // The binary unit beside a decimal one, as an aside: a size was most likely meant in it.
  const binary = decimal && /^\d+(\.\d+)?[kMGTP]$/.test(near) ? `${n}${near.slice(-1).toUpperCase()}i` : "";
  return binary && schema.safeParse(binary).success
    ? `; did you mean "${near}" (${n} x 10^${DECIMAL_POWERS[near.slice(-1)]} bytes, as ${JSON.stringify(found)} is; "${binary}" is ${n} x 2^${(DECIMAL_POWERS[near.slice(-1)] / 3) * 10} bytes)?`
    : `; did you mean "${near}"?`;
}

/** The power of ten of a Kubernetes quantity's decimal byte unit (quantity.go's <decimalSI>). */
const DECIMAL_POWERS: Record<string, number> = { k: 3, M: 6, G: 9, T: 12, P: 15 };

/**
 * For a number written without its unit where a duration goes (`retention: 30`, or "30"), what
 * the key offers for it (schema.ts BARE_NUMBER_OFFERS: its usual unit, or vmstorage's months),
 * when the key takes the value offered. Else "".
 */
function bareNumberHint(path: (string | number)[], found: unknown, input: unknown): string {
  const n =
    typeof found === "number"
      ? found
      : typeof found === "string" && /^\s*\d+(\.\d+)?\s*$/.test(found)
        ? Number(found)
        : NaN;
  const schema = Number.isFinite(n) ? schemaAt(path, input) : undefined;
  const offer = schema && BARE_NUMBER_OFFERS.get(schema)?.(n);
  return offer && schema.safeParse(offer.value).success ? `; ${offer.why}` : "";
}

/**
 * `; did you mean "8Gi"?` for a size written as a YAML number (`memory: 8589934592`): Kubernetes
 * reads a bare number as bytes, so the same size in the largest unit that holds it a whole number
 * of times is sure to be what was meant. A number no unit holds whole, a key that takes numbers
 * (a CPU count) or a duration (a number there has no unit to read it by) gets "".
 */
function bytesHint(path: (string | number)[], found: unknown, input: unknown): string {
  if (typeof found !== "number") return "";
  const schema = schemaAt(path, input);
  if (!schema || !Number.isSafeInteger(found) || found <= 0 || schema.safeParse(found).success) return "";
  const whole = SIZE_UNITS.map((unit) => ({ unit, bytes: parseQuantity(`1${unit}`)! }))
    .filter((u) => found % u.bytes === 0)
    .sort((a, b) => b.bytes - a.bytes)
    .map((u) => `${found / u.bytes}${u.unit}`);
  const near = whole.find((c) => schema.safeParse(c).success);
  return near ? `; did you mean "${near}"?` : "";
}

/**
 * `; did you mean "grafana.example.net"?` for a host (or host:port) written as a URL
 * ("https://grafana.example.net/", "smtp://smtp.example.net:587"), or a name in a URL's host part
 * ("s3://staging-mimir-blocks"), when the key takes the URL's host:port or host alone. Else "".
 */
function hostHint(path: (string | number)[], found: unknown, input: unknown): string {
  if (typeof found !== "string" || !/^[a-z][a-z0-9+.-]*:\/\//i.test(found.trim())) return "";
  const schema = schemaAt(path, input);
  let url: URL;
  try {
    url = new URL(found.trim());
  } catch {
    return "";
  }
  if (!schema || url.username || url.password) return "";
  // A key that takes a path after the host (a registry mirror's prefix) keeps it: the scheme alone goes.
  const withPath = `${url.host}${url.pathname.replace(/\/+$/, "")}`;
  if (withPath !== url.host && !url.search && !url.hash && schema.safeParse(withPath).success)
    return `; did you mean "${withPath}"? (no scheme)`;
  const near = [url.host, url.hostname].find((h) => h !== "" && schema.safeParse(h).success);
  // What the URL's host part is to the key, by its own form: a host, or a name (an S3 bucket's,
  // written as "s3://staging-mimir-blocks", is no host).
  const what = /\bhost\b/.test(ownForm(schema.safeParse(found.trim()).error?.issues) ?? "") ? "host" : "name";
  return near ? `; did you mean "${near}"? (the ${what} alone: no scheme, no path)` : "";
}

/**
 * `; did you mean "registry.home.lan/dockerhub"?` for a value the key refuses for its trailing "/"
 * alone (a registry mirror's prefix), when the value without it passes the key's own schema. Else "".
 */
function trailingSlashHint(path: (string | number)[], found: unknown, input: unknown): string {
  if (typeof found !== "string" || !/[^/]\/+$/.test(found) || found.includes("://")) return "";
  const near = found.replace(/\/+$/, "");
  return schemaAt(path, input)?.safeParse(near).success ? `; did you mean "${near}"? (no trailing "/")` : "";
}

/**
 * `; did you mean "staging-loki-chunks"?` for a name written with capitals where the key takes
 * lowercase only (a bucket, a Kubernetes object, a host: "Staging-Loki-Chunks"), when the same
 * text in lowercase passes the key's own schema. Else "".
 */
function caseHint(path: (string | number)[], found: unknown, input: unknown): string {
  if (typeof found !== "string" || found === found.toLowerCase()) return "";
  const near = found.toLowerCase();
  // Not the name another item of its list has, or would have by the same hint (a pool's, a
  // receiver's: each unique; "Edge" beside "EDGE"): renamed onto it, the item would be refused as a
  // second of that name.
  if (siblingNamed(path, near, input)) return "";
  return schemaAt(path, input)?.safeParse(near).success ? `; did you mean "${near}"?` : "";
}

/** Whether `path` is a list item's `name` and another item of that list is named `name` in any case. */
function siblingNamed(path: (string | number)[], name: string, input: unknown): boolean {
  const index = path[path.length - 2];
  if (typeof index !== "number" || path[path.length - 1] !== "name") return false;
  const list = valueAt(input, path.slice(0, -2));
  return (
    Array.isArray(list) &&
    list.some(
      (o, j) => j !== index && isMap(o) && typeof o.name === "string" && o.name.toLowerCase() === name,
    )
  );
}

/**
 * `; did you mean "team-slack"?` for a receiver's name the schema refuses ("Team.Slack") that reads
 * as one it takes ({@link validReceiverName}): the name its credential's hint sets
 * (config/receivers.ts secretsBackendWay). Else "".
 */
function receiverNameHint(path: (string | number)[], found: unknown, input: unknown): string {
  const [top, list, index, field] = path;
  if (top !== "alerting" || list !== "receivers" || typeof index !== "number" || field !== "name") return "";
  // Not a name another receiver holds: the rename would be refused as a second of it.
  const all = valueAt(input, ["alerting", "receivers"]);
  const taken = Array.isArray(all)
    ? all.filter((_, j) => j !== index).map((o) => (isMap(o) ? o.name : undefined))
    : [];
  const near = typeof found === "string" && path.length === 4 ? validReceiverName(found, taken) : undefined;
  return near !== undefined && near !== found ? `; did you mean "${near}"?` : "";
}

/** Multipliers people write after a count ("2M" series, "500k"). */
const COUNT_MULTIPLIERS: Record<string, number> = { k: 1e3, K: 1e3, m: 1e6, M: 1e6 };

/**
 * `; did you mean 2000000? (...)` for a number written as text YAML cannot read as one: digit
 * groups apart ("2,000,000", "2_000_000"), a multiplier ("2M", "500k"), or the unit the key's own
 * name states ("7d" for keepDeletedDays), when the number meant is one the key takes. Else "" (a
 * number in quotes is told to drop them by its form, {@link numberForm}).
 */
function numberHint(path: (string | number)[], found: unknown, input: unknown): string {
  if (typeof found !== "string") return "";
  const schema = schemaAt(path, input);
  if (!schema || !(unwrap(schema) instanceof z.ZodNumber)) return "";
  const text = found.trim();
  const key = String(path[path.length - 1]);
  const meant: [number, string][] = [];
  if (/^\d{1,3}([,_ ]\d{3})+$/.test(text))
    meant.push([Number(text.replace(/[,_ ]/g, "")), "written without separators: YAML reads them as text"]);
  const times = /^(\d+(?:\.\d+)?)\s*([kKmM])$/.exec(text);
  if (times)
    meant.push([
      Math.round(Number(times[1]) * COUNT_MULTIPLIERS[times[2]]),
      "written out in digits: YAML reads a multiplier as text",
    ]);
  const days = /^(\d+)\s*(?:d|days?)$/i.exec(text);
  if (days && /Days$/.test(key)) meant.push([Number(days[1]), `${key} counts days: a number alone`]);
  const ok = meant.find(([n]) => schema.safeParse(n).success);
  return ok ? `; did you mean ${ok[0]}? (${ok[1]})` : "";
}

/**
 * The form a value outside its key's bounds is told, in the words every other form uses: a number's
 * from the key's own checks (`a whole number of at least 1, like 3`, {@link expectedForm}), a list's
 * and a text's from the bound zod reports.
 */
function boundedForm(issue: z.ZodTooSmallIssue | z.ZodTooBigIssue, found: unknown, input: unknown): string {
  const small = issue.code === "too_small";
  const bound = Number(small ? issue.minimum : issue.maximum);
  const side = small ? "at least" : "at most";
  if (issue.type === "number") return expectedForm(issue.path, "number", found, input);
  if (issue.type === "array") return `a list of ${side} ${bound} ${bound === 1 ? "entry" : "entries"}`;
  if (issue.type === "string")
    return small && bound === 1 ? "non-empty text" : `text of ${side} ${bound} characters`;
  return `a value of ${side} ${bound}`;
}

/**
 * The keys of an object no variant of its discriminated union knows, each with its closest match,
 * when its discriminator is close to no variant's name. zod stops at a bad discriminator (`type:
 * s3`) without looking at the other keys, so without this a slip beside it (`adminEndpont`) would
 * show only once the type is fixed: judged against every variant's keys, no key valid in the
 * variant meant is refused.
 */
function keysOfNoVariant(path: (string | number)[], input: unknown): string[] {
  const at = schemaAt(path, input);
  const union = at && unwrap(at);
  const value = valueAt(input, path);
  if (!(union instanceof z.ZodDiscriminatedUnion) || !isMap(value)) return [];
  const known = allVariantKeys(union);
  // A key close to none: the keys every variant takes, and where the rest are (one variant's
  // own keys, listed whole, would name keys the variant meant may not have).
  const common = (union.options as z.AnyZodObject[])
    .map((o) => Object.keys(o.shape))
    .reduce((all, keys) => all.filter((k) => keys.includes(k)));
  const listed = `; expected one of the keys every ${union.discriminator} takes (${common.join(", ")}) or one of its ${union.discriminator}'s own (every key: docs/reference/configuration.md)`;
  return Object.keys(value)
    .filter((k) => !known.includes(k))
    .map((k) => `${keyPath([...path, k])}: unknown key${meantKeyHint(k, known, path, input) || listed}`);
}

/** What {@link meantKeyHint} adds when the key meant is set; {@link mergeMisspeltRequired} may say it more exactly. */
const ALREADY_SET = / \([^()]* is already set: move what this key holds into it, then remove this key\)/;

/**
 * {@link didYouMean} for an unknown key of the map at `path`, saying so when the map already sets
 * the key it means (`prometheus2` beside `prometheus`): renamed as told, the file would hold that
 * key twice, which is no YAML the Pulumi CLI reads, so the way out is to merge the two.
 */
function meantKeyHint(
  key: string,
  known: readonly string[],
  path: (string | number)[],
  input: unknown,
  file: StackFileFacts = {},
): string {
  const meant = meantKeyOf(key, known);
  if (meant === undefined) return "";
  return setsKey(path, meant, input, file)
    ? `; did you mean "${meant}"?${alreadySetNote(keyPath([...path, meant]))}`
    : `; did you mean "${meant}"?`;
}

/** What a misspelt key's line adds when the key it means is set too ({@link ALREADY_SET}). */
function alreadySetNote(meant: string): string {
  return ` (${meant} is already set: move what this key holds into it, then remove this key)`;
}

/**
 * Whether the stack file sets `key` in the map at `path`. At the top level it is asked of the file
 * (`file.placeOf`; without it, no): `input` holds Pulumi.yaml's defaults there, so a key the file
 * never writes (`profile`) is in it all the same. A map's own keys are the file's (the `{}`
 * defaults of the maps hold no key).
 */
function setsKey(path: (string | number)[], key: string, input: unknown, file: StackFileFacts): boolean {
  if (path.length === 0) return file.placeOf?.(key) !== undefined;
  const map = valueAt(input, path);
  return isMap(map) && map[key] !== undefined;
}

/**
 * Whether the map at `path` already sets `meant`, the key a misspelt key of it means: then the
 * misspelt key is not read as it (judge.ts repairedRaw) and its line says to merge the two. At the
 * top level the config holds Pulumi.yaml's defaults (`profile: standard`), which a rename sets, not
 * clashes with: a key with one is set when the file writes it ({@link setsKey}); a key without one,
 * when the config holds it at all, wherever that config lives (a stack with no stack file,
 * config/load.ts).
 */
export function meantKeySet(
  path: (string | number)[],
  meant: string,
  input: unknown,
  file: StackFileFacts = {},
): boolean {
  if (path.length === 0 && hasDefault([meant])) return setsKey(path, meant, input, file);
  const map = valueAt(input, path);
  return isMap(map) && map[meant] !== undefined;
}

/** What {@link asMeantKey} adds to a misspelt key's line; {@link mergeMisspeltRequired} folds it into its own. */
export const RENAME_AND_MEND = " (rename this key, and mend its value: ";

/**
 * A misspelt key's value judged as the value of the key it means, when its map lacks that key: the
 * rules between keys read the key as that one (judge.ts repairedRaw), and a rename alone would
 * only trade this refusal for the value's on the next run (`hosts: [grafana.example.net]` read as
 * `grafana.ingress.host`, which takes one host name, not a list). The value's own refusal goes into
 * the key's line as `hint` (one mistake: the rename says what the value must be too); each refusal
 * inside it (a map's entry) is its own line in `lines`, said at the key as written, the line the
 * file has. Nothing when the value fits, the map already sets the key meant (its line says to
 * merge the two), or no key is close.
 */
function asMeantKey(
  path: (string | number)[],
  key: string,
  meant: string | undefined,
  input: unknown,
  file: StackFileFacts = {},
  siblings: readonly string[] = [],
): { hint: string; lines: string[] } {
  const none = { hint: "", lines: [] };
  const map = valueAt(input, path);
  if (meant === undefined || !isMap(map)) return none;
  // Set, the key meant makes this line one to merge the two (meantKeyHint).
  if (meantKeySet(path, meant, input, file)) return none;
  // Maps to merge into the key meant (sameMeantNote) are judged merged, each for its own entries.
  const merging = siblings.length > 0 && [key, ...siblings].every((s) => isMap(map[s]));
  const held = map[key] as Record<string, unknown>;
  const others = merging ? siblings.map((s) => map[s] as Record<string, unknown>) : [];
  // The stack's config with the key renamed, so each message finds its form, its variant and its value.
  const value = valueAsMeant(path, meant, merging ? Object.assign({}, ...others, held) : map[key]);
  const renamed: Record<string, unknown> = { ...map, [meant]: value };
  delete renamed[key];
  const mended = path.length === 0 ? renamed : structuredClone(input);
  if (path.length > 0)
    (valueAt(mended, path.slice(0, -1)) as Record<string | number, unknown>)[path[path.length - 1]] = renamed;
  // A secret key takes no plain text (stackCheck.ts, config/plainSecret.ts): renamed in the file, the
  // value would be refused as that; set with --secret, it is the secret meant (the CLI prompts for it).
  if (
    path.length === 0 &&
    (SECRET_KEYS as readonly string[]).includes(meant) &&
    file.plain?.(`${PROJECT}:${key}`)
  )
    return {
      hint: ` (its value is plain text, where ${meant} takes a secret: run \`${removeKeyCommand(`${PROJECT}:${key}`, PROJECT)}\` then \`${setConfigCommand(`${PROJECT}:${meant}`, [], PROJECT, true)}\` (it prompts for the value))`,
      lines: [],
    };
  // Inside a map, the map judges it as well as its key's own schema: a rule of the map about that
  // key (a receiver's credential, refused in the stack file: config/receivers.ts) is the rename's
  // next refusal too. Only the issues at the key meant are this key's.
  const parsed =
    path.length === 0
      ? schemaAt([meant], mended)?.safeParse(value)
      : schemaAt(path, mended)?.safeParse(renamed);
  const all =
    path.length === 0 ? parsed?.error?.issues : parsed?.error?.issues.filter((i) => i.path[0] === meant);
  const first = Object.keys(map).find((s) => s === key || siblings.includes(s)) === key;
  const issues = merging && all ? ownEntryIssues(all, path.length === 0 ? 0 : 1, held, others, first) : all;
  // A `secure:` value's placeholder is no value to judge: its own words are sealedBelowHint's.
  const sealed = sealedBelow(path, key, [...path, meant], input, file).map((b) => [...path, meant, ...b]);
  // Written `secure:` below the key (a receiver's credential), a value is a secret one, not plain text.
  const secureLeaves = secureBelow(path, key, input, file);
  const leafSecure = (i: z.ZodIssue) => {
    const sub = path.length === 0 ? i.path : i.path.slice(1);
    return secureLeaves.some((b) => b.length === sub.length && b.every((seg, n) => sub[n] === seg));
  };
  const judged = issues?.filter((i) => {
    const full = path.length === 0 ? [meant, ...i.path] : [...path, ...i.path];
    return !sealed.some((s) => s.every((seg, n) => full[n] === seg));
  });
  if (!judged || judged.length === 0) return none;
  const at = keyPath([...path, meant]);
  const given = keyPath([...path, key]);
  // The key meant is not in the file (meantKeySet): an entry of it "already set" is one a map
  // read as it holds (this one, or a slip merged with it), named as the file writes it.
  const asWritten = (line: string) => {
    const from = line.indexOf(` (${at}.`);
    const to = from < 0 ? -1 : line.indexOf(" is already set: ", from);
    if (to < 0) return line;
    const entry = line.slice(from + at.length + 3, to);
    const holder = [key, ...(merging ? siblings : [])].find((s) => {
      const m = map[s];
      return isMap(m) && entry in m;
    });
    return holder ? `${line.slice(0, from)} (${keyPath([...path, holder, entry])}${line.slice(to)}` : line;
  };
  const own: string[] = [];
  const lines: string[] = [];
  // A credential's refusal says what to do with the value in its own words (remove it from the
  // file): "rename" would contradict it.
  let credential = false;
  for (const i of judged) {
    const full = path.length === 0 ? [meant, ...i.path] : [...path, ...i.path];
    if (i.code === "custom" && i.params?.secret === true && full.length === path.length + 1)
      credential = true;
    // A credential refused as plain text is a secret one where the file writes it `secure:`.
    const plain =
      i.code === "custom" && i.params?.plain === true && !writtenSecure(path, key, file) && !leafSecure(i);
    const issue =
      i.code === "custom" ? { ...i, path: full, params: { ...i.params, plain } } : { ...i, path: full };
    for (const line of formatIssue(issue, mended, { secure: renamedSecure(path, key, meant, file) }).split(
      "\n",
    )) {
      if (line.startsWith(`${at}: `)) own.push(asWritten(line).slice(at.length + 2));
      else
        lines.push(asWritten(line.startsWith(at) ? belowAsGiven(line.slice(at.length), given, meant) : line));
    }
  }
  const hint =
    own.length === 0
      ? ""
      : credential
        ? // The line to remove is the one the file holds, written with the misspelt key.
          ` (as ${meant}: ${own.map((o) => o.replace(`remove this ${meant} line`, `remove this ${key} line`)).join("; ")})`
        : `${RENAME_AND_MEND}${own.join("; ")})`;
  return { hint, lines };
}

/**
 * The issues of maps merged into one key meant (`ingres` and `ingrss`, both `ingress`) that are
 * `own`'s to say: at an entry it holds, or, for the `first` of them, at an entry none holds (a
 * required one missing) or at the whole value; an entry another holds is that one's. Each judged
 * alone, every map said a required entry missing that another holds, and one all lack once each.
 * `depth`: how many segments of an issue's path lead to the value.
 */
function ownEntryIssues(
  issues: z.ZodIssue[],
  depth: number,
  own: Record<string, unknown>,
  others: Record<string, unknown>[],
  first: boolean,
): z.ZodIssue[] {
  return issues.flatMap((i): z.ZodIssue[] => {
    const sub = i.path.slice(depth);
    if (i.code === "unrecognized_keys" && sub.length === 0) {
      const keys = i.keys.filter((k) => k in own);
      return keys.length > 0 ? [{ ...i, keys }] : [];
    }
    if (sub.length === 0) return first ? [i] : [];
    const entry = String(sub[0]);
    return entry in own || (first && !others.some((o) => entry in o)) ? [i] : [];
  });
}

/**
 * A refusal below the key meant (`.controllerNamespace: required, …` under `grafana.ingress`) said
 * at the key as written, which the file has and the locator finds, and as what it is judged:
 * `grafana.ingres.controllerNamespace (read as ingress.controllerNamespace): …`. Said at the
 * misspelt path alone, it read as a rule of a key `grafana.ingres` that exists.
 */
function belowAsGiven(rest: string, given: string, meant: string): string {
  const m = /^((?:\.[^\s:[\]"]+|\[\d+\]|\["(?:[^"\\]|\\.)*"\])*): /.exec(rest);
  if (!m) return `${given}${rest}`;
  return `${given}${m[1]} (read as ${meant}${m[1]}): ${rest.slice(m[0].length)}`;
}

/**
 * {@link StackFileFacts.secure} as the stack file would answer with `key` of the map at `path`
 * renamed to `meant`: a misspelt key's value judged as the key meant's ({@link asMeantKey}) keeps
 * its `secure:` values (`ingres: {hots: {secure: …}}`, whose `hots` line then says its value is
 * no secret's), where asked at the key meant they were no `secure:` values at all.
 */
function renamedSecure(
  path: (string | number)[],
  key: string,
  meant: string,
  file: StackFileFacts,
): StackFileFacts["secure"] {
  const holder = (k: string) => `${PROJECT}:${String(path.length === 0 ? k : path[0])}`;
  const within = (k: string) => (path.length === 0 ? [] : [...path.slice(1), k]);
  const under = within(meant);
  return (
    file.secure &&
    ((h, p) =>
      h === holder(meant) && under.every((seg, n) => p[n] === seg) && p.length > under.length
        ? file.secure?.(holder(key), [...within(key), ...p.slice(under.length)]) === true
        : file.secure?.(h, p) === true)
  );
}

/**
 * "; did you mean X? (…)" for a name under a map of names (chartValues' charts) that is a top-level
 * map of the stack whose keys the value holds, all of them (`chartValues.prometheus: {retention:
 * 7d}` for the top-level `prometheus`): the stack's own settings were meant, not a chart's values
 * (one holding a chart's keys, `prometheusSpec`, is left to the list of names). "" otherwise.
 */
function stackKeyHint(
  path: (string | number)[],
  key: string,
  input: unknown,
  file: StackFileFacts = {},
): string {
  const value = valueAt(input, [...path, key]);
  const keys = schemaKeys(schemaAt([key], input));
  if (
    path.length === 0 ||
    !isMap(value) ||
    keys.length === 0 ||
    Object.keys(value).some((k) => !keys.includes(k))
  )
    return "";
  return `; did you mean ${JSON.stringify(keyPath([key]))}? (a key of the top level, which takes every key this holds: move it there)${sealedBelowHint(path, key, [[key]], input, file, false)}`;
}

/**
 * "; did you mean X? (…)" for an enum value that is no option of its key but is one of the key of
 * the same name in a map beside it (`takeover.step: moved`, a value of `agents.step`): two keys
 * share a name and the value was written under the other. "" otherwise.
 */
function otherKeyValueHint(path: (string | number)[], found: unknown, input: unknown): string {
  const key = path[path.length - 1];
  const map = path.length >= 2 ? path[path.length - 2] : undefined;
  if (typeof key !== "string" || map === undefined) return "";
  const same = (k: string, known: string[]) => (known.includes(k) ? k : undefined);
  const owners = keysBelow(path.slice(0, -2), key, input, same, map).filter(
    (p) => schemaAt(p, input)?.safeParse(found).success === true,
  );
  if (owners.length !== 1) return "";
  return `; ${JSON.stringify(found)} is a value of ${keyPath(owners[0])}: did you mean that key?`;
}

/** YAML 1.1's words for true and false, which YAML 1.2 (the Pulumi CLI's reading) takes as text. */
const YAML11_BOOLEANS: Readonly<Record<string, boolean>> = {
  yes: true,
  y: true,
  on: true,
  no: false,
  n: false,
  off: false,
};

/**
 * "; did you mean true?" for a text where true or false is expected: a YAML 1.1 word for one
 * (`yes`, `off`), which YAML 1.2 reads as text, or a slip of one (`flase`). "" otherwise.
 */
export function booleanHint(expected: string, found: unknown): string {
  if (expected !== "boolean" || typeof found !== "string") return "";
  const word = YAML11_BOOLEANS[found.trim().toLowerCase()];
  if (word !== undefined)
    return `; did you mean ${String(word)}? (true or false, unquoted: YAML 1.2, as the Pulumi CLI reads it, takes ${found} as text, and quotes make any word text)`;
  // `"false"` itself is told to drop its quotes by its form (expectedForm).
  const near = closestMatch(found.trim(), ["true", "false"]);
  return near && near !== found.trim().toLowerCase() ? `; did you mean ${near}?` : "";
}

/**
 * A misspelt key's value as the key it means would hold it. The Pulumi CLI hands a program every
 * top-level value as text, which the program parses for any key but one read as text
 * ({@link wantsText}: a secret, a name): the misspelt key's was parsed, the meant key's would not be
 * (`receiverCredential: {team: {secure: …}}` holds a map, `receiverCredentials` the same as text).
 */
export function valueAsMeant(path: (string | number)[], meant: string, value: unknown): unknown {
  return path.length === 0 && value !== undefined && typeof value !== "string" && wantsText(meant)
    ? JSON.stringify(value)
    : value;
}

/**
 * "; did you mean X? (…)" for a key no key of its own map is close to, naming the same key (or the
 * one closest to it) one or more levels up, one level down, or in a map beside this one or beside
 * one of its holders: a key written at the wrong depth (`retention` at the top for
 * `loki.retention`, `secrets` under `objectStore` for the top-level `secrets`) or under the wrong
 * map (`mimir.logsPerDay` for `workload.logsPerDay`) is the mistake, and "unknown key" alone would
 * send its writer looking for a typo. Nearer levels first; several maps at one level that have it
 * are all named (each is a key that exists). "" when no level has it.
 */
function elsewhereHint(
  key: string,
  at: (string | number)[],
  input: unknown,
  file: StackFileFacts = {},
): string {
  // The key itself at another level is what was meant, before any close name: `clusterIssuer`
  // under grafana.ingress is tls.clusterIssuer one level down, not the top-level `cluster` it holds.
  const exact = (k: string, known: string[]) => (known.includes(k) ? k : undefined);
  return (
    levelHint(key, at, input, exact, file) ||
    joinedHint(key, at, input, file) ||
    levelHint(key, at, input, closestMatch, file)
  );
}

/**
 * "; did you mean X? (…)" for a key under a map whose setting is a key of a level above named by
 * the two joined (`grafana: {adminPassword: …}` for the top-level `grafanaAdminPassword`), before
 * any close name: the nearest name of the level above may be another component's
 * (`minioAdminPassword`), and moved there the value would set that one. "" when no level has it.
 */
function joinedHint(key: string, at: (string | number)[], input: unknown, file: StackFileFacts): string {
  for (let n = at.length - 1; n >= 0; n--) {
    const names = at.slice(n);
    if (names.some((s) => typeof s === "number")) return "";
    const joined = [...names, key]
      .map((s, i) => (i === 0 ? String(s) : `${String(s).charAt(0).toUpperCase()}${String(s).slice(1)}`))
      .join("");
    const above = at.slice(0, n);
    // The joined name misspelt as the key is (`grafana: {adminPasword}`) is that key's too: the
    // joined name is the one to measure, not the key alone, which is nearer another component's.
    // Not the holder itself: a short key under a long name joins to a few edits from that name
    // (`storageClasses: {fast}` is `storageClassesFast`), and the key is already under it.
    const keys = schemaKeys(schemaAt(above, input)).filter((k) => k !== at[n]);
    // A slip only (few edits): a name merely holding another (`grafanaUrl2` holds `grafana`) is not it.
    const hit = keys.includes(joined) ? joined : slipOf(joined, keys);
    if (hit === undefined) continue;
    const target = keyPath([...above, hit]);
    const sealed = sealedWays(at, key, [[...above, hit]], input, file);
    const how = sealed
      ? `; ${sealed}`
      : above.length === 0 && secretTextMove([...at, key], hit, file)
        ? `, a secret: ${secretMoveWay([...at, key], hit)}`
        : ": write its value there, under that name, and remove this key";
    return `; did you mean ${JSON.stringify(target)}? (the key of ${above.length === 0 ? "the top level" : keyPath(above)} that holds ${keyPath([...at, key]).slice(PROJECT.length + 1)}${how})`;
  }
  return "";
}

/**
 * Whether a top-level key takes one secret text (SECRET_KEYS but `receiverCredentials`, a map of
 * them: model/secrets.ts).
 */
const isSecretKey = (key: string) =>
  (SECRET_KEYS as readonly string[]).includes(key) && key !== RECEIVER_CREDENTIALS_KEY;

/**
 * Whether the value at `from`, inside a map, reaches the top-level key `meant` only by
 * {@link secretMoveWay}: `meant` takes one secret text, and the file writes the value in plain text
 * or is not known (the program sees secrets decrypted). A `secure:` value moves as it is.
 */
function secretTextMove(from: (string | number)[], meant: string, file: StackFileFacts): boolean {
  return isSecretKey(meant) && file.secure?.(`${PROJECT}:${String(from[0])}`, from.slice(1)) !== true;
}

/**
 * How the value of the key at `from`, inside a map, reaches the top-level secret key `meant`: that
 * key set with `--secret` (the CLI prompts for the value, which stays out of the shell's history),
 * this one removed. Moved in the stack file as it is, a plain value would be refused as plain text,
 * one run later.
 */
function secretMoveWay(from: (string | number)[], meant: string): string {
  const remove = removePathCommand(`${PROJECT}:${String(from[0])}`, from.slice(1), PROJECT);
  return `set it with \`${setConfigCommand(`${PROJECT}:${meant}`, [], PROJECT, true)}\` (it prompts for the value), then remove this key with \`${remove}\``;
}

/** What a hint says of a component's map the stack file writes empty while a key of it is under another ({@link levelHint}). */
const EMPTY_HOLDER = "which the stack file writes with nothing under it";

/** A config key without its namespace (`homelab-observability:loki` -> `loki`). */
const bare = (k: string): string => k.slice(k.indexOf(":") + 1);

/**
 * `problems` with one message per map written empty whose keys went under the next map
 * ({@link levelHint}): one misplaced line. The empty map's own refusal (`expected an object …, got
 * null`) is dropped, and the keys it lost, each a line of its own, are said in the first one's line,
 * each with its place (`placeOf`, a key path without the project, as the stack file writes it).
 */
function withEmptyHoldersFolded(
  problems: string[],
  placeOf: (key: string) => string | undefined = () => undefined,
  input?: unknown,
): string[] {
  const hint = (p: string) =>
    new RegExp(
      String.raw`^([^\s:]+:[A-Za-z]+)\.([A-Za-z_]+): unknown key; did you mean "([^\s:]+:[A-Za-z]+)\.\2"\? \(a key of \3, ${regExpText(EMPTY_HOLDER)}( \([^()]*\))?, not of \1: move it there\)$`,
    ).exec(p);
  const groups = new Map<string, { first: number; keys: string[] }>();
  problems.forEach((p, i) => {
    const m = hint(p);
    if (!m) return;
    const g = groups.get(`${m[1]} ${m[3]}`) ?? { first: i, keys: [] };
    g.keys.push(m[2]);
    groups.set(`${m[1]} ${m[3]}`, g);
  });
  const lineOf = (k: string) => Number(/:(\d+)$/.exec(placeOf(k) ?? "")?.[1] ?? NaN);
  // The keys below the line put in between that the empty map reads too (`volumeSize`, a key of
  // prometheus and of grafana): taken as the other map's without a word, so moving only the keys
  // named would leave them there. Said where the map holding them is written after the empty one.
  const shared = (here: string, holder: string, moved: string[]) => {
    const [h, e] = [bare(here), bare(holder)];
    const own = valueAt(input, [h]);
    if (!isMap(own) || !(lineOf(h) > lineOf(e))) return "";
    const both = knownKeysAt([e], input).filter((k) => k in own && !moved.includes(k));
    if (both.length === 0) return "";
    const one = both.length === 1;
    const named = both.map((k) => `${here}.${k}${placeOf(`${h}.${k}`) ? ` (${placeOf(`${h}.${k}`)})` : ""}`);
    return `; of the keys under ${here}, ${listed(named)} ${one ? "is" : "are"} ${holder}'s too, read as ${here}'s: move ${one ? "it" : "them"} too if ${one ? "it is" : "they are"} meant for ${holder}`;
  };
  return problems.flatMap((p, i) => {
    const empty = /^([^\s:]+:[A-Za-z]+): expected an object .*, got null$/.exec(p);
    if (empty && [...groups.keys()].some((g) => g.endsWith(` ${empty[1]}`))) return [];
    const m = hint(p);
    const g = m && groups.get(`${m[1]} ${m[3]}`);
    if (!m || !g) return [p];
    if (g.keys.length < 2) return [p + shared(m[1], m[3], g.keys)];
    if (g.first !== i) return [];
    const [here, holder, at] = [m[1], m[3], m[4] ?? ""];
    const others = g.keys.slice(1).map((k) => {
      const place = placeOf(`${bare(here)}.${k}`);
      return `${here}.${k}${place ? ` (${place})` : ""}`;
    });
    return [
      `${here}.${g.keys[0]}: unknown key, as ${others.length > 1 ? "are" : "is"} ${listed(others)}; did you mean ${listed(g.keys.map((k) => `"${holder}.${k}"`))}? (keys of ${holder}, ${EMPTY_HOLDER}${at}, not of ${here}: move them there)${shared(here, holder, g.keys)}`,
    ];
  });
}

/**
 * `problems` with the keys of other variants one map holds ({@link otherVariantText}: a MinIO
 * store's endpoint, region and keepUnusedBuckets under `type: filesystem`) said in one line, at the
 * first, naming each other key with its place (`placeOf`, a key path without the project): one
 * `type` changed, or one map copied from another variant, is one mistake, with one way out.
 */
function withOtherVariantKeysFolded(
  problems: string[],
  placeOf: (key: string) => string | undefined = () => undefined,
): string[] {
  const parse = (p: string) => {
    const m =
      /^(\S+)\.([A-Za-z_][A-Za-z0-9_]*): a key of (\S+) ((?:"[^"]*")(?: or "[^"]*")*), not of \3 ("[^"]*"): \3 \5 reads no \2; remove it, or set \3 \4$/.exec(
        p,
      );
    return m && { map: m[1], key: m[2], d: m[3], owners: m[4].split(" or "), chosen: m[5] };
  };
  const groups = new Map<string, { first: number; all: NonNullable<ReturnType<typeof parse>>[] }>();
  problems.forEach((p, i) => {
    const m = parse(p);
    if (!m) return;
    const id = `${m.map} ${m.chosen}`;
    const g = groups.get(id) ?? { first: i, all: [] };
    g.all.push(m);
    groups.set(id, g);
  });
  return problems.flatMap((p, i) => {
    const m = parse(p);
    const g = m && groups.get(`${m.map} ${m.chosen}`);
    if (!m || !g || g.all.length < 2) return [p];
    if (g.first !== i) return [];
    const [head, ...rest] = g.all;
    const same = (a: string[]) => a.join() === head.owners.join();
    const others = rest.map((r) => {
      const place = placeOf(`${bare(r.map)}.${r.key}`);
      const of = same(r.owners) ? [] : [`of ${r.d} ${r.owners.join(" or ")}`];
      const said = [...of, ...(place ? [place] : [])];
      return `${r.key}${said.length > 0 ? ` (${said.join("; ")})` : ""}`;
    });
    const all = head.owners.filter((o) => rest.every((r) => r.owners.includes(o)));
    const variant = `${head.d} ${head.chosen}`;
    const way =
      all.length > 0
        ? `set ${head.d} ${all.join(" or ")}, which reads them all`
        : `set the ${head.d} you mean and remove the keys it does not read (no one ${head.d} reads them all)`;
    return [
      `${p.slice(0, p.indexOf(": a key of "))}: a key of ${head.d} ${head.owners.join(" or ")}, not of ${variant}, as ${others.length > 1 ? "are" : "is"} ${listed(others)}: ${variant} reads none of them; remove them, or ${way}`,
    ];
  });
}

/**
 * `problems` with the lines one slip gave said as one ({@link withEmptyHoldersFolded},
 * {@link withOtherVariantKeysFolded}), each naming the other places it touches.
 */
export function oneMessagePerSlip(
  problems: string[],
  placeOf: (key: string) => string | undefined = () => undefined,
  input?: unknown,
): string[] {
  return withOtherVariantKeysFolded(withEmptyHoldersFolded(problems, placeOf, input), placeOf);
}

/** {@link elsewhereHint} with one way of matching a key among a level's keys. */
function levelHint(
  key: string,
  at: (string | number)[],
  input: unknown,
  match: (key: string, known: string[]) => string | undefined,
  file: StackFileFacts = {},
): string {
  const here = keyPath(at);
  // A `secure:` value meant for keys that are no secret is not moved: ciphertext there is refused.
  const sealed = (targets: (string | number)[][]) => {
    const ways = sealedWays(at, key, targets, input, file);
    return ways && `; ${ways})`;
  };
  // Moved as told, a key the stack already sets would be set twice: the two are to be merged. Only
  // a key inside a map: a top-level key Pulumi.yaml gives a default is in `input` whether or not
  // the stack file writes it (the `{}` defaults of the maps hold no key).
  // Moved, a map's `secure:` values there are ciphertext on keys that are no secret: said too.
  const move = (target: (string | number)[], how: string) =>
    sealed([target]) ??
    `${
      target.length === 1 && secretTextMove([...at, key], String(target[0]), file)
        ? `, a secret: ${secretMoveWay([...at, key], String(target[0]))})`
        : target.length < 2 || valueAt(input, target) === undefined
          ? `: ${how})`
          : `, where ${keyPath(target)} is already set: move what this key holds into it, then remove this key)`
    }${sealedBelowHint(at, key, [target], input, file, false)}`;
  // Ancestors, nearest first: the map holding `at`, and up to the top.
  for (let n = at.length - 1; n >= 0; n--) {
    const above = at.slice(0, n);
    if (typeof at[n] === "number") continue;
    const meant = match(key, schemaKeys(schemaAt(above, input)));
    if (meant !== undefined)
      return `; did you mean ${JSON.stringify(keyPath([...above, meant]))}? (a key of ${above.length === 0 ? "the top level" : keyPath(above)}, not of ${here}${move([...above, meant], "move it there")}`;
  }
  const named = (found: (string | number)[][]) => found.map((b) => JSON.stringify(keyPath(b))).join(" or ");
  // One level down: the maps (and list items) this map holds.
  const below = keysBelow(at, key, input, match);
  if (below.length === 1)
    return `; did you mean ${named(below)}? (a key one level down${move(below[0], "move it under the map named")}`;
  if (below.length > 1)
    return `; did you mean ${named(below)}? (a key one level down${sealed(below) ?? ": move it under the map meant)"}${sealedBelowHint(at, key, below, input, file, false)}`;
  // A component's map the stack file writes with nothing under it, a key of it under the next
  // top-level map (`prometheus:`, then a `grafana:` line put before prometheus' `keepVolume`): one
  // line written in the wrong place, not a setting of another component. Said once, here: the
  // empty map's own refusal is folded into this line (judge.ts).
  const emptied =
    at.length === 1
      ? keysBelow([], key, input, match, at[0]).filter(
          (b) =>
            b.length === 2 &&
            (COMPONENT_MAPS as readonly unknown[]).includes(b[0]) &&
            valueAt(input, [b[0]]) === null,
        )
      : [];
  if (emptied.length === 1) {
    const holder = keyPath([emptied[0][0]]);
    const where = file.placeOf?.(String(emptied[0][0]));
    return `; did you mean ${named(emptied)}? (a key of ${holder}, ${EMPTY_HOLDER}${where ? ` (${where})` : ""}, not of ${here}${move(emptied[0], "move it there")}`;
  }
  // Beside: the other maps (and list items) of this map's holders, nearest first, but never a
  // component's map (COMPONENT_MAPS): a key beside is then that component's own setting (loki's
  // replicas for a `grafana.replicas`), and moved there it would set the other component, not the one
  // meant. A map of the stack as a whole (`workload.logsPerDay` for `mimir.logsPerDay`) is offered.
  for (let n = at.length - 1; n >= 0; n--) {
    if (typeof at[n] === "number") continue;
    const beside = keysBelow(at.slice(0, n), key, input, match, at[n]).filter(
      (b) => !(b.length === 2 && (COMPONENT_MAPS as readonly unknown[]).includes(b[0])),
    );
    if (beside.length === 1)
      return `; did you mean ${named(beside)}? (a key of ${keyPath(beside[0].slice(0, -1))}, not of ${here}${move(beside[0], "move it there")}`;
    if (beside.length > 1)
      return `; did you mean ${named(beside)}? (keys of other maps, not of ${here}${sealed(beside) ?? ": move it under the map meant)"}${sealedBelowHint(at, key, beside, input, file, false)}`;
  }
  return "";
}

/**
 * The paths of the keys `match` finds for `key` in the maps (and list items) the map at `at`
 * holds, but for its key `skip`.
 */
function keysBelow(
  at: (string | number)[],
  key: string,
  input: unknown,
  match: (key: string, known: string[]) => string | undefined,
  skip?: string | number,
): (string | number)[][] {
  const here = schemaAt(at, input);
  const shape = here && unwrap(here);
  const children =
    shape instanceof z.ZodObject ? Object.entries(shape.shape as Record<string, z.ZodTypeAny>) : [];
  return children.flatMap(([child, t]) => {
    if (child === skip) return [];
    const list = unwrap(t) instanceof z.ZodArray;
    const inner = list ? (unwrap(t) as z.ZodArray<z.ZodTypeAny>).element : t;
    const meant = match(key, schemaKeys(inner));
    return meant === undefined ? [] : [[...at, child, ...(list ? [0] : []), meant]];
  });
}

/** The keys of an object schema, of every variant for a discriminated union; [] for anything else. */
function schemaKeys(t: z.ZodTypeAny | undefined): string[] {
  const s = t && unwrap(t);
  if (s instanceof z.ZodObject) return Object.keys(s.shape);
  if (s instanceof z.ZodDiscriminatedUnion) return allVariantKeys(s);
  return [];
}

/**
 * The key of the map at `path`, a discriminated union lacking its discriminator, that is that
 * discriminator misspelt (`tpye` for `type`, the closest of every variant's keys), with what it
 * holds; undefined when there is none.
 */
export function misspeltDiscriminator(
  path: (string | number)[],
  input: unknown,
): { key: string; discriminator: string; value: unknown } | undefined {
  const at = schemaAt(path, input);
  const union = at && unwrap(at);
  const map = valueAt(input, path);
  if (!(union instanceof z.ZodDiscriminatedUnion) || !isMap(map)) return undefined;
  const d = union.discriminator as string;
  if (map[d] !== undefined) return undefined;
  const [key] = discriminatorSlips(union, map);
  return key === undefined ? undefined : { key, discriminator: d, value: map[key] };
}

/** The keys of `map` no variant of `union` has whose closest key is its discriminator, in the file's order. */
function discriminatorSlips(
  union: z.ZodDiscriminatedUnion<string, z.AnyZodObject[]>,
  map: Record<string, unknown>,
): string[] {
  const known = allVariantKeys(union);
  return Object.keys(map).filter((k) => !known.includes(k) && meantKeyOf(k, known) === union.discriminator);
}

/** Every key some variant of a discriminated union has. */
function allVariantKeys(union: z.ZodDiscriminatedUnion<string, z.AnyZodObject[]>): string[] {
  return [...new Set<string>(union.options.flatMap((o) => Object.keys(o.shape)))];
}

/**
 * Every mistake under an object whose discriminator names no variant, judged as the variant `near`
 * (the closest name, the one most likely meant), each saying so: zod stops at the discriminator,
 * so without this a mistake beside `type: minoi` would show only once the type is fixed. The
 * object is checked by the schema at its path as a whole, its own refinements too, so what a run
 * with the name spelt right refuses is refused here (a receiver's plain-text credential,
 * config/receivers.ts, its value never printed).
 */
function asClosestVariant(
  path: (string | number)[],
  input: unknown,
  near: string,
  slipKey?: string,
): string[] {
  const at = schemaAt(path, input);
  const union = at && unwrap(at);
  const value = valueAt(input, path);
  if (!at || !(union instanceof z.ZodDiscriminatedUnion) || !isMap(value)) return [];
  const d = union.discriminator as string;
  const given = slipKey === undefined ? value[d] : value[slipKey];
  const meant: Record<string, unknown> = { ...value, [d]: near };
  // The misspelt key holding the name is read as the discriminator (its own line names it).
  if (slipKey !== undefined) delete meant[slipKey];
  // The stack's config with the variant named right, so each message finds its form and value.
  const mended = path.length === 0 ? meant : structuredClone(input);
  if (path.length > 0)
    (valueAt(mended, path.slice(0, -1)) as Record<string | number, unknown>)[path[path.length - 1]] = meant;
  const parsed = at.safeParse(meant);
  if (parsed.success) return [];
  const held = slipKey === undefined ? "" : `, what ${slipKey} holds`;
  const why =
    given === near
      ? ` (judged as ${d} ${JSON.stringify(near)}${held})`
      : ` (judged as ${d} ${JSON.stringify(near)}, the closest to ${JSON.stringify(given)}${held})`;
  // Other slips of the discriminator beside the one read as it (`tyep` beside `tpye`): the map
  // judged holds the discriminator, the file does not, so each says the slips share one key.
  const slips = slipKey === undefined ? [] : discriminatorSlips(union, value);
  return parsed.error.issues
    .flatMap((i) =>
      i.code === "unrecognized_keys" && i.path.length === 0
        ? i.keys.map((k) =>
            slips.includes(k)
              ? `${keyPath([...path, k])}: unknown key; did you mean "${d}"?${slipsNote(path, k, slips, d, input)}`
              : keyNotOfVariant(
                  union,
                  path,
                  k,
                  near,
                  mended,
                  i.keys.filter((o) => o !== k && !slips.includes(o)),
                ),
          )
        : formatIssue({ ...i, path: [...path, ...i.path] }, mended).split("\n"),
    )
    .map((line) => `${line}${why}`);
}

/** {@link sameMeantNote} for `key`, one of `slips` (keys of the map at `path` all closest to `meant`). */
function slipsNote(
  path: (string | number)[],
  key: string,
  slips: string[],
  meant: string,
  input: unknown,
): string {
  const others = slips.filter((o) => o !== key);
  return sameMeantNote(
    path,
    key,
    others.map((o) => keyPath([...path, o])),
    others,
    meant,
    input,
  );
}

/**
 * A key the variant `near` lacks. One another variant has may be why it was written (that variant
 * meant, not the closest), so it is named as that variant's key, not as unknown; a key no variant
 * has is unknown, with the closest key of `near`, else of any variant. `beside`: the map's other
 * unknown keys, each said in its own line: those closest to the same key are named in this one.
 */
function keyNotOfVariant(
  union: z.ZodDiscriminatedUnion<string, z.AnyZodObject[]>,
  path: (string | number)[],
  key: string,
  near: string,
  mended: unknown,
  beside: readonly string[] = [],
): string {
  const d = union.discriminator;
  const owners = [...union.optionsMap]
    .filter(([, o]) => key in o.shape)
    .map(([name]) => JSON.stringify(name));
  if (owners.length > 0) return `${keyPath([...path, key])}: ${otherVariantText(d, owners, near, key)}`;
  // As formatIssue says an unknown key, the others beside it counted (slips of one key name each other).
  const own = unknownKeyLines({ keys: [key], path }, mended, {}, beside);
  const other = didYouMean(key, allVariantKeys(union));
  return own.includes("; did you mean ") || !other ? own : `${keyPath([...path, key])}: unknown key${other}`;
}

/**
 * `a key of type "minio", not of type "garage"` for a key of a discriminated union's map that the
 * variant its discriminator picks lacks and another variant has; undefined otherwise (a bad
 * discriminator is judged by keyNotOfVariant, against the variant closest to it).
 */
function otherVariantOf(path: (string | number)[], key: string, input: unknown): string | undefined {
  const at = schemaAt(path, input);
  const union = at && unwrap(at);
  if (!(union instanceof z.ZodDiscriminatedUnion)) return undefined;
  const d = union.discriminator;
  const chosen = (valueAt(input, path) as Record<string, unknown> | undefined)?.[d];
  if (!union.optionsMap.has(chosen as z.Primitive)) return undefined;
  const owners = [...union.optionsMap]
    .filter(([, o]) => key in (o as z.AnyZodObject).shape)
    .map(([name]) => JSON.stringify(name));
  return owners.length > 0 ? otherVariantText(d, owners, chosen, key) : undefined;
}

/**
 * A key of other variants (`owners`, quoted) under `chosen`, with what to do both ways: the key is
 * read only by those variants (a MinIO store's keepUnusedBuckets kept in the stack file after the
 * move to Garage, move-to-garage.md step 4).
 */
function otherVariantText(d: string, owners: string[], chosen: unknown, key: string): string {
  const variant = `${d} ${JSON.stringify(chosen)}`;
  return `a key of ${d} ${owners.join(" or ")}, not of ${variant}: ${variant} reads no ${key}; remove it, or set ${d} ${owners.join(" or ")}`;
}

/** A schema without its wrappers: defaults, optionality, refinements, pipes, lazies, brands. */
function unwrap(t: z.ZodTypeAny): z.ZodTypeAny {
  for (;;) {
    if (t instanceof z.ZodDefault || t instanceof z.ZodOptional || t instanceof z.ZodNullable)
      t = t._def.innerType as z.ZodTypeAny;
    else if (t instanceof z.ZodEffects) t = t._def.schema as z.ZodTypeAny;
    else if (t instanceof z.ZodPipeline) t = t._def.in as z.ZodTypeAny;
    else if (t instanceof z.ZodLazy) t = t._def.getter() as z.ZodTypeAny;
    else if (t instanceof z.ZodBranded) t = t._def.type as z.ZodTypeAny;
    else if (t instanceof z.ZodCatch || t instanceof z.ZodReadonly) t = t._def.innerType as z.ZodTypeAny;
    else return t;
  }
}

/**
 * A valid value of `schema` for the rules between keys to read in a required key's place
 * (judge.ts repairedRaw): the form's own (schema.ts STAND_INS), or, for a map, one holding a
 * stand-in for each of its required keys, when every one has one. A required leaf had a stand-in
 * and a required map none: a missing `grafana.httpRoute.parentRef` set the whole route aside, and
 * the rule on `grafana.url`'s path waited for the next run. Undefined when no such value is known.
 */
export function standInFor(schema: z.ZodTypeAny): unknown {
  const own = STAND_INS.get(schema);
  if (own !== undefined) return own;
  const map = unwrap(schema);
  if (!(map instanceof z.ZodObject)) return undefined;
  const value: Record<string, unknown> = {};
  for (const [k, t] of Object.entries(map.shape as Record<string, z.ZodTypeAny>)) {
    if (t.isOptional()) continue;
    const inner = standInFor(t);
    if (inner === undefined) return undefined;
    value[k] = inner;
  }
  return schema.safeParse(value).success ? value : undefined;
}

/**
 * The leaves (paths below the project's `key`, with the value each takes, "" for one the CLI
 * prompts for) that give the map (or list of maps) at `path` its required keys, down through every
 * required map inside it (a Gateway route's `parentRef` is set by its `name` and `namespace`, never
 * as one text). A union takes its first variant as the example. Undefined for a scalar key; empty
 * when the map requires no key, or a map inside it requires one no leaf can give (a map whose keys
 * are all optional: `--path` writes leaves, never an empty map).
 */
function requiredLeaves(
  key: string,
  path: (string | number)[],
): { path: (string | number)[]; value: string }[] | undefined {
  const at = schemaAt([key, ...path]);
  if (!at) return undefined;
  let schema = unwrap(at);
  const prefix = [...path];
  if (schema instanceof z.ZodArray) {
    schema = unwrap(schema.element as z.ZodTypeAny);
    prefix.push(0);
  }
  let variant: z.AnyZodObject | undefined;
  let discriminator: [string, string] | undefined;
  if (schema instanceof z.ZodDiscriminatedUnion) {
    variant = schema.options[0] as z.AnyZodObject;
    const d = schema.discriminator as string;
    discriminator = [d, String((unwrap(variant.shape[d] as z.ZodTypeAny) as z.ZodLiteral<string>).value)];
  } else if (schema instanceof z.ZodObject) variant = schema;
  else if (prefix.length === path.length) return undefined;
  // Never the key alone: a leaf of the map, or the list's item.
  if (!variant) return [{ path: prefix, value: "" }];
  const leaves = discriminator ? [{ path: [...prefix, discriminator[0]], value: discriminator[1] }] : [];
  for (const [k, t] of Object.entries(variant.shape as Record<string, z.ZodTypeAny>)) {
    if (t.isOptional() || k === discriminator?.[0]) continue;
    const below = requiredLeaves(key, [...prefix, k]);
    if (below === undefined) leaves.push({ path: [...prefix, k], value: "" });
    else if (below.length === 0) return [];
    else leaves.push(...below);
  }
  return leaves;
}

/**
 * The commands that give a map (or a list of maps) at `path` under the project's `key` its required
 * keys one leaf at a time ({@link requiredLeaves}): `pulumi config set <key> <value>` stores text,
 * never an object, while `--path` builds the map or list a segment at a time
 * (pkg/cmd/pulumi/config/config.go `newConfigSetCmd`: "The `--path` flag can be used to set a value
 * inside a map or list"; "true", "false" and integers become booleans and numbers). Undefined for a
 * scalar key; empty when no leaf is required, or none can give a map inside it its keys.
 */
export function leafCommands(key: string, path: (string | number)[] = []): string[] | undefined {
  // No value: `pulumi config set` prompts for one (a `<value>` would be a shell redirection).
  return requiredLeaves(key, path)?.map(
    (l) => `${setConfigCommand(key, l.path, PROJECT, false)}${l.value ? ` ${l.value}` : ""}`,
  );
}

/**
 * How to write the map (or list) at `path` under the project's `key`, which one `pulumi config set`
 * of the key cannot ({@link leafCommands}): the words every message that asks for such a value
 * gives (a missing `objectStore`, a `secure:` one). With `replacing`, the key holds a text now (a
 * `secure:` value): `--path` builds no map inside a text (pulumi config/map.go, as
 * stackFile.ts secretMapSteps says), so the text is removed first. Without a leaf to set (a map whose
 * keys all have defaults), the file is the way. Undefined for a scalar key.
 */
export function mapValueHint(
  key: string,
  path: (string | number)[] = [],
  replacing = false,
): string | undefined {
  const leaves = leafCommands(key, path);
  if (!leaves) return undefined;
  const name = `${PROJECT}:${key}`;
  // A list (nodePools) is no object: each word says the form the key takes.
  const list = unwrap(schemaAt([key, ...path]) ?? z.never()) instanceof z.ZodArray;
  const plain = `(${path.length === 0 ? "a plain " : ""}\`${setConfigCommand(name, path, PROJECT, false)}\` stores text, not ${list ? "a list" : "an object"})`;
  const remove = path.length === 0 ? removeKeyCommand(name, PROJECT) : removePathCommand(name, path, PROJECT);
  // No leaf is required: the map as a whole may go, its keys keeping their defaults.
  const optional = schemaAt([key, ...path])?.safeParse({}).success === true;
  if (leaves.length === 0)
    return `write its keys in the stack file ${plain}${replacing && optional ? `, or remove it with \`${remove}\` to keep the defaults (none of its keys is required)` : ""}`;
  const sets = leaves.map((c) => `\`${c}\``).join(", ");
  return replacing
    ? `write it in the stack file, or remove the text it holds with \`${remove}\` (--path builds no ${list ? "list" : "map"} inside a text) and set it a key at a time with --path ${plain}: ${sets}`
    : `write it in the stack file, or set it a key at a time with --path ${plain}: ${sets}`;
}

/**
 * The variant of a discriminated union that `value` selects by its discriminator (a receiver's
 * `type`, the object store's `type`, the secrets' `backend`); without a value that selects one,
 * the first variant that has `key`, else undefined.
 */
function variantOf(u: z.ZodDiscriminatedUnion<string, z.AnyZodObject[]>, value: unknown, key?: unknown) {
  const d = (value as Record<string, unknown> | undefined)?.[u.discriminator];
  const chosen = u.optionsMap.get(d as z.Primitive);
  if (chosen) return chosen;
  return key === undefined ? undefined : u.options.find((o) => (key as string) in o.shape);
}

/**
 * The schema of one key path, unwrapped (undefined when unknown). `input` is the stack's raw
 * config: where the path crosses a discriminated union, its own value picks the variant, so a
 * receiver of type slack is checked against slack's keys.
 */
export function schemaAt(path: (string | number)[], input?: unknown): z.ZodTypeAny | undefined {
  let schema: z.ZodTypeAny | undefined = rawSchema;
  let value: unknown = input;
  for (const p of path) {
    schema = unwrap(schema);
    if (schema instanceof z.ZodDiscriminatedUnion) schema = variantOf(schema, value, p) ?? schema;
    if (schema instanceof z.ZodObject) schema = (schema.shape as Record<string, z.ZodTypeAny>)[p as string];
    else if (schema instanceof z.ZodArray) schema = schema.element as z.ZodTypeAny;
    else if (schema instanceof z.ZodRecord) schema = schema.valueSchema as z.ZodTypeAny;
    else return undefined;
    if (!schema) return undefined;
    value = value !== null && typeof value === "object" ? (value as Record<string, unknown>)[p] : undefined;
  }
  // Refinements stay: their own messages name a key's form (expectedForm).
  while (schema instanceof z.ZodDefault || schema instanceof z.ZodOptional || schema instanceof z.ZodNullable)
    schema = schema._def.innerType as z.ZodTypeAny;
  return schema;
}

/**
 * Whether the schema fills the key at `path` with a default when the key is absent (`loki.retention`,
 * `namespace`), rather than leaving it unset (`kubeContext`, `objectStore.region`). A list's item
 * or a map's entry has none. `input` picks a union's variant, as in {@link schemaAt}.
 */
export function hasDefault(path: (string | number)[], input?: unknown): boolean {
  const holder = path.length > 0 ? schemaAt(path.slice(0, -1), input) : undefined;
  const shape = holder && unwrap(holder);
  const last = path[path.length - 1];
  const map =
    shape instanceof z.ZodDiscriminatedUnion
      ? variantOf(shape, valueAt(input, path.slice(0, -1)), last)
      : shape instanceof z.ZodObject
        ? shape
        : undefined;
  let t = (map?.shape as Record<string, z.ZodTypeAny> | undefined)?.[String(last)];
  while (t && !(t instanceof z.ZodDefault))
    t =
      t instanceof z.ZodOptional || t instanceof z.ZodNullable
        ? (t._def.innerType as z.ZodTypeAny)
        : t instanceof z.ZodEffects
          ? (t._def.schema as z.ZodTypeAny)
          : undefined;
  return t !== undefined;
}

/**
 * The form a key expects, with an example where the schema has one: an enum's values, a refined
 * string's own description (a duration "like \"7d\"", asked of the schema with the value as text),
 * or the plain type. `found` is the wrong value, when there is one.
 */
export function expectedForm(
  path: (string | number)[],
  zodType: string,
  found?: unknown,
  /** The stack's raw config, which picks a union's variant on the way. */
  input?: unknown,
): string {
  let schema = schemaAt(path, input);
  // Nothing given, or a map or list where text goes: the key's own check of empty text names the
  // form (its reason, about "", dropped), which "text" alone would not (a duration, a quantity).
  if (schema && (found === undefined || typeof found === "object") && zodType === "string") {
    const m = ownForm(schema.safeParse("").error?.issues);
    if (m) return m.replace(/ \(it [^()]*\)$/, "");
  }
  // A number where text is wanted: what the key's own check says of it as text names the form.
  const scalar =
    typeof found === "number" || typeof found === "boolean" || typeof found === "string"
      ? String(found)
      : undefined;
  if (schema && scalar !== undefined) {
    const asText = schema.safeParse(scalar);
    if (!asText.success) {
      const m = ownForm(asText.error.issues);
      if (m) return m;
    } else if (typeof found !== "string" && zodType === "string") return `text (quote it: "${scalar}")`;
  }
  // Past its own checks: a list with a default and a check of its items (alerting.receivers) is a list.
  if (schema) schema = unwrap(schema);
  if (schema instanceof z.ZodUnion) return (schema.options as z.ZodTypeAny[]).map(formOf).join(", or ");
  if (schema instanceof z.ZodEnum) return `one of ${(schema.options as string[]).join(" | ")}`;
  if (schema instanceof z.ZodBoolean)
    return `true or false${unquoted(schema, found) !== undefined ? ` (drop the quotes: ${String(found)})` : ""}`;
  if (schema instanceof z.ZodNumber) return numberForm(schema, found);
  if (schema instanceof z.ZodArray) return "a list (YAML: one `- item` per line)";
  // A map of any keys (a chart's values): the lines of a map, and what its keys are when it says.
  if (schema instanceof z.ZodRecord)
    return `an object (YAML: \`key: value\` lines indented under the key, not \`- \` items${schema.description ? `; ${schema.description}` : ""})`;
  if (schema instanceof z.ZodObject || schema instanceof z.ZodDiscriminatedUnion) {
    const under = listKeyOf(schema, path, found);
    return `an object (YAML: \`key: value\` lines${under ? `; this list goes under ${under}` : `${objectExample(schema)}; every key: docs/reference/configuration.md`})`;
  }
  return zodType === "string" ? "text" : zodType;
}

/**
 * An example of an object's lines for its form: its required keys (else its first), each a
 * `key: value` line one level under the key; "" for a union of objects, whose keys depend on the
 * variant. Said because a list or a scalar where an object goes shows no way to its right form.
 */
function objectExample(schema: z.ZodTypeAny): string {
  if (!(schema instanceof z.ZodObject)) return "";
  const keys = Object.entries(schema.shape as Record<string, z.ZodTypeAny>);
  const required = keys.filter(([, t]) => !t.isOptional()).map(([k]) => k);
  const shown = (required.length > 0 ? required : keys.slice(0, 1).map(([k]) => k)).slice(0, 3);
  return shown.length > 0
    ? ` indented under the key, not \`- \` items, like ${shown.map((k) => `\`${k}: <${k}>\``).join(" then ")}`
    : "";
}

/**
 * YAML text where a key of the stack takes an object or a list (`objectStore: "type: minio"`): what
 * `pulumi config set objectStore 'type: minio'` stores, the value kept as text. The program reads
 * a text as its value only when it is JSON (resolve.ts rawFromPulumiConfig: JSON.parse), so
 * YAML's `key: value` or `{name: pi}` stays text. Says how to write the value; "" for any other.
 */
function storedTextHint(path: (string | number)[], found: unknown, expected: string): string {
  if (path.length !== 1 || typeof found !== "string" || (expected !== "object" && expected !== "array"))
    return "";
  let parsed: unknown;
  try {
    parsed = parseYaml(found);
  } catch {
    return "";
  }
  if (typeof parsed !== "object" || parsed === null) return "";
  const how = mapValueHint(String(path[0]), [], true) ?? "write it in the stack file";
  return `; a text is read as ${expected === "array" ? "a list" : "an object"} only when it is JSON, which this one is not: ${how}`;
}

/**
 * A list of one map where a map goes, whose keys are all the map's: most likely the map itself
 * written with one `- ` too many (`parentRef:` then `- name: public`). Says so as a "did you mean",
 * with whether that item is a valid value there; "" for any other value.
 */
function oneItemHint(path: (string | number)[], found: unknown, input: unknown): string {
  if (!Array.isArray(found) || found.length !== 1 || !isMap(found[0])) return "";
  const schema = unwrap(schemaAt(path, input) ?? z.never());
  const item = found[0];
  // A map of any keys (a chart's values) takes the item's keys as they are.
  if (schema instanceof z.ZodObject) {
    if (listKeyOf(schema, path, found)) return "";
    const known = Object.keys(schema.shape as Record<string, unknown>);
    if (!Object.keys(item).every((k) => known.includes(k))) return "";
  } else if (!(schema instanceof z.ZodRecord)) return "";
  const key = String(path[path.length - 1]);
  const valid = schema.safeParse(item).success;
  return `; did you mean its one item as the value? (drop the \`- \`, so its keys ${Object.keys(item).join(", ")} sit right under ${key}: ${valid ? `that item is a valid ${key}` : `that item is no valid ${key} either; its own problems are said once it is written so`})`;
}

/**
 * Where a list given for a map goes when the map has one list key (`existing: [a, b]` for
 * `existing.buckets`): the list is right, one level too high. Only when that key takes the list
 * as it is: a list of the map's own keys (`loki: [- mode: SingleBinary, - replicas: 1]`) is no
 * value of `loki.previousTenants`, and moving it there would be refused in turn.
 */
function listKeyOf(schema: z.ZodTypeAny, path: (string | number)[], found: unknown): string | undefined {
  if (!Array.isArray(found) || !(schema instanceof z.ZodObject)) return undefined;
  const lists = Object.entries(schema.shape as Record<string, z.ZodTypeAny>).filter(
    ([, t]) => unwrap(t) instanceof z.ZodArray,
  );
  return lists.length === 1 && lists[0][1].safeParse(found).success
    ? keyPath([...path, lists[0][0]])
    : undefined;
}

/**
 * A number's form from its own checks: whole or not, its bounds, and an example inside them (the
 * form's own, schema.ts STAND_INS, where it has one: a port's; a fixed "like 3" told `alerting.pushoverPriority`, at most 2, to write a value it refuses). A
 * number written in quotes is text to YAML: the form says to drop them (`count: "3"` as `count: 3`)
 * when the number is one the key takes, as a text written as a number is told to quote it.
 */
function numberForm(schema: z.ZodNumber, found: unknown): string {
  const checks = schema._def.checks;
  const minCheck = checks.find((c) => c.kind === "min");
  const maxCheck = checks.find((c) => c.kind === "max");
  const [min, max] = [minCheck?.value, maxCheck?.value];
  const whole = checks.some((c) => c.kind === "int");
  // `.positive()` is an exclusive minimum of 0: "at least 0" would admit the 0 it refuses.
  const above = minCheck?.kind === "min" && !minCheck.inclusive;
  const bounds =
    min !== undefined && max !== undefined && !above
      ? ` from ${min} to ${max}`
      : min !== undefined
        ? above
          ? ` above ${min}`
          : ` of at least ${min}`
        : max !== undefined
          ? ` of at most ${max}`
          : "";
  // The key's own example where its form has one (a port's), else a small number within bounds.
  const own = STAND_INS.get(schema);
  const example = typeof own === "number" ? own : Math.min(Math.max(3, min ?? -Infinity), max ?? Infinity);
  const quoted = unquoted(schema, found) !== undefined ? ` (drop the quotes: ${String(found).trim()})` : "";
  return `${whole ? "a whole number" : "a number"}${bounds}, like ${example}${quoted}`;
}

/**
 * The number or the boolean a text in quotes holds, when `schema` (a number's or a boolean's) takes
 * it: YAML reads `"3"` and `"true"` as text, and the line says to drop the quotes; the rules between
 * keys judge the value meant (judge.ts). Undefined for any other value.
 */
export function unquoted(schema: z.ZodTypeAny, found: unknown): number | boolean | undefined {
  if (typeof found !== "string") return undefined;
  const s = unwrap(schema);
  if (s instanceof z.ZodBoolean) return found === "true" ? true : found === "false" ? false : undefined;
  if (!(s instanceof z.ZodNumber) || found.trim() === "") return undefined;
  const n = Number(found);
  return s.safeParse(n).success ? n : undefined;
}

/**
 * The form a key's own check names when it refuses a value (a refinement's or a pattern's message
 * "expected host:port like ..."), without the "expected ".
 */
function ownForm(issues: z.ZodIssue[] | undefined): string | undefined {
  const m = issues?.find((i) => i.code === "custom" || i.code === "invalid_string")?.message;
  return m?.startsWith("expected ") ? m.slice("expected ".length) : undefined;
}

/**
 * The form of a schema said in words, for a union's variants: a literal's value, an enum's values,
 * a list and the form of its items, a pattern's own message, else the plain type.
 */
function formOf(t: z.ZodTypeAny): string {
  const s = unwrap(t);
  if (s instanceof z.ZodLiteral) return JSON.stringify(s.value);
  if (s instanceof z.ZodEnum) return `one of ${(s.options as string[]).join(" | ")}`;
  if (s instanceof z.ZodArray)
    return `a list (YAML: one \`- item\` per line), each ${formOf(s.element as z.ZodTypeAny)}`;
  if (s instanceof z.ZodString) {
    const own = (s._def.checks as { message?: string }[]).find((c) => c.message?.startsWith("expected "));
    return own?.message?.slice("expected ".length) ?? "text";
  }
  if (s instanceof z.ZodBoolean) return "true or false";
  if (s instanceof z.ZodNumber) return "a number";
  if (s instanceof z.ZodObject) return "an object";
  return s._def.typeName?.replace(/^Zod/, "").toLowerCase() ?? "a value";
}

/**
 * The texts a union takes as written: its literals' values and its enums' options (dashboardNamespaces'
 * "all", beside a list of names); [] for any other schema.
 */
export function unionTextOptions(schema: z.ZodTypeAny | undefined): string[] {
  const s = schema && unwrap(schema);
  if (!(s instanceof z.ZodUnion)) return [];
  return (s.options as z.ZodTypeAny[]).flatMap((t) => {
    const o = unwrap(t);
    if (o instanceof z.ZodLiteral) return typeof o.value === "string" ? [o.value] : [];
    return o instanceof z.ZodEnum ? (o.options as string[]) : [];
  });
}

/** Known keys at a path (the variant its value selects, for a union), for "did you mean" on typos. */
export function knownKeysAt(path: (string | number)[], input?: unknown): string[] {
  const at = schemaAt(path, input);
  let schema = at && unwrap(at);
  if (schema instanceof z.ZodDiscriminatedUnion) schema = variantOf(schema, valueAt(input, path)) ?? schema;
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

/**
 * Whether the schema knows key path `path` at every map it crosses (the variant `input` selects,
 * for a union): an index is any item, and a map whose schema names no keys (a free-form record)
 * takes any key. A path it does not know is read by nothing, whatever its value.
 */
export function isKnownPath(path: (string | number)[], input?: unknown): boolean {
  return path.every((seg, i) => {
    const keys = i === 0 ? Object.keys(rawSchema.shape) : knownKeysAt(path.slice(0, i), input);
    return typeof seg === "number" || (i > 0 && keys.length === 0) || keys.includes(String(seg));
  });
}

/**
 * "; did you mean X?" for an enum value: the value an architecture name as `uname -m` prints it
 * means (no edit distance relates `aarch64` to `arm64`), else the closest option. The stack
 * config's values and the pack config's (synth/pack.ts) alike.
 */
export function enumHint(found: string, options: readonly string[]): string {
  // 32-bit ARM is another machine, not a misspelt arm64 (`arm` is its prefix, so it would be offered).
  if (options.includes("arm64") && isArm32(found)) return arm32Hint(found);
  const meant = UNAME_ARCHES[found];
  return meant !== undefined && options.includes(meant)
    ? `; did you mean "${meant}"? (\`uname -m\` prints "${found}" where Kubernetes says "${meant}")`
    : optionHint(found, options);
}

// The measure of a slip is the contract's, shared with the pack; the config's modules read it here.
export { closestMatch, nearest };

/**
 * What the "did you mean" of a list's entry outside its options (`hint`) adds when the option it
 * names is listed already, or other entries outside the options are closest to it too
 * (`keepUnusedBuckets: [loki-ruler, loki-rulr]`): each "did you mean" followed, the list would name
 * one option twice, where it needs it once. "" otherwise, and for an entry of no list.
 */
function listedTwinsHint(
  path: (string | number)[],
  hint: string,
  options: readonly string[],
  input: unknown,
): string {
  const named = (h: string) => /did you mean "([^"]+)"\?/.exec(h)?.[1];
  const meant = named(hint);
  const index = path[path.length - 1];
  const list = valueAt(input, path.slice(0, -1));
  if (meant === undefined || typeof index !== "number" || !Array.isArray(list)) return "";
  const entry = (i: number) => keyPath([...path.slice(0, -1), i]);
  const listedAt = list.findIndex((v, i) => i !== index && v === meant);
  if (listedAt >= 0)
    return ` (${entry(listedAt)} is "${meant}" already, and the list needs it once: remove this entry, unless another option is meant)`;
  const twins = list.flatMap((v, i) =>
    i !== index && typeof v === "string" && !options.includes(v) && named(enumHint(v, options)) === meant
      ? [`${entry(i)} ${JSON.stringify(v)}`]
      : [],
  );
  if (twins.length === 0) return "";
  const one = twins.length === 1;
  return ` (${listed(twins)} ${one ? "is" : "are"} closest to "${meant}" too, and the list needs it once: rename one of the ${countWord(twins.length + 1)} and remove the ${one ? "other" : "others"}, unless another option is meant)`;
}

/** "; did you mean X?" for a value outside an enum's options ({@link closestOption}), or "". */
function optionHint(found: string, options: readonly string[]): string {
  const near = closestOption(found, options);
  return near === undefined ? "" : `; did you mean "${near}"?`;
}

/** "; did you mean X?" for a mistyped name, or "" when nothing is close. */
export function didYouMean(name: string, known: readonly string[], quote = (s: string) => `"${s}"`): string {
  const m = closestMatch(name, known);
  return m ? `; did you mean ${quote(m)}?` : "";
}

/**
 * The value a stack sets at a key path under a namespace (`homelab-observability`,
 * ["receiverCredentials", "oncall"]), undefined where it sets none: what
 * {@link mergeMisspeltRequired} asks of a misspelt key.
 */
export type ValueAt = (namespace: string, path: Segment[]) => unknown;

/**
 * {@link ValueAt} over the config the Pulumi CLI hands a program: `<namespace>:<key>` to text, a
 * map or a list as JSON text (config/stackFile.ts, the SDK's allConfig).
 */
export function cliConfigValues(config: Record<string, unknown>): ValueAt {
  return (ns, [top, ...rest]) => walk(config[`${ns}:${top}`], rest);
}

/** {@link ValueAt} over a stack's raw config (config/resolve.ts rawFromPulumiConfig): the project's keys alone. */
export function rawConfigValues(raw: Record<string, unknown>, project = PROJECT): ValueAt {
  return (ns, [top, ...rest]) => (ns === project ? walk(raw[top], rest) : undefined);
}

/** {@link valueAt}, reading JSON text on the way: a map-valued key (a secret map) is handed over as text. */
function walk(value: unknown, path: Segment[]): unknown {
  let cur = value;
  for (const step of [...path, undefined]) {
    if (typeof cur === "string" && /^\s*[[{]/.test(cur)) {
      try {
        cur = JSON.parse(cur) as unknown;
      } catch {
        // Text that merely begins like JSON is a value like any other.
      }
    }
    if (step === undefined) return cur;
    cur = valueAt(cur, [step]);
  }
  return cur;
}

/**
 * `parent` (a key path's prefix as a problem writes it, `grafana.ingres.`) with its last keys read
 * as `read` says them (`ingress.`, from `(read as ingress.host)`): `grafana.ingress.`.
 */
function readAsPrefix(parent: string, read: string): string {
  const given = parseSegments(parent.replace(/\.$/, ""));
  const meant = parseSegments(read.replace(/\.$/, ""));
  const all = [...given.slice(0, Math.max(0, given.length - meant.length)), ...meant];
  return all.length === 0 ? "" : `${propertyPath(String(all[0]), all.slice(1))}.`;
}

/**
 * One message for one misspelt key whose closest match is required, or holds required entries,
 * beside it. The unknown key keeps its line and the "required" lines it explains go:
 * - the match is itself reported missing (`objectStore.endpont` beside `objectStore.endpoint`, a
 *   top-level `phse` beside `phase`): the line gains that the match is required (rename this key,
 *   and mend its value when the match refuses it: {@link asMeantKey});
 * - the match is set but lacks entries the misspelt key holds (`receiverCredentials` without
 *   `oncall`, a `receiverCredential` holding it; `objectStore` without `endpoint`, an `objectStor`
 *   holding it): renaming would set the key twice, so the line names each missing entry and says
 *   to move them under the match. An entry the misspelt key does not hold is another mistake and
 *   keeps its own line. `valueOf` reads the misspelt key's value; without it only the first case
 *   merges.
 */
export function mergeMisspeltRequired(problems: string[], valueOf: ValueAt = () => undefined): string[] {
  const unknown =
    /^([^:\s]+:)(\S*?)([^.\]\s]+)(?: \(read as ((?:\S*?[.\]])?)[^.\]\s()]+\))?: unknown key[^;]*; did you mean "([^"]+)"\?/;
  const dropped = new Set<number>();
  const out = problems.map((p) => {
    const m = unknown.exec(p);
    if (!m) return p;
    const [, ns, parent, leaf, readAsParent, near] = m;
    // Under a misspelt map read as the key it means (asMeantKey belowAsGiven), the key required is
    // that key's (`grafana.ingress.host`), said at its line as read (`grafana.ingres.host (read as
    // ingress.host): required`): the misspelt path is no key that requires anything.
    const meantParent = readAsParent === undefined ? parent : readAsPrefix(parent, readAsParent);
    const readAs = readAsParent === undefined ? "" : ` (read as ${readAsParent}${near})`;
    // A slip of the namespace suggests the whole key.
    const sibling = near.includes(":") ? near : `${ns}${parent}${near}${readAs}`;
    const required = near.includes(":") ? near : `${meantParent}${near}`;
    // The variant it was judged as (asClosestVariant) stays last, as on every line beside it.
    const judged = / \(judged as [^()]*\)$/.exec(p)?.[0] ?? "";
    const line = p.slice(0, p.length - judged.length);
    const i = problems.findIndex((q, j) => !dropped.has(j) && q.startsWith(`${sibling}: required`));
    if (i >= 0) {
      dropped.add(i);
      // A value the key meant refuses too (asMeantKey): the rename and the value to mend, in one.
      const mend = line.indexOf(RENAME_AND_MEND);
      if (mend >= 0)
        return `${line.slice(0, mend)} (${required} is required and missing: ${line.slice(mend + 2)}${judged}`;
      // A key that is right but misplaced (the top of the stack file) says where it goes instead.
      return `${line} (${required} is required and missing${line.endsWith(")") ? "" : ": rename this key"})${judged}`;
    }
    const held = valueOf(ns.slice(0, -1), parseSegments(`${parent}${leaf}`));
    const moved = heldRequired(problems, dropped, sibling, held);
    if (moved.length === 0) return p;
    const them = moved.length > 1 ? "them" : "it";
    // Said more exactly here: which of its entries the key it means lacks.
    return `${line.replace(ALREADY_SET, "")} (${moved.join(", ")} ${moved.length > 1 ? "are" : "is"} required and missing, and this key holds ${them}: move ${them} under ${required}, then remove this key)${judged}`;
  });
  return requiredSetByPathNamedKeys(out.filter((_, i) => !dropped.has(i)));
}

/**
 * One message for a key set without --path (`receiverCredentials.team-slack`, a key of that name,
 * config/errors.ts pathNamedKeyProblem) and the "required" problem of the key its value belongs in,
 * which the program cannot see for it (the runtime judges the secrets it lacks, config/resolve.ts
 * absentSecrets): when every command the "required" line gives is one a key set without --path
 * gives, following that key's hint mends both, so the "required" line goes and its fact is said in
 * the key's.
 */
function requiredSetByPathNamedKeys(problems: string[]): string[] {
  const commands = (p: string) => [...p.matchAll(/`(pulumi config set [^`]*)`/g)].map((m) => m[1]);
  const named = problems.map((p) => (p.includes(PATH_NAMED) ? commands(p) : []));
  const dropped = new Set<number>();
  const facts = new Map<number, string[]>();
  problems.forEach((q, j) => {
    const m = /^(\S+?): (required\b[^;]*)/.exec(q);
    const wanted = m ? commands(q) : [];
    if (!m || wanted.length === 0 || !wanted.every((c) => named.some((n) => n.includes(c)))) return;
    dropped.add(j);
    const fact = `${m[1].slice(m[1].indexOf(":") + 1)} is ${m[2]}`;
    named.forEach((n, i) => {
      if (wanted.some((c) => n.includes(c))) facts.set(i, [...(facts.get(i) ?? []), fact]);
    });
  });
  return problems
    .map((p, i) => (facts.has(i) ? `${p} (${facts.get(i)!.join("; ")})` : p))
    .filter((_, i) => !dropped.has(i));
}

/**
 * The "required" problems under `sibling` (`<ns>:receiverCredentials.oncall: required ...`) whose
 * entry `held` (a misspelt key's value) holds: each is marked dropped and named (without the
 * namespace) in the result.
 */
function heldRequired(problems: string[], dropped: Set<number>, sibling: string, held: unknown): string[] {
  if (held === undefined) return [];
  const named: string[] = [];
  problems.forEach((q, j) => {
    if (dropped.has(j) || !(q.startsWith(`${sibling}.`) || q.startsWith(`${sibling}[`))) return;
    const at = /^(\S+?): required\b/.exec(q)?.[1];
    if (at === undefined) return;
    const rest = parseSegments(at.slice(sibling.length));
    if (rest.length === 0 || walk(held, rest) === undefined) return;
    dropped.add(j);
    named.push(at.slice(at.indexOf(":") + 1));
  });
  return named;
}

/**
 * Stack-file keys under a namespace that is a slip of the project's (`homelab-observabilty:phase`):
 * the Pulumi CLI hands them to the program as another namespace's, which the program never reads,
 * so the key would be silently unset. Each gets the project key it likely meant.
 */
export function misspeltNamespaceProblems(
  keys: Iterable<string>,
  project = PROJECT,
  /** A project key's `file:line` where the stack file writes it (its name without the namespace). */
  placeOf: (key: string) => string | undefined = () => undefined,
): string[] {
  const out: string[] = [];
  for (const key of keys) {
    const at = key.indexOf(":");
    if (at < 0) continue;
    const ns = key.slice(0, at);
    const meant = `${project}:${key.slice(at + 1)}`;
    // Asked of the file: the config holds Pulumi.yaml's defaults, which a key the file never writes has.
    const note = placeOf(key.slice(at + 1)) !== undefined ? alreadySetNote(meant) : "";
    if (ns !== project && closestMatch(ns, [project]))
      out.push(
        `${key}: unknown key (namespace "${ns}" is not the project's: the program never reads it); did you mean "${meant}"?${note}`,
      );
  }
  return out;
}

/** A problem's parts: its key, what it expects, the value found as quoted, and what follows it. */
const EXPECTED_GOT = /^(\S+?): expected (.*?), got ((?:string )?)("(?:[^"\\]|\\.)*")(.*)$/s;

/**
 * One message per value written. The schema judges part of a value (grafana.url's scheme and its
 * login) and the rules between keys judge the rest, which they read in the same run (judge.ts
 * misspeltValuesReadAs: what follows the host, the host against the Ingress's), so one value wrong
 * in several ways gave one line per check, each at the same file:line, each naming part of what to
 * change. Problems at the same key that quote the same value found are said as one, at the first's
 * place: every expectation with what it found, the value once, then every hint in order, once (the
 * rules' come last: they judged the value with the schema's parts mended, so theirs names the
 * whole value to write). Problems of other shapes, or quoting another value, stay apart.
 */
export function oneLinePerValue(problems: string[]): string[] {
  const parts = problems.map((p) => EXPECTED_GOT.exec(p));
  const folded = new Set<number>();
  const out = problems.map((p, i) => {
    const m = parts[i];
    if (!m || folded.has(i)) return p;
    const same = parts.flatMap((q, j) => (j > i && q && q[1] === m[1] && q[4] === m[4] ? [j] : []));
    if (same.length === 0) return p;
    same.forEach((j) => folded.add(j));
    const members = [m, ...same.map((j) => parts[j]!)].map((q) => {
      // What follows the value: what was found in it, in parentheses, then the hint after "; ";
      // a tail of another shape stays with its expectation.
      const tail = /^((?: \((?:[^()]|\([^()]*\))*\))?)(?:; (.*))?$/s.exec(q[5]);
      return { expected: `${q[2]}${tail ? tail[1] : q[5]}`, hint: tail?.[2]?.trim() };
    });
    const expected = members.map((x) => x.expected);
    // Two checks naming the same value to write (the host's and the path's) say it once.
    const hints = [...new Set(members.flatMap((x) => (x.hint ? [x.hint] : [])))];
    return `${m[1]}: expected ${expected.slice(0, -1).join("; ")}; and ${expected[expected.length - 1]}; got ${m[3]}${m[4]}${hints.length > 0 ? `; ${hints.join("; ")}` : ""}`;
  });
  return out.filter((_, i) => !folded.has(i));
}
