/**
 * Writes test/cold-order.json, the order a whole-suite run with no timings of its own (a fresh
 * clone: CI's cold run) gives its test files (test/support/specOrder.cjs): the files of the last
 * cold run (node_modules/.cache/homelab-tests/timings-cold.json, written by the test reporter) that
 * took longest in wall time, longest first, each with its wall and CPU time there (the order moves
 * the files that mostly wait apart: specOrder.cjs spreadWaits). Run it after a cold `npm test` when files have moved or
 * their cost has; a stale list costs only order, and a listed file that is gone fails
 * test/project/specOrder.test.ts.
 *
 *   npx tsx scripts/coldOrder.ts [how many, default 30]
 */
import * as fs from "fs";
import * as path from "path";
import { COLD_TIMINGS_FILE, type SuiteTimings } from "../cli/suiteTimings";
import { projectRoot } from "../config/paths";

const ROOT = projectRoot(__dirname);
export const COLD_ORDER_FILE = path.join(ROOT, "test", "cold-order.json");

/** An entry of the list: a file with its wall and CPU time in that run (the order spreads the files that mostly wait). */
export interface ColdEntry {
  file: string;
  ms: number;
  cpuMs?: number;
}

export function coldOrder(timings: Pick<SuiteTimings, "files">, n: number): ColdEntry[] {
  return [...(timings.files ?? [])]
    .sort((a, b) => b.ms - a.ms || a.file.localeCompare(b.file))
    .slice(0, n)
    .map((f) => ({ file: f.file, ms: f.ms, ...(f.cpuMs === undefined ? {} : { cpuMs: f.cpuMs }) }));
}

if (require.main === module) {
  const n = Number(process.argv[2] ?? 30);
  if (!fs.existsSync(COLD_TIMINGS_FILE)) {
    process.stderr.write(
      `coldOrder: no cold run recorded (${COLD_TIMINGS_FILE}): run npm test in a fresh clone first\n`,
    );
    process.exit(2);
  }
  const timings = JSON.parse(fs.readFileSync(COLD_TIMINGS_FILE, "utf8")) as SuiteTimings;
  const doc = {
    about:
      "The test files a run with no timings of its own (a fresh clone) starts first, longest first: the cold run of commit " +
      `${timings.commit.slice(0, 12)} (${timings.at}). Written by scripts/coldOrder.ts; read by test/support/specOrder.cjs.`,
    files: coldOrder(timings, n),
  };
  fs.writeFileSync(COLD_ORDER_FILE, `${JSON.stringify(doc, null, 2)}\n`);
  process.stdout.write(`coldOrder: ${doc.files.length} files -> ${path.relative(ROOT, COLD_ORDER_FILE)}\n`);
}
