// The folder a test run keeps its temporary files in, removed when the run ends. Before it, every
// test folder (tmpDir in test/support/helpers.ts) was a new folder of the system's temporary
// directory that nothing removed: each `npm test` left about 700 of them (stack exports, rendered
// releases, Garage and Prometheus data, unpacked packs), near 0.7 GB, and rounds of runs filled the
// disk of the machine they ran on.
//
// .mocharc.cjs opens one per mocha process that has none (`TESTS_TMP`, inherited by the parallel
// workers and every process a test starts), so a single-file run cleans up as `npm test` does. A run
// stopped before its exit handler ran (killed, a crash of Node itself) leaves its folder, and the
// next run removes it: the folder is named by the run's process id, and a folder whose process is
// gone is stale. Not a HOMELAB_* name: the fixture cache keys on those (test/support/fixtureCache.ts
// envHash), and a new folder each run would make every run miss it.
const fs = require("fs");
const os = require("os");
const path = require("path");

const PREFIX = "homelab-tests-";

/** Whether process `pid` is running (signal 0 checks without sending anything). */
function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it runs, as another user.
    return e.code === "EPERM";
  }
}

/** Removes the run folders under `base` whose process is gone; returns their names. */
function sweepStale(base = os.tmpdir()) {
  let names;
  try {
    names = fs.readdirSync(base);
  } catch {
    return [];
  }
  const removed = [];
  for (const name of names) {
    const m = /^homelab-tests-(\d+)$/.exec(name);
    if (!m || alive(Number(m[1]))) continue;
    fs.rmSync(path.join(base, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

/**
 * This process's run folder under `base`, made empty now and removed when the process exits; stale
 * run folders are removed first.
 */
function openRunTmp(base = os.tmpdir()) {
  sweepStale(base);
  const root = path.join(base, `${PREFIX}${process.pid}`);
  fs.rmSync(root, { recursive: true, force: true });
  fs.mkdirSync(root, { recursive: true });
  process.on("exit", () => fs.rmSync(root, { recursive: true, force: true }));
  return root;
}

/**
 * Removes the run folder now when this process opened it (`TESTS_TMP` is its `homelab-tests-<pid>`),
 * before the exit handler would: the reporter (test/support/timings.ts) does it once every test has
 * run and before it takes the suite's wall time: removing a warm run's ~1 GB of exports, renders
 * and server data is part of what `npm test` makes a person wait for. A run
 * folder another process opened (a nested mocha keeps its parent's) is left alone. Returns whether
 * it removed one.
 */
function closeRunTmp() {
  const root = process.env.TESTS_TMP;
  if (!root || path.basename(root) !== `${PREFIX}${process.pid}`) return false;
  fs.rmSync(root, { recursive: true, force: true });
  return true;
}

/**
 * The run's folder: `TESTS_TMP`, or, in a process that has none (mocha with `--no-config`, as the
 * short loop in CONTRIBUTING.md runs one file, reads no .mocharc.cjs), one opened now for this
 * process and set as `TESTS_TMP` for the processes it starts. Before, such runs put every test
 * folder straight into the system's temporary directory and left it there: hundreds per day of
 * one-file runs.
 */
function runTmpRoot(base = os.tmpdir()) {
  if (!process.env.TESTS_TMP) process.env.TESTS_TMP = openRunTmp(base);
  return process.env.TESTS_TMP;
}

module.exports = { openRunTmp, closeRunTmp, runTmpRoot, sweepStale, PREFIX };
