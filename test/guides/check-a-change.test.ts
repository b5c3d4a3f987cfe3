import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { ROOT, synthCli, tmpDir } from "../support/helpers";
import { shownFile } from "../../config/paths";

/*
 * docs/how-to/check-a-change.md, "A refused claim": its example is what `--against` prints for
 * loki.volumeSize lowered from 20Gi to 10Gi on the staging stack, the key at its line in the stack
 * file included, and the stack's last line says exit 1.
 */
describe("guide check-a-change: the refused-claim example is what the run prints", function () {
  this.timeout(120_000);

  it("prints the guide's REFUSED line for a lowered loki.volumeSize, with the key's line, and exits 1", async () => {
    const guide = fs.readFileSync(path.join(ROOT, "docs/how-to/check-a-change.md"), "utf8");
    const example = /^ {5}REFUSED StatefulSet monitoring\/loki spec\.volumeClaimTemplates: .*$/m.exec(
      guide,
    )?.[0];
    assert.ok(example, "the guide's refused-claim example");
    const dir = tmpDir("guide-check-a-change");
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    const staging = fs.readFileSync(path.join(ROOT, "Pulumi.staging.yaml"), "utf8");
    const sized = (size: string) => staging.replace(/^( {4}retention: 7d\n)/m, `$1    volumeSize: ${size}\n`);
    const file = path.join(dir, "Pulumi.staging.yaml");
    fs.writeFileSync(file, sized("20Gi"));
    const line = sized("20Gi").split("\n").indexOf("    volumeSize: 20Gi") + 1;
    const before = await synthCli(
      "--dir",
      dir,
      "--stack",
      "staging",
      "--out",
      path.join(dir, "a"),
      "--quiet",
    );
    assert.equal(before.status, 0, before.stderr);
    fs.writeFileSync(file, sized("10Gi"));
    const after = await synthCli(
      ...["--dir", dir, "--stack", "staging", "--out", path.join(dir, "b"), "--quiet"],
      ...["--against", path.join(dir, "a", "staging.json")],
    );
    const text = after.stdout + after.stderr;
    const printed = text.split("\n").find((l) => l.startsWith("     REFUSED StatefulSet monitoring/loki"));
    // The run names the file from where it runs; from the checkout it is Pulumi.staging.yaml.
    const shown = `${shownFile(file)}:${line}`;
    assert.equal(printed?.replace(shown, "Pulumi.staging.yaml:33"), example, text);
    assert.equal(line, 33);
    assert.equal(after.status, 1, text);
    assert.match(after.stdout, /staging: FAIL \(exit 1\): the change: 1 refused \(above\)\n?$/);
  });
});
