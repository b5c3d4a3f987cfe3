/**
 * node_exporter's flags, from a checkout of prometheus/node_exporter at the tag the stack pins
 * (model/versions.ts `images.nodeExporter`: v1.10.2), with the modules its go.mod pins for the flags
 * it takes from them. Every flag its linux binary registers on kingpin's CommandLine, the
 * application `kingpin.Parse()` parses (node_exporter.go:210 at v1.10.2):
 * - each `kingpin.Flag("<name>", ...)` of the packages the binary builds from its own module (the
 *   main package and what it imports of the module, the files `go build` takes for linux/amd64 and
 *   linux/arm64, no cgo: the Makefile uses .promu.yml, without cgo, for linux, Makefile:37-40), its
 *   kind from the last call of its chain (`Bool()` takes no value, `Strings()` accumulates, any other
 *   one value) and `Hidden()`;
 * - the collector switches: `registerCollector("<name>", ...)` (collector/collector.go:59-75)
 *   registers `collector.<name>` as a `Bool()` (:67, :71), so `--no-collector.<name>` too;
 * - the flags of the packages whose `AddFlags` main calls on `kingpin.CommandLine`
 *   (node_exporter.go:202 exporter-toolkit's web/kingpinflag, :206 prometheus/common's
 *   promslog/flag), each `<app>.Flag(...)` of that function, read in the module at the version
 *   go.mod requires, held to go.sum's `h1:` hash (upstream/refresh/goModule.ts);
 * - `kingpin.Version(...)` (a `--version` flag, kingpin v2.4.0 app.go:263-272) and
 *   `kingpin.HelpFlag.Short('<c>')` (kingpin's own `--help`, app.go:64, given a short flag).
 * The two builds must give the same flags: the refresh refuses a difference, which a
 * per-architecture model would need.
 */
import * as fs from "fs";
import * as path from "path";
import {
  closingBracket,
  fileInBuild,
  lineAt,
  matchingBrace,
  readGoFile,
  type GoBuild,
  type GoFile,
} from "./goSource";
import {
  cacheDir,
  escapePath,
  goModRequirements,
  hashZip,
  moduleFiles,
  readZip,
  type GoModule,
} from "./goModule";
import type { Refreshed, Source } from "./source";
import { NODE_EXPORTER_FLAG_COLUMNS, nodeExporterFolder } from "../exporters/nodeExporter";

const MODULE = "github.com/prometheus/node_exporter";
/** The builds read (the image's platforms: node_exporter's Dockerfile:8 copies .build/${OS}-${ARCH}/node_exporter). */
export const NODE_EXPORTER_BUILDS: readonly GoBuild[] = [
  { goos: "linux", goarch: "amd64", tags: [] },
  { goos: "linux", goarch: "arm64", tags: [] },
];

/** A module's files: path in the module to its text. */
export type GoTree = ReadonlyMap<string, () => string>;

/** One flag as the refresh writes it. */
export interface FlagRow {
  flag: string;
  kind: "bool" | "value" | "cumulative";
  /** The Go type its value is parsed as (`int`, `time.Duration`, `promslog.Level`, ...). */
  type: string;
  /** Where that type's Set is: `<module>@<version>` (kingpin's own values) or `<module>@<version>/file:line`. */
  set: string;
  hidden: boolean;
  short: string;
  source: string;
}

/**
 * The last call of a kingpin flag's chain, the kind it gives and the Go type of kingpin's own
 * Value it makes (kingpin v2.4.0 parsers.go, values.go, values_generated.go). A call not listed
 * stops the refresh: its values need a judge (upstream/exporters/nodeExporter.ts).
 */
const KINDS: Record<string, { kind: FlagRow["kind"]; type?: string }> = {
  Bool: { kind: "bool", type: "bool" },
  BoolVar: { kind: "bool", type: "bool" },
  Strings: { kind: "cumulative", type: "string" },
  StringsVar: { kind: "cumulative", type: "string" },
  String: { kind: "value", type: "string" },
  StringVar: { kind: "value", type: "string" },
  Int: { kind: "value", type: "int" },
  IntVar: { kind: "value", type: "int" },
  Duration: { kind: "value", type: "time.Duration" },
  DurationVar: { kind: "value", type: "time.Duration" },
  // A Value of the package's own, its type read from the argument; promslog's Level and Format
  // have no IsCumulative (kingpin values.go:65-69), so each takes one value.
  SetValue: { kind: "value" },
};

/** kingpin's module path: its own Values are parsed there, at the version go.mod requires. */
const KINGPIN_MODULE = "github.com/alecthomas/kingpin/v2";

/** The offset just past the parenthesis that closes the one at `open`, string and rune literals skipped. */
function closingParen(code: string, open: number): number {
  const end = closingBracket(code, open, "()");
  if (end < 0) throw new Error(`unbalanced parenthesis at offset ${open}`);
  return end;
}

/** The calls chained after the call that ends at `end`: `.Default(x).Hidden().Bool()` -> each method and its argument text. */
function chainAfter(code: string, end: number): { name: string; arg: string }[] {
  const methods: { name: string; arg: string }[] = [];
  let i = end;
  for (;;) {
    const m = /^\s*\.\s*([A-Za-z_]\w*)\s*\(/.exec(code.slice(i, i + 200));
    if (!m) return methods;
    const open = i + m[0].length - 1;
    i = closingParen(code, open);
    methods.push({ name: m[1], arg: code.slice(open + 1, i - 1).trim() });
  }
}

/** The body of `func <name>(` in a file: its offsets, and its first parameter's name. */
function funcBody(file: GoFile, name: string): { from: number; to: number; param: string } | undefined {
  const m = new RegExp(`^func\\s+${name}\\s*\\(\\s*(\\w*)`, "m").exec(file.code);
  if (!m) return undefined;
  const open = file.code.indexOf("{", closingParen(file.code, m.index + m[0].indexOf("(")));
  return { from: open, to: matchingBrace(file.code, open), param: m[1] };
}

/** A Go package: its files in one build, and its string constants. */
interface Package {
  files: GoFile[];
  consts: Map<string, string>;
}

function readPackage(tree: GoTree, dir: string, build: GoBuild): Package {
  const files = [...tree.keys()]
    .filter((rel) => path.posix.dirname(rel) === dir && rel.endsWith(".go"))
    .sort()
    .flatMap((rel) => {
      const text = tree.get(rel)!();
      return fileInBuild(path.posix.basename(rel), text, build) ? [readGoFile(text, rel)] : [];
    });
  const consts = new Map<string, string>();
  for (const f of files) for (const [k, v] of f.consts) consts.set(k, v);
  return { files, consts };
}

/** How flagCalls places a flag's value type: kingpin's module at its version, and a reader of the `SetValue` argument's type. */
interface ValueTypes {
  kingpin: string;
  setValue: (file: GoFile, arg: string, at: number) => { type: string; set: string };
}

/**
 * The flags `<recv>.Flag(...)` registers in `file` between offsets `from` and `to`; a name that is
 * no string literal nor constant is handed to `dynamic` (which returns the rows it stands for).
 */
function flagCalls(
  file: GoFile,
  pkg: Package,
  recv: string,
  from: number,
  to: number,
  types: ValueTypes,
  dynamic: (arg: string, at: number) => FlagRow[],
): FlagRow[] {
  const rows: FlagRow[] = [];
  const re = new RegExp(`\\b${recv}\\.Flag\\(`, "g");
  re.lastIndex = from;
  for (let m = re.exec(file.code); m && m.index < to; m = re.exec(file.code)) {
    const open = m.index + m[0].length - 1;
    const end = closingParen(file.code, open);
    const source = `${file.rel}:${lineAt(file.code, m.index)}`;
    const arg = /^\s*("(?:[^"\\]|\\.)*"|[A-Za-z_]\w*)/.exec(file.code.slice(open + 1, end))?.[1] ?? "";
    const methods = chainAfter(file.code, end);
    const last = methods.at(-1) ?? { name: "", arg: "" };
    const known = Object.prototype.hasOwnProperty.call(KINDS, last.name) ? KINDS[last.name] : undefined;
    if (known === undefined)
      throw new Error(
        `node-exporter: the flag registered at ${source} ends its chain with ${JSON.stringify(last.name)}, a call the refresh does not know the kind of; read it at the source and change upstream/refresh/nodeExporter.ts`,
      );
    const { kind } = known;
    const { type, set } =
      known.type !== undefined
        ? { type: known.type, set: types.kingpin }
        : types.setValue(file, last.arg, m.index);
    const hidden = methods.some((c) => c.name === "Hidden");
    const named = (flag: string): FlagRow => ({ flag, kind, type, set, hidden, short: "-", source });
    if (arg.startsWith('"')) rows.push(named(JSON.parse(arg) as string));
    else if (pkg.consts.has(arg)) rows.push(named(pkg.consts.get(arg)!));
    else rows.push(...dynamic(arg, m.index).map((r) => ({ ...r, kind, type, set, hidden })));
  }
  return rows;
}

/**
 * The type of `SetValue(<param>.<Field>)`'s argument in `file` at offset `at`, and its Set: the
 * parameter's type in the function around the call (`config *promslog.Config`), that struct's
 * field, then the `Set(string) error` method of the field's type in the same package
 * (prometheus/common v0.67.1 promslog/flag/flag.go:44-53, slog.go:142-147, 101, 131).
 * `pkgOf`: a package of the file's module by import path; `where` its `<module>@<version>/`.
 */
function setValueType(
  file: GoFile,
  arg: string,
  at: number,
  pkgOf: (importPath: string) => Package | undefined,
  where: string,
): { type: string; set: string } {
  const place = `${where}${file.rel}:${lineAt(file.code, at)}`;
  const fail = (why: string): never => {
    throw new Error(
      `node-exporter: the flag registered at ${place} takes SetValue(${arg}), ${why}; read it at the source and change upstream/refresh/nodeExporter.ts`,
    );
  };
  const [root, field, ...more] = arg.split(".");
  if (field === undefined || more.length > 0) fail("which the refresh reads only as <parameter>.<field>");
  const head = [...file.code.slice(0, at).matchAll(/^func\s+(?:\([^)]*\)\s*)?\w+\(([^)]*)\)/gm)].at(-1);
  const param = (head?.[1] ?? "")
    .split(",")
    .map((p) => p.trim().split(/\s+/))
    .find((p) => p[0] === root);
  const q = param && /^\*?(\w+)\.(\w+)$/.exec(param[1] ?? "");
  const pkg = q ? pkgOf(file.imports.get(q[1]) ?? "") : undefined;
  if (!q || !pkg) fail(`whose parameter ${root} is not of a struct type of the module's own packages`);
  const struct = pkg!.files.flatMap((f) => f.types).find((t) => t.name === q![2]);
  if (!struct) fail(`whose parameter ${root}'s type ${q![1]}.${q![2]} is no struct found in its package`);
  const typeText = [...(struct?.fields ?? []), ...(struct?.skipped ?? [])].find(
    (x) => x.name === field,
  )?.type;
  const name = typeText === undefined ? undefined : /^\*?(\w+)$/.exec(typeText)?.[1];
  if (name === undefined) fail(`whose field ${q![2]}.${field} is not a type of that package`);
  for (const f of pkg!.files) {
    const m = new RegExp(`^func \\(\\w+ \\*?${name}\\) Set\\(\\w+ string\\) error`, "m").exec(f.code);
    if (m) return { type: `${f.packageName}.${name}`, set: `${where}${f.rel}:${lineAt(f.code, m.index)}` };
  }
  return fail(`whose type ${name} has no Set method in its package`);
}

/** The packages of the module that the main package (the module's root) imports, itself included, as folders. */
function modulePackages(tree: GoTree, build: GoBuild): Map<string, Package> {
  const out = new Map<string, Package>();
  const queue = ["."];
  while (queue.length > 0) {
    const dir = queue.shift()!;
    if (out.has(dir)) continue;
    const pkg = readPackage(tree, dir, build);
    out.set(dir, pkg);
    for (const f of pkg.files)
      for (const p of f.importPaths) if (p.startsWith(`${MODULE}/`)) queue.push(p.slice(MODULE.length + 1));
  }
  return out;
}

/** The main package's calls `<qualifier>.AddFlags(kingpin.CommandLine, ...)`: each package's import path and the call's place. */
function addFlagsCalls(main: Package): { importPath: string; source: string }[] {
  return main.files.flatMap((f) =>
    [...f.code.matchAll(/\b(\w+)\.AddFlags\(\s*kingpin\.CommandLine\b/g)].map((m) => {
      const importPath = f.imports.get(m[1]);
      if (!importPath)
        throw new Error(
          `node-exporter: ${f.rel}:${lineAt(f.code, m.index)} calls ${m[1]}.AddFlags of no import`,
        );
      return { importPath, source: `${f.rel}:${lineAt(f.code, m.index)}` };
    }),
  );
}

/** The `require` lines of a go.mod (`module version`), and go.sum's `h1:` of each module's zip. */
function requirements(tree: GoTree): { module: string; version: string; sum: string }[] {
  const gomod = tree.get("go.mod")?.();
  const gosum = tree.get("go.sum")?.();
  if (gomod === undefined || gosum === undefined)
    throw new Error("node-exporter: expected go.mod and go.sum in the checkout, found none");
  return goModRequirements(gomod).map(({ module, version }) => {
    const sum = new RegExp(
      `^${module.replace(/[.]/g, "\\.")} ${version.replace(/[.]/g, "\\.")} (h1:\\S+)$`,
      "m",
    ).exec(gosum)?.[1];
    return { module, version, sum: sum ?? "" };
  });
}

/**
 * The modules whose packages main's `AddFlags` calls register flags from (node_exporter.go:202,
 * :206 at v1.10.2), at go.mod's versions with go.sum's hashes; `mount` each one's package path
 * inside it.
 */
export function nodeExporterModules(tree: GoTree): (GoModule & { packages: string[] })[] {
  const main = readPackage(tree, ".", NODE_EXPORTER_BUILDS[0]);
  const reqs = requirements(tree);
  const out = new Map<string, GoModule & { packages: string[] }>();
  for (const { importPath, source } of addFlagsCalls(main)) {
    const req = reqs
      .filter((r) => importPath === r.module || importPath.startsWith(`${r.module}/`))
      .sort((a, b) => b.module.length - a.module.length)[0];
    if (!req)
      throw new Error(
        `node-exporter: ${source} calls AddFlags of ${importPath}, which go.mod requires of no module`,
      );
    if (!req.sum) throw new Error(`node-exporter: go.sum holds no h1: hash of ${req.module} ${req.version}`);
    const m = out.get(req.module) ?? { ...req, mount: "", packages: [] };
    m.packages.push(importPath.slice(req.module.length + 1));
    out.set(req.module, m);
  }
  return [...out.values()];
}

/** Every flag of one build: node_exporter's module `tree`, and the modules `deps` (module path to tree). */
function buildRows(tree: GoTree, deps: ReadonlyMap<string, GoTree>, build: GoBuild): FlagRow[] {
  const packages = modulePackages(tree, build);
  const collectorPkg = packages.get("collector");
  const rows: FlagRow[] = [];
  const kingpin = requirements(tree).find((r) => r.module === KINGPIN_MODULE);
  if (!kingpin)
    throw new Error(`node-exporter: go.mod requires no ${KINGPIN_MODULE}, whose flags it registers`);
  const own: ValueTypes = {
    kingpin: `${kingpin.module}@${kingpin.version}`,
    setValue: (file, arg, at) =>
      setValueType(
        file,
        arg,
        at,
        (ip) => (ip.startsWith(`${MODULE}/`) ? packages.get(ip.slice(MODULE.length + 1)) : undefined),
        "",
      ),
  };
  // registerCollector's `kingpin.Flag(flagName, ...)`: a `collector.<name>` flag for each call.
  const collectors = (arg: string, at: number, file: GoFile): FlagRow[] => {
    const body = funcBody(file, "registerCollector");
    const prefix = new RegExp(`\\b${arg}\\s*:=\\s*fmt\\.Sprintf\\("([^"%]*)%s"`).exec(file.code)?.[1];
    if (!body || at < body.from || at > body.to || prefix === undefined || !collectorPkg)
      throw new Error(
        `node-exporter: the flag registered at ${file.rel}:${lineAt(file.code, at)} is named by ${arg}, which the refresh reads only as registerCollector's fmt.Sprintf("<prefix>%s", collector)`,
      );
    return collectorPkg.files.flatMap((f) =>
      [...f.code.matchAll(/(?<!func\s)\bregisterCollector\(\s*("[^"]+"|[A-Za-z_]\w*)/g)].map((c) => {
        const source = `${f.rel}:${lineAt(f.code, c.index)}`;
        // A literal name, or a string constant of the package (`registerCollector(sockStatSubsystem, ...)`).
        const name = c[1].startsWith('"') ? (JSON.parse(c[1]) as string) : collectorPkg.consts.get(c[1]);
        if (name === undefined)
          throw new Error(
            `node-exporter: ${source} names its collector by ${c[1]}, no string constant of the package`,
          );
        const row: FlagRow = {
          flag: `${prefix}${name}`,
          kind: "bool",
          type: "bool",
          set: own.kingpin,
          hidden: false,
          short: "-",
          source,
        };
        return row;
      }),
    );
  };
  for (const pkg of packages.values())
    for (const f of pkg.files)
      rows.push(...flagCalls(f, pkg, "kingpin", 0, f.code.length, own, (arg, at) => collectors(arg, at, f)));
  const main = packages.get(".")!;
  for (const mod of nodeExporterModules(tree))
    for (const dir of mod.packages) {
      const depTree = deps.get(mod.module);
      if (!depTree)
        throw new Error(`node-exporter: the files of ${mod.module} ${mod.version} were not given`);
      const pkg = readPackage(depTree, dir, build);
      const found = pkg.files.flatMap((f) => {
        const body = funcBody(f, "AddFlags");
        if (!body) return [];
        const where = `${mod.module}@${mod.version}/`;
        const types: ValueTypes = {
          kingpin: own.kingpin,
          setValue: (file, arg, at) =>
            setValueType(
              file,
              arg,
              at,
              (ip) =>
                ip.startsWith(`${mod.module}/`)
                  ? readPackage(depTree, ip.slice(mod.module.length + 1), build)
                  : undefined,
              where,
            ),
        };
        return flagCalls(f, pkg, body.param, body.from, body.to, types, (arg, at) => {
          throw new Error(
            `node-exporter: ${where}${f.rel}:${lineAt(f.code, at)} names a flag by ${arg}, no constant`,
          );
        }).map((r) => ({ ...r, source: `${where}${r.source}` }));
      });
      if (found.length === 0)
        throw new Error(`node-exporter: ${mod.module}/${dir} has no AddFlags that registers a flag`);
      rows.push(...found);
    }
  for (const f of main.files) {
    const v = /\bkingpin\.Version\(/.exec(f.code);
    if (v)
      rows.push({
        flag: "version",
        kind: "bool",
        type: "bool",
        set: own.kingpin,
        hidden: false,
        short: "-",
        source: `${f.rel}:${lineAt(f.code, v.index)}`,
      });
    const h = /\bkingpin\.HelpFlag\.Short\('(.)'\)/.exec(f.code);
    if (h)
      rows.push({
        flag: "help",
        kind: "bool",
        type: "bool",
        set: own.kingpin,
        hidden: false,
        short: h[1],
        source: `${f.rel}:${lineAt(f.code, h.index)}`,
      });
  }
  return rows;
}

/**
 * Every flag node_exporter's linux binary registers, sorted by name; a flag registered twice, or
 * builds that differ, are refused (kingpin itself panics on a duplicate flag at its parse).
 */
export function nodeExporterFlagRows(tree: GoTree, deps: ReadonlyMap<string, GoTree>): FlagRow[] {
  const key = (r: FlagRow) => [r.flag, r.kind, r.type, r.set, r.hidden, r.short, r.source].join("\t");
  const [first, ...others] = NODE_EXPORTER_BUILDS.map((b) => buildRows(tree, deps, b));
  for (const [i, rows] of others.entries()) {
    const a = new Set(first.map(key));
    const b = new Set(rows.map(key));
    const diff = [...[...a].filter((k) => !b.has(k)), ...[...b].filter((k) => !a.has(k))];
    if (diff.length > 0) {
      const { goos, goarch } = NODE_EXPORTER_BUILDS[i + 1];
      throw new Error(
        `node-exporter: the ${goos}/${goarch} build registers other flags than ${NODE_EXPORTER_BUILDS[0].goos}/${NODE_EXPORTER_BUILDS[0].goarch}: ${diff.map((d) => d.split("\t").slice(0, 1).concat(d.split("\t").at(-1)!).join(" at ")).join(", ")}`,
      );
    }
  }
  const seen = new Map<string, string>();
  for (const r of first) {
    const before = seen.get(r.flag);
    if (before !== undefined)
      throw new Error(`node-exporter: --${r.flag} is registered twice (${before} and ${r.source})`);
    seen.set(r.flag, r.source);
  }
  return [...first].sort((a, b) => (a.flag < b.flag ? -1 : a.flag > b.flag ? 1 : 0));
}

/** A directory's files as a tree (the module's Go files, go.mod and go.sum). */
function dirTree(root: string): GoTree {
  const out = new Map<string, () => string>();
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const r = rel === "" ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) walk(r);
      else if (/\.go$|^go\.(mod|sum)$/.test(r)) out.set(r, () => fs.readFileSync(path.join(root, r), "utf8"));
    }
  };
  walk("");
  return out;
}

/** A dependency's files from the Go module cache, the zip held to go.sum's hash. */
export function cachedTree(m: GoModule): GoTree {
  const file = path.join(cacheDir(), `${escapePath(m.module).replace(/\//g, "+")}@${m.version}.zip`);
  if (!fs.existsSync(file) || hashZip(readZip(fs.readFileSync(file))) !== m.sum)
    throw new Error(
      `node-exporter: ${m.module}@${m.version} (go.sum ${m.sum}) is not in the Go module cache ${cacheDir()}; npm run refresh-reference downloads it`,
    );
  const out = new Map<string, () => string>();
  for (const [rel, read] of moduleFiles([m])) out.set(rel, () => read().toString("utf8"));
  return out;
}

/** The modules a checkout's refresh reads beside it (the CLI downloads them first). */
export function nodeExporterCheckoutModules(checkout: string): GoModule[] {
  mainOf(checkout);
  return nodeExporterModules(dirTree(checkout)).map(({ module, version, sum, mount }) => ({
    module,
    version,
    sum,
    mount,
  }));
}

/**
 * The data of node_exporter's module `tree` (its Go files, go.mod and go.sum), reading the modules
 * its AddFlags calls name from `deps` (module path to files), else from the Go module cache.
 */
export function nodeExporterRefreshed(
  tree: GoTree,
  source: Source,
  deps: ReadonlyMap<string, GoTree> = new Map(
    nodeExporterModules(tree).map((m) => [m.module, cachedTree(m)]),
  ),
): Refreshed {
  const folder = nodeExporterFolder(source.tag);
  const rows = nodeExporterFlagRows(tree, deps);
  const modules = nodeExporterModules(tree).map((m) => `${m.module} ${m.version}`);
  const tsv = [
    `# source: prometheus/node_exporter ${source.tag}${source.commit ? ` (${source.commit})` : ""} with ${modules.join(", ")}: the flags its ${NODE_EXPORTER_BUILDS.map((b) => `${b.goos}/${b.goarch}`).join(" and ")} builds register`,
    NODE_EXPORTER_FLAG_COLUMNS.join("\t"),
    ...rows.map((r) => [r.flag, r.kind, r.type, r.set, String(r.hidden), r.short, r.source].join("\t")),
    "",
  ].join("\n");
  return { area: "exporters", folder, files: { "flags.tsv": tsv } };
}

/** A checkout of node_exporter holds its main package's node_exporter.go. */
function mainOf(checkout: string): void {
  if (!fs.existsSync(path.join(checkout, "node_exporter.go")))
    throw new Error(`node-exporter: expected node_exporter.go in ${checkout}, found none`);
}

export function refreshNodeExporter(checkout: string, source: Source): Refreshed {
  nodeExporterFolder(source.tag);
  mainOf(checkout);
  return nodeExporterRefreshed(dirTree(checkout), source);
}
