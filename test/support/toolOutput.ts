/**
 * What a program installed on this machine prints for fixed arguments (a Go tool's `--help`,
 * `helm show` or `helm template` of a pinned chart archive), run once and then kept in the fixture
 * cache (test/support/fixtureCache.ts cachedSync), so a warm run asks no tool again. Each run of a
 * Go tool spawned from a test worker costs its own start-up plus a fork of the worker (20-50 ms of
 * CPU); test/project/readme.commands.test.ts asked 39 of them and test/upstream's chart tests a
 * few `helm template`s of hundreds of KB each, every run, for the same answers.
 *
 * The key is everything the answer depends on: the program's file (its resolved path, size,
 * modification time and inode: a new version installed is a new file), the arguments, and the
 * content of each input file the arguments name (a chart archive, or a file a test wrote: the rules
 * a phase ships, which `promtool check rules` judges). An input's path stands in the key as its
 * place in `inputs` (its content is there already): a file a test writes under the run's own
 * temporary folder (a new name each run) is the same question the next run, and what the program
 * printed names the path of the run that reads it. HOMELAB_TEST_CACHE=off asks the program every
 * time, as a cold run does.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { spawnSync } from "child_process";
import { cachedSync } from "./fixtureCache";

/** What a program printed and its exit status. */
export interface ToolRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Bumped when what an entry holds changes shape. */
const FORMAT = 2;

/** The identity of a file as a new install would change it, without reading a 50 MB binary. */
export function fileIdentity(file: string): unknown[] {
  const real = fs.realpathSync(file);
  const st = fs.statSync(real);
  return [real, st.size, st.mtimeMs, st.ino];
}

/**
 * The content of an input: a file's bytes, or a folder's files (each by its path under it and its
 * content, every depth), which a program given the folder reads.
 */
function contentHash(file: string): string {
  if (!fs.existsSync(file)) return `absent ${file}`;
  const hash = crypto.createHash("sha256");
  if (!fs.statSync(file).isDirectory()) return hash.update(fs.readFileSync(file)).digest("hex");
  const names = (fs.readdirSync(file, { recursive: true }) as string[]).sort();
  for (const name of names) hash.update(`${name}\u0000${contentHash(path.join(file, name))}\u0000`);
  return hash.digest("hex");
}

/**
 * `bin args` as spawnSync runs it (status, stdout, stderr), from the cache when this machine ran the
 * same program with the same arguments and `inputs` (files or folders it reads) before, from `cwd`
 * (default: this process's; an input itself, or under one, when the arguments name files relative to
 * it). With `ok`, a non-zero exit throws with what the program printed, and is not kept: the next run
 * asks again. A run a signal ended (status null) is returned and not kept either.
 */
export function toolRun(
  bin: string,
  args: string[],
  opts: { inputs?: string[]; ok?: boolean; cwd?: string } = {},
): ToolRun {
  const inputs = opts.inputs ?? [];
  const key = crypto
    .createHash("sha256")
    .update(
      JSON.stringify([
        FORMAT,
        fileIdentity(bin),
        args.map((a) => placeholders(a, inputs)),
        placeholders(path.resolve(opts.cwd ?? "."), inputs),
        inputs.map(contentHash),
        !!opts.ok,
      ]),
    )
    .digest("hex");
  const run = (() => {
    try {
      return cachedSync("tool-output", key, () => {
        const r = spawnSync(bin, args, { encoding: "utf8", maxBuffer: 64 * 2 ** 20, cwd: opts.cwd });
        if (r.error) throw r.error;
        if (opts.ok && r.status !== 0)
          throw new Error(`${bin} ${args.join(" ")} exited ${r.status}:\n${r.stdout}${r.stderr}`);
        const out = {
          status: r.status,
          stdout: placeholders(r.stdout, inputs),
          stderr: placeholders(r.stderr, inputs),
        };
        // A run a signal ended (no exit status: killed under load) is no answer to these inputs:
        // returned, not kept, so the next run asks again instead of failing on it for good.
        if (r.status === null) throw new Unkept(out);
        return out;
      });
    } catch (e) {
      if (e instanceof Unkept) return e.run;
      throw e;
    }
  })();
  return { status: run.status, stdout: paths(run.stdout, inputs), stderr: paths(run.stderr, inputs) };
}

/** A run that is no answer to keep ({@link toolRun}), carried out of the cache's compute. */
class Unkept extends Error {
  constructor(readonly run: ToolRun) {
    super("a run a signal ended");
  }
}

/** `text` with each input's path as its place in `inputs` (longest path first: one may hold another). */
function placeholders(text: string, inputs: string[]): string {
  const order = inputs.map((f, i) => [f, i] as const).sort((a, b) => b[0].length - a[0].length);
  return order.reduce((t, [f, i]) => t.split(f).join(`\u0000input ${i}\u0000`), text);
}

/** {@link placeholders} undone: each place in `inputs` as that input's path. */
function paths(text: string, inputs: string[]): string {
  return text.replace(/\u0000input (\d+)\u0000/g, (_, i: string) => inputs[Number(i)]);
}

/** The stdout of `bin args`, which must exit 0 ({@link toolRun} with `ok`). */
export function toolOutput(bin: string, args: string[], inputs: string[] = []): string {
  return toolRun(bin, args, { inputs, ok: true }).stdout;
}
