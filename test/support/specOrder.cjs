// The order mocha's workers take the test files in (.mocharc.cjs, a whole-suite run): slowest first,
// so a long file started last does not leave a core idle at the end. CommonJS and plain JavaScript:
// .mocharc.cjs loads it before tsx is registered.
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
 * The test files of `root`, relative to it, slowest first:
 * - by the last whole-suite run's timings (`timingsFile`, written by test/support/timings.ts) when
 *   there are any; files they do not know yet (new ones) go first, their cost unknown;
 * - else (a fresh clone: CI's cold run) the files `coldOrderFile` lists (test/cold-order.json: the
 *   longest in wall time of a cold run, whose caches were as empty as these are), in its order, then
 *   the rest. Without either, alphabetical: the servers' waits (test/verify/) then came last and the
 *   cold run ended on one busy core.
 * Ties are alphabetical.
 */
function slowestFirst(root, timingsFile, coldOrderFile) {
  const files = testFiles(path.join(root, "test")).map((f) => path.relative(root, f));
  const read = (file) => {
    try {
      return JSON.parse(fs.readFileSync(file, "utf8"));
    } catch {
      return undefined;
    }
  };
  const timings = read(timingsFile);
  let cost;
  if (timings) {
    const known = new Map(timings.files.map((f) => [f.file, f.ms]));
    cost = (f) => known.get(f) ?? Infinity;
  } else {
    const listed = read(coldOrderFile)?.files ?? [];
    const rank = new Map(listed.map((f, i) => [f, listed.length - i]));
    cost = (f) => rank.get(f) ?? 0;
  }
  return files.sort((a, b) => cost(b) - cost(a) || a.localeCompare(b));
}

module.exports = { slowestFirst, testFiles };
