/**
 * One rule for how a place names its file, in every config message and the pack's lines
 * (contract/locate.ts shownPath): relative to the folder the command runs in when the file is
 * inside it, else the absolute path. A refusal's `at` line printed the absolute path while a
 * warning's `(file:line)` printed one relative to the working directory, climbing out of it with
 * `../` for a stack elsewhere.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { shownPath } from "@homelab-observability/contract";
import { overridePlacesIn } from "../../config/locate";
import { ROOT, synthCli, tmpDir } from "../support/helpers";
import { refusal, stackProject } from "../support/stackText";

const pi = fs.readFileSync(path.join(ROOT, "Pulumi.pi.yaml"), "utf8");
/** The line of victoriametrics.retention in Pulumi.pi.yaml. */
const VM_LINE = pi.split("\n").indexOf("    retention: 14d") + 1;

/** `run` with the working directory `dir`, restored after. */
async function inDir<T>(dir: string, run: () => T | Promise<T>): Promise<T> {
  const was = process.cwd();
  process.chdir(dir);
  try {
    return await run();
  } finally {
    process.chdir(was);
  }
}

describe("a place names its file relative to the working directory inside it, else absolute", () => {
  it("shownPath: inside the folder relative, outside (a sibling of the same prefix too) as it is", () => {
    assert.equal(shownPath("/w/stacks/Pulumi.pi.yaml", "/w"), "stacks/Pulumi.pi.yaml");
    assert.equal(shownPath("/w/Pulumi.pi.yaml", "/w/"), "Pulumi.pi.yaml");
    assert.equal(shownPath("/w2/Pulumi.pi.yaml", "/w"), "/w2/Pulumi.pi.yaml");
    assert.equal(shownPath("/elsewhere/Pulumi.pi.yaml", "/w"), "/elsewhere/Pulumi.pi.yaml");
  });

  it("synth's refusal: `at <folder>/Pulumi.s.yaml` run from above the stack, the absolute path from elsewhere", async () => {
    const dir = stackProject(pi.replace("retention: 14d", "retention: 12"));
    const name = path.basename(dir);
    const out = tmpDir("shown-out");
    const above = await inDir(path.dirname(dir), () =>
      synthCli("--dir", name, "--stack", "s", "--out", out, "--quiet"),
    );
    assert.equal(above.status, 2, above.stderr);
    assert.ok(above.stderr.includes(`\n    at ${name}/Pulumi.s.yaml:${VM_LINE}:5\n`), above.stderr);
    const elsewhere = await synthCli("--dir", dir, "--stack", "s", "--out", out, "--quiet");
    assert.equal(elsewhere.status, 2, elsewhere.stderr);
    assert.ok(elsewhere.stderr.includes(`\n    at ${dir}/Pulumi.s.yaml:${VM_LINE}:5\n`), elsewhere.stderr);
  });

  it("a warning's file:line (overridePlacesIn) names the file the same way as the refusal's at line", async () => {
    const dir = stackProject(pi);
    const at = overridePlacesIn(dir, "s");
    const key = "victoriametrics.retention";
    assert.equal(
      await inDir(path.dirname(dir), () => at(key)),
      `${path.basename(dir)}/Pulumi.s.yaml:${VM_LINE}`,
    );
    // From the checkout, the stack's folder is outside: its absolute path, not ../../tmp/...
    assert.equal(at(key), `${dir}/Pulumi.s.yaml:${VM_LINE}`);
  });

  it("the stack file's own problems (a YAML slip) name it by the same rule", async () => {
    // The folders of stackProject() share one parent: run from it, each is named from there.
    const parent = path.dirname(stackProject(pi));
    const text = await inDir(parent, () => refusal(`${pi}  homelab-observability:grafana: {\n`).message);
    assert.match(text, /(^|\s)stack-file-run-[^/\s]+\/Pulumi\.s\.yaml:\d+:\d+: not valid YAML/);
    assert.ok(!text.includes(`${parent}/`), text);
  });
});
