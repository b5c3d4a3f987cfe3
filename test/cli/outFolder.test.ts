/**
 * The --out folder (cli/outFolder.ts), in a process of its own under a time limit: the fault it
 * guards against (Node 22's recursive mkdir where the file system makes no folders) never returns,
 * and in the test's own process it would stop the whole run instead of failing one test.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { ROOT, tmpDir } from "../support/helpers";

/**
 * outFolderProblem(out) of the compiled module for each of `outs` in turn, in one fresh node given
 * 15 s, which must end by itself: a test's paths share a process (one start-up, not one each).
 */
function problemsOf(...outs: string[]): (string | null)[] {
  const mod = path.join(ROOT, "dist", "cli", "outFolder.js");
  const s = spawnSync(
    process.execPath,
    [
      "-e",
      `const { outFolderProblem } = require(${JSON.stringify(mod)});` +
        "process.stdout.write(JSON.stringify(process.argv.slice(1).map((o) => outFolderProblem(o) ?? null)))",
      ...outs,
    ],
    { encoding: "utf8", timeout: 15_000 },
  );
  assert.equal(s.status, 0, `the process did not end by itself (status ${s.status}): ${s.stderr}`);
  return JSON.parse(s.stdout) as (string | null)[];
}

describe("synth --out: the folder made, or said why not", function () {
  this.timeout(30_000);

  it("a place where the file system makes no folders (/proc) is said, not waited on forever", function () {
    if (!fs.existsSync("/proc/self")) this.skip(); // Linux only: the fault and /proc are Linux's
    assert.deepEqual(problemsOf("/proc/homelab-out/exports"), ["the file system there makes no folders"]);
  });

  it("makes every missing folder of a path, and takes a folder that exists", () => {
    const base = tmpDir("out-folder");
    const out = path.join(base, "a", "b", "c");
    // The first call makes it, the second takes it as it is.
    assert.deepEqual(problemsOf(out, out), [null, null]);
    assert.ok(fs.statSync(out).isDirectory());
  });

  it("a file there, or on the path, is said as a file", () => {
    const base = tmpDir("out-folder");
    const file = path.join(base, "f");
    fs.writeFileSync(file, "");
    assert.deepEqual(problemsOf(file, path.join(file, "sub")), [
      "a file is there (or on its path)",
      "a file is there (or on its path)",
    ]);
  });

  it("a link to nothing there, or on the path, is said as such, not as a file", () => {
    const base = tmpDir("out-folder");
    const link = path.join(base, "dead");
    fs.symlinkSync(path.join(base, "nothing"), link);
    assert.deepEqual(problemsOf(link, path.join(link, "sub")), [
      "a link to a path that does not exist is there (or on its path)",
      "a link to a path that does not exist is there (or on its path)",
    ]);
  });

  it("a folder that exists but takes no file is said before any export is written", function () {
    // Root writes through any mode bits, so the folder is one whose file system refuses every
    // write (sysfs: EACCES even to root); anyone else gets a folder without write permission.
    const root = process.getuid?.() === 0;
    if (root && !fs.existsSync("/sys/kernel")) this.skip();
    const dir = root ? "/sys/kernel" : tmpDir("out-folder");
    if (!root) fs.chmodSync(dir, 0o555);
    const [there, below] = problemsOf(dir, path.join(dir, "sub"));
    assert.equal(there, "it cannot be written (permission denied)");
    assert.equal(below?.startsWith("it cannot be made ("), true, String(below));
  });
});
