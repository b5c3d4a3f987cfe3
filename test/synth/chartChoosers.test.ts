import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { chartChoosers } from "../../synth/chartChoosers";
import { ROOT, tmpDir, withSyntheses } from "../support/helpers";

/*
 * The key that leaves a chart out of a stack (synth/chartChoosers.ts), found by synthesizing the
 * stack again under the key's other values: the warning for an override of that chart names it,
 * not the phase whatever the cause (`logAgent: alloy` leaves Vector out at every phase).
 */

/**
 * {@link chartChoosers} with its syntheses through the suite's fixture cache, as the synth command
 * run in process has them (test/support/helpers.ts withSyntheses): the stack again under each value
 * it tries is the same synthesis every warm run. Warm, this file alone: 5.2 and 4.7 -> 2.4 and 2.3 s of
 * CPU, 3 passing before and after.
 */
const choosers = (dir: string, stack: string, charts: string[]) =>
  withSyntheses(() => chartChoosers(dir, stack, charts));

/** A project folder holding `stack`'s stack file from the repository, edited by `edit`. */
function project(stack: string, edit: (text: string) => string = (t) => t): string {
  const dir = tmpDir("choosers");
  fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  const text = fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8");
  fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), edit(text));
  return dir;
}

describe("synth: the key that leaves a chart out of a stack", function () {
  this.timeout(120_000);

  it("a logAgent the stack file sets is what leaves Vector out, whatever the phase", async () => {
    const dir = project("pi", (t) => t.replace(/logAgent: vector/, "logAgent: alloy"));
    const found = await choosers(dir, "pi", ["vector"]);
    assert.deepEqual(found.get("vector"), [{ key: "logAgent", value: "alloy", runsUnder: ["vector"] }]);
  });

  it("a logAgent left to its default names the profile that gives it", async () => {
    const dir = project("staging");
    const found = await choosers(dir, "staging", ["vector"]);
    assert.deepEqual(found.get("vector"), [
      {
        key: "logAgent",
        value: "alloy",
        runsUnder: ["vector"],
        byProfile: { value: "standard", runsUnder: ["lightweight"] },
      },
    ]);
  });

  it("the phase is what leaves kube-prometheus-stack out, with every phase that runs it", async () => {
    const dir = project("staging");
    const found = await choosers(dir, "staging", ["kube-prometheus-stack"]);
    assert.deepEqual(found.get("kube-prometheus-stack"), [
      { key: "phase", value: "kps-removed", runsUnder: ["loki-fixed", "dual-write", "backend-primary"] },
    ]);
  });
});
