/*
 * A JSON text the user hands the program (a policy pack configuration, a stack export, a dashboard
 * in a config value) that does not parse: one message, placed and said in words, wherever it is
 * read. V8's own SyntaxError quotes a piece of the text (`Unexpected token 'h', "{"pw": hunter2}"
 * is not valid JSON`), and an export made with `pulumi stack export --show-secrets`, a pack config
 * or a config value may hold a secret: no message here quotes the text, not even one character of
 * a word or number.
 */

/**
 * `<file>:<line>:<column>: expected <expected>, found <what is there>` for a `text` JSON.parse
 * refused: the place where it stops being JSON and what stands there, described (a letter, a
 * comma before }, the file ending inside a string), never quoted.
 */
export function notJsonMessage(file: string, text: string, expected: string): string {
  const at = jsonSyntaxAt(text);
  // JSON.parse reads any depth; the walk (recursive) stops at the stack's. Then only the file is named.
  if (!at) return `${file}: expected ${expected}, found text that is not JSON, nested too deep to say where`;
  return `${file}:${lineColumn(text, at.at)}: expected ${expected}, found ${at.found}`;
}

/** `line:column` of `offset` in `text`, both from 1 (as V8's own `(line 2 column 9)` counts). */
export function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return `${line}:${offset - (before.lastIndexOf("\n") + 1) + 1}`;
}

/**
 * Where a JSON value starts in its text (`at`), and for an object or a list where each member's
 * key and value start. A key given twice is its last one, as JSON.parse takes it.
 */
export interface JsonNode {
  at: number;
  members?: Map<string, { keyAt: number; node: JsonNode }>;
  items?: JsonNode[];
}

/**
 * Thrown by {@link jsonTree} at the offset of the first character that breaks JSON's grammar, with
 * what stands there in words that never quote the text.
 */
export class JsonSyntaxAt extends Error {
  constructor(
    readonly at: number,
    readonly found: string,
  ) {
    super(`not JSON at offset ${at}: ${found}`);
  }
}

/**
 * Where `text`, which JSON.parse refused, stops being JSON; undefined when the walk cannot say
 * (a nesting deeper than its stack: JSON.parse and the walk read the same grammar).
 */
export function jsonSyntaxAt(text: string): JsonSyntaxAt | undefined {
  try {
    jsonTree(text);
  } catch (e) {
    if (e instanceof JsonSyntaxAt) return e;
  }
  return undefined;
}

/** JSON's own punctuation, named as it is: the user's text is never in it. */
const PUNCTUATION: Record<string, string> = {
  ",": "a comma",
  ":": "a colon",
  "{": "a {",
  "}": "a }",
  "[": "a [",
  "]": "a ]",
  '"': "a string",
  "'": "a single quote",
  "-": "a minus sign",
  "+": "a plus sign",
  ".": "a decimal point",
  "\\": "a backslash",
};

/** What the character at `i` is, by its kind: never the character itself but JSON's own punctuation. */
function kindAt(text: string, i: number): string {
  const c = text[i];
  if (/[A-Za-z]/.test(c)) return "a word";
  if (/[0-9]/.test(c)) return "a digit";
  if (c === "/" && (text[i + 1] === "/" || text[i + 1] === "*")) return "a comment (JSON has none)";
  if (c === "#") return "a # comment (JSON has none)";
  if (PUNCTUATION[c]) return PUNCTUATION[c];
  if (/\s/.test(c)) return "a space JSON does not take (only space, tab, line feed and carriage return)";
  const code = c.charCodeAt(0);
  if (code < 0x20 || code === 0x7f) return "a control character";
  if (code > 0x7f) return "a character outside ASCII";
  return "a punctuation mark";
}

/** A control character inside a string, by its name where it has a common one. */
function controlInString(c: string): string {
  if (c === "\n" || c === "\r") return "a line break inside a string (write it as \\n)";
  if (c === "\t") return "a tab inside a string (write it as \\t)";
  return "a control character inside a string (write it as \\u00XX)";
}

/**
 * The offset just past the JSON string whose opening quote is before `start`, or
 * {@link JsonSyntaxAt} where it breaks JSON's rules for one.
 */
function stringEnd(text: string, start: number): number {
  let i = start;
  while (text[i] !== '"') {
    if (i >= text.length) throw new JsonSyntaxAt(i, "the end of the file inside a string");
    if (text.charCodeAt(i) < 0x20) throw new JsonSyntaxAt(i, controlInString(text[i]));
    if (text[i++] !== "\\") continue;
    if (i >= text.length) throw new JsonSyntaxAt(i, "the end of the file inside a string");
    if (text[i] === "u") {
      for (let k = 0; k < 4; k++)
        if (!/[0-9a-fA-F]/.test(text[++i] ?? ""))
          throw new JsonSyntaxAt(i, "a \\u escape without four hexadecimal digits inside a string");
      i++;
    } else if ('"\\/bfnrt'.includes(text[i])) i++;
    else
      throw new JsonSyntaxAt(
        i,
        'a backslash escape JSON does not have inside a string (it has \\" \\\\ \\/ \\b \\f \\n \\r \\t \\u)',
      );
  }
  return i + 1;
}

/**
 * The places of every key and value of a JSON text (ECMA-404, the grammar JSON.parse reads), or
 * {@link JsonSyntaxAt} where it breaks it. A position walk, not a parser: the values are JSON.parse's.
 * Where V8 names a position for a mistake the walk names the same one; a word that is not true,
 * false or null is placed where it starts (V8 names no position for it).
 */
export function jsonTree(text: string): JsonNode {
  let i = 0;
  // The containers open at `i`, innermost last: what the text was inside when it ends early.
  const open: ("an object" | "a list")[] = [];
  // `due`: what the grammar wants at `i`, as "where …" words.
  const fail = (due: string, at = i): never => {
    const hint = text[at] === "'" && !due.includes("double") ? " (JSON strings take double quotes)" : "";
    if (at < text.length) throw new JsonSyntaxAt(at, `${kindAt(text, at)} ${due}${hint}`);
    if (text.trim() === "") throw new JsonSyntaxAt(at, "an empty file (no JSON value)");
    const inside = open.length ? `inside ${open[open.length - 1]}, ` : "";
    throw new JsonSyntaxAt(at, `the end of the file ${inside}${due}`);
  };
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i])) i++;
  };
  const string = (due: string) => {
    if (text[i] !== '"') fail(due);
    i = stringEnd(text, i + 1);
  };
  const digits = () => {
    if (!/[0-9]/.test(text[i] ?? "")) fail("where a digit is due");
    while (/[0-9]/.test(text[i] ?? "")) i++;
  };
  // Each part where JSON.parse wants it: a digit missing is placed where it is due (`1.` at its end).
  const number = () => {
    if (text[i] === "-") i++;
    if (text[i] === "0") i++;
    else digits();
    if (text[i] === ".") {
      i++;
      digits();
    }
    if (text[i] !== "e" && text[i] !== "E") return;
    i++;
    if (text[i] === "+" || text[i] === "-") i++;
    digits();
  };
  const VALUE_DUE = "where a value is due";
  const scalar = () => {
    if (text[i] === "-" || /[0-9]/.test(text[i] ?? "")) return number();
    const word = ["true", "false", "null"].find((w) => text.startsWith(w, i));
    if (word) i += word.length;
    else if (/[A-Za-z]/.test(text[i] ?? ""))
      // A bare word (`hunter2`, `tru`, `NaN`) is said as one, at its start, and never shown.
      throw new JsonSyntaxAt(
        i,
        "a word where a value starts (JSON's words are true, false and null; text goes in double quotes)",
      );
    else fail(VALUE_DUE);
  };
  const value = (): JsonNode => {
    ws();
    const at = i;
    if (text[i] === "{") return object(at);
    if (text[i] === "[") return list(at);
    if (text[i] === '"') string(VALUE_DUE);
    else scalar();
    return { at };
  };
  const object = (at: number): JsonNode => {
    const members: JsonNode["members"] = new Map();
    open.push("an object");
    i++;
    ws();
    if (text[i] !== "}") members.set(...member());
    while (text[i] === ",") {
      i++;
      ws();
      if (text[i] === "}")
        throw new JsonSyntaxAt(i, "a comma before } (JSON takes none after the last member)");
      members.set(...member());
    }
    if (text[i] !== "}") fail("where a comma or } is due");
    i++;
    open.pop();
    return { at, members };
  };
  // A key given twice is set twice: the last one stays, as JSON.parse keeps it.
  const member = (): [string, { keyAt: number; node: JsonNode }] => {
    ws();
    const keyAt = i;
    string("where a key (a string in double quotes) is due");
    const key = JSON.parse(text.slice(keyAt, i)) as string;
    ws();
    if (text[i] !== ":") fail("where a colon is due");
    i++;
    const node = value();
    ws();
    return [key, { keyAt, node }];
  };
  const list = (at: number): JsonNode => {
    const items: JsonNode[] = [];
    open.push("a list");
    i++;
    ws();
    if (text[i] !== "]") items.push(value());
    ws();
    while (text[i] === ",") {
      i++;
      ws();
      if (text[i] === "]")
        throw new JsonSyntaxAt(i, "a comma before ] (JSON takes none after the last item)");
      items.push(value());
      ws();
    }
    if (text[i] !== "]") fail("where a comma or ] is due");
    i++;
    open.pop();
    return { at, items };
  };
  const root = value();
  ws();
  if (i < text.length) fail("after the JSON value has ended");
  return root;
}
