import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { saidBeforeOf, synthesize } from "../../synth/synthesize";

/*
 * What the program warned of before it stopped (synth/synthesize.ts saidBefore) is said with what
 * stopped it: synth prints it beside the refusal (cli/synthRun.ts sayWarnings) instead of dropping it.
 */
describe("synthesis: the program's warnings before it stops", () => {
  it("ride on what stopped it, each once, whether the program throws or an apply rejects", async () => {
    const thrown = new Error("refused at once");
    await assert.rejects(
      synthesize("s", { config: {}, secretKeys: [] }, () => {
        void pulumi.log.warn("said before the refusal");
        void pulumi.log.warn("said before the refusal");
        throw thrown;
      }),
      (e: unknown) => e === thrown,
    );
    assert.deepEqual(saidBeforeOf(thrown), { uncheckedCharts: [], warnings: ["said before the refusal"] });

    const rejected = new Error("refused in an apply");
    await assert.rejects(
      synthesize("s", { config: {}, secretKeys: [] }, (rootOpts) => {
        void pulumi.log.warn("said before the apply");
        const parent = new pulumi.ComponentResource("test:index:Parent", "p", {}, rootOpts);
        parent.urn.apply(() => {
          throw rejected;
        });
        return {};
      }),
      (e: unknown) => e === rejected,
    );
    assert.deepEqual(saidBeforeOf(rejected).warnings, ["said before the apply"]);
  });

  it("an error of anything else carries nothing", () => assert.deepEqual(saidBeforeOf(new Error("x")), {}));
});
