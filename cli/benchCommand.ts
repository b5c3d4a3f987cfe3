/**
 * The benchmark's timed commands (cli/bench.ts): each run in a fresh process, timed, and when one
 * fails, a {@link TimedCommandError} that says which target's command it was, its exit status and
 * the end of what it wrote, so the run closes with that rather than with an unexpected error and a
 * trace of the benchmark's own code. A module of its own: cli/bench.ts runs as its module loads.
 */
import { spawnSync } from "child_process";
import { performance } from "perf_hooks";
import { shownToolText } from "../model/yamlText";

/** Lines of a failed command's output said (its last ones: where a command says why it stopped). */
const TAIL_LINES = 12;

/**
 * npm's own lines around a failed script (its notices, and the `> pkg@1.0.0 synth` banner of the
 * script it runs): the exit status is said already, the script's words are what matter.
 */
const NPM_NOISE = /^(npm (warn|error|ERR!|notice) |> )/;

/** A timed command that failed: which target, what was run where, how it ended, its last words. */
export class TimedCommandError extends Error {
  constructor(
    /** The target the command times (`synth`, `policy`, `render`). */
    readonly target: string,
    /** The command as typed, e.g. `npm run synth -- --stack production --out /tmp/bench-x`. */
    readonly command: string,
    readonly cwd: string,
    /** `exit 2`, `killed by SIGKILL`, or `could not start (spawn npm ENOENT)`. */
    readonly ending: string,
    readonly stderr: string,
    readonly stdout: string,
  ) {
    super(`the ${target} target's command ${ending}: ${command}`);
    this.name = "TimedCommandError";
  }
}

/** The last lines of `text` worth reading, npm's own notices left out. */
export function tailOf(text: string, lines: number = TAIL_LINES): string[] {
  const kept = text.split("\n").filter((l) => l.trim() !== "" && !NPM_NOISE.test(l));
  return kept.slice(-lines);
}

/**
 * One fresh process of a timed target: its wall time and exit status. Throws TimedCommandError
 * when it cannot start, is killed, or exits with a status not in `ok` (synth's and policy:check's
 * exit 1 is a verdict after a complete run, so they pass `[0, 1]`).
 */
export function runTimed(
  target: string,
  cmd: string,
  args: string[],
  opts: { cwd: string; env?: NodeJS.ProcessEnv; ok?: readonly number[] },
): { ms: number; status: number; stdout: string } {
  const t = performance.now();
  const r = spawnSync(cmd, args, {
    cwd: opts.cwd,
    encoding: "utf8",
    env: opts.env ?? process.env,
    maxBuffer: 64 * 2 ** 20,
  });
  const ms = performance.now() - t;
  const ok = opts.ok ?? [0];
  if (r.status !== null && ok.includes(r.status)) return { ms, status: r.status, stdout: r.stdout };
  const ending = r.error
    ? `could not start (${r.error.message})`
    : r.status === null
      ? `was killed by ${r.signal ?? "a signal"}`
      : `exited ${r.status}`;
  throw new TimedCommandError(
    target,
    [cmd, ...args].join(" "),
    opts.cwd,
    ending,
    r.stderr ?? "",
    r.stdout ?? "",
  );
}

/** What bench says of a failed timed command: the message on stderr and the closing line's why. */
export function timedCommandFailure(e: TimedCommandError): { message: string; why: string } {
  const err = tailOf(e.stderr);
  // A command that says why on stdout only (a closing line) is read there instead.
  const [which, lines] = err.length ? ["stderr", err] : ["stdout", tailOf(e.stdout)];
  // Read as every child's text is (model/yamlText.ts shownToolText): no secret a command printed.
  const tail = lines.length ? shownToolText(lines.join("\n")).split("\n") : [];
  const said = tail.length
    ? `; its ${which} ends:\n${tail.map((l) => `  | ${l}`).join("\n")}`
    : "; it wrote nothing";
  return {
    message: `bench: the ${e.target} target's command ${e.ending}: ${e.command} (in ${e.cwd})${said}`,
    why: `the ${e.target} target's command ${e.ending} (above)`,
  };
}
