/**
 * Child process for the entry-point test, itself started under Pulumi's ts-node registration alone
 * (test/support/pulumiTsNode.ts): loads `index.ts` the way `pulumi up` does under mocks, once per
 * case, and prints what each run registered as one JSON array.
 *
 * The cases (argv[2], JSON: `[{ stack, kubeconfig }]`) run in one process, one after another, so
 * the test pays for one start-up under ts-node instead of one per case. A refused case throws while
 * index.ts loads, and Node's loader drops a module whose loading threw (Node v22.23.3
 * lib/internal/modules/cjs/loader.js, Module._load: `if (threw) { delete Module._cache[filename];`,
 * as `require("module")._load.toString()` prints it; each refused case checks it held), so the
 * next case loads index.ts afresh; the case that builds the stack comes last (the test orders
 * them), as nothing after it could load index.ts again.
 */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { readStackConfig } from "../../synth/synthesize";
import { mockCall, mockState } from "../../synth/mocks";
import { projectRoot } from "../../config/paths";

/** One run of index.ts: the stack, and the kubeconfig file $KUBECONFIG names for it. */
export interface EntrypointCase {
  stack: string;
  kubeconfig: string;
  /**
   * Keys set over the stack's config in plain text, as the CLI would pass a stack file the offline
   * synthesis refuses (its check runs on the file, not on these): a value the runtime must judge.
   */
  set?: Record<string, string>;
  /** Environment variables for this run alone (HOMELAB_CHART_CACHE). */
  env?: Record<string, string>;
}

/**
 * What one run registered: status 0 with the outputs, or 3 with the error index.ts threw while
 * loading (a refusal; `types` then says what had been registered by then).
 */
export interface EntrypointRun {
  status: 0 | 3;
  types: string[];
  outputs?: Record<string, unknown>;
  /** Every name index.ts exports, whatever its value (JSON drops an undefined one). */
  names?: string[];
  error?: string;
  /** Whether the error was a `pulumi.RunError`, which the Pulumi CLI prints without its stack. */
  runError?: boolean;
  /** What the program logged as warnings (pulumi.log.warn, on the console under the mocks). */
  warnings: string[];
}

async function runCase(root: string, c: EntrypointCase): Promise<EntrypointRun> {
  const saved = { ...process.env };
  const warn = console.warn;
  const warnings: string[] = [];
  console.warn = (...args: unknown[]) => void warnings.push(args.map(String).join(" "));
  // No stack frames captured while index.ts runs: the SDK formats `new Error().stack` for every
  // promise it makes (why the CLIs' shortcut skips it: cli/sdkStartup.ts lightenPromiseStacks), and
  // here ts-node's source-map support maps each frame to its .ts line, 29% of the child's CPU in a
  // profile. Nothing reads a stack: a run reports the error's message alone. Measured on this child
  // with the test's eight cases, three runs each alternating: 3.8-3.9 -> 2.6-2.7 s of user CPU.
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return await runOne(root, c, warnings);
  } finally {
    Error.stackTraceLimit = limit;
    console.warn = warn;
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}

async function runOne(
  root: string,
  { stack, kubeconfig, set = {}, env = {} }: EntrypointCase,
  warnings: string[],
): Promise<EntrypointRun> {
  // The child's own environment: the kube context check reads $KUBECONFIG as index.ts runs.
  process.env.KUBECONFIG = kubeconfig;
  Object.assign(process.env, env);
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
  pulumi.runtime.setAllConfig(
    { ...cfg.config, ...set },
    cfg.secretKeys.filter((k) => !(k in set)),
  );
  const index = path.join(root, "index.ts");
  let exports: Record<string, unknown>;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    exports = require(index);
  } catch (e) {
    // A refusal: report it with what had been registered by then (the caller expects nothing).
    await new Promise((r) => setTimeout(r, 200));
    if (require.cache[index])
      throw new Error("index.ts stayed loaded after it threw: the next case would not run it");
    return {
      status: 3,
      types,
      error: e instanceof Error ? e.message : String(e),
      runError: pulumi.RunError.isInstance(e),
      warnings,
    };
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
  return { status: 0, types, outputs, names: Object.keys(exports), warnings };
}

async function main() {
  const root = projectRoot(__dirname);
  const cases = JSON.parse(process.argv[2] ?? "[]") as EntrypointCase[];
  process.chdir(root);
  const runs: EntrypointRun[] = [];
  for (const c of cases) {
    if (runs.some((r) => r.status === 0))
      throw new Error("a case after one that loaded index.ts: index.ts would not run again");
    runs.push(await runCase(root, c));
  }
  process.stdout.write(JSON.stringify(runs));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
