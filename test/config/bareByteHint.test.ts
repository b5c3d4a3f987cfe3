/**
 * A size written as a bare number is bytes to Kubernetes (the message says so): the "did you mean"
 * of one too large to be meant as Gi names the same bytes with a unit, never that many Gi.
 * `nodePools[0].memory: "8589934592"` (a node's 8 GiB in bytes) was offered "8589934592Gi" (8 EiB):
 * followed, a pool no request ever fills, so the resource budget passes whatever the stack asks.
 */
import { strict as assert } from "assert";
import { BASE, P, STORE, refusal } from "../support/stackText";

/** The problems of a stack file with one node pool of `memory` and, under loki, `volumeSize`. */
const problemsOf = (memory: string, volume?: string) =>
  refusal(
    `${BASE}${STORE}  ${P("alerting")}: {pushover: false, heartbeat: false}\n` +
      `  ${P("nodePools")}:\n    - name: a\n      arch: amd64\n      count: 1\n      cpu: "4"\n      memory: ${memory}\n` +
      (volume ? `  ${P("loki")}:\n    volumeSize: ${volume}\n` : ""),
  ).problems;

describe("a bare number of bytes: the size offered is those bytes", () => {
  it("a node's memory in bytes is offered in the largest binary unit that holds it whole", () => {
    const [problem] = problemsOf(`"8589934592"`);
    assert.match(problem, /got string "8589934592"; did you mean "8Gi"\?$/);
  });

  it("bytes no binary unit holds whole are offered in the decimal unit that does", () => {
    const [problem] = problemsOf(`"16000000000"`);
    assert.match(problem, /got string "16000000000"; did you mean "16G"\?$/);
  });

  it("bytes no unit holds whole are offered nothing rather than another size", () => {
    const [problem] = problemsOf(`"8589934593"`);
    assert.match(problem, /got string "8589934593"$/);
  });

  it("a small number is still taken for Gi, as a volume's size is written", () => {
    const [problem] = problemsOf("8Gi", `"70"`);
    assert.match(problem, /got string "70"; did you mean "70Gi"\?$/);
  });
});
