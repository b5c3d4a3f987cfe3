import * as pulumi from "@pulumi/pulumi";
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
