import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../../config/errors";
import { loadStackConfig } from "../../config/load";
import { PROJECT } from "../../config/resolve";

/**
 * `fn` run with the Pulumi runtime under mocks as `pulumi preview` runs the program for `stack`,
 * its config `config` (what the CLI hands the program for a stack file: text, objects as JSON, no
 * key among its secret keys); the runtime's config before is restored after, whatever `fn` does.
 */
export async function withRuntimeConfig<T>(
  stack: string,
  config: Record<string, string>,
  fn: () => T,
): Promise<T> {
  const before = pulumi.runtime.allConfig();
  await pulumi.runtime.setMocks(
    { newResource: (a) => ({ id: a.name, state: a.inputs }), call: (a) => a.inputs },
    PROJECT,
    stack,
    false,
  );
  pulumi.runtime.setAllConfig(config, []);
  try {
    return fn();
  } finally {
    pulumi.runtime.setAllConfig(before);
  }
}

/**
 * The `kubernetes:` problems the program refuses a stack file in `dir` with, as `pulumi preview`
 * loads it (config/load.ts): run inside {@link withRuntimeConfig}; fails the test when it passes.
 */
export function kubernetesProblems(dir: string): string[] {
  try {
    loadStackConfig(dir, false);
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.problems.filter((p) => p.startsWith("kubernetes:"));
  }
  return assert.fail("the config passed");
}
