/**
 * A policy pack config (`policy:check --config`, `synth --policy-config`) with several mistakes
 * says them all in one run: a key the engine ignores (a warning) is said beside the values it
 * refuses, not one run later; a file that cannot be read is said as such, not as content that is
 * not JSON.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { policyCheckCli, tmpDir } from "../support/helpers";

const lastLine = (text: string) => text.trimEnd().split("\n").pop()!;

describe("policy pack config: every mistake in one run", function () {
  this.timeout(60_000);

  it("a refused level and a misspelt policy name: both said, exit 2", async () => {
    const dir = tmpDir("packcfg-audit");
    const cfg = path.join(dir, "cfg.json");
    fs.writeFileSync(cfg, JSON.stringify({ "arm64-image": "advisory", all: "mandatry" }));
    const r = await policyCheckCli([dir, "--config", cfg]);
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(
      r.stderr,
      /cfg\.json:1:2: warning: "arm64-image" names no policy of this pack.*did you mean "arm64-images"\?/,
    );
    assert.match(
      r.stderr,
      /cfg\.json: policy pack configuration is invalid:\n {2}- .*cfg\.json:1:2: warning: "arm64-image" .*\n {2}- .*"mandatry" is not a valid enforcement level.*did you mean "mandatory"\?/,
    );
    assert.equal(
      lastLine(r.stdout),
      `policy:check: FAIL (exit 2): a bad pack config: --config ${cfg} (above)`,
    );
  });

  it("a config file that is missing or a folder: said as such", async () => {
    const dir = tmpDir("packcfg-audit");
    for (const [file, got] of [
      [path.join(dir, "none.json"), "no such file; check the path"],
      [dir, "it is a folder, not a file; name the file itself"],
    ]) {
      const r = await policyCheckCli([dir, "--config", file]);
      assert.equal(r.status, 2, r.stdout + r.stderr);
      assert.ok(r.stderr.includes(`cannot read ${file}: ${got}`), r.stderr);
    }
  });
});
