/**
 * A reader of Go source text, enough for the facts the refreshers take from Go code: comments
 * blanked (line numbers kept), `//go:build` constraints and file-name suffixes judged for one
 * build, imports, type declarations with their struct fields and tags, and string constants. Not
 * a Go parser: it relies on gofmt's layout (one field per line, a declaration's first line at the
 * start of a line), which every file it reads at the pinned tag has.
 */
import * as fs from "fs";
import * as path from "path";

/** One build: GOOS, GOARCH and the tags `go build -tags` and cgo add. */
export interface GoBuild {
  goos: string;
  goarch: string;
  tags: string[];
}

/** Go's known GOOS and GOARCH values (the file-name suffixes `go build` honours: go/build's syslist.go). */
const GOOS = new Set(
  "aix android darwin dragonfly freebsd hurd illumos ios js linux nacl netbsd openbsd plan9 solaris wasip1 windows zos".split(
    " ",
  ),
);
const GOARCH = new Set(
  "386 amd64 arm arm64 loong64 mips mips64 mips64le mipsle ppc64 ppc64le riscv64 s390x sparc64 wasm".split(
    " ",
  ),
);
const UNIX = new Set(
  "aix android darwin dragonfly freebsd hurd illumos ios linux netbsd openbsd solaris".split(" "),
);

/** The offset of the quote that closes the string, rune or raw string literal opening at `open`. */
function literalEnd(code: string, open: number, to = code.length): number {
  const q = code[open];
  let j = open + 1;
  while (j < to && code[j] !== q) j += q !== "`" && code[j] === "\\" ? 2 : 1;
  return j;
}

/** The text with `//` and `/* *\/` comments replaced by spaces (newlines kept), strings untouched. */
export function blankComments(text: string): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === "/" && text[i + 1] === "/") {
      for (; i < text.length && text[i] !== "\n"; i++) out += " ";
    } else if (c === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      const stop = end < 0 ? text.length : end + 2;
      for (; i < stop; i++) out += text[i] === "\n" ? "\n" : " ";
    } else if (c === '"' || c === "'" || c === "`") {
      const j = literalEnd(text, i);
      out += text.slice(i, j + 1);
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Whether a `//go:build` expression holds for the build (`&&`, `||`, `!`, parentheses). */
export function constraintHolds(expr: string, build: GoBuild): boolean {
  const tokens = expr.match(/&&|\|\||!|\(|\)|[\w.]+/g) ?? [];
  let at = 0;
  const has = (tag: string) =>
    tag === build.goos ||
    tag === build.goarch ||
    (tag === "unix" && UNIX.has(build.goos)) ||
    tag === "gc" ||
    /^go1\.\d+$/.test(tag) ||
    build.tags.includes(tag);
  const primary = (): boolean => {
    const t = tokens[at++];
    if (t === "!") return !primary();
    if (t === "(") {
      const v = or();
      at++; // ")"
      return v;
    }
    return has(t ?? "");
  };
  const and = (): boolean => {
    let v = primary();
    while (tokens[at] === "&&") {
      at++;
      v = primary() && v;
    }
    return v;
  };
  const or = (): boolean => {
    let v = and();
    while (tokens[at] === "||") {
      at++;
      v = and() || v;
    }
    return v;
  };
  return or();
}

/** Whether `go build` compiles a file for the build: its name's `_GOOS`/`_GOARCH` suffixes and its `//go:build` line. */
export function fileInBuild(name: string, text: string, build: GoBuild): boolean {
  if (!name.endsWith(".go") || name.endsWith("_test.go")) return false;
  const parts = name.slice(0, -3).split("_");
  const last = parts[parts.length - 1];
  const before = parts[parts.length - 2];
  if (parts.length >= 3 && GOOS.has(before) && GOARCH.has(last))
    if (before !== build.goos || last !== build.goarch) return false;
  if (parts.length >= 2 && GOOS.has(last) && last !== build.goos) return false;
  if (parts.length >= 2 && GOARCH.has(last) && !GOOS.has(before) && last !== build.goarch) return false;
  const head = text.slice(0, Math.max(0, text.search(/^package\s/m)));
  const m = /^\/\/go:build\s+(.+)$/m.exec(head);
  return !m || constraintHolds(m[1], build);
}

/** A field of a struct type: its name, type text, tag and line. */
export interface GoField {
  name: string;
  type: string;
  tag: string;
  source: string;
}

/**
 * A field of a struct type that {@link GoType.fields} leaves out: an embedded one (its `type`, no
 * name; a decoder may promote its fields, which are not looked into here) or one without a tag
 * (`name` and `type`). Each caller decides what a skipped field means for the decoder it reads for.
 */
export interface GoSkippedField {
  reason: "embedded" | "untagged";
  /** The field's name; empty for an embedded field. */
  name: string;
  type: string;
  /** The tag an embedded field carries; "" for an untagged one. */
  tag: string;
  source: string;
}

/**
 * The value a struct tag gives `key` (`yaml` in `yaml:"name,inline" json:"x"`), split at its commas
 * (`["name", "inline"]`), as reflect.StructTag.Get reads a conventional tag: space-separated
 * `key:"value"` pairs. Undefined when the tag has no such key.
 */
export function tagValue(tag: string, key: string): string[] | undefined {
  return new RegExp(`(?:^|\\s)${key}:"([^"]*)"`).exec(tag)?.[1].split(",");
}

/** A type declaration: a struct's fields, or the type expression it names. */
export interface GoType {
  name: string;
  source: string;
  /** Set for a struct type: its named fields that carry a tag (one per name of `A, B T`). */
  fields?: GoField[];
  /** Set for a struct type: every field it has that {@link fields} leaves out. */
  skipped?: GoSkippedField[];
  /** Set for any other type: the expression after the name (`[]*Rule`, `otelcol.Config`, `= x.Y`). */
  expr?: string;
}

/** One Go file, read for its package, imports, types and string constants. */
export interface GoFile {
  rel: string;
  packageName: string;
  /** Qualifier -> import path (the alias, else the path's last element without a `/vN`). */
  imports: Map<string, string>;
  /** Every path imported, blank (`_`) imports included. */
  importPaths: string[];
  types: GoType[];
  consts: Map<string, string>;
  /** The text with comments blanked, for readers that look for more. */
  code: string;
}

/** The line (1-based) of `offset` in `text`. */
export const lineAt = (text: string, offset: number) => text.slice(0, offset).split("\n").length;

/**
 * The offset just past the bracket of `pair` (its opening and closing characters) that closes the
 * one at `open`, string and rune literals skipped; -1 when none does.
 */
export function closingBracket(code: string, open: number, pair: "{}" | "()"): number {
  let depth = 0;
  for (let i = open; i < code.length; i++) {
    const c = code[i];
    if (c === '"' || c === "`" || c === "'") i = literalEnd(code, i);
    else if (c === pair[0]) depth++;
    else if (c === pair[1] && --depth === 0) return i + 1;
  }
  return -1;
}

/** The offset just past the brace that closes the one at `open`; the code's length when none does. */
export function matchingBrace(code: string, open: number): number {
  const end = closingBracket(code, open, "{}");
  return end < 0 ? code.length : end;
}

function importsOf(code: string): { imports: Map<string, string>; importPaths: string[] } {
  const out = new Map<string, string>();
  const importPaths: string[] = [];
  const specs: string[] = [];
  for (const m of code.matchAll(/^import\s*\(([\s\S]*?)\)/gm)) specs.push(...m[1].split("\n"));
  for (const m of code.matchAll(/^import\s+([^(\n].*)$/gm)) specs.push(m[1]);
  for (const s of specs) {
    const m = /^\s*([\w.]+\s+)?"([^"]+)"/.exec(s);
    if (!m) continue;
    importPaths.push(m[2]);
    const elems = m[2].split("/");
    const last = /^v\d+$/.test(elems[elems.length - 1]) ? elems[elems.length - 2] : elems[elems.length - 1];
    const alias = m[1]?.trim();
    if (alias !== "_" && alias !== ".") out.set(alias ?? last.replace(/[-.]/g, "_"), m[2]);
  }
  return { imports: out, importPaths };
}

/**
 * The field declarations of a struct body (`{ ... }`, without the braces), each with its offset:
 * split at a newline or `;` outside brackets and strings, so a field whose type spans lines (an
 * inline `struct { ... }`, a `func(...)`) is one declaration and its inner fields none of the body's.
 */
function declarationsOf(code: string, from: number, to: number): { text: string; at: number }[] {
  const out: { text: string; at: number }[] = [];
  let depth = 0;
  let start = from;
  const end = (i: number) => {
    const text = code.slice(start, i);
    if (text.trim() !== "") out.push({ text: text.trim(), at: start + text.search(/\S/) });
    start = i + 1;
  };
  for (let i = from; i < to; i++) {
    const c = code[i];
    if (c === '"' || c === "'" || c === "`") i = literalEnd(code, i, to);
    else if ("({[".includes(c)) depth++;
    else if (")}]".includes(c)) depth--;
    else if ((c === "\n" || c === ";") && depth === 0) end(i);
  }
  end(to);
  return out;
}

/** An interpreted string literal's value: JSON's escapes are Go's but for `\x`, `\a` and the like. */
function unquote(literal: string, source: string): string {
  try {
    return JSON.parse(literal) as string;
  } catch {
    throw new Error(
      `${source}: expected a struct tag whose escapes this reader knows (JSON's), found ${literal}`,
    );
  }
}

/**
 * A struct body's fields as the Go spec declares them (FieldDecl = (IdentifierList Type |
 * EmbeddedField) [Tag]): the named fields with a tag, and every other field, reported.
 */
function fieldsOf(
  code: string,
  from: number,
  to: number,
  rel: string,
): Pick<Required<GoType>, "fields" | "skipped"> {
  const fields: GoField[] = [];
  const skipped: GoSkippedField[] = [];
  for (const d of declarationsOf(code, from, to)) {
    const source = `${rel}:${lineAt(code, d.at)}`;
    // A tag is a raw or an interpreted string literal, and a type never ends in one.
    const t = /\s*(`[^`]*`|"(?:[^"\\]|\\.)*")$/.exec(d.text);
    const tag = !t ? "" : t[1].startsWith("`") ? t[1].slice(1, -1) : unquote(t[1], source);
    const decl = t ? d.text.slice(0, t.index) : d.text;
    const named = /^([A-Za-z_]\w*(?:[ \t]*,[ \t]*[A-Za-z_]\w*)*)[ \t]+(\S[\s\S]*)$/.exec(decl);
    if (!named) skipped.push({ reason: "embedded", name: "", type: decl, tag, source });
    else
      for (const name of named[1].split(/[ \t]*,[ \t]*/))
        if (t) fields.push({ name, type: named[2], tag, source });
        else skipped.push({ reason: "untagged", name, type: named[2], tag, source });
  }
  return { fields, skipped };
}

/** Type specs: `type X ...` at the start of a line, and each spec of a `type ( ... )` group. */
function typesOf(code: string, rel: string): GoType[] {
  const out: GoType[] = [];
  const spec = (name: string, rest: string, at: number) => {
    const source = `${rel}:${lineAt(code, at)}`;
    // Type parameters (`[T any]`) are not a slice's `[]` or an array's `[4]`.
    const params = /^\[\w+ [^\]]*\]\s*/;
    const s = /^struct\s*\{/.exec(rest.replace(params, ""));
    if (s) {
      const open = at + code.slice(at).indexOf("{", code.slice(at).indexOf(name) + name.length);
      out.push({ name, source, ...fieldsOf(code, open + 1, matchingBrace(code, open) - 1, rel) });
    } else out.push({ name, source, expr: rest.replace(params, "").trim() });
  };
  for (const m of code.matchAll(/^type[ \t]+([A-Za-z_]\w*)[ \t]*([^\n]*)$/gm)) spec(m[1], m[2], m.index);
  for (const g of code.matchAll(/^type\s*\(/gm)) {
    const open = g.index + g[0].length - 1;
    let depth = 0;
    let lineStart = open + 1;
    for (let i = open; i < code.length; i++) {
      const c = code[i];
      if (c === "(" || c === "{" || c === "[") depth++;
      else if (c === ")" || c === "}" || c === "]") {
        if (--depth === 0) break;
      } else if (c === "\n") {
        lineStart = i + 1;
        if (depth === 1) {
          const m = /^[ \t]*([A-Za-z_]\w*)[ \t]+([^\n]*)$/m.exec(
            code.slice(lineStart, code.indexOf("\n", lineStart)),
          );
          if (m) spec(m[1], m[2], lineStart);
        }
      }
    }
  }
  return out;
}

function constsOf(code: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of code.matchAll(/^const[ \t]+(\w+)(?:[ \t]+\w+)?[ \t]*=[ \t]*"([^"]*)"/gm))
    out.set(m[1], m[2]);
  for (const g of code.matchAll(/^const\s*\(([\s\S]*?)^\)/gm))
    for (const m of g[1].matchAll(/^[ \t]*(\w+)(?:[ \t]+\w+)?[ \t]*=[ \t]*"([^"]*)"/gm)) out.set(m[1], m[2]);
  return out;
}

/** Reads one Go file. */
export function readGoFile(text: string, rel: string): GoFile {
  const code = blankComments(text);
  return {
    rel,
    packageName: /^package\s+(\w+)/m.exec(code)?.[1] ?? "",
    ...importsOf(code),
    types: typesOf(code, rel),
    consts: constsOf(code),
    code,
  };
}

/** Every Go file under `roots` of `checkout` (tests excluded), as paths, in directory order. */
export function goFiles(checkout: string, roots: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".go") && !e.name.endsWith("_test.go")) out.push(p);
    }
  };
  for (const r of roots) walk(path.join(checkout, r));
  return out;
}

/** The Go files of one directory that the build compiles, read. */
export function readGoPackage(checkout: string, dir: string, build: GoBuild): GoFile[] {
  const abs = path.join(checkout, dir);
  if (!fs.existsSync(abs)) return [];
  return fs
    .readdirSync(abs, { withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => e.name)
    .sort()
    .flatMap((name) => {
      const text = fs.readFileSync(path.join(abs, name), "utf8");
      return fileInBuild(name, text, build) ? [readGoFile(text, dir === "." ? name : `${dir}/${name}`)] : [];
    });
}
