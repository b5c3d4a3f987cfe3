/**
 * The flags Go functions register on a `*flag.FlagSet` they take, read from the source text (Go's
 * standard `flag` package: `f.BoolVar(&x, name, ...)`, `f.Var(v, name, ...)`, `f.String(name, ...)`
 * and the like, go1.26.8 src/flag/flag.go): each registration's name as the function builds it (a
 * literal, a string constant, or a string parameter such as `prefix` followed by a literal) and
 * how Go's parser takes it (a boolean only as `=value`). Not a Go parser: it relies on gofmt's
 * layout (a function declaration's first line at the start of a line), as goSource.ts does.
 */
import * as fs from "fs";
import * as path from "path";
import type { GoFlag } from "../goflag";
import { goFiles, matchingBrace, readGoFile, tagValue, type GoFile, type GoType } from "./goSource";

/** A registration's name: `param` (a string parameter of the function, empty for none) then `literal`. */
export interface GoFlagName {
  param: string;
  literal: string;
}

export interface GoFlagRegistration {
  /** The name as built, or undefined when its expression is not one of the forms read here. */
  name: GoFlagName | undefined;
  /** The name's expression as written (for a message). */
  expr: string;
  kind: GoFlag;
  /** `file:line` of the call. */
  source: string;
  /** The receiver's field the flag sets (`&cfg.RunOnce`: `RunOnce`), when it sets one. */
  field?: string;
}

/**
 * A call in a function's body that may register flags: a method of a field of the receiver
 * (`cfg.Ring.RegisterFlagsWithPrefix("ruler.", f)`: `chain` `["Ring"]`) or a function of a package
 * (`flagext.DeprecatedFlag(f, "x", ...)`: `importPath` the one `flagext` names; none for the function's own
 * package), each passing a FlagSet the function registers on.
 */
export interface GoFlagCall {
  chain?: string[];
  /** The import path of a package function's qualifier. */
  importPath?: string;
  callee: string;
  args: string[];
  /** Each argument read as a name is ({@link GoFlagName}), where it is one. */
  names: (GoFlagName | undefined)[];
  source: string;
}

/** A function (or method) that registers flags on a FlagSet parameter. */
export interface GoFlagFunction {
  /** `Recv.Name` for a method (the receiver's type without `*`), else `Name`. */
  name: string;
  /** `file:line` of its declaration. */
  source: string;
  /** The directory of its package (relative to the checkout) and its receiver's type, if a method. */
  dir: string;
  receiver?: string;
  /** Its parameters' names in order. */
  params: string[];
  /** Its string parameters. */
  strings: string[];
  /**
   * A string parameter the body sets again: `strings.TrimRight(p, chars)` (dskit's TLS flags,
   * crypto/tls/tls.go:53-54) or `strings.TrimSuffix(p, s)`, else `unknown` (its values not read).
   */
  rewrites: Record<string, { trim: "TrimRight" | "TrimSuffix"; arg: string } | "unknown">;
  registrations: GoFlagRegistration[];
  /** The calls that pass a FlagSet parameter on. */
  calls: GoFlagCall[];
}

/**
 * The FlagSet methods that register a flag (flag.go): the `XxxVar` forms and `Var`/`TextVar` take
 * the name second, the others first. `BoolVar`, `Bool` and `BoolFunc` declare a boolean (a
 * boolValue or boolFuncValue, IsBoolFlag true); every other a value, `Var` too unless its Value
 * has an IsBoolFlag method (the caller checks the sources have none).
 */
const NAME_SECOND = new Set([
  "BoolVar",
  "StringVar",
  "IntVar",
  "Int64Var",
  "UintVar",
  "Uint64Var",
  "Float64Var",
  "DurationVar",
  "Var",
  "TextVar",
]);
const NAME_FIRST = new Set([
  "Bool",
  "String",
  "Int",
  "Int64",
  "Uint",
  "Uint64",
  "Float64",
  "Duration",
  "Func",
  "BoolFunc",
]);
const BOOL = new Set(["BoolVar", "Bool", "BoolFunc"]);

/** The top-level arguments of the call whose `(` is at `open`. */
function callArgs(code: string, open: number): string[] {
  const args: string[] = [];
  let depth = 0;
  let start = open + 1;
  for (let i = open; i < code.length; i++) {
    const c = code[i];
    if (c === '"' || c === "'" || c === "`") {
      const q = c;
      for (i++; i < code.length && code[i] !== q; i += q !== "`" && code[i] === "\\" ? 2 : 1);
    } else if ("([{".includes(c)) depth++;
    else if (")]}".includes(c)) {
      if (--depth === 0) {
        args.push(code.slice(start, i).trim());
        return args;
      }
    } else if (c === "," && depth === 1) {
      args.push(code.slice(start, i).trim());
      start = i + 1;
    }
  }
  return args;
}

/**
 * A name expression: `"lit"`, `ident`, `ident + "lit"`; an identifier a string parameter, a local
 * variable the function set (`prefix := "compactor.client"`) or a string constant.
 */
function nameOf(
  expr: string,
  params: Set<string>,
  locals: Map<string, GoFlagName>,
  consts: Map<string, string>,
): GoFlagName | undefined {
  const m = /^(?:(\w+)\s*\+\s*)?(?:"([^"\\]*)"|(\w+))$/.exec(expr.trim());
  if (!m) return undefined;
  const [, first, lit, ident] = m;
  const value = (id: string): GoFlagName | undefined =>
    locals.get(id) ??
    (params.has(id)
      ? { param: id, literal: "" }
      : consts.has(id)
        ? { param: "", literal: consts.get(id)! }
        : undefined);
  const last = lit !== undefined ? { param: "", literal: lit } : value(ident);
  if (!last) return undefined;
  if (first === undefined) return last;
  const head = value(first);
  // A parameter only at the start: `"a" + prefix` is not a form read here.
  if (!head || last.param) return undefined;
  return { param: head.param, literal: head.literal + last.literal };
}

/**
 * Every function of one Go file that registers flags on a `*flag.FlagSet` parameter, with its
 * registrations. `consts`: the string constants of the file's package.
 */
export function flagFunctions(text: string, rel: string, consts: Map<string, string>): GoFlagFunction[] {
  const file = readGoFile(text, rel);
  const code = file.code;
  const all = new Map([...consts, ...file.consts]);
  const out: GoFlagFunction[] = [];
  const lineAt = (offset: number) => code.slice(0, offset).split("\n").length;
  const funcs = /^func\s+(?:\(\s*(\w*)\s*\*?\s*(\w+)(?:\[[^\]]*\])?\s*\)\s*)?(\w+)\s*(?:\[[^\]]*\])?\(/gm;
  for (const m of code.matchAll(funcs)) {
    const paramsOpen = m.index + m[0].length - 1;
    const paramText = callArgs(code, paramsOpen);
    // Parameters by name: `a, b string` gives both the type string.
    const named: { name: string; type: string }[] = [];
    let pending: string[] = [];
    for (const p of paramText) {
      const pm = /^(\w+)(?:\s+(.+))?$/.exec(p);
      if (!pm) continue;
      pending.push(pm[1]);
      if (pm[2]) {
        for (const n of pending) named.push({ name: n, type: pm[2].trim() });
        pending = [];
      }
    }
    const recv = m[1] || undefined;
    const sets = named.filter((p) => /^\*flag\.FlagSet$/.test(p.type)).map((p) => p.name);
    if (sets.length === 0) continue;
    const strings = new Set(named.filter((p) => p.type === "string").map((p) => p.name));
    const bodyOpen = code.indexOf("{", code.indexOf(")", paramsOpen));
    const bodyEnd = matchingBrace(code, bodyOpen);
    const body = code.slice(bodyOpen, bodyEnd);
    // A FlagSet of its own whose every flag it declares again on a parameter's
    // (`throwaway.VisitAll(func(f *flag.Flag) { ...; fs.Var(f.Value, f.Name, f.Usage) })`, Loki
    // pkg/loki/loki.go:241-271): what is registered on it is registered on the parameter.
    for (const l of body.matchAll(/\b(\w+)\s*:=\s*flag\.NewFlagSet\(/g)) {
      const copied = new RegExp(
        `\\b${l[1]}\\.VisitAll\\(func\\((\\w+) \\*flag\\.Flag\\)[\\s\\S]*?\\b(${sets.join("|")})\\.Var\\(\\1\\.Value, \\1\\.Name,`,
      );
      if (copied.test(body)) sets.push(l[1]);
    }
    const regs: GoFlagRegistration[] = [];
    const locals = new Map<string, GoFlagName>();
    const rewrites: GoFlagFunction["rewrites"] = {};
    for (const l of body.matchAll(/^\s*(\w+)\s*=\s*(.+?)\s*$/gm))
      if (strings.has(l[1])) {
        const t = new RegExp(`^strings\\.(TrimRight|TrimSuffix)\\(${l[1]},\\s*"([^"\\\\]*)"\\)$`).exec(l[2]);
        rewrites[l[1]] = t ? { trim: t[1] as "TrimRight" | "TrimSuffix", arg: t[2] } : "unknown";
      }
    for (const l of body.matchAll(/^\s*(\w+)\s*:=\s*(.+?)\s*$/gm)) {
      const v = nameOf(l[2], strings, locals, all);
      if (v) locals.set(l[1], v);
    }
    const call = new RegExp(`\\b(${sets.join("|")})\\.(\\w+)\\(`, "g");
    for (const c of body.matchAll(call)) {
      const method = c[2];
      if (!NAME_SECOND.has(method) && !NAME_FIRST.has(method)) continue;
      const at = bodyOpen + c.index + c[0].length - 1;
      const args = callArgs(code, at);
      const expr = args[NAME_SECOND.has(method) ? 1 : 0] ?? "";
      const target = NAME_SECOND.has(method) && recv ? new RegExp(`^&?${recv}\\.(\\w+)`).exec(args[0]) : null;
      regs.push({
        name: nameOf(expr, strings, locals, all),
        expr,
        kind: BOOL.has(method) ? "bool" : "value",
        source: `${rel}:${lineAt(at)}`,
        ...(target ? { field: target[1] } : {}),
      });
    }
    // Calls passing a FlagSet parameter on: `recv.A.B.Method(...)`, `pkg.Func(...)`, `Func(...)`.
    const calls: GoFlagCall[] = [];
    for (const c of body.matchAll(/(?<![\w.])((?:\w+\.)*)(\w+)\(/g)) {
      const at = bodyOpen + c.index + c[0].length - 1;
      const args = callArgs(code, at);
      if (!args.some((a) => sets.includes(a))) continue;
      const parts = c[1] ? c[1].slice(0, -1).split(".") : [];
      const names = args.map((a) => nameOf(a, strings, locals, all));
      const call = { callee: c[2], args, names, source: `${rel}:${lineAt(at)}` };
      if (recv && parts[0] === recv) calls.push({ ...call, chain: parts.slice(1) });
      else if (parts.length === 1 && file.imports.has(parts[0]))
        calls.push({ ...call, importPath: file.imports.get(parts[0]) });
      else if (parts.length === 0) calls.push(call);
    }
    if (regs.length > 0 || calls.length > 0)
      out.push({
        name: m[2] ? `${m[2]}.${m[3]}` : m[3],
        source: `${rel}:${lineAt(m.index)}`,
        dir: rel.split("/").slice(0, -1).join("/"),
        ...(m[2] ? { receiver: m[2] } : {}),
        params: named.map((p) => p.name),
        strings: [...strings],
        rewrites,
        registrations: regs,
        calls,
      });
  }
  return out;
}

/** A flag a program declares beyond its reference's: its kind, where it is registered and how it was found. */
export interface GoDeclaredFlag {
  /** The name; for a prefix not resolved, `<prefix>` then the literal tail. */
  flag: string;
  kind: GoFlag;
  source: string;
  /** `reference` (a sibling the reference documents gives the prefix), `call` (a caller passes it) or `unresolved`. */
  found: "reference" | "call" | "unresolved";
}

interface Indexed {
  fn: GoFlagFunction;
  /** Whether the program runs it. */
  reached: boolean;
  /** The values each string parameter takes where the program runs it. */
  values: Map<string, Set<string>>;
  found?: "reference" | "call";
}

/** Go's strings.TrimRight (every trailing character of `arg`'s set) or strings.TrimSuffix. */
function trimmed(s: string, { trim, arg }: { trim: "TrimRight" | "TrimSuffix"; arg: string }): string {
  if (trim === "TrimSuffix") return arg !== "" && s.endsWith(arg) ? s.slice(0, -arg.length) : s;
  let end = s.length;
  while (end > 0 && arg.includes(s[end - 1])) end--;
  return s.slice(0, end);
}

/** A type's place: its package's directory and its name. */
interface GoTypeAt {
  dir: string;
  name: string;
}

/**
 * The functions of `roots` that register flags, by package directory and name (`key`), and a
 * reader of struct fields: a field's tag and the place of its type (`fieldOf`), an import path's
 * directory in the checkout (`dirOf`: the module's own under it, any other under vendor/).
 */
function indexGoFlags(checkout: string, roots: readonly string[], module: string) {
  const files = new Map<string, { text: string; rel: string }[]>();
  for (const p of goFiles(checkout, roots)) {
    const rel = path.relative(checkout, p);
    const d = path.dirname(rel);
    const text = fs.readFileSync(p, "utf8");
    // A Value with IsBoolFlag is taken as a boolean by `f.Var`: every `Var` is read as a value flag.
    if (/^func\s*\([^)]*\)\s*IsBoolFlag\(\)/m.test(text))
      throw new Error(
        `${rel}: declares an IsBoolFlag method; expected none (a flag registered with Var is read as one taking a value): read which flags use it and change upstream/refresh/goFlags.ts`,
      );
    files.set(d, [...(files.get(d) ?? []), { text, rel }]);
  }
  // Each package's string constants, struct types (with the file that declares them) and functions.
  const types = new Map<string, Map<string, { type: GoType; file: GoFile }>>();
  const fns = new Map<string, Indexed>();
  const key = (dir: string, name: string) => `${dir}\0${name}`;
  for (const [dir, list] of files) {
    const read = list.map((f) => ({ ...f, go: readGoFile(f.text, f.rel) }));
    const consts = new Map(read.flatMap((f) => [...f.go.consts]));
    const byName = new Map<string, { type: GoType; file: GoFile }>();
    for (const f of read) for (const t of f.go.types) byName.set(t.name, { type: t, file: f.go });
    types.set(dir, byName);
    for (const f of read)
      for (const fn of flagFunctions(f.text, f.rel, consts))
        fns.set(key(dir, fn.name), { fn, reached: false, values: new Map() });
  }
  const dirOf = (importPath: string) =>
    importPath === module
      ? "."
      : importPath.startsWith(`${module}/`)
        ? importPath.slice(module.length + 1)
        : `vendor/${importPath}`;
  /** A field of struct `type` in `dir`: its tag and the (dir, type name) of its type. */
  const fieldOf = (
    dir: string,
    type: string,
    field: string,
  ): { tag: string; type: GoTypeAt | undefined } | undefined => {
    const t = types.get(dir)?.get(type);
    // An embedded field is named by its type's name (`Config` of `loki.Config`).
    const f = [...(t?.type.fields ?? []), ...(t?.type.skipped ?? [])].find(
      (x) => (x.name || /(\w+)$/.exec(x.type.trim())?.[1]) === field,
    );
    if (!t || !f) return undefined;
    const m = /^\*?(?:(\w+)\.)?(\w+)$/.exec(f.type.trim());
    const at = !m ? undefined : m[1] ? t.file.imports.get(m[1]) : undefined;
    return {
      tag: f.tag,
      type: m && (!m[1] || at) ? { dir: m[1] ? dirOf(at!) : dir, name: m[2] } : undefined,
    };
  };
  return { fns, key, dirOf, fieldOf };
}

/**
 * Every flag the functions of `roots` register that `documented` (the reference's flags) leaves out,
 * for a program whose flags are registered from `root` (`dir` and `Type.Method`) down. A function
 * is the program's when the reference documents one of its flags (its prefix then the one every
 * flag of it the reference shows agrees on: each of its fields the reference should show, neither
 * `doc:"hidden"` nor without a yaml key, is there under that prefix), when it is `root`, or when
 * one of the program's calls it: a method of a field of the receiver (the field's type read in the
 * struct) or a package function, the prefix it is given (a literal, or the caller's own prefix and
 * a literal) then its prefix. A function the program may call (one of its flags' fields is
 * `doc:"hidden"`) whose prefix is found neither way gives `unresolved` rows: `<prefix>` and the
 * tail.
 */
export function goDeclaredFlags(
  checkout: string,
  roots: readonly string[],
  module: string,
  documented: ReadonlySet<string>,
  root: GoTypeAt,
): GoDeclaredFlag[] {
  const { fns, key, dirOf, fieldOf } = indexGoFlags(checkout, roots, module);
  /** Whether the reference should show the flag of this registration (its field is a documented key). */
  const shown = (fn: GoFlagFunction, r: GoFlagRegistration): boolean | undefined => {
    if (!fn.receiver || !r.field) return undefined;
    const f = fieldOf(fn.dir, fn.receiver, r.field);
    if (!f) return undefined;
    const yaml = tagValue(f.tag, "yaml")?.[0];
    return !/^hidden/.test(tagValue(f.tag, "doc")?.[0] ?? "") && yaml !== "-" && /^[A-Z]/.test(r.field);
  };
  const hidden = (fn: GoFlagFunction, r: GoFlagRegistration) =>
    !!fn.receiver &&
    !!r.field &&
    /^hidden/.test(tagValue(fieldOf(fn.dir, fn.receiver, r.field)?.tag ?? "", "doc")?.[0] ?? "");
  const add = (x: Indexed, param: string, given: string, found: "reference" | "call"): boolean => {
    const rewrite = x.fn.rewrites[param];
    if (rewrite === "unknown") return false;
    // The value the body goes on with (the reference's prefix is that one already).
    const value = found === "reference" || !rewrite ? given : trimmed(given, rewrite);
    const set = x.values.get(param) ?? new Set<string>();
    x.values.set(param, set);
    const grew = !set.has(value) || !x.reached;
    set.add(value);
    x.reached = true;
    x.found ??= found;
    return grew;
  };
  // The reference: a function with a flag it documents.
  for (const x of fns.values()) {
    const regs = x.fn.registrations.filter((r) => r.name);
    if (regs.some((r) => !r.name!.param && documented.has(r.name!.literal))) {
      x.reached = true;
      x.found = "reference";
    }
    const should = regs.filter((r) => r.name!.param && r.name!.literal && shown(x.fn, r));
    // One field alone could end many documented flags (`enabled`): two or more must agree.
    if (should.length < 2 || should.some((r) => r.name!.param !== should[0].name!.param)) continue;
    const tail = should[0].name!.literal;
    for (const d of documented)
      if (d.endsWith(tail)) {
        const p = d.slice(0, d.length - tail.length);
        // The prefix ends where a name's part does (`ruler.` + `ring.x`, `ruler` + `.ring.x`).
        if (p !== "" && !p.endsWith(".") && !tail.startsWith(".")) continue;
        if (should.every((r) => documented.has(p + r.name!.literal)))
          add(x, should[0].name!.param, p, "reference");
      }
  }
  const start = fns.get(key(root.dir, root.name));
  if (!start)
    throw new Error(`expected ${root.name} in ${root.dir}, found no function of that name registering flags`);
  start.reached = true;
  start.found ??= "call";
  // The calls, until no function gains a value.
  for (let changed = true; changed;) {
    changed = false;
    for (const x of fns.values()) {
      if (!x.reached) continue;
      for (const c of x.fn.calls) {
        let target: GoTypeAt | undefined;
        if (c.chain && x.fn.receiver) {
          let at: GoTypeAt | undefined = { dir: x.fn.dir, name: x.fn.receiver };
          for (const f of c.chain) at = at && fieldOf(at.dir, at.name, f)?.type;
          if (at) target = { dir: at.dir, name: `${at.name}.${c.callee}` };
        } else if (c.importPath) target = { dir: dirOf(c.importPath), name: c.callee };
        else if (!c.chain) target = { dir: x.fn.dir, name: c.callee };
        const y = target && fns.get(key(target.dir, target.name));
        if (!y) continue;
        if (!y.reached) {
          y.reached = true;
          y.found ??= "call";
          changed = true;
        }
        for (const p of y.fn.strings) {
          const n = c.names[y.fn.params.indexOf(p)];
          if (!n) continue;
          const from = n.param ? [...(x.values.get(n.param) ?? [])] : [""];
          for (const v of from) if (add(y, p, v + n.literal, "call")) changed = true;
        }
      }
    }
  }
  const out = new Map<string, GoDeclaredFlag>();
  for (const x of fns.values())
    for (const r of x.fn.registrations) {
      if (!r.name || !x.reached) continue;
      const values = r.name.param ? [...(x.values.get(r.name.param) ?? [])] : [""];
      if (values.length === 0) {
        if (hidden(x.fn, r))
          out.set(`<prefix>${r.name.literal}`, {
            flag: `<prefix>${r.name.literal}`,
            kind: r.kind,
            source: r.source,
            found: "unresolved",
          });
        continue;
      }
      for (const p of values) {
        const flag = p + r.name.literal;
        if (!documented.has(flag) && !out.has(flag))
          out.set(flag, { flag, kind: r.kind, source: r.source, found: x.found! });
      }
    }
  return [...out.values()].sort((a, b) => (a.flag < b.flag ? -1 : a.flag > b.flag ? 1 : 0));
}
