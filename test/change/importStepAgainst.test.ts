import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { synthCli, tmpDir } from "../support/helpers";
import { atUpdate, importStep } from "../support/importStep";

/*
 * The takeover's two steps checked as README "Taking over a running stack" runs them: the import
 * step synthesized (takeover.step: import), then the update step (step: update, takeover.running
 * naming what runs) checked with --against that synthesis. The import step ignores each adopted
 * release's chart, version and values, so the state it leaves holds the running releases, not the
 * program's values its synthesis wrote: the update keeps the running claim templates, which the
 * API server then sees unchanged. Seed 000's Loki (SimpleScalable, no storageClass on its claims)
 * and its KPS (no Alertmanager storage) used to be refused three times here.
 */
describe("--against the takeover's import-step synthesis at its update step (change/check.ts previousState)", function () {
  this.timeout(180000);
  let update: { status: number | null; stdout: string; stderr: string };
  let again: { status: number | null; stdout: string; stderr: string };

  before(async () => {
    const { dir, file, text, against } = await importStep("import-step-against");
    fs.writeFileSync(file, atUpdate(text, "running"));
    const b = tmpDir("update-step");
    update = await synthCli("--dir", dir, "--stack", "takeover", "--out", b, "--quiet", "--against", against);
    // The update step's own synthesis as the previous export: its values did run, kept as they are.
    const next = tmpDir("update-again");
    again = await synthCli(
      "--dir",
      dir,
      "--stack",
      "takeover",
      "--out",
      next,
      "--quiet",
      "--against",
      path.join(b, "takeover.json"),
    );
  });

  it("refuses no claim template the update keeps as it runs: exit 0, no REFUSED line", () => {
    assert.equal(update.status, 0, update.stdout + update.stderr);
    assert.doesNotMatch(update.stdout, /REFUSED/);
    assert.match(update.stdout, /\n\d+ create, \d+ update, 0 replace, \d+ delete; 0 refused/);
  });

  it("judges the adopted releases from what runs, and says so once", () => {
    // Loki runs chart 6.49.0 (helm-list.yaml): the update moves it to the pinned chart.
    assert.match(update.stdout, /\n~ {2}update {2}Release::loki \(loki\): version, /);
    const said = update.stdout
      .split("\n")
      .filter((l) => l.startsWith("the previous export is the takeover's import step as synthesized"));
    assert.equal(said.length, 1, update.stdout);
    assert.match(
      said[0],
      /whose Release::loki, Release::kube-prometheus-stack and Release::grafana hold the program's values, which that step did not apply: .*judged here from what runs \(.*running\)$/,
    );
    assert.match(
      update.stdout,
      /and the change above judged the adopted releases from it, but not as --running does/,
    );
    assert.doesNotMatch(update.stdout, /but judged no change from it/);
  });

  it("leaves an export of an update step as it is: the releases it holds ran", () => {
    assert.equal(again.status, 0, again.stdout + again.stderr);
    assert.doesNotMatch(again.stdout, /the previous export is the takeover's import step/);
    assert.doesNotMatch(again.stdout, /Release::loki/);
    assert.match(again.stdout, /but judged no change from it/);
  });
});
