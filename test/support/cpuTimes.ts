/**
 * Root hooks (.mocharc.cjs requires this file): the CPU each test file costs, as user + system time
 * of the mocha process running it and of every process it started and waited for (Helm, spawned
 * CLIs, servers stopped in an `after` hook), from /proc/self/stat (utime, stime, cutime, cstime).
 * On a machine other work loads, wall times stretch with the load; CPU times hardly move, so they
 * say where the suite's time goes and whether a change saved any.
 *
 * Each file's CPU goes to `node_modules/.cache/homelab-observability/test-cpu/<run>.jsonl`, one line per file and process;
 * test/support/timings.ts adds them to timings.json (`files[].cpuMs`, `cpuMs`) and prints them.
 * The run id is set by .mocharc.cjs (`TESTS_CPU_RUN`), inherited by the parallel workers; without
 * one (mocha run without the project's configuration) nothing is written.
 *
 * Under --parallel (`npm test`) a file's CPU is counted from the end of the worker's previous file
 * (this file's loading included) to the end of its own run, its `after` hooks included; what a
 * killed, not yet reaped, child used may land on the next file of the same worker. Without it, from
 * the mark before each test (the file's `before` hooks included) to the mark after it (see
 * rootHooks).
 */
import * as fs from "fs";
import * as path from "path";
import type Mocha from "mocha";
import { TIMINGS_FILE } from "../../cli/suiteTimings";

/** Clock ticks per second of /proc's times: USER_HZ, 100 on every Linux Node supports. */
const TICKS_PER_S = 100;

/**
 * User + system CPU of this process and of its children that ended and were waited for, in ms;
 * undefined where /proc is not there.
 */
export function processTreeCpuMs(): number | undefined {
  try {
    const stat = fs.readFileSync("/proc/self/stat", "utf8");
    // Fields after the command (which may hold spaces) start at field 3, `state`.
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime, stime, cutime, cstime: fields 14 to 17.
    const ticks = [11, 12, 13, 14].reduce((n, i) => n + Number(f[i]), 0);
    return (ticks * 1000) / TICKS_PER_S;
  } catch {
    return undefined;
  }
}

/** The file the run's CPU lines go to, or undefined without a run id. */
export function cpuFile(run = process.env.TESTS_CPU_RUN): string | undefined {
  // Beside the fixture cache, not in it: a folder there is a cache kind, and its presence makes a run
  // warm (cli/suiteTimings.ts runCachesEmpty).
  return run
    ? path.join(path.dirname(path.dirname(TIMINGS_FILE)), "homelab-observability", "test-cpu", `${run}.jsonl`)
    : undefined;
}

/** The file a root hook's run is of: under --parallel a worker runs one file per run. */
function fileOfRun(ctx: Mocha.Context): string | undefined {
  const root = ctx.test?.parent;
  return root?.suites[0]?.file ?? root?.tests[0]?.file;
}

type Hook = (this: Mocha.Context) => void;

/**
 * The root hooks, with marks of their own, writing to `out` (default: this run's file).
 *
 * `parallel` (the whole suite, `npm test`: the worker's MOCHA_WORKER_ID is set): a worker runs each
 * file as a run of its own with the root hooks once around it, so two marks per file, its loading
 * and `before` hooks counted from the first. Otherwise (`--no-parallel`) one run holds every
 * file: a mark around each test. A mark reads /proc, and a root `beforeEach` is one more hook for
 * mocha to run per test: around each of the suite's 1,900 tests they cost about a second of its CPU.
 */
export function rootHooks(
  parallel: boolean,
  out: () => string | undefined = () => cpuFile(),
): Record<string, Hook> {
  const perFile = new Map<string, number>();
  let mark = processTreeCpuMs();
  /** Gives the CPU used since the last mark to `file`. */
  const charge = (file: string | undefined) => {
    const now = processTreeCpuMs();
    if (now === undefined || mark === undefined) return;
    const key = path.relative(process.cwd(), file ?? "(unknown file)");
    perFile.set(key, (perFile.get(key) ?? 0) + now - mark);
    mark = now;
  };
  const flush = () => {
    const file = out();
    if (!file || perFile.size === 0) return;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const lines = [...perFile].map(([f, cpuMs]) => JSON.stringify({ file: f, cpuMs, pid: process.pid }));
    fs.appendFileSync(file, lines.join("\n") + "\n");
    perFile.clear();
  };
  return parallel
    ? {
        beforeAll(this: Mocha.Context) {
          charge(fileOfRun(this));
        },
        afterAll(this: Mocha.Context) {
          charge(fileOfRun(this));
          flush();
        },
      }
    : {
        // What ran before this test (its file's `before` hooks, the file's loading) is this file's.
        beforeEach(this: Mocha.Context) {
          charge(this.currentTest?.file);
        },
        afterEach(this: Mocha.Context) {
          charge(this.currentTest?.file);
        },
        afterAll() {
          flush();
        },
      };
}

export const mochaHooks = rootHooks(process.env.MOCHA_WORKER_ID !== undefined);
