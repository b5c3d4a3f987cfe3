import { loadStackConfig } from "../config/load";
import { buildStack } from "../apply/stack";
import { readStackConfig, synthesize, type SynthResult } from "./synthesize";

/**
 * Synthesizes one stack file of the project exactly as `index.ts` would run it. `placeholders`
 * names the secrets the stack needs but does not set, for which placeholders stood in.
 */
export async function synthStack(
  projectDir: string,
  stack: string,
  overrides: Record<string, string> = {},
): Promise<SynthResult & { placeholders: string[] }> {
  const cfg = readStackConfig(projectDir, stack, overrides);
  const result = await synthesize(stack, cfg, (rootOpts) => ({
    ...buildStack(loadStackConfig(projectDir), rootOpts),
  }));
  return { ...result, placeholders: cfg.placeholders };
}
