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
 * A file's CPU is counted from the mark before its first test (its `before` hooks included) to
 * the mark after its last, so `after` hooks and what a killed, not yet reaped, child used may
 * land on the next file of the same worker.
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

const perFile = new Map<string, number>();
let mark = processTreeCpuMs();

/** Gives the CPU used since the last mark to `file`. */
function charge(file: string | undefined): void {
  const now = processTreeCpuMs();
  if (now === undefined || mark === undefined) return;
  const key = path.relative(process.cwd(), file ?? "(unknown file)");
  perFile.set(key, (perFile.get(key) ?? 0) + now - mark);
  mark = now;
}

function flush(): void {
  const out = cpuFile();
  if (!out || perFile.size === 0) return;
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const lines = [...perFile].map(([file, cpuMs]) => JSON.stringify({ file, cpuMs, pid: process.pid }));
  fs.appendFileSync(out, lines.join("\n") + "\n");
  perFile.clear();
}

export const mochaHooks = {
  // What ran before this test (its file's `before` hooks, the file's loading) is this file's.
  beforeEach(this: Mocha.Context) {
    charge(this.currentTest?.file);
  },
  afterEach(this: Mocha.Context) {
    charge(this.currentTest?.file);
  },
  // Once per file under --parallel (each file is its own run in a worker), once at the end without.
  afterAll() {
    flush();
  },
};
