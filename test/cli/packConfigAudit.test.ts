/**
 * A policy pack config (`policy:check --config`, `synth --policy-config`) with several mistakes
 * says them all in one run: a key the engine ignores (a warning) is said beside the values it
 * refuses, not one run later; a file that cannot be read is said as such, not as content that is
 * not JSON.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { packConfigProblems } from "../../synth/pack";
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

  it("a number written as a string is offered in the JSON form to write, and that form is taken", async () => {
    const dir = tmpDir("packcfg-audit");
    const cfg = path.join(dir, "cfg.json");
    fs.writeFileSync(cfg, '{"resource-budget": {"maxRequestShare": "0.8"}}');
    const r = await policyCheckCli([dir, "--config", cfg]);
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(
      r.stderr,
      /cfg\.json:1:41: resource-budget: maxRequestShare must be a number, found string "0\.8"; did you mean 0\.8, without the quotes\? \(maxRequestShare: /,
    );
    // The hint pasted: the engine's rules take it.
    assert.deepEqual(packConfigProblems(JSON.parse('{"resource-budget": {"maxRequestShare": 0.8}}')), []);
  });

  it("a quoted value the setting refuses as a number too is told what it must be, and a quoted boolean is offered", () => {
    assert.deepEqual(
      packConfigProblems({ "resource-budget": { maxRequestShare: "1.5" } }).map((p) =>
        p.replace(/ \(maxRequestShare: .*$/, ""),
      ),
      [
        'resource-budget: maxRequestShare must be a number, found string "1.5"; written 1.5 (without the quotes) it is still refused: it must be a number above 0 and at most 1',
      ],
    );
    assert.match(
      packConfigProblems({ "production-data-protected": { production: "false" } }).join("\n"),
      /production must be true, false or null, found string "false"; did you mean false, without the quotes\?/,
    );
    // A string that is no number or boolean gets no such hint.
    assert.ok(
      !packConfigProblems({ "resource-budget": { maxRequestShare: "80%" } }).some((p) =>
        p.includes("quotes"),
      ),
    );
  });
});
