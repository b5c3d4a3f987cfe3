import { runProgram } from "../apply/program";
import { readStackConfig, synthesize, type StackConfigInput, type SynthResult } from "./synthesize";
import { pinnedChartKeys } from "./render/chartFacts";

/**
 * Something put in front of {@link synthStack} that may answer a synthesis without running it:
 * given synthStack's inputs and the synthesis itself, the synthesis' result. None but in the tests,
 * which put their fixture cache here for the commands they run in their own process
 * (test/support/helpers.ts `storedSyntheses`): each command run synthesized its stacks anew, 108 runs
 * of the program under mocks in a warm suite for 55 different inputs.
 */
export type SynthesisStore = (
  projectDir: string,
  stack: string,
  overrides: Record<string, string>,
  synthesize: () => Promise<StackSynthesis>,
) => Promise<StackSynthesis>;

let store: SynthesisStore | undefined;

/** Puts `next` in front of every {@link synthStack} of this process (undefined: nothing). */
export function setSynthesisStore(next: SynthesisStore | undefined): void {
  store = next;
}

/**
 * A stack's synthesis with what its config read adds: `placeholders` names the secrets the stack
 * needs but does not set, for which placeholders stood in; `uncheckedCharts` the charts whose
 * chartValues keys had no archive to be checked against; `backendBuckets` the buckets only each
 * metrics backend brings (config/buckets.ts), which the change check reads.
 */
export type StackSynthesis = SynthResult &
  Pick<StackConfigInput, "placeholders" | "uncheckedCharts" | "backendBuckets">;

/**
 * Synthesizes one stack file of the project exactly as `index.ts` runs it: the same function
 * (apply/program.ts), with the kube context checked in its offline form.
 */
export function synthStack(
  projectDir: string,
  stack: string,
  overrides: Record<string, string> = {},
): Promise<StackSynthesis> {
  const run = () => synthesizeStack(projectDir, stack, overrides);
  return store ? store(projectDir, stack, overrides, run) : run();
}

async function synthesizeStack(
  projectDir: string,
  stack: string,
  overrides: Record<string, string>,
): Promise<StackSynthesis> {
  const cfg = readStackConfig(projectDir, stack, overrides);
  const result = await synthesize(stack, cfg, (rootOpts) => ({
    // The chart keys the stack file was judged with (readStackConfig), from the render cache.
    ...runProgram({ context: "offline", projectDir, rootOpts, chartKeys: pinnedChartKeys }),
  }));
  const { placeholders, uncheckedCharts, backendBuckets } = cfg;
  return { ...result, placeholders, uncheckedCharts, backendBuckets };
}
