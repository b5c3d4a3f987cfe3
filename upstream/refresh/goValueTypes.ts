/**
 * The Go type of the value a flag registration sets, read from the source text: what refuses a
 * value given to the flag. Go's flag package's own types by the FlagSet method (go1.26.8
 * src/flag/flag.go: `StringVar` a stringValue, `DurationVar` a durationValue whose Set is
 * time.ParseDuration, `Float64Var` a float64Value whose Set is strconv.ParseFloat, and the like),
 * and for `Var(v, name, usage)` the type of `v` (a package variable, a parameter or the receiver,
 * then its struct fields), with the place of that type's `Set` method in the checkout or, for a type
 * of another module, that module at the version go.mod requires. Not a Go type checker: it reads
 * the forms gofmt writes (`name Type` in a `var` block or a parameter list, `name = pkg.F(...)`
 * whose F declares its result type, `Field Type` in a struct).
 */
import * as fs from "fs";
import * as path from "path";
import { readGoFile, type GoFile } from "./goSource";
import { goModRequirements } from "./goModule";

/** A flag's value type: `type` as Go names it, and `set` where the value is parsed. */
export interface GoValueType {
  /** `string`, `time.Duration`, `float64`, ... or `<package>.<Type>` (`operator.Quantity`) or `<import path>.<Type>` for another module's. */
  type: string;
  /** `flag` (Go's flag package parses it), the `file:line` of the type's Set method, or `<module>@<version>`. */
  set: string;
}

/** The FlagSet methods that register one of Go's own Values, and the type each parses (flag.go). */
const BUILTIN: Readonly<Record<string, string>> = {
  BoolVar: "bool",
  Bool: "bool",
  StringVar: "string",
  String: "string",
  DurationVar: "time.Duration",
  Duration: "time.Duration",
  Float64Var: "float64",
  Float64: "float64",
  IntVar: "int",
  Int: "int",
  Int64Var: "int64",
  Int64: "int64",
  UintVar: "uint",
  Uint: "uint",
  Uint64Var: "uint64",
  Uint64: "uint64",
};

/** A type's place: a package of the checkout (`dir`) or of another module (`importPath`), and its name. */
type TypeAt = { dir: string; name: string } | { importPath: string; name: string };

/**
 * A reader of the value types of the flags a checkout of module `module` registers: call it with
 * the `file:line` of each registration.
 */
export function goValueTypes(checkout: string, module: string): (source: string) => GoValueType {
  const packages = new Map<string, GoFile[]>();
  const pkg = (dir: string): GoFile[] => {
    let files = packages.get(dir);
    if (!files) {
      const abs = path.join(checkout, dir);
      files = fs.existsSync(abs)
        ? fs
            .readdirSync(abs)
            .filter((n) => n.endsWith(".go") && !n.endsWith("_test.go"))
            .sort()
            .map((n) => readGoFile(fs.readFileSync(path.join(abs, n), "utf8"), `${dir}/${n}`))
        : [];
      packages.set(dir, files);
    }
    return files;
  };
  const requires = goModRequires(checkout);
  /** A qualified type name `q.Name` (or `Name`) written in `file`, placed. */
  const place = (file: GoFile, dir: string, text: string): TypeAt | undefined => {
    const m = /^\*?(?:(\w+)\.)?(\w+)$/.exec(text.trim());
    if (!m) return undefined;
    if (!m[1]) return { dir, name: m[2] };
    const ip = file.imports.get(m[1]);
    if (ip === undefined) return undefined;
    return ip.startsWith(`${module}/`)
      ? { dir: ip.slice(module.length + 1), name: m[2] }
      : { importPath: ip, name: m[2] };
  };
  const field = (at: TypeAt, name: string): TypeAt | undefined => {
    if (!("dir" in at)) return undefined;
    for (const f of pkg(at.dir)) {
      const t = f.types.find((x) => x.name === at.name);
      const x = [...(t?.fields ?? []), ...(t?.skipped ?? [])].find((y) => y.name === name);
      if (x) return place(f, at.dir, x.type);
    }
    return undefined;
  };
  /** A package variable or function result of package `dir`, by name. */
  const packageVar = (dir: string, name: string): TypeAt | undefined => {
    for (const f of pkg(dir)) {
      const typed = new RegExp(`^(?:var\\s+|\\t)${name}\\s+(\\*?[\\w.]+)\\s*$`, "m").exec(f.code);
      if (typed) return place(f, dir, typed[1]);
      const call = new RegExp(`^(?:var\\s+|\\t)${name}\\s*=\\s*(?:(\\w+)\\.)?(\\w+)\\(`, "m").exec(f.code);
      if (call) {
        const from = call[1] ? place(f, dir, `${call[1]}.${call[2]}`) : { dir, name: call[2] };
        if (!from || !("dir" in from)) return undefined;
        for (const g of pkg(from.dir)) {
          const r = new RegExp(`^func ${from.name}\\([^)]*\\)\\s*(\\*?[\\w.]+)\\s*\\{`, "m").exec(g.code);
          if (r) return place(g, from.dir, r[1]);
        }
      }
    }
    return undefined;
  };
  return (source: string): GoValueType => {
    const [rel, line] = source.split(":");
    const dir = path.dirname(rel);
    const file = pkg(dir).find((f) => f.rel === rel);
    if (!file) throw new Error(`${source}: expected a Go file of the checkout, found none`);
    const lines = file.code.split("\n");
    const at = lines.slice(0, Number(line) - 1).join("\n").length + 1;
    const call = /\b\w+\.(\w+)\(\s*(&?)([\w.]+)\s*,/y;
    call.lastIndex = at + (lines[Number(line) - 1].length - lines[Number(line) - 1].trimStart().length);
    const m = call.exec(file.code);
    if (!m)
      throw new Error(
        `${source}: expected a FlagSet registration, found ${JSON.stringify(lines[Number(line) - 1].trim())}`,
      );
    const builtin = BUILTIN[m[1]];
    if (builtin !== undefined) return { type: builtin, set: "flag" };
    if (m[1] !== "Var")
      throw new Error(`${source}: ${m[1]} is not a registration whose value type is read here`);
    const [root, ...fields] = m[3].split(".");
    // The function around the call: its receiver and parameters, else a variable of the package.
    const head = [
      ...file.code.slice(0, at).matchAll(/^func\s+(?:\((\w+)\s+(\*?\w+)\)\s*)?\w+\(([^)]*)\)/gm),
    ].at(-1);
    let t: TypeAt | undefined;
    if (head?.[1] === root) t = place(file, dir, head[2]);
    else {
      const params = (head?.[3] ?? "").split(",").map((p) => p.trim().split(/\s+/));
      const i = params.findIndex((p) => p[0] === root);
      // `a, b T`: the type is the next one written.
      const typed = i < 0 ? undefined : params.slice(i).find((p) => p.length > 1);
      t = typed ? place(file, dir, typed[1]) : packageVar(dir, root);
    }
    for (const f of fields) t = t && field(t, f);
    if (!t)
      throw new Error(
        `${source}: the type of ${m[2]}${m[3]} is not read here; read it at the source and change upstream/refresh/goValueTypes.ts`,
      );
    if ("importPath" in t) {
      const mod = [...requires.keys()]
        .filter((r) => t.importPath === r || t.importPath.startsWith(`${r}/`))
        .sort((a, b) => b.length - a.length)[0];
      if (mod === undefined) throw new Error(`${source}: ${t.importPath} is required by no module of go.mod`);
      return { type: `${t.importPath}.${t.name}`, set: `${mod}@${requires.get(mod)}` };
    }
    const name = t.name;
    for (const f of pkg(t.dir)) {
      const set = new RegExp(`^func \\(\\w+ \\*?${name}\\) Set\\(\\w+ string\\) error`, "m").exec(f.code);
      if (set)
        return {
          type: `${f.packageName}.${name}`,
          set: `${f.rel}:${f.code.slice(0, set.index).split("\n").length}`,
        };
    }
    throw new Error(`${source}: ${t.dir}.${name} has no Set method in the checkout`);
  };
}

/** The modules go.mod requires, with their versions (none without a go.mod). */
function goModRequires(checkout: string): Map<string, string> {
  const file = path.join(checkout, "go.mod");
  if (!fs.existsSync(file)) return new Map();
  return new Map(goModRequirements(fs.readFileSync(file, "utf8")).map((r) => [r.module, r.version]));
}
