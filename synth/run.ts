import { runProgram } from "../apply/program";
import { readStackConfig, synthesize, type SynthResult } from "./synthesize";
import { pinnedChartKeys } from "./render/chartFacts";

/**
 * Synthesizes one stack file of the project exactly as `index.ts` runs it: the same function
 * (apply/program.ts), with the kube context checked in its offline form. `placeholders`
 * names the secrets the stack needs but does not set, for which placeholders stood in;
 * `uncheckedCharts` the charts whose chartValues keys had no archive to be checked against.
 */
export async function synthStack(
  projectDir: string,
  stack: string,
  overrides: Record<string, string> = {},
): Promise<SynthResult & { placeholders: string[]; uncheckedCharts: string[] }> {
  const cfg = readStackConfig(projectDir, stack, overrides);
  const result = await synthesize(stack, cfg, (rootOpts) => ({
    // The chart keys the stack file was judged with (readStackConfig), from the render cache.
    ...runProgram({ context: "offline", projectDir, rootOpts, chartKeys: pinnedChartKeys }),
  }));
  return { ...result, placeholders: cfg.placeholders, uncheckedCharts: cfg.uncheckedCharts };
}
