import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { tmpDir } from "../support/helpers";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { closeRunTmp, openRunTmp, sweepStale } = require("../support/runTmp.cjs") as {
  closeRunTmp: () => boolean;
  openRunTmp: (base?: string) => string;
  sweepStale: (base?: string) => string[];
};
const RUN_TMP = path.join(__dirname, "..", "support", "runTmp.cjs");

/** The id of a process that has exited (its number is not reused between here and the check). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], {
    encoding: "utf8",
  });
  return Number(r.stdout);
}

describe("the tests' temporary files (test/support/runTmp.cjs)", () => {
  it("go under the run's folder, which is named by the run's process", () => {
    const dir = tmpDir("where");
    const root = process.env.TESTS_TMP!;
    assert.match(path.basename(root), /^homelab-tests-\d+$/);
    assert.equal(path.dirname(dir), root);
  });

  it("are removed when the process that opened the run's folder exits", () => {
    const base = tmpDir("run-base");
    const script = `const root = require(${JSON.stringify(RUN_TMP)}).openRunTmp(${JSON.stringify(base)});
      require("fs").writeFileSync(require("path").join(root, "left"), "x");
      process.stdout.write(root);`;
    const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /homelab-tests-\d+$/);
    assert.ok(!fs.existsSync(r.stdout), `${r.stdout} is still there`);
  });

  it("of a process without a run folder (mocha --no-config) go under one opened for it, removed at its exit", () => {
    const base = tmpDir("no-config-base");
    // As tmpDir does in a process that has no TESTS_TMP: the run folder comes from runTmpRoot.
    const script = `const root = require(${JSON.stringify(RUN_TMP)}).runTmpRoot(${JSON.stringify(base)});
      const dir = require("fs").mkdtempSync(require("path").join(root, "t-"));
      require("fs").writeFileSync(require("path").join(dir, "left"), "x");
      process.stdout.write(process.env.TESTS_TMP);`;
    const env = { ...process.env };
    delete env.TESTS_TMP;
    const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", env });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(path.dirname(r.stdout), base);
    assert.deepEqual(fs.readdirSync(base), [], "nothing is left in the base folder");
  });

  it("are removed by the process that opened them when asked (the reporter, before the wall time), and no other's", () => {
    const base = tmpDir("close-base");
    // The process's own folder: removed at once, before its exit.
    const script = `const runTmp = require(${JSON.stringify(RUN_TMP)});
      const root = runTmp.runTmpRoot(${JSON.stringify(base)});
      require("fs").writeFileSync(require("path").join(root, "left"), "x");
      process.stdout.write(JSON.stringify([runTmp.closeRunTmp(), require("fs").existsSync(root)]));`;
    const env = { ...process.env };
    delete env.TESTS_TMP;
    const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", env });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), [true, false]);
    // A nested mocha's TESTS_TMP is its parent's folder (another process's id): left alone.
    const parents = path.join(base, `homelab-tests-${deadPid()}`);
    fs.mkdirSync(path.join(parents, "inside"), { recursive: true });
    const saved = process.env.TESTS_TMP;
    process.env.TESTS_TMP = parents;
    try {
      assert.equal(closeRunTmp(), false);
    } finally {
      process.env.TESTS_TMP = saved;
    }
    assert.ok(fs.existsSync(path.join(parents, "inside")));
  });

  it("of a run stopped before it could remove them are removed by the next run, and no other folder", () => {
    const base = tmpDir("stale-base");
    const stale = path.join(base, `homelab-tests-${deadPid()}`);
    const running = path.join(base, `homelab-tests-${process.pid}`);
    const other = path.join(base, "homelab-tests-notapid");
    for (const d of [stale, running, other]) fs.mkdirSync(path.join(d, "inside"), { recursive: true });
    assert.deepEqual(sweepStale(base), [path.basename(stale)]);
    assert.ok(!fs.existsSync(stale));
    assert.ok(fs.existsSync(running) && fs.existsSync(other));
  });

  it("start empty in a folder opened again under the same process id", () => {
    const base = tmpDir("reopen-base");
    const same = path.join(base, `homelab-tests-${process.pid}`);
    fs.mkdirSync(same);
    fs.writeFileSync(path.join(same, "old"), "x");
    const root = openRunTmp(base);
    assert.equal(root, same);
    assert.deepEqual(fs.readdirSync(root), []);
  });
});
