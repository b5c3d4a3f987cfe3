import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { spawnSync } from "child_process";
import { referenceEnv } from "../../cli/sdkReference";
import { ROOT } from "../support/helpers";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const tiering = require("../support/tiering.cjs") as {
  DEFAULT_INVOCATIONS: number;
  turbofanInvocations: (env: NodeJS.ProcessEnv) => number;
};

/**
 * V8's own view of `f` after `calls` calls in a fresh node, with test/support/tiering.cjs loaded
 * first or not: whether TurboFan was asked for it, is compiling it or made its code
 * (%GetOptimizationStatus's bits kOptimized, kTurboFanned, kMarkedForOptimization,
 * kMarkedForConcurrentOptimization and kOptimizingConcurrently, V8's src/runtime/runtime-test.cc).
 */
function turbofanTouched(calls: number, withTiering: boolean, env: NodeJS.ProcessEnv = {}): boolean {
  const program = `
    function f(a) { return a * 2 + 1; }
    let t = 0;
    for (let n = 0; n < ${calls}; n++) t += f(n);
    const turbofan = (1 << 4) | (1 << 6) | (1 << 8) | (1 << 9) | (1 << 10);
    process.stdout.write(String((%GetOptimizationStatus(f) & turbofan) !== 0));`;
  const args = [
    "--allow-natives-syntax",
    ...(withTiering ? ["-r", path.join(ROOT, "test/support/tiering.cjs")] : []),
  ];
  const r = spawnSync(process.execPath, [...args, "-e", program], {
    encoding: "utf8",
    env: { PATH: process.env.PATH, ...env },
  });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout === "true";
}

describe("the test workers (.mocharc.cjs)", function () {
  it("run the program with the offline CLIs' start-up shortcut: the SDK's promises get no per-promise marks", async function () {
    // The SDK loads its runtime first, as the program does; the module is then the one it uses.
    await import("@pulumi/pulumi");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const debuggable = require("@pulumi/pulumi/runtime/debuggable") as {
      debuggablePromise: <T>(p: Promise<T>, ctx: unknown) => Promise<T>;
    };
    type Marked = Promise<number> & { _debugStackTrace?: string };
    const first: Marked = Promise.resolve(0);
    await debuggable.debuggablePromise(first, "maybe the first");
    const p: Marked = Promise.resolve(1);
    await debuggable.debuggablePromise(p, "a test");
    // The SDK's own function runs for the worker's first promise only (cli/sdkStartup.ts
    // lightenPromiseStacks), its stack captured with no frames: the error's name alone. Every later
    // promise gets none of the SDK's marks.
    assert.ok(
      first._debugStackTrace === undefined || first._debugStackTrace === "Error",
      first._debugStackTrace,
    );
    assert.equal("_debugStackTrace" in p, false);
  });

  it("run with the larger young generation .mocharc.cjs sets, which the SDK-load reference does not get", function () {
    assert.match(process.env.NODE_OPTIONS ?? "", /--max-semi-space-size=\d+/);
    const ref = referenceEnv(process.env);
    assert.equal(ref.NODE_OPTIONS, undefined);
    assert.equal(ref.NODE_COMPILE_CACHE, undefined);
    assert.equal(ref.NODE_DISABLE_COMPILE_CACHE, "1");
  });

  it("run with V8's tier-up to TurboFan delayed (test/support/tiering.cjs, loaded first): a function V8 alone sends to TurboFan stays below it", function () {
    // .mocharc.cjs loads it before tsx, so every module a worker loads runs under it. Read as text:
    // loading .mocharc.cjs in a worker would register tsx's scoped require over the worker's own.
    const rc = fs.readFileSync(path.join(ROOT, ".mocharc.cjs"), "utf8");
    assert.match(rc, /\brequire: \[\s*"\.\/test\/support\/tiering\.cjs",/);
    // 20,000 calls: several times what V8's own count (3000) needs, half the workers' (40000).
    assert.equal(turbofanTouched(20000, false), true, "V8 alone: TurboFan asked for f");
    assert.equal(turbofanTouched(20000, true), false, "with tiering.cjs: f still below TurboFan");
    // V8's own behaviour back through the override.
    assert.equal(turbofanTouched(20000, true, { TESTS_TURBOFAN_INVOCATIONS: "3000" }), true);
  });

  it("refuses a TESTS_TURBOFAN_INVOCATIONS that is no whole number, naming it, what it takes and what it found", function () {
    assert.equal(tiering.turbofanInvocations({}), tiering.DEFAULT_INVOCATIONS);
    assert.equal(tiering.turbofanInvocations({ TESTS_TURBOFAN_INVOCATIONS: "12000" }), 12000);
    for (const bad of ["0", "-5", "1e4", "40k", " 3000"])
      assert.throws(
        () => tiering.turbofanInvocations({ TESTS_TURBOFAN_INVOCATIONS: bad }),
        (e: Error) =>
          e.message ===
          `TESTS_TURBOFAN_INVOCATIONS: expected a whole number of 1 or more (V8's own is 3000), found ${JSON.stringify(bad)}`,
      );
  });
});
