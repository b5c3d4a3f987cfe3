/**
 * The test fixture cache (issue 35): work every test run repeats (synthesizing a stack under
 * Pulumi's mocks) done once and kept on disk under `node_modules/.cache/homelab-tests/`, so the
 * two parallel mocha workers and the next run share it.
 *
 * An entry's key is a hash of everything its result depends on: the content of every source file
 * of the program and the pack (all rooms but test/, the components' reference data under
 * upstream/<area>/data/ included), the chart cache wherever it is configured (`HOMELAB_CHART_CACHE`,
 * else its default) and the external test corpora (`HOMELAB_REFERENCE_DIR`, else
 * ../shared/reference), the stack files, `package-lock.json` (the SDK
 * versions), the Node major version, the environment variables the program reads (1Password,
 * KUBECONFIG and the files it names, Pulumi's and the project's own `HOMELAB_*`), the caller's own
 * inputs (stack, overrides) and {@link FORMAT}. Any change gives a new key: stale entries are
 * never read, and a whole-suite run removes those it did not read (test/support/cachePrune.ts).
 *
 * Writes go to a temporary file renamed into place (a reader sees a whole entry or none); a lock
 * file taken with O_EXCL makes a second worker wanting the same entry wait for the first instead of
 * doing the same work at the same time. Failures (a refused stack) are never cached.
 *
 * Every caller of an entry (of {@link cached}) gets the same value, frozen to its last leaf: a test
 * that changes what it gets copies it first (`structuredClone`), and one that forgets throws (the
 * tests run in strict mode), so no test can change what another reads. Parsing each hit afresh cost
 * a warm run 580 MB of JSON and the young-generation collections of what it made.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { projectRoot } from "../../config/paths";
import { chartCacheDir } from "../../synth/render/helm";
import { TEST_CACHE_DIR } from "../../cli/suiteTimings";
import { externalReferenceDir } from "../../upstream/reference";
import { copyJson } from "../../synth/render/render";
import { markUsed } from "./cachePrune";
import { sameJson } from "../../change/sameJson";

const ROOT = projectRoot(__dirname);

/** Bumped when an entry's form changes. 2: {@link encode}'s form. */
const FORMAT = 2;

/** `HOMELAB_TEST_CACHE=off` computes every time; another value is a folder to use instead. */
export const CACHE_DIR = TEST_CACHE_DIR;

/**
 * Folders the key skips: the tests themselves, docs, dependencies (package-lock.json stands for
 * them), build and tool output. Every other top-level folder (every room, a new one too) is hashed.
 */
const SKIP = new Set([
  "test",
  "docs",
  "node_modules",
  "dist",
  "out",
  ".cache",
  ".charts",
  ".tools",
  ".git",
  ".ci",
]);

/**
 * The folders .gitignore names (`out-node24/`, which CI's Node 24 synthesis writes between two test
 * runs; `policy/contract/`, the contract's copy a test run makes for the pack): written by runs,
 * never sources. A file appearing there must not turn the next run cold.
 */
const IGNORED = new Set(
  (() => {
    try {
      return fs.readFileSync(path.join(ROOT, ".gitignore"), "utf8").split("\n");
    } catch {
      return [];
    }
  })()
    .map((l) => l.trim())
    .filter((l) => /^\/?[\w.-]+(\/[\w.-]+)*\/$/.test(l))
    .map((l) => l.replace(/^\//, "").slice(0, -1)),
);

function walk(dir: string, out: string[]): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIP.has(e.name) && !IGNORED.has(path.relative(ROOT, p).split(path.sep).join("/"))) walk(p, out);
    } else if (e.isFile()) out.push(p);
  }
}

/** Every file the key hashes (absolute paths, sorted): sources, reference data, charts, stack files. */
export function keyFiles(): string[] {
  const files: string[] = [];
  for (const e of fs.readdirSync(ROOT, { withFileTypes: true }))
    if (e.isDirectory() && !SKIP.has(e.name) && !IGNORED.has(e.name)) walk(path.join(ROOT, e.name), files);
  // The charts the program reads and the upstream test corpora kept outside the repository, found as
  // the program finds them (synth/render/helm.ts, upstream/reference.ts): wherever they are
  // configured, not by a path of this workspace. The reference data itself is in the rooms above.
  for (const d of [externalReferenceDir(), chartCacheDir(ROOT)]) if (d) walk(d, files);
  for (const f of fs.readdirSync(ROOT))
    if (/^(index\.ts|package(-lock)?\.json|tsconfig\.json|Pulumi(\..+)?\.yaml)$/.test(f))
      files.push(path.join(ROOT, f));
  return [...new Set(files)].sort();
}

/** Hash of `files`' paths (relative to the checkout) and contents, in the order given. */
export function filesHash(files: readonly string[]): string {
  const h = crypto.createHash("sha256");
  for (const f of files) {
    h.update(path.relative(ROOT, f));
    h.update("\0");
    h.update(fs.readFileSync(f));
    h.update("\0");
  }
  return h.digest("hex");
}

/**
 * {@link filesHash} of every file under the checkout's `dir`: for an entry that depends on a folder
 * the key skips (test/, whose files are no input of the program), named in the entry's inputs.
 */
export function folderHash(dir: string): string {
  const files: string[] = [];
  walk(path.join(ROOT, dir), files);
  return filesHash(files.sort());
}

let sourceHash: string | undefined;
/** {@link filesHash} of {@link keyFiles}: computed once per process. */
function sourcesHash(): string {
  return (sourceHash ??= filesHash(keyFiles()));
}

/** The environment the program reads, hashed (values never stored). */
function envHash(): string {
  const h = crypto.createHash("sha256");
  const names = Object.keys(process.env)
    .filter((k) => /^(OP_|PULUMI_|HOMELAB_|KUBECONFIG$|CI$)/.test(k))
    .sort();
  for (const k of names) h.update(`${k}=${process.env[k]}\0`);
  // The kubeconfig files it names (read for the provider's context).
  for (const f of (process.env.KUBECONFIG ?? "").split(path.delimiter).filter(Boolean)) {
    try {
      h.update(fs.readFileSync(f));
    } catch {
      h.update(`absent ${f}`);
    }
  }
  return h.digest("hex");
}

/** The key of an entry of `kind` for `inputs` under the current sources and environment. */
export function cacheKey(kind: string, inputs: unknown): string {
  return crypto
    .createHash("sha256")
    .update(
      JSON.stringify([FORMAT, kind, inputs, process.versions.node.split(".")[0], sourcesHash(), envHash()]),
    )
    .digest("hex");
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A lock older than this is a worker that died holding it. */
const STALE_LOCK_MS = 180_000;

/**
 * The values of the entries this process read last, newest last, each frozen to its last leaf: many
 * test files ask for the same few stacks (staging's entry is read about 27 times a run, 350 reads
 * in all). An entry never changes once written (its key is its inputs), so a kept value is the
 * file's. Bounded: a synthesized stack's value is some megabytes.
 */
const recent = new Map<string, unknown>();
const RECENT_KEPT = 24;

/** `value` and every object in it frozen; returned. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * The values pushed out of {@link recent}, held weakly: while something else still holds one
 * (test/support/rendered.ts keeps the synthesis of every variant it rendered, 26 of them, more than
 * RECENT_KEPT) the next read takes it back instead of parsing the file again (11 of 39 parses in a
 * run of five test files, megabytes each); once nothing does, the collector frees it as before.
 */
const pushedOut = new Map<string, WeakRef<object>>();

/** Keeps `value` (frozen) as the entry of `file`, and returns it. */
function keep<T>(file: string, value: T): T {
  recent.delete(file);
  pushedOut.delete(file);
  recent.set(file, deepFreeze(value));
  if (recent.size > RECENT_KEPT) {
    const [oldest, old] = recent.entries().next().value!;
    recent.delete(oldest);
    if (old !== null && typeof old === "object") pushedOut.set(oldest, new WeakRef(old));
    if (pushedOut.size > 4 * RECENT_KEPT)
      for (const [f, ref] of pushedOut) if (ref.deref() === undefined) pushedOut.delete(f);
  }
  return value;
}

/** An entry's value, or undefined when it is absent (or torn); `share`: the frozen value every caller gets (above). */
function readEntry<T>(file: string, share = true): T | undefined {
  if (share && recent.has(file)) return keep(file, recent.get(file) as T);
  const held = share ? pushedOut.get(file)?.deref() : undefined;
  if (held !== undefined) return keep(file, held as T);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    return undefined; // Absent: compute it.
  }
  let value: T;
  try {
    value = decode(text) as T;
  } catch {
    return undefined; // Torn (never expected with the rename): compute it.
  }
  markUsed(file);
  return share ? keep(file, value) : value;
}

/** A resource of a stack export, as far as {@link encode} reads it. */
type Resource = { inputs?: unknown; outputs?: unknown };
type Json = Record<string, unknown>;
const isMap = (v: unknown): v is Json => v !== null && typeof v === "object" && !Array.isArray(v);

/** The resources of a value that holds a stack export (a synthesis), else undefined. */
function resourcesOf(value: unknown): unknown[] | undefined {
  const exp = isMap(value) ? value.export : undefined;
  const deployment = isMap(exp) ? exp.deployment : undefined;
  return isMap(deployment) && Array.isArray(deployment.resources) ? deployment.resources : undefined;
}

/**
 * The keys of `r`'s outputs whose JSON is its input's under the same key. Compared with sameJson
 * (change/sameJson.ts: `JSON.stringify(a) === JSON.stringify(b)` without building either text)
 * rather than the two texts: every entry a cold run writes compares each resource's outputs so.
 * Measured over the 254 syntheses of a cold `npm test` (their entries' resources, one process,
 * three rounds): 1.92 s of CPU with the texts, 0.24 s with sameJson, the same keys for every one
 * of the 19,741 resources.
 */
function echoed(r: Resource): string[] {
  const { inputs, outputs } = r;
  if (!isMap(inputs) || !isMap(outputs)) return [];
  return Object.keys(outputs).filter((k) => {
    if (k === "__proto__" || !Object.hasOwn(inputs, k)) return false;
    const v = inputs[k];
    // What JSON.stringify gives no text for is never echoed; a toJSON's text is compared as text.
    if (v === undefined || typeof v === "function" || typeof v === "symbol") return false;
    if (v !== null && typeof v === "object" && "toJSON" in v && typeof v.toJSON === "function") {
      const text = JSON.stringify(v);
      return text !== undefined && text === JSON.stringify(outputs[k]);
    }
    return sameJson(v, outputs[k]);
  });
}

/**
 * An entry's text: `{"same":[[resource index, [output keys]], ...],"value":...}`. An output the
 * provider echoes from the inputs (a resource's `outputs[k]` equal to its `inputs[k]`, as Pulumi's
 * mocks return them) is written once, as the input, with a 0 holding its place among the outputs:
 * half of a synthesized stack's text (its ConfigMaps' dashboards twice), which each worker read
 * and parsed.
 */
function encode(value: unknown): string {
  const resources = resourcesOf(value);
  const same: [number, string[]][] = [];
  const stored = resources?.map((r, i) => {
    const keys = isMap(r) ? echoed(r) : [];
    if (keys.length === 0) return r;
    same.push([i, keys]);
    const outputs = Object.fromEntries(
      Object.entries((r as Json).outputs as Json).map(([k, v]) => [k, keys.includes(k) ? 0 : v]),
    );
    return { ...(r as Json), outputs };
  });
  // The value with those resources in place of its own, every key where it was.
  const v = value as { export: { deployment: Json } };
  const text = JSON.stringify(
    same.length === 0
      ? value
      : { ...v, export: { ...v.export, deployment: { ...v.export.deployment, resources: stored } } },
  );
  return `{"same":${JSON.stringify(same)},"value":${text}}`;
}

/** The value of an entry's text ({@link encode}): each echoed output a copy of its input, as a parse of it would be. */
function decode(text: string): unknown {
  const { same, value } = JSON.parse(text) as { same: [number, string[]][]; value: unknown };
  const resources = resourcesOf(value) ?? [];
  for (const [i, keys] of same) {
    const { inputs, outputs } = resources[i] as { inputs: Json; outputs: Json };
    for (const k of keys) {
      const v = inputs[k];
      outputs[k] = v !== null && typeof v === "object" ? copyJson(v) : v;
    }
  }
  return value;
}

/**
 * An entry's file. The form is in its name: a caller's own key (toolOutput's, layout's) does not
 * hold {@link FORMAT}, and a checkout of another form must neither read this one's entries nor
 * overwrite them.
 */
function entryFile(dir: string, kind: string, key: string): string {
  return path.join(dir, kind, `${key}.f${FORMAT}.json`);
}

/** Writes an entry through a temporary file renamed into place: a reader sees all of it or none. */
function writeEntry(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

/**
 * {@link cached} for a synchronous `compute` over small entries, many of them (what a test reads
 * off each source text): no lock, since a synchronous caller cannot wait for another worker (two
 * may compute the same entry; the second rename writes the same text), and their values are not
 * kept in memory, where they would push out the synthesized stacks': each call parses its own.
 */
export function cachedSync<T>(kind: string, key: string, compute: () => T, dir: string = CACHE_DIR): T {
  if (process.env.HOMELAB_TEST_CACHE === "off") return compute();
  const file = entryFile(dir, kind, key);
  const hit = readEntry<T>(file, false);
  if (hit !== undefined) return hit;
  const text = encode(compute());
  writeEntry(file, text);
  // The caller gets its own copy, as a hit would.
  return decode(text) as T;
}

/**
 * `compute()`'s result for `key`, from the disk cache when another run or worker already computed
 * it. The result must survive a JSON round trip (tests of this module check the synth result does).
 */
export async function cached<T>(
  kind: string,
  key: string,
  compute: () => Promise<T>,
  dir: string = CACHE_DIR,
): Promise<T> {
  if (process.env.HOMELAB_TEST_CACHE === "off") return compute();
  const file = entryFile(dir, kind, key);
  const hit = readEntry<T>(file);
  if (hit !== undefined) return hit;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const lock = `${file}.lock`;
  for (;;) {
    try {
      fs.closeSync(fs.openSync(lock, "wx"));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    // Another worker is computing it: wait for its entry (or for it to give up).
    let age = 0;
    try {
      age = Date.now() - fs.statSync(lock).mtimeMs;
    } catch {
      // Released between the two calls.
    }
    if (age > STALE_LOCK_MS) fs.rmSync(lock, { force: true });
    else await sleep(100);
    const done = readEntry<T>(file);
    if (done !== undefined) return done;
  }
  try {
    const again = readEntry<T>(file);
    if (again !== undefined) return again;
    const result = await compute();
    const text = encode(result);
    writeEntry(file, text);
    // What a hit gets: the value as stored (a JSON round trip), frozen and shared.
    return keep(file, decode(text) as T);
  } finally {
    fs.rmSync(lock, { force: true });
  }
}
