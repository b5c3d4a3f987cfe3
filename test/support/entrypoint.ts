/**
 * Child process for the entry-point test, itself started under Pulumi's ts-node registration alone
 * (test/support/pulumiTsNode.ts): loads `index.ts` the way `pulumi up` does (type-checking on) under mocks, and prints what it registered as JSON.
 */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { readStackConfig } from "../../synth/synthesize";
import { mockCall, mockState } from "../../synth/mocks";
import { projectRoot } from "../../config/paths";

async function main() {
  const root = projectRoot(__dirname);
  const stack = process.argv[2] ?? "staging";
  process.chdir(root);
  const types: string[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource: (a) => {
        types.push(a.type);
        return { id: `${a.name}-id`, state: mockState(a.type, a.name, a.inputs) };
      },
      call: (a) => mockCall(a.token, a.inputs),
    },
    "homelab-observability",
    stack,
    false,
  );
  const cfg = readStackConfig(root, stack);
  pulumi.runtime.setAllConfig(cfg.config, cfg.secretKeys);
  let exports: Record<string, unknown>;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    exports = require(path.join(root, "index.ts"));
  } catch (e) {
    // A refusal: report it with what had been registered by then (the caller expects nothing).
    await new Promise((r) => setTimeout(r, 200));
    process.stdout.write(JSON.stringify({ types, error: e instanceof Error ? e.message : String(e) }));
    process.exit(3);
  }
  const outputs = Object.fromEntries(
    await Promise.all(
      Object.entries<any>(exports).map(async ([k, v]) => [
        k,
        await new Promise((r) => pulumi.output(v).apply(r)),
      ]),
    ),
  );
  // Let the last registrations land.
  await new Promise((r) => setTimeout(r, 500));
  // `names`: every name index.ts exports, whatever its value (JSON drops an undefined one).
  process.stdout.write(JSON.stringify({ types, outputs, names: Object.keys(exports) }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
