import * as pulumi from "@pulumi/pulumi";
import { loadStackConfig, placedInStackFile, runtimeIsSecret } from "../config/load";
import { ConfigError } from "../config/errors";
import { PinError } from "../config/chartPins";
import { configWarnings } from "../config/resolve";
import { overridePlacesIn } from "../config/locate";
import type { ChartKeys } from "../config/chartKeys";
import { cachedChartKeys } from "../config/chartCache";
import { helmNullProblems } from "../config/chartValueCheck";
import type { RefusedOverride } from "../config/errors";
import { PROJECT } from "../config/resolve";
import { chartValuesOf } from "../plan/chartValues";
import { releaseValuesSeen, type ReleaseValues } from "./chartValues";
import { assertStackContext, offlineContextProblems } from "../config/kubeContext";
import { buildStack } from "./stack";
import { commandDir } from "../config/paths";
import type { StackOutputs } from "../plan/types";

/**
 * {@link runProgram} as `pulumi preview` and `pulumi up` run it (index.ts). A refused config, kube
 * context or model/versions.ts pin is thrown as a `pulumi.RunError`, which the SDK prints as its message alone
 * (@pulumi/pulumi 3.270.0 cmd/run/run.js: "Always hide the stack for RunErrors"); as a plain Error
 * it came as "failed with an unhandled exception", its frames and every problem a second time in
 * the error's dump. Any other error keeps its stack: a bug's trace is wanted.
 */
export function runPulumiProgram(): StackOutputs {
  try {
    return runProgram({ context: "kubeconfig" });
  } catch (e) {
    throw e instanceof ConfigError || e instanceof PinError ? new pulumi.RunError(e.message) : e;
  }
}

/** How {@link runProgram} checks the kube context before registering anything. */
export type ContextCheck =
  /** Against the kubeconfig the provider and kubectl read (`pulumi up`, `pulumi preview`). */
  | "kubeconfig"
  /** From the stack's config alone: the offline synthesis reads no kubeconfig and reaches no cluster. */
  | "offline";

/** Options of {@link runProgram}. */
export interface ProgramOptions {
  /** How the kube context is checked. Required. */
  context: ContextCheck;
  /** Where relative paths of the config (a takeover's `running` folder) start. Default: the working directory. */
  projectDir?: string;
  /** Reaches every top-level component and provider (the synthesis records through it). Default: none. */
  rootOpts?: pulumi.ComponentResourceOptions;
  /**
   * A pinned chart's keys, for the config's chartValues check (config/load.ts). Default: read from
   * the chart cache's archive; the offline synthesis hands in the keys it already judged with.
   */
  chartKeys?: (chart: string) => ChartKeys | undefined;
}

/**
 * The program: validate the whole config before any resource is registered, refuse a kube context
 * that is not the stack's (nothing is touched on the wrong cluster), then build the tree. Returns
 * the stack's outputs, every one of which `index.ts` exports; `index.ts` and the offline
 * synthesis (synth/run.ts) both run this, so they register and export the same.
 */
export function runProgram(opts: ProgramOptions): StackOutputs {
  // Offline, the synthesis judged the stack file first and said what went unchecked.
  const config = loadStackConfig(opts.projectDir, opts.context !== "offline", opts.chartKeys);
  const allConfig = pulumi.runtime.allConfig();
  // A secret `kubernetes:context` is decrypted in a real run, a placeholder offline: never quoted.
  const secureContext = runtimeIsSecret()?.("kubernetes:context") === true;
  try {
    if (opts.context === "kubeconfig")
      assertStackContext(config, allConfig, process.env, undefined, secureContext);
    else {
      const problems = offlineContextProblems(config, allConfig, secureContext);
      if (problems.length > 0) throw new ConfigError(problems);
    }
  } catch (e) {
    // Named at its line in the stack file (a `kubernetes:context` naming another cluster).
    throw e instanceof ConfigError ? placedInStackFile(e, opts.projectDir) : e;
  }
  // Said on every preview and update (and, under the synthesis's mocks, on stderr).
  for (const w of configWarnings(config, pulumi.getStack(), opts.projectDir && commandDir(opts.projectDir)))
    void pulumi.log.warn(w);
  // Read the stack file again only for a key a refusal names (Garage's region, on Garage alone).
  const at = (key: string) => overridePlacesIn(opts.projectDir ?? process.cwd(), pulumi.getStack())(key);
  // Each release's values as Helm is given them, the user's overrides merged in.
  const seen: ReleaseValues[] = [];
  const gate = registrationGate(opts.rootOpts?.dependsOn);
  const rootOpts: pulumi.ComponentResourceOptions = {
    ...opts.rootOpts,
    dependsOn: gate.dependsOn,
    transformations: [...(opts.rootOpts?.transformations ?? []), releaseValuesSeen(seen)],
  };
  try {
    const outputs = buildStack(config, rootOpts, undefined, at);
    nullsRefused(
      chartValuesOf(config.chartValues),
      seen,
      opts.chartKeys ?? ((chart) => cachedChartKeys(chart)),
    );
    gate.open();
    return outputs;
  } catch (e) {
    // Offline the registrations reach only the synthesis's mocks: let them land, as a registration
    // left pending is reported by the SDK as a leaked promise when the process exits with 0 (a test
    // worker after a refused synthesis). Under `pulumi preview` and `up` the gate stays shut.
    if (opts.context === "offline") gate.open();
    // A takeover entry the phase declares nothing for is found only once the tree is built
    // (apply/takeover.ts AdoptionError), and a null of chartValues Helm refuses once the program's
    // values it merges into are known: named at its line as every other config problem.
    throw e instanceof ConfigError ? placedInStackFile(e, opts.projectDir) : e;
  }
}

/**
 * Holds back every registration of the tree until the program has judged what it can judge only
 * once the tree is built (a chartValues null, a takeover entry the phase declares nothing for), so
 * that a refusal found then reaches no cluster: under `pulumi up` a resource registered before the
 * program throws is created all the same (86 of staging's were, under the mocks of
 * test/support/entrypoint.ts, before this gate).
 *
 * Why a `dependsOn` of the top-level components and providers holds back the whole tree: the SDK
 * registers a resource only after awaiting its `dependsOn` and then its parent's URN
 * (@pulumi/pulumi 3.270.0 runtime/resource.js prepareResource, lines 747-770), and every resource
 * of the tree has a top-level component or provider as its ancestor (apply/stack.ts passes
 * `rootOpts` to each). `open` lets the registrations go, with the caller's own `dependsOn` kept.
 * When the program throws under `pulumi preview` or `up` the gate stays shut: the pending
 * registrations never reach the engine, and the process ends once its event loop is empty: no call
 * to the engine is under way, and @grpc/grpc-js 1.14.7 holds its connection open only while one is
 * (build/src/transport.js:390-399, 599), and the SDK prints no leak warning after an error it
 * logged (runtime/debuggable.js, the `exit` handler's `log.hasErrors()`). Read, not run: no
 * Pulumi engine here; the mocks of test/support/entrypoint.ts show nothing registered.
 */
function registrationGate(given: pulumi.ResourceOptions["dependsOn"]): {
  dependsOn: pulumi.Input<pulumi.Input<pulumi.Resource>[]>;
  open: () => void;
} {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  const after = opened.then((): pulumi.Input<pulumi.Resource>[] =>
    given === undefined ? [] : [given as pulumi.Input<pulumi.Resource>],
  );
  return { dependsOn: after, open };
}

/**
 * Throws a ConfigError for the nulls of the user's overrides that reach Helm and that the chart's
 * schema refuses there (config/chartValueCheck.ts helmNullProblems): whether a null reaches Helm
 * is known only with the program's values it is merged into, so the stack file's check cannot say
 * it; said here, at the override's line, once the tree is built and before any of it is registered
 * ({@link registrationGate}).
 */
function nullsRefused(
  overrides: Record<string, Record<string, unknown>>,
  seen: readonly ReleaseValues[],
  keysOf: (chart: string) => ChartKeys | undefined,
): void {
  const refused: RefusedOverride[] = [];
  const problems = new Set<string>();
  for (const { chart, values } of seen) {
    const override = overrides[chart];
    const keys = override && keysOf(chart);
    if (keys)
      for (const p of helmNullProblems(chart, values, override, keys, PROJECT, refused)) problems.add(p);
  }
  if (problems.size > 0)
    throw new ConfigError(
      [...problems],
      [],
      [],
      undefined,
      refused.map((r) => r.path),
    );
}
