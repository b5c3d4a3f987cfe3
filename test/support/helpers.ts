import { externalReferenceDir } from "../../upstream/reference";
import { strict as assert } from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as util from "util";
import { execFileSync, spawnSync } from "child_process";
import { parse } from "yaml";
import { projectRoot, stackFilePath } from "../../config/paths";
import { entryOf } from "../../cli/bundled";
import { synthStack, type StackSynthesis } from "../../synth/run";
import { readStackConfig, type ExportResource, type StackConfigInput } from "../../synth/synthesize";
import type { Res } from "../../policy/lib/resources";
import {
  ConfigError,
  DERIVED_KEYS,
  parseStackConfig,
  PROJECT,
  rawFromPulumiConfig,
  type StackConfig,
} from "../../config/resolve";
import { capabilities, type Backend, type Phase } from "../../model/phases";
import { CACHE_DIR, cached, cachedSync, cacheKey } from "./fixtureCache";
import { setSynthesisStore, type SynthesisInputs, type SynthesisStore } from "../../synth/synthesisStore";
import { chartCacheDir } from "../../synth/render/helm";
import { underCi } from "../../config/ci";
import { rawTakeoverRunning } from "../../config/takeoverRunning";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { runTmpRoot } = require("./runTmp.cjs") as { runTmpRoot: () => string };

export const ROOT = projectRoot(__dirname);

/**
 * Node arguments that load tsx in a fresh process the way the mocha workers have it before they
 * load a test file: registered, and its WebAssembly module lexer compiled (test/support/tsxChild.mjs,
 * test/support/lexerReady.ts). Without the wait the child ran everything its entry loads
 * synchronously (the SDK's modules, the project's) through the lexer's asm.js build: the pack from
 * policy/index.ts to its port took 2.56-2.77 s of CPU, with it 1.89-1.91 s (three runs each,
 * alternating, warm).
 */
export const TSX_CHILD = ["--import", "tsx", "--import", path.join(ROOT, "test/support/tsxChild.mjs")];

/**
 * Node arguments that run a project `.ts` file (path relative to the root) from source in a fresh
 * process, the way mocha runs the tests: through tsx ({@link TSX_CHILD}).
 */
export function tsNode(file: string, ...args: string[]): string[] {
  return [...TSX_CHILD, path.join(ROOT, file), ...args];
}

let built = false;
/**
 * The compiled file of a project module (`cli/synth.ts` -> `<root>/dist/cli/synth.js`), to run in
 * a fresh process without tsx: the way `npm run` runs the CLIs, in about half the CPU of the same
 * file through tsx ({@link tsNode}), whose hooks cost every module the child loads. The first call
 * in a process builds first when any source is newer than the last build
 * (scripts/build-if-stale.sh, what `npm run synth` runs; `npm test` has just built), so a single
 * test file run after an edit never runs stale output.
 */
export function compiled(file: string): string {
  if (!built) {
    const r = spawnSync("sh", [path.join(ROOT, "scripts", "build-if-stale.sh")], {
      cwd: ROOT,
      encoding: "utf8",
    });
    if (r.status !== 0)
      throw new Error(`scripts/build-if-stale.sh failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
    built = true;
  }
  return path.join(ROOT, "dist", file.replace(/\.ts$/, ".js"));
}

/**
 * The exports of a project module's {@link compiled} file, loaded anew with every build module it
 * loads: what a fresh node that requires it holds of the project (nothing from an earlier call: each
 * build module this process loaded before is dropped from the module cache first), without starting
 * one. Packages stay loaded: they keep nothing of the project's between calls. A test that must see
 * what only the disk can give a new process (a cache's files) asks this instead of starting a node:
 * such a node spent about 0.1 s of CPU on Node's start-up and the packages before its first line
 * (measured warm on this 2-core machine: `node -e` requiring dist/synth/render/render.js, 0.11 s;
 * the same require in one process with the build modules dropped, 0.015 s).
 */
export function freshCompiled<T>(file: string): T {
  const dist = path.join(ROOT, "dist") + path.sep;
  const target = compiled(file);
  for (const k of Object.keys(require.cache)) if (k.startsWith(dist)) delete require.cache[k];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(target) as T;
}

/**
 * Node arguments that run a CLI (`cli/synth.ts`, path relative to the root) as `npm run` runs it:
 * the node flags of its package.json script ({@link npmNodeFlags}), then its {@link compiled} file,
 * or for a command built as one file its bundle's entry (cli/bundled.ts), with the CLIs' compile
 * cache and SDK start-up shortcut.
 */
export function compiledCli(file: string, ...args: string[]): string[] {
  // compiled() builds first when a source is newer: a bundle is written by the same build.
  const compiledFile = compiled(file);
  const entry = entryOf(file) ?? path.relative(ROOT, compiledFile);
  return [...npmNodeFlags(entry), path.join(ROOT, entry), ...args];
}

/**
 * The node flags the package.json script that runs `file` (relative to the root) gives it, as in
 * `node --max-opt=2 dist/bin/policyCheck.js`; none when no script runs it with flags. The tests'
 * spawned `synth` ran without `synth`'s (`--max-opt=2 --min-semi-space-size=64
 * --max-semi-space-size=64`, the reasons in CONTRIBUTING.md): measured on test/cli/cliSmoke.test.ts's
 * run (the example stack, rendered, empty check cache), five runs each alternating on this 2-core
 * machine, median 2.28 s of CPU without them, 2.03 s with them.
 */
export function npmNodeFlags(file: string): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
    scripts: Record<string, string>;
  };
  for (const script of Object.values(pkg.scripts))
    for (const m of script.matchAll(/(?:^|&& )node((?: --\S+)*) (\S+)(?= |$)/g))
      if (m[2] === file) return m[1].split(" ").filter(Boolean);
  return [];
}

/** What a command printed and its exit status, as spawnSync reports a child's. */
export interface CliRun {
  status: number;
  stdout: string;
  stderr: string;
}

/** A command's main: its arguments and output streams in, its exit status out (cli/io.ts). */
type CliMain = (argv: string[], io: import("../../cli/io").CliIo) => Promise<number>;

/**
 * Runs a command's main in this process, its output captured: what `npm run <command>` prints and
 * exits with, without a process's start-up and SDK load (0.6-0.9 s of CPU a run). `env` is what
 * the command reads of the environment (default: this process's). What a library prints through
 * `console` while it runs (the Pulumi SDK's `pulumi.log` without an engine: apply/program.ts's
 * config warnings) is captured too, as a child's stdout and stderr would hold it: mocha runs one
 * test at a time in a process, and the console is restored after. The process wrappers
 * (cli/synth.ts, cli/policyCheck.ts, cli/verify.ts) are proved by one spawned test each
 * (test/cli/cliSmoke.test.ts).
 */
export async function inProcess(main: CliMain, args: string[], env?: NodeJS.ProcessEnv): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const io = {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    env,
  };
  const saved = { log: console.log, info: console.info, warn: console.warn, error: console.error };
  const line = (args: unknown[]) => `${util.format(...args)}\n`;
  console.log = console.info = (...a: unknown[]) => void (stdout += line(a));
  console.warn = console.error = (...a: unknown[]) => void (stderr += line(a));
  const before = process.exitCode;
  try {
    // Its syntheses through the fixture cache ({@link fixtureSyntheses}, where the reason is).
    const status = await withSyntheses(() => main(args, io));
    // A main sets nothing of the process: the next run in it starts the same.
    if (process.exitCode !== before) throw new Error(`${args.join(" ")}: the command set process.exitCode`);
    return { status, stdout, stderr };
  } finally {
    Object.assign(console, saved);
  }
}

/**
 * `fn()` with every synthStack it runs through the fixture cache ({@link fixtureSyntheses}): a
 * command run in process, or the change check a test calls as the command would (a takeover's
 * steps synthesized again with `--running`).
 */
export async function withSyntheses<T>(fn: () => Promise<T>): Promise<T> {
  setSynthesisStore(fixtureSyntheses);
  try {
    return await fn();
  } finally {
    setSynthesisStore(undefined);
  }
}

/**
 * The synthesis store (synth/synthesisStore.ts) the CLIs run in process go through
 * ({@link inProcess} sets it for the run, {@link withSyntheses} for a change check a test calls):
 * the fixture cache (test/support/fixtureCache.ts) under {@link synth}'s key ({@link synthEntryOf}),
 * so a stack the suite synthesized once is read, not synthesized again, for as long as the
 * sources, the charts, the stack files and the environment stay the same. Measured warm on this
 * 2-core machine: of 82 syntheses the in-process runs asked for, 13 were computed (each of the
 * others was computed in every run before); the whole suite, alternated, two runs each: 132.1 and
 * 126.4 s of CPU with the store, 135.6 and 130.1 s without. The CPU measured inside those
 * syntheses was 14.8 s; why the suite gains less was not measured (a worker's first syntheses
 * pay for its JIT and collector, work that may move to the next file computing). Only around
 * those runs: a test that changes the program's state in its own process (the image
 * digests of model/versions.ts, test/project/imageDigests.test.ts) synthesizes with it, which no
 * key of files and environment sees.
 *
 * The key is the stack file as read (overrides applied, a `running` folder by its content), not
 * the folder it was read from: a test's project in a temporary folder is a new folder each run. A
 * synthesis that names its folder is kept with the folder set aside and read back naming the
 * reader's ({@link withFolderAsToken}): a Garage stack's bucket names the stack file's line of
 * `objectStore.region`, as a path from the working directory, and before, each such synthesis ran
 * again in every run (about 35 in a warm one, measured by logging the cache's misses). A
 * synthesis that throws is never kept. HOMELAB_TEST_CACHE=off synthesizes every time, as for every
 * fixture.
 */
export const fixtureSyntheses: SynthesisStore = synthesesIn(CACHE_DIR);

/** {@link fixtureSyntheses} with its entries in `dir`. */
export function synthesesIn(dir: string): SynthesisStore {
  return (inputs, compute) => syntheses(inputs, compute, dir);
}

async function syntheses<T>(
  { projectDir, stack, cfg }: SynthesisInputs,
  compute: () => Promise<T>,
  dir: string,
): Promise<T> {
  // The project's own syntheses are synth()'s entries; another folder's are kept apart, each
  // checked when made (the project's ~150 cold syntheses are not: a JSON.stringify of 1.5-2.2 MB,
  // 10-25 ms each, measured), so none read from another folder names the wrong one.
  const { kind, key } = synthEntryOf(stack, cfg, projectDir);
  if (kind === "synth") return cached(kind, key, compute, dir);
  const stored = await cached(kind, key, async () => withFolderAsToken(await compute(), projectDir), dir);
  return withTokenAsFolder(stored, projectDir) as T;
}

/** What both {@link FOLDER_TOKENS} start with: a string without it holds neither. */
const FOLDER_TOKEN_START = "<<homelab-test-folder";
/** Where a kept synthesis named its project folder: from the working directory, and absolute. */
const FOLDER_TOKENS = { relative: `${FOLDER_TOKEN_START}-relative>>`, absolute: `${FOLDER_TOKEN_START}>>` };

/** A synthesis kept with the folder it names set aside ({@link FOLDER_TOKENS}), to name each reader's. */
interface NamesAFolder {
  namesFolder: unknown;
}

/**
 * A synthesis as kept: as it is, or, when it names its project folder (a Garage stack's bucket
 * names the stack file's line of `objectStore.region`, as a path from the working directory), with
 * that folder set aside, so that another folder with the same stack file reads it naming its own.
 * The relative form first: from a working directory above, it holds the absolute one.
 */
function withFolderAsToken(s: unknown, dir: string): unknown {
  const { relative, absolute } = folderForms(dir);
  let text = JSON.stringify(s);
  if (!text.includes(absolute) && !(relative !== "" && text.includes(relative))) return s;
  if (relative !== "") text = text.split(relative).join(FOLDER_TOKENS.relative);
  text = text.split(absolute).join(FOLDER_TOKENS.absolute);
  return { namesFolder: JSON.parse(text) as unknown } satisfies NamesAFolder;
}

/**
 * {@link withFolderAsToken} undone for the reader's folder `dir`: a new object or array on the way
 * to each string or key holding a token, every other part the stored value's own (frozen and
 * shared, as every reader of an entry shares it: test/support/fixtureCache.ts `cached`). Before, a
 * JSON round trip of the whole synthesis (1.5-2.2 MB) on each read: 62 of the 168 kept syntheses
 * of other folders name theirs, and the in-process synth runs read them again and again (figures
 * in the commit).
 */
function withTokenAsFolder(stored: unknown, dir: string): unknown {
  if (stored === null || typeof stored !== "object" || !("namesFolder" in stored)) return stored;
  const { relative, absolute } = folderForms(dir);
  const named = (s: string) =>
    s.includes(FOLDER_TOKEN_START)
      ? s.split(FOLDER_TOKENS.relative).join(relative).split(FOLDER_TOKENS.absolute).join(absolute)
      : s;
  return tokensReplaced(stored.namesFolder, named);
}

/**
 * `v` with `named` applied to every string and key in it: `v` itself where nothing changed, else a
 * new object (its keys in their order) or array around the changed parts.
 */
function tokensReplaced(v: unknown, named: (s: string) => string): unknown {
  if (typeof v === "string") return named(v);
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const x = tokensReplaced(v[i], named);
      if (x !== v[i]) (copy ??= [...v])[i] = x;
    }
    return copy ?? v;
  }
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  let copy: [string, unknown][] | undefined;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    const key = named(k);
    const value = tokensReplaced(o[k], named);
    if (copy === undefined && (key !== k || value !== o[k])) copy = keys.slice(0, i).map((j) => [j, o[j]]);
    copy?.push([key, value]);
  }
  // fromEntries: a "__proto__" key stays an own key, as JSON.parse makes it.
  return copy ? Object.fromEntries(copy) : v;
}

/** A project folder as a synthesis may name it: from the working directory (as config/locate.ts writes a place), and absolute. */
function folderForms(dir: string): { relative: string; absolute: string } {
  return { relative: path.relative(process.cwd(), dir), absolute: path.resolve(dir) };
}

/** `npm run synth -- <args>` in this process ({@link inProcess}; cli/synthRun.ts). */
export async function synthCli(...args: string[]): Promise<CliRun> {
  // Loaded on first use: the render, checks and report modules only the files running it need.
  return inProcess((await import("../../cli/synthRun")).runSynth, args);
}

/**
 * synth of `stack` in the copy of the stack files at `dir` (its exports written there too, quiet),
 * judged with the pack config file `config` (`--policy-config`): how the tests of a pack config's
 * reach into synth run it.
 */
export function synthWithPackConfig(dir: string, stack: string, config: string): Promise<CliRun> {
  return synthCli("--dir", dir, "--stack", stack, "--out", dir, "--quiet", "--policy-config", config);
}

/** `npm run policy:check -- <args>` in this process ({@link inProcess}; cli/policyCheckRun.ts). */
export async function policyCheckCli(args: string[], env?: NodeJS.ProcessEnv): Promise<CliRun> {
  return inProcess((await import("../../cli/policyCheckRun")).runPolicyCheck, args, env);
}

/** `npm run verify -- <args>` in this process ({@link inProcess}; cli/verifyRun.ts). */
export async function verifyCli(...args: string[]): Promise<CliRun> {
  const { runVerify } = await import("../../cli/verifyRun");
  return inProcess(
    (argv, io) =>
      runVerify(argv, {
        out: (t) => void io.stdout.write(t),
        err: (t) => void io.stderr.write(t),
        env: io.env,
      }),
    args,
  );
}

/**
 * Runs `fn` with `vars` set in this process's environment (the empty string too), restored after:
 * for an in-process run of a command whose modules read the environment as they run (the render's
 * HOMELAB_CHART_CACHE, the synthesis' secrets), as a child given that environment would.
 */
export async function withEnv<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved))
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
  }
}

/**
 * A valid minimal raw config; tests override what they exercise. It sets the config secrets the
 * stack reads (config/resolve.ts refuses one nothing reads): with the config backend only, MinIO's
 * admin login only for the minio store.
 */
export function rawConfig(over: Record<string, unknown> = {}): Record<string, unknown> {
  const base = {
    phase: "loki-fixed",
    objectStore: { type: "minio", endpoint: "http://minio.storage.svc:9000" },
  };
  const chosen = { ...base, ...over } as {
    objectStore?: { type?: unknown };
    secrets?: { backend?: unknown };
  };
  const configBackend = (chosen.secrets?.backend ?? "config") === "config";
  const minio = configBackend && chosen.objectStore?.type === "minio";
  return {
    ...base,
    ...(minio ? { minioAdminUser: "u", minioAdminPassword: "p" } : {}),
    ...(configBackend ? { pushoverToken: "t", pushoverUserKey: "k", heartbeatUrl: "h" } : {}),
    ...over,
  };
}

export function config(over: Record<string, unknown> = {}, stack = "test"): StackConfig {
  return parseStackConfig(rawConfig(over), stack);
}

/** Every problem line a stack config with `over` is refused with, or [] when it is accepted. */
export function configProblems(over: Record<string, unknown>): string[] {
  try {
    config(over);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e.problems;
  }
  return [];
}

/**
 * Synthesizes a project stack with `project:key` overrides (values as the stack file would hold
 * them). Through the fixture cache (test/support/fixtureCache.ts): each (stack, overrides) is
 * synthesized once for as long as the sources, stack files and environment stay the same, and
 * every call gets the same frozen value (a test that changes it copies it first, `structuredClone`).
 * A synthesis that throws is not cached (each call throws again).
 * Values the program left `undefined` come back absent (a JSON round trip, as in a stack export).
 */
export function synth(stack: string, over: Record<string, unknown> = {}): Promise<StackSynthesis> {
  return cached("synth", synthKey(stack, over), () => synthStack(ROOT, stack, stackOverrides(over)));
}

/**
 * The `project:key` overrides {@link synth} hands the synthesis: what its value was synthesized
 * with, for checkChange's `overrides` (a takeover step it would synthesize again from the same).
 */
export function stackOverrides(over: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(over).map(([k, v]) => [`${PROJECT}:${k}`, typeof v === "string" ? v : JSON.stringify(v)]),
  );
}

/**
 * The fixture cache's key of {@link synth}'s entry for (stack, overrides): it changes with every
 * input of the synthesis (the program's sources, the charts, the stack files, the environment).
 * The overrides count as the synthesis reads them: synthStack (synth/run.ts) reads them only
 * through readStackConfig, the stack file with the overrides applied, the secrets it finds and the
 * placeholders for those it does not. So overrides written in another order, or naming the value the
 * stack file already has (`phase: kps-removed` on a stack at kps-removed), share one entry: in a
 * cold run 9 of 122 syntheses were such repeats. A config readStackConfig refuses keeps its
 * overrides as written: its synthesis throws the same error and is never cached.
 */
export function synthKey(stack: string, over: Record<string, unknown> = {}): string {
  const overrides = stackOverrides(over);
  const read = readConfigOnce(stack, overrides);
  if (read === undefined) return cacheKey("synth", [stack, "refused", overrides]);
  return synthEntryOf(stack, read, ROOT).key;
}

/**
 * The fixture cache's kind and key of the synthesis of `stack` from the stack file read as `read`,
 * its `running` folder found from `projectDir`: the project's own under {@link synth}'s kind, so
 * the synthesis store ({@link fixtureSyntheses}), which the CLIs run in process go through, and
 * synth() synthesize each stack once for both; another folder's under a kind of its own.
 */
function synthEntryOf(
  stack: string,
  read: StackConfigInput,
  projectDir: string,
): { kind: "synth" | "synth-elsewhere"; key: string } {
  const kind = path.resolve(projectDir) === ROOT ? "synth" : "synth-elsewhere";
  const keyed = { ...read, config: derivedAsRead(stack, read.config) };
  const inputs: unknown[] = [stack, withRunningContent(keyed, projectDir)];
  // The program reads the stack file again for its lines (config/load.ts ConfigLocator: a warning's
  // `file:line`, such as a `kubernetes:` key's): the same config laid out otherwise (a comment line,
  // a key moved) names other lines, so another folder's file text is part of the key. The project's
  // own stack files are in every key already (fixtureCache.ts sourcesHash).
  if (kind === "synth-elsewhere") inputs.push(stackFileText(projectDir, stack));
  return { kind, key: cacheKey(kind, inputs) };
}

/** The text of `stack`'s file in `projectDir`, or null where there is none to read. */
function stackFileText(projectDir: string, stack: string): string | null {
  try {
    return fs.readFileSync(stackFilePath(projectDir, stack), "utf8");
  } catch {
    return null;
  }
}

/**
 * `config` with each derived key (config/resolve.ts DERIVED_KEYS: `cluster`, `metricsBackend`,
 * `logAgent`, `kubeconfig`) that states the value it would derive to keyed as left to derive
 * (`""`, Pulumi.yaml's default): the program reads such a key only as resolved (resolve.ts
 * resolvedConfig, `r.cluster ?? stack`, `r.metricsBackend ?? (lightweight ? ... )`), and as written
 * only in a refusal's words (resolve.ts `why`, `defaulted`, logAgentFrom), which is never kept.
 * Whether it derives to that value is the program's own parse's answer: the stack's config parsed
 * (parseStackConfig) with the key as written and with it left to derive, the same config. So
 * staging with `metricsBackend: mimir` (its standard profile's default) is one synthesis with
 * staging as its file has it, not two. A config that does not parse is keyed as written. Once per
 * process for each config: about 1.5 ms a parse. In a cold run (3 workers, every cache empty), 57
 * of the 414 syntheses kept were byte-equal to another's under another key (5.4 s of the CPU their
 * computing took, measured around each compute); with this key and the import step's
 * ({@link withRunningContent}) the next cold run kept 390, 24 fewer (two more are
 * test/project/fixtureCache.test.ts's own, which prove merged syntheses equal).
 */
function derivedAsRead(stack: string, config: Record<string, string>): Record<string, string> {
  const id = JSON.stringify([stack, config]);
  let keyed = derivedKeyed.get(id);
  if (keyed === undefined) {
    keyed = derivedAsDefault(stack, config);
    derivedKeyed.set(id, keyed);
  }
  return keyed;
}
const derivedKeyed = new Map<string, Record<string, string>>();

function derivedAsDefault(stack: string, config: Record<string, string>): Record<string, string> {
  const set = DERIVED_KEYS.map((k) => `${PROJECT}:${k}`).filter((k) => (config[k] ?? "") !== "");
  if (set.length === 0) return config;
  const parsed = (c: Record<string, string>): string | undefined => {
    try {
      return JSON.stringify(parseStackConfig(rawFromPulumiConfig(c), stack));
    } catch {
      return undefined;
    }
  };
  const asWritten = parsed(config);
  if (asWritten === undefined) return config;
  let keyed = config;
  for (const k of set) {
    const derived = { ...keyed, [k]: "" };
    if (parsed(derived) === asWritten) keyed = derived;
  }
  return keyed;
}

/**
 * readStackConfig of the project's stack, once per process for each stack, overrides and
 * environment (the secrets it finds there): the stack files do not change while the suite runs (the
 * fixture cache's key of the sources is taken once per process too), and reading and checking one
 * costs about 4 ms, for each of the 350 syntheses a warm run asks for. Undefined when refused.
 */
const configsRead = new Map<string, StackConfigInput | undefined>();
function readConfigOnce(stack: string, overrides: Record<string, string>): StackConfigInput | undefined {
  const env = Object.entries(process.env).filter(([k]) => /^(OP_|PULUMI_|HOMELAB_|KUBECONFIG$|CI$)/.test(k));
  // A takeover's running folder by its content too: a test may write another into the same folder.
  const key = JSON.stringify([stack, overrides, env.sort(), runningOverrideDigest(overrides)]);
  if (!configsRead.has(key)) configsRead.set(key, storedConfigRead(stack, overrides));
  return configsRead.get(key);
}

/**
 * {@link readConfigOnce}'s read through the fixture cache (cachedSync; refused: `null`), so each
 * (stack, overrides) is read and checked once a run and not once in each worker, then once for all
 * runs while the sources, stack files and environment stay the same: cacheKey holds every input
 * readStackConfig reads (the stack files and Pulumi.yaml, the chart archives its chartValues check
 * reads, the 1Password and KUBECONFIG variables). Only the synthesis's key is made of it; a
 * synthesis still reads its own config. Measured warm on 12 test files that call synth (--no-parallel,
 * 101 reads, ~2.4 ms of CPU each), alternating, medians of 6: 7.93 s of CPU before, 7.54 s after.
 */
export function storedConfigRead(
  stack: string,
  overrides: Record<string, string>,
  dir: string = CACHE_DIR,
): StackConfigInput | undefined {
  // A takeover's running folder by what it holds too, not only by the path the overrides name (the
  // read config names that path, so it stays): the read judges the folder beside a stack refused
  // otherwise (config/stackCheck.ts), and a folder at the same path every run
  // (test/support/stableDir.ts) must not be read as what it held when its entry was written.
  const running = runningOverrideDigest(overrides);
  const key = cacheKey(
    "stack-config",
    running === undefined ? [stack, overrides] : [stack, overrides, running],
  );
  const stored = cachedSync(
    "stack-config",
    key,
    () => {
      try {
        return { read: readStackConfig(ROOT, stack, overrides) };
      } catch {
        return { read: null };
      }
    },
    dir,
  );
  return stored.read ?? undefined;
}

/**
 * {@link folderDigest} of the `running` folder an override of the takeover block names (read from
 * the checkout, as storedConfigRead reads the stack), else undefined.
 */
function runningOverrideDigest(overrides: Record<string, string>): string | undefined {
  const text = overrides[`${PROJECT}:takeover`];
  let running: unknown;
  try {
    running = text === undefined ? undefined : (JSON.parse(text) as { running?: unknown } | null)?.running;
  } catch {
    return undefined;
  }
  return typeof running === "string" ? folderDigest(path.resolve(ROOT, running)) : undefined;
}

/**
 * The config a synthesis reads, with a takeover's `running` folder (the collected state of a live
 * cluster, model/running.ts) keyed by what it holds rather than where it is: tests write it into a
 * new temporary folder each run, and keyed by path every run synthesized the takeover stack anew
 * (two syntheses of each warm run). The synthesis reads the folder's files and never names the
 * folder in what it returns (changeCheck.test.ts checks an entry holds no such path).
 */
function withRunningContent(read: StackConfigInput, projectDir: string): unknown {
  const key = `${PROJECT}:takeover`;
  const text = read.config[key];
  let takeover: unknown;
  try {
    takeover = text === undefined ? undefined : JSON.parse(text);
  } catch {
    return read;
  }
  const { running, step } = (takeover ?? {}) as { running?: unknown; step?: unknown };
  if (typeof running !== "string") return read;
  const digest = folderDigest(path.resolve(projectDir, running));
  // At the import step the program reads nothing of a folder it takes: the one reader of what it
  // holds is planAdoptions' keep (plan/takeover.ts: `keepOf(t.runningState, importing ? undefined
  // : id)`). So the import step with a folder the program takes (config/load.ts judges it with
  // rawTakeoverRunning, as here) is keyed as without one (the key dropped, the others in their
  // order); a folder it refuses keeps its content in the key (the synthesis throws, never kept).
  // The stack file's read does not refuse it first: it judges the folder only beside other problems.
  const held = step === "import" && folderTaken(projectDir, read.config, digest) ? undefined : digest;
  return {
    ...read,
    config: { ...read.config, [key]: JSON.stringify({ ...(takeover as object), running: held }) },
  };
}

/**
 * Whether the program takes the takeover's `running` folder of `config` (holding what `digest`
 * says) as its state (config/takeoverRunning.ts rawTakeoverRunning, as config/load.ts reads it),
 * rather than refusing it: read once per process for each folder content.
 */
function folderTaken(projectDir: string, config: Record<string, string>, digest: string): boolean {
  const raw = rawFromPulumiConfig(config);
  const id = JSON.stringify([path.resolve(projectDir), raw.takeover, raw.namespace, raw.kubeContext, digest]);
  let taken = runningTaken.get(id);
  if (taken === undefined) {
    const judged = rawTakeoverRunning(projectDir, raw);
    taken = judged !== undefined && "state" in judged;
    runningTaken.set(id, taken);
  }
  return taken;
}
const runningTaken = new Map<string, boolean>();

/**
 * A folder's entries (every file's name and content, every folder's name, an empty one too: the
 * reader lists them, model/running.ts readRunningDir), every level, hashed; a path that is no
 * folder keys as itself. A content is hashed with its length, so no file's bytes read as another's.
 */
function folderDigest(dir: string): string {
  const entries: { rel: string; file: boolean }[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      // A link to a folder is read as the folder (readdirSync and readFileSync follow links).
      const folder =
        e.isDirectory() || (e.isSymbolicLink() && fs.statSync(p, { throwIfNoEntry: false })?.isDirectory());
      entries.push({ rel: path.relative(dir, p), file: !folder });
      if (folder) walk(p);
    }
  };
  try {
    walk(dir);
  } catch {
    return `not a folder: ${dir}`;
  }
  const h = crypto.createHash("sha256");
  for (const { rel, file } of entries.sort((x, y) => (x.rel < y.rel ? -1 : x.rel > y.rel ? 1 : 0))) {
    if (!file) {
      h.update(`folder ${rel}\0`);
      continue;
    }
    const bytes = fs.readFileSync(path.join(dir, rel));
    h.update(`file ${rel}\0${bytes.length}\0`).update(bytes);
  }
  return `folder ${h.digest("hex")}`;
}

export function ofType(resources: ExportResource[], type: string): ExportResource[] {
  return resources.filter((r) => r.type === type);
}

export function named(resources: ExportResource[], type: string, name: string): ExportResource {
  const r = resources.find((x) => x.type === type && x.urn.endsWith(`::${name}`));
  if (!r)
    throw new Error(
      `no ${type} named ${name}; have: ${resources.map((x) => `${x.type}::${x.urn.split("::").pop()}`).join(", ")}`,
    );
  return r;
}

/** The Helm release whose chart is `chart`. */
export function release(resources: ExportResource[], chart: string, name?: string): ExportResource {
  const r = resources.find(
    (x) =>
      x.type === "kubernetes:helm.sh/v3:Release" &&
      x.inputs.chart === chart &&
      (name === undefined || x.urn.endsWith(`::${name}`)),
  );
  if (!r) throw new Error(`no release of chart ${chart}`);
  return r;
}

/**
 * The executable `tool` resolves to on PATH (the first directory holding an executable file of that
 * name, as `command -v` finds a program), or undefined. Read in this process: a shell spawned from a
 * test worker costs a fork of the worker, whose 0.6-1.1 GB of memory makes that 10-25 ms of system
 * time each; the suite asked about 50 times a run.
 */
export function onPath(tool: string, PATH: string = process.env.PATH ?? ""): string | undefined {
  for (const dir of PATH.split(path.delimiter)) {
    const file = path.join(dir || ".", tool);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return path.resolve(file);
    } catch {
      // Not here: the next directory.
    }
  }
  return undefined;
}

/**
 * Path of a real validator on this machine. Missing: under CI it is a failure; locally the test
 * is skipped with a loud reason.
 */
export function requireTool(ctx: Mocha.Context, tool: string, pkg: string): string {
  const found = onPath(tool);
  if (found) return found;
  if (underCi()) throw new Error(`${tool} is required under CI (install Debian package ${pkg})`);
  console.warn(
    `\n  !!! SKIPPING: ${tool} not installed (apt-get install ${pkg}); CI installs it and runs this test.\n`,
  );
  ctx.skip();
  return "";
}

/**
 * The path of reference data still kept outside the repository (HOMELAB_REFERENCE_DIR, else
 * ../shared/reference): skips the test loudly when it is absent; under CI its absence is a failure.
 */
export function externalReference(ctx: Mocha.Context, ...parts: string[]): string {
  const dir = externalReferenceDir();
  const file = dir && path.join(dir, ...parts);
  if (file && fs.existsSync(file)) return file;
  const why = `reference data ${path.join(...parts)} is missing (set HOMELAB_REFERENCE_DIR to the folder holding it)`;
  if (underCi()) throw new Error(`${why}; CI needs it`);
  console.warn(`\n  !!! SKIPPING: ${why}; CI runs this test.\n`);
  ctx.skip();
  return "";
}

/**
 * The archive of a pinned chart in the chart cache (HOMELAB_CHART_CACHE, else ../shared/charts):
 * skips the test loudly when it is absent; under CI its absence is a failure.
 */
export function pinnedChartArchive(ctx: Mocha.Context, chart: { chart: string; version: string }): string {
  const archive = path.join(chartCacheDir(), `${chart.chart}-${chart.version}.tgz`);
  if (fs.existsSync(archive)) return archive;
  const why = `no chart archive ${archive} (set HOMELAB_CHART_CACHE)`;
  if (underCi()) throw new Error(`${why}; CI needs it`);
  console.warn(`\n  !!! SKIPPING: ${why}; CI runs this test.\n`);
  ctx.skip();
  return "";
}

/**
 * Writes a stack export the pack cannot judge for a reason no check foresees, so a command meets an
 * unexpected error, as a bug of its own would make it: a resource whose inputs nest deeper than
 * the call stack (JSON.parse reads it; the pack's walk over the inputs runs out of stack).
 */
export function writeTooDeepExport(file: string): void {
  const n = 100_000;
  const deep = `${"[".repeat(n)}"x"${"]".repeat(n)}`;
  const type = "kubernetes:core/v1:ConfigMap";
  fs.writeFileSync(
    file,
    `{"deployment":{"resources":[{"urn":"urn:pulumi:s::p::${type}::a","type":"${type}","custom":true,"inputs":{"metadata":{"name":"a"},"data":{"deep":${deep}}}}]}}`,
  );
}

/**
 * A new folder for a test's files, under the run's temporary folder (`TESTS_TMP`, removed when the
 * run ends; opened for this process when it has none: test/support/runTmp.cjs runTmpRoot).
 */
export function tmpDir(prefix: string): string {
  return fs.mkdtempSync(path.join(runTmpRoot(), `${prefix}-`));
}

/** A fresh folder (tmpDir) holding `files`, each path relative to it with its text (a checkout, a project). */
export function treeDir(prefix: string, files: Record<string, string>): string {
  const dir = tmpDir(prefix);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

/**
 * The messages one stack's synth prints, each with the lines under it (its other places, the
 * override behind it): its rendered-object problems (stderr, from the first `  [` on), then its
 * policy violations (stdout, up to the blank line closing them).
 */
export function synthMessages(r: { stdout: string; stderr: string }, stack: string): string[] {
  const rendered = r.stderr.includes("  [") ? r.stderr.slice(r.stderr.indexOf("  [")).trimEnd() : "";
  const policy =
    new RegExp(`== ${stack}: policy violations\\n([\\s\\S]*?)(?=\\n\\n|\\n==|$)`)
      .exec(r.stdout)?.[1]
      .trimEnd() ?? "";
  return [rendered, policy]
    .filter(Boolean)
    .join("\n")
    .split(/\n(?= {2}\[)/);
}

/**
 * A fresh folder holding copies of Pulumi.yaml and Pulumi.<stack>.yaml, for a test that edits the
 * stack file, and `npm run synth -- --dir <it> --stack <stack> --out <it> --quiet --against <file>`
 * run on it.
 */
export function stackCopy(prefix: string, stack: string) {
  const dir = tmpDir(prefix);
  for (const f of ["Pulumi.yaml", `Pulumi.${stack}.yaml`])
    fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
  return {
    dir,
    file: path.join(dir, `Pulumi.${stack}.yaml`),
    against: (previous: string) =>
      synthCli("--dir", dir, "--stack", stack, "--out", dir, "--quiet", "--against", previous),
  };
}

/**
 * Synthesizes (through the CLI) a copy of stack `stack` with `chartValues` added, YAML text below
 * `homelab-observability:chartValues:`: the run, its output, the copy's file and the line of
 * `needle` in it (where a message must place the override).
 */
export async function synthWithChartValues(
  prefix: string,
  stack: string,
  chartValues: string,
  needle: string,
) {
  const { dir, file } = stackCopy(prefix, stack);
  fs.appendFileSync(file, `  homelab-observability:chartValues:\n${chartValues}`);
  const line = fs.readFileSync(file, "utf8").split("\n").indexOf(needle) + 1;
  const r = await synthCli("--dir", dir, "--stack", stack, "--out", dir, "--quiet");
  return { r, out: r.stdout + r.stderr, file, line };
}

export function run(cmd: string, args: string[], cwd?: string): string {
  return execFileSync(cmd, args, { encoding: "utf8", cwd, stdio: ["ignore", "pipe", "pipe"] });
}

/**
 * Debian's amtool is 0.25, older than several *_file fields (prometheus/alertmanager v0.25.0
 * config/notifiers.go has slack api_url_file, email auth_password_file and pagerduty
 * routing_key_file, but not pushover token_file/user_key_file, webhook url_file, discord
 * webhook_url_file or telegram bot_token_file; the pinned image is 0.28). For it, and only for it,
 * each file field it lacks becomes its literal twin; everything else is checked as generated, and
 * the file paths are asserted separately.
 */
export function forAmtool025(config: any): any {
  const twins: Record<string, string> = {
    token_file: "token",
    user_key_file: "user_key",
    url_file: "url",
    webhook_url_file: "webhook_url",
    bot_token_file: "bot_token",
  };
  const walk = (v: any): any =>
    Array.isArray(v)
      ? v.map(walk)
      : v && typeof v === "object"
        ? Object.fromEntries(
            Object.entries(v).map(([k, x]) =>
              k in twins
                ? [twins[k], twins[k].endsWith("url") ? "https://heartbeat.invalid/ping" : "placeholder"]
                : [k, walk(x)],
            ),
          )
        : v;
  return walk(config);
}

/**
 * Overrides that move a project stack to `phase`. A takeover stack imports once, in its file's
 * phase (takeover.step: import); at any other phase it is past the import (step: update), as an
 * operator's stack is after its first update.
 */
export function atPhase(stack: string, phase: string): Record<string, unknown> {
  const file = parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8"))?.config ?? {};
  const takeover = file[`${PROJECT}:takeover`];
  if (!takeover || file[`${PROJECT}:phase`] === phase) return { phase };
  return { phase, takeover: { ...takeover, step: "update" } };
}

/**
 * Pools for a project stack at `phase` on `backend` where its own cannot hold the pods: the
 * example's one 8 GiB node holds no Prometheus beside Mimir (8596Mi at dual-write, which the
 * config refuses as the pack's budget did, at 146.3% with the default cap of before), so a 16 GiB
 * node there; none elsewhere. For tests of what does not depend on the node's memory.
 */
export function roomFor(stack: string, phase: Phase, backend: Backend): Record<string, unknown> {
  const caps = capabilities(phase, backend);
  return stack === "example" && caps.kps && caps.backend && backend === "mimir"
    ? { nodePools: [{ name: "node", arch: "amd64", count: 1, cpu: "4", memory: "16Gi" }] }
    : {};
}

/**
 * Overrides that run a project stack on `backend`: the backend, and the other backend's section
 * emptied, as its operator would (a stack refuses the keys its backend leaves unread,
 * config/resolve.ts unreadKeys: the pi stack's `victoriametrics` settings under Mimir).
 */
export function onBackend(backend: Backend): Record<string, unknown> {
  return { metricsBackend: backend, [backend === "mimir" ? "victoriametrics" : "mimir"]: {} };
}

/** Export resources as the pack's helpers see them (custom resources, props = inputs). */
export function asRes(resources: ExportResource[]): Res[] {
  return resources
    .filter((r) => r.custom)
    .map((r) => ({ type: r.type, urn: r.urn, name: r.urn.split("::").pop()!, props: r.inputs }));
}

/** Writes the repo's staging stack file into `dir` with its phase (kps-removed) set to `phase`. */
export function stagingFileAt(dir: string, phase: string): void {
  const staging = fs.readFileSync(path.join(ROOT, "Pulumi.staging.yaml"), "utf8");
  assert.match(staging, /phase: kps-removed\n/);
  fs.writeFileSync(
    path.join(dir, "Pulumi.staging.yaml"),
    staging.replace(/phase: kps-removed\n/, `phase: ${phase}\n`),
  );
}
