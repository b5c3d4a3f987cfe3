// The order mocha's workers take the test files in (.mocharc.cjs, a whole-suite run): slowest first,
// so a long file started last does not leave a core idle at the end, with the files that mostly wait
// spread apart (spreadWaits). CommonJS and plain JavaScript: .mocharc.cjs loads it before tsx is
// registered.
const fs = require("fs");
const path = require("path");

/** Every test/**\/*.test.ts under `dir`. */
function testFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return testFiles(p);
    return e.isFile() && e.name.endsWith(".test.ts") ? [p] : [];
  });
}

/**
 * A wait (ms) long enough to plan around: a shorter one leaves a core idle for less than moving a
 * file risks at the run's end.
 */
const LONG_WAIT_MS = 5000;
/**
 * A file that mostly waits (on the real servers it starts, a policy host, a child's start-up): at
 * least LONG_WAIT_MS of its wall time, and more than half of it, with no CPU of its own or of the
 * processes it starts. While it runs, its worker leaves its share of the cores to the others.
 */
function waits(cost) {
  if (cost === undefined || cost.cpuMs === undefined) return false;
  const wait = cost.ms - cost.cpuMs;
  return wait >= LONG_WAIT_MS && wait > cost.ms / 2;
}

/**
 * Each file's [start, end) when `workers` take `order` as mocha's pool does: the next file to the
 * first free worker, for the recorded wall time.
 */
function simulate(order, costs, workers) {
  const free = new Array(workers).fill(0);
  const at = new Map();
  for (const f of order) {
    const w = free.indexOf(Math.min(...free));
    const start = free[w];
    free[w] = start + (costs.get(f)?.ms ?? 0);
    at.set(f, [start, free[w]]);
  }
  return at;
}

/**
 * `order` with the files that mostly wait ({@link waits}) moved later, so that no more of them run
 * at once than there are workers beyond the cores (none is moved when every worker has a core):
 * two at once at the start of a run (the test/verify/ servers, slowest first) left three workers
 * with one that computes, and a core idle for their length. A waiting file that would start beside
 * another (by the recorded wall times, in the pool's order: {@link simulate}) goes to the first
 * place where it would start after that one ends, or last. Every other file keeps its relative
 * order. The recorded wall times are of a run where the waits did overlap, so the moved file is not
 * held to the run's simulated end: on this 2-core machine, verify.test.ts started when
 * backendAgrees.test.ts ends (about 16 s) ended the warm run in 27.0-27.3 s against 30.3-30.6 s
 * with both started at once.
 */
function spreadWaits(order, costs, workers, cores) {
  // With a core for every worker, a worker that waits idles only its own core: nothing to move.
  if (workers <= cores) return order;
  const limit = workers - cores;
  let out = [...order];
  for (const f of order.filter((x) => waits(costs.get(x)))) {
    for (let moves = 0; moves < order.length; moves++) {
      const at = simulate(out, costs, workers);
      const [start] = at.get(f);
      const p = out.indexOf(f);
      // The waiting files before it in the order still running when it would start.
      const beside = out.slice(0, p).filter((g) => waits(costs.get(g)) && start < at.get(g)[1]);
      if (beside.length < limit) break;
      const until = Math.min(...beside.map((g) => at.get(g)[1]));
      // Already last: there is no later place.
      if (p === out.length - 1) break;
      const rest = out.filter((g) => g !== f);
      // The first later place where it would start once that one has ended.
      const startAt = (j) => simulate([...rest.slice(0, j), f, ...rest.slice(j)], costs, workers).get(f)[0];
      let i = p + 1;
      while (i < rest.length && startAt(i) < until) i++;
      out = [...rest.slice(0, i), f, ...rest.slice(i)];
    }
  }
  return out;
}

/**
 * The test files of `root`, relative to it, slowest first, by each file's wall time in a run of the
 * kind this one is (`sources.warm`: the caches a run fills are there):
 * - this checkout's last run of that kind (`sources.timings`, a warm run's record, or
 *   `sources.coldTimings`, the last cold run's; test/support/timings.ts writes both) when there is
 *   one; files it does not know yet (new ones) go first, their cost unknown;
 * - else the committed figures of that kind (`sources.committed`: test/file-costs.json,
 *   scripts/fileCosts.ts), as for a fresh clone's cold run and the warm run after it: the cold
 *   run's times would misplan a warm run (a file that computes takes a fraction of its cold time,
 *   one that waits on servers as long);
 * - with neither, alphabetical: the servers' waits (test/verify/) then came last and the cold run
 *   ended on one busy core.
 * Ties are alphabetical. Then the files that mostly wait are spread apart ({@link spreadWaits}) for
 * `workers` workers on `cores` cores.
 */
function slowestFirst(root, sources, workers = 3, cores = require("os").cpus().length) {
  const files = testFiles(path.join(root, "test")).map((f) => path.relative(root, f));
  const read = (file) => {
    try {
      return JSON.parse(fs.readFileSync(file, "utf8"));
    } catch {
      return undefined;
    }
  };
  const kind = sources.warm ? "warm" : "cold";
  const own = read(sources.warm ? sources.timings : sources.coldTimings);
  const entries = own && own.cold === !sources.warm ? own.files : read(sources.committed)?.[kind];
  if (!entries) return files.sort();
  const costs = new Map(entries.map((f) => [f.file, f]));
  const rank = (f) => costs.get(f)?.ms ?? Infinity;
  const order = files.sort((a, b) => rank(b) - rank(a) || a.localeCompare(b));
  return spreadWaits(order, costs, workers, cores);
}

module.exports = { slowestFirst, spreadWaits, simulate, testFiles };
