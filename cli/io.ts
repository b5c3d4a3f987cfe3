import * as os from "os";

/** One output stream of a command: a process's stdout or stderr, or a test's buffer. */
export interface Sink {
  write(text: string): unknown;
  /** A terminal: progress lines are written only there (absent: not a terminal). */
  isTTY?: boolean;
}

/**
 * Where a command's main writes and what it reads of the environment. `process` is one (the CLI
 * wrappers pass it); a test passes buffers and an environment of its own, so a command runs in the
 * test's process with nothing of one run carried into the next (no exit code, cwd or env is set).
 */
export interface CliIo {
  stdout: Sink;
  stderr: Sink;
  /** The environment the command reads (HOMELAB_DEBUG, TMPDIR); default: process.env. */
  env?: NodeJS.ProcessEnv;
}

/** `console.log`/`console.error` for one run: each text and a newline, to that run's sinks. */
export function printers(io: CliIo): { out: (text: string) => void; err: (text: string) => void } {
  return {
    out: (text) => void io.stdout.write(`${text}\n`),
    err: (text) => void io.stderr.write(`${text}\n`),
  };
}

/**
 * The folder for a trace file under `env`: its TMPDIR when set, else Node's own choice
 * (`os.tmpdir()`, which reads the process's TMPDIR, TMP and TEMP).
 */
export function traceDirOf(env: NodeJS.ProcessEnv): string {
  return env.TMPDIR || os.tmpdir();
}
