/*
 * A YAML text the user hands the program (a stack file, a kubeconfig, the running folder of a
 * takeover, an engine's or Alertmanager's config written in the stack config) that does not
 * parse: the place, what was expected and the parser's reason, with the file's lines shown only
 * as far as they hold no secret. Both parsers quote the text when they refuse it: eemeli/yaml v2
 * (2.9.1, dist/errors.js `prettifyError`, on by default) adds the line of the mistake, and the one
 * above when the mistake is at its start, under the message; js-yaml (4.3.2, lib/loader.js
 * `generateError`, lib/snippet.js) adds the three lines above and the two below. Some of their
 * reasons quote a piece of the line too (below). A values file of `helm get values --all`, a
 * kubeconfig or an Alertmanager config holds credentials on the very lines a mistake sits on.
 */
import { parse, type DocumentOptions, type ParseOptions, type SchemaOptions, type ToJSOptions } from "yaml";
import {
  CREDENTIAL_NAME,
  SECRET_KEYS,
  credentialKey,
  secretKeyMeant,
  withoutQueryCredentials,
} from "./secrets";

/**
 * eemeli/yaml v2 `parse` for a user's text, its warnings unsaid: at its default log level `parse`
 * hands each warning (an unknown tag: `password: !secret x`) to `process.emitWarning`
 * (dist/public-api.js `parse`, dist/log.js `warn`), and Node prints it whole, the line it quotes
 * with it. Errors are thrown as before (for {@link notYamlMessage}).
 */
export function parseUserYaml(
  text: string,
  options: ParseOptions & DocumentOptions & SchemaOptions & ToJSOptions = {},
): any {
  return parse(text, { ...options, logLevel: "error" });
}

/** What stands where a secret's value was. */
export const NOT_SHOWN = "<not shown>";

/**
 * The reasons that carry a piece of the text, as each parser writes them, and the words kept of
 * them. Read, not guessed: yaml 2.9.1 compose/resolve-flow-scalar.js (`Invalid escape sequence
 * ${raw}`: up to the 8 characters after `\U`), compose/resolve-block-scalar.js (the header),
 * compose/compose-scalar.js and compose-collection.js (the tag), doc/directives.js (tags,
 * directives, the version), nodes/Alias.js (the alias), parse/parser.js (a token outside a document), schema/yaml-1.1/omap.js,
 * schema/json/schema.js; js-yaml 4.3.2 lib/loader.js `throwError` calls that append a tag, a
 * handle, an alias or a directive.
 */
const QUOTING_REASONS: [RegExp, string][] = [
  [/^Invalid escape sequence[^]*/, "Invalid escape sequence in a double-quoted string"],
  [/^Block scalar header includes extra characters[^]*/, "Block scalar header includes extra characters"],
  [/^(Unresolved tag|Not a valid tag|Could not resolve tag): [^]*/, "$1"],
  [/^Verbatim tags aren't resolved[^]*/, "Verbatim tags aren't resolved"],
  [/^The [^]* tag has no suffix$/, "A tag has no suffix"],
  [/^(Unsupported YAML version|Unknown directive) [^]*/, "$1"],
  [/^(Ordered maps must not include duplicate keys): [^]*/, "$1"],
  [/^(Unresolved plain scalar) [^]*/, "$1"],
  // parse/parser.js `stream`: each token past a document's end, quoted whole (a password's too).
  [/^(Unexpected [\w-]+ token in YAML stream): [^]*/, "$1"],
  [/^(Unresolved alias \(the anchor must be set before the alias\)): [^]*/, "$1"],
  [/^(tag prefix is malformed|tag name cannot contain such characters|tag name is malformed): [^]*/, "$1"],
  [/^(unidentified alias|undeclared tag handle|unknown document directive) "[^]*"$/, "$1"],
  [/^there is a previously declared suffix for "[^]*" tag handle$/, "a tag handle declared twice"],
  [/!<[^>]*>/g, "!<…>"],
];

/** A parser's reason without the piece of the text it may quote (see {@link QUOTING_REASONS}). */
export function yamlReason(reason: string): string {
  return QUOTING_REASONS.reduce((r, [pattern, kept]) => r.replace(pattern, kept), reason);
}

/** Where a YAML parser stopped (1-based) and why, in words that quote nothing of the text. */
export interface YamlMistake {
  line: number;
  column: number;
  reason: string;
}

/**
 * The place and reason of an error either parser threw; undefined for any other error. eemeli/yaml
 * v2: `YAMLError` with `linePos` (set by `prettifyError`, which `parse` runs) and a message that
 * ends ` at line L, column C` and its excerpt; js-yaml: `YAMLException` with `reason` and a 0-based
 * `mark`.
 */
export function yamlMistake(e: unknown): YamlMistake | undefined {
  if (!(e instanceof Error)) return undefined;
  const x = e as Error & {
    linePos?: { line: number; col: number }[];
    reason?: unknown;
    mark?: { line?: unknown; column?: unknown };
  };
  if (e.name === "YAMLParseError" && x.linePos?.[0]) {
    const { line, col } = x.linePos[0];
    return { line, column: col, reason: yamlReason(e.message.split(" at line ")[0].split("\n")[0]) };
  }
  if (e.name === "YAMLException" && typeof x.reason === "string" && typeof x.mark?.line === "number") {
    const column = typeof x.mark.column === "number" ? x.mark.column : 0;
    return { line: x.mark.line + 1, column: column + 1, reason: yamlReason(x.reason) };
  }
  return undefined;
}

/**
 * `<file>:<line>:<column>: expected <expected>, found text that is not YAML: <reason>`, and with
 * `around` the lines about it as {@link shownYamlLines} shows them, a caret under the column. An
 * error of neither parser names the file alone (its message may quote the text too).
 */
export function notYamlMessage(
  file: string,
  text: string,
  e: unknown,
  expected: string,
  around?: number,
): string {
  const at = yamlMistake(e);
  if (!at) return `${file}: expected ${expected}, found text that is not YAML`;
  const head = `${file}:${at.line}:${at.column}: expected ${expected}, found text that is not YAML: ${at.reason}`;
  if (around === undefined) return head;
  return [head, ...excerpt(shownYamlLines(text), at.line, at.column, around)].join("\n");
}

/** A line's indentation, an optional list dash, and a key (plain or quoted) before `:` and a space or the line's end. */
const KEY_LINE = /^(\s*(?:-\s+)*)("[^"]*"|'[^']*'|[^\s#"'-][^#]*?|-[^\s#][^#]*?)\s*:(?=\s|$)(.*)$/;
/** A list item without a key: `- <value>`. */
const ITEM_LINE = /^(\s*-\s+)(.*)$/;
/**
 * A URL's user info: `scheme://user:password@`, or a user alone, up to the last `@` before the
 * authority ends, as URL reads it (a password may hold an `@`: up to the first, its rest was
 * shown); or `user:password@` whose password holds a `/`, `?` or `#`, which ends a URL's authority
 * early (so it does not parse), up to the last `@` before a space or a quote.
 */
const USER_INFO = /([a-z][a-z0-9+.-]*:\/\/)([^\s/?#"'\\]+|[^\s/?#@"'\\:]*:[^\s"']*)@/gi;
/**
 * A URL's user info holding a space, inside a quoted scalar (`"https://admin:my pass@host"`), where
 * the quotes, not a space, end the value: {@link USER_INFO} stops at the space.
 */
const QUOTED_USER_INFO = /(["'][a-z][a-z0-9+.-]*:\/\/)([^\s/?#"'\\]*\s[^/?#"'\\]*)@/gi;
/**
 * A Go template's field path, as Helm's errors name the value a template read
 * (`at <.Values.loki.storage.s3.secretAccessKey>: nil pointer ...`): dotted names after a leading
 * dot, which no token has (base64 has no dot, a JWT's dots only separate its parts). Without it the
 * path's mixed case and a digit (`s3`) looked like a token, and the message hid the one name that
 * says which value to fix. A name is no token-looking word itself (20 characters or more holding an
 * upper-case and a lower-case letter and a digit, as a JWT's header and signature do): a JWT written
 * after a dot (`.eyJhbGciOiJIUzI1NiJ9.eyJzdWIi….Sfl…`) has a field path's shape and stays hidden.
 */
const FIELD_NAME = String.raw`(?!(?=\w*[A-Z])(?=\w*[a-z])(?=\w*\d)\w{20})[A-Za-z_]\w*`;
const FIELD_PATH = String.raw`\.${FIELD_NAME}(?:\.${FIELD_NAME})+(?![\w+/=.-])`;
/**
 * A token by its look: 20 or more characters of base64, URL-safe base64 or a JWT's dots, holding an
 * upper-case and a lower-case letter and a digit (Pulumi's ciphertext, bearer tokens, access keys).
 * Kubernetes names and hex digests are lower case: they stay; so does a template's field path.
 */
const TOKEN_LOOK = new RegExp(
  String.raw`(?<![\w+/=.-])(?!${FIELD_PATH})(?=[\w+/=.-]*[A-Z])(?=[\w+/=.-]*[a-z])(?=[\w+/=.-]*\d)[\w+/=.-]{20,}`,
  "g",
);

/**
 * Whether a key names a secret: a `secure:` value, a secret config key, a credential's name or a
 * slip of a credential field's ({@link credentialKey}: `bot_tokn`), or where the secret config keys are (`top`: a stack file's `config:` keys) a misspelling of one
 * ({@link secretKeyMeant}: `heartbeatUrll`); deeper, such a name is another key's (`heartbeat`).
 */
function secretKey(name: string, top: boolean): boolean {
  return (
    name === "secure" ||
    (SECRET_KEYS as readonly string[]).includes(name) ||
    credentialKey(name) ||
    (top && secretKeyMeant(name) !== undefined)
  );
}

/** A key line's key is a stack file's config key: namespaced (`project:key`), or at `config:`'s depth. */
const configKeyLine = (key: RegExpExecArray) => /[^:]:[^:]/.test(key[2]) || key[1].length <= 2;

/** A key as written, without its quotes and its namespace (`homelab-observability:pushoverToken`). */
function bareKey(key: string): string {
  const bare = key.replace(/^["']|["']$/g, "");
  return bare.slice(bare.lastIndexOf(":") + 1);
}

/** A login in a URL: a password, or a user alone that is a token. */
const loginHolds = (info: string) => info.includes(":") || new RegExp(TOKEN_LOOK.source).test(info);

/**
 * A key and its value in a flow collection (`{username: admin, password: …}`, `[token: …]`, or a
 * multi-line flow map's `, password: …`, JSON's `{"password":"…"}`: a quoted key needs no space
 * after its colon): the opening bracket or comma before it, the key, and a
 * quoted value (its quotes may hold commas and brackets, and may run past the line), a flow
 * sequence, or a plain value up to the next comma or bracket. A nested flow map's value is empty
 * here: its own keys are judged.
 */
const FLOW_PAIR =
  /([{[,]\s*)("[^"]*"|'[^']*'|[^\s{}[\],:#'"][^{}[\],]*?)\s*:(?:(?<=["']\s*:)|(?=\s|$))(\s*)("(?:[^"\\]|\\.)*"?|'(?:[^']|'')*'?|\[[^\]]*\]?|[^,{}[\]]*)/g;
/** A flow pair's value hidden when its key names a secret, or it is `value` beside a credential's `name`. */
function withoutFlowSecrets(line: string): string {
  // An env pair written as a flow map (`- {name: ADMIN_PASSWORD, value: …}`): the name says what
  // the value is. Any such name on the line hides each `value` on it: more hidden, never less.
  const named = [...line.matchAll(FLOW_PAIR)].some(
    (m) => bareKey(m[2]) === "name" && CREDENTIAL_NAME.test(m[4]),
  );
  return line.replace(FLOW_PAIR, (all, before: string, key: string, space: string, value: string) =>
    value.trim() !== "" && (secretKey(bareKey(key), false) || (named && bareKey(key) === "value"))
      ? `${before}${key}:${space}${NOT_SHOWN}`
      : all,
  );
}

/**
 * A line with its flow pairs' secrets, credential-named query parameters, logins and
 * token-looking words hidden.
 */
function withoutLoose(line: string): string {
  return withoutQueryCredentials(withoutFlowSecrets(line), NOT_SHOWN)
    .replace(QUOTED_USER_INFO, (all, scheme: string, info: string) =>
      loginHolds(info) ? `${scheme}${NOT_SHOWN}@` : all,
    )
    .replace(USER_INFO, (all, scheme: string, info: string) =>
      loginHolds(info) ? `${scheme}${NOT_SHOWN}@` : all,
    )
    .replace(TOKEN_LOOK, NOT_SHOWN);
}

/**
 * The lines (0-based) of `value:` keys whose list item's `name:` names a credential: an env
 * variable (`- name: ADMIN_PASSWORD` / `  value: …`), the usual form of a password in Helm values
 * and `helm get values --all`. Read before the lines are shown, as `value:` may come first. A
 * `valueFrom:` is a reference to a Secret and is no `value:`.
 */
function credentialValueLines(lines: string[]): Set<number> {
  const hidden = new Set<number>();
  // The list items open at this line, innermost last: the column of their keys, their `value:`
  // lines and whether their `name:` names a credential.
  const items: { column: number; values: number[]; named: boolean }[] = [];
  const close = () => {
    const item = items.pop()!;
    if (item.named) item.values.forEach((n) => hidden.add(n));
  };
  lines.forEach((line, n) => {
    if (line.trim() === "" || line.trim().startsWith("#")) return;
    const indent = line.match(/^\s*/)![0].length;
    while (items.length > 0 && items[items.length - 1].column > indent) close();
    const key = KEY_LINE.exec(line);
    if (!key) return;
    if (key[1].includes("-")) items.push({ column: key[1].length, values: [], named: false });
    const item = items[items.length - 1];
    if (!item || key[1].length !== item.column) return;
    if (bareKey(key[2]) === "value") item.values.push(n);
    if (bareKey(key[2]) === "name" && CREDENTIAL_NAME.test(key[3])) item.named = true;
  });
  while (items.length > 0) close();
  return hidden;
}

/** A key's line with its value hidden (a key whose value is on the lines below stays as it is). */
const keyOnly = (key: RegExpExecArray) => `${key[1]}${key[2]}:${key[3].trim() === "" ? "" : ` ${NOT_SHOWN}`}`;

/**
 * The lines of a YAML text as a message may show them, read line by line (the text may not parse):
 * the value of a key that names a secret ({@link credentialKey}, the rule config/locate.ts
 * places problems by, a secret config key or a config key misspelling one, `secure:`) is `<not shown>`, and so is each line below
 * it indented deeper that continues it (a block scalar, a value on the next line, a list); under a
 * secret config key (`receiverCredentials`: a map of credentials) every deeper line is. A deeper
 * key under another credential-named key (`secrets:` holds `backend:`) is judged by its own name.
 * An env entry's `value:` whose `name:` names a credential is hidden so too ({@link credentialValueLines}).
 * On any other line, a flow map's credential-named value, a credential-named URL query parameter,
 * a URL's login and a token-looking word are `<not shown>`. Other lines are shown as written: a
 * rule over names and looks, so a secret under a name it does not know is shown.
 */
export function shownYamlLines(text: string): string[] {
  // The secret key whose value the deeper lines below continue, while they do: `child` is the
  // indentation of its first line below; a line less deep than that is no part of it (a slip).
  let hiding: { indent: number; all: boolean; child?: number } | undefined;
  const lines = text.split(/\r?\n/);
  const credentialValues = credentialValueLines(lines);
  return lines.map((line, n) => {
    const indent = line.match(/^\s*/)![0].length;
    if (line.trim() === "") return line;
    if (hiding && indent > hiding.indent && indent >= (hiding.child ?? indent)) hiding.child ??= indent;
    else hiding = undefined;
    // A comment is the file's own note, unless it sits inside a secret's value (a block scalar).
    if (line.trim().startsWith("#") && !hiding?.all) return line;
    const key = KEY_LINE.exec(line);
    if (hiding && (hiding.all || !key)) {
      if (key) return keyOnly(key);
      const item = ITEM_LINE.exec(line);
      return item ? `${item[1]}${NOT_SHOWN}` : `${" ".repeat(indent)}${NOT_SHOWN}`;
    }
    hiding = undefined;
    if (!key || !(secretKey(bareKey(key[2]), configKeyLine(key)) || credentialValues.has(n)))
      return withoutLoose(line);
    hiding = {
      indent: key[1].replace(/-/g, " ").length,
      all:
        key[3].trim() !== "" ||
        (SECRET_KEYS as readonly string[]).includes(bareKey(key[2])) ||
        (configKeyLine(key) && secretKeyMeant(bareKey(key[2])) !== undefined),
    };
    return keyOnly(key);
  });
}

/**
 * A Go string literal as `%q` (strconv.Quote) writes it into an error: Helm's `tpl` quotes the whole
 * template text it failed on this way, on one line (helm/helm v3.17.3, e4da497,
 * pkg/engine/engine.go `tplFun`: `cannot parse template %q`, `error during tpl function execution
 * for %q`), and so a chart's config built from the values (Loki's `structuredConfig`, Vector's
 * `customConfig`, an `extraManifests` entry) reaches stderr whole, every credential in it, whatever
 * line the mistake is on. Go's text/template then says where in that text it stopped
 * (`template: gotpl:36: function "…" not defined`, `template: gotpl:36:38: executing "gotpl" at
 * <…>: …`), and its reason may quote the line: it follows the literal here.
 */
const GO_QUOTED = /"((?:[^"\\\n]|\\.)*)"(?:(: template: [^\s:]+:(\d+)(?::\d+)?: )([^\n]*))?/g;
/** A literal's body of the escapes strconv.Quote writes, and one escape. */
const GO_BODY = /^(?:[^"\\]|\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[abfnrtv\\"]))*$/;
const GO_ESCAPE = /\\(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|([abfnrtv\\"]))/g;
const GO_SIMPLE: Record<string, string> = { a: "\x07", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v" };

/** The text of a Go string literal's body; undefined when it holds an escape strconv.Quote does not write. */
function goUnquoted(body: string): string | undefined {
  if (!GO_BODY.test(body)) return undefined;
  return body.replace(GO_ESCAPE, (_, x?: string, u?: string, U?: string, c?: string) => {
    const hex = x ?? u ?? U;
    return hex !== undefined ? String.fromCodePoint(parseInt(hex, 16)) : (GO_SIMPLE[c!] ?? c!);
  });
}

/**
 * Each Go string literal of `text` with its lines as {@link shownYamlLines} shows them (quoted
 * again, as JSON, when any changed), and the reason of a template error that follows one hidden when
 * the line it points at held a secret.
 */
function shownLiterals(text: string): string {
  return text.replace(
    GO_QUOTED,
    (all, body: string, where: string | undefined, line: string | undefined, reason: string | undefined) => {
      const inner = goUnquoted(body);
      if (inner === undefined) return all;
      const original = inner.split(/\r?\n/);
      const shown = shownYamlLines(inner);
      const quoted = shown.every((l, i) => l === original[i])
        ? `"${body}"`
        : JSON.stringify(shown.join("\n"));
      if (where === undefined) return quoted;
      const n = Number(line) - 1;
      const hidden = n >= 0 && n < shown.length && shown[n] !== original[n];
      return `${quoted}${where}${hidden ? NOT_SHOWN : shownLiterals(reason!)}`;
    },
  );
}

/**
 * What a message may show of a child tool's text (Helm's stderr, kubectl's): the text read as
 * {@link shownYamlLines} reads a file, line by line, and each Go string literal in it read so too
 * (Helm's `tpl` quotes a whole config on one line: {@link GO_QUOTED}); when a template error that
 * follows a literal points at a line of it that held a secret, its reason, which may quote that
 * line, is `<not shown>` too. The rest stays as the tool wrote it, so the message keeps its place,
 * its key and its reason.
 */
export function shownToolText(text: string): string {
  return shownYamlLines(shownLiterals(text)).join("\n");
}

/**
 * Lines `line - around` to `line + around` of a file, each behind a gutter with its number, and a
 * caret under `column` of `line`: the excerpt a YAML slip (config/stackFile.ts YamlFileError), a
 * config problem and {@link notYamlMessage} show.
 */
export function excerpt(
  lines: string[],
  line: number,
  column: number,
  around: number,
  indent = "  ",
): string[] {
  const shown: number[] = [];
  for (let n = line - around; n <= line + around; n++) if (n >= 1 && n <= lines.length) shown.push(n);
  const width = String(shown[shown.length - 1] ?? line).length;
  const gutter = (n: number | string) => `${indent}${String(n).padStart(width)} | `;
  return shown.flatMap((n) => [
    `${gutter(n)}${lines[n - 1]}`,
    ...(n === line ? [`${gutter("")}${" ".repeat(Math.max(0, column - 1))}^`] : []),
  ]);
}
