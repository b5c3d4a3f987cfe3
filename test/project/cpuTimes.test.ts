import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import type Mocha from "mocha";
import { processTreeCpuMs, rootHooks } from "../support/cpuTimes";
import { tmpDir } from "../support/helpers";

/** Keeps this process busy for `ms` of its own CPU. */
function burn(ms: number): void {
  const until = processTreeCpuMs()! + ms;
  let x = 0;
  while (processTreeCpuMs()! < until) for (let i = 0; i < 1e5; i++) x += i;
  assert.ok(x > 0);
}

/** The lines a set of hooks wrote, by file. */
function lines(out: string): Map<string, number> {
  const rows = fs
    .readFileSync(out, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { file: string; cpuMs: number; pid: number });
  for (const r of rows) assert.equal(r.pid, process.pid);
  return new Map(rows.map((r) => [r.file, r.cpuMs]));
}

const fileA = path.join(process.cwd(), "test", "fake", "a.test.ts");
const fileB = path.join(process.cwd(), "test", "fake", "b.test.ts");
/** A root hook's context in a run of `file` (a worker's run under --parallel). */
const runOf = (file: string) =>
  ({ test: { parent: { suites: [{ file }], tests: [] } } }) as unknown as Mocha.Context;
const testIn = (file: string) => ({ currentTest: { file } }) as unknown as Mocha.Context;

describe("the CPU each test file costs (test/support/cpuTimes.ts)", () => {
  it("under --parallel: a mark before and after each file's run, none around its tests", () => {
    // The marks read the whole process (every thread, and children reaped): CPU another thread of
    // a suite worker spends in b's 30 ms (V8's concurrent GC and compiler, libuv's pool finishing
    // an earlier file's work) is charged to b, and once in a cold CI rehearsal made it exceed a's
    // 60 ms. So the pair is run up to three times and one clean pair passes; marks that bleed from
    // one file into the next (b charged a's CPU too) or that swap files fail all three.
    const tries: string[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const out = path.join(tmpDir("cpu-times"), "run.jsonl");
      const hooks = rootHooks(true, () => out);
      assert.deepEqual(Object.keys(hooks).sort(), ["afterAll", "beforeAll"]);
      hooks.beforeAll.call(runOf(fileA));
      burn(60);
      hooks.afterAll.call(runOf(fileA));
      hooks.beforeAll.call(runOf(fileB));
      burn(30);
      hooks.afterAll.call(runOf(fileB));
      const got = lines(out);
      assert.deepEqual([...got.keys()].sort(), ["test/fake/a.test.ts", "test/fake/b.test.ts"]);
      const a = got.get("test/fake/a.test.ts")!;
      const b = got.get("test/fake/b.test.ts")!;
      // /proc counts in ticks of 10 ms.
      assert.ok(a >= 50, `a: ${a} ms`);
      assert.ok(b >= 20, `b: ${b} ms`);
      if (b < a) return;
      tries.push(`b: ${b} ms, a: ${a} ms`);
    }
    assert.fail(
      `the file burning 30 ms was charged no less than the one burning 60 ms in each of 3 tries: ${tries.join("; ")}`,
    );
  });

  it("in one run of every file (--no-parallel): a mark around each test, each charged to its file", () => {
    const out = path.join(tmpDir("cpu-times"), "run.jsonl");
    const hooks = rootHooks(false, () => out);
    assert.deepEqual(Object.keys(hooks).sort(), ["afterAll", "afterEach", "beforeEach"]);
    for (const [file, ms] of [
      [fileA, 50],
      [fileB, 20],
      [fileA, 20],
    ] as const) {
      hooks.beforeEach.call(testIn(file));
      burn(ms);
      hooks.afterEach.call(testIn(file));
    }
    hooks.afterAll.call(runOf(fileA));
    const got = lines(out);
    assert.ok(got.get("test/fake/a.test.ts")! >= 60, `a: ${got.get("test/fake/a.test.ts")} ms`);
    assert.ok(got.get("test/fake/b.test.ts")! >= 10, `b: ${got.get("test/fake/b.test.ts")} ms`);
  });
});
