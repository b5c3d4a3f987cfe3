import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { synthCli, tmpDir } from "../support/helpers";
import { atUpdate, importStep } from "../support/importStep";

/*
 * --against the takeover's import-step synthesis at its update step renders each adopted release
 * as it runs (change/check.ts previousState): its chart version from helm-list.yaml, its values
 * from the folder's values file. When Helm refuses those, the mistake is in what runs (or in how
 * it was collected), not in the export: it was said as "--against <export>: the previous export
 * does not render", closing "bad input: --against <export>", sending the reader to a file that
 * holds nothing wrong. Here the running Loki's values set singleBinary.replicas 1 beside its
 * SimpleScalable targets, which the loki chart 6.49.0 refuses (templates/validate.yaml:31).
 */
describe("--against an import step's synthesis whose running release does not render names what runs (change/check.ts previousNotRendered)", function () {
  this.timeout(180000);
  let byKey: { status: number | null; stdout: string; stderr: string };
  let byFlag: { status: number | null; stdout: string; stderr: string };
  let against = "";

  before(async () => {
    const step = await importStep("import-step-running-not-rendered");
    const { dir, file, text, running } = step;
    against = step.against;
    const values = path.join(running, "monitoring.loki.values.yaml");
    const was = fs.readFileSync(values, "utf8");
    const broken = was.replace(/\nsingleBinary:\n {2}replicas: 0\n/, "\nsingleBinary:\n  replicas: 1\n");
    assert.notEqual(broken, was);
    fs.writeFileSync(values, broken);
    try {
      fs.writeFileSync(
        file,
        text.replace(/\n {4}step: import\n/, "\n    step: update\n    running: running\n"),
      );
      byKey = await synthCli(
        "--dir",
        dir,
        "--stack",
        "takeover",
        "--out",
        tmpDir("u1"),
        "--quiet",
        "--against",
        against,
      );
      fs.writeFileSync(file, atUpdate(text));
      byFlag = await synthCli(
        "--dir",
        dir,
        "--stack",
        "takeover",
        "--out",
        tmpDir("u2"),
        "--quiet",
        "--against",
        against,
        "--running",
        running,
      );
    } finally {
      // The folder keeps its path from run to run: leave what runs as it was collected.
      fs.writeFileSync(values, was);
    }
  });

  it("with takeover.running: says the running release, its chart version, Helm's error and its values file, exit 2", () => {
    assert.equal(byKey.status, 2, byKey.stdout + byKey.stderr);
    assert.doesNotMatch(byKey.stderr, /the previous export does not render/);
    assert.match(
      byKey.stderr,
      /takeover: takeover\.running: running \([^)]*Pulumi\.takeover\.yaml:\d+\): what runs does not render, so the change from --against \S+takeover\.json \(the takeover's import step, whose adopted releases are judged as they run\) is not known: 1 of 6 Helm releases did not render/,
    );
    assert.match(
      byKey.stderr,
      /\n {2}monitoring\/loki \(loki 6\.49\.0\): Error: .*validate\.yaml:31.*single binary and simple scalable targets/,
    );
    assert.match(
      byKey.stderr,
      /\n {2}monitoring\/loki: rendered with chart loki 6\.49\.0 \(\S+running\/helm-list\.yaml\) and the values of \S+running\/monitoring\.loki\.values\.yaml \(collected with: helm .*get values loki -n monitoring --all -o yaml > \S+\)/,
    );
  });

  it("with --running: the same, led and closed by the flag, not by --against", () => {
    assert.equal(byFlag.status, 2, byFlag.stdout + byFlag.stderr);
    assert.doesNotMatch(byFlag.stderr, /the previous export does not render/);
    assert.match(
      byFlag.stderr,
      /takeover: --running \S+running: what runs does not render, so the change from --against/,
    );
    assert.match(byFlag.stdout, /takeover: FAIL \(exit 2\): bad input: --running \S+running \(above\)/);
    assert.doesNotMatch(byFlag.stdout, /bad input: --against/);
  });
});
