import { loadStackConfig } from "../../components/load";
import { buildStack } from "../../components/stack";
import { readStackConfig, synthesize, type SynthResult } from "./synth";

/** Synthesizes one stack file of the project exactly as `index.ts` would run it. */
export async function synthStack(
  projectDir: string,
  stack: string,
  overrides: Record<string, string> = {},
): Promise<SynthResult> {
  const cfg = readStackConfig(projectDir, stack);
  for (const [k, v] of Object.entries(overrides)) cfg.config[k] = v;
  return synthesize(stack, cfg, (rootOpts) => ({ ...buildStack(loadStackConfig(), rootOpts) }));
}
