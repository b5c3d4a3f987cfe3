import { strict as assert } from "assert";
import { referenceEnv } from "../../cli/sdkReference";

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
});
