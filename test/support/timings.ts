/**
 * A mocha reporter: mocha's spec output, then where the suite's time went, so the next slow test
 * is visible the day it lands (issue 35). `npm test` uses it with the short summary (wall time and
 * the ten slowest tests); `npm run test:timings` with the full one (also the slowest files).
 *
 * It also writes the run's figures to `node_modules/.cache/homelab-tests/timings.json` (wall
 * time, CPU count, counts, every test's and file's time): `npm run bench -- --check` reads the
 * wall time from there instead of running the whole suite a second time (cli/bench.ts).
 *
 * Under `--parallel` a worker replays a file's events when the file is done, so a file's time is
 * the sum of its tests' and hooks' durations (its `before` renders included), not a wall span.
 */
import * as fs from "fs";
import { spawnSync } from "child_process";
import * as os from "os";
import * as path from "path";
import Mocha from "mocha";
import {
  COLD_TIMINGS_FILE,
  TEST_CACHE_DIR,
  TIMINGS_FILE,
  runCachesEmpty,
  type SuiteTimings,
} from "../../cli/suiteTimings";
import { median, sdkLoadOnce } from "../../cli/sdkReference";
import { cpuFile } from "./cpuTimes";
import { pruneUnused } from "./cachePrune";

// The run folder is opened by .mocharc.cjs, a CommonJS file: the same module (the reason is there).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { closeRunTmp } = require("./runTmp.cjs") as { closeRunTmp: () => boolean };

const { EVENT_HOOK_END, EVENT_RUN_END, EVENT_TEST_FAIL, EVENT_TEST_PASS } = Mocha.Runner.constants;

/** Tests and hooks slower than this are marked in the summary: the bound. */
const SLOW_TEST_MS = 3000;

class Timings extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options: Mocha.MochaOptions) {
    super(runner, options);
    // Before the first file runs: whether this run starts with every cache empty (cold).
    const cold = runCachesEmpty();
    // From `npm test`'s start (TESTS_T0, set by the script before it builds): the build the run
    // needs is part of what a person waits for, cold above all (the build of a fresh clone). Not a
    // HOMELAB_* name: the fixture cache keys on those (test/support/fixtureCache.ts envHash).
    const started = Number(process.env.TESTS_T0) || Date.now();
    // The commit as the run starts (a commit made while it runs is not what it timed).
    const commit = spawnSync("git", ["rev-parse", "HEAD"], { encoding: "utf8" }).stdout.trim();
    const full = (options.reporterOptions as Record<string, unknown> | undefined)?.summary === "full";
    const tests: SuiteTimings["tests"] = [];
    const files = new Map<string, { ms: number; tests: number }>();
    const fileOf = (file: string | undefined) => path.relative(process.cwd(), file ?? "(unknown file)");
    const add = (file: string, ms: number, test: boolean) => {
      const f = files.get(file) ?? { ms: 0, tests: 0 };
      f.ms += ms;
      if (test) f.tests++;
      files.set(file, f);
    };
    const onTest = (t: Mocha.Test) => {
      const file = fileOf(t.file);
      tests.push({ title: t.fullTitle(), file, ms: t.duration ?? 0 });
      add(file, t.duration ?? 0, true);
    };
    runner.on(EVENT_TEST_PASS, onTest);
    runner.on(EVENT_TEST_FAIL, (t: Mocha.Runnable & { type?: string }) => {
      // A failing hook arrives here too; its time counts for its file.
      if (t.type === "test") onTest(t as Mocha.Test);
      else add(fileOf(t.file), t.duration ?? 0, false);
    });
    runner.on(EVENT_HOOK_END, (h: Mocha.Hook) => {
      // Root hooks (test/support/cpuTimes.ts's marks) belong to no file.
      if (h.file === undefined) return;
      const file = fileOf(h.file);
      const ms = h.duration ?? 0;
      add(file, ms, false);
      // A `before` that renders for the whole file is a cost of its own, named like a test.
      if (ms >= 100) tests.push({ title: `${h.fullTitle()} (hook)`, file, ms });
    });
    runner.once(EVENT_RUN_END, () => {
      // Only a whole-suite run stands for the suite (a single file's run must not look fast).
      const whole = files.size >= 20 || process.env.HOMELAB_TIMINGS_FILE !== undefined;
      // The run's own clearing up is part of what `npm test` makes a person wait for, so it is done
      // before the wall time is taken, not after the figure: the fixture entries no test of this
      // run read or wrote (test/support/cachePrune.ts: a second's slack for the file system's
      // clock; only the project's own folder: one that HOMELAB_TEST_CACHE names may be shared with
      // another checkout, whose entries these are), and the run's temporary folder.
      const gone =
        whole && everyTestAsked(options) && !process.env.HOMELAB_TEST_CACHE
          ? pruneUnused(TEST_CACHE_DIR, started - 1000)
          : undefined;
      closeRunTmp();
      const wallMs = Date.now() - started;
      const stats = runner.stats ?? { passes: 0, failures: 0, pending: 0 };
      const cpu = collectCpu();
      // The unit of the suite's targets, measured on the same machine right after the suite (the
      // benchmark reads the ratio, never the wall time alone): three fresh loads, the median
      // (HOMELAB_SDK_SAMPLES sets how many: the reporter's own test takes one.)
      const samples = Number(process.env.HOMELAB_SDK_SAMPLES ?? 3);
      const sdkLoadMs = whole ? median(Array.from({ length: samples }, () => sdkLoadOnce(process.cwd()))) : 0;
      const result: SuiteTimings = {
        wallMs,
        sdkLoadMs,
        cold,
        cpus: os.cpus().length,
        commit,
        at: new Date().toISOString(),
        passes: stats.passes,
        failures: stats.failures,
        pending: stats.pending,
        ...(cpu ? { cpuMs: Math.round(cpu.totalMs) } : {}),
        files: [...files]
          .map(([file, f]) => ({
            file,
            ...f,
            ...(cpu?.files.has(file) ? { cpuMs: Math.round(cpu.files.get(file)!) } : {}),
          }))
          .sort((a, b) => b.ms - a.ms),
        tests: tests.sort((a, b) => b.ms - a.ms),
      };
      if (whole) {
        const out = process.env.HOMELAB_TIMINGS_FILE ?? TIMINGS_FILE;
        write(out, result);
        // A warm run replaces the last run's figures; the cold run's are kept beside them.
        if (cold) write(process.env.HOMELAB_TIMINGS_FILE ? `${out}.cold` : COLD_TIMINGS_FILE, result);
      }
      process.stdout.write(summary(result, full));
      if (gone?.entries)
        process.stdout.write(
          `  fixture cache: removed ${gone.entries} entries (${(gone.bytes / 2 ** 20).toFixed(0)} MiB) no test of this run read\n`,
        );
    });
  }
}

/**
 * Whether the run asked for every test: no test file on the command line (.mocharc.cjs then lists
 * every test file), no --grep or --fgrep, no --bail. Only then are the fixture entries no
 * test read ones no test needs.
 */
function everyTestAsked(options: Mocha.MochaOptions): boolean {
  const o = options as Mocha.MochaOptions & { fgrep?: string };
  if (o.grep !== undefined || o.fgrep !== undefined || o.bail) return false;
  return !process.argv.slice(2).some((a) => /\.test\.ts$|\*/.test(a));
}

function write(file: string, result: SuiteTimings): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(result, null, 1));
  fs.renameSync(tmp, file);
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * The CPU the run's test files cost (test/support/cpuTimes.ts wrote it, per file and process) and
 * the run's total: those plus this process's own. Undefined when nothing was written (no /proc, or
 * mocha without the project's configuration). The run's file is removed once read.
 */
function collectCpu(): { files: Map<string, number>; totalMs: number } | undefined {
  // Only the run this process started (.mocharc.cjs names it after its pid): a mocha a test starts
  // inherits the variable and must not take its parent's figures.
  if (!process.env.TESTS_CPU_RUN?.startsWith(`${process.pid}-`)) return undefined;
  const file = cpuFile();
  if (!file || !fs.existsSync(file)) return undefined;
  const files = new Map<string, number>();
  for (const line of fs.readFileSync(file, "utf8").split("\n").filter(Boolean)) {
    const { file: f, cpuMs } = JSON.parse(line) as { file: string; cpuMs: number };
    files.set(f, (files.get(f) ?? 0) + cpuMs);
  }
  fs.rmSync(file, { force: true });
  const own = process.cpuUsage();
  const totalMs = [...files.values()].reduce((a, b) => a + b, 0) + (own.user + own.system) / 1000;
  return { files, totalMs };
}

function summary(r: SuiteTimings, full: boolean): string {
  const lines = [
    "",
    `  suite: ${r.passes} passing, ${r.failures} failing, ${r.pending} pending in ${s(r.wallMs)} wall on ${r.cpus} CPUs` +
      (r.sdkLoadMs
        ? ` = ${(r.wallMs / r.sdkLoadMs).toFixed(1)}x the SDK load (${r.cold ? "cold" : "warm"})`
        : "") +
      (r.cpuMs === undefined
        ? ""
        : `, ${s(r.cpuMs)} CPU (user + system, the processes tests started included)`),
    `  ten slowest tests (hooks of ${s(100)} or more included):`,
    ...r.tests
      .slice(0, 10)
      .map((t) => `  ${t.ms > SLOW_TEST_MS ? "!" : " "} ${s(t.ms).padStart(7)}  ${t.title}  [${t.file}]`),
  ];
  const over = r.tests.filter((t) => t.ms > SLOW_TEST_MS).length;
  if (over) lines.push(`  ! ${over} test(s) or hook(s) over ${s(SLOW_TEST_MS)}`);
  if (full) {
    lines.push("  slowest files (tests and hooks, summed):");
    for (const f of r.files.slice(0, 15))
      lines.push(`    ${s(f.ms).padStart(7)}  ${String(f.tests).padStart(4)} tests  ${f.file}`);
    const byCpu = r.files.filter((f) => f.cpuMs !== undefined).sort((a, b) => b.cpuMs! - a.cpuMs!);
    if (byCpu.length > 0) {
      lines.push(
        "  costliest files in CPU (the processes they started included; a loaded machine moves these least):",
      );
      for (const f of byCpu.slice(0, 15))
        lines.push(`    ${s(f.cpuMs!).padStart(7)}  ${String(f.tests).padStart(4)} tests  ${f.file}`);
    }
  } else lines.push("  (npm run test:timings names the slowest files too)");
  // The plain closing line CI runners read, alone on its line.
  lines.push("", `tests: ${r.passes} passed, ${r.failures} failed, ${r.pending} skipped`);
  return `${lines.join("\n")}\n\n`;
}

export = Timings;
