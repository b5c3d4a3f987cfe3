import { runProgram } from "../apply/program";
import { readStackConfig, synthesize, type StackConfigInput, type SynthResult } from "./synthesize";
import { pinnedChartKeys } from "./render/chartFacts";
import { synthesisStore } from "./synthesisStore";

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
export async function synthStack(
  projectDir: string,
  stack: string,
  overrides: Record<string, string> = {},
): Promise<StackSynthesis> {
  return synthStackRead(projectDir, stack, readStackConfig(projectDir, stack, overrides));
}

/**
 * {@link synthStack} of a stack file already read (`cfg`), through the synthesis store when one is
 * set (synth/synthesisStore.ts: only the test suite sets one).
 */
export async function synthStackRead(
  projectDir: string,
  stack: string,
  cfg: StackConfigInput,
): Promise<StackSynthesis> {
  const store = synthesisStore();
  const compute = () => synthStackConfig(projectDir, stack, cfg);
  return store ? store({ projectDir, stack, cfg }, compute) : compute();
}

/** {@link synthStack} of a stack file already read (`cfg`): always synthesized, never from a store. */
export async function synthStackConfig(
  projectDir: string,
  stack: string,
  cfg: StackConfigInput,
): Promise<StackSynthesis> {
  const result = await synthesize(stack, cfg, (rootOpts) => ({
    // The chart keys the stack file was judged with (readStackConfig), from the render cache.
    ...runProgram({ context: "offline", projectDir, rootOpts, chartKeys: pinnedChartKeys }),
  }));
  const { placeholders, uncheckedCharts, backendBuckets } = cfg;
  return { ...result, placeholders, uncheckedCharts, backendBuckets };
}
