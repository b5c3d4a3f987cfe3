import * as path from "path";
import { PROJECT } from "../config/resolve";
import { cliStackConfig } from "../config/stackFile";
import { SynthInputError } from "../synth/synthesize";
import type { RunningSource } from "../model/running";

/** The stack file's `takeover` block, as written (the synthesis validates it); `{}` when it has none. */
export function stackTakeover(root: string, stack: string): Record<string, unknown> {
  const { config } = cliStackConfig(root, stack);
  const text = config[`${PROJECT}:takeover`];
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    return {};
  }
}

/**
 * The stack's namespace (where the releases it takes over run) and pinned kube context as its stack
 * file (or Pulumi.yaml's default) sets them, so the commands that collect what runs name both.
 */
export function runningSource(root: string, stack: string): RunningSource {
  const { config } = cliStackConfig(root, stack);
  return {
    namespace: config[`${PROJECT}:namespace`] || undefined,
    context: config[`${PROJECT}:kubeContext`] || undefined,
  };
}

/**
 * Whether the stack file has a `takeover` block: what `--running` checks, and so where the
 * synthesis says the takeover's update step is unchecked without it. Import IDs alone are no
 * takeover: `existing.buckets` and `objectStore.existingKeys` import buckets and keys (a move to
 * Garage, ObjectBucketClaims) without one, and --running refuses such a stack.
 */
export function takesOver(root: string, stack: string): boolean {
  return Object.keys(stackTakeover(root, stack)).length > 0;
}

/**
 * Config overrides that make a synthesis read what runs: the stack's own `takeover` block with
 * `running` pointing at `dir` (absolute, so it holds wherever the program runs) and, when given,
 * another `step`. The stack file is left as it is.
 */
export function runningOverrides(
  root: string,
  stack: string,
  dir: string | undefined,
  step?: "import" | "update",
): Record<string, string> {
  const key = `${PROJECT}:takeover`;
  const takeover = stackTakeover(root, stack);
  if (Object.keys(takeover).length === 0)
    throw new SynthInputError(
      `--running: stack ${stack} has no ${key} block; --running checks a takeover (docs/how-to/take-over-flux.md)`,
    );
  const next: Record<string, unknown> = { ...takeover };
  if (dir === undefined) delete next.running;
  else next.running = path.resolve(dir);
  if (step) next.step = step;
  return { [key]: JSON.stringify(next) };
}
