import * as fs from "fs";
import * as path from "path";
import type * as TS from "typescript";

/**
 * The compiler options @pulumi/pulumi's cmd/run passes its ts-node registration before the
 * project's own (node_modules/@pulumi/pulumi/cmd/run/run.js, `options.compilerOptions` for
 * TypeScript >= 4.7): the project's tsconfig.json options are spread over these.
 */
const PULUMI_DEFAULTS = {
  target: "ES2020",
  module: "nodenext",
  moduleResolution: "nodenext",
  sourceMap: "true",
};

/**
 * The node arguments and environment ({@link PulumiChild}) that run `entry` (a `.ts` file, or a
 * directory required through its package.json `main`) in a fresh process from `cwd` with only
 * TypeScript registered the way @pulumi/pulumi's
 * cmd/run and cmd/run-policy-pack do for a `typescript: true` project: its ts-node choice (the
 * project's, else the vendored one), type checking on, tsconfig.json of `cwd` when there is one,
 * else Pulumi's defaults. No other loader is registered, so every project file the entry loads is
 * compiled by Pulumi's ts-node, as under `pulumi up` and `pulumi preview --policy-pack`.
 */
export function pulumiNode(root: string, entry: string, cwd: string, ...args: string[]): PulumiChild {
  return registered(root, entry, cwd, true, args);
}

/**
 * As {@link pulumiNode} with ts-node's `transpileOnly` (what `PULUMI_NODEJS_TRANSPILE_ONLY=true`
 * or `noCheck` selects in cmd/run/run.js): the same loader, module format and emit, without the
 * language service's type check. For a program whose type check under Pulumi's options is proven
 * to be the one `npm run typecheck` runs (tsc; CI runs it; {@link pulumiTypeCheckOptions}), that check
 * is not repeated.
 */
export function pulumiNodeTranspileOnly(
  root: string,
  entry: string,
  cwd: string,
  ...args: string[]
): PulumiChild {
  return registered(root, entry, cwd, false, args);
}

/** A child's node arguments and its environment ({@link childEnv}): start it with both. */
export interface PulumiChild {
  args: string[];
  env: NodeJS.ProcessEnv;
}

/**
 * The environment of a child {@link registered} starts: this process's, with Node's compile cache
 * (NODE_COMPILE_CACHE, set by .mocharc.cjs) in a folder of its own for each registration. Node keys a module's cached code by its file name and drops it
 * when the text differs: ts-node's output for a project `.ts` file is not tsx's (the test workers'),
 * so in one folder the child found the workers' code for every project file it loaded, compiled it
 * again and wrote its own over it, and the workers did the same the next run
 * (NODE_DEBUG_NATIVE=COMPILE_CACHE: "code size mismatch" for synth/synthesize.ts and about 140
 * more). Measured on the entry-point child (test/support/entrypoint.ts, one case) after a tsx load
 * of the same files, seven runs each alternating on this 2-core machine: median 2.88 s of CPU in
 * the shared folder, 2.62 s in its own. The two registrations (type check on or off, each with
 * the tsconfig.json of its folder) emit differently too.
 */
function childEnv(cwd: string, typeCheck: boolean): NodeJS.ProcessEnv {
  const shared = process.env.NODE_COMPILE_CACHE;
  if (shared === undefined) return process.env;
  const name = `${typeCheck ? "checked" : "transpiled"}-${path.basename(cwd)}`;
  return {
    ...process.env,
    NODE_COMPILE_CACHE: path.join(`${shared}-ts-node`, name),
    // ts-node's own cache of what it compiled, beside Node's and inside the checkout, where it
    // kept it under os.tmpdir() (vendor/ts-node@7.0.1/index.js:2762, 2813-2820): outside the
    // checkout a fresh clone's "cold" run found the last clone's on the same machine, and its
    // figure left out the type check and transpile of index.ts and the pack (found last round: up
    // to ~19 s of CPU). Keyed inside by the compiler options (index.js:2854), one folder for all.
    TS_NODE_CACHE_DIRECTORY: process.env.TS_NODE_CACHE_DIRECTORY ?? path.join(`${shared}-ts-node`, "ts-node"),
  };
}

function registered(
  root: string,
  entry: string,
  cwd: string,
  typeCheck: boolean,
  args: string[],
): PulumiChild {
  // A child the test ends (the pack of packLive.test.ts, `child.kill()`: SIGTERM) exits through
  // Node's exit path: Node writes the code its compile cache gathered only when the process exits,
  // never when a signal ends it, so the pack's folder stayed empty and every run compiled its ~880
  // modules again (NODE_DEBUG_NATIVE=COMPILE_CACHE: "was not initialized" for each). Measured on
  // packLive.test.ts alone, warm, CPU of it and every process it started (reaped), three runs each
  // alternating: median 9.95 -> 9.18 s.
  const code = `
    const fs = require("fs");
    process.chdir(${JSON.stringify(cwd)});
    const tsutils = require(${JSON.stringify(path.join(root, "node_modules/@pulumi/pulumi/tsutils.js"))});
    const { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings();
    require(tsnodeRequire).register({
      typeCheck: ${typeCheck},
      transpileOnly: ${!typeCheck},
      skipProject: !fs.existsSync("tsconfig.json"),
      compiler: typescriptRequire,
      compilerOptions: {
        ...${JSON.stringify(PULUMI_DEFAULTS)},
        ...tsutils.loadTypeScriptCompilerOptions("tsconfig.json"),
      },
    });
    process.once("SIGTERM", () => process.exit(143));
    process.argv = [process.argv[0], ${JSON.stringify(entry)}, ...process.argv.slice(1)];
    require(${JSON.stringify(entry)});`;
  return { args: ["-e", code, ...args], env: childEnv(cwd, typeCheck) };
}

/**
 * The options Pulumi's ts-node type-checks a project in `cwd` with, beside the options tsc
 * (`npm run typecheck`) checks it with (tsconfig.json of `cwd`). Resolved as the vendored ts-node 7.0.1 does it
 * (node_modules/@pulumi/pulumi/vendor/ts-node@7.0.1/index.js `readConfig`: the tsconfig.json file,
 * its compilerOptions overridden by the registration's, then by ts-node's own emit defaults
 * `DEFAULT_COMPILER_OPTIONS`, parsed by `ts.parseJsonConfigFileContent`), with TypeScript chosen as
 * tsutils.typeScriptRequireStrings() chooses it. ts-node's defaults are read from its own module
 * text (the object literal), not restated here.
 */
export function pulumiTypeCheckOptions(
  root: string,
  cwd: string,
): { ts: typeof TS; tsc: TS.CompilerOptions; tsNode: TS.CompilerOptions; tsNodeFile: string } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const tsutils = require(path.join(root, "node_modules/@pulumi/pulumi/tsutils.js"));
  const { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ts = require(typescriptRequire) as typeof TS;
  const tsNodeFile = require.resolve(tsnodeRequire);
  const text = fs.readFileSync(tsNodeFile, "utf8");
  const literal = /var DEFAULT_COMPILER_OPTIONS = (\{[^}]*\});/.exec(text);
  if (!literal) throw new Error(`${tsNodeFile}: no DEFAULT_COMPILER_OPTIONS literal (another ts-node?)`);
  // A plain object literal of booleans and strings with unquoted keys: JSON once they are quoted.
  const tsNodeDefaults = JSON.parse(literal[1].replace(/(\w+):/g, '"$1":')) as Record<string, unknown>;
  const configFile = path.join(cwd, "tsconfig.json");
  const read = ts.readConfigFile(configFile, (f) => ts.sys.readFile(f));
  if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, "\n"));
  const parse = (compilerOptions: Record<string, unknown>) =>
    ts.parseJsonConfigFileContent({ ...read.config, compilerOptions }, ts.sys, cwd, undefined, configFile)
      .options;
  const own = (read.config.compilerOptions ?? {}) as Record<string, unknown>;
  return {
    ts,
    tsc: parse(own),
    tsNode: parse({
      ...own,
      ...PULUMI_DEFAULTS,
      ...tsutils.loadTypeScriptCompilerOptions(configFile),
      ...tsNodeDefaults,
    }),
    tsNodeFile,
  };
}
