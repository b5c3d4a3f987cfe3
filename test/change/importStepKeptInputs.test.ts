import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { ROOT, synthCli, tmpDir } from "../support/helpers";
import { stableDir } from "../support/stableDir";
import { writeSeed000Running } from "../support/runningSeed000";

/*
 * The state a takeover's import step leaves holds each adopted Release's program inputs with only
 * the ignored ones (RELEASE_IMPORT_IGNORES: chart, version, values, ...) taken from the import: the
 * engine applies ignoreChanges to the program's inputs and keeps the rest (model/importIgnores.ts).
 * `compat` is not ignored, so the state keeps the program's, and a check --against the import
 * step's synthesis must not report it as changed. Seen as a user runs it: the import step (with
 * takeover.running) synthesized, then synthesized again --against that export printed
 * "~  update  Release::loki (loki): compat" for each of the three adopted releases.
 */
describe("--against the takeover's import-step synthesis keeps the adopted releases' other inputs (change/takeover.ts stateAfterImport)", function () {
  this.timeout(180000);
  let again: { status: number | null; stdout: string; stderr: string };

  before(async () => {
    const dir = stableDir("import-step-kept-inputs");
    // The stack file at its import step, naming what runs; Pulumi.yaml has no step to rewrite.
    for (const f of ["Pulumi.yaml", "Pulumi.takeover.yaml"]) {
      const text = fs.readFileSync(path.join(ROOT, f), "utf8");
      const step = text.replace(/\n {4}step: import\n/, "\n    step: import\n    running: running\n");
      fs.writeFileSync(path.join(dir, f), step);
    }
    assert.match(fs.readFileSync(path.join(dir, "Pulumi.takeover.yaml"), "utf8"), /\n {4}running: running\n/);
    await writeSeed000Running(path.join(dir, "running"));
    const a = tmpDir("import-step-first");
    const first = await synthCli("--dir", dir, "--stack", "takeover", "--out", a, "--quiet");
    assert.equal(first.status, 0, first.stdout + first.stderr);
    const b = tmpDir("import-step-again");
    const against = path.join(a, "takeover.json");
    again = await synthCli("--dir", dir, "--stack", "takeover", "--out", b, "--quiet", "--against", against);
  });

  it("reports no change of an adopted release's compat input, which the import step kept", () => {
    assert.equal(again.status, 0, again.stdout + again.stderr);
    assert.match(again.stdout, /the previous export is the takeover's import step as synthesized/);
    assert.doesNotMatch(again.stdout, /Release::(loki|kube-prometheus-stack|grafana) \([^)]*\):.*\bcompat\b/);
  });
});
