/**
 * bench's command line (cli/spec.ts BENCH) read into what the benchmark runs, or the exit status of
 * a run that ends there: `--help`, a flag the spec has not, a bad `--runs` or `--check=`. A module
 * of its own that loads nothing of the benchmark: cli/bench.ts runs as its module loads, so a test
 * reads the command line here, in its own process, and one spawned run proves bench's process
 * wiring (test/cli/cliSmoke.test.ts).
 */
import * as path from "path";
import { gatedTargets } from "./benchTargets";
import type { CliIo } from "./io";
import { BENCH, CliArgsError, helpText, parseArgs, usage } from "./spec";

/** What one bench run does, from its command line. */
export interface BenchOptions {
  /** Samples per target: --runs, else BENCH_RUNS, else 5. */
  runs: number;
  /** Targets that fail the run when missed: none without --check, all with it, or those named. */
  gated: Set<string>;
  /** `--suite`: run the whole test suite here; without it, read the figures of the last `npm test`. */
  suite: boolean;
  /** The checkout whose npm commands are timed (--root, resolved; default `root`). */
  target: string;
  /** `--child-render <export.json>`: one render of an export in this process (bench's own child). */
  childRender?: string;
}

/**
 * The options of `argv` for the project at `root`, or `{ exit }` with what was said on `io` (the
 * help on stdout, a refusal on stderr).
 */
export function benchOptions(argv: string[], io: CliIo, root: string): BenchOptions | { exit: number } {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs(BENCH, argv);
  } catch (e) {
    if (!(e instanceof CliArgsError)) throw e;
    io.stderr.write(`bench: ${e.message}\n${usage(BENCH)}\n`);
    return { exit: 2 };
  }
  if (parsed.help) {
    io.stdout.write(helpText(BENCH));
    return { exit: 0 };
  }
  const option = (name: string) => parsed.values.get(name)?.[0];
  const runs = Number(option("--runs") ?? process.env.BENCH_RUNS ?? 5);
  if (!Number.isInteger(runs) || runs < 1) {
    io.stderr.write(`bench: --runs: expected a whole number >= 1, like 5, got "${option("--runs")}"\n`);
    return { exit: 2 };
  }
  let gated: Set<string>;
  try {
    gated = gatedTargets(parsed.switches.has("--check") ? "" : option("--check"));
  } catch (e) {
    io.stderr.write(`bench: ${(e as Error).message}\n`);
    return { exit: 2 };
  }
  const childRender = option("--child-render");
  return {
    runs,
    gated,
    suite: parsed.switches.has("--suite"),
    target: path.resolve(option("--root") ?? root),
    ...(childRender ? { childRender } : {}),
  };
}
