import * as fs from "fs";
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
   * A fresh `node` loading the six SDK modules (cli/sdkReference.ts), median of samples taken right
   * after the suite on the same machine: the unit of the suite's targets.
   */
  sdkLoadMs: number;
  /** The run started with every cache of the checkout empty (a fresh clone after `npm ci`). */
  cold: boolean;
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

const ROOT = projectRoot(__dirname);

/**
 * The test fixture cache (test/support/fixtureCache.ts): `HOMELAB_TEST_CACHE` names another folder
 * (`off` computes every time), else `node_modules/.cache/homelab-tests`.
 */
export const TEST_CACHE_DIR =
  process.env.HOMELAB_TEST_CACHE && process.env.HOMELAB_TEST_CACHE !== "off"
    ? path.resolve(process.env.HOMELAB_TEST_CACHE)
    : path.join(ROOT, "node_modules", ".cache", "homelab-tests");

/** The last whole-suite run's figures. */
export const TIMINGS_FILE = path.join(ROOT, "node_modules", ".cache", "homelab-tests", "timings.json");

/** The last cold whole-suite run's figures (kept beside the last run's, which a warm run replaces). */
export const COLD_TIMINGS_FILE = path.join(
  ROOT,
  "node_modules",
  ".cache",
  "homelab-tests",
  "timings-cold.json",
);

/**
 * Whether every cache a test run fills is empty: the fixture cache's entries (a folder per kind,
 * beside the timings files) and the render cache (`HOMELAB_RENDER_CACHE`, else the checkout's
 * `.cache/render`, as synth/render/render.ts finds it). A run that starts so is cold.
 */
export function runCachesEmpty(
  testCache: string = TEST_CACHE_DIR,
  // Empty is unset, as config/chartCache.ts renderCacheDir reads it (not imported: the reporter
  // loads this file, and that module brings the chart key reader).
  renderCache: string = process.env.HOMELAB_RENDER_CACHE || path.join(ROOT, ".cache", "render"),
): boolean {
  const kinds = fs.existsSync(testCache)
    ? fs.readdirSync(testCache, { withFileTypes: true }).filter((e) => e.isDirectory())
    : [];
  return kinds.length === 0 && !(fs.existsSync(renderCache) && fs.readdirSync(renderCache).length > 0);
}
