import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { compiled } from "../support/helpers";

/*
 * The offline CLIs print no DEP0040 (`punycode`, which ajv-formats-draft2019 requires through
 * kubernetes-models' validation) and every other warning as before (cli/startup.ts).
 */
describe("the CLIs' start-up drops the punycode deprecation, and only it", () => {
  it("after cli/startup, requiring punycode prints nothing; another warning is still printed", () => {
    const script = [
      `require(${JSON.stringify(compiled("cli/startup.ts"))});`,
      `require("punycode");`,
      `process.emitWarning("still said", { code: "XTEST1", type: "DeprecationWarning" });`,
      `process.emitWarning("said too", "Warning", "XTEST2");`,
    ].join("\n");
    const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /DEP0040|punycode/);
    assert.match(r.stderr, /\[XTEST1\] DeprecationWarning: still said/);
    assert.match(r.stderr, /\[XTEST2\] Warning: said too/);
  });

  it("without it, this Node prints DEP0040 for the same require (the test sees what it removes)", () => {
    const r = spawnSync(process.execPath, ["-e", `require("punycode")`], { encoding: "utf8" });
    if (!/DEP0040/.test(r.stderr)) return; // Node 20 and older: punycode is not yet deprecated at run time.
    assert.match(r.stderr, /DEP0040/);
  });
});
