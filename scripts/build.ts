/**
 * The build: every source file of the two projects (contract/ into contract/dist/, the program,
 * pack and CLIs into dist/) transpiled one file to one file with esbuild, the transform tsx runs
 * for the tests, into the paths `tsc -b contract .` writes, with the JSON files the sources import
 * (tsc's resolveJsonModule copies them too). Type checking is not the build's: `npm run typecheck`
 * (tsc) runs it, CI runs that, and the editor shows the same errors as they are typed. Why: in a
 * fresh clone `tsc -b` took 12-20 s of wall and 18 s of CPU on two cores before the first
 * `npm run synth` or `npm test` could start; this takes under a second (issue 51). The output is
 * the same program: tsconfig.json has isolatedModules, so every file compiles on its own, and the
 * tests already run these transforms through tsx. The published pack is still compiled by tsc
 * (`npm run test:published`), declarations included.
 *
 *   node --import tsx scripts/build.ts
 *
 * Writes dist/.build-stamp last: scripts/build-if-stale.sh builds again when any input is newer.
 */
import * as fs from "fs";
import * as path from "path";
import { buildSync, formatMessagesSync, type BuildOptions, type Message } from "esbuild";
import { BUNDLED, bundleOf, entryOf, entryText } from "../cli/bundled";
import { internalErrorText } from "../cli/internalError";

const ROOT = path.resolve(__dirname, "..");
/** The stamp scripts/build-if-stale.sh compares the sources with. */
export const STAMP = path.join("dist", ".build-stamp");

/** Every `.ts` file (not `.d.ts`) under `dir`, relative to the root. */
function tsFiles(dir: string): string[] {
  const abs = path.join(ROOT, dir);
  if (!fs.existsSync(abs)) return [];
  if (fs.statSync(abs).isFile()) return dir.endsWith(".ts") && !dir.endsWith(".d.ts") ? [dir] : [];
  return fs.readdirSync(abs, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === "dist" || e.name === "node_modules" ? [] : tsFiles(p);
    return e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [p] : [];
  });
}

/**
 * The root project's inputs: tsconfig.json's include, each pattern's first segment (a file or a
 * folder whose `.ts` files it takes), without test/: the tests run from source through tsx, and
 * nothing runs their compiled form.
 */
export function rootInputs(): string[] {
  const tsconfig = JSON.parse(fs.readFileSync(path.join(ROOT, "tsconfig.json"), "utf8"));
  const roots = [...new Set((tsconfig.include as string[]).map((p) => p.split("/")[0]))];
  return roots.filter((r) => r !== "test").flatMap(tsFiles);
}

/** Relative JSON files a source imports (an import statement of a `.json` path): tsc copies those. */
function importedJson(file: string): string[] {
  const text = fs.readFileSync(path.join(ROOT, file), "utf8");
  const out: string[] = [];
  for (const m of text.matchAll(/^import\s[^;]*?\sfrom\s+["'](\.{1,2}\/[^"']+\.json)["']/gm))
    out.push(path.join(path.dirname(file), m[1]));
  return out;
}

const COMMON: BuildOptions = {
  absWorkingDir: ROOT,
  outbase: ".",
  format: "cjs",
  platform: "node",
  // tsconfig.json's target: the same class-field and syntax lowering as tsc's output.
  target: "es2022",
  // `import()` becomes a `require` behind a promise, as tsc writes it for CommonJS (and tsx runs
  // it): Node's ESM loader, which a real `import()` goes through, takes no extensionless path.
  supported: { "dynamic-import": false },
  sourcemap: true,
  // Said by {@link compile} and {@link buildExit}: a failed build's messages come with the one
  // closing line every command ends with, not only as the rejection Node prints as a stack trace.
  logLevel: "silent",
  write: true,
};

/** esbuild's messages as esbuild prints them (`file:line:col`, the line, the caret). */
function formatted(messages: Message[], kind: "error" | "warning"): string {
  return formatMessagesSync(messages, { kind, color: false }).join("");
}

/** One esbuild build, its warnings said on stderr as esbuild says them. */
function compile(options: BuildOptions): void {
  const r = buildSync(options);
  if (r.warnings.length > 0) process.stderr.write(formatted(r.warnings, "warning"));
}

/** Whether `e` is esbuild's failure of a build (its `errors`, each with its place in the source). */
function buildFailure(e: unknown): e is { errors: Message[]; warnings: Message[] } {
  return typeof e === "object" && e !== null && Array.isArray((e as { errors?: unknown }).errors);
}

/**
 * Removes the contract's declarations and tsc's build info from `dir` (contract/dist/). Only
 * `tsc -b contract` writes declarations (npm pack's prepack, `npm run test:published`); this build
 * rewrites the JavaScript from newer sources, so declarations an earlier tsc left there describe an
 * older contract, and whatever type-checks against the package reads them (Pulumi's ts-node loading
 * policy/, test/policy/packLive.test.ts: "has no exported member" for every export added since).
 * Without them TypeScript resolves the contract's sources, as in a fresh clone; without the build
 * info the next `tsc -b contract` writes them all again. Returns the names removed.
 */
export function dropDeclarations(dir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const gone = names.filter((f) => f.endsWith(".d.ts") || f.endsWith(".tsbuildinfo"));
  for (const f of gone) fs.rmSync(path.join(dir, f), { force: true });
  return gone;
}

export function build(): void {
  dropDeclarations(path.join(ROOT, "contract", "dist"));
  // contract/: its own project (contract/tsconfig.json, rootDir "."), into contract/dist/.
  compile({
    ...COMMON,
    entryPoints: tsFiles("contract").filter((f) => path.dirname(f) === "contract"),
    outbase: "contract",
    outdir: "contract/dist",
    tsconfig: "contract/tsconfig.json",
  });
  const files = rootInputs();
  compile({ ...COMMON, entryPoints: files, outdir: "dist", tsconfig: "tsconfig.json" });
  for (const json of new Set(files.flatMap(importedJson))) {
    const to = path.join(ROOT, "dist", json);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.copyFileSync(path.join(ROOT, json), to);
  }
  // The commands a user waits on (cli/bundled.ts), each one file in dist/bin/: a process that
  // starts `npm run synth` otherwise loads about 180 of the project's modules and 100 of yaml's,
  // js-yaml's and zod's, each resolved, read and wrapped on its own (about 25 ms of a 330 ms
  // synthesis). The SDK packages stay outside: the start-up shortcut (cli/sdkStartup.ts) works on
  // Node's loading of them, and `@pulumi/*` reads its own files at run time.
  compile({
    ...COMMON,
    entryPoints: [...BUNDLED],
    outdir: path.dirname(bundleOf(BUNDLED[0])!),
    entryNames: "[name].bundle",
    tsconfig: "tsconfig.json",
    bundle: true,
    external: BUNDLE_EXTERNAL,
  });
  // Each bundle's entry, which runs it with V8's code from an earlier run (cli/bundled.ts entryText).
  for (const file of BUNDLED) fs.writeFileSync(path.join(ROOT, entryOf(file)!), entryText(file));
  fs.writeFileSync(path.join(ROOT, STAMP), `${new Date().toISOString()}\n`);
}

/** What the bundles load from node_modules at run time rather than hold. */
const BUNDLE_EXTERNAL = [
  "@pulumi/*",
  "@1password/*",
  "google-protobuf",
  "@grpc/*",
  "typescript",
  "esbuild",
  "tsx",
];

/**
 * Runs `run` (the build) as a command: 0 when it builds; on a source esbuild cannot compile (a slip
 * in model/versions.ts), esbuild's messages, each at its `file:line:col`, then one closing line,
 * 2; anything else one line saying where its trace went (cli/internalError.ts), 2. Never throws:
 * an uncaught rejection ended the build with Node's stack trace and exit 1, which reads as a
 * finding (docs/reference/cli.md: 2 is a program error).
 */
export function buildExit(run: () => void, err: (text: string) => void): number {
  try {
    run();
    return 0;
  } catch (e) {
    if (!buildFailure(e)) {
      err(`${internalErrorText("build", e)}\n`);
      err("build: FAIL (exit 2): an unexpected error (above)\n");
      return 2;
    }
    err(formatted(e.warnings, "warning") + formatted(e.errors, "error"));
    const n = e.errors.length;
    err(`build: FAIL (exit 2): ${n} ${n === 1 ? "error" : "errors"} in the sources (above)\n`);
    return 2;
  }
}

if (require.main === module) process.exitCode = buildExit(build, (t) => process.stderr.write(t));
