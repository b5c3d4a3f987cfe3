/**
 * Writes test/file-costs.json: each test file's wall and CPU time in the last cold whole-suite run
 * (node_modules/.cache/homelab-tests/timings-cold.json) and in the last warm one (timings.json),
 * both written by the test reporter. test/support/specOrder.cjs orders a run by them when the
 * checkout has no run of that kind of its own: a fresh clone's cold run, and the warm run right
 * after it (CI's two runs), whose order the cold run's times would misplan (warm, a file that
 * computes takes a fraction of its cold time; one that waits on servers takes as long).
 *
 * Run it after a cold `npm test` (a fresh clone) and a warm one when files have moved or their cost
 * has; stale figures cost only order, and a listed file that is gone fails
 * test/project/specOrder.test.ts.
 *
 *   npx tsx scripts/fileCosts.ts
 */
import * as fs from "fs";
import * as path from "path";
import { COLD_TIMINGS_FILE, TIMINGS_FILE, type SuiteTimings } from "../cli/suiteTimings";
import { projectRoot } from "../config/paths";

const ROOT = projectRoot(__dirname);
export const FILE_COSTS_FILE = path.join(ROOT, "test", "file-costs.json");

/** A file with its wall and CPU time in one run. */
export interface FileCost {
  file: string;
  ms: number;
  cpuMs?: number;
}

/** A run's files, longest first (ties by name), with their times. */
export function fileCosts(timings: Pick<SuiteTimings, "files">): FileCost[] {
  return [...(timings.files ?? [])]
    .sort((a, b) => b.ms - a.ms || a.file.localeCompare(b.file))
    .map((f) => ({ file: f.file, ms: f.ms, ...(f.cpuMs === undefined ? {} : { cpuMs: f.cpuMs }) }));
}

if (require.main === module) {
  const read = (file: string, cold: boolean, how: string): SuiteTimings => {
    const t = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as SuiteTimings) : undefined;
    if (t?.cold !== cold) {
      process.stderr.write(
        `fileCosts: no ${cold ? "cold" : "warm"} run recorded in ${path.relative(ROOT, file)} (found ${t ? `a ${t.cold ? "cold" : "warm"} one` : "none"}): ${how}\n`,
      );
      process.exit(2);
    }
    return t;
  };
  const cold = read(COLD_TIMINGS_FILE, true, "run npm test in a fresh clone first");
  const warm = read(TIMINGS_FILE, false, "run npm test again after the cold run");
  const of = (t: SuiteTimings) => `commit ${t.commit.slice(0, 12)} (${t.at}, ${t.cpus} CPUs)`;
  const doc = {
    about:
      `Each test file's wall and CPU time (ms) in a cold run (${of(cold)}) and a warm one (${of(warm)}), ` +
      "for the order of a run with no timings of its own kind. Written by scripts/fileCosts.ts; read by test/support/specOrder.cjs.",
    cold: fileCosts(cold),
    warm: fileCosts(warm),
  };
  // A line per file, as prettier keeps it (npm run lint checks the file).
  const line = (e: FileCost) =>
    `    { "file": ${JSON.stringify(e.file)}, "ms": ${e.ms}${e.cpuMs === undefined ? "" : `, "cpuMs": ${e.cpuMs}`} }`;
  const list = (entries: FileCost[]) => `[\n${entries.map(line).join(",\n")}\n  ]`;
  fs.writeFileSync(
    FILE_COSTS_FILE,
    `{\n  "about": ${JSON.stringify(doc.about)},\n  "cold": ${list(doc.cold)},\n  "warm": ${list(doc.warm)}\n}\n`,
  );
  process.stdout.write(
    `fileCosts: ${doc.cold.length} cold, ${doc.warm.length} warm -> ${path.relative(ROOT, FILE_COSTS_FILE)}\n`,
  );
}
