/**
 * docs/how-to/raspberry-pi.md quotes what the synthesis prints for a misspelt option of the user's
 * own Vector transform in the Pi stack: the guide's `text` block is what the run prints, line for
 * line, for the transform it describes added at the end of Pulumi.pi.yaml.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { ROOT, synthCli, tmpDir } from "../support/helpers";
import { shownFile } from "../../config/paths";

const GUIDE = path.join(ROOT, "docs/how-to/raspberry-pi.md");

/** The guide's text block that quotes the vector-config check, its lines without the list's indent. */
function quoted(): string[] {
  const doc = fs.readFileSync(GUIDE, "utf8");
  const block = /\n {2}```text\n((?: {2}\[vector-config\][^\n]*\n)(?: {2}[^`\n][^\n]*\n)*) {2}```\n/.exec(
    doc,
  );
  assert.ok(block, "the guide quotes the vector-config check in a text block");
  return block[1]
    .trimEnd()
    .split("\n")
    .map((l) => l.slice(2));
}

describe("raspberry-pi.md: the quoted vector-config message is what synth prints", function () {
  this.timeout(120_000);

  it("the transform the guide describes, at the end of Pulumi.pi.yaml, prints the quoted lines", async () => {
    const dir = tmpDir("pi-guide");
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    const stack = fs.readFileSync(path.join(ROOT, "Pulumi.pi.yaml"), "utf8");
    assert.doesNotMatch(stack, /chartValues/, "the Pi stack sets no chartValues of its own");
    fs.writeFileSync(
      path.join(dir, "Pulumi.pi.yaml"),
      `${stack.trimEnd()}
  homelab-observability:chartValues:
    vector:
      customConfig:
        transforms:
          errors:
            type: filter
            inputs: ["pod_logs"]
            condtion: '.level == "error"'
`,
    );
    const r = await synthCli("--stack", "pi", "--dir", dir, "--out", tmpDir("out"), "--quiet");
    assert.equal(r.status, 1, r.stdout + r.stderr);
    // The run names the file as given (--dir); the guide, run in the checkout, as Pulumi.pi.yaml.
    const printed = (r.stdout + r.stderr)
      .split(shownFile(path.join(dir, "Pulumi.pi.yaml")))
      .join("Pulumi.pi.yaml");
    const lines = printed.split("\n").map((l) => l.replace(/^ {2}/, ""));
    for (const line of quoted()) assert.ok(lines.includes(line), `printed:\n${printed}\nmissing:\n${line}`);
  });
});
