// First, before any SDK module: the version-guarded SDK start-up shortcut.
import "./startup";
import * as os from "os";
import * as path from "path";
import * as fs from "fs";
import { spawnSync } from "child_process";
import { performance } from "perf_hooks";
import { evaluateResources } from "../policy/evaluate";
import { distinctResources } from "./benchPack";
import { projectRoot, stackNames } from "../config/paths";
import { synthStack } from "../synth/run";
import { budgetOf, notRenderedText } from "../synth/report";
import { withRenderedObjects } from "../synth/render/objects";
import { renderExport } from "../synth/render/render";
import type { StackExport } from "../synth/synthesize";
import type { ReleaseRender } from "../synth/render/types";
import { COLD_TIMINGS_FILE, TIMINGS_FILE, type SuiteTimings } from "./suiteTimings";
import { median, sdkLoadOnce } from "./sdkReference";
import { benchOptions } from "./benchArgs";
import { benchFailLine, formatRow, suiteRow, times, verdict, type Row } from "./benchTargets";
import { internalErrorText } from "./internalError";
import { runTimed, TimedCommandError, timedCommandFailure } from "./benchCommand";

/**
 * A benchmark, not a test: every target of the fast-feedback issues measured side by side in one
 * run, each as a ratio to the same reference, never as an absolute time: machines differ and are
 * noisy, and a machine half as fast must pass the same commit. `--check` exits 1 when a target is
 * missed; `--check=synth,policy,render,pack,suite,suite-cold` gates only the named targets (the
 * others are still printed).
 *
 *   npm run bench [-- --check[=names]] [--runs N] [--root <project dir>] [--suite]
 *
 * - The reference (the unit) is the time a fresh `node` takes to load the six SDK modules
 *   (cli/sdkReference.ts). Each bound is a ratio to it (TARGET_RATIOS there). Samples of a target
 *   alternate with reference samples, so load from other processes on the machine falls on both
 *   sides of a ratio; each figure is a median.
 * - The commands are timed as a user runs them after install: `npm run synth -- --stack <the
 *   largest stack>` and `npm run policy:check -- <its export>`, npm's own start-up and pre-scripts
 *   included, each in a fresh process.
 * - The pack is timed in process over 10,000 distinct resources: each run builds a new set (new
 *   names, labels and ConfigMap texts), so neither the pack's parse cache nor anything else can
 *   reuse a previous run's work.
 * - Rendering is timed in fresh processes (the render cache on disk, not in memory): an unchanged
 *   stack rendered again.
 * - The suite's two targets (warm and cold `npm test`) are read from the test reporter's records
 *   (cli/suiteTimings.ts): each run's wall time with the SDK load measured on the same machine
 *   right after it. CI runs `npm test` cold in its fresh clone, then warm, then this benchmark, so
 *   the suite does not run a third time; the records must be of the commit checked out. `--suite`
 *   runs the suite here instead (twice, the second warm).
 * - `--root` times the npm commands of another checkout (e.g. an older commit) for a before/after
 *   comparison; everything else runs from this one.
 */
const root = projectRoot(__dirname);
// Flags by the spec that also makes --help and docs/reference/cli.md (cli/spec.ts BENCH), every
// one judged before the benchmark starts, in cli/benchArgs.ts: a run that ends there (--help, bad
// arguments) exits with its status.
const options = benchOptions(process.argv.slice(2), process, root);
if ("exit" in options) process.exit(options.exit);
const { runs: RUNS, gated: GATED, suite: RUN_SUITE, target, child: CHILD_RENDER } = options;
const NPM = process.platform === "win32" ? "npm.cmd" : "npm";

/** Commands whose exit 1 is a verdict (a mandatory policy violation), not a failed run. */
const VERDICT_EXIT = new Set(["synth", "policy:check"]);
let verdictsFailed = 0;

/**
 * Wall time of one fresh process of target `id`'s npm command; a failed one ends the run naming the
 * target, its exit status and its last words (cli/benchCommand.ts). For synth and policy:check
 * exit 1 only reports a mandatory violation after a complete run: timed, and counted below.
 */
function wall(id: string, cmd: string, args: string[]): number {
  const verdictExit = args[0] === "run" && VERDICT_EXIT.has(args[1]);
  const r = runTimed(id, cmd, args, { cwd: target, ok: verdictExit ? [0, 1] : [0] });
  if (r.status === 1) verdictsFailed++;
  return r.ms;
}

const loadSdk = () => sdkLoadOnce(root);

/** Median of `run` and of the SDK load, sampled alternately: the ratio of the two medians. */
async function sideBySide(run: () => number | Promise<number>): Promise<number> {
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    b.push(loadSdk());
    a.push(await run());
  }
  sdkSamples.push(...b);
  return median(a) / median(b);
}
/** Every reference sample of the run, for the closing line. */
const sdkSamples: number[] = [];

const rows: Row[] = [];
function report(r: Row): void {
  rows.push(r);
  console.log(formatRow(r, GATED.has(r.id)));
}

/** `--child-render <export.json>`: one render of an export, printing its in-process time. */
async function childRender(file: string): Promise<void> {
  const exp = JSON.parse(fs.readFileSync(file, "utf8")) as StackExport;
  const c = process.cpuUsage();
  const t = performance.now();
  const renders = await renderExport(exp);
  const used = process.cpuUsage(c);
  process.stdout.write(`${performance.now() - t} ${(used.user + used.system) / 1000} ${renders.length}\n`);
  // Its stdout is the parent's figures; what did not render goes to stderr (the parent says it once).
  const failed = notRenderedText(renders, exp.deployment.resources);
  if (failed) process.stderr.write(`render: ${failed}\n`);
}

async function main(): Promise<number> {
  if (CHILD_RENDER) {
    await childRender(CHILD_RENDER);
    return 0;
  }
  const out = scratch("bench-");
  console.log(
    `benchmark: ${RUNS} samples each, ${os.cpus().length} CPUs, load average ${os.loadavg()[0].toFixed(1)}, node ${process.version}` +
      (target !== root ? `, npm commands of ${target}` : "") +
      "; every figure is a ratio to a fresh node loading the six SDK modules, sampled alternately",
  );

  // Every stack synthesized in process once: the pack's resources, and which stack is largest.
  const stacks = stackNames(root);
  const exports = new Map<string, StackExport>();
  for (const stack of stacks) exports.set(stack, (await synthStack(root, stack)).export);
  const largest = [...exports].sort(
    ([, a], [, b]) => b.deployment.resources.length - a.deployment.resources.length,
  )[0][0];

  // As a user runs it: `npm run synth` (the up-to-date check of the build included).
  const synthArgs = ["run", "synth", "--", "--stack", largest, "--out", out];
  report({
    id: "synth",
    what: `npm run synth -- --stack ${largest} (the largest stack; fresh, via npm)`,
    ratio: await sideBySide(() => wall("synth", NPM, synthArgs)),
  });
  const exportFile = path.join(out, `${largest}.json`);
  report({
    id: "policy",
    what: `npm run policy:check -- ${largest}.json (fresh, via npm)`,
    ratio: await sideBySide(() => wall("policy", NPM, ["run", "policy:check", "--", exportFile])),
  });
  await reportRender(exportFile, largest);
  await reportPack([...exports.values()]);
  await reportMemory(exports);
  reportSuite();

  if (verdictsFailed)
    console.log(`     note: ${verdictsFailed} timed run(s) ended in a mandatory policy violation (exit 1)`);
  console.log(
    `     reference: ${sdkSamples.length} SDK loads in this run, spread ${times(Math.max(...sdkSamples) / Math.min(...sdkSamples))} (largest / smallest)`,
  );
  const { line, status } = verdict(rows, GATED);
  console.log(line);
  return status;
}

/** One render of `exportFile` in a fresh process: its in-process wall time and release count. */
function renderChild(
  exportFile: string,
  env: NodeJS.ProcessEnv = process.env,
): { ms: number; releases: number } {
  const r = runTimed("render", process.execPath, [__filename, "--child-render", exportFile], {
    cwd: root,
    env,
  });
  const [ms, , releases] = r.stdout.trim().split(" ").map(Number);
  return { ms, releases };
}

/** Rendering an unchanged stack again (the disk cache warm from the runs before), and once cold. */
async function reportRender(exportFile: string, stack: string): Promise<void> {
  let releases = 0;
  const ratio = await sideBySide(() => {
    const r = renderChild(exportFile);
    releases = r.releases;
    return r.ms;
  });
  report({
    id: "render",
    what: `render ${stack} again, unchanged (${releases} releases, fresh process)`,
    ratio,
  });
  // With an empty render cache (every chart or value new): what the Helm processes themselves
  // cost the largest stack's synthesis. Informational: it waits for cores on a shared machine.
  const emptyCache = {
    ...process.env,
    HOMELAB_RENDER_CACHE: scratch("bench-render-"),
  };
  const cold = renderChild(exportFile, emptyCache).ms / median(sdkSamples);
  console.log(
    `     render ${stack} with an empty render cache: ${times(cold)} of the SDK load (informational)`,
  );
}

/**
 * The pack over 10,000 distinct resources, in process; a new set per run. The set is built just
 * before the timed call, so collecting its garbage can fall inside the timed region. Collecting it
 * first (gc() through --expose-gc) was measured and not kept: main-thread CPU per run, medians of
 * 5-13 alternated runs in one process, none 230 ms, a full gc() 250-275 (its sweeping runs on into
 * the pack), a full gc() then 300 ms of sleep 268, one or two scavenges 250 and 231, a sleep alone
 * 228-236 (wall time no better either). The pack allocates about 60 MB a run; its scavenges copy
 * what the pack keeps and the set's last objects alike.
 */
async function reportPack(exportsOf: StackExport[]): Promise<void> {
  const base = exportsOf.flatMap((e) => e.deployment.resources.filter((r) => r.custom));
  let violations = 0;
  let size = 0;
  let seed = 0;
  const ratio = await sideBySide(async () => {
    const big = distinctResources(base, 10000, seed++);
    size = big.length;
    const t = performance.now();
    violations = (await evaluateResources(big)).length;
    return performance.now() - t;
  });
  report({
    id: "pack",
    what: `policy pack over ${size} distinct resources (in process)`,
    ratio,
    note: `${violations} violations`,
  });
}

/** Memory requests per stack, the lightweight profile beside the standard ones. */
async function reportMemory(exportsOf: Map<string, StackExport>): Promise<void> {
  const figures: string[] = [];
  const renders: ReleaseRender[] = [];
  const resources: StackExport["deployment"]["resources"] = [];
  for (const [stack, exp] of exportsOf) {
    // Measured on the rendered objects, as `npm run synth` prints it.
    const rendered = await renderExport(exp);
    renders.push(...rendered);
    resources.push(...exp.deployment.resources);
    const b = budgetOf(withRenderedObjects(exp.deployment.resources, rendered));
    if (b)
      figures.push(`${stack} ${Math.round(b.total.sums.memory / 2 ** 20)}Mi over ${b.total.nodes} nodes`);
  }
  console.log(`     memory requests: ${figures.join(", ")}`);
  // Every stack's failures folded together: a HOMELAB_HELM that is no Helm is one message for the
  // whole run, not one per release of each stack. The figures above lack what did not render.
  const failed = notRenderedText(renders, resources);
  if (failed) console.error(`     note: the figures above lack releases that did not render: ${failed}`);
}

/** A record of the reporter's (cli/suiteTimings.ts), or undefined when there is none. */
function readTimings(file: string): SuiteTimings | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as SuiteTimings;
  } catch {
    return undefined;
  }
}

/**
 * The suite's two targets, warm and cold, from the reporter's records of the last runs of this
 * commit, or (`--suite`) from two runs here with caches of their own: the first cold, the second
 * warm.
 */
function reportSuite(): void {
  const head = spawnSync("git", ["rev-parse", "HEAD"], { cwd: root, encoding: "utf8" }).stdout.trim();
  let warmFile = TIMINGS_FILE;
  let coldFile = COLD_TIMINGS_FILE;
  if (RUN_SUITE) {
    const dir = scratch("bench-suite-");
    warmFile = path.join(dir, "timings.json");
    coldFile = `${warmFile}.cold`;
    const env = {
      ...process.env,
      HOMELAB_TIMINGS_FILE: warmFile,
      HOMELAB_TEST_CACHE: path.join(dir, "fixtures"),
      HOMELAB_RENDER_CACHE: path.join(dir, "render"),
    };
    for (let i = 0; i < 2; i++) spawnSync(NPM, ["test"], { cwd: root, stdio: "ignore", env });
  }
  const judge = (id: "suite" | "suite-cold", file: string) =>
    report(suiteRow(id, readTimings(file), head, path.relative(root, file)));
  judge("suite", warmFile);
  judge("suite-cold", coldFile);
}

/** A new temporary folder, removed when the benchmark exits (exports, render caches, a whole suite's). */
function scratch(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    // A timed command that failed is no bug of the benchmark: said as what it is, without a trace.
    if (e instanceof TimedCommandError) {
      const { message, why } = timedCommandFailure(e);
      console.error(message);
      console.log(benchFailLine(why));
    } else {
      console.error(internalErrorText("bench", e));
      console.log(benchFailLine("an unexpected error (above)"));
    }
    process.exit(2);
  },
);
