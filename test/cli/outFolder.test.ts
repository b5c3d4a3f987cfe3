/**
 * The --out folder (cli/outFolder.ts), in a process of its own under a time limit: the fault it
 * guards against (Node 22's recursive mkdir where the file system makes no folders) never returns,
 * and in the test's own process it would stop the whole run instead of failing this file's tests.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { ROOT, tmpDir } from "../support/helpers";

/**
 * outFolderProblem(out) of the compiled module for each of `outs` in turn, in one fresh node given
 * 15 s, which must end by itself.
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

/**
 * Each test's paths, made ready first and asked of one node (one start-up for the file, not one per
 * test: 5 -> 1 processes), in the order listed; each test reads the answers for its own.
 */
const cases = new Map<string, string[]>();
let answers: Map<string, (string | null)[]> | undefined;
/** What outFolderProblem said of the paths the test named `name` put in {@link cases}. */
function answersOf(name: string): (string | null)[] {
  if (!answers) {
    const all = problemsOf(...[...cases.values()].flat());
    answers = new Map();
    let at = 0;
    for (const [n, outs] of cases) answers.set(n, all.slice(at, (at += outs.length)));
  }
  return answers.get(name)!;
}

describe("synth --out: the folder made, or said why not", function () {
  this.timeout(30_000);
  let made: string;
  const root = process.getuid?.() === 0;
  const sysfs = root && fs.existsSync("/sys/kernel");

  before(() => {
    // Linux only: the fault and /proc are Linux's.
    if (fs.existsSync("/proc/self")) cases.set("proc", ["/proc/homelab-out/exports"]);
    // The first call makes it, the second takes it as it is.
    made = path.join(tmpDir("out-folder"), "a", "b", "c");
    cases.set("made", [made, made]);
    const file = path.join(tmpDir("out-folder"), "f");
    fs.writeFileSync(file, "");
    cases.set("file", [file, path.join(file, "sub")]);
    const base = tmpDir("out-folder");
    const link = path.join(base, "dead");
    fs.symlinkSync(path.join(base, "nothing"), link);
    cases.set("link", [link, path.join(link, "sub")]);
    // Root writes through any mode bits, so the folder is one whose file system refuses every
    // write (sysfs: EACCES even to root); anyone else gets a folder without write permission.
    if (!root || sysfs) {
      const dir = root ? "/sys/kernel" : tmpDir("out-folder");
      if (!root) fs.chmodSync(dir, 0o555);
      cases.set("unwritable", [dir, path.join(dir, "sub")]);
    }
  });

  it("a place where the file system makes no folders (/proc) is said, not waited on forever", function () {
    if (!cases.has("proc")) this.skip();
    assert.deepEqual(answersOf("proc"), ["the file system there makes no folders"]);
  });

  it("makes every missing folder of a path, and takes a folder that exists", () => {
    assert.deepEqual(answersOf("made"), [null, null]);
    assert.ok(fs.statSync(made).isDirectory());
  });

  it("a file there, or on the path, is said as a file", () => {
    assert.deepEqual(answersOf("file"), [
      "a file is there (or on its path)",
      "a file is there (or on its path)",
    ]);
  });

  it("a link to nothing there, or on the path, is said as such, not as a file", () => {
    assert.deepEqual(answersOf("link"), [
      "a link to a path that does not exist is there (or on its path)",
      "a link to a path that does not exist is there (or on its path)",
    ]);
  });

  it("a folder that exists but takes no file is said before any export is written", function () {
    if (!cases.has("unwritable")) this.skip();
    const [there, below] = answersOf("unwritable");
    assert.equal(there, "it cannot be written (permission denied)");
    assert.equal(below?.startsWith("it cannot be made ("), true, String(below));
  });
});
