/**
 * bench's command line (cli/spec.ts BENCH) read and judged: every problem of a run, before the
 * benchmark starts, and what the benchmark runs, or the exit status of a run that ends there
 * (`--help`, bad arguments). A module of its own that loads nothing of the benchmark: cli/bench.ts
 * runs as its module loads, so a test reads the command line here, in its own process, and one
 * spawned run proves bench's process wiring (test/cli/cliSmoke.test.ts).
 */
import * as fs from "fs";
import * as path from "path";
import { benchFailLine, gatedTargets } from "./benchTargets";
import type { CliIo } from "./io";
import { BENCH, helpText, parseArgsAll, refusedValues, usage } from "./spec";

/** `npm run bench`'s command line, read and judged (cli/bench.ts runs it). */
export interface BenchArgs {
  help: boolean;
  /** Samples per target: `--runs`, else `BENCH_RUNS`, else 5. */
  runs: number;
  /** Targets that fail the run when missed: none without --check, all with it, or those named. */
  gated: Set<string>;
  /** `--suite`: run the whole test suite here instead of reading the last `npm test`'s records. */
  suite: boolean;
  /** The checkout whose npm commands are timed (`--root`, else this one). */
  target: string;
  /** `--child-render <export.json>`: the internal child that renders once. */
  child?: string;
}

/** What one bench run does, from its command line that {@link benchOptions} let through. */
export type BenchOptions = Omit<BenchArgs, "help">;

/** Samples per target when neither --runs nor BENCH_RUNS says. */
const DEFAULT_RUNS = 5;

/**
 * The options of `argv` for the project at `root`, or `{ exit }` with what was said on `io`: the
 * help on stdout (exit 0), or every problem of the run, the usage and a pointer to --help on
 * stderr and the closing line with the exit status on stdout (exit 2). What the command reads of
 * the environment (npm's kept flags, BENCH_RUNS) is `io.env`, default this process's.
 */
export function benchOptions(argv: string[], io: CliIo, root: string): BenchOptions | { exit: number } {
  const env = io.env ?? process.env;
  const judged = benchArgs(argv, root, env, env.BENCH_RUNS);
  const { args } = judged;
  /** The variable a problem is of (`BENCH_RUNS: …`), or undefined for an argument's. */
  const variableOf = (p: string) => /^([A-Z][A-Z0-9_]+):/.exec(p)?.[1];
  // --help reads no variable: a bad BENCH_RUNS fails no --help, as synth prints its help beside a
  // bad HOMELAB_HELM_JOBS (`BENCH_RUNS=0 npm run bench -- --help` was refused, exit 2).
  const problems = args.help ? judged.problems.filter((p) => variableOf(p) === undefined) : judged.problems;
  if (problems.length > 0) {
    // A variable's problem (BENCH_RUNS: …) is an input's, as synth says HOMELAB_HELM_JOBS's: no
    // usage for it, and the closing line names it; an argument's keeps the usage.
    const variables = [...new Set(problems.map(variableOf))].filter((v) => v !== undefined);
    const badArguments = problems.some((p) => variableOf(p) === undefined);
    const help = badArguments ? `${usage(BENCH)}\n(npm run bench -- --help describes every flag)\n` : "";
    io.stderr.write(`${problems.map((p) => `bench: ${p}`).join("\n")}\n${help}`);
    const reasons = [
      ...(badArguments ? ["bad arguments (above)"] : []),
      ...(variables.length > 0 ? [`bad input: ${variables.join(", ")} (above)`] : []),
    ];
    io.stdout.write(`${benchFailLine(reasons.join("; "))}\n`);
    return { exit: 2 };
  }
  const { help, ...options } = args;
  if (help) {
    io.stdout.write(helpText(BENCH));
    return { exit: 0 };
  }
  return options;
}

/**
 * Reads bench's arguments and judges every one before the benchmark starts (it synthesizes every
 * stack first, minutes before a bad `--root` would fail): every problem of the run, each one line
 * naming the flag or variable it came from and what was found. `root` is this checkout; `env` the
 * environment npm's kept flags are read from, `runsVariable` the `BENCH_RUNS` read.
 */
export function benchArgs(
  argv: string[],
  root: string,
  env: NodeJS.ProcessEnv = process.env,
  runsVariable: string | undefined = process.env.BENCH_RUNS,
): { args: BenchArgs; problems: string[] } {
  const { parsed, problems, argProblems } = parseArgsAll(BENCH, argv, env);
  // A flag given twice is that one message: neither of its values is judged.
  const refused = refusedValues(argProblems);
  const option = (name: string) => (refused.has(name) ? undefined : parsed.values.get(name)?.[0]);
  const runs = refused.has("--runs") ? DEFAULT_RUNS : runsOf(option("--runs"), runsVariable, problems);
  let gated = new Set<string>();
  try {
    if (!refused.has("--check"))
      gated = gatedTargets(parsed.switches.has("--check") ? "" : option("--check"));
  } catch (e) {
    // One line per target that is none.
    problems.push(...(e as Error).message.split("\n"));
  }
  const given = option("--root");
  const target = path.resolve(given ?? root);
  const checkout = given === undefined ? undefined : checkoutProblem(target);
  if (checkout)
    problems.push(
      `--root ${given}: expected a checkout of this project (a folder with package.json, whose npm run synth and policy:check are timed), got ${checkout}`,
    );
  return {
    args: {
      help: parsed.help,
      runs,
      gated,
      suite: parsed.switches.has("--suite"),
      target,
      child: option("--child-render"),
    },
    problems,
  };
}

/**
 * Samples per target from `--runs`, else `BENCH_RUNS`: a whole number of at least 1. A refused
 * value is said naming where it came from (the flag, or the variable when the flag is not given).
 */
function runsOf(flag: string | undefined, variable: string | undefined, problems: string[]): number {
  const [source, raw] =
    flag !== undefined
      ? ["--runs", flag]
      : variable !== undefined && variable !== ""
        ? ["BENCH_RUNS", variable]
        : [undefined, undefined];
  if (raw === undefined) return DEFAULT_RUNS;
  if (/^[1-9][0-9]*$/.test(raw)) return Number(raw);
  problems.push(
    `${source}: expected a whole number of at least 1 (samples per target), like 5, got ${JSON.stringify(raw)}`,
  );
  return DEFAULT_RUNS;
}

/** Why `dir` is no checkout whose npm scripts can be run, or undefined. */
function checkoutProblem(dir: string): string | undefined {
  const st = fs.statSync(dir, { throwIfNoEntry: false });
  if (!st) return "no such folder";
  if (!st.isDirectory()) return "a file, not a folder";
  if (!fs.existsSync(path.join(dir, "package.json"))) return "a folder without package.json";
  return undefined;
}
