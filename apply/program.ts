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
  const rootOpts: pulumi.ComponentResourceOptions = {
    ...opts.rootOpts,
    transformations: [...(opts.rootOpts?.transformations ?? []), releaseValuesSeen(seen)],
  };
  try {
    const outputs = buildStack(config, rootOpts, undefined, at);
    nullsRefused(
      chartValuesOf(config.chartValues),
      seen,
      opts.chartKeys ?? ((chart) => cachedChartKeys(chart)),
    );
    return outputs;
  } catch (e) {
    // A takeover entry the phase declares nothing for is found only once the tree is built
    // (apply/takeover.ts AdoptionError), and a null of chartValues Helm refuses once the program's
    // values it merges into are known: named at its line as every other config problem.
    throw e instanceof ConfigError ? placedInStackFile(e, opts.projectDir) : e;
  }
}

/**
 * Throws a ConfigError for the nulls of the user's overrides that reach Helm and that the chart's
 * schema refuses there (config/chartValueCheck.ts helmNullProblems): whether a null reaches Helm
 * is known only with the program's values it is merged into, so the stack file's check cannot say
 * it; said here, at the override's line, once the tree is built. The offline synthesis renders
 * nothing then; under `pulumi preview` and `pulumi up` the resources built are registered all the
 * same (their registrations are under way when this throws: 86 of staging's under the mocks of
 * test/support/entrypoint.ts), the release with the null among them, which Helm refuses at render.
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
