import * as path from "path";
import { projectRoot } from "../config/paths";

/**
 * The suite's figures as the test reporter (test/support/timings.ts) writes them after a
 * whole-suite run, and `npm run bench -- --check` reads them: the suite's wall time is measured by
 * the test run CI already does, not by running the suite a second time inside the benchmark.
 */
export interface SuiteTimings {
  wallMs: number;
  cpus: number;
  /** The commit checked out (`git rev-parse HEAD`), so a reader knows which code was timed. */
  commit: string;
  /** When the run ended (ISO time). */
  at: string;
  passes: number;
  failures: number;
  pending: number;
  /**
   * User + system CPU of the whole run: the test processes' and everything they started and waited
   * for (test/support/cpuTimes.ts), and the reporter's own. Absent where /proc is not there.
   */
  cpuMs?: number;
  /** Every file, slowest first: its tests' and hooks' durations summed, and the CPU it cost. */
  files: { file: string; ms: number; tests: number; cpuMs?: number }[];
  /** Every test (and every hook of 100 ms or more), slowest first. */
  tests: { title: string; file: string; ms: number }[];
}

export const TIMINGS_FILE = path.join(
  projectRoot(__dirname),
  "node_modules",
  ".cache",
  "homelab-tests",
  "timings.json",
);
