// mocha's configuration. Three parallel workers on two cores: a third of the suite's time is waiting
// on the processes tests start (Helm, the Debian servers, spawned CLIs), which a third worker fills
// (warm suite on this 2-core machine: 67 s with two workers, 55-59 s with three, 60 s with four); with
// no test file on the command line (`npm test`, `npm run test:timings`) the spec is every
// test/**/*.test.ts, slowest first by the last whole-suite run of the same kind, warm or cold
// (node_modules/.cache/homelab-tests/timings.json and timings-cold.json, written by
// test/support/timings.ts), else by test/file-costs.json (a fresh clone's cold run and the warm run
// after it), with the files that mostly wait on servers spread apart (test/support/specOrder.cjs):
// workers take files in this order, so a long file started last would leave one core idle at the
// end. With a file on the command line (`npx mocha --no-parallel test/x.test.ts`) only that file runs.
const path = require("path");

const { slowestFirst } = require("./test/support/specOrder.cjs");
/**
 * Where the reporter keeps the last runs' figures and whether this run is warm, from the module that
 * defines both (cli/suiteTimings.ts, TypeScript: tsx's scoped require, nothing registered here).
 * Read only for a whole-suite run.
 */
function sources() {
  const suiteTimings = require("tsx/cjs/api").require("./cli/suiteTimings.ts", __filename);
  return {
    timings: suiteTimings.TIMINGS_FILE,
    coldTimings: suiteTimings.COLD_TIMINGS_FILE,
    committed: path.join(__dirname, "test/file-costs.json"),
    warm: !suiteTimings.runCachesEmpty(),
  };
}
/** Parallel workers (the reason is at the top); the spec order is planned for this many. */
const JOBS = 3;

// Node's own compile cache (module.enableCompileCache, Node 22.1+: V8's code for every module
// loaded, reused by the next process that loads the same text) for this process, the workers and
// every node a test starts (they inherit NODE_COMPILE_CACHE): each of them loads the SDK, and the
// workers the project through tsx. Measured on one small test file: 3.5 s of CPU -> 3.1 s.
// Deleting the folder is always safe; a cold run fills it.
// The CLIs' folder (cli/startup.ts): the tests and the CLIs they start share the code compiled. Not
// under homelab-tests, whose folders are the fixture cache's kinds (a run with one there is warm).
const compileCache = path.join(__dirname, "node_modules", ".cache", "homelab-observability", "node-compile");
if (process.env.NODE_COMPILE_CACHE === undefined) process.env.NODE_COMPILE_CACHE = compileCache;
require("module").enableCompileCache?.(process.env.NODE_COMPILE_CACHE);

// A larger young generation for the workers and every node a test starts (they inherit
// NODE_OPTIONS): V8's --max-semi-space-size, in MB. The tests allocate large short-lived values (stack
// exports, rendered releases, fixture-cache JSON), and garbage collection was about a tenth of the
// workers' CPU; with bigger semi-spaces fewer of them survive into the old generation. Measured warm
// on this 2-core machine, alternating: 75.9 and 77.0 s of CPU without, 70.7 and 72.8 s with 64 (70.3 s
// with 128). The SDK-load reference runs without it (cli/sdkReference.ts). Set NODE_OPTIONS with a
// size of your own to override.
if (!/--max-semi-space-size/.test(process.env.NODE_OPTIONS ?? ""))
  process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ""} --max-semi-space-size=64`.trim();

// Go's GC target for every Go program the tests start (Helm, Prometheus, VictoriaMetrics,
// Alertmanager, promtool, amtool, vmalert, kubectl, MinIO), as synth/render/helm.ts sets it for Helm
// (HELM_GOGC, where the reason is): short processes that allocate much and keep little. Measured
// cold on this 2-core machine, alternating: 106.0 and 102.0 s of CPU (56.2 and 54.0 s) without,
// 95.8 and 97.8 s (50.9 and 52.2 s) with it. Set GOGC to override.
if (process.env.GOGC === undefined) process.env.GOGC = "400";

// The run's id, for the CPU each file costs (test/support/cpuTimes.ts, root hooks in every
// worker; test/support/timings.ts collects it): inherited by the workers. Not a HOMELAB_* name: the
// fixture cache keys on those (test/support/fixtureCache.ts envHash), and a new id each run would
// make every run miss it.
if (process.env.TESTS_CPU_RUN === undefined) process.env.TESTS_CPU_RUN = `${process.pid}-${Date.now()}`;

// The run's temporary folder (test/support/runTmp.cjs, where the reason is): every test folder goes
// under it, and it is removed at the run's end (the reporter, test/support/timings.ts, before it
// takes the wall time), else when this process exits. A nested mocha (a test that runs one) keeps
// its parent's.
if (process.env.TESTS_TMP === undefined)
  process.env.TESTS_TMP = require("./test/support/runTmp.cjs").openRunTmp();

const fileOnCommandLine = process.argv.slice(2).some((a) => /\.test\.ts$|\*/.test(a));

module.exports = {
  // lexerReady right after tsx: mocha loads no test file before tsx's WebAssembly module lexer is
  // compiled; before, each mocha process ran the ~600 files of its first test file's graph through
  // the lexer's asm.js build (measured: 21 small test files in two workers, 3.47 -> 3.03 s of CPU;
  // the reason and figures are in test/support/lexerReady.ts).
  // tsxCjsFiles right after tsx, before anything loads node_modules: tsx's lexer answer for each
  // node_modules .js file is remembered across processes (in a dry run of every test file, one
  // process: 640 ms of CPU in the lexer under tsx's .js handler before, 139 ms after; the figures of
  // whole loads are in test/support/tsxCjsFiles.ts).
  // tsxTsFiles first: the code tsx hands Node for each project .ts file kept across processes, by
  // the file's text (lexer CPU under tsx's .ts handler in that dry run: 481-588 ms -> 91 ms; the
  // figures of whole loads are in test/support/tsxTsFiles.ts).
  // Measured and not kept: the project's modules loaded from dist/ (the build's output, a file per
  // source) instead of through tsx. Measured again with the caches above, warm, alternating: the
  // 296 modules of the project's folders (not cli/ or scripts/, 317 .ts files with what they
  // import) in a fresh node, tsx registered in both: 0.81-0.88 s of CPU for the whole load through
  // tsx, 0.79-0.88 s from dist/ (six runs each; 0.96-1.06 s through tsx without tsxTsFiles); a
  // `mocha --dry-run` of every test file in one process, 2.45-2.89 s against 2.57-2.81 s (five
  // each). No gain warm. Cold (no compile cache, no tsx cache): 1.85-2.04 s against 1.28-1.31 s
  // (three each), about 0.6 s a worker while the caches are empty. A first attempt
  // (Module._resolveFilename mapping each project .ts to its dist/ .js, beside tsx) also failed 158
  // tests: 151 call a command's main through `await import("../../cli/synthRun")`, Node's ES module
  // loader, not that resolver; the others read a file beside the module (dist/ holds no .wat, no
  // tsconfig.json) or a check cache's manifest of the source files a check loaded (it listed dist/
  // files).
  // tiering before all, in plain Node: V8's tier-up to TurboFan delayed for all the worker runs
  // (warm suite, 97-104 s of CPU -> 89-92 s; the reason and figures are in test/support/tiering.cjs).
  // chartCacheSkip last: without CI, a test failing for a pinned chart archive the chart cache lacks
  // is a loud skip (the file says why); under CI it fails.
  require: [
    "./test/support/tiering.cjs",
    "tsx",
    "./test/support/tsxTsFiles.ts",
    "./test/support/tsxCjsFiles.ts",
    "./test/support/sourceMaps.ts",
    "./test/support/lexerReady.ts",
    "./test/support/sdkShortcut.ts",
    "./test/support/cpuTimes.ts",
    "./test/support/chartCacheSkip.ts",
  ],
  extension: ["ts"],
  parallel: true,
  jobs: JOBS,
  timeout: 60000,
  reporter: "spec",
  ...(fileOnCommandLine ? {} : { spec: slowestFirst(__dirname, sources(), JOBS) }),
};
