import { strict as assert } from "assert";
import { referenceEnv } from "../../cli/sdkReference";

describe("the test workers (.mocharc.cjs)", function () {
  it("run the program with the offline CLIs' start-up shortcut: the SDK's per-promise stack has no frames", async function () {
    // The SDK loads its runtime first, as the program does; the module is then the one it uses.
    await import("@pulumi/pulumi");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const debuggable = require("@pulumi/pulumi/runtime/debuggable") as {
      debuggablePromise: <T>(p: Promise<T>, ctx: unknown) => Promise<T>;
    };
    const p: Promise<number> & { _debugStackTrace?: string } = Promise.resolve(1);
    await debuggable.debuggablePromise(p, "a test");
    // The SDK keeps `new Error().stack` on the promise (runtime/debuggable.js); captured with a
    // limit of 0 frames it is the error's name alone, and no frame is mapped through source maps.
    assert.equal(p._debugStackTrace, "Error");
  });

  it("run with the larger young generation .mocharc.cjs sets, which the SDK-load reference does not get", function () {
    assert.match(process.env.NODE_OPTIONS ?? "", /--max-semi-space-size=\d+/);
    const ref = referenceEnv(process.env);
    assert.equal(ref.NODE_OPTIONS, undefined);
    assert.equal(ref.NODE_COMPILE_CACHE, undefined);
    assert.equal(ref.NODE_DISABLE_COMPILE_CACHE, "1");
  });
});
