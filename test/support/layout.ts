import { execFileSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { cachedSync } from "./fixtureCache";
import { stronglyConnected } from "../../upstream/graph";
import { ROOMS, type Room } from "../../scripts/rooms";

// The list itself is in scripts/rooms.ts, which the environment table's generator reads too.
export { ROOMS, type Room };

/**
 * The import matrix (docs/explanation/architecture.md, "Layout"): which top-level room may import which. Imports flow one
 * way, from the foundation (contract, model, config) up through builders and plan to apply; the
 * components import only the foundation's facts, the builders and the SDK (never plan or config);
 * the pack imports only the contract; the offline synthesis, the rendered-object checks, the change
 * check, verify and the command-line entry points sit on top, and the doc generators above them.
 */
const FOUNDATION: Room[] = ["contract", "upstream", "model"];
export const MAY_IMPORT: Record<Room, readonly Room[]> = {
  contract: [],
  upstream: ["contract"],
  model: ["contract", "upstream"],
  config: [...FOUNDATION],
  builders: [...FOUNDATION, "config"],
  components: [...FOUNDATION, "builders"],
  plan: [...FOUNDATION, "config", "builders"],
  apply: [...FOUNDATION, "config", "builders", "components", "plan"],
  index: [...FOUNDATION, "config", "apply"],
  policy: ["contract"],
  synth: [...FOUNDATION, "config", "builders", "components", "plan", "apply", "policy"],
  checks: [...FOUNDATION, "config", "builders", "synth"],
  change: [...FOUNDATION, "config", "builders", "synth", "checks"],
  verify: [...FOUNDATION, "config", "builders", "plan"],
  cli: [
    ...FOUNDATION,
    "config",
    "builders",
    "components",
    "plan",
    "apply",
    "policy",
    "synth",
    "checks",
    "change",
    "verify",
  ],
  scripts: [...FOUNDATION, "config", "builders", "components", "plan", "apply", "policy", "synth", "cli"],
};

/**
 * Rooms that others may import only through some of their files: the pack's public entries (the
 * offline evaluator, the policy list, the pack itself). Its `lib/` is the pack's own business: what
 * another room needs of it belongs in the contract.
 */
export const PUBLIC_ENTRIES: Partial<Record<Room, readonly string[]>> = {
  policy: ["policy/evaluate.ts", "policy/policies.ts", "policy/index.ts"],
};

/** The room of a repository-relative path, or undefined for files outside every room (tests). */
export function roomOf(file: string): Room | undefined {
  if (file === "index.ts") return "index";
  const top = file.split("/")[0] as Room;
  return (ROOMS as readonly string[]).includes(top) && top !== "index" ? top : undefined;
}

/**
 * The program's and the pack's source files: every tracked .ts file outside test/ (git's list, so
 * a new top-level folder is seen and must be a room), or a walk of the tree outside git.
 */
export function sourceFiles(root: string): string[] {
  let files = listedSources.get(root);
  if (!files) listedSources.set(root, (files = listSources(root)));
  return [...files];
}

/**
 * {@link sourceFiles} by root, listed once per process: the layout, size and docs tests ask for the
 * checkout's list about fifteen times a run, and each `git ls-files` is a fork of a test worker
 * (10-25 ms of system time at its 0.6-1.1 GB). No test adds a source file to a checkout it lists.
 */
const listedSources = new Map<string, string[]>();

function listSources(root: string): string[] {
  const keep = (f: string) =>
    f.endsWith(".ts") &&
    !f.endsWith(".d.ts") &&
    !/^(test|node_modules|dist)\//.test(f) &&
    !/\/dist\//.test(f);
  try {
    const listed = execFileSync(
      "git",
      ["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "*.ts"],
      {
        cwd: root,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
      },
    );
    return listed.split("\0").filter((f) => f && keep(f) && fs.existsSync(path.join(root, f)));
  } catch {
    const walk = (dir: string): string[] =>
      fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
        const rel = dir ? `${dir}/${e.name}` : e.name;
        if (e.isDirectory()) return e.name.startsWith(".") || e.name === "node_modules" ? [] : walk(rel);
        return [rel];
      });
    return walk("").filter(keep);
  }
}

const CONTRACT_PACKAGE = "@homelab-observability/contract";

/** What one file imports: resolved repository files, and relative imports the check cannot follow. */
export interface ImportRefs {
  /** Repository paths (with extension) the file imports, type-only imports included. */
  files: string[];
  /** Relative specifiers that name no file (a typo, or a file outside the sources). */
  unresolved: string[];
  /** Relative imports whose path is computed at run time (a template or an expression). */
  computed: string[];
}

/**
 * What `compute` reads off one source text (its imports, its functions' lengths, its config reads),
 * kept with the test fixtures (test/support/fixtureCache.ts cachedSync) under a key of the text, its
 * path, the analysing module's own text (`analyzer`, a file) and TypeScript's version: a warm run
 * parses no source it parsed before, and a changed text or analysis computes again.
 */
export function textFacts<T>(
  kind: string,
  file: string,
  text: string,
  analyzer: string,
  compute: () => T,
): T {
  const key = crypto
    .createHash("sha256")
    .update([kind, file, ts.version, analyzerText(analyzer), text].join("\0"))
    .digest("hex");
  return cachedSync("source-facts", key, compute);
}

const analyzers = new Map<string, string>();
const analyzerText = (file: string): string => {
  if (!analyzers.has(file)) analyzers.set(file, fs.readFileSync(file, "utf8"));
  return analyzers.get(file)!;
};

/** One source text parsed by TypeScript, parent nodes set (a function's name may be its parent's). */
function parsedSource(file: string, text: string): ts.SourceFile {
  return ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
}

/** Everything the layout and size tests read off one source text. */
interface SourceFacts {
  imports: { specs: string[]; computed: string[] };
  configReads: string[];
  functionLengths: { name: string; lines: number }[];
}

/** The facts last read of each file (with its text), frozen: each file's three facts are asked in turn. */
const factsRead = new Map<string, { text: string; facts: SourceFacts }>();

/**
 * Every fact of one source text, from one parse and one fixture-cache entry ({@link textFacts}).
 * The layout test (imports, config reads) and the size test (function lengths) each walk every
 * source file, usually in different workers: with an entry per fact each parsed all of them in a
 * cold run (0.8 s of CPU per worker for 295 files), where now the first to ask fills what the other
 * reads. No tree is kept: a tree is many times its text, and each text is parsed once.
 */
function sourceFacts(file: string, text: string): SourceFacts {
  const hit = factsRead.get(file);
  if (hit?.text === text) return hit.facts;
  const facts = textFacts("source-facts", file, text, __filename, () => {
    const sf = parsedSource(file, text);
    return {
      imports: importSpecs(sf),
      configReads: configReadsParsed(sf),
      functionLengths: measuredFunctions(file, sf),
    };
  });
  factsRead.set(file, { text, facts: frozen(facts) });
  return facts;
}

/** `value` and everything in it frozen: every caller of a file's facts gets the same arrays. */
function frozen<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) frozen(v);
  }
  return value;
}

/** Every function of a source file (declarations, methods, arrows, expressions) with its length in lines. */
export function functionLengths(file: string, text: string): readonly { name: string; lines: number }[] {
  return sourceFacts(file, text).functionLengths;
}

function measuredFunctions(file: string, src: ts.SourceFile): { name: string; lines: number }[] {
  const out: { name: string; lines: number }[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isFunctionLike(n) && "body" in n && n.body) {
      const from = src.getLineAndCharacterOfPosition(n.getStart(src)).line;
      const to = src.getLineAndCharacterOfPosition(n.getEnd()).line;
      const named = (n as { name?: ts.Node }).name ?? (n.parent as { name?: ts.Node }).name;
      out.push({ name: `${file}:${from + 1} ${named?.getText(src) ?? "(anonymous)"}`, lines: to - from + 1 });
    }
    ts.forEachChild(n, visit);
  };
  visit(src);
  return out;
}

/**
 * The imports of one source text, read by TypeScript's own parser: `import`/`export ... from`,
 * `import x = require(...)`, `require(...)` and `import(...)` calls. A specifier ending in `.js`
 * names the `.ts` it compiles from (TypeScript's resolution), and a `.json` or other data file
 * counts as a file of the room it lies in.
 */
export function importRefs(file: string, text: string, exists: (f: string) => boolean): ImportRefs {
  const out: ImportRefs = { files: [], unresolved: [], computed: [] };
  const { specs, computed } = sourceFacts(file, text).imports;
  for (const spec of specs) {
    if (spec === CONTRACT_PACKAGE) {
      out.files.push("contract/index.ts");
      continue;
    }
    if (!spec.startsWith(".")) continue;
    const base = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
    const candidates = /\.(js|ts)$/.test(base)
      ? [base.replace(/\.js$/, ".ts"), base]
      : [base, `${base}.ts`, `${base}/index.ts`];
    const hit =
      candidates.find(exists) ?? (/\.[a-z]+$/.test(base) && !/\.(js|ts)$/.test(base) ? base : undefined);
    if (hit) out.files.push(hit);
    else out.unresolved.push(spec);
  }
  out.computed.push(...computed);
  return out;
}

/** The module specifiers a text names, in order, and the computed ones' source text (see importRefs). */
function importSpecs(sf: ts.SourceFile): { specs: string[]; computed: string[] } {
  const out = { specs: [] as string[], computed: [] as string[] };
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier)
      out.specs.push((node.moduleSpecifier as ts.StringLiteral).text);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      const e = node.moduleReference.expression;
      if (ts.isStringLiteralLike(e)) out.specs.push(e.text);
    } else if (
      ts.isCallExpression(node) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(node.expression) && node.expression.text === "require")) &&
      node.arguments.length > 0
    ) {
      const a = node.arguments[0];
      if (ts.isStringLiteralLike(a)) out.specs.push(a.text);
      else {
        // Computed: a package path (`kubernetes-models/${v}`) is no room's business; a relative
        // one could import anything, so the check cannot vouch for it.
        const head = ts.isTemplateExpression(a) ? a.head.text : "";
        if (head.startsWith(".") || !ts.isTemplateExpression(a)) out.computed.push(a.getText(sf));
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** The repository files (with extension) a source text imports, type-only imports included. */
export function importsOf(file: string, text: string, exists: (f: string) => boolean): string[] {
  return importRefs(file, text, exists).files;
}

export interface Violation {
  from: string;
  to: string;
  why: string;
}

/** Imports that break the matrix, and cycles among files. `files` maps a path to its text. */
export function layoutViolations(files: Map<string, string>): { wrongWay: Violation[]; cycles: string[][] } {
  const exists = (f: string) => files.has(f);
  const graph = new Map<string, string[]>();
  const wrongWay: Violation[] = [];
  for (const [file, text] of files) {
    const refs = importRefs(file, text, exists);
    const to = refs.files;
    graph.set(file, to);
    for (const spec of refs.unresolved)
      wrongWay.push({ from: file, to: spec, why: "names no source file, so the check cannot follow it" });
    for (const expr of refs.computed)
      wrongWay.push({ from: file, to: expr, why: "a computed import: name the module with a string" });
    const from = roomOf(file);
    if (!from) continue;
    for (const t of to) {
      const room = roomOf(t);
      if (!room || room === from) continue;
      if (!MAY_IMPORT[from].includes(room))
        wrongWay.push({
          from: file,
          to: t,
          why: `${from} may import only ${MAY_IMPORT[from].join(", ") || "nothing"}`,
        });
      else if (PUBLIC_ENTRIES[room] && !PUBLIC_ENTRIES[room].includes(t))
        wrongWay.push({
          from: file,
          to: t,
          why: `${room} is imported only through ${PUBLIC_ENTRIES[room].join(", ")}`,
        });
    }
  }
  return { wrongWay, cycles: cyclesOf(graph) };
}

/** Strongly connected components with more than one file (Tarjan's, upstream/graph.ts), each sorted. */
export function cyclesOf(graph: Map<string, string[]>): string[][] {
  return stronglyConnected(graph)
    .filter((c) => c.length > 1)
    .map((c) => c.sort());
}

/** Every source file of the tree at `root`, read. */
export function readSources(root: string): Map<string, string> {
  return new Map(sourceFiles(root).map((f) => [f, fs.readFileSync(path.join(root, f), "utf8")]));
}

/** Identifiers that read the stack's config or the Pulumi runtime's project and stack. */
const RUNTIME_READERS = new Set(["getProject", "getStack", "allConfig", "getConfig"]);

/**
 * Where a file reads the stack config or the environment itself, as "line: what": `pulumi.Config`
 * (or any `x.Config`), `new Config(...)`, `process.env`, `getProject`/`getStack` and the runtime's
 * `allConfig`/`getConfig`. Read from the syntax tree, so comments and strings never count.
 */
export function configReads(file: string, text: string): readonly string[] {
  return sourceFacts(file, text).configReads;
}

function configReadsParsed(sf: ts.SourceFile): string[] {
  const found: string[] = [];
  const at = (n: ts.Node, what: string) =>
    found.push(`${sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1}: ${what}`);
  const visit = (n: ts.Node): void => {
    if (
      (ts.isPropertyAccessExpression(n) && n.name.text === "Config") ||
      (ts.isQualifiedName(n) && n.right.text === "Config")
    )
      at(n, n.getText(sf));
    else if (ts.isNewExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === "Config")
      at(n, "new Config(...)");
    else if (
      ts.isPropertyAccessExpression(n) &&
      ts.isIdentifier(n.expression) &&
      n.expression.text === "process" &&
      n.name.text === "env"
    )
      at(n, "process.env");
    else if (ts.isIdentifier(n) && RUNTIME_READERS.has(n.text)) at(n, n.text);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return found;
}
