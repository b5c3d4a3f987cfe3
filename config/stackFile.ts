/**
 * Stack config exactly as the Pulumi CLI hands it to the program, for the offline synthesis. The
 * CLI checks config before the program runs; these are its rules, restated from pulumi/pulumi
 * (read November 2026, commit 1b59498):
 *
 * - pkg/workspace/config.go `mergeConfig`: project defaults/values fill keys the stack file lacks;
 *   a project-namespaced key with neither `default` nor `value` and absent from the stack stops
 *   every command with "Stack 'x' is missing configuration values 'a', 'b' and 'c'"
 *   (`formatMissingKeys`, `missingStackConfigurationKeysError`); then `validateStackConfigValue`,
 *   for typed keys only, in sorted key order: `secret: true` needs a `secure:` value
 *   ("... must be encrypted as it's secret"), and the value must be of the declared type
 *   ("... must be of type 'array<string>'"). preview.go prefixes "validating stack config: ".
 * - sdk/go/common/workspace/project.go `Project.Validate`, `ValidateConfigValue`,
 *   `InferFullTypeName`, `RewriteShorthandConfigValues`; project.json `configTypeDeclaration`.
 * - sdk/go/common/workspace/loaders.go `stackConfigNamespacedWithProject`: stack keys without a
 *   namespace belong to the project.
 * - sdk/go/common/resource/config/object.go `unmarshalObject`, `isSecureValue`, `MarshalString`:
 *   a stack file scalar reaches the program as text (`true` -> "true", `3` -> "3"), a map or list
 *   as JSON, and `{secure: "<string>"}` as a secret.
 * - sdk/go/common/resource/config/crypt.go `symmetricCrypter.DecryptValue` (passphrase and KMS
 *   providers: `v1:<base64 12-byte nonce>:<base64 ciphertext>`), pkg/secrets/passphrase/manager.go
 *   (`encryptionsalt: v1:<salt>:<check>`), pkg/secrets/service/manager.go (Pulumi Cloud: base64).
 */
import {
  configKeyName,
  isMap,
  propertyPath,
  removeKeyCommand,
  setConfigCommand,
  setSecretCommand,
  valueAt,
} from "./tree";
import { PHASES } from "../model/phases";
import { countWord, listed } from "../model/words";
import * as fs from "fs";
import * as path from "path";
import {
  isAlias,
  isNode,
  isPair,
  isScalar,
  isSeq,
  Scalar,
  visit,
  type Document,
  type Pair,
  type YAMLError,
  type YAMLMap,
} from "yaml";
import { isMergeKey, parsedAsMeant, parsedYaml, TAB_AS_INDENT } from "./yamlDocument";
import { didYouMean, isKnownPath, mapValueHint } from "./errors";
import { PROJECT, rawSchema, SECRET_KEYS } from "./schema";
import { RECEIVER_CREDENTIALS_KEY } from "../model/secrets";
import { excerpt, type Place } from "./locate";
import { shownYamlLines, yamlReason } from "../model/yamlText";
import { plainSecretProblem } from "./plainSecret";
import { FileReadError, readUtf8 } from "./readFile";
import { shownFile, stackFilePath, stackNames } from "./paths";

/** A config declaration of Pulumi.yaml (project.go `ProjectConfigType`). */
export interface ProjectConfigType {
  type?: string;
  items?: ItemsType;
  description?: string;
  default?: unknown;
  value?: unknown;
  secret?: boolean;
}
interface ItemsType {
  type: string;
  items?: ItemsType;
}

export interface Project {
  name: string;
  config: Record<string, ProjectConfigType>;
}

/** A config error the CLI itself would print before running the program (exit code 2). */
export class CliConfigError extends Error {
  constructor(
    readonly cliMessage: string,
    /** The stack has no file at all (a command's closing line says so, not "refused"). */
    readonly noStackFile = false,
  ) {
    super(cliMessage);
    this.name = "CliConfigError";
  }
}

/** The phase a fresh install starts at (the last: nothing to migrate from), for the examples in messages. */
const FRESH_PHASE = PHASES[PHASES.length - 1];

/** Codes of eemeli/yaml v2 (src/errors.ts `ErrorCode`) that an indentation slip raises. */
const INDENT_CODES = new Set(["BAD_INDENT", "BLOCK_AS_IMPLICIT_KEY", TAB_AS_INDENT]);

/**
 * One slip the YAML parser found: the lines it spans, where the mistake is, why, and its code
 * (eemeli/yaml v2 `ErrorCode`).
 */
export interface YamlSlip {
  /** The first line the slip spans: from there the parser may have read the file otherwise. */
  line: number;
  column: number;
  /** The last line the slip spans (`line` when it names one place). */
  endLine?: number;
  /**
   * Where the mistake is, when not at `line` and `column`: an over-indented key is reported on the
   * line it seems to continue, an under-indented one at column 1.
   */
  at?: { line: number; column: number };
  reason: string;
  code?: string;
  /**
   * The value read is the one written whatever the slip: a key written twice with the same value.
   * (A tab's line is read as meant, yamlDocument.ts parsedAsMeant, at a depth guessed from its
   * neighbours, which may put its key in another map: that line stays unsure.)
   */
  movesNothing?: true;
}

/** Where a slip's message and caret point. */
export const shownAt = (slip: YamlSlip) => slip.at ?? { line: slip.line, column: slip.column };

/**
 * The lines a slip may have read otherwise: those it spans, and its place. A tab's is its own line
 * only: the value judged reads every other line as written (yamlDocument.ts parsedAsMeant), though
 * the parser's errors after the tab spanned the next.
 */
export const slipLines = (slip: YamlSlip): { from: number; to: number } =>
  slip.code === TAB_AS_INDENT
    ? { from: slip.line, to: slip.line }
    : { from: slip.line, to: Math.max(slip.endLine ?? slip.line, shownAt(slip).line) };

/** For an indentation slip, where to look and what to check. */
const indentHint = (slip: YamlSlip) =>
  slip.code && INDENT_CODES.has(slip.code)
    ? "(check the indentation of this line against the lines above it: keys of one level start in the same column, with spaces, never tabs)"
    : undefined;

/** One slip as a message block: the file, line and column, the reason, and the lines around it. */
function slipText(file: string, slip: YamlSlip, text: string): string {
  const { line, column } = shownAt(slip);
  // The lines as a message may show them: a secret's value on or beside the slip is not shown.
  const lines = excerpt(shownYamlLines(text), line, column, 1);
  const hint = indentHint(slip);
  return `${shownFile(file)}:${line}:${column}: not valid YAML: ${slip.reason}\n${lines.join("\n")}${hint ? `\n  ${hint}` : ""}`;
}

/**
 * One slip as a config problem beside others (config/stackCheck.ts), in the words of
 * {@link YamlFileError}: its place shows the lines around it without repeating the file.
 */
export function slipProblem(file: string, slip: YamlSlip, lines: string[]): { text: string; place: Place } {
  const hint = indentHint(slip);
  const { line, column } = shownAt(slip);
  return {
    text: `${shownFile(file)}:${line}:${column}: not valid YAML: ${slip.reason}${hint ? ` ${hint}` : ""}`,
    place: {
      file,
      line,
      column,
      lines: shownYamlLines(lines.join("\n")),
      exact: true,
      endLine: Math.max(line, slip.endLine ?? line),
      around: 1,
      named: true,
    },
  };
}

/**
 * A YAML file's text is not YAML: names the file, line and column of every slip the parser found
 * (the first is `line` and `column`), and shows each line between its neighbours with a caret
 * under the column, as a config error (the CLIs exit 2, no stack trace).
 */
export class YamlFileError extends CliConfigError {
  readonly line: number;
  readonly column: number;
  constructor(
    readonly file: string,
    readonly slips: YamlSlip[],
    text: string,
  ) {
    super(slips.map((s) => slipText(file, s, text)).join("\n"));
    ({ line: this.line, column: this.column } = shownAt(slips[0]));
    this.name = "YamlFileError";
  }
}

/**
 * Parses `text` (the content of `file`) as one YAML document; syntax errors become one
 * {@link YamlFileError} naming every slip the parser found (`Document.errors`: it goes on after
 * the first), not just the first, so one run shows them all. Each position is the parser's own
 * (eemeli/yaml v2 `YAMLError.linePos`, 1-based, src/errors.ts `prettifyError`); its message up to
 * " at line" is the reason. A duplicated key also names the line of its first occurrence.
 */
export function parseYamlText(file: string, text: string): any {
  const { value, slips, laterDocument } = parseYamlWithSlips(file, text);
  if (slips.length > 0) throw new YamlFileError(file, slips, text);
  if (laterDocument !== undefined) {
    const { text: message, place } = laterDocumentProblem(file, laterDocument, text.split(/\r?\n/));
    throw new CliConfigError(`${message}\n${excerpt(shownYamlLines(text), place.line, 1, 1).join("\n")}`);
  }
  return value;
}

/**
 * A second YAML document in a file the Pulumi CLI reads one document of, as a problem at its first
 * line: gopkg.in/yaml.v3 v3.0.1 `Unmarshal` (yaml.go `unmarshal`: one `parser.parse()`, one
 * document node) decodes the first document and ignores the rest unread, even a syntax error in
 * it (run, not only read: a Go program over the module at v3.0.1), so nothing in it is set, and
 * no error says so. eemeli/yaml v2 `parseDocument` stops at the same place, with an error
 * (MULTIPLE_DOCS) that names its own API instead of the file's mistake.
 */
export function laterDocumentProblem(
  file: string,
  line: number,
  lines: string[],
): { text: string; place: Place } {
  const name = path.basename(file);
  // After a `...` a document may start without its `---`.
  const marker = lines[line - 1]?.startsWith("---") ? " (`---`)" : "";
  return {
    text: `${shownFile(file)}:${line}:1: a second YAML document starts here${marker}: the Pulumi CLI reads only the first document of ${name} and ignores everything from line ${line} on without a word, so nothing there is set; move what is below this line into the first document (config keys under its \`config:\`) and remove the line`,
    place: {
      file,
      line,
      column: 1,
      lines: shownYamlLines(lines.join("\n")),
      exact: true,
      around: 1,
      named: true,
    },
  };
}

/**
 * `text` parsed as {@link parseYamlText} does, without throwing: the value the parser still makes
 * of a text with slips (eemeli/yaml v2 goes on after an error: a duplicated key keeps its last
 * value, an over-indented key lands in another map) and every slip, none for valid YAML. What a
 * caller judges of such a value must keep clear of the slips' lines (stackCheck.ts).
 */
function parseYamlWithSlips(file: string, text: string): ParsedYamlText {
  const known = parsedTexts.get(text);
  // Each caller gets its own copy: what one synthesis does with it never reaches the next.
  if (known !== undefined) return { ...known, value: structuredClone(known.value) };
  const { doc } = parsedYaml(text);
  // The value is the text's as its writer meant it, each tab in the indentation read as spaces:
  // as parsed, every key after a tab lands elsewhere and its value would be judged nowhere.
  const meant = parsedAsMeant(text);
  const slips = withoutTabFollowOns(slipsOf(doc, text), meant);
  const mergeKeys = slips.length === 0 ? mapsWithMergeKeys(doc, text) : [];
  const holders = slips.length === 0 ? anchorHolders(doc) : [];
  // As `parse` does: the parser's warnings (an unknown tag) are the process's warnings, placed and
  // in words, without the line eemeli/yaml quotes under each (a secret's value may be on it).
  if (slips.length === 0)
    for (const w of doc.warnings) {
      const at = w.linePos?.[0];
      const where = at ? `${shownFile(file)}:${at.line}:${at.col}: ` : `${shownFile(file)}: `;
      process.emitWarning(`${where}${yamlReason(w.message.split(" at line ")[0].split("\n")[0])}`, {
        type: w.name,
        code: w.code,
      });
    }
  // An alias inside its own anchor's value is a slip at the alias, read as null: as parsed, the
  // value would contain itself, and every walk over the config would follow it without end.
  const cycles = selfAliasSlips(meant.doc, meant.text);
  slips.push(...cycles);
  let value: unknown;
  try {
    value = cycles.length > 0 ? withoutBadAliases(meant.doc) : meant.doc.toJS();
  } catch (e) {
    // eemeli/yaml v2 finds an alias without its anchor only here (nodes/Alias.js `toJSON` throws a
    // ReferenceError naming it, with no place): a slip at the alias, like any other.
    if (!(e instanceof ReferenceError)) throw e;
    slips.push(aliasSlip(meant.doc, meant.text, e));
    value = withoutBadAliases(meant.doc);
  }
  const parsed = {
    value,
    slips,
    mergeKeys,
    anchorHolders: holders,
    laterDocument: laterDocumentLine(doc, text),
  };
  if (parsedTexts.size >= PARSED_KEPT) parsedTexts.clear();
  parsedTexts.set(text, parsed);
  return { ...parsed, value: structuredClone(value) };
}

/** What {@link parseYamlWithSlips} makes of a text. */
interface ParsedYamlText {
  value: any;
  slips: YamlSlip[];
  mergeKeys: MergeKeysInOneMap[];
  anchorHolders: AnchorHolder[];
  /** The first line of a second document that holds anything ({@link laterDocumentProblem}). */
  laterDocument?: number;
}

/** eemeli/yaml v2's code (src/errors.ts `ErrorCode`) for a second document after the one it parsed. */
const MULTIPLE_DOCS = "MULTIPLE_DOCS";

/**
 * The line a second document of `text` starts at, when the documents from there on hold more than
 * document markers (`---`, `...`), comments and blank lines: an empty one after a stray `---`
 * ignores nothing.
 */
function laterDocumentLine(doc: Document, text: string): number | undefined {
  const start = doc.errors.find((e) => e.code === MULTIPLE_DOCS)?.pos[0];
  if (start === undefined) return undefined;
  const empty = /^\s*(?:(?:---|\.\.\.)(?=\s|$))?\s*(?:#.*)?$/;
  return text
    .slice(start)
    .split(/\r?\n/)
    .every((l) => empty.test(l))
    ? undefined
    : lineAt(text, start);
}

/** The parser's errors over `text` (parsed as `doc`), one slip per mistake; a later document is none. */
const slipsOf = (doc: Document, text: string) =>
  withUnreadRest(
    oneSlipEach(
      doc.errors.filter((e) => e.code !== MULTIPLE_DOCS).map((e) => slipOf(e, doc, text)),
      text.split(/\r?\n/),
    ),
    doc.contents?.range ? lineAt(text, doc.contents.range[0]) : undefined,
  );

/**
 * eemeli/yaml v2's reasons past the end of a document: a line less indented than the document's
 * first key ends it (compose/resolve-end.js `Unexpected scalar at node end`), and from there every
 * token until the next `---` is outside any document, each an error of its own (parse/parser.js
 * `Unexpected ${type} token in YAML stream`, after yamlReason: a file of 60 lines gave 139).
 */
const NODE_END = /^Unexpected [\w-]+ at node end$/;
const IN_STREAM = /^Unexpected [\w-]+ token in YAML stream$/;

/**
 * `slips` with the parser's errors past a document's end as one slip, the lines it could not read
 * said with the slip that ended the document: the line less indented than the document's first key,
 * or the slip on that first key's line (`rootLine`) when there is one, as a comment line broken in
 * two makes its second half the document's first key, indented, and every key below less indented
 * than it. A slip before the document's end stays its own.
 */
function withUnreadRest(slips: YamlSlip[], rootLine: number | undefined): YamlSlip[] {
  const out: YamlSlip[] = [];
  // The slip the rest of a document is unread after, and the first and last line not read.
  const runs: { slip: YamlSlip; from: number; to: number }[] = [];
  let open = false;
  const inStream = (s: YamlSlip | undefined) => s?.code === "UNEXPECTED_TOKEN" && IN_STREAM.test(s.reason);
  for (const [i, s] of slips.entries()) {
    // A node's end is the document's when what follows is outside it (`"x" y` ends a scalar only).
    const past =
      inStream(s) || (s.code === "UNEXPECTED_TOKEN" && NODE_END.test(s.reason) && inStream(slips[i + 1]));
    if (past && open) {
      const run = runs[runs.length - 1];
      run.to = Math.max(run.to, s.endLine ?? s.line);
      continue;
    }
    open = past;
    if (!past) {
      out.push({ ...s });
      continue;
    }
    const before = out[out.length - 1];
    const endsRoot = before !== undefined && before.line === rootLine && NODE_END.test(s.reason);
    const slip = endsRoot ? before : { ...s };
    if (!endsRoot) out.push(slip);
    runs.push({ slip, from: s.line, to: s.endLine ?? s.line });
  }
  for (const { slip, from, to } of runs) {
    const unread = `the parser read nothing of ${from === to ? `line ${from}` : `lines ${from} to ${to}`}`;
    const first = rootLine === undefined ? "" : ` (line ${rootLine})`;
    slip.reason =
      slip.line < from
        ? `${slip.reason}; ${unread} after it: this line is the document's first key, indented, and a line less indented ends the document`
        : NODE_END.test(slip.reason)
          ? `${slip.reason}: a line less indented than the document's first key${first} ends the document; ${unread}`
          : `${slip.reason}; ${unread}`;
    slip.endLine = Math.max(slip.endLine ?? slip.line, to);
  }
  return out;
}

/**
 * A map of a stack file with two or more merge keys (`<<: *a` then `<<: *b`): the one merge-key
 * layout the Pulumi CLI and this check read apart. The CLI (3.50 and later) reads a stack file with
 * gopkg.in/yaml.v3 v3.0.1 (pulumi/pulumi v3.259.0, commit 0ac56e87: pkg/go.mod;
 * sdk/go/common/workspace/loaders.go `LoadProjectStackBytes` through
 * sdk/go/common/encoding/marshal.go), whose decoder refuses a key written twice in one map, `<<`
 * among them, before it merges anything (decode.go:767-783 `mapping`, `uniqueKeys`):
 * `line 21: mapping key "<<" already defined at line 20`. eemeli/yaml 2.9.1 (`merge: true`)
 * merges each `<<` in turn where no key is set yet, so a key of the first wins (gopkg.in/yaml.v2
 * v2.4.0, the CLI before 3.50, let the later overwrite it). Everything else the two read alike: a
 * key written in the map wins wherever it stands, above or below its `<<` (v3 decode.go `merge`
 * marks the map's own keys in `mergedFields` before it merges), and in `<<: [*a, *b]` the first
 * entry that sets a key wins. Run, not only read: a Go program over both modules from the Go
 * module proxy and eemeli/yaml here, over the same texts. One problem per map
 * (mergeKeysProblem), at its second `<<`.
 */
export interface MergeKeysInOneMap {
  /** The map's place from the top of the file: `["config", "homelab-observability:nodePools", 2]`. */
  path: (string | number)[];
  /** Each `<<` of the map in order: its line and column, and its value's entries (`*a`, `{...}`). */
  merges: { line: number; column: number; entries: string[] }[];
}

/** The pairs of a map whose key is a merge key (`<<` unquoted, which eemeli/yaml merges). */
const mergeKeysOf = (map: YAMLMap): Pair[] =>
  map.items.filter((p) => isMergeKey(p.key) && typeof (p.key as Scalar).value === "symbol");

/** A merge key's value as written, entry by entry: `*a` for an alias, `{...}` for a map in place. */
const mergeEntries = (v: unknown): string[] =>
  isSeq(v) ? v.items.flatMap(mergeEntries) : [isAlias(v) ? `*${v.source}` : "{...}"];

/**
 * The place from the top of the file of the node `chain` ends at (a visit's ancestors and the node):
 * each pair's key and each list index on the way. A merge key names no place: what it merges is
 * the map that holds it.
 */
function nodePath(chain: readonly unknown[]): (string | number)[] {
  const path: (string | number)[] = [];
  chain.forEach((n, i) => {
    if (isPair(n) && !isMergeKey(n.key)) path.push(String(isScalar(n.key) ? n.key.value : n.key));
    else if (isSeq(n)) path.push(n.items.indexOf(chain[i + 1]));
  });
  return path;
}

/**
 * A key under `config:` whose value carries an anchor that aliases elsewhere in the file use
 * (`homelab-observability:poolDefaults: &pool {…}` beside `- <<: *pool` in each node pool): written
 * only to be reused, yet the Pulumi CLI hands it to the program as a key of its own.
 */
export interface AnchorHolder {
  /** The key as written under `config:`. */
  key: string;
  anchor: string;
  /** Where each alias of the anchor is, from `config:` (`["homelab-observability:nodePools", 0]`). */
  users: (string | number)[][];
}

function anchorHolders(doc: Document): AnchorHolder[] {
  const anchored = new Map<string, string>();
  const users = new Map<string, (string | number)[][]>();
  visit(doc, {
    Pair(_, pair, ancestors) {
      const at = nodePath([...ancestors, pair]);
      const anchor = (pair.value as { anchor?: string } | null)?.anchor;
      if (at.length === 2 && at[0] === "config" && anchor) anchored.set(anchor, String(at[1]));
    },
    Alias(_, alias, ancestors) {
      const at = nodePath(ancestors);
      if (at[0] === "config") users.set(alias.source, [...(users.get(alias.source) ?? []), at.slice(1)]);
    },
  });
  return [...anchored].flatMap(([anchor, key]) => {
    const used = users.get(anchor) ?? [];
    return used.length > 0 ? [{ key, anchor, users: used }] : [];
  });
}

function mapsWithMergeKeys(doc: Document, text: string): MergeKeysInOneMap[] {
  const found: MergeKeysInOneMap[] = [];
  visit(doc, {
    Map(_, map, ancestors) {
      const merges = mergeKeysOf(map);
      if (merges.length < 2) return;
      found.push({
        path: nodePath([...ancestors, map]),
        merges: merges.map((p) => {
          const offset = (p.key as Scalar).range?.[0] ?? 0;
          return {
            line: lineAt(text, offset),
            column: offset - text.lastIndexOf("\n", offset - 1),
            entries: mergeEntries(p.value),
          };
        }),
      });
    },
  });
  return found;
}

/**
 * A map with several merge keys ({@link MergeKeysInOneMap}) as one problem at its second `<<`,
 * naming the map by its key (`homelab-observability:nodePools[2]`) and every `<<` line.
 */
export function mergeKeysProblem(
  file: string,
  m: MergeKeysInOneMap,
  lines: string[],
  projectName: string,
): { text: string; place: Place } {
  const [first, second] = m.merges;
  const [top, name, ...rest] = m.path;
  const where =
    m.path.length === 0
      ? "the stack file's top-level map"
      : top === "config" && name === undefined
        ? "`config:`"
        : top === "config"
          ? propertyPath(String(name).includes(":") ? String(name) : `${projectName}:${name}`, rest)
          : propertyPath(String(top), m.path.slice(1));
  const n = m.merges.length;
  const list = `\`<<: [${m.merges.flatMap((k) => k.entries).join(", ")}]\``;
  return {
    text: `${shownFile(file)}:${second.line}:${second.column}: ${where} has ${countWord(n)} merge keys \`<<\`, at lines ${listed(m.merges.map((k) => String(k.line)))}: the Pulumi CLI refuses the stack file (its YAML reader, gopkg.in/yaml.v3, stops at \`line ${second.line}: mapping key "<<" already defined at line ${first.line}\`), where YAML's merge rule (which this check reads) merges each in turn, a key from the first \`<<\` that sets it winning; write one merge key that lists them in that order, ${list}, which the CLI and this check read alike: a key from the first entry that sets it`,
    place: { file, line: second.line, column: second.column, lines, exact: true, around: 1, named: true },
  };
}

/**
 * `slips` without the errors a tab used as indentation causes further on: eemeli/yaml v2 reads the
 * rest of the map from the tab's line on at another column, and reports every later key of the
 * map's level as "All mapping items must start at the same column", one mistake told many times.
 * The follow-ons are the slips that go away in the text read as meant, each tab's line indented
 * with spaces (`meant`, yamlDocument.ts parsedAsMeant), whose value is the one judged: a slip that
 * stays there is a mistake of its own and is kept. So is one only that text shows, off the tabs'
 * lines (whose depth there is a guess): read at another column, a key written twice below a tab
 * lands in two maps and its duplicate went unsaid until the tab was mended.
 */
function withoutTabFollowOns(slips: YamlSlip[], meant: { doc: Document; text: string }): YamlSlip[] {
  const tabLines = new Set(slips.filter((s) => s.code === TAB_AS_INDENT).map((s) => s.line));
  if (tabLines.size === 0) return slips;
  const remaining = slipsOf(meant.doc, meant.text);
  const same = (a: YamlSlip, b: YamlSlip) => a.line === b.line && a.code === b.code;
  const stays = (s: YamlSlip) => remaining.some((r) => same(r, s));
  const unseen = remaining.filter((r) => !tabLines.has(r.line) && !slips.some((s) => same(r, s)));
  return [...slips.filter((s) => s.code === TAB_AS_INDENT || stays(s)), ...unseen].sort(
    (a, b) => a.line - b.line,
  );
}

/**
 * The slip of a document whose value cannot be made (`toJS` threw `e`): at the first alias whose
 * anchor is not set before it, else (too many aliases) at the start of the file.
 */
function aliasSlip(doc: Document, text: string, e: ReferenceError): YamlSlip {
  let at: number | undefined;
  visit(doc, {
    Alias(_, node) {
      if (node.resolve(doc) !== undefined) return undefined;
      at = node.range?.[0] ?? 0;
      return visit.BREAK;
    },
  });
  if (at === undefined) return { line: 1, column: 1, reason: yamlReason(e.message), code: "BAD_ALIAS" };
  return {
    line: lineAt(text, at),
    column: at - text.lastIndexOf("\n", at - 1),
    reason: "Unresolved alias (the anchor must be set before the alias)",
    code: "BAD_ALIAS",
  };
}

/**
 * The aliases of `doc` inside the value of the anchor they name (`a: &a {b: *a}`), each a slip at
 * the alias: a value that contains itself. go-yaml v3, the Pulumi CLI's reader, refuses the file
 * ("anchor 'a' value contains itself": decode.go `d.alias`, listed in its decode_test.go, v3.0.1,
 * read not run); eemeli/yaml v2 builds the cyclic value.
 */
function selfAliasSlips(doc: Document, text: string): YamlSlip[] {
  const slips: YamlSlip[] = [];
  visit(doc, {
    Alias(_, node, ancestors) {
      const target = node.resolve(doc);
      if (target === undefined || !ancestors.includes(target)) return;
      const at = node.range?.[0] ?? 0;
      slips.push({
        line: lineAt(text, at),
        column: at - text.lastIndexOf("\n", at - 1),
        reason: `anchor ${JSON.stringify(node.source)} value contains itself: the alias *${node.source} is inside the value &${node.source} names (the Pulumi CLI refuses the file); alias a map or list written before it, or write the value out`,
        code: "ALIAS_CYCLE",
      });
    },
  });
  return slips;
}

/**
 * The value of `doc` with each alias whose anchor is not set before it, or that sits inside its own
 * anchor's value ({@link selfAliasSlips}), read as null, as the rest is read.
 */
function withoutBadAliases(doc: Document): unknown {
  const copy = doc.clone();
  visit(copy, {
    Alias: (_, node, ancestors) => {
      const target = node.resolve(copy);
      return target === undefined || ancestors.includes(target) ? new Scalar(null) : undefined;
    },
  });
  try {
    return copy.toJS();
  } catch {
    return null;
  }
}

/** The 1-based line of an offset into `text`. */
const lineAt = (text: string, offset: number) => text.slice(0, offset).split("\n").length;

/** One parser error as a slip; a duplicated key says where the key first appears in its map. */
function slipOf(e: YAMLError, doc: Document, text: string): YamlSlip {
  let at = e.linePos?.[0] ?? { line: 1, col: 1 };
  let endLine = Math.max(at.line, e.linePos?.[1]?.line ?? at.line);
  // The reason alone: eemeli/yaml's message goes on with the line (a secret's value among them),
  // and some reasons quote a piece of it (model/yamlText.ts yamlReason).
  let reason = yamlReason(e.message.split(" at line ")[0].split("\n")[0]);
  let movesNothing: true | undefined;
  if (e.code === "DUPLICATE_KEY") {
    const first = firstOccurrence(doc, e.pos[0]);
    if (first) {
      // The parser keeps the later value: the same as the first, the key holds what was meant.
      if (first.same) movesNothing = true;
      reason += `: ${JSON.stringify(first.name)} is already a key at line ${lineAt(text, first.offset)}`;
      // At the repeated key itself: after a key with an empty value the parser places the error at
      // that value's end, on the line before.
      at = { line: lineAt(text, first.dup), col: first.dup - text.lastIndexOf("\n", first.dup - 1) };
      endLine = at.line;
    }
  }
  // A key indented less than its siblings inside a list item reads to the parser as an item of the
  // list without its `-` (resolve-block-seq.js): the slip BAD_INDENT names elsewhere, told as one.
  const code = e.code === "MISSING_CHAR" && reason === SEQ_ITEM_WITHOUT_DASH ? "BAD_INDENT" : e.code;
  return { line: at.line, column: at.col, endLine, reason, code, ...(movesNothing ? { movesNothing } : {}) };
}

/** eemeli/yaml v2's reason for a line at a list's column that does not start with `-`. */
const SEQ_ITEM_WITHOUT_DASH = "Sequence item without - indicator";

/** A line that holds more than blanks or a comment. */
const holdsContent = (l: string) => l.trim() !== "" && !l.trim().startsWith("#");

/** The key a line writes (`  homelab-observability:loki:`, `    - name: a`), unquoted, if any. */
const keyWritten = (l: string) =>
  /^[ \t]*(?:-[ \t]+)?("[^"]*"|'[^']*'|[^\s#:"'][^#]*?):(?:[ \t]|$)/
    .exec(l)?.[1]
    .replace(/^(["'])(.*)\1$/, "$2");

/**
 * The config keys (the project's, without its namespace) a slip that may move a key leaves unsure:
 * each config key written on its lines (an over-indented `phase:` may be the config key the parser
 * hid), and the key under `config:` each line belongs to by its indentation (a key
 * moved in or out of a map changes what that map holds; a key repeated with another value, of
 * which the parser keeps only the later, leaves what holds it unsure: the rules that read it judged
 * a value the file may not mean). A key repeated with its value moves nothing: never asked.
 * `lines` are the file's as its value is judged, each tab in the indentation read as spaces
 * (yamlDocument.ts parsedAsMeant): a tab's line belongs to the key that reading places it under
 * (a tab counted as one column put `\treplicas: 2` below `loki`'s keys at config's level, a key of
 * its own), and to the key holding the line above it, where its depth, guessed from its
 * neighbours, may have taken it from.
 */
export function slipKeys(slip: YamlSlip, lines: string[], project: string): string[] {
  const indent = (l: string) => /^[ \t]*/.exec(l)![0].length;
  const bare = (k: string) => (k.startsWith(`${project}:`) ? k.slice(project.length + 1) : k);
  const config = lines.findIndex((l) => /^config:[ \t]*(?:#.*)?$/.test(l));
  const child = lines.slice(config + 1).find(holdsContent);
  const keys = new Set<string>();
  /** The key under `config:` holding the 1-based line `n`, by its indentation. */
  const holder = (n: number) => {
    if (config < 0 || child === undefined || n - 1 <= config) return undefined;
    let m = n - 1;
    while (m > config && (!holdsContent(lines[m]) || indent(lines[m]) > indent(child))) m--;
    const top = m > config ? keyWritten(lines[m]) : undefined;
    return top === undefined ? undefined : bare(top);
  };
  const { from, to } = slipLines(slip);
  if (slip.code === TAB_AS_INDENT) {
    let above = from - 1;
    while (above > 0 && !holdsContent(lines[above - 1])) above--;
    const top = above > 0 ? holder(above) : undefined;
    if (top !== undefined) keys.add(top);
  }
  for (let n = from; n <= Math.min(to, lines.length); n++) {
    if (!holdsContent(lines[n - 1])) continue;
    const own = keyWritten(lines[n - 1]);
    if (own !== undefined && bare(own) in rawSchema.shape) keys.add(bare(own));
    const top = holder(n);
    if (top !== undefined) keys.add(top);
  }
  return [...keys];
}

/**
 * The config keys (the project's, without its namespace) written at the column of `config:`'s
 * keys that the parser does not hold there (`held`, bare names), each with its 1-based line: a slip above moved each into
 * another key's value (eemeli/yaml v2 reads an over-indented key after `profile: lightweight` as
 * part of a key of `profile`'s map, and every key below it at `config:`'s column as that map's
 * too), so each is unsure, not missing. `lines` as for {@link slipKeys}.
 */
export function keysHiddenBySlips(
  lines: string[],
  project: string,
  held: ReadonlySet<string>,
): { key: string; line: number }[] {
  const indent = (l: string) => /^[ \t]*/.exec(l)![0].length;
  const bare = (k: string) => (k.startsWith(`${project}:`) ? k.slice(project.length + 1) : k);
  const config = lines.findIndex((l) => /^config:[ \t]*(?:#.*)?$/.test(l));
  const child = lines.slice(config + 1).find(holdsContent);
  if (config < 0 || child === undefined) return [];
  const keys = new Map<string, number>();
  for (let n = config + 1; n < lines.length; n++) {
    const l = lines[n];
    if (!holdsContent(l)) continue;
    if (indent(l) < indent(child)) break;
    const own = indent(l) === indent(child) ? keyWritten(l) : undefined;
    if (own !== undefined && bare(own) in rawSchema.shape && !held.has(bare(own)) && !keys.has(bare(own)))
      keys.set(bare(own), n + 1);
  }
  return [...keys].map(([key, line]) => ({ key, line }));
}

/** Codes of the errors one indentation slip raises together: as many messages, one mistake. */
const SLIP_FAMILY = new Set([...INDENT_CODES, "MULTILINE_IMPLICIT_KEY"]);

/** The most telling of one slip's errors first: a tab, then a column off, then a key under a value. */
const TELLING = [TAB_AS_INDENT, "BAD_INDENT", "BLOCK_AS_IMPLICIT_KEY", "MULTILINE_IMPLICIT_KEY"];

/**
 * The parser's errors as one slip per mistake: eemeli/yaml v2 reports one indentation slip as
 * several errors on the same or the next line (an over-indented key as BLOCK_AS_IMPLICIT_KEY and
 * MULTILINE_IMPLICIT_KEY; a tab as those and TAB_AS_INDENT; a key indented less, then the next one
 * more, as BAD_INDENT and both; a key indented less in a list item as "Sequence item without -
 * indicator", then the next key as BAD_INDENT, past a comment line too). Those whose lines meet or
 * follow with only blank and comment lines between are one slip spanning all their lines, told by
 * its most telling error and placed where the indentation goes wrong ({@link slipAt}).
 */
function oneSlipEach(slips: YamlSlip[], lines: string[]): YamlSlip[] {
  const groups: YamlSlip[][] = [];
  for (const s of slips) {
    const last = groups[groups.length - 1];
    // A slip reaches the next key line, past blank and comment lines: after a key indented less,
    // eemeli/yaml v2 may report that next key, at its siblings' column, as a column off too.
    const reach = (g: YamlSlip[]) => {
      const end = Math.max(...g.map((x) => x.endLine ?? x.line));
      return Math.max(end, keyLine(lines, end + 1, lines.length)?.line ?? end);
    };
    const joins =
      last !== undefined &&
      SLIP_FAMILY.has(s.code ?? "") &&
      last.every((x) => SLIP_FAMILY.has(x.code ?? "")) &&
      s.line <= reach(last);
    if (joins) last.push(s);
    else groups.push([s]);
  }
  const merged = groups.map((g) => {
    if (g.length === 1 && !SLIP_FAMILY.has(g[0].code ?? "")) return g[0];
    const rank = (x: YamlSlip) => TELLING.indexOf(x.code ?? "");
    const told = [...g].sort((a, b) => rank(a) - rank(b))[0];
    const spanEnd = Math.max(...g.map((x) => x.endLine ?? x.line));
    const { at, reason } = slipAt(told, spanEnd, lines);
    // The span reaches the mistake: a comment line can lie between the parser's place and it.
    return { ...told, at, reason, line: g[0].line, column: g[0].column, endLine: Math.max(spanEnd, at.line) };
  });
  // A key that ends a list its next line goes on with leaves the parser reading the items after it
  // as keys of their own: it may report one of them ("Implicit map keys need to be followed by map
  // values"), past the reach above when two or more items follow. Those at the list's item column
  // are the same slip.
  const one: YamlSlip[] = [];
  let list: { from: number; column: number; last: number } | undefined;
  for (const s of merged) {
    const head = one[one.length - 1];
    if (head && list && s.line > list.from && s.line <= list.last && s.column === list.column) {
      head.endLine = Math.max(head.endLine ?? head.line, s.endLine ?? s.line);
      continue;
    }
    one.push({ ...s });
    const at = shownAt(s);
    const goes = SLIP_FAMILY.has(s.code ?? "") ? blockGoesOn(lines, at.line) : undefined;
    list = goes && { from: at.line, column: goes.next.column, last: goes.last };
  }
  return one;
}

/**
 * When line `n` ends early a block above it that the next line goes on with (a key written between
 * two items of a list, indented less than they): that next line, the block above and the last line
 * from the next on at its column or deeper, where the block ends for good.
 */
function blockGoesOn(
  lines: string[],
  n: number,
  to = lines.length,
): { next: { line: number; column: number }; block: { from: number; to: number }; last: number } | undefined {
  const next = keyLine(lines, n + 1, to);
  const block = next && blockEnded(lines, n, next.column);
  if (!next || !block) return undefined;
  let last = next.line;
  for (let m = next.line + 1; m <= lines.length; m++)
    if (holdsContent(lines[m - 1])) {
      if (/^[ \t]*/.exec(lines[m - 1])![0].length < next.column - 1) break;
      last = m;
    }
  return { next, block, last };
}

/** The first line from `from` on that holds more than blanks or a comment, and its first column. */
function keyLine(lines: string[], from: number, to: number): { line: number; column: number } | undefined {
  for (let n = from; n <= Math.min(to, lines.length); n++) {
    const column = (lines[n - 1].match(/^[ \t]*/)?.[0].length ?? 0) + 1;
    const rest = lines[n - 1].slice(column - 1);
    if (rest !== "" && !rest.startsWith("#")) return { line: n, column };
  }
  return undefined;
}

/**
 * Where a slip told by `told` is, and its reason. A key under a line that already has its value
 * (BLOCK_AS_IMPLICIT_KEY spanning lines) is reported at that value: the mistake is the first line
 * after it, at its key. An under-indented key (BAD_INDENT) is reported at its line's column 1, or
 * at a comment line above it: the mistake is the key. A tab is at the tab, as reported.
 */
function slipAt(
  told: YamlSlip,
  endLine: number,
  lines: string[],
): { at: { line: number; column: number }; reason: string } {
  if (told.code === "BLOCK_AS_IMPLICIT_KEY" && endLine > told.line) {
    const at = keyLine(lines, told.line + 1, endLine);
    // The deeper line goes on with a block above the key (a list's next item after a key written
    // between two items): the key, indented less than that block, is what ends it there.
    const goes = blockGoesOn(lines, told.line, endLine);
    const key = goes && keyLine(lines, told.line, told.line);
    if (goes && key) {
      const { next, block, last } = goes;
      return {
        at: key,
        reason: `${told.reason}: this line, indented less than lines ${block.from} to ${block.to} above it, ends their block, which line ${next.line} goes on with: indent it as line ${block.to} (to column ${keyLine(lines, block.to, block.to)?.column}) if it belongs to that block, else move it below line ${last}, where the block ends`,
      };
    }
    if (at)
      return {
        at,
        reason: `${told.reason}: this line is indented deeper than line ${told.line}, which already has its value`,
      };
  }
  if (told.code === "BAD_INDENT") {
    const at = keyLine(lines, told.line, lines.length);
    if (at) return { at, reason: told.reason };
  }
  return { at: { line: told.line, column: told.column }, reason: told.reason };
}

/**
 * The lines just above line `n` that are indented deeper than it, when one of them starts at
 * `column` (a line below `n` at that column goes on with them): the block line `n` ends early.
 */
function blockEnded(lines: string[], n: number, column: number): { from: number; to: number } | undefined {
  const indent = (l: string) => /^[ \t]*/.exec(l)![0].length;
  const own = indent(lines[n - 1]);
  let from = n;
  let meets = false;
  for (let m = n - 1; m >= 1; m--) {
    if (!holdsContent(lines[m - 1])) continue;
    if (indent(lines[m - 1]) <= own) break;
    from = m;
    meets ||= indent(lines[m - 1]) === column - 1;
  }
  if (!meets) return undefined;
  const to = [...lines.slice(from - 1, n - 1).keys()]
    .reverse()
    .find((i) => holdsContent(lines[from - 1 + i]));
  return { from, to: from + (to ?? 0) };
}

/**
 * The repeated key the parser reports at `offset` (its own start, or, after a key with an empty
 * value, that value's end: then the first repeated key from there on): its name, its first
 * occurrence's offset and its own.
 */
function firstOccurrence(
  doc: Document,
  offset: number,
): { name: string; offset: number; dup: number; same: boolean } | undefined {
  let found: { name: string; offset: number; dup: number; same: boolean } | undefined;
  // A value as data (an alias read through), to tell a key repeated with the same value.
  const data = (v: unknown) => JSON.stringify(isNode(v) ? v.toJS(doc) : (v ?? null));
  visit(doc, {
    Map(_, map) {
      const keys = map.items.map((p) => p.key as { value?: unknown; range?: number[] } | null);
      keys.forEach((k, i) => {
        const start = k?.range?.[0];
        if (start === undefined || start < offset || (found && found.dup <= start)) return;
        const first = keys.findIndex((x) => x?.value === k!.value);
        if (first < i && keys[first]?.range)
          found = {
            name: String(k!.value),
            offset: keys[first].range[0],
            dup: start,
            same: data(map.items[first].value) === data(map.items[i].value),
          };
      });
      return undefined;
    },
  });
  return found;
}

/**
 * Texts parsed in this process, by text: Pulumi.yaml and the stack file are read again for every
 * stack `synth --all` judges (and for each synthesis a test runs); the same text parses alike.
 */
const parsedTexts = new Map<string, ParsedYamlText>();
const PARSED_KEPT = 64;

/** Reads and parses a YAML file (see {@link parseYamlText}). */
export function readYamlFile(file: string): any {
  return parseYamlText(file, readText(file));
}

// project.json `simpleConfigType`; `object` is accepted from CLI 3.187 (pulumi/pulumi#20132), so
// this project leaves objects untyped and older CLIs read it too.
const SIMPLE_TYPES = ["string", "integer", "boolean", "array", "object"];
const DECLARATION_KEYS = ["type", "items", "description", "secret", "default", "value"];

const isPrimitive = (v: unknown) => typeof v === "string" || typeof v === "boolean" || Number.isInteger(v);

/** project.go `ValidateConfigValue`: does `value` have the declared type? */
export function validConfigValue(type: string, items: ItemsType | undefined, value: unknown): boolean {
  switch (type) {
    case "string":
      return typeof value === "string";
    case "integer":
      // Whole numbers, and text that parses as one (strconv.Atoi).
      return (
        (typeof value === "number" && Number.isInteger(value)) ||
        (typeof value === "string" && /^[+-]?\d+$/.test(value))
      );
    case "boolean":
      return typeof value === "boolean" || value === "true" || value === "false";
    case "object":
      return !!value && typeof value === "object" && !Array.isArray(value);
    default:
      return (
        Array.isArray(value) &&
        !!items &&
        value.every((item) => validConfigValue(items.type, items.items, item))
      );
  }
}

/** project.go `InferFullTypeName`: "array<string>" and the like. */
export function fullTypeName(type: string, items?: ItemsType): string {
  return items ? `array<${fullTypeName(items.type, items.items)}>` : type;
}

const namespacedByProject = (project: string, key: string) =>
  !key.includes(":") || key.startsWith(`${project}:`);

/** Reads Pulumi.yaml and applies `RewriteShorthandConfigValues` and `Project.Validate`. */
export function loadProject(projectDir: string): Project {
  const file = path.join(projectDir, "Pulumi.yaml");
  const doc = readYamlFile(file) ?? {};
  if (!doc.name) throw new CliConfigError("project is missing a 'name' attribute");
  const name = String(doc.name);
  const config: Record<string, ProjectConfigType> = {};
  if (doc.config !== undefined && doc.config !== null && typeof doc.config !== "object") {
    throw new CliConfigError(
      `${shownFile(file)}: config as a directory path is deprecated (use stackConfigDir)`,
    );
  }
  for (const [key, raw] of Object.entries<any>(doc.config ?? {})) {
    let decl: ProjectConfigType;
    if (isPrimitive(raw) || Array.isArray(raw)) {
      decl = namespacedByProject(name, key) ? { default: raw } : { value: raw };
    } else if (raw && typeof raw === "object") {
      const extra = Object.keys(raw).filter((k) => !DECLARATION_KEYS.includes(k));
      if (extra.length) {
        throw new CliConfigError(
          `${shownFile(file)}: config.${key}: additional properties ${extra.map((k) => `'${k}'`).join(", ")} not allowed (project.json configTypeDeclaration)`,
        );
      }
      decl = raw;
    } else {
      throw new CliConfigError(`${shownFile(file)}: config.${key}: expected a value or a type declaration`);
    }
    if (decl.type !== undefined && !SIMPLE_TYPES.includes(decl.type)) {
      throw new CliConfigError(
        `${shownFile(file)}: config.${key}.type: expected one of ${SIMPLE_TYPES.join(", ")}, got ${JSON.stringify(decl.type)}`,
      );
    }
    config[key] = decl;
  }
  // Project.Validate, in its own wording.
  for (const [key, decl] of Object.entries(config)) {
    if (decl.default !== undefined && decl.value !== undefined) {
      throw new CliConfigError(`project config '${key}' cannot have both a 'default' and 'value' attribute`);
    }
    if (namespacedByProject(name, key)) {
      if (decl.type === "array" && !decl.items) {
        throw new CliConfigError(
          `The configuration key '${key}' declares an array but does not specify the underlying type via the 'items' attribute`,
        );
      }
      if (decl.type !== undefined && decl.default !== undefined) {
        if (!validConfigValue(decl.type, decl.items, decl.default)) {
          throw new CliConfigError(
            `The default value specified for configuration key '${key}' is not of the expected type '${fullTypeName(decl.type, decl.items)}'`,
          );
        }
      }
    } else {
      if (decl.type !== undefined) {
        throw new CliConfigError(
          `Configuration key '${key}' is not namespaced by the project and should not define a type`,
        );
      }
      if (decl.default !== undefined) {
        throw new CliConfigError(
          `Configuration key '${key}' is not namespaced by the project and should not define a default value. Did you mean to use the 'value' attribute instead of 'default'?`,
        );
      }
      if (decl.value === undefined) {
        throw new CliConfigError(
          `Configuration key '${key}' is namespaced and must provide an attribute 'value'`,
        );
      }
    }
  }
  return { name, config };
}

/** One stack config value as the CLI holds it: text (JSON for maps and lists), secure or not. */
interface StackValue {
  text: string;
  secure: boolean;
  object: boolean;
  /** Where the value holds plain scalars: [] for a plain scalar value, the paths inside a map or list. */
  plain?: (string | number)[][];
}

/** How the stack file's secrets are encrypted, from its top-level keys. */
export type SecretsProvider = "passphrase" | "kms" | "service";

/** The stack file as `LoadProjectStackBytes` reads it. */
export interface StackFile {
  file: string;
  provider: SecretsProvider;
  values: Map<string, StackValue>;
  /** Keys whose values are `secure:` (or maps holding one). */
  secure: Set<string>;
  /** Every `secure:` value the CLI cannot decrypt, in file order. */
  secureProblems: SecureProblem[];
  /** Every `secure:` value, in file order: offline a placeholder stands in for each. */
  secureValues: SecureValue[];
  /** The file's top-level keys that are no field of a stack file, which the CLI ignores. */
  strayKeys: string[];
  /** The file has a top-level `config:` (without one, a misspelt one may hold every key). */
  hasConfig: boolean;
  /** Why `encryptionsalt` is unusable ({@link encryptionSaltProblem}); the rest is still judged. */
  saltProblem?: string;
  /** The file's YAML slips: the rest is the value the parser still made of it ({@link parseYamlWithSlips}). */
  slips: YamlSlip[];
  /** Why the file, or its `config:`, is no map (then it holds no key): {@link stackFileShapeProblem}. */
  shapeProblem?: string;
  /** Keys written twice under `config:`, namespaced and bare ({@link keySetTwiceProblem}). */
  setTwice: SetTwice<StackValue>[];
  /** Maps with two or more merge keys ({@link mergeKeysProblem}). */
  mergeKeys: MergeKeysInOneMap[];
  /** Keys under `config:` that hold an anchor used elsewhere ({@link anchorHolderProblem}). */
  anchorHolders: AnchorHolder[];
  /** The first line of a second YAML document, which the CLI ignores ({@link laterDocumentProblem}). */
  laterDocument?: number;
}

/**
 * A key written both namespaced and bare under `config:` ({@link keySetTwiceProblem}): the CLI
 * keeps either value, so each is judged, at its own line.
 */
export interface SetTwice<V> {
  /** The key, `project:key`. */
  key: string;
  /** Its two spellings as written (`project:key`, `key`), in file order. */
  spellings: [string, string];
  /** The value written first: the stack's values hold the later one. */
  first: V;
}

/**
 * The top-level keys of a stack file (workspace/project.go `ProjectStack`: secretsprovider,
 * encryptedkey, encryptionsalt, config, environment). `LoadProjectStackBytes` (loaders.go)
 * unmarshals into that struct and drops any other key without a word.
 */
export const STACK_FILE_KEYS = ["secretsprovider", "encryptedkey", "encryptionsalt", "config", "environment"];

/**
 * A stack file's top-level key the CLI ignores, as a problem: a config key written at the top
 * (not under `config:`) is named as one; any other key gets the stack-file key it likely meant.
 */
export function strayKeyProblem(key: string, project: string): string {
  if (key.startsWith(`${project}:`))
    return `${key}: unknown key at the top of the stack file, where the Pulumi CLI ignores it; did you mean "${key}"? (indent it under \`config:\`)`;
  return `${key}: unknown key of a stack file, which the Pulumi CLI ignores (so nothing under it is set)${didYouMean(key, STACK_FILE_KEYS)}; a stack file holds ${STACK_FILE_KEYS.join(", ")}`;
}

const B64 = /^[A-Za-z0-9+/]+={0,2}$/;
const b64Bytes = (s: string) => (B64.test(s) && s.length % 4 === 0 ? Buffer.from(s, "base64").length : -1);

/**
 * Why the CLI cannot decrypt a `secure:` value with the stack's provider, or undefined when its
 * form is right. Never includes the value.
 */
export function ciphertextProblem(ciphertext: string, provider: SecretsProvider): string | undefined {
  // Nothing after `secure:` is no ciphertext of any form; "not base64" would send its reader to
  // look for a character that is not there.
  if (ciphertext.trim() === "") return "is empty (no ciphertext after `secure:`)";
  if (provider === "service") {
    return b64Bytes(ciphertext) > 0 && !ciphertext.startsWith("v1:")
      ? undefined
      : "is not Pulumi Cloud ciphertext (base64), and the stack file has no encryptionsalt (passphrase) or secretsprovider/encryptedkey";
  }
  const parts = ciphertext.split(":");
  // AES-256-GCM: a 12-byte nonce; the ciphertext carries at least the 16-byte tag.
  if (parts.length !== 3 || parts[0] !== "v1" || b64Bytes(parts[1]) !== 12 || b64Bytes(parts[2]) < 16) {
    return `is not ${provider} ciphertext of the form v1:<base64 12-byte nonce>:<base64 ciphertext> (crypt.go symmetricCrypter)`;
  }
  return undefined;
}

/** The whole value is ciphertext (`key: {secure: ...}`), as opposed to a map that holds some. */
class TopLevelSecret {
  constructor(readonly ciphertext: string) {}
}

/** Where a `secure:` value is in the stack file. */
export interface SecureValue {
  /** The config key (`project:key`). */
  key: string;
  /** Where under the key: [] for the whole value, map keys and list indexes below it. */
  path: (string | number)[];
}

/** A `secure:` value the CLI cannot decrypt: where it is and why (never its value). */
export interface SecureProblem extends SecureValue {
  problem: string;
  /** The key as written (`key` or `project:key`): a key set twice has a value under each. */
  spelling?: string;
}

function toStackValue(
  key: string,
  v: unknown,
  provider: SecretsProvider,
  problems: SecureProblem[],
  found: SecureValue[],
  spelling?: string,
): StackValue {
  let secure = false;
  // object.go unmarshalObject: a one-key map {secure: <string>} is ciphertext; anything else is data.
  const walk = (x: any, at: (string | number)[]): any => {
    if (x && typeof x === "object" && !Array.isArray(x)) {
      const keys = Object.keys(x);
      if (keys.length === 1 && keys[0] === "secure" && typeof x.secure === "string") {
        secure = true;
        found.push({ key, path: at });
        const problem = ciphertextProblem(x.secure, provider);
        if (problem) problems.push({ key, path: at, problem, spelling });
        // Offline nothing is decrypted: a placeholder text stands in (inside maps too).
        return at.length === 0 ? new TopLevelSecret(x.secure) : secretPlaceholder(propertyPath(key, at));
      }
      return Object.fromEntries(keys.map((k) => [k, walk(x[k], [...at, k])]));
    }
    if (Array.isArray(x)) return x.map((e, i) => walk(e, [...at, i]));
    if (x !== null && x !== undefined) plain.push(at);
    return x;
  };
  const plain: (string | number)[][] = [];
  const value = walk(v, []);
  if (value instanceof TopLevelSecret) return { text: value.ciphertext, secure: true, object: false };
  if (typeof value === "string") return { text: value, secure: false, object: false, plain };
  if (typeof value === "boolean" || typeof value === "number") {
    return { text: JSON.stringify(value), secure: false, object: false, plain };
  }
  return { text: JSON.stringify(value ?? null), secure, object: true, plain };
}

/**
 * The refusal of a stack without its file, one wording for every tool (synth and verify lead it
 * with their name and `--stack <name>`): the file and folder looked in, the stack a typo most likely
 * meant, and on a line of its own the stacks the folder has, the choices.
 */
export function noStackFileMessage(stack: string, projectDir: string, stacks: string[]): string {
  // The stack file's name given for the stack's (`--stack Pulumi.pi.yaml`, a path to it): the stack
  // is the name inside it, which no edit distance finds.
  const named = /(?:^|[\\/])Pulumi\.([^\\/]+)\.ya?ml$/.exec(stack)?.[1];
  const hint =
    named !== undefined && stacks.includes(named)
      ? `; did you mean "${named}"? (the stack's name, not its file's)`
      : didYouMean(stack, stacks);
  return (
    `no stack file Pulumi.${stack}.yaml in ${projectDir}${hint}\n` +
    `  stacks there: ${stacks.join(", ") || "none (no Pulumi.<stack>.yaml)"}`
  );
}

/** Reads `Pulumi.<stack>.yaml` as `LoadProjectStackBytes` does and checks every `secure:` value's form. */
export function readStackFile(projectDir: string, project: Project, stack: string): StackFile {
  // Where the CLI reads it: Pulumi.yaml's stackConfigDir, else the project folder.
  const file = stackFilePath(projectDir, stack);
  if (!fs.existsSync(file)) {
    // The stacks there are, and the one a typo most likely meant.
    throw new CliConfigError(noStackFileMessage(stack, path.dirname(file), stackNames(projectDir)), true);
  }
  const text = readText(file);
  const { value, slips, mergeKeys, anchorHolders, laterDocument } = parseYamlWithSlips(file, text);
  // A file, or a `config:`, that is no map holds no key at all: the CLI cannot unmarshal it, and
  // its list indexes or a text's characters read as keys would each be named as an unknown one.
  const shapeProblem = slips.length > 0 ? undefined : stackFileShapeProblem(file, value, project.name);
  const doc = isPlainMap(value) ? value : {};
  const hasConfig = "config" in doc;
  if (!isPlainMap(doc.config)) doc.config = {};
  const provider: SecretsProvider = doc.encryptionsalt
    ? "passphrase"
    : doc.secretsprovider && doc.encryptedkey
      ? "kms"
      : "service";
  const saltProblem = doc.encryptionsalt ? encryptionSaltProblem(String(doc.encryptionsalt)) : undefined;
  const values = new Map<string, StackValue>();
  const secure = new Set<string>();
  const secureProblems: SecureProblem[] = [];
  const secureValues: SecureValue[] = [];
  const setTwice: SetTwice<StackValue>[] = [];
  const spelling = new Map<string, string>();
  for (const [rawKey, v] of Object.entries<unknown>(doc.config ?? {})) {
    const key = rawKey.includes(":") ? rawKey : `${project.name}:${rawKey}`;
    // YAML's duplicate-key check sees two texts; the CLI reads one key (a bare key is the
    // project's) and keeps whichever its map order gives, so the value in effect is a coin toss:
    // the first is kept aside to be judged too.
    const earlier = values.get(key);
    if (earlier) setTwice.push({ key, spellings: [spelling.get(key) ?? key, rawKey], first: earlier });
    spelling.set(key, rawKey);
    if (key.split(":").length > 2 && !/^[^:]+:config:[^:]+$/.test(key)) {
      // A key a slip made (two lines run together) is the slip's to name.
      if (slips.length > 0) throw new YamlFileError(file, slips, text);
      throw new CliConfigError(
        `could not unmarshal map: could not parse ${rawKey} as a configuration key (configuration keys should be of the form \`<namespace>:<name>\`)`,
      );
    }
    const value = toStackValue(key, v, provider, secureProblems, secureValues, rawKey);
    values.set(key, value);
    if (value.secure) secure.add(key);
  }
  const strayKeys = Object.keys(doc).filter((k) => !STACK_FILE_KEYS.includes(k));
  return {
    file,
    provider,
    values,
    secure,
    secureProblems,
    secureValues,
    strayKeys,
    hasConfig,
    saltProblem,
    slips,
    shapeProblem,
    setTwice,
    mergeKeys,
    anchorHolders,
    laterDocument,
  };
}

/**
 * The unknown key that holds an anchor used elsewhere ({@link AnchorHolder}), as one problem: not
 * a misspelt key (a close name would send its writer to move the values into another key), but a
 * holder the Pulumi CLI reads as a key of the program too. The anchor belongs on the first item
 * that uses it, which then holds the values the others reuse. Undefined when `key` (namespaced)
 * holds none.
 */
export function anchorHolderProblem(
  key: string,
  holders: AnchorHolder[],
  project: string,
): string | undefined {
  const h = holders.find((x) => (x.key.includes(":") ? x.key : `${project}:${x.key}`) === key);
  if (!h) return undefined;
  const named = h.users.map(([top, ...rest]) => {
    const k = String(top).includes(":") ? String(top) : `${project}:${String(top)}`;
    const colon = k.indexOf(":");
    return `${k.slice(0, colon + 1)}${propertyPath(k.slice(colon + 1), rest)}`;
  });
  return `${key}: unknown key: it holds the anchor &${h.anchor}, which ${listed(named)} ${named.length > 1 ? "use" : "uses"}, but the Pulumi CLI reads every key under \`config:\` as a key of the program too, and the program has none of this name; put the anchor on the first item that uses it (${named[0]}), then remove this key`;
}

/**
 * A key written both namespaced and bare under `config:`, as a problem; the values are never shown
 * (either may be a secret). Placed at the bare key (locate.ts).
 */
export function keySetTwiceProblem(key: string, project: string, namespacedAt?: string): string {
  const bare = key.slice(project.length + 1);
  // loaders.go `stackConfigNamespacedWithProject` writes each key of `config:` into a new Go map
  // under its namespaced name, ranging over the map YAML gave it: the later write wins, and Go's
  // map order is random, so which value the program gets changes from run to run, unannounced.
  return `${key}: set twice under \`config:\`, as "${key}"${namespacedAt ? ` (${namespacedAt})` : ""} and as "${bare}" here: a key without a namespace is the project's, so both are one key, and the Pulumi CLI keeps one of the two values at random, a run at a time, so each is judged at its own line (the values are not shown); delete one of the two lines`;
}

const isPlainMap = (v: unknown): v is Record<string, any> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** A YAML value's form for a message: never the text itself (a value pasted here may be a secret). */
function formOf(v: unknown): string {
  if (Array.isArray(v))
    return v.length === 0 ? "an empty list" : `a list of ${v.length} item${v.length === 1 ? "" : "s"}`;
  return typeof v === "string" ? "one text value (not shown)" : `the ${typeof v} ${JSON.stringify(v)}`;
}

/**
 * Why a stack file's value (or its `config:`) is not the map a stack file is, or undefined: an
 * empty file or `config:` is none (the CLI reads no key from it, and the required keys say so).
 * A list of one-key maps under `config:` is keys written as list items.
 */
function stackFileShapeProblem(file: string, value: unknown, project: string): string | undefined {
  if (value !== null && value !== undefined && !isPlainMap(value))
    return `${shownFile(file)}: expected a stack file, a map of ${STACK_FILE_KEYS.join(", ")} with the config under \`config:\` (\`config:\` then \`  ${project}:phase: ${FRESH_PHASE}\`), got ${formOf(value)}`;
  const config: unknown = isPlainMap(value) ? value.config : undefined;
  if (config === null || config === undefined || isPlainMap(config)) return undefined;
  const items = Array.isArray(config) && config.length > 0 && config.every(isPlainMap);
  return `config: expected a map of config keys, one \`<key>: <value>\` per line (\`${project}:phase: ${FRESH_PHASE}\`), got ${formOf(config)}${items ? "; remove the `- ` before each key" : ""}`;
}

/** A file's text; one that cannot be read (a folder, no permission, not UTF-8) is a refusal naming why (config/readFile.ts). */
function readText(file: string): string {
  try {
    return readUtf8(file);
  } catch (e) {
    if (e instanceof FileReadError) throw new CliConfigError(e.message);
    throw e;
  }
}

/**
 * Why the CLI cannot use a passphrase stack's `encryptionsalt`, or undefined when its form is
 * right (manager.go symmetricCrypterFromPhraseAndState: v1:<base64 salt>:<the text "pulumi"
 * encrypted as v1:<base64 12-byte nonce>:<base64 ciphertext of at least 16 bytes>>, crypt.go
 * symmetricCrypter). Names the part that is wrong, never the value.
 */
function encryptionSaltProblem(salt: string): string | undefined {
  const [version, saltB64, ...rest] = salt.split(":");
  const [checkVersion, nonce, sealed] = rest;
  const wrong =
    version !== "v1"
      ? `a version ${JSON.stringify(version)}, not v1`
      : b64Bytes(saltB64 ?? "") <= 0
        ? "a salt that is not base64"
        : rest.length !== 3 || checkVersion !== "v1"
          ? `a check of ${rest.length} part${rest.length === 1 ? "" : "s"} where v1:<nonce>:<ciphertext> is three`
          : b64Bytes(nonce) !== 12
            ? `a check whose nonce is ${b64Bytes(nonce) < 0 ? "not base64" : `${b64Bytes(nonce)} bytes, not 12`}`
            : b64Bytes(sealed) < 16
              ? `a check whose ciphertext is ${b64Bytes(sealed) < 0 ? "not base64" : `${b64Bytes(sealed)} bytes, under the 16 of its tag`}`
              : undefined;
  return wrong
    ? `encryptionsalt: expected v1:<base64 salt>:v1:<base64 12-byte nonce>:<base64 ciphertext of at least 16 bytes> (the passphrase's salt and check, as \`pulumi stack init --secrets-provider passphrase\` writes it; restore the line from version control), got ${wrong}`
    : undefined;
}

/** `formatMissingKeys`: 'a', 'b' and 'c' (sorted when more than one). */
function formatMissingKeys(keys: string[]): string {
  if (keys.length === 1) return `'${keys[0]}'`;
  const sorted = [...keys].sort();
  return sorted
    .map((k, i) =>
      i === sorted.length - 1 ? `and '${k}'` : i === sorted.length - 2 ? `'${k}' ` : `'${k}', `,
    )
    .join("");
}

/** Go's sort.Strings: byte order, not locale order. */
const byteOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** One problem the CLI's `mergeConfig` finds; `message` is the CLI's own text for it. */
export interface CliIssue {
  key: string;
  /**
   * `plain`: a secret key in plain text, which the CLI itself passes on (the offline tools refuse
   * it); `shape`: a secret key's value of the wrong form (a map where text is read), which it
   * passes on too.
   */
  kind: "missing" | "unencrypted" | "type" | "secure" | "plain" | "shape";
  /**
   * The problem names the value's form, with the steps that give it its form: a `shape` one, or a
   * `secure` one whose value is of the wrong form too (one message for the key, whose hint makes
   * it right both ways).
   */
  wrongForm?: true;
  /** The declared type (`array<string>`), for a type problem. */
  type?: string;
  /** A `secure` problem's undecryptable value, which a message of its key may say instead (config/judge.ts). */
  unreadable?: SecureProblem;
  /** A `plain` problem's value, which a message of its key may say instead (config/judge.ts). */
  plainText?: PlainSecret;
  /**
   * The key as written whose value has the problem, for a key set twice ({@link SetTwice}): each
   * value is the CLI's at random, so each is judged, and its problem placed at its own line.
   */
  spelling?: string;
  message: string;
}

/**
 * A `secure:` value the CLI cannot decrypt, as a problem line: the key path (with the list
 * indexes and map keys below the key), what the value should be and the command that sets it
 * again without touching the rest of its map ({@link setSecretCommand}). Never the value.
 */
export function secureProblemText(p: SecureProblem, project: string): string {
  const colon = p.key.indexOf(":");
  const name = p.key.slice(colon + 1);
  // Named as the other problems name a key, namespace first: a key whose own name holds dots
  // (`receiverCredentials.team-slack`, set without --path) is `ns:["a.b"]`, which the locator places.
  const head = `${p.key.slice(0, colon + 1)}${propertyPath(name, p.path)}: the secure value ${p.problem}, so the CLI cannot decrypt it (the value is not shown)`;
  // A secret in chart values is refused whatever it decrypts to: Helm keeps a release's values in
  // plain text in its release Secret (`helm get values` shows them), which the pack's
  // no-plaintext-credentials policy refuses (policy/credentials.ts). Set again, it would only be
  // refused there, and the chart itself may refuse it first (grafana's assertNoLeakedSecrets).
  if (p.key === `${project}:chartValues` && p.path.length > 0)
    return `${head}; remove it rather than set it again: a secret in chart values reaches Helm's release Secret in plain text, which the no-plaintext-credentials policy refuses; hand the chart the credential through a Kubernetes Secret it references instead (docs/reference/policies.md)`;
  const ours = p.key.startsWith(`${project}:`);
  // A key nothing reads (`receiverCredentials.team-slack`, a secret map's entry set without
  // --path; a misspelt name) may hold a credential, and set again anywhere under its own name it
  // is read no better: it is removed, and its unknown-key line says where its value goes
  // (config/stackCheck.ts saidOnce keeps that line alone).
  if (ours && !isKnownPath([name]))
    return `${head}; nothing reads ${name}: remove it with \`${removeKeyCommand(p.key, project)}\``;
  // A key the program reads that is no secret is set again in plain text: an encrypted value of it
  // stands offline as a placeholder whose form no check can judge (config/judge.ts), so set again
  // encrypted it would be refused in turn, one run later.
  if (ours && !(SECRET_KEYS as readonly string[]).includes(name)) {
    // A map or a list is no text: set again with one `pulumi config set`, it would be a string.
    const byLeaf = project === PROJECT ? mapValueHint(name, p.path, true) : undefined;
    return `${head}; ${name} is no secret key: ${byLeaf ?? `set it again in plain text with \`${setConfigCommand(p.key, p.path, project, false)}\` (it prompts for the value), whose form the offline tools judge`}`;
  }
  return `${head}; set it again with \`${setSecretCommand(p.key, p.path, project)}\``;
}

/**
 * That a `secure:` value the CLI cannot decrypt, said inside the message of its key when that key
 * has a mistake of its own that removing it mends (config/resolve.ts: a secret nothing reads), so
 * the key gets one line. Never the value.
 */
export function undecryptableFact(p: SecureProblem): string {
  // Another namespace's key keeps it (`kubernetes:context`), as the CLI names it.
  const name = configKeyName(p.key, PROJECT);
  return `${propertyPath(name, p.path)}'s secure value ${p.problem}, so the CLI cannot decrypt it either (the value is not shown)`;
}

/** A secret key's value, or a leaf of it, written in plain text: the key (`project:key`) and where under it. */
export interface PlainSecret {
  key: string;
  path: (string | number)[];
}

/**
 * That a secret key's value is in plain text, said inside the message of its key when that key
 * has a mistake of its own that removing it mends (config/resolve.ts: a secret nothing reads), so
 * the key gets one line (config/plainSecret.ts words it alone). Never the value.
 */
export function plainTextFact(p: PlainSecret): string {
  const name = p.key.slice(p.key.indexOf(":") + 1);
  return `${propertyPath(name, p.path)}'s value is plain text in the stack file, not a secret: not shown, yet anyone who reads the file has it`;
}

/**
 * The steps that make a map-valued secret key (`receiverCredentials`) a map from receiver name to
 * one secret text: `--path` cannot turn a list or one text into a map (config/map.go), and setting
 * the whole key writes one text again, so the key is removed first.
 */
export function secretMapSteps(name: string): string {
  // NAME in words beside it, as NAMESPACE is in the running-state commands: no `<…>` a shell reads
  // as a redirection; the CLI prompts for each value.
  return `\`pulumi config rm ${name}\`, then for each receiver \`pulumi config set --secret --path '${name}.NAME'\` with NAME its name (it prompts for the value)`;
}

/** Whether `v` is a one-key map whose `secure:` holds no text: no ciphertext (object.go isSecureValue). */
const secureHoldingNoText = (v: unknown) =>
  isMap(v) && Object.keys(v).length === 1 && "secure" in v && typeof v.secure !== "string";

/**
 * What a value of the wrong form is, for a message (never the value). A one-key map whose `secure:`
 * holds no text (`secure: 12345`) is no ciphertext to Pulumi (object.go unmarshalObject, as
 * toStackValue reads it): an ordinary map holding whatever it holds, said as that.
 */
const formFound = (v: unknown) => {
  if (v === null || typeof v !== "object") return "a plain value";
  if (Array.isArray(v)) return "a list";
  if (!secureHoldingNoText(v)) return "a map";
  const held = (v as { secure: unknown }).secure;
  const kind = Array.isArray(held)
    ? "a list"
    : held === null
      ? "nothing (null)"
      : typeof held === "object"
        ? "a map"
        : `a ${typeof held}`;
  return `a \`secure:\` entry holding ${kind} where the ciphertext text goes, which Pulumi reads as an ordinary map, not a secret`;
};

/**
 * A secret key's value of the wrong form, each at the place whose form is wrong, with a command
 * that gives it the right one: every secret key is one secret text, but `receiverCredentials`
 * (model/secrets.ts) is a map from receiver name to one secret text each (config/receiverSecrets.ts).
 * A plain `pulumi config set --secret <key>` replaces a whole key whatever it held (config/map.go
 * `Map.Set` without path); `--path` replaces one entry of a map, but cannot turn a list or text
 * into a map, so that needs `pulumi config rm` first. Never the value. A whole-value `secure:`
 * is opaque offline: one secret text, judged only where a map is read; `unreadable` is why the CLI
 * cannot decrypt it either, said in the same line (one mistake, one message, one hint).
 */
function secretShapeProblems(
  key: string,
  v: StackValue,
  project: string,
  unreadable?: string,
): { at: (string | number)[]; message: string }[] {
  const name = key.slice(key.indexOf(":") + 1);
  const notAMap = (found: string) => ({
    at: [],
    message: `${propertyPath(key, [])}: expected a map from receiver name to its secret credential (${secretMapSteps(name)}), got ${found}`,
  });
  if (v.secure && !v.object) {
    if (name !== RECEIVER_CREDENTIALS_KEY) return [];
    return [
      notAMap(
        `one secret value (not shown)${unreadable ? `, which the CLI cannot decrypt either: it ${unreadable}` : ""}`,
      ),
    ];
  }
  const value: unknown = v.object ? JSON.parse(v.text) : v.text;
  const text = (at: (string | number)[]) =>
    `${propertyPath(key, at)}: expected one secret text (\`${setSecretCommand(key, at, project)}\`, which prompts for the value and writes its ciphertext in this one's place), got ${formFound(valueAt(value, at))} (not shown)`;
  if (name !== RECEIVER_CREDENTIALS_KEY) return v.object ? [{ at: [], message: text([]) }] : [];
  // `secure: 12345` as the whole key is a mistaken ciphertext, not a receiver named "secure".
  if (!v.object || Array.isArray(value) || secureHoldingNoText(value))
    return [notAMap(`${formFound(value)} (not shown)`)];
  return Object.entries(value as Record<string, unknown>)
    .filter(([, e]) => e !== null && typeof e === "object")
    .map(([k]) => ({ at: [k], message: text([k]) }));
}

/**
 * `mergeConfig` with validation on: applies the project's defaults to `stackFile`'s values (in
 * place) and returns every problem, in the order the CLI meets them (it stops at the first: all
 * missing keys in one message, else the first unencrypted or mistyped key in sorted order).
 */
export function mergeConfigIssues(stack: string, project: Project, stackFile: StackFile): CliIssue[] {
  const keyOf = (k: string) => (k.includes(":") ? k : `${project.name}:${k}`);
  const keys = Object.keys(project.config).sort(byteOrder);
  const missing: string[] = [];
  for (const k of keys) {
    const decl = project.config[k];
    const key = keyOf(k);
    if (stackFile.values.has(key)) continue;
    const given = decl.default !== undefined ? decl.default : decl.value;
    if (given === undefined) {
      if (key.split(":")[0] === project.name) missing.push(k);
      continue;
    }
    // createConfigValue: string/int/bool as text, anything else as JSON.
    stackFile.values.set(
      key,
      isPrimitive(given)
        ? { text: `${given as string | number | boolean}`, secure: false, object: false }
        : { text: JSON.stringify(given), secure: false, object: true },
    );
  }
  const v = (m: string) => `validating stack config: ${m}`;
  const issues: CliIssue[] = [];
  if (missing.length) {
    const message = v(
      `Stack '${stack}' is missing configuration value${missing.length > 1 ? "s" : ""} ${formatMissingKeys(missing)}`,
    );
    for (const k of [...missing].sort(byteOrder)) issues.push({ key: k, kind: "missing", message });
  }
  for (const k of keys) {
    const decl = project.config[k];
    if (decl.type === undefined) continue;
    const value = stackFile.values.get(keyOf(k));
    if (!value) continue;
    if (decl.secret && !value.secure) {
      issues.push({
        key: k,
        kind: "unencrypted",
        message: v(`Stack '${stack}' with configuration key '${k}' must be encrypted as it's secret`),
      });
      continue;
    }
    // The decrypted text. Offline a secure scalar stays unknown: it is text, so string passes and
    // array/object fail as in the CLI; whether it parses as integer/boolean needs the plaintext.
    const unknownScalar =
      value.secure && !value.object && (decl.type === "integer" || decl.type === "boolean");
    if (unknownScalar) continue;
    const content = value.object ? JSON.parse(value.text) : value.text;
    if (!validConfigValue(decl.type, decl.items, content)) {
      const type = fullTypeName(decl.type, decl.items);
      issues.push({
        key: k,
        kind: "type",
        type,
        message: v(`Stack '${stack}' with configuration key '${k}' must be of type '${type}'`),
      });
    }
  }
  return issues;
}

/** `mergeConfig`: as {@link mergeConfigIssues}, throwing the CLI's own error for the first problem. */
export function mergeConfig(stack: string, project: Project, stackFile: StackFile): void {
  const first = mergeConfigIssues(stack, project, stackFile)[0];
  if (first) throw new CliConfigError(first.message);
}

/** What the program receives: `ns:key` -> text, and which keys are secret. */
export interface RuntimeConfig {
  config: Record<string, string>;
  secretKeys: string[];
}

/** A recognisable stand-in for a secret the synthesis cannot (or need not) decrypt. */
export function secretPlaceholder(key: string): string {
  return `synth-secret-${key.split(":").pop()}`;
}

/**
 * The stack's config as the CLI passes it to the program, after the CLI's checks. Secrets cannot
 * be decrypted offline: each `secure:` value becomes {@link secretPlaceholder}, still secret.
 */
export function cliStackConfig(projectDir: string, stack: string): RuntimeConfig & { file: string } {
  const r = cliStackConfigIssues(projectDir, stack);
  // The CLI reads no config from a file that is not YAML.
  if (r.slips.length > 0) throw new YamlFileError(r.file, r.slips, readText(r.file));
  if (r.shapeProblem) throw new CliConfigError(r.shapeProblem);
  const first = r.issues.find((i) => i.kind !== "plain" && i.kind !== "shape");
  if (first) throw new CliConfigError(first.message);
  return { config: r.config, secretKeys: r.secretKeys, file: r.file };
}

/**
 * The problems of one value of the secret key `name` (`spelling`, its key as written, when the key
 * is set twice): its wrong form and each plain leaf. An undecryptable value of the wrong form too
 * goes to `said.formOfUnreadable`, the `secure:` values inside a wrong form to `said.underWrongForm`.
 */
function secretValueIssues(
  name: string,
  v: StackValue,
  spelling: string | undefined,
  stackFile: StackFile,
  project: string,
  said: { formOfUnreadable: Map<SecureProblem, string>; underWrongForm: Set<SecureProblem> },
): CliIssue[] {
  const key = `${project}:${name}`;
  const issues: CliIssue[] = [];
  const unreadable = stackFile.secureProblems.find(
    (p) => p.key === key && p.path.length === 0 && (!spelling || p.spelling === spelling),
  );
  const shapes = secretShapeProblems(key, v, project, unreadable?.problem);
  for (const s of shapes)
    if (unreadable && s.at.length === 0) said.formOfUnreadable.set(unreadable, s.message);
    else issues.push({ key: name, kind: "shape", wrongForm: true, message: s.message, spelling });
  // A leaf under a value of the wrong form is not named again: the form's own hint replaces it.
  const inside = (at: (string | number)[]) => shapes.some((s) => s.at.every((seg, i) => at[i] === seg));
  for (const p of stackFile.secureProblems)
    if (p.key === key && p.path.length > 0 && inside(p.path) && (!spelling || p.spelling === spelling))
      said.underWrongForm.add(p);
  for (const at of (v.plain ?? []).filter((a) => !inside(a)))
    issues.push({
      key: name,
      kind: "plain",
      plainText: { key, path: at },
      message: plainSecretProblem(propertyPath(key, at), setSecretCommand(key, at, project)),
      spelling,
    });
  return issues;
}

/**
 * The stack's config as {@link cliStackConfig} reads it, with every problem the CLI would find
 * instead of only the first; keys with a problem are left out of `config`, and `found` holds the
 * stack file's own value of each (a secret's as {@link secretPlaceholder}) for messages.
 */
export function cliStackConfigIssues(
  projectDir: string,
  stack: string,
): RuntimeConfig & {
  file: string;
  issues: CliIssue[];
  project: Project;
  found: Record<string, unknown>;
  /** The stack file's top-level keys the CLI ignores. */
  strayKeys: string[];
  /** The stack file has a top-level `config:`. */
  hasConfig: boolean;
  /** The stack file's YAML slips; the rest is judged as the parser still read it. */
  slips: YamlSlip[];
  /** Why the stack file, or its `config:`, is no map: then it is the one problem. */
  shapeProblem?: string;
  /** Keys written both namespaced and bare under `config:`, with the first value as `config` holds a value. */
  setTwice: SetTwice<string>[];
  /** Maps with two or more merge keys. */
  mergeKeys: MergeKeysInOneMap[];
  /** Keys under `config:` that hold an anchor used elsewhere. */
  anchorHolders: AnchorHolder[];
  /** The first line of a second YAML document, which the CLI ignores. */
  laterDocument?: number;
  /** Every `secure:` value, each standing as a placeholder in `config` (the form is unknown offline). */
  secureValues: SecureValue[];
  /** The keys the parsed stack file holds under `config:`, namespaced. */
  written: string[];
} {
  const project = loadProject(projectDir);
  const stackFile = readStackFile(projectDir, project, stack);
  // Before the CLI's merge adds Pulumi.yaml's defaults.
  const written = [...stackFile.values.keys()];
  const issues = mergeConfigIssues(stack, project, stackFile);
  const found: Record<string, unknown> = {};
  for (const i of issues) {
    const key = i.key.includes(":") ? i.key : `${project.name}:${i.key}`;
    const v = stackFile.values.get(key);
    if (v) found[i.key] = v.secure ? secretPlaceholder(key) : v.object ? JSON.parse(v.text) : v.text;
    stackFile.values.delete(key);
  }
  // A secret key's value in plain text (the CLI checks only keys Pulumi.yaml declares secret, and
  // this project declares none: which a stack needs depends on its backend). Each plain leaf is
  // named with the command that encrypts it in place; never the value.
  const unencrypted = new Set(issues.filter((i) => i.kind === "unencrypted").map((i) => i.key));
  // A whole value that is undecryptable and of the wrong form: one line, the form's (its steps set
  // a new value, which mends both), in the place of the undecryptable value's.
  const formOfUnreadable = new Map<SecureProblem, string>();
  // The `secure:` values inside a secret's value of the wrong form: the form's hint sets a new
  // value in their place, which mends them too, so they are not named again.
  const underWrongForm = new Set<SecureProblem>();
  const said = { formOfUnreadable, underWrongForm };
  // A key set twice: either value is the CLI's at random, so the first is judged too, each value's
  // problems placed at its own spelling.
  const twice = new Map(stackFile.setTwice.map((t) => [t.key, t]));
  for (const name of SECRET_KEYS) {
    const key = `${project.name}:${name}`;
    const later = stackFile.values.get(key);
    if (!later || unencrypted.has(name)) continue;
    const t = twice.get(key);
    const values: [StackValue, string | undefined][] = t
      ? [
          [t.first, t.spellings[0]],
          [later, t.spellings[1]],
        ]
      : [[later, undefined]];
    for (const [v, spelling] of values)
      issues.push(...secretValueIssues(name, v, spelling, stackFile, project.name, said));
  }
  // An unusable salt stops the CLI before any value is decrypted (its crypter comes first); the
  // values' own forms are judged all the same, and the config beside them.
  if (stackFile.saltProblem)
    issues.unshift({ key: "encryptionsalt", kind: "secure", message: stackFile.saltProblem });
  // Every undecryptable value, after the CLI's own checks; the key stays (a placeholder stands in),
  // so the rest of the stack is still judged.
  for (const p of stackFile.secureProblems.filter((x) => !underWrongForm.has(x))) {
    const key = p.key.startsWith(`${project.name}:`) ? p.key.slice(project.name.length + 1) : p.key;
    const form = formOfUnreadable.get(p);
    const spelling = twice.has(p.key) ? p.spelling : undefined;
    issues.push(
      form
        ? { key, kind: "secure", wrongForm: true, message: form, spelling }
        : { key, kind: "secure", unreadable: p, message: secureProblemText(p, project.name), spelling },
    );
  }
  // The text the program reads: a placeholder for a whole secure value.
  const text = (key: string, v: StackValue) => (v.secure && !v.object ? secretPlaceholder(key) : v.text);
  const config: Record<string, string> = {};
  for (const [key, v] of stackFile.values) config[key] = text(key, v);
  return {
    config,
    secretKeys: [...stackFile.secure],
    file: stackFile.file,
    issues,
    project,
    found,
    strayKeys: stackFile.strayKeys,
    hasConfig: stackFile.hasConfig,
    slips: stackFile.slips,
    shapeProblem: stackFile.shapeProblem,
    setTwice: stackFile.setTwice.map((t) => ({ ...t, first: text(t.key, t.first) })),
    mergeKeys: stackFile.mergeKeys,
    anchorHolders: stackFile.anchorHolders,
    laterDocument: stackFile.laterDocument,
    secureValues: stackFile.secureValues,
    written,
  };
}
