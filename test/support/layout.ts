import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

/**
 * The import matrix (README "Layout"): which top-level room may import which. Imports flow one
 * way, from the foundation (contract, model, config) up through builders and plan to apply; the
 * components import only the foundation's facts, the builders and the SDK (never plan or config);
 * the pack imports only the contract; the offline preview and the scripts sit on top.
 */
export const ROOMS = [
  "contract",
  "model",
  "config",
  "builders",
  "components",
  "plan",
  "apply",
  "index",
  "policy",
  "preview",
  "scripts",
] as const;
export type Room = (typeof ROOMS)[number];

const FOUNDATION: Room[] = ["contract", "model"];
export const MAY_IMPORT: Record<Room, readonly Room[]> = {
  contract: [],
  model: ["contract"],
  config: [...FOUNDATION],
  builders: [...FOUNDATION, "config"],
  components: [...FOUNDATION, "builders"],
  plan: [...FOUNDATION, "config", "builders"],
  apply: [...FOUNDATION, "config", "builders", "components", "plan"],
  index: [...FOUNDATION, "config", "apply"],
  policy: ["contract"],
  preview: [...FOUNDATION, "config", "builders", "components", "plan", "apply", "policy"],
  scripts: [...FOUNDATION, "config", "builders", "components", "plan", "apply", "policy", "preview"],
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

/** The program's and the pack's source files: every room's .ts files, tests and build output aside. */
export function sourceFiles(root: string): string[] {
  const walk = (dir: string): string[] =>
    fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
      const rel = dir ? `${dir}/${e.name}` : e.name;
      if (e.isDirectory()) return ["node_modules", "dist", "test"].includes(e.name) ? [] : walk(rel);
      return e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [rel] : [];
    });
  return [
    "index.ts",
    ...ROOMS.filter((r) => r !== "index" && fs.existsSync(path.join(root, r))).flatMap((r) => walk(r)),
  ];
}

const SPECIFIER = /(?:\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)"([^"]+)"/gm;
const CONTRACT_PACKAGE = "@homelab-observability/contract";

/** The repository files (with extension) a source text imports, type-only imports included. */
export function importsOf(file: string, text: string, exists: (f: string) => boolean): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(SPECIFIER)) {
    const spec = m[1];
    if (spec === CONTRACT_PACKAGE) {
      out.push("contract/index.ts");
      continue;
    }
    if (!spec.startsWith(".")) continue;
    const base = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
    const hit = [base, `${base}.ts`, `${base}/index.ts`].find(exists);
    if (hit) out.push(hit);
  }
  return out;
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
    const to = importsOf(file, text, exists);
    graph.set(file, to);
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

/** Strongly connected components with more than one file (Tarjan), each sorted. */
export function cyclesOf(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
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
export function configReads(file: string, text: string): string[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
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
