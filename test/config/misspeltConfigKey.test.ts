/**
 * A stack file whose `config:` is misspelt (`confg:`) sets no config at all: that is one mistake,
 * named with its "did you mean", and the required keys it leaves missing are said as its
 * consequence, not as three more mistakes. With a `config:` beside it, a missing key is its own.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "../support/helpers";
import { refusal } from "../support/stackText";

const production = () => fs.readFileSync(path.join(ROOT, "Pulumi.production.yaml"), "utf8");

describe("a misspelt top-level config: key", () => {
  it("is one problem, the required keys it hides said as its consequence", () => {
    const e = refusal(production().replace(/^config:/m, "confg:"));
    assert.equal(e.problems.length, 1, e.message);
    assert.match(
      e.problems[0],
      /^confg: unknown key of a stack file, which the Pulumi CLI ignores \(so nothing under it is set\); did you mean "config"\?; a stack file holds [^;]+; with it ignored the stack sets no config, so homelab-observability:kubeContext, homelab-observability:objectStore, homelab-observability:phase \(required: Pulumi\.yaml gives them no default\) are missing$/,
    );
    assert.match(e.message, /invalid stack configuration \(1 problem\)/);
  });

  it("beside a config: of its own, a missing required key is still its own problem", () => {
    const text = production().replace(/^ {2}homelab-observability:phase: .*\n/m, "") + "confg:\n  x: 1\n";
    const e = refusal(text);
    assert.ok(
      e.problems.some((p) => p.startsWith("homelab-observability:phase: required")),
      e.message,
    );
    assert.ok(
      e.problems.some((p) => /^confg: .*did you mean "config"\?; a stack file holds [^;]+$/.test(p)),
      e.message,
    );
  });
});
