import { strict as assert } from "assert";
import * as path from "path";
import { BASE, P, refusal, STORE } from "../support/stackText";

/*
 * A takeover listing the release of the log agent the stack does not run (vector while it runs
 * Alloy, or the reverse) is one mistake: one message at that takeover.releases entry, naming the
 * key that decides the agent and the two ways to agree, and no agents.step refusal beside it.
 */

const takeover = (releases: Record<string, string>, step = "import") =>
  `  ${P("takeover")}:\n    step: ${step}\n    namespace: true\n    releases:\n${Object.entries(releases)
    .map(([k, v]) => `      ${k}: ${v}\n`)
    .join("")}`;

describe("config: takeover.releases names the log agent the stack does not run", function () {
  this.timeout(20000);

  it("vector while the standard profile's Alloy runs: one message at the entry, the default named, both fixes", () => {
    const e = refusal(`${BASE}${STORE}${takeover({ vector: "monitoring/vector" })}`);
    assert.deepEqual(
      e.problems,
      [
        `${P("takeover.releases.vector")}: expected no vector release while logAgent is "alloy", the standard profile's default (the program installs no Vector to import it into), got "monitoring/vector"; set logAgent "vector" with agents.step "stay" for the import step to take the running Vector over, or remove takeover.releases.vector (the program then installs Alloy beside it)`,
      ],
      e.message,
    );
    assert.equal(path.basename(e.places[0]!.file), "Pulumi.s.yaml");
    assert.equal(e.places[0]!.line, 11, e.message);
  });

  it("alloy while the stack file sets logAgent vector: names logAgent at its line; the update step needs no agents.step", () => {
    const e = refusal(
      `${BASE}${STORE}  ${P("logAgent")}: vector\n${takeover({ alloy: "monitoring/alloy" }, "update")}`,
    );
    assert.equal(e.problems.length, 1, e.message);
    assert.match(
      e.problems[0],
      /^homelab-observability:takeover\.releases\.alloy: expected no alloy release while logAgent is "vector" \(\/.*\/Pulumi\.s\.yaml:7\) \(the program installs no Alloy to import it into\), got "monitoring\/alloy"; set logAgent "alloy" to take the running Alloy over, or remove takeover\.releases\.alloy \(the program then installs Vector beside it\)$/,
    );
  });

  it("the agent the stack runs, adopted in the import step, still needs agents.step stay", () => {
    const e = refusal(`${BASE}${STORE}${takeover({ alloy: "monitoring/alloy" })}`);
    assert.deepEqual(
      e.problems.map((p) => p.split(":")[1]),
      ["agents.step"],
      e.message,
    );
  });
});
