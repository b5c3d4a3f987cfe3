/**
 * Runs a command's bundle (cli/bundled.ts) as Node would require it, with V8's code for it kept on
 * disk from an earlier run. Why not Node's compile cache (`module.enableCompileCache`, which the
 * bundle itself turns on for the SDK modules it loads): Node stores a module's code as it is right
 * after compiling it, before it runs, which holds only the functions V8 compiles eagerly; every
 * other function the run calls is compiled again by each run. Here the code is taken after a whole
 * run (`vm.Script#createCachedData` at exit), so it holds every function that run compiled.
 * Measured on `synth --stack production` (warm render and check caches, --max-opt=2 and the 64 MB
 * young generation as npm runs it, 11 runs each alternating): wall median 0.43 s requiring the
 * bundle with Node's compile cache on, 0.38 s through this loader; CPU 0.38 s against 0.35 s.
 *
 * V8 accepts cached code for any source of the same length (its check is the length, the V8
 * version and the flags), so the file is named by the bundle's content (sha256, 1.5 ms for the
 * 2.3 MB synth bundle) as well as the Node version and the process's Node options: a rebuilt bundle
 * never runs another build's code. The code is written only by a run that found none, or found it
 * refused, and exits 0; through a temporary file renamed into place, so that a reader never sees
 * half of one; a temporary file whose writer was killed before the rename is removed by the next
 * run that writes code (removeOrphans).
 * Any failure to read or write it is only a slower start. Deleting the folder is always safe.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as vm from "vm";
import Module from "module";

/** Node's module internals this loader stands in for, as `Module._load` uses them. */
export interface ModuleInternals {
  new (id: string, parent?: NodeJS.Module): NodeJS.Module;
  _cache: Record<string, NodeJS.Module>;
  _nodeModulePaths(dir: string): string[];
  _resolveFilename(request: string, parent: NodeJS.Module, isMain: boolean, options?: unknown): string;
  _resolveLookupPaths(request: string, parent: NodeJS.Module): string[] | null;
  wrap(source: string): string;
}
const Internals = Module as unknown as ModuleInternals;

/**
 * The process's Node and V8 options (its own and NODE_OPTIONS), as V8 checks cached code against
 * its flags (a run with other flags would refuse the code, and write its own over it): without the
 * values that name files (a test's `--require <probe>` in a folder of its own), which would give
 * every such run a file of its own.
 */
function runtimeFlags(): string[] {
  // NODE_OPTIONS too: the test workers pass theirs on to the commands they start (.mocharc.cjs).
  const options = (process.env.NODE_OPTIONS ?? "").split(/\s+/);
  return [...process.execArgv, "\0", ...options].filter((a) => a === "\0" || /^--[\w-]+(=[^/\\]*)?$/.test(a));
}

/** The cached code's file for this bundle's bytes under this Node and its options. */
export function codeCacheFile(bundle: string, bytes: Buffer, cacheDir: string): string {
  const content = crypto.createHash("sha256").update(bytes).digest("hex").slice(0, 32);
  const runtime = crypto
    .createHash("sha256")
    .update(`${process.version}\0${process.arch}\0${runtimeFlags().join("\0")}`)
    .digest("hex")
    .slice(0, 16);
  return path.join(cacheDir, `${path.basename(bundle, ".js")}-${content}-${runtime}.code`);
}

/** Writes the script's code now (after the run), and drops this bundle's files of other builds. */
function saveCode(script: vm.Script, file: string): void {
  try {
    const code = script.createCachedData();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, code);
    fs.renameSync(tmp, file);
    // The same bundle's code of an older build is never read again: `<name>-<content>-…`.
    const [name, content] = path.basename(file).split("-");
    for (const f of fs.readdirSync(path.dirname(file)))
      if (f.startsWith(`${name}-`) && f.endsWith(".code") && f.split("-")[1] !== content)
        fs.rmSync(path.join(path.dirname(file), f), { force: true });
    removeOrphans(path.dirname(file));
  } catch {
    // A folder that cannot be written: the next run compiles again.
  }
}

/** A temporary code file's name: `<code file>.<pid of its writer>.tmp`, as saveCode names it. */
const TEMPORARY = /^.+\.code\.(\d+)\.tmp$/;

/**
 * Whether a process with this id runs now (signal 0 checks without sending anything). The
 * program's rooms ask config/processes.ts; this loader keeps its own, since it runs before the
 * bundle and loads none of the project's modules (test/cli/cliSmoke.test.ts).
 */
function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it runs, under another user. Only ESRCH says that no such process exists.
    return (e as NodeJS.ErrnoException).code !== "ESRCH";
  }
}

/**
 * Removes the temporary files in `dir` whose writer no longer runs: a process killed between
 * writing one and renaming it leaves it behind, and no later run would write that name again.
 * A file whose writer still runs is kept, since it may be about to be renamed; a writer's id
 * taken again by another process only keeps its file until that one ends.
 */
export function removeOrphans(dir: string, runs: (pid: number) => boolean = processRuns): void {
  for (const f of fs.readdirSync(dir)) {
    const pid = TEMPORARY.exec(f)?.[1];
    if (pid !== undefined && Number(pid) !== process.pid && !runs(Number(pid)))
      fs.rmSync(path.join(dir, f), { force: true });
  }
}

/**
 * Runs `bundle` (an absolute path) as a CommonJS module, as `require(bundle)` would from `parent`:
 * its own module object in Node's cache, a `require` of its own (with `resolve` and `cache`), its
 * `__filename` and `__dirname`, and `import()` as Node's loader does it. False, with nothing run,
 * when this Node lacks one of the internals it stands in for, or the run has source maps on: the
 * entry then requires the bundle by its name (cli/bundled.ts entryText), so every import stays a
 * string the layout check follows.
 */
export function runBundle(
  bundle: string,
  cacheDir: string,
  parent?: NodeJS.Module,
  internals: Partial<ModuleInternals> = Internals,
): boolean {
  // Node's internals this stands in for, as Node 22 has them (`internals`: Node's, a test's without one).
  const internal = ["_cache", "_nodeModulePaths", "_resolveFilename", "_resolveLookupPaths", "wrap"] as const;
  if (internal.some((k) => internals[k] === undefined)) return false;
  // Node maps a required module's positions through its source map (--enable-source-maps), never a
  // vm.Script's: a run asking for them gets the bundle required, its errors pointing into the sources.
  if (process.sourceMapsEnabled) return false;
  const bytes = fs.readFileSync(bundle);
  const file = codeCacheFile(bundle, bytes, cacheDir);
  let cached: Buffer | undefined;
  try {
    cached = fs.readFileSync(file);
  } catch {
    cached = undefined;
  }
  const script = new vm.Script(Internals.wrap(bytes.toString("utf8")), {
    filename: bundle,
    cachedData: cached,
    // import() as in a module Node loads: without it, every import() in the bundle is refused
    // (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING).
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  // Only a run that succeeds writes it: it is written once per build, and a run stopped early (a
  // usage error) holds half of a whole run's functions (0.9 MB of the production synthesis's 1.8).
  if (cached === undefined || script.cachedDataRejected === true)
    process.once("exit", (code) => {
      if (code === 0) saveCode(script, file);
    });
  const m = new Internals(bundle, parent);
  m.filename = bundle;
  m.paths = Internals._nodeModulePaths(path.dirname(bundle));
  Internals._cache[bundle] = m;
  // As Node makes a module's `require` (lib/internal/modules/helpers.js makeRequireFunction).
  const resolve = ((request: string, options?: { paths?: string[] }) =>
    Internals._resolveFilename(request, m, false, options)) as NodeJS.RequireResolve;
  resolve.paths = (request: string) => Internals._resolveLookupPaths(request, m);
  const req = ((id: string) => m.require(id)) as NodeJS.Require;
  req.resolve = resolve;
  req.cache = require.cache;
  req.main = require.main;
  req.extensions = require.extensions;
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  // As Module._load: a finally, not a catch that throws again, so that Node reports an uncaught
  // error at the bundle's line that threw it rather than at this file's.
  let threw = true;
  try {
    wrapper.call(m.exports, m.exports, req, m, bundle, path.dirname(bundle));
    threw = false;
  } finally {
    if (threw) delete Internals._cache[bundle];
  }
  m.loaded = true;
  return true;
}
