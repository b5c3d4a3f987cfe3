/**
 * A reader for the part of CUE that Vector's reference files use, so that the project can rebuild
 * its Vector reference data (upstream/refresh/vector.ts) without a CUE binary.
 *
 * Vector's generated reference (`website/cue/reference/**\/generated/*.cue`, written from the Rust
 * config structs) is close to JSON: `package metadata`, then nested fields `label: value` whose
 * labels may be chained (`type: object: options: {`), separated by newlines or commas; values are
 * structs, lists, strings (`"..."` and `"""` multi-line blocks), numbers, `true`, `false`, `null`.
 * A label repeated in one struct unifies: two structs merge, equal literals stay, others conflict.
 *
 * The hand-written component pages use more of CUE (references such as `services.journald`,
 * `a & {...}`, string interpolation, comprehensions). In the lenient mode those parse into an
 * opaque {@link CueExpr} (or are skipped, for comprehensions and pattern constraints) so that the
 * literal fields beside them can still be read; nothing is evaluated.
 */

/** A value that is not a literal: a reference or an expression, kept as its source text. */
export class CueExpr {
  constructor(
    readonly text: string,
    readonly line: number,
  ) {}
}

/** One field of a struct: its value and the line of its label (1-based). */
export interface CueField {
  value: CueValue;
  line: number;
}

/** A struct: its fields in source order. */
export class CueStruct {
  readonly fields = new Map<string, CueField>();
  constructor(readonly line: number) {}
  get(name: string): CueValue | undefined {
    return this.fields.get(name)?.value;
  }
}

export type CueValue = string | number | bigint | boolean | null | CueValue[] | CueStruct | CueExpr;

/** A file: its package name and its top-level struct. */
export interface CueFile {
  package: string | undefined;
  root: CueStruct;
}

export class CueSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${line}:${column}: ${message}`);
  }
}

type TokenKind = "ident" | "string" | "number" | "punct" | "newline" | "eof";
interface Token {
  kind: TokenKind;
  /** The identifier, the punctuation, the number's text, or the decoded string. */
  text: string;
  /** The raw source text of the token. */
  raw: string;
  line: number;
  column: number;
}

const PUNCT = [
  "...",
  "&&",
  "||",
  "==",
  "!=",
  "<=",
  ">=",
  "=~",
  "!~",
  "{",
  "}",
  "[",
  "]",
  "(",
  ")",
  ":",
  ",",
  ".",
  "&",
  "|",
  "*",
  "+",
  "-",
  "/",
  "<",
  ">",
  "!",
  "?",
  "=",
];

/** Decodes the escapes of a CUE string body (`\(` interpolations are kept as written). */
function unescape(body: string, line: number, column: number): string {
  return body.replace(/\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|x[0-9a-fA-F]{2}|.)/gs, (m, e: string) => {
    switch (e[0]) {
      case "n":
        return "\n";
      case "t":
        return "\t";
      case "r":
        return "\r";
      case "b":
        return "\b";
      case "f":
        return "\f";
      case "v":
        return "\v";
      case "a":
        return "\x07";
      case "/":
      case '"':
      case "'":
      case "\\":
        return e;
      case "(":
        return m;
      case "u":
      case "U":
      case "x":
        return String.fromCodePoint(parseInt(e.slice(1), 16));
      default:
        throw new CueSyntaxError(`unknown escape ${m} in a string`, line, column);
    }
  });
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const at = (
    kind: TokenKind,
    value: string,
    raw: string,
    start: number,
    startLine: number,
    startCol: number,
  ) => tokens.push({ kind, text: value, raw, line: startLine, column: startCol });
  while (i < text.length) {
    const c = text[i];
    const col = i - lineStart + 1;
    if (c === "\n") {
      at("newline", "\n", "\n", i, line, col);
      i++;
      line++;
      lineStart = i;
    } else if (c === " " || c === "\t" || c === "\r") i++;
    else if (text.startsWith("//", i)) {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (text.startsWith('"""', i) || text.startsWith('#"""', i) || text.startsWith("'''", i)) {
      // A multi-line string: the text between the line after the opening quotes and the line of
      // the closing ones, each line stripped of the closing line's indentation.
      const raw = text[i] === "#";
      const quote = text.slice(i + (raw ? 1 : 0), i + (raw ? 4 : 3));
      const close = raw ? `${quote}#` : quote;
      const open = i + (raw ? 4 : 3);
      const startLine = line;
      const end = text.indexOf(close, open);
      if (end < 0) throw new CueSyntaxError("unterminated multi-line string", line, col);
      const body = text.slice(open, end);
      const lines = body.split("\n");
      if (lines[0].trim() !== "")
        throw new CueSyntaxError("a multi-line string must start on a new line", line, col);
      const indent = lines[lines.length - 1];
      if (indent.trim() !== "")
        throw new CueSyntaxError("the closing quotes must start their line", line, col);
      const content = lines
        .slice(1, -1)
        .map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l.trimStart()));
      const joined = content.join("\n");
      at(
        "string",
        raw ? joined : unescape(joined, startLine, col),
        text.slice(i, end + close.length),
        i,
        startLine,
        col,
      );
      for (let k = i; k < end + close.length; k++)
        if (text[k] === "\n") {
          line++;
          lineStart = k + 1;
        }
      i = end + close.length;
    } else if (c === '"' || text.startsWith('#"', i)) {
      const raw = c === "#";
      let j = i + (raw ? 2 : 1);
      let body = "";
      for (;;) {
        if (j >= text.length || text[j] === "\n") throw new CueSyntaxError("unterminated string", line, col);
        if (!raw && text[j] === "\\") {
          body += text.slice(j, j + 2);
          j += 2;
          continue;
        }
        if (text[j] === '"' && (!raw || text[j + 1] === "#")) break;
        body += text[j++];
      }
      const end = j + (raw ? 2 : 1);
      at("string", raw ? body : unescape(body, line, col), text.slice(i, end), i, line, col);
      i = end;
    } else if (/[0-9]/.test(c)) {
      const m = /^(0x[0-9a-fA-F_]+|0o[0-7_]+|0b[01_]+|[0-9][0-9_]*(\.[0-9_]+)?([eE][+-]?[0-9]+)?)/.exec(
        text.slice(i, i + 64),
      );
      const num = m![0];
      at("number", num, num, i, line, col);
      i += num.length;
    } else if (/[\p{L}_$#]/u.test(c)) {
      const m = /^[\p{L}_$#][\p{L}\p{N}_$#]*/u.exec(text.slice(i, i + 256));
      at("ident", m![0], m![0], i, line, col);
      i += m![0].length;
    } else {
      const p = PUNCT.find((q) => text.startsWith(q, i));
      if (!p) throw new CueSyntaxError(`unexpected character ${JSON.stringify(c)}`, line, col);
      at("punct", p, p, i, line, col);
      i += p.length;
    }
  }
  tokens.push({ kind: "eof", text: "", raw: "", line, column: i - lineStart + 1 });
  return tokens;
}

function numberValue(t: Token): number | bigint {
  const s = t.text.replace(/_/g, "");
  if (/^[0-9]+$/.test(s)) {
    const n = Number(s);
    // Vector writes i64::MAX and u64 limits as defaults; keep them exact.
    return Number.isSafeInteger(n) ? n : BigInt(s);
  }
  if (/^0[xob]/.test(s)) return Number(s);
  return Number(s);
}

export interface CueParseOptions {
  /**
   * Accept the CUE beyond the generated subset (references, operators, interpolation,
   * comprehensions), keeping such values as {@link CueExpr}. Default: false (an error).
   */
  lenient?: boolean;
}

const BINARY = ["&", "|", "&&", "||", "+", "-", "*", "/", "==", "!=", "<", "<=", ">", ">=", "=~", "!~"];

class Parser {
  private i = 0;
  constructor(
    private readonly t: Token[],
    private readonly lenient: boolean,
  ) {}

  private peek(k = 0): Token {
    return this.t[Math.min(this.i + k, this.t.length - 1)];
  }
  private next(): Token {
    return this.t[this.i++];
  }
  private fail(tok: Token, what: string): never {
    throw new CueSyntaxError(
      `${what}, found ${tok.kind === "eof" ? "the end" : JSON.stringify(tok.raw)}`,
      tok.line,
      tok.column,
    );
  }
  private isPunct(p: string, k = 0): boolean {
    const tok = this.peek(k);
    return tok.kind === "punct" && tok.text === p;
  }
  private expect(p: string): Token {
    if (!this.isPunct(p)) this.fail(this.peek(), `expected ${JSON.stringify(p)}`);
    return this.next();
  }
  private skipNewlines(): void {
    while (this.peek().kind === "newline") this.i++;
  }

  file(): CueFile {
    this.skipNewlines();
    let pkg: string | undefined;
    if (this.peek().kind === "ident" && this.peek().text === "package") {
      this.next();
      const name = this.next();
      if (name.kind !== "ident") this.fail(name, "expected a package name");
      pkg = name.text;
    }
    this.skipNewlines();
    while (this.peek().kind === "ident" && this.peek().text === "import") this.skipLine();
    const root = new CueStruct(1);
    this.fields(root, "eof");
    return { package: pkg, root };
  }

  private skipLine(): void {
    let depth = 0;
    for (;;) {
      const tok = this.peek();
      if (tok.kind === "eof") return;
      if (tok.kind === "punct" && "{[(".includes(tok.text)) depth++;
      if (tok.kind === "punct" && "}])".includes(tok.text)) {
        if (depth === 0) return;
        depth--;
      }
      if (depth === 0 && (tok.kind === "newline" || (tok.kind === "punct" && tok.text === ","))) return;
      this.next();
    }
  }

  /** Fields until `end` (`}` or the end of the file), into `into`. */
  private fields(into: CueStruct, end: "}" | "eof"): void {
    for (;;) {
      this.skipNewlines();
      const tok = this.peek();
      if (end === "eof" ? tok.kind === "eof" : this.isPunct("}")) return;
      if (tok.kind === "eof") this.fail(tok, `expected "}"`);
      this.field(into);
      const sep = this.peek();
      if (sep.kind === "newline" || this.isPunct(",")) this.next();
      else if (!(end === "eof" ? sep.kind === "eof" : this.isPunct("}")))
        this.fail(sep, "expected a new line or a comma after a field");
    }
  }

  private label(): { name: string; line: number } | undefined {
    const tok = this.peek();
    if (tok.kind === "ident" || tok.kind === "string") {
      // A label is followed by ":" (or "?:"/"!:", optional and required markers).
      const after = this.peek(1);
      const marked =
        after.kind === "punct" && (after.text === "?" || after.text === "!") && this.isPunct(":", 2);
      if (this.isPunct(":", 1) || marked) {
        this.next();
        if (marked) this.next();
        return { name: tok.text, line: tok.line };
      }
    }
    return undefined;
  }

  private field(into: CueStruct): void {
    const first = this.label();
    if (!first) {
      const tok = this.peek();
      if (!this.lenient) this.fail(tok, "expected a field label");
      // Comprehensions, pattern constraints (`[string]: T`), `let`, embeddings and `...`: skipped.
      this.skipLine();
      return;
    }
    this.expect(":");
    const path = [first];
    for (;;) {
      this.skipSpaceBeforeValue();
      const more = this.label();
      if (!more) break;
      this.expect(":");
      path.push(more);
    }
    if (this.lenient && this.atPatternLabel()) {
      // `sinks: [Name=string]: {...}`: a constraint on every field, not a field; skipped.
      this.balanced("[", "]");
      this.expect(":");
      this.skipNewlines();
      this.expression();
      return;
    }
    let value = this.expression();
    for (let k = path.length - 1; k > 0; k--) {
      const s = new CueStruct(path[k].line);
      s.fields.set(path[k].name, { value, line: path[k].line });
      value = s;
    }
    this.put(into, path[0].name, { value, line: path[0].line });
  }

  /** A value may start on the line after its label (`value:` then `gauge:` below it). */
  private skipSpaceBeforeValue(): void {
    this.skipNewlines();
  }

  /** At `[`: whether it opens a pattern constraint label (`[Name=string]: {...}`). */
  private atPatternLabel(): boolean {
    if (!this.isPunct("[")) return false;
    const save = this.i;
    this.balanced("[", "]");
    const label = this.isPunct(":");
    this.i = save;
    return label;
  }

  private put(into: CueStruct, name: string, f: CueField): void {
    const had = into.fields.get(name);
    if (!had) {
      into.fields.set(name, f);
      return;
    }
    try {
      into.fields.set(name, { value: unify(had.value, f.value, this.lenient, [name]), line: had.line });
    } catch (e) {
      if (!(e instanceof Conflict)) throw e;
      throw new CueSyntaxError(
        `conflicting values for ${JSON.stringify(e.path.join("."))} (first set at line ${had.line})`,
        f.line,
        1,
      );
    }
  }

  /** A value; in lenient mode an expression of several terms becomes a {@link CueExpr}. */
  private expression(): CueValue {
    const start = this.i;
    const operands = [this.unary()];
    const ops: string[] = [];
    for (;;) {
      const tok = this.peek();
      if (tok.kind === "punct" && BINARY.includes(tok.text)) {
        if (!this.lenient) this.fail(tok, "expected a literal value (an expression is not read)");
        ops.push(this.next().text);
        this.skipNewlines();
        operands.push(this.unary());
      } else break;
    }
    if (ops.length === 0) return operands[0];
    // `components._aws & { title: ... }`: the literal struct's fields are part of the result.
    const structs = operands.filter((o): o is CueStruct => o instanceof CueStruct);
    if (ops.every((o) => o === "&") && structs.length > 0) {
      let merged: CueValue = structs[0];
      for (const s of structs.slice(1)) merged = unify(merged, s, true);
      return merged;
    }
    return new CueExpr(this.textOf(start, this.i), this.t[start].line);
  }

  private textOf(from: number, to: number): string {
    return this.t
      .slice(from, to)
      .map((x) => (x.kind === "newline" ? " " : x.raw))
      .join(" ");
  }

  private unary(): CueValue {
    const tok = this.peek();
    if (tok.kind === "punct" && (tok.text === "-" || tok.text === "+") && this.peek(1).kind === "number") {
      this.next();
      const n = numberValue(this.next());
      return tok.text === "-" ? (typeof n === "bigint" ? -n : -n) : n;
    }
    if (tok.kind === "punct" && ["*", "!", "<", "<=", ">", ">=", "!=", "=~", "!~"].includes(tok.text)) {
      if (!this.lenient) this.fail(tok, "expected a literal value");
      const start = this.i;
      this.next();
      this.unary();
      return new CueExpr(this.textOf(start, this.i), tok.line);
    }
    return this.primary();
  }

  private primary(): CueValue {
    const tok = this.peek();
    if (this.isPunct("{")) {
      this.next();
      const s = new CueStruct(tok.line);
      this.fields(s, "}");
      this.expect("}");
      return s;
    }
    if (this.isPunct("[")) {
      this.next();
      const items: CueValue[] = [];
      for (;;) {
        this.skipNewlines();
        if (this.isPunct("]")) break;
        const head = this.peek();
        if (this.lenient && head.kind === "ident" && (head.text === "for" || head.text === "if")) {
          // A list comprehension (`for k, v in x if c {...}`): skipped up to its closing brace.
          while (!this.isPunct("{"))
            if (this.next().kind === "eof") this.fail(head, "expected a comprehension's body");
          this.balanced("{", "}");
        } else if (this.isPunct("...")) {
          if (!this.lenient) this.fail(this.peek(), "expected a list element");
          this.next();
          if (!this.isPunct("]") && !this.isPunct(",") && this.peek().kind !== "newline") this.unary();
        } else items.push(this.expression());
        this.skipNewlines();
        if (this.isPunct(",")) this.next();
        else if (!this.isPunct("]")) this.fail(this.peek(), `expected "," or "]" in a list`);
      }
      this.expect("]");
      return items;
    }
    if (tok.kind === "string") {
      this.next();
      return tok.text;
    }
    if (tok.kind === "number") {
      this.next();
      return numberValue(tok);
    }
    if (tok.kind === "ident" && ["true", "false", "null"].includes(tok.text)) {
      this.next();
      return tok.text === "true" ? true : tok.text === "false" ? false : null;
    }
    if (this.lenient && (tok.kind === "ident" || this.isPunct("("))) {
      // A reference (`services.journald`, `fields._local_host`), a call, a parenthesised expression.
      const start = this.i;
      if (this.isPunct("(")) this.balanced("(", ")");
      else this.next();
      for (;;) {
        if (this.isPunct(".") && this.peek(1).kind === "ident") this.i += 2;
        else if (this.isPunct("(")) this.balanced("(", ")");
        else if (this.isPunct("[")) this.balanced("[", "]");
        else break;
      }
      return new CueExpr(this.textOf(start, this.i), tok.line);
    }
    this.fail(tok, "expected a value");
  }

  private balanced(open: string, close: string): void {
    let depth = 0;
    do {
      const tok = this.next();
      if (tok.kind === "eof") this.fail(tok, `expected ${JSON.stringify(close)}`);
      if (tok.kind === "punct" && tok.text === open) depth++;
      if (tok.kind === "punct" && tok.text === close) depth--;
    } while (depth > 0);
  }
}

/** CUE's unification for the literal subset: structs merge field by field, equal literals stay. */
function unify(a: CueValue, b: CueValue, lenient: boolean, path: string[] = []): CueValue {
  if (a instanceof CueStruct && b instanceof CueStruct) {
    const s = new CueStruct(a.line);
    for (const [k, f] of a.fields) s.fields.set(k, f);
    for (const [k, f] of b.fields) {
      const had = s.fields.get(k);
      s.fields.set(k, had ? { value: unify(had.value, f.value, lenient, [...path, k]), line: had.line } : f);
    }
    return s;
  }
  if (lenient && (a instanceof CueExpr || b instanceof CueExpr)) return a instanceof CueExpr ? b : a;
  if (
    !(a instanceof CueExpr) &&
    !(b instanceof CueExpr) &&
    JSON.stringify(toPlain(a)) === JSON.stringify(toPlain(b))
  )
    return a;
  throw new Conflict(path);
}

class Conflict extends Error {
  constructor(readonly path: string[]) {
    super(path.join("."));
  }
}

/** Parses one CUE file; throws {@link CueSyntaxError} with the line and column of the first problem. */
export function parseCue(text: string, opts: CueParseOptions = {}): CueFile {
  return new Parser(tokenize(text), opts.lenient ?? false).file();
}

/** The value at a path of labels, or undefined. */
export function cueAt(v: CueValue | undefined, ...path: string[]): CueValue | undefined {
  for (const p of path) {
    if (!(v instanceof CueStruct)) return undefined;
    v = v.get(p);
  }
  return v;
}

/** A value as plain data (structs as objects, big integers as strings, expressions as `{expr}`). */
export function toPlain(v: CueValue): unknown {
  if (v instanceof CueStruct) return Object.fromEntries([...v.fields].map(([k, f]) => [k, toPlain(f.value)]));
  if (v instanceof CueExpr) return { expr: v.text };
  if (Array.isArray(v)) return v.map(toPlain);
  if (typeof v === "bigint") return v.toString();
  return v;
}
