/**
 * Alloy's configuration syntax: a scanner and a parser, so that the project judges every Alloy
 * config it generates without an Alloy binary (none can be had here).
 *
 * Written from Alloy v1.12.0's syntax documentation
 * (grafana/alloy docs/sources/get-started/configuration-syntax/syntax.md: comments, identifiers,
 * attributes, blocks and labels, newline terminators; expressions/operators.md: operators and
 * brackets; expressions/types_and_values.md: literals) and held to the behaviour Alloy's own parser
 * corpus pins (syntax/parser/testdata, test-only data kept outside the repository in
 * HOMELAB_REFERENCE_DIR/alloy-1.12/parser-testdata, default ../shared/reference, and
 * judged in test/upstream/alloySyntax.test.ts). Where the docs are silent (error wording and
 * positions, where a newline inside a comment ends a statement, operator precedence numbers,
 * escape forms) the facts were read in syntax/scanner/scanner.go, syntax/token/token.go and
 * syntax/parser/internal.go at v1.12.0; no code was copied.
 */

/** A place in the text: 0-based UTF-16 offset, 1-based line and column. */
export interface Pos {
  offset: number;
  line: number;
  column: number;
}

/** A problem Alloy's parser would report, at the position it would report it. */
export interface AlloyError {
  pos: Pos;
  message: string;
}

export type Expr =
  | {
      kind: "literal";
      type: "string" | "number" | "float" | "bool" | "null";
      raw: string;
      value: string | number | boolean | null;
      pos: Pos;
    }
  | { kind: "array"; elements: Expr[]; pos: Pos }
  | { kind: "object"; fields: ObjectField[]; pos: Pos }
  | { kind: "identifier"; name: string; pos: Pos }
  | { kind: "access"; value: Expr; name: string; pos: Pos }
  | { kind: "index"; value: Expr; index: Expr; pos: Pos }
  | { kind: "call"; value: Expr; args: Expr[]; pos: Pos }
  | { kind: "unary"; op: "!" | "-"; value: Expr; pos: Pos }
  | { kind: "binary"; op: string; left: Expr; right: Expr; pos: Pos }
  | { kind: "paren"; inner: Expr; pos: Pos };

export interface ObjectField {
  name: string;
  /** Whether the key was written as a string (`"a" = 1`) rather than an identifier. */
  quoted: boolean;
  value: Expr;
  pos: Pos;
}

export interface Attribute {
  kind: "attribute";
  name: string;
  value: Expr;
  pos: Pos;
}

export interface Block {
  kind: "block";
  /** The dotted name, e.g. `remote.kubernetes.secret`. */
  name: string;
  label?: string;
  body: Stmt[];
  pos: Pos;
  labelPos?: Pos;
}

export type Stmt = Attribute | Block;

export interface ParsedAlloy {
  body: Stmt[];
  errors: AlloyError[];
}

/** Token kinds, named as Alloy's messages name them ("expected IDENT, got BOOL"). */
export type TokenKind =
  | "ILLEGAL"
  | "EOF"
  | "COMMENT"
  | "IDENT"
  | "NUMBER"
  | "FLOAT"
  | "STRING"
  | "BOOL"
  | "NULL"
  | "TERMINATOR"
  | "||"
  | "&&"
  | "!"
  | "="
  | "=="
  | "!="
  | "<"
  | "<="
  | ">"
  | ">="
  | "+"
  | "-"
  | "*"
  | "/"
  | "%"
  | "^"
  | "{"
  | "}"
  | "("
  | ")"
  | "["
  | "]"
  | ","
  | ".";

export interface Token {
  kind: TokenKind;
  text: string;
  pos: Pos;
}

const PUNCTUATION = new Set(["+", "-", "*", "%", "^", "{", "}", "(", ")", "[", "]", ",", "."]);
/** After these a newline ends the statement (syntax.md "Terminators": any expression, `]`, `)`, `}`). */
const ENDS_STATEMENT = new Set<TokenKind>([
  "IDENT",
  "NUMBER",
  "FLOAT",
  "STRING",
  "BOOL",
  "NULL",
  "}",
  ")",
  "]",
]);

const isLetter = (c: string) => /^[\p{L}_]$/u.test(c);
const isDigit = (c: string) => c >= "0" && c <= "9";
const isIdentPart = (c: string) => /^[\p{L}\p{Nd}_]$/u.test(c);

/** Whether `s` is an Alloy identifier (syntax.md "Identifiers"): letters, digits, `_`, not starting with a digit. */
export function isIdentifier(s: string): boolean {
  return /^[\p{L}_][\p{L}\p{Nd}_]*$/u.test(s);
}

/** Go's `%#U` form, which Alloy uses for an illegal character: `U+0040 '@'`. */
function codePoint(ch: string): string {
  const cp = ch.codePointAt(0)!;
  return `U+${cp.toString(16).toUpperCase().padStart(4, "0")} '${ch}'`;
}

/**
 * The tokens of an Alloy text, comments included, with the newline terminators Alloy inserts;
 * scanner errors go to `report`.
 */
export function scan(text: string, report: (offset: number, message: string) => void = () => {}): Token[] {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === "\n") lineStarts.push(i + 1);
  const posAt = (offset: number): Pos => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { offset, line: lo + 1, column: offset - lineStarts[lo] + 1 };
  };

  const tokens: Token[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let pendingTerminator = false;
  const push = (kind: TokenKind, start: number, end: number) => {
    tokens.push({ kind, text: text.slice(start, end), pos: posAt(start) });
    pendingTerminator = ENDS_STATEMENT.has(kind) || (kind === "ILLEGAL" && pendingTerminator);
  };

  /** Whether the comment(s) starting at `at` reach the end of the line (or contain a newline). */
  const commentReachesLineEnd = (at: number): boolean => {
    let j = at;
    for (;;) {
      if (text.startsWith("//", j)) return true;
      if (!text.startsWith("/*", j)) return false;
      const close = text.indexOf("*/", j + 2);
      const end = close < 0 ? text.length : close + 2;
      if (text.slice(j, end).includes("\n")) return true;
      j = end;
      while (text[j] === " " || text[j] === "\t" || text[j] === "\r") j++;
      if (j >= text.length || text[j] === "\n") return true;
    }
  };

  const scanEscape = (at: number): number => {
    const c = text[at];
    if (c === undefined) {
      report(at - 1, "escape sequence not terminated");
      return at;
    }
    if ('abfnrtv\\"'.includes(c)) return at + 1;
    let digits: number;
    let base: number;
    let j = at;
    if (c >= "0" && c <= "7") {
      digits = 3;
      base = 8;
    } else if (c === "x" || c === "u" || c === "U") {
      digits = c === "x" ? 2 : c === "u" ? 4 : 8;
      base = 16;
      j++;
    } else {
      report(at - 1, "unknown escape sequence");
      return at;
    }
    let value = 0;
    for (let n = 0; n < digits; n++, j++) {
      const d = j < text.length ? parseInt(text[j], base) : NaN;
      if (Number.isNaN(d)) {
        report(
          at - 1,
          j >= text.length
            ? "escape sequence not terminated"
            : `illegal character ${codePoint(text[j])} in escape sequence`,
        );
        return j;
      }
      value = value * base + d;
    }
    if (
      value > (base === 8 || c === "x" ? 255 : 0x10ffff) ||
      (value >= 0xd800 && value < 0xe000 && base === 16 && c !== "x")
    )
      report(at - 1, "escape sequence is invalid Unicode code point");
    return j;
  };

  while (i <= text.length) {
    const c = text[i];
    if (c === " " || c === "\t" || c === "\r" || (c === "\n" && !pendingTerminator)) {
      i++;
      continue;
    }
    if (i === text.length) {
      if (pendingTerminator) push("TERMINATOR", i, i);
      tokens.push({ kind: "EOF", text: "", pos: posAt(i) });
      break;
    }
    const start = i;
    if (c === "\n") {
      push("TERMINATOR", start, start + 1);
      i++;
      continue;
    }
    if (isLetter(c)) {
      while (i < text.length && isIdentPart(text[i])) i++;
      const word = text.slice(start, i);
      push(word === "true" || word === "false" ? "BOOL" : word === "null" ? "NULL" : "IDENT", start, i);
      continue;
    }
    if (isDigit(c) || (c === "." && isDigit(text[i + 1] ?? ""))) {
      let kind: TokenKind = "NUMBER";
      while (isDigit(text[i] ?? "")) i++;
      if (text[i] === ".") {
        kind = "FLOAT";
        i++;
        while (isDigit(text[i] ?? "")) i++;
      }
      if (text[i] === "e" || text[i] === "E") {
        kind = "FLOAT";
        i++;
        if (text[i] === "+" || text[i] === "-") i++;
        const digitsAt = i;
        while (isDigit(text[i] ?? "")) i++;
        if (i === digitsAt) report(start, "exponent has no digits");
      }
      push(kind, start, i);
      continue;
    }
    if (c === '"' || c === "'" || c === "`") {
      if (c === "'") report(start, "illegal single-quoted string; use double quotes");
      i++;
      for (;;) {
        const d = text[i];
        if (d === undefined || (c !== "`" && d === "\n")) {
          report(start, "string literal not terminated");
          break;
        }
        i++;
        if (d === c) break;
        if (d === "\\" && c !== "`") i = scanEscape(i);
      }
      push(c === "'" ? "ILLEGAL" : "STRING", start, i);
      continue;
    }
    if (c === "/" && (text[i + 1] === "/" || text[i + 1] === "*")) {
      if (pendingTerminator && commentReachesLineEnd(i)) {
        // The newline that ends the statement is inside or after the comment: the statement ends here.
        push("TERMINATOR", start, start);
        continue;
      }
      if (text[i + 1] === "/") {
        const nl = text.indexOf("\n", i);
        i = nl < 0 ? text.length : nl;
      } else {
        const close = text.indexOf("*/", i + 2);
        if (close < 0) report(start, "comment not terminated");
        i = close < 0 ? text.length : close + 2;
      }
      tokens.push({ kind: "COMMENT", text: text.slice(start, i), pos: posAt(start) });
      continue;
    }
    const two = text.slice(i, i + 2);
    if (["||", "&&", "!=", "==", "<=", ">="].includes(two)) {
      i += 2;
      push(two as TokenKind, start, i);
      continue;
    }
    if (c === "|" || c === "&") {
      report(start + 1, `missing second ${c} in ${c}${c}`);
      i++;
      push(c === "|" ? "||" : "&&", start, i);
      continue;
    }
    if ("!=<>/".includes(c) || PUNCTUATION.has(c)) {
      i++;
      push(c as TokenKind, start, i);
      continue;
    }
    const ch = String.fromCodePoint(text.codePointAt(i)!);
    i += ch.length;
    report(start, `illegal character ${codePoint(ch)}`);
    push("ILLEGAL", start, i);
  }
  return tokens;
}

/** The value of a string literal: escapes decoded for `"..."`, verbatim for a raw `` `...` ``. */
export function stringValue(raw: string): string {
  if (raw.startsWith("`")) return raw.slice(1, raw.endsWith("`") && raw.length > 1 ? -1 : undefined);
  const body = raw.slice(1, raw.length > 1 && raw.endsWith('"') ? -1 : undefined);
  const simple: Record<string, string> = {
    a: "\x07",
    b: "\b",
    f: "\f",
    n: "\n",
    r: "\r",
    t: "\t",
    v: "\v",
    "\\": "\\",
    '"': '"',
  };
  return body.replace(
    /\\(?:([abfnrtv\\"])|([0-7]{3})|x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8}))/g,
    (_m, s, o, x, u, U) => {
      if (s) return simple[s];
      if (o) return String.fromCharCode(parseInt(o, 8));
      if (x) return String.fromCharCode(parseInt(x, 16));
      const cp = parseInt(u ?? U, 16);
      return cp <= 0x10ffff ? String.fromCodePoint(cp) : "\ufffd";
    },
  );
}

/** Binding strength of each binary operator (operators.md; lowest first, `^` binds right to left). */
const PRECEDENCE: Record<string, number> = {
  "||": 1,
  "&&": 2,
  "==": 3,
  "!=": 3,
  "<": 3,
  "<=": 3,
  ">": 3,
  ">=": 3,
  "+": 4,
  "-": 4,
  "*": 5,
  "/": 5,
  "%": 5,
};

class Parser {
  private readonly tokens: Token[];
  private at = 0;
  readonly errors: AlloyError[] = [];
  private lastErrorLine = -1;

  constructor(text: string) {
    const scanned: Token[] = [];
    const errs: AlloyError[] = [];
    const all = scan(text, (offset, message) => errs.push({ pos: posOf(text, offset), message }));
    for (const t of all) if (t.kind !== "COMMENT") scanned.push(t);
    this.tokens = scanned;
    this.errors.push(...errs);
  }

  private get tok(): Token {
    return this.current();
  }

  /** The current token's kind; a call, so TypeScript does not keep a narrowed kind across next(). */
  private kind(): TokenKind {
    return this.current().kind;
  }

  private current(): Token {
    return this.tokens[Math.min(this.at, this.tokens.length - 1)];
  }

  private next(): void {
    if (this.at < this.tokens.length - 1) this.at++;
  }

  /** An error at the current token, at most one per line as Alloy reports them. */
  private error(message: string): void {
    const pos = this.tok.pos;
    if (pos.line === this.lastErrorLine) return;
    this.lastErrorLine = pos.line;
    this.errors.push({ pos, message });
  }

  private expect(kind: TokenKind): Token {
    const t = this.tok;
    if (t.kind !== kind) this.error(`expected ${kind}, got ${t.kind}`);
    this.next();
    return t;
  }

  /** Skips to the end of the statement: the next terminator outside any brackets. */
  private skipStatement(): void {
    let depth = 0;
    while (this.kind() !== "EOF") {
      const k = this.kind();
      if (k === "{" || k === "[" || k === "(") depth++;
      else if (k === "}" || k === "]" || k === ")") depth--;
      else if (k === "TERMINATOR" && depth <= 0) return;
      this.next();
    }
  }

  private skipTo(kinds: TokenKind[]): void {
    while (this.kind() !== "EOF" && !kinds.includes(this.kind())) this.next();
  }

  body(until: TokenKind): Stmt[] {
    const out: Stmt[] = [];
    while (this.kind() !== until && this.kind() !== "EOF") {
      const stmt = this.statement();
      if (stmt) out.push(stmt);
      if (this.kind() === until) break;
      if (this.kind() !== "TERMINATOR") {
        this.error(`expected TERMINATOR, got ${this.kind()}`);
        this.skipStatement();
      }
      this.next();
    }
    return out;
  }

  private statement(): Stmt | undefined {
    if (this.kind() !== "IDENT") {
      this.error(`expected identifier, got ${this.kind()}`);
      this.skipTo(["IDENT"]);
      return undefined;
    }
    const pos = this.tok.pos;
    const parts = [this.tok.text];
    this.next();
    while (this.kind() === ".") {
      this.next();
      if (this.kind() !== "IDENT") this.error(`expected identifier, got ${this.kind()}`);
      parts.push(this.tok.text);
      this.next();
    }
    let label: string | undefined;
    let labelPos: Pos | undefined;
    if (this.kind() !== "=" && this.kind() !== "{") {
      if (this.kind() === "STRING") {
        const raw = this.tok.text;
        if (!raw.startsWith('"'))
          this.error(`expected block label to be a double quoted string, but got ${JSON.stringify(raw)}`);
        label = stringValue(raw);
        if (raw.length > 2 && !isIdentifier(label))
          this.error(`expected block label to be a valid identifier, but got ${JSON.stringify(label)}`);
        labelPos = this.tok.pos;
      } else this.error(`expected block label, got ${this.kind()}`);
      this.next();
    }
    const name = parts.join(".");
    if (this.kind() === "=") {
      this.next();
      // Reported where the name or label starts, beside any per-line error (Alloy adds these directly).
      if (parts.length !== 1)
        this.errors.push({
          pos,
          message: `attribute names may only consist of a single identifier with no "."`,
        });
      else if (labelPos) this.errors.push({ pos: labelPos, message: "attribute names may not have labels" });
      return { kind: "attribute", name, value: this.expression(), pos };
    }
    if (this.kind() === "{") {
      this.next();
      const body = this.body("}");
      this.expect("}");
      return { kind: "block", name, label, body, pos, ...(labelPos ? { labelPos } : {}) };
    }
    if (parts.length === 1 && label === undefined)
      this.error(`expected attribute assignment or block body, got ${this.kind()}`);
    else this.error(`expected block body, got ${this.kind()}`);
    this.skipTo(["IDENT"]);
    return undefined;
  }

  expression(minPrecedence = 1): Expr {
    let left = this.power();
    for (;;) {
      const op = this.tok;
      const prec = PRECEDENCE[op.kind];
      if (prec === undefined || prec < minPrecedence) return left;
      this.next();
      const right = this.expression(prec + 1);
      left = { kind: "binary", op: op.kind, left, right, pos: op.pos };
    }
  }

  private power(): Expr {
    const left = this.unary();
    if (this.kind() !== "^") return left;
    const pos = this.tok.pos;
    this.next();
    return { kind: "binary", op: "^", left, right: this.power(), pos };
  }

  private unary(): Expr {
    if (this.kind() === "!" || this.kind() === "-") {
      const { kind, pos } = this.tok;
      this.next();
      return { kind: "unary", op: kind, value: this.unary(), pos } as Expr;
    }
    let value = this.primary();
    for (;;) {
      const k = this.kind();
      if (k === ".") {
        this.next();
        const name = this.expect("IDENT");
        value = { kind: "access", value, name: name.text, pos: name.pos };
      } else if (k === "[") {
        const pos = this.tok.pos;
        this.next();
        const index = this.expression();
        this.expect("]");
        value = { kind: "index", value, index, pos };
      } else if (k === "(") {
        const pos = this.tok.pos;
        this.next();
        const args = this.kind() === ")" ? [] : this.list(")", "expression list", () => this.expression());
        this.expect(")");
        value = { kind: "call", value, args, pos };
      } else if (k === "STRING" || k === "{") {
        // `a.b "label" { ... }` after `=`: a block written where a value belongs.
        if (k === "STRING") this.next();
        if (this.expect("{").kind !== "{") {
          this.skipStatement();
          return value;
        }
        this.body("}");
        if (this.expect("}").kind !== "}") {
          this.skipStatement();
          return value;
        }
        this.errors.push({ pos: startOf(value), message: "cannot use a block as an expression" });
      } else return value;
    }
  }

  private primary(): Expr {
    const t = this.tok;
    switch (t.kind) {
      case "IDENT":
        this.next();
        return { kind: "identifier", name: t.text, pos: t.pos };
      case "STRING":
        this.next();
        return { kind: "literal", type: "string", raw: t.text, value: stringValue(t.text), pos: t.pos };
      case "NUMBER":
      case "FLOAT":
        this.next();
        return {
          kind: "literal",
          type: t.kind === "NUMBER" ? "number" : "float",
          raw: t.text,
          value: Number(t.text),
          pos: t.pos,
        };
      case "BOOL":
        this.next();
        return { kind: "literal", type: "bool", raw: t.text, value: t.text === "true", pos: t.pos };
      case "NULL":
        this.next();
        return { kind: "literal", type: "null", raw: t.text, value: null, pos: t.pos };
      case "(": {
        this.next();
        const inner = this.expression();
        this.expect(")");
        return { kind: "paren", inner, pos: t.pos };
      }
      case "[": {
        this.next();
        const elements =
          this.kind() === "]" ? [] : this.list("]", "expression list", () => this.expression());
        this.expect("]");
        return { kind: "array", elements, pos: t.pos };
      }
      case "{": {
        this.next();
        const fields = this.kind() === "}" ? [] : this.list("}", "field list", () => this.field());
        this.expect("}");
        return { kind: "object", fields, pos: t.pos };
      }
    }
    this.error(`expected expression, got ${t.kind}`);
    this.skipTo(["TERMINATOR", ")", "}", "]", ","]);
    return { kind: "literal", type: "null", raw: "null", value: null, pos: t.pos };
  }

  private list<T>(until: TokenKind, what: string, item: () => T): T[] {
    const out: T[] = [];
    while (this.kind() !== until && this.kind() !== "EOF") {
      out.push(item());
      if (this.kind() === until) break;
      if (this.kind() !== ",") this.error(`missing ',' in ${what}`);
      this.next();
    }
    return out;
  }

  private field(): ObjectField {
    const t = this.tok;
    let name = t.text;
    let quoted = false;
    if (t.kind === "STRING" || t.kind === "IDENT") {
      if (t.kind === "STRING") {
        name = stringValue(t.text);
        quoted = true;
      }
      this.next();
    } else {
      this.error(`expected field name (string or identifier), got ${t.kind}`);
      this.skipTo(["="]);
    }
    this.expect("=");
    return { name, quoted, value: this.expression(), pos: t.pos };
  }
}

function posOf(text: string, offset: number): Pos {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return { offset, line, column: offset - (before.lastIndexOf("\n") + 1) + 1 };
}

/** Where an expression starts (the left-most token), as Alloy reports a block used as a value. */
export function startOf(e: Expr): Pos {
  switch (e.kind) {
    case "access":
    case "index":
    case "call":
      return startOf(e.value);
    case "binary":
      return startOf(e.left);
    default:
      return e.pos;
  }
}

/** Parses an Alloy config; `errors` is empty when Alloy's parser would accept it. */
export function parseAlloy(text: string): ParsedAlloy {
  const p = new Parser(text);
  const body = p.body("EOF");
  const errors = [...p.errors].sort((a, b) => a.pos.offset - b.pos.offset);
  return { body, errors };
}

/** `a.b.c` for an identifier followed by field accesses, else undefined (indexes and calls break the chain). */
export function dottedName(e: Expr): string | undefined {
  if (e.kind === "identifier") return e.name;
  if (e.kind === "access") {
    const head = dottedName(e.value);
    return head === undefined ? undefined : `${head}.${e.name}`;
  }
  return undefined;
}

/** Every block of a body, nested ones included, with the path of block names above it. */
export function* blocksOf(body: Stmt[], above: string[] = []): Generator<{ block: Block; path: string[] }> {
  for (const s of body)
    if (s.kind === "block") {
      yield { block: s, path: above };
      yield* blocksOf(s.body, [...above, s.name]);
    }
}

/** A one-line description of the first errors, for messages (`line:column: message`). */
export function describeErrors(errors: AlloyError[], max = 5): string {
  const shown = errors.slice(0, max).map((e) => `${e.pos.line}:${e.pos.column}: ${e.message}`);
  return errors.length > max ? `${shown.join("; ")}; and ${errors.length - max} more` : shown.join("; ");
}
