import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { SYNTH } from "../../cli/spec";
import { outcomeCode, type StackOutcome } from "../../synth/report";
import { ROOT } from "../support/helpers";

/*
 * docs/how-to/ci-without-cluster.md: a CI job reads the exit status. `.ci/run` runs `--against` the
 * parent commit's export, so a refused change is one of the ways synth exits 1, and `--help` and
 * the guide both say so.
 */
describe("guide ci-without-cluster: what synth's exit 1 means", () => {
  const outcome: StackOutcome = {
    stack: "s",
    renderErrors: 0,
    checkProblems: 0,
    violations: [],
    change: 1,
    changeWhy: "1 refused (above)",
  };

  it("exits 1 on a refused change, and --help names it under exit 1", () => {
    assert.equal(outcomeCode(outcome), 1);
    const one = SYNTH.exits.find(([code]) => code === 1)?.[1] ?? "";
    assert.match(one, /a change --against or --running refuses/);
  });

  it("the guide judges every export of the folder --all writes, and names a refused change under exit 1", () => {
    const guide = fs.readFileSync(path.join(ROOT, "docs/how-to/ci-without-cluster.md"), "utf8");
    assert.match(guide, /^npm run synth -- --all --out out --quiet\nnpm run policy:check -- out\n/m);
    assert.match(
      guide,
      /1 a\s+mandatory policy violation, [^;]*a\s+change refused by `--against` or `--running`/,
    );
  });
});
