/**
 * `npm run synth`: the command, as a function of its arguments and output streams (cli/synth.ts is
 * the process wrapper that calls it with the process's own).
 */
import * as fs from "fs";
import * as path from "path";
import { cacheFolderProblems, outFolderProblem } from "./outFolder";
import { misnamedCharts, pinProblems, VERSIONS_FILE, withoutMisnamedCharts } from "../config/chartPins";
import { ConfigError, PROJECT, rawFromPulumiConfig } from "../config/resolve";
import { operatorImagesOf } from "@homelab-observability/contract";
import { evaluateResources, policyLevel, policySettings, verdict, type PackConfig } from "../policy/evaluate";
import { synthStack } from "../synth/run";
import { chartChoosers } from "../synth/chartChoosers";
import {
  readStackConfig,
  saidBeforeOf,
  SynthInputError,
  withoutImportIds,
  type ExportResource,
  type SaidBefore,
  type StackExport,
} from "../synth/synthesize";
import { CliConfigError, cliStackConfigIssues, noStackFileMessage } from "../config/stackFile";
import { firstKeyAndRest } from "../config/tree";
import {
  ChartCacheError,
  helmJobsSetting,
  missingChartsError,
  renderSetupProblems,
  type MissingChart,
} from "../synth/render/helm";
import { rawObjects, stackObjects, withRenderedObjects } from "../synth/render/objects";
import { renderExport, renderedFilePieces } from "../synth/render/render";
import { DEFAULT_KUBE_VERSION, type ReleaseRender, type RenderedFile } from "../synth/render/types";
import { placedFrom } from "../checks/placed";
import { checkStackCached } from "../checks/cache";
import {
  attributeOverrides,
  budgetOf,
  chartValueOverridesOf,
  stackRunsWith,
  overridesInForce,
  closingLine,
  countByType,
  formatBudget,
  formatLeftOut,
  findingsReport,
  formatMergedViolations,
  formatTree,
  leftOutCounts,
  leftOutLine,
  mergeProblems,
  mergeRenderErrors,
  notRenderedTextOf,
  type MergedRenderError,
  unrunTargetOverrideWarning,
  withoutRefusedValues,
  withRenderFailures,
  overridePlacesIn,
  placeChartValueKeys,
  idleOverrideWarning,
  type OverridePlace,
  outcomeCode,
  plural,
  resourceCount,
  runClosingLine,
  type CheckFinding,
  type MergedViolation,
  type StackOutcome,
  twinLevels,
  atTwinLevels,
  violationsAmong,
} from "../synth/report";
import { type ArgProblem, CliArgsError, helpText, parseArgsAll, SYNTH, usage, wrap } from "./spec";
import { cachedValuesKeys } from "../config/chartCache";
import { uncheckedChartsNote, withoutRefusedOverrides } from "../config/chartValueCheck";
import { unexpandedVariableWarnings } from "../config/unexpandedVariables";
import { projectDirRefusal, projectRoot, stackFolder, stackNames } from "../config/paths";
import { runningOverrides, runningSource, takesOver } from "../change/runningConfig";
import { readRunningDir, RunningStateError, type RunningSource } from "../model/running";
import { inputFailure, internalErrorText } from "./internalError";
import { printers, traceDirOf, type CliIo, type Sink } from "./io";
import { MissingReferenceError } from "../upstream/reference";

/** The parsed command line; cli/spec.ts SYNTH is its spec (flags, help, docs). */
interface SynthArgs {
  stacks: string[] | "all";
  out: string;
  dir?: string;
  policyConfig?: string;
  quiet: boolean;
  render: boolean;
  workloads: boolean;
  against?: string;
  running?: string;
  help: boolean;
}

/**
 * Bad arguments of synth, with what could still be read of the rest: the inputs those name are
 * judged in the same run (cli/synthRun.ts readInputs), every problem in one run. `unread` holds the
 * flags a problem is about (`--against is given twice`, `--out needs a value`): their input is that
 * problem's, never judged a second time.
 */
export class SynthArgsError extends CliArgsError {
  constructor(
    problems: string[],
    readonly args: SynthArgs,
    readonly unread: ReadonlySet<string>,
  ) {
    super(problems, SYNTH);
  }
}

export function parseSynthArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): SynthArgs {
  const { parsed: p, argProblems: problems } = parseArgsAll(SYNTH, argv, env);
  const one = (f: string) => p.values.get(f)?.[0];
  const given = p.values.get("--stack") ?? [];
  const args: SynthArgs = {
    stacks: p.switches.has("--all") ? "all" : given,
    out: one("--out") ?? "out",
    dir: one("--dir"),
    policyConfig: one("--policy-config"),
    quiet: p.switches.has("--quiet"),
    render: !p.switches.has("--no-render"),
    workloads: p.switches.has("--workloads"),
    against: one("--against"),
    running: one("--running"),
    help: p.help,
  };
  if (args.help && problems.length === 0) return args;
  // Beside --help (asked with a bad argument, refused as policy:check and bench refuse it) a stack
  // left out is no mistake: help was asked for, not a run.
  const rules = combinationProblems(args, given, args.help || mayHideStack(problems), env);
  if (problems.length + rules.length > 0) {
    const unread = new Set(problems.filter((q) => q.valueRefused).flatMap((q) => q.flags));
    throw new SynthArgsError([...problems.map((q) => q.text), ...rules], args, unread);
  }
  return args;
}

/**
 * Whether a refused argument may be the stacks asked for: one about --stack or --all (a misspelt
 * `--stak`, `stack s`, a bare stack name, a `--stack` without its value, `--all=yes`, one npm
 * kept), a bare word meant for no flag, an unknown flag with none close. One about another of
 * synth's flags (`--out needs a value`, `--dir is given twice`, `--outt`) cannot be: beside it a
 * missing --stack is a mistake of its own, said in the same run. Read from the flags each problem
 * is about, not its text: `unknown flag --outt; did you mean --out?` is about --out, led by none.
 */
function mayHideStack(problems: ArgProblem[]): boolean {
  const others = SYNTH.flags.map((f) => f.name).filter((n) => n !== "--stack" && n !== "--all");
  return problems.some((p) => p.flags.length === 0 || p.flags.some((f) => !others.includes(f)));
}

/**
 * The flags that cannot go together, every one in the run that has the others' mistakes. How many
 * stacks are asked for is judged only when no refused argument may be the stack meant (already
 * named, not a second mistake of a missing or extra --stack) and no --help was asked for.
 */
function combinationProblems(
  args: SynthArgs,
  given: string[],
  unreadable: boolean,
  env: NodeJS.ProcessEnv,
): string[] {
  const problems: string[] = [];
  // npm's own `all` (`npm run synth --all` keeps it) is not refused as a kept flag: the user's npm
  // config may set it (cli/spec.ts). Here the run is refused anyway, so it is named as the likely cause.
  const keptAll =
    env.npm_lifecycle_event === "synth" && env.npm_config_all === "true"
      ? ' (npm_config_all is "true": before `--` npm keeps --all for itself; write `npm run synth -- --all`)'
      : "";
  // A stack named twice is judged once (docs/reference/cli.md), so it is one stack here too.
  const distinct = [...new Set(given)];
  const count = args.stacks === "all" ? undefined : new Set(args.stacks).size;
  const change = [args.against && "--against", args.running && "--running"].filter(Boolean).join(" and ");
  // No stack beside --against is one mistake: its one message names the one stack it takes (not
  // also "or --all", which it refuses).
  if (!unreadable && count === 0 && !change) problems.push(`give --stack <name> or --all${keptAll}`);
  if (args.stacks === "all" && given.length > 0) problems.push("--all and --stack: give one of them");
  if (args.workloads && !args.render) problems.push("--workloads needs the render: drop --no-render");
  const several =
    args.stacks === "all" ? "--all" : distinct.length === 0 ? "none" : `${distinct.length} --stack`;
  if (change && (args.stacks === "all" || (!unreadable && count !== 1)))
    problems.push(
      `${change} check${args.against && args.running ? "" : "s"} one stack: give exactly one --stack, got ${several}`,
    );
  if (change && !args.render)
    problems.push(`${change} render${args.against && args.running ? "" : "s"}: drop --no-render`);
  return problems;
}

/** Progress on stderr, for a person watching: never under --quiet or when stderr is not a terminal. */
function progressTo(quiet: boolean, stderr: Sink): (text: string) => void {
  const on = !quiet && stderr.isTTY === true;
  return (text) => {
    if (on) stderr.write(`... ${text}\n`);
  };
}

/**
 * `npm run synth` (cli/synth.ts is its process wrapper): runs the command line `argv`, writing to
 * `io`, and returns the exit status (0 pass, 1 a finding, 2 bad input or an unexpected error). It
 * never throws and sets nothing of the process (exit code, cwd, env), so tests run it in their
 * own process, one run after another.
 */
export async function runSynth(argv: string[], io: CliIo): Promise<number> {
  const { out, err } = printers(io);
  const env = io.env ?? process.env;
  try {
    return await synthMain(argv, io);
  } catch (e) {
    // Bad input (arguments, a pack config, a stack file) gets its message; anything else one line
    // saying where its trace went. Then, as on every other way out, the last line says the exit
    // status and why.
    if (e instanceof CliArgsError) {
      err(`${e.lines("synth")}\n${usage(SYNTH)}\n(npm run synth -- --help describes every flag)`);
      out(failLine("bad arguments (above)"));
    } else if (e instanceof SynthInputError) {
      err(led(e.message));
      out(failLine(inputReason(e)));
    } else if (
      e instanceof CliConfigError ||
      e instanceof ConfigError ||
      e instanceof MissingReferenceError ||
      (e as Error | undefined)?.name === "PackConfigError"
    ) {
      err(led((e as Error).message));
      // A refused file names the flag it came from, as a refused --dir or --against does.
      const source = (e as { source?: string }).source;
      out(failLine(source ? `bad input: ${source} (above)` : "bad input (above)"));
    } else {
      err(internalErrorText("synth", e, env.HOMELAB_DEBUG === "1", traceDirOf(env)));
      out(failLine("an unexpected error (above)"));
    }
    return 2;
  }
}

/** The run's closing line when it ends before judging any stack: exit 2, and why. */
function failLine(why: string): string {
  return `synth: FAIL (exit 2): ${why}`;
}

async function synthMain(argv: string[], io: CliIo): Promise<number> {
  const { out, err } = printers(io);
  let args: SynthArgs;
  try {
    args = parseSynthArgs(argv, io.env ?? process.env);
  } catch (e) {
    if (!(e instanceof SynthArgsError)) throw e;
    return await badArguments(e, io);
  }
  if (args.help) {
    io.stdout.write(helpText(SYNTH));
    return 0;
  }
  const progress = progressTo(args.quiet, io.stderr);
  const env = io.env ?? process.env;
  const inputs = await readInputs(args, env, err);
  if ("refused" in inputs) {
    err(refusalLines(inputs.refused));
    out(failLine(refusedReason(inputs.refused)));
    return 2;
  }
  const { root, stacks, packConfig, previous } = inputs;
  // The checks that are a policy's judgement follow its level in the pack config: what the policy
  // passes there, its offline twin passed too (a disabled no-cluster-secret-read left secret-read
  // failing a run that preview passed). Said once, where the checks run at all.
  const twins = twinLevels((policy) => policyLevel(packConfig, policy));
  const leftOut = args.render && args.policyConfig && leftOutLine(twins.leftOut, args.policyConfig);
  if (leftOut) err(leftOut);
  const run: RunContext = {
    root,
    args,
    packConfig,
    twins,
    previous,
    io,
    progress,
    several: stacks.length > 1,
    lacking: [],
    missing: new Map(),
    needed: new Set(),
  };
  const outcomes: StackOutcome[] = [];
  // Every stack asked for is tried: one refused (its config, its charts) still leaves the others'
  // verdicts, each ending with its own closing line.
  for (const stack of stacks) outcomes.push(await synthOneStack(stack, run));
  // Over several stacks, the archives missing are listed once, after every stack has said what it
  // lacks (one stack's list is printed with it, above its closing line).
  if (run.missing.size > 0) {
    err(
      `synth: cannot render: ${missingChartsError([...run.missing.values()], [...run.needed], run.cache ?? "", run.lacking).message}`,
    );
  }
  // Over several stacks, the last line says which failed: the exit status is the worst of them.
  if (outcomes.length > 1) out(runClosingLine(outcomes));
  return outcomes.reduce((c, o) => Math.max(c, outcomeCode(o)), 0);
}

/**
 * A run with bad arguments: each said, with the usage, then every input the arguments that could
 * be read name, judged as a good run judges them (a missing --against file, a --dir that is no
 * project), so no second run finds them. A flag a problem is about is not judged again, and
 * nothing is made (--out).
 */
async function badArguments(e: SynthArgsError, io: CliIo): Promise<number> {
  const { out, err } = printers(io);
  const read = (flag: string, v: string | undefined) => (e.unread.has(flag) ? undefined : v);
  const args: SynthArgs = {
    ...e.args,
    stacks: e.unread.has("--stack") ? [] : e.args.stacks,
    dir: read("--dir", e.args.dir),
    policyConfig: read("--policy-config", e.args.policyConfig),
    against: read("--against", e.args.against),
    running: read("--running", e.args.running),
  };
  err(`${e.lines("synth")}\n${usage(SYNTH)}\n(npm run synth -- --help describes every flag)`);
  const inputs = await readInputs(args, io.env ?? process.env, err, {
    outFolder: !e.unread.has("--out"),
    make: false,
  });
  const refused = "refused" in inputs ? inputs.refused : [];
  if (refused.length > 0) err(refusalLines(refused));
  out(
    failLine(["bad arguments (above)", ...(refused.length > 0 ? [refusedReason(refused)] : [])].join("; ")),
  );
  return 2;
}

/** One refused input of the command line: its message, and the closing line's reason. */
interface Refusal {
  text: string;
  reason: string;
  /** The stack whose file is refused: its name leads the message, as in the stack's own output. */
  stack?: string;
}

/**
 * Refused inputs as printed, in the one form of every refusal of synth's, an argument's too:
 * `synth: <flag> <value>: <what is wrong>; <what to do>`, then an indented line only where the
 * refusal lists choices (`  stacks there: …`) or a file's own problems.
 */
function refusalLines(refused: Refusal[]): string {
  return refused.map((r) => (r.stack ? `${r.stack}: ${r.text}` : led(r.text))).join("\n");
}

/** A refusal led by synth's name: the reader tells the tool's own lines from a stack's (`<stack>: …`). */
const led = (text: string): string => `synth: ${text}`;

/**
 * The closing line's reason for refused inputs: each reason once, the flags' inputs named in one
 * `bad input: --dir x, --against y.json (above)`.
 */
function refusedReason(refused: Refusal[]): string {
  const bad = /^bad input: (.*) \(above\)$/;
  const inputs = refused.map((r) => bad.exec(r.reason)?.[1]).filter((n) => n !== undefined);
  const others = refused.map((r) => r.reason).filter((r) => !bad.test(r));
  return [
    ...new Set(others),
    ...(inputs.length > 0 ? [`bad input: ${[...new Set(inputs)].join(", ")} (above)`] : []),
  ].join("; ");
}

/**
 * Every input the flags name, judged before any work, each refusal said in the same run: the
 * project folder (--dir) and the stacks asked for in it, the pack config, --against's export,
 * --running's folder, the Helm settings of the environment and the --out folder. The stacks are
 * looked for only in a project folder, and the --out folder is made only when nothing is refused
 * (a refused run leaves nothing behind).
 */
async function readInputs(
  args: SynthArgs,
  env: NodeJS.ProcessEnv,
  err: (text: string) => void,
  /** Whether --out is judged, and may be made when nothing is refused (not beside bad arguments). */
  out = { outFolder: true, make: true },
): Promise<
  { root: string; stacks: string[]; packConfig: PackConfig; previous?: StackExport } | { refused: Refusal[] }
> {
  const refused: Refusal[] = [];
  const input = (e: SynthInputError) => refused.push({ text: e.message, reason: inputReason(e) });
  // A --dir that is no project folder is bad input, said before any stack is looked for.
  const badDir = args.dir === undefined ? undefined : projectDirRefusal(args.dir);
  if (badDir) input(new SynthInputError(badDir));
  const root = args.dir ? path.resolve(args.dir) : projectRoot();
  const known = badDir ? [] : stackNames(root);
  // A stack named twice is judged once: its second verdict would say nothing new, and the run's
  // count would count it twice.
  const stacks = args.stacks === "all" ? known : [...new Set(args.stacks)];
  // Every stack named is judged before any work: an unknown one lists the stacks there are.
  for (const s of badDir ? [] : stacks.filter((s) => !known.includes(s)))
    refused.push({
      text: `--stack ${s}: ${noStackFileMessage(s, stackFolder(root), known)}`,
      reason: `no stack file Pulumi.${s}.yaml (above)`,
    });
  // --all over a folder without stack files has nothing to judge: a run that judged nothing does not
  // pass, and says where it looked (Pulumi.yaml's stackConfigDir, else the project folder).
  if (!badDir && args.stacks === "all" && known.length === 0)
    refused.push({
      text: `--all: expected Pulumi.<stack>.yaml files in ${stackFolder(root)}, got none; give --dir the folder of a project with stacks, or --stack <name> once its stack file is written`,
      reason: `no stack file (Pulumi.<stack>.yaml) in ${stackFolder(root)} (above)`,
    });
  let packConfig: PackConfig = {};
  try {
    // ajv (63 modules) loads only when a pack config is given.
    if (args.policyConfig)
      packConfig = (await import("../synth/pack")).readPackConfig(args.policyConfig, err, "--policy-config");
  } catch (e) {
    if ((e as Error | undefined)?.name !== "PackConfigError") throw e;
    const source = (e as { source?: string }).source;
    refused.push({ text: (e as Error).message, reason: `bad input: ${source} (above)` });
  }
  let previous: StackExport | undefined;
  try {
    // A previous state that is not an export is bad input, said before any synthesis or render.
    // The change check compares with this reading, never the file's later text: --against
    // out/<stack>.json names the file this run's export is written over (--out), and read again
    // after that it was the new synthesis compared with itself, every change passing.
    const one = args.stacks !== "all" && new Set(args.stacks).size === 1 ? args.stacks[0] : undefined;
    if (args.against) previous = (await import("../change/against")).readExport(args.against, one);
  } catch (e) {
    if (!(e instanceof SynthInputError)) throw e;
    input(e);
  }
  // A --running folder that does not exist is said as such, not as the stack's takeover key the
  // flag fills in (whose check would say a file in it is missing).
  const runningStat =
    args.running === undefined ? undefined : fs.statSync(args.running, { throwIfNoEntry: false });
  if (args.running !== undefined && !runningStat?.isDirectory())
    input(
      new SynthInputError(
        `--running ${args.running}: ${runningStat ? "a file, not a folder" : "no such folder"}; give the folder holding what runs (helm-list.yaml and the rest, docs/how-to/take-over-flux.md)`,
      ),
    );
  // A Helm job count that is no count is refused before any render waits on it; a Helm that cannot
  // run, a chart cache that is no folder, said once before any render (each release's would say it
  // again); a render or check cache where no folder can be, before the synthesis it would end. Every
  // one of them in one run. All serve the render alone, so --no-render judges none of them: a value
  // that would change nothing fails no run (HOMELAB_HELM_JOBS bounds only withHelmSlot, around
  // `helm template`, which --no-render never runs; the chart keys the render cache also keeps are
  // read from the archive when it cannot be written).
  const setup = (
    args.render
      ? [
          helmJobsSetting(env.HOMELAB_HELM_JOBS).problem,
          ...renderSetupProblems(env),
          ...cacheFolderProblems(env),
        ]
      : []
  ).filter((p) => p !== undefined);
  // Each its own refusal, led by synth's name as every other is.
  for (const p of setup) input(new SynthInputError(p));
  // The program's own chart pins, judged before any stack renders them (a version Helm reads
  // loosely would pull an archive the render never finds), with or without --no-render: an export
  // without a version is none to deploy.
  for (const p of pinProblems()) refused.push({ text: p, reason: `bad input: ${VERSIONS_FILE} (above)` });
  const outProblem = out.outFolder && outFolderProblem(args.out, out.make && refused.length === 0);
  if (outProblem)
    input(
      new SynthInputError(`--out ${args.out}: expected a folder to write the exports into; ${outProblem}`),
    );
  // A refused input (or a bad argument) ends the run before any stack is synthesized, which is where
  // a stack file is judged: each stack file's own problems are said with it.
  if (refused.length > 0 || !out.make)
    for (const stack of stacks.filter((s) => known.includes(s))) {
      const e = stackFileRefusal(root, stack, env, args.running);
      if (e)
        refused.push({
          text: e.message,
          stack,
          reason: `the stack configuration of ${stack} is refused (above)`,
        });
    }
  return refused.length > 0 ? { refused } : { root, stacks, packConfig, previous };
}

/**
 * The stack file's own problems (synth/synthesize.ts readStackConfig, which judges every key
 * without synthesizing), or undefined when it has none: said beside a flag's input that ends the
 * run before the synthesis would judge them, so fixing that input reveals no second refusal. With
 * --running the flag's folder stands for the stack file's `takeover.running`, and is said as the
 * flag's: the stack file is judged without it.
 */
function stackFileRefusal(
  root: string,
  stack: string,
  env: NodeJS.ProcessEnv,
  running: string | undefined,
): ConfigError | CliConfigError | undefined {
  try {
    const overrides =
      running !== undefined && takesOver(root, stack) ? runningOverrides(root, stack, undefined) : {};
    readStackConfig(root, stack, overrides, env);
    return undefined;
  } catch (e) {
    // A pin's misspelt chart name refuses the stack's right chartValues key: said as the pin's, above.
    if (e instanceof ConfigError) return withoutMisnamedCharts(e, misnamedCharts());
    if (e instanceof CliConfigError) return e;
    throw e;
  }
}

/** What every stack of one run shares, and the chart archives they lack (gathered, said once). */
interface RunContext {
  root: string;
  args: SynthArgs;
  packConfig: PackConfig;
  /** The checks the pack config leaves out or makes advisory (synth/report.ts twinLevels). */
  twins: ReturnType<typeof twinLevels>;
  /** --against's export, read before anything is written to --out (readInputs). */
  previous?: StackExport;
  io: CliIo;
  progress: (text: string) => void;
  /** Whether the run is over several stacks (what they lack is then listed once, at its end). */
  several: boolean;
  /** The stacks whose chart archives are missing, in order. */
  lacking: string[];
  /** Archives missing from the chart cache, each once, with the stacks that need it. */
  missing: Map<string, MissingChart>;
  /** Every archive the stacks that lack some need (the count the list is "of"). */
  needed: Set<string>;
  cache?: string;
}

/**
 * One stack of the run, from synthesis to its closing line: a stack that cannot be judged (its
 * configuration refused, chart archives missing, an unexpected error) says why and closes with
 * exit 2, and the run goes on to the next.
 */
async function synthOneStack(stack: string, run: RunContext): Promise<StackOutcome> {
  const { out, err } = printers(run.io);
  const env = run.io.env ?? process.env;
  const refused = (why: string): StackOutcome => {
    const outcome: StackOutcome = { stack, renderErrors: 0, checkProblems: 0, violations: [], refused: why };
    out(closingLine(outcome));
    return outcome;
  };
  /** Says why the stack is refused, and returns the closing line's reason. */
  const said = (e: unknown): string => {
    // A flag's input (--against's export, --running's folder) is not the stack's configuration:
    // its closing line names the flag, so the reader does not look for the mistake in the stack file.
    if (e instanceof SynthInputError) {
      err(`${stack}: ${e.message}`);
      return inputReason(e);
    }
    if (e instanceof ConfigError || e instanceof CliConfigError) {
      err(`${stack}: ${e.message}`);
      return "the stack configuration is refused (above)";
    }
    if (e instanceof ChartCacheError) return missingCharts(stack, e, run, err);
    if (e instanceof MissingReferenceError) {
      err(`${stack}: ${e.message}`);
      return "reference data missing (above)";
    }
    const known = inputFailure(stack, e);
    if (known) {
      err(known.text);
      return known.reason;
    }
    err(internalErrorText(`synth ${stack}`, e, env.HOMELAB_DEBUG === "1", traceDirOf(env)));
    return "an unexpected error (above)";
  };
  try {
    return await judgeStack(stack, run);
  } catch (e) {
    const why = (e instanceof RefusedTogether ? e.causes : [e]).map(said);
    // A stack refused only for chartValues overrides is judged without them, in this run.
    if (e instanceof ConfigError) {
      try {
        await judgeWithoutRefusedOverrides(stack, e, run);
      } catch (again) {
        why.push(said(again));
      }
    }
    return refused(why.join("; "));
  }
}

/**
 * A stack whose configuration is refused for `chartValues` overrides (one setting what a stack key
 * sets, a misspelt chart key), rendered, checked and judged without the overrides its problems
 * refuse (ConfigError.overrides, as the checks give them; config/chartValueCheck.ts
 * withoutRefusedOverrides): a mistake only the rendered objects show (an affinity no node pool
 * admits, set by another override) is said in the same run, not once the refused one is fixed.
 * Nothing is written: no export or rendered file holds a synthesis the stack file does not give,
 * and the refusal stays the stack's verdict. A stack refused for any other key too is not judged
 * again (the rest of its configuration is not known to be what it runs with). No chart is pulled:
 * without the archives at hand the releases' values alone are judged, and a note says so.
 */
async function judgeWithoutRefusedOverrides(
  stack: string,
  refusal: ConfigError,
  run: RunContext,
): Promise<void> {
  const { root, args } = run;
  const { out, err } = printers(run.io);
  if (refusal.overrides.length === 0) return;
  // Read as the synthesis reads it: a value that is no JSON map (a text, a `secure:` one) is no map.
  const own = rawFromPulumiConfig(cliStackConfigIssues(root, stack).config).chartValues;
  const without = withoutRefusedOverrides(own, refusal.overrides);
  if (!without) return;
  const takeover = args.running ? runningOverrides(root, stack, args.running) : {};
  const overrides = { ...takeover, [`${PROJECT}:chartValues`]: JSON.stringify(without.values) };
  let result: Awaited<ReturnType<typeof synthStack>>;
  try {
    result = await synthStack(root, stack, overrides);
  } catch (e) {
    if (e instanceof ConfigError || e instanceof CliConfigError) return;
    throw e;
  }
  const left = without.removed.join(", ");
  // A second judgement, and said as one: the first, above, judged the overrides as the file has
  // them, a misspelt chart name read as the chart it is closest to (config/judge.ts repairedRaw,
  // whose note says so); "judged without chartValues.lokii" under "read chartValues.lokii as
  // chartValues.loki" read as one judgement said both, and contradicted itself.
  err(
    `${stack}: judged again, this time without the refused ${without.removed.length > 1 ? "overrides" : "override"} ${left} (the refusal above stands; nothing is written), for the stack's other problems:`,
  );
  // Only the problems: the tree, the budget and the objects left out are a run's that passes.
  const quiet = { ...run, args: { ...args, quiet: true, workloads: false } };
  const at = overridePlacesIn(root, stack);
  const judgedBy = (render: boolean) =>
    renderedAndJudged(
      stack,
      result,
      { ...quiet, args: { ...quiet.args, render } },
      {
        overrides,
        at,
        write: false,
      },
    );
  let judged: Awaited<ReturnType<typeof judgedBy>>;
  try {
    judged = await judgedBy(args.render);
  } catch (e) {
    if (!(e instanceof ChartCacheError)) throw e;
    // The stack's own closing line is the refusal's: the archives are named by a run that renders.
    err(
      `  (not rendered: ${e.missing.length} of the ${e.needed.length} chart archives it renders are not in the chart cache ${e.cache}; the releases' values alone are judged)`,
    );
    judged = await judgedBy(false);
  }
  const { r, problems, violations } = judged;
  if (violations.length > 0) out(`\n== ${stack}: policy violations\n${formatMergedViolations(violations)}`);
  const found = problems.length + violations.length + (r?.failed.length ?? 0);
  if (found === 0) err(`${stack}: without ${left}, the stack has no other problem`);
}

/** Several refusals of one stack (its stack file's problems and a flag's input), each said in the one run. */
class RefusedTogether extends Error {
  constructor(readonly causes: Error[]) {
    super(causes.map((c) => c.message).join("\n"));
  }
}

/**
 * A warning of the program's (`pulumi.log.warn`) as synth says it: under the stack's name, and a
 * stack key it opens with (`homelab-observability:loki.mode: …`, as Pulumi names config keys)
 * followed by the key's place in the stack file when the file holds it.
 */
export function stackWarning(stack: string, warning: string, at: OverridePlace): string {
  const key = new RegExp(`^${PROJECT}:([A-Za-z][\\w.\\[\\]-]*): `).exec(warning);
  const where = key ? at(key[1]) : undefined;
  if (!key || !where) return `${stack}: warning: ${warning}`;
  const name = `${PROJECT}:${key[1]}`;
  return `${stack}: warning: ${name} (${where})${warning.slice(name.length)}`;
}

/**
 * The --running folder's reports, read before the synthesis: a file missing or misshapen there is
 * said as --running's, not as the stack's takeover.running key (which the flag fills in and the
 * stack file may not set at all). Returns what it warns of.
 */
function readRunningFlag(dir: string, from: RunningSource): string[] {
  try {
    return readRunningDir(path.resolve(dir), from, cachedValuesKeys).warnings ?? [];
  } catch (e) {
    if (e instanceof RunningStateError) throw new SynthInputError(`--running ${dir}: ${e.message}`);
    throw e;
  }
}

/**
 * The closing reason of a refused flag input: `bad input: ` and the message's start up to its first
 * `: ` after the flag (`--against out/p.json: expected …` gives `bad input: --against out/p.json`),
 * or after the environment variable (`bad input: HOMELAB_HELM_JOBS`), the rest being above.
 */
function inputReason(e: SynthInputError): string {
  const lines = e.message.split("\n");
  // A flag and its value, or an environment variable (HOMELAB_HELM_JOBS: …).
  const flag = /^(--[a-z-]+(?: [^:]+)?|[A-Z][A-Z0-9_]+):/.exec(lines[0]);
  // Several variables refused at once (HOMELAB_HELM and HOMELAB_CHART_CACHE) are each named.
  const vars = lines.map((l) => /^([A-Z][A-Z0-9_]+):/.exec(l)?.[1]).filter((v) => v !== undefined);
  const named = flag && /^[A-Z]/.test(flag[1]) ? [...new Set(vars)].join(", ") : flag?.[1];
  return `bad input: ${named ?? "the command's input"} (above)`;
}

/**
 * A stack whose chart archives are missing: alone, it lists them (helm.ts names the ways out:
 * HOMELAB_CHART_CACHE, or --no-render); in a run over several, it names them and the run lists what
 * every stack lacks once, at its end. Returns the reason for its closing line.
 */
function missingCharts(
  stack: string,
  e: ChartCacheError,
  run: RunContext,
  err: (text: string) => void,
): string {
  // A file there under an archive's name that is none (config/chartCache.ts chartTar) is counted apart.
  const broken = e.missing.filter((m) => m.found !== undefined).length;
  const lacked = e.missing.length - broken;
  const counts = [
    ...(lacked > 0 ? [`${plural(lacked, "chart archive")} missing from the chart cache`] : []),
    ...(broken > 0
      ? [
          `${plural(broken, "file")} in the chart cache that ${broken === 1 ? "is no chart archive" : "are no chart archives"}`,
        ]
      : []),
  ].join(", ");
  if (!run.several) err(`${stack}: cannot render: ${e.message}`);
  else {
    err(
      `${stack}: cannot render: ${e.missing.length} of the ${e.needed.length} chart archives it renders are ${broken > 0 ? "missing from the chart cache or broken there" : "not in the chart cache"} (each listed once, after the last stack)`,
    );
    for (const m of e.missing) {
      const seen = run.missing.get(m.archive);
      if (seen) seen.neededBy = [...(seen.neededBy ?? []), stack];
      else run.missing.set(m.archive, { ...m, neededBy: [stack] });
    }
    for (const n of e.needed) run.needed.add(n);
    run.cache ??= e.cache;
    run.lacking.push(stack);
  }
  return `cannot render: ${counts}`;
}

/**
 * Warns of each override of a chart no release of the stack installs (`idle`, `<chart>.<path>`):
 * it changes nothing. The warning names the key that leaves the chart out, the program's own answer
 * (synth/chartChoosers.ts synthesizes the stack again under that key's other values), so a Vector
 * that `logAgent: alloy` leaves out is not blamed on the phase. `overrides` are the synthesis' own
 * (`--running`).
 */
async function warnIdleOverrides(
  stack: string,
  idle: string[],
  { run, overrides, at }: { run: RunContext; overrides: Record<string, string>; at: OverridePlace },
): Promise<void> {
  if (idle.length === 0) return;
  const { err } = printers(run.io);
  const chartOf = (o: string) => firstKeyAndRest(o)[0];
  const charts = [...new Set(idle.map(chartOf))];
  const choosers = await chartChoosers(run.root, stack, charts, overrides, run.io.env);
  for (const o of idle)
    err(`${stack}: warning: ${idleOverrideWarning(o, choosers.get(chartOf(o)) ?? [], at)}`);
}

/**
 * What a stack's synthesis warns of, said before its report or its refusal: the charts whose
 * `chartValues` keys went unchecked, the program's warnings, and each `$VAR` of the stack file
 * that no problem of the refusal (`refused`) already names.
 */
function sayWarnings(
  stack: string,
  root: string,
  found: SaidBefore & { refused?: string[] },
  err: (text: string) => void,
  // Stack keys are named with their line in the stack file: a refused override, a warned-of key.
  at: ReturnType<typeof overridePlacesIn> = overridePlacesIn(root, stack),
): void {
  if ((found.uncheckedCharts ?? []).length > 0)
    err(`${stack}: ${uncheckedChartsNote(found.uncheckedCharts!)}`);
  for (const w of found.warnings ?? []) err(stackWarning(stack, w, at));
  // A `$VAR` in the stack file reaches the program as written (config/unexpandedVariables.ts).
  for (const w of unexpandedVariableWarnings(root, stack, found.refused)) err(`${stack}: warning: ${w}`);
}

/**
 * Synthesizes, renders, checks and judges one stack, printing its output down to its closing line.
 * Throws what refuses the stack (its configuration, missing chart archives) for the caller to say.
 */
async function judgeStack(stack: string, run: RunContext): Promise<StackOutcome> {
  const { root, args, progress } = run;
  const { out, err } = printers(run.io);
  progress(`${stack}: synthesizing the program under mocks`);
  const takeoverOverrides = takeoverOverridesOf(stack, run, err);
  const result = await synthesized(stack, root, takeoverOverrides, err);
  if (result.placeholders.length > 0) {
    err(
      `${stack}: secrets not set, placeholders stand in offline (a real run needs them): ${result.placeholders.join(", ")}`,
    );
  }
  // The stack file's places, read once for the warnings and the report below.
  const at = overridePlacesIn(root, stack);
  sayWarnings(stack, root, result, err, at);
  const resources = result.export.deployment.resources;
  const { file, resourcesText } = writeExport(stack, result, args);
  const { r, judged, overrides, problems, violations } = await renderedAndJudged(stack, result, run, {
    overrides: takeoverOverrides,
    at,
    write: true,
    resourcesText,
  });
  const stackRes = resources.find((x) => x.type === "pulumi:pulumi:Stack");
  /** Summary lines after the count, each wrapped at 80 columns below. */
  const rendered = r?.summary ?? [];
  // The summary line counts the problems as printed, one per mistake.
  const last = rendered.length - 1;
  if (last >= 0)
    rendered[last] = rendered[last].replace(/: \d+ problem\(s\)$/, `: ${problems.length} problem(s)`);
  if (!args.quiet) {
    out(`== ${stack}: resource tree`);
    out(formatTree(resources));
    const budget = budgetOf(judged);
    if (budget) {
      out(`\n== ${stack}: resource budget (requests and limits per node pool; DaemonSets per node)`);
      out(formatBudget(budget));
    }
    // What this synthesis deletes or replaces on purpose (the stack output `plannedChanges`,
    // e.g. vmsingle giving way to a VMCluster): said here, never done silently.
    const planned = Object.entries((stackRes?.outputs?.plannedChanges ?? {}) as Record<string, string>);
    if (planned.length > 0)
      out(`\n== ${stack}: planned changes\n${planned.map(([k, v]) => `  ${k}: ${v}`).join("\n")}`);
  }
  if (violations.length > 0) out(`\n== ${stack}: policy violations\n${formatMergedViolations(violations)}`);
  const byType = countByType(resources)
    .map(([t, n]) => `${t.split(":").pop()}×${n}`)
    .join(", ");
  // At most 80 columns; the verdicts end the stack's output, each on a line of its own.
  const line = (t: string) => wrap(t, 80, "    ", "  ");
  out(
    [
      "",
      `== ${stack}: summary`,
      line(`${resourceCount(resources)} -> ${file}`),
      line(`custom resources by type: ${byType}`),
      ...rendered.map(line),
      // As policy:check says them (synth/report.ts stackRunsWith).
      ...stackRunsWith(resources, overrides).map(line),
      // The policy's verdict (as policy:check prints it), then the stack's own closing line below.
      `${stack}: ${verdict([...violations, ...violationsAmong(problems)])}`,
    ].join("\n"),
  );
  const outcome: StackOutcome = {
    stack,
    rendered: args.render,
    renderErrors: r?.failed.length ?? 0,
    checkProblems: problems.length,
    violations,
  };
  await closeStack(root, result, run, outcome, out);
  return outcome;
}

/**
 * The stack's render and the checks on it (when --no-render is not given), then the pack: the
 * rendered-object problems and the render failures said on stderr, the violations returned for the
 * caller to print. `overrides` are the synthesis' own (`--running`); `write` puts the rendered file
 * beside the export (a stack judged without refused overrides writes nothing).
 */
async function renderedAndJudged(
  stack: string,
  result: Awaited<ReturnType<typeof synthStack>>,
  run: RunContext,
  {
    overrides: takeoverOverrides,
    at,
    write,
    resourcesText,
  }: {
    overrides: Record<string, string>;
    at: OverridePlace;
    write: boolean;
    /** The texts the export's resources are read back from, when written (writeExport). */
    resourcesText?: readonly string[];
  },
) {
  const { progress } = run;
  const { err } = printers(run.io);
  const resources = result.export.deployment.resources;
  // What the cluster would receive: every release through the real Helm, beside the export.
  const r = run.args.render ? await renderStack(stack, result, run, { write, resourcesText }, at) : undefined;
  const judged = r?.judged ?? resources;
  // The pack and the budget judge what the cluster would receive: rendered objects stand beside
  // their releases (withRenderedObjects), so images and requests are the ones that really run.
  progress(`${stack}: running the policy pack`);
  // A release that did not render leaves the pack's verdict standing, unlike the checks': its
  // policies judge each resource on its own (a release's values, a rendered object) or add them up
  // (the budget), so missing objects make it see less but never report them as another's mistake;
  // and a violation on the failed release's values is the cause Helm refused, kept and pointed at,
  // unless Helm's own message names the override it read (withoutRefusedValues, below).
  // Only network-policies-present judges an absence, and no chart here renders NetworkPolicies
  // (they are the stack's own resources).
  // The `chartValues` overrides the stack runs with: a value the schema does not name is never in
  // force unseen.
  // An override of a chart no release installs, or of a Loki target the mode renders no pod of,
  // changes nothing: said, and not in force (policy:check's verdict on an export too).
  const { inForce: overrides, idle, unrun } = overridesInForce(resources, chartValueOverridesOf(resources));
  await warnIdleOverrides(stack, idle, { run, overrides: takeoverOverrides, at });
  for (const u of unrun) err(`${stack}: warning: ${unrunTargetOverrideWarning(u, at)}`);
  const judgedAll = await judge(stack, judged, r?.findings ?? [], { overrides, at }, run, err);
  const problems = judgedAll.problems;
  // A release Helm refused for an override's value runs with none of it: what the pack read of
  // those values is no verdict (withoutRefusedValues), and the render failure names the override.
  // A render failure that is a violation's mistake (both trace to one override) is one message,
  // the violation's, naming the render among its places (withRenderFailures).
  // Merged once: the same failures are placed among the violations and said below.
  const merged = r ? mergeRenderErrors(r.failed, judged, overrides, at) : [];
  const violations = r
    ? withRenderFailures(withoutRefusedValues(judgedAll.violations, r.failed, judged, overrides), merged)
    : judgedAll.violations;
  if (r && r.failed.length > 0) reportNotRendered(stack, r, violations, merged, err);
  return { r, judged, overrides, problems, violations };
}

/**
 * The `takeover.running` overrides --running's folder gives the stack (none without the flag), its
 * reports read before the synthesis. A refused folder ends the stack before its synthesis, so the
 * stack file is judged beside it: its problems are refused with the folder's, in the same run.
 */
function takeoverOverridesOf(
  stack: string,
  run: RunContext,
  err: (text: string) => void,
): Record<string, string> {
  const { root, args } = run;
  try {
    const overrides = args.running ? runningOverrides(root, stack, args.running) : {};
    // What the folder holds that is passed over (a values file of no listed release) is said here,
    // where the folder is read as --running's: a synthesis never names the folder, so that one
    // kept by its files' content serves the same files at another path.
    if (args.running)
      for (const w of readRunningFlag(args.running, runningSource(root, stack)))
        err(`${stack}: warning: ${w}`);
    return overrides;
  } catch (e) {
    if (!(e instanceof SynthInputError)) throw e;
    // The stack file is judged too: a refused --running ends the stack before its synthesis.
    const config = stackFileRefusal(root, stack, run.io.env ?? process.env, args.running);
    if (config) sayRefusalWarnings(stack, root, config, err);
    throw config ? new RefusedTogether([config, e]) : e;
  }
}

/** The stack synthesized under mocks; a refusal is thrown after what the stack warned of is said. */
async function synthesized(
  stack: string,
  root: string,
  overrides: Record<string, string>,
  err: (text: string) => void,
): Promise<Awaited<ReturnType<typeof synthStack>>> {
  try {
    return await synthStack(root, stack, overrides);
  } catch (e) {
    // A refused stack still says what it warned of: the refusal follows (synthOneStack).
    sayRefusalWarnings(stack, root, e, err);
    throw e;
  }
}

/**
 * What a refused stack warned of ({@link sayWarnings}), said before its refusal: `refusal`'s own
 * problems name the `$VAR`s they refuse, which are then not warned of again.
 */
function sayRefusalWarnings(
  stack: string,
  root: string,
  refusal: unknown,
  err: (text: string) => void,
): void {
  const refused = refusal instanceof ConfigError ? refusal.problems : [];
  sayWarnings(stack, root, { ...saidBeforeOf(refusal), refused }, err);
}

/**
 * Writes the stack's export into --out, and beside it the side record of what it adopts; the side
 * files an earlier synthesis left that this one does not write are removed. Returns the export's
 * path, and the texts its resources are read back from whole, for the check cache's key
 * (checks/cache.ts `resourcesText`): the file's and the import IDs' it leaves out.
 *
 * Measured and not kept (round fifty-six): the export's text kept per synthesis frozen to its last
 * leaf (the test suite's synthesis store hands one frozen object to every run of a stack), written
 * again without a second JSON.stringify. In a warm `npm test` (three workers) this wrote 204 export
 * files, 2.06 s of CPU with their writes; 33 of them from an export its worker had written before
 * (13 exports twice, one 3 times, three 4 times, one 5 and one 6 times). On 60 frozen exports
 * (1.21 MB of text each on average): JSON.stringify 5.4-5.5 ms, the first call with the check that
 * every object is frozen 6.0-6.2 ms, a repeat 0.003 ms; about 0.08 s of a warm run gained in all.
 */
function writeExport(
  stack: string,
  result: Awaited<ReturnType<typeof synthStack>>,
  args: SynthArgs,
): { file: string; resourcesText: string[] } {
  const file = path.join(args.out, `${stack}.json`);
  // A real `pulumi stack export` has no import field: the file leaves it out, the side record keeps it.
  const text = JSON.stringify(withoutImportIds(result.export), null, 2);
  fs.writeFileSync(file, text + "\n");
  const importIds = JSON.stringify(result.export.deployment.resources.map((r) => r.importId ?? null));
  // A real export has no import field: imports and reads go to a side record.
  const adopted = path.join(args.out, `${stack}.adopted.json`);
  if (result.imports.length > 0 || result.reads.length > 0)
    fs.writeFileSync(
      adopted,
      JSON.stringify({ imports: result.imports, reads: result.reads }, null, 2) + "\n",
    );
  // A side file this run does not write is an earlier synthesis' (`--no-render`, or nothing adopted
  // now): left beside the new export, policy:check would judge the export with objects it no longer
  // renders, and the adopted list would name imports it no longer makes.
  else fs.rmSync(adopted, { force: true });
  if (!args.render) fs.rmSync(path.join(args.out, `${stack}.rendered.json`), { force: true });
  return { file, resourcesText: [text, importIds] };
}

/** `pieces` one after the other as the file's text (a Buffer: UTF-8 bytes), as fs.writeFileSync writes one. */
function writePieces(file: string, pieces: readonly (string | Buffer)[]): void {
  const fd = fs.openSync(file, "w");
  try {
    for (const piece of pieces) {
      const bytes = typeof piece === "string" ? Buffer.from(piece) : piece;
      for (let at = 0; at < bytes.length;) at += fs.writeSync(fd, bytes, at);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** A stack's render and the checks on it: what the summary says, what the pack judges, what failed. */
interface StackRender {
  /** The summary lines (rendered, checked), each wrapped by the caller. */
  summary: string[];
  /** The export with the rendered objects beside their releases (withRenderedObjects). */
  judged: ExportResource[];
  /** Every release's render, and those of them that did not render. */
  renders: ReleaseRender[];
  failed: ReleaseRender[];
  findings: CheckFinding[];
}

/**
 * The releases that did not render, each with Helm's message ({@link notRenderedTextOf}, with the
 * pack's violations and the failures merged with the stack's overrides, which only synth has), said
 * once the pack has judged the stack. Then, once, why the rendered-object checks did not run.
 */
function reportNotRendered(
  stack: string,
  r: StackRender,
  violations: MergedViolation[],
  merged: MergedRenderError[],
  err: (text: string) => void,
): void {
  const text = notRenderedTextOf(r.renders, merged, violations);
  if (text === undefined) return;
  err(`${stack}: ${text}`);
  // namespace/name: two releases may share a name (the node agents' old and new during a handover).
  err(
    `${stack}: !!! the rendered-object checks did not run: they judge the stack's objects as a whole, ` +
      `and the objects of ${r.failed.map((f) => `${f.namespace}/${f.releaseName}`).join(", ")} are missing; fix the render, then run again`,
  );
}

/**
 * Every release of the stack through the real Helm (written beside the export unless `write` is
 * false), then the checks on what the cluster would receive. Throws ChartCacheError when chart
 * archives are missing.
 */
async function renderStack(
  stack: string,
  result: Awaited<ReturnType<typeof synthStack>>,
  run: RunContext,
  { write, resourcesText }: { write: boolean; resourcesText?: readonly string[] },
  at: OverridePlace,
): Promise<StackRender> {
  const { args, progress } = run;
  const { out } = printers(run.io);
  progress(`${stack}: rendering Helm releases (a cold cache pulls and renders every chart)`);
  // What is not written is not pulled either: a judgement that writes nothing reaches no network.
  const renders = await renderExport(result.export, write ? {} : { pull: false });
  const resources = result.export.deployment.resources;
  const renderedFile = path.join(args.out, `${stack}.rendered.json`);
  const raw = rawObjects(result.export, result.secretDataKeys);
  // Compact: several MB (the CRDs' schemas), read by programs (policy:check, jq), and half the
  // time to write of an indented file.
  const rendered: RenderedFile = { kubeVersion: DEFAULT_KUBE_VERSION, releases: renders, raw };
  // JSON.stringify(rendered) in pieces, each CRD schema this process rendered before serialized
  // once (renderedFilePieces, where the figures are), written and hashed one after the other.
  const renderedText = renderedFilePieces(rendered);
  if (write) writePieces(renderedFile, [...renderedText, "\n"]);
  // Said after the pack (reportNotRendered), which may name the cause in the release's values.
  const failed = renders.filter((r) => r.error !== undefined);
  const objects = renders.reduce((n, r) => n + r.objects.length, 0);
  const summary = [
    `rendered ${renders.length - failed.length}/${renders.length} releases into ${objects} objects (+${raw.length} raw) -> ${renderedFile}`,
  ];
  const placed = placedFrom(stackObjects(renders, raw));
  // What each pod may do (privileges, host access, hardening), operator-made pods included.
  if (args.workloads) {
    const { formatWorkloadTable, workloadTable } =
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require("../checks/privileges") as typeof import("../checks/privileges");
    out(`== ${stack}: workloads\n${formatWorkloadTable(workloadTable(placed))}\n`);
  }
  const judged = withRenderedObjects(resources, renders);
  // The rendered-object checks judge the stack's objects as a whole: a Service every address must
  // find, a rule every connection needs, a metric some pod must emit. Without a release's objects
  // each of those reads the missing release as the others' mistake (Alloy dials a gateway "no
  // Service" answers, a NetworkPolicy admits "what nothing uses", a dashboard reads metrics "this
  // stack does not run"): dozens of messages, all false, for the one mistake Helm already named.
  // Judging only what does not depend on the rest would need each check split by that, and the
  // stack fails on the render anyway; so they wait for every release to render, and say so once.
  if (failed.length > 0) {
    summary.push(`rendered-object checks not run: ${plural(failed.length, "release")} did not render`);
    return { summary, judged, renders, failed, findings: [] };
  }
  const checks = checkRendered(stack, placed, resources, { renderedText, resourcesText }, run, at);
  return {
    summary: [...summary, checks.summary],
    judged,
    renders,
    failed,
    findings: checks.findings,
  };
}

/**
 * The checks on what the cluster would receive (checks/): schemas, duplicates, addresses, ${VAR}s,
 * host ports, creation order, and the rest. The verdict is cached by the objects' and the checks'
 * content (checks/cache.ts): an unchanged stack is not re-validated.
 */
function checkRendered(
  stack: string,
  placed: ReturnType<typeof placedFrom>,
  resources: ExportResource[],
  texts: { renderedText: readonly (string | Buffer)[]; resourcesText?: readonly string[] },
  run: RunContext,
  at: OverridePlace,
): { summary: string; findings: CheckFinding[] } {
  const { args, progress } = run;
  const { out, err } = printers(run.io);
  progress(`${stack}: checking the rendered objects`);
  // Keyed by the rendered file's text, which the placed objects are made from, and the export's
  // when it was written (no second serialization of several MB).
  const checks = checkStackCached(placed, resources, {
    objectsText: texts.renderedText,
    resourcesText: texts.resourcesText,
    // The operators as the pack's no-cluster-secret-read takes them from the same --policy-config:
    // secret-read refused a mirror's operator the config names, which the pack then passed.
    operatorImages: operatorImagesOf(policySettings(run.packConfig, "no-cluster-secret-read")),
  });
  const deferred = checks.networkPoliciesDeferred.length
    ? ` (deferred in ${checks.networkPoliciesDeferred.join(", ")})`
    : "";
  const pins = checks.imagesByTagOnly.length
    ? `${checks.imagesByTagOnly.length} pins without a digest`
    : "every pin with its digest";
  // The names themselves: a count alone does not tell which of a dashboard's queries to look at.
  const unverifiedNames = (names: string[]) =>
    names.length === 0
      ? ""
      : `: ${names.slice(0, 5).join(", ")}${names.length > 5 ? ` and ${names.length - 5} more` : ""}`;
  const summary = [
    `checked ${checks.builtinValidated} built-in + ${checks.customValidated} custom objects`,
    `${checks.addressesResolved} addresses`,
    `${checks.variablesChecked} \${VAR}s`,
    `${checks.podsJudged} pods at their Pod Security level`,
    `${checks.connectionsAllowed} connections allowed by NetworkPolicies${deferred}`,
    `${checks.egressAllowed} by their egress rules${checks.egressNotEnforced ? ` (rendered, not enforced: network.egress)` : ""}`,
    `${checks.metricQueries} panel and rule queries against the metrics the stack emits (${checks.metricsUnverified.length} names not in the data${unverifiedNames(checks.metricsUnverified)}; ${leftOutCounts(checks.leftOut ?? [])} left out: nothing here emits what they read)`,
    ...(checks.vectorConfigs
      ? [
          `${plural(checks.vectorComponents, "Vector component")} in ${plural(checks.vectorConfigs, "config")}`,
        ]
      : []),
    `${checks.images} image references (${pins}): ${checks.findings.length} problem(s)`,
  ].join(", ");
  // Each panel, dashboard and rule the stack leaves out, said (the summary counts them).
  if (!args.quiet && (checks.leftOut ?? []).length > 0) out(formatLeftOut(stack, checks.leftOut));
  for (const n of checks.notRun ?? []) err(`${stack}: !!! ${n}`);
  for (const w of checks.warnings ?? []) err(`${stack}: warning: ${placeChartValueKeys(w, at)}`);
  return { summary, findings: checks.findings };
}

/**
 * The end of a stack's output: the change from what runs (or ran) to this synthesis (change/), when
 * asked for or when the stack takes over what runs, then the verdict on a line of its own with the exit status.
 */
async function closeStack(
  root: string,
  result: Awaited<ReturnType<typeof synthStack>>,
  { args, previous }: Pick<RunContext, "args" | "previous">,
  outcome: StackOutcome,
  out: (text: string) => void,
): Promise<void> {
  // A takeover stack is told its update step is unchecked without --running (change/check.ts);
  // import IDs alone (existing.buckets) are no takeover and have nothing to say here.
  const asked = args.against || args.running || takesOver(root, outcome.stack);
  if (asked && outcome.renderErrors > 0) {
    // The change is computed on rendered objects: with releases unrendered it is not known, and
    // rendering the other state with the same Helm fails the same way (a HOMELAB_HELM that is no
    // Helm was an unexpected error here, its message lost). The render errors are said above and
    // fail the stack already.
    out(
      `  change check not run: ${plural(outcome.renderErrors, "release")} of this synthesis did not render (above), so what it changes is not known`,
    );
  } else if (asked) {
    const change = await import("../change/check");
    const c = await change.checkChange(root, outcome.stack, result, {
      against: args.against && previous ? { file: args.against, export: previous } : undefined,
      running: args.running,
      overrides: args.running ? runningOverrides(root, outcome.stack, args.running) : {},
    });
    out(c.text);
    outcome.change = c.code;
    outcome.changeWhy = c.why;
  }
  out(closingLine(outcome));
}

/**
 * The pack over what the cluster would receive, and one message per mistake: what the pack and the
 * checks report of one cause is merged, and a report on a release the stack's chartValues override
 * names those keys. The rendered-object problems are printed here (stderr), the violations by the
 * caller after the tree and budget.
 */
async function judge(
  stack: string,
  judged: ExportResource[],
  findings: CheckFinding[],
  { overrides, at }: { overrides: string[]; at: OverridePlace },
  { packConfig, twins, args }: Pick<RunContext, "packConfig" | "twins" | "args">,
  err: (text: string) => void,
) {
  const merged = mergeProblems(await evaluateResources(judged, packConfig), atTwinLevels(findings, twins), {
    resources: judged,
    overrides,
  });
  const violations = attributeOverrides(merged.violations, judged, overrides, at);
  const found = attributeOverrides(merged.findings, judged, overrides, at);
  const { problems, text } = findingsReport(stack, found, args.policyConfig);
  if (text) err(text);
  return { violations, problems };
}
