import {
  misnamedCharts,
  PinError,
  pinProblems as versionsPinProblems,
  pinsRefusedText,
  withoutMisnamedCharts,
} from "./chartPins";
import * as pulumi from "@pulumi/pulumi";
import {
  ConfigError,
  PROJECT,
  plainSecretLine,
  plainSecrets,
  rawFromPulumiConfig,
  type StackConfig,
} from "./resolve";
import { plainTextFact } from "./stackFile";
import {
  cliConfigValues,
  mergeMisspeltRequired,
  misspeltNamespaceProblems,
  pulumiCommandsFor,
} from "./errors";
import { onepasswordKeyProblems } from "./onepasswordKeys";
import { kubernetesKeyFindings } from "./kubernetesKeys";
import { providerContextConfigProblems } from "./kubeContext";
import { cachedChartKeys } from "./chartCache";
import type { ChartKeys } from "./chartKeys";
import { uncheckedChartsNote } from "./chartValueCheck";
import { judgedStackConfig } from "./judge";
import { ConfigLocator } from "./locate";
import { rawTakeoverRunning } from "./takeoverRunning";
import type { SecretSource } from "../model/secrets";

/**
 * Which keys the CLI passed as secrets, undefined where the SDK cannot say: @pulumi/pulumi 3.270.0
 * runtime/config.js `isConfigSecret`, reading the PULUMI_CONFIG_SECRET_KEYS list the CLI hands the
 * program (not in its typings); without it, nothing is judged.
 */
export function runtimeIsSecret(): ((key: string) => boolean) | undefined {
  return (pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean }).isConfigSecret;
}

/**
 * Reads the running stack's whole config from the Pulumi runtime and validates it as the offline
 * tools do (judge.ts): every problem in one run, with the same notes, so a preview refuses what
 * the synthesis refuses. A takeover's `running` folder is read here (relative to `projectDir`,
 * default the working directory, where Pulumi runs the program).
 */
export function loadStackConfig(
  projectDir: string = process.cwd(),
  /** Warn of chartValues keys no archive could check. Default true; the synthesis has said it already. */
  warnUnchecked = true,
  /**
   * A pinned chart's keys, for the chartValues check. Default: those of the archive in the chart
   * cache, from the chart keys store by the archive's digest (config/chartCache.ts
   * cachedChartKeys), read from the archive and kept there only when the store lacks them. The
   * offline synthesis hands in the keys it judged the stack file with (synth/render/chartFacts.ts
   * pinnedChartKeys, the same store, its digest from charts.json), the same keys: reading an
   * archive costs 0.2-0.5 s of CPU (loki's 0.53 s, kube-prometheus-stack's 0.3 s), which every
   * process that synthesized a stack with chartValues paid a second time here.
   * Measured warm, each file alone, 3 runs each alternating, CPU medians: test/cli/synthStacks
   * 3.07 -> 2.36 s, test/synth/userChoices 3.29 -> 2.70 s, test/cli/synthOverrideMistake 2.58 -> 1.82 s.
   */
  chartKeysOf: (chart: string) => ChartKeys | undefined = cachedChartKeys,
  /**
   * The program's chart pins' problems (config/chartPins.ts): judged here as the synthesis judges
   * them, since esbuild and Pulumi's transpile-only ts-node build model/versions.ts without a type
   * check, and a misspelt `version` would register a Release with none. Said as the program's,
   * not the stack file's: a {@link PinError}, or a section after the stack file's problems.
   * Default: model/versions.ts.
   */
  pinProblems: () => string[] = versionsPinProblems,
): StackConfig {
  const stack = pulumi.getStack();
  const all = pulumi.runtime.allConfig();
  const isSecret = runtimeIsSecret();
  const plain = isSecret ? plainSecrets((k) => all[k] !== undefined, isSecret) : [];
  const placer = ConfigLocator.forStack(projectDir, stack);
  const raw = rawFromPulumiConfig(all);
  const judged = judgedStackConfig(raw, stack, process.env, {
    // The pinned charts' keys when their archives are in the chart cache; never pulled.
    chartKeys: (chart) => chartKeysOf(chart),
    placeOf: (key) => placer.fileLine(key),
    plainText: plain,
    chartValuesSecret: isSecret?.(`${PROJECT}:chartValues`) === true,
  });
  // Said once, as the synthesis says it: silence would pass the keys off as checked.
  if (warnUnchecked && judged.unchecked.length > 0)
    void pulumi.log.warn(uncheckedChartsNote(judged.unchecked));
  // A plain secret nothing reads is said in that key's message (resolve.ts idleSecrets), once.
  const plainLines = plain
    .filter((p) => !judged.problems.some((j) => j.includes(plainTextFact(p))))
    .map(plainSecretLine);
  // The runtime knows which keys the CLI passed as secrets; without isConfigSecret, none is plain.
  const isSecure = (k: string) => !isSecret || isSecret(k);
  const kubernetesKeys = kubernetesKeyFindings(all, isSecure, {
    stack,
    placeOf: (name) => placer.fileLine(name, "kubernetes"),
  });
  for (const w of kubernetesKeys.warnings) void pulumi.log.warn(pulumiCommandsFor(w, stack, projectDir));
  const problems = [
    ...misspeltNamespaceProblems(Object.keys(all), PROJECT, (k) => placer.fileLine(k)),
    ...onepasswordKeyProblems(Object.keys(all), isSecure),
    ...kubernetesKeys.problems,
    // With the other `kubernetes:` keys, in one run (apply/program.ts judges the kubeconfig after).
    // A secret context is the decrypted one here: offline the synthesis judged the stack file
    // first (stackCheck.ts), which refuses one it cannot decrypt before the program runs.
    ...providerContextConfigProblems(
      stack,
      all[`${PROJECT}:kubeContext`],
      all,
      isSecret?.("kubernetes:context") ? { decrypted: true } : undefined,
    ),
    ...plainLines,
    ...judged.problems,
  ];
  // The program's pins are judged in the same run, but said as model/versions.ts's: beside the
  // stack file's problems (a section of their own after them), or alone.
  const pins = pinProblems();
  const pinsNote = pins.length > 0 ? [pinsRefusedText(pins)] : [];
  const cfg = judged.cfg;
  // The takeover's folder of what runs is judged beside the other keys, its refusal one of theirs:
  // a misspelt key does not hide a report the folder lacks until the next run.
  const running = rawTakeoverRunning(projectDir, raw);
  if (running && "problem" in running) problems.push(running.problem);
  if (problems.length > 0 || !cfg) {
    // Each problem names its line in the stack file, when the file is where the CLI keeps it.
    const refusal = placer
      .locate(
        new ConfigError(mergeMisspeltRequired(problems, cliConfigValues(all)), judged.notes),
        undefined,
        judged.placedAt,
      )
      .forStack(stack, projectDir);
    // A pin's misspelt chart name refuses the stack's right chartValues key: the pin's mistake, said
    // as the pin's alone when nothing else is wrong.
    const own = pins.length > 0 ? withoutMisnamedCharts(refusal, misnamedCharts()) : refusal;
    if (!own) throw new PinError(pins);
    throw new ConfigError(
      own.problems,
      [...own.notes, ...pinsNote],
      own.places,
      own.firstFile,
      own.overrides,
    );
  }
  if (pins.length > 0) throw new PinError(pins);
  if (cfg.takeover && running && "state" in running) cfg.takeover.runningState = running.state;
  return cfg;
}

/**
 * `e` with each problem placed in the stack file the CLI read (config/locate.ts), when that file
 * is where the CLI keeps it; the program's own checks after loading (the kube context) use it.
 */
export function placedInStackFile(e: ConfigError, projectDir: string = process.cwd()): ConfigError {
  const stack = pulumi.getStack();
  return ConfigLocator.forStack(projectDir, stack).locate(e).forStack(stack, projectDir);
}

/**
 * The stack's config secrets and the 1Password token, read from the Pulumi runtime and `env` (the
 * process environment) when the Secrets component asks: the only place either is read for it.
 * Nothing is read until a key is asked for, so a stack that needs a secret gets Pulumi's error
 * naming the key at the same point as before.
 */
export function pulumiSecretSource(
  env: NodeJS.ProcessEnv = process.env,
): SecretSource<pulumi.Output<string>> {
  const config = new pulumi.Config(PROJECT);
  return {
    get: (key) => config.getSecret(key),
    require: (key) => config.requireSecret(key),
    onepasswordToken: (envName) => {
      const token = config.getSecret("onepasswordToken");
      const fromEnv = env[envName];
      return token ?? (fromEnv ? pulumi.secret(fromEnv) : undefined);
    },
  };
}
