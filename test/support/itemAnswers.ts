import { strict as assert } from "assert";
import { runProgram } from "../../apply/program";
import { mockCall } from "../../synth/mocks";
import { readStackConfig, synthesize } from "../../synth/synthesize";
import { ROOT } from "./helpers";

/**
 * The production stack (1Password backend) synthesized under the offline mocks, with `answer`
 * standing in for each invoke: it gets the token, the inputs and the mock's own answer, and returns
 * the answer to give or throws the invoke's failure. Returns what the synthesis threw and every
 * value the mock items handed out (so a test can check that none is printed); the test fails when
 * the synthesis passes.
 */
export async function productionWithItems(
  answer: (
    token: string,
    inputs: Record<string, any>,
    item: () => Record<string, any>,
  ) => Record<string, any>,
  overrides: Record<string, string> = {},
): Promise<{ error: unknown; values: string[] }> {
  const values: string[] = [];
  const call = (token: string, inputs: Record<string, any>) => {
    const item = answer(token, inputs, () => mockCall(token, inputs));
    for (const v of Object.values(item)) if (typeof v === "string" && v.startsWith("synth-")) values.push(v);
    return item;
  };
  const cfg = readStackConfig(ROOT, "production", overrides);
  try {
    await synthesize(
      "production",
      cfg,
      (rootOpts) => ({ ...runProgram({ context: "offline", projectDir: ROOT, rootOpts }) }),
      call,
    );
  } catch (error) {
    return { error, values };
  }
  assert.fail("the synthesis passed though 1Password's answers should have failed it");
}
