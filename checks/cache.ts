/**
 * {@link checkStack}'s verdict kept on disk, keyed by everything it depends on, so that a synthesis
 * of an unchanged stack does not re-validate the same objects (about 0.7 s, mostly compiling CRD
 * schemas with ajv and kubernetes-models' validators).
 *
 * Two parts, as make's depfiles or ccache's manifests: the inputs (the objects and resources as
 * JSON, the options, the checkout) name a manifest, written when a
 * verdict is computed, that lists every file the checks loaded to reach it: each module of the
 * checks' import graph as Node recorded it (every subfolder, every room they import; a package in
 * node_modules by its package.json) and each reference data file read through
 * upstream/reference.ts. The verdict's key is the inputs' key and the content of every listed file,
 * re-read on each lookup: any change to an object, a check, a module it imports, a validator
 * package or a data file gives a new key, so a stale verdict is never read, and nothing of the
 * checks is loaded for a hit. A miss runs every check, as without the cache.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import type { ExportResource } from "../synth/synthesize";
import { projectRoot } from "../config/paths";
import { markUsed, pruneDaily } from "../config/cachePrune";
import { referenceFilesRead } from "../upstream/reference";
import type { StackCheckOptions, StackCheckReport } from "./index";
import type { Placed } from "./objects";

/** Bumped when the cached form changes, so older cache files are never read. */
const CACHE_FORMAT = 2;

/**
 * The form the checks run in: their sources (checks/index.ts, the tests through tsx), the build
 * (dist/checks/index.js) or a command's bundle (this file's own name, cli/bundled.ts). Part of every
 * key: a manifest lists what its writer loaded, a bundle's only the bundle, so a test process
 * reading the manifest the bundled `npm run synth` wrote for the same stack digested the bundle,
 * found it unchanged and took that verdict, computed by code older than its sources after an edit.
 */
function checksForm(): string {
  try {
    return require.resolve(path.join(__dirname, "index"));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "MODULE_NOT_FOUND") throw e;
    return __filename;
  }
}
/** {@link checksForm}, resolved on the first key and kept: every key of the process has it. */
let checksFormOnce: string | undefined;
const formOfChecks = () => (checksFormOnce ??= checksForm());

/**
 * The key of one call's inputs: objects, resources, options, the checkout (the manifest lists
 * the files the checks read by absolute path, so a cache folder shared by two checkouts never
 * hashes one checkout's files for the other) and the form the checks run in ({@link checksForm}).
 */
export function inputKey(
  objects: Placed[],
  resources: ExportResource[],
  opts: StackCheckOptions,
  objectsText?: string | readonly (string | Buffer)[],
  resourcesText?: readonly string[],
): string {
  const h = crypto
    .createHash("sha256")
    .update(`${CACHE_FORMAT}\0${projectRoot(__dirname)}\0${formOfChecks()}\0`);
  if (objectsText === undefined) h.update(JSON.stringify(objects));
  else {
    // The text's pieces one after the other hash as the whole text does.
    h.update("text\0");
    for (const piece of typeof objectsText === "string" ? [objectsText] : objectsText) h.update(piece);
  }
  h.update("\0");
  if (resourcesText === undefined) return h.update(JSON.stringify([resources, opts])).digest("hex");
  // Each piece after its length, so no two lists of pieces hash alike; then the options.
  h.update(`resources-text ${resourcesText.length}\0`);
  for (const piece of resourcesText) h.update(`${piece.length}\0`).update(piece);
  return h.update(JSON.stringify(opts)).digest("hex");
}

/** The key of one call's inputs named by {@link CachedCheckOptions.inputsId}, and the options. */
export function idKey(inputsId: string, opts: StackCheckOptions): string {
  return crypto
    .createHash("sha256")
    .update(`${CACHE_FORMAT}\0${projectRoot(__dirname)}\0${formOfChecks()}\0id\0${inputsId}\0`)
    .update(JSON.stringify(opts))
    .digest("hex");
}

/** Feeds one listed file into `h`: a file's bytes, a folder's files by name, or that it is absent. */
function hashFile(h: crypto.Hash, file: string): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    h.update("absent\0");
    return;
  }
  if (!st.isDirectory()) {
    const bytes = fs.readFileSync(file);
    h.update(`file ${bytes.length}\0`).update(bytes); // length first: no two listings hash alike
    return;
  }
  const names = fs.readdirSync(file).sort();
  h.update(`folder ${names.length}\0`);
  for (const name of names) {
    h.update(`${name}\0`);
    hashFile(h, path.join(file, name));
  }
}

/**
 * Digest of the listed files (relative to `root`, or absolute outside it): names and contents, an
 * absent file as absent. `root` is the project's, or a copy of it. With `memoDir`, a digest is also
 * kept there by the files' stats, for the next process.
 */
export function filesDigest(
  files: string[],
  root: string = projectRoot(__dirname),
  memoDir?: string,
): string {
  const paths = files.map((f) => (path.isAbsolute(f) ? f : path.join(root, f)));
  // The same listing with every file as it was (by stat) has the digest it had: in a process that
  // checks many stacks (synth --all, the tests) the checks' 110 files, 6 MB, were read and hashed
  // for each. A file rewritten changes its mtime, ctime or size, and then it is read again.
  const stamp = `${files.join("\0")}\0\0${paths.map(stampOf).join("\0")}`;
  const known = digests.get(stamp);
  if (known !== undefined) return known;
  // A fresh process (each `npm run synth`) had no memo and re-read the whole bundle and every
  // package.json the manifest lists: about 60 ms of a ~1.1 s synthesis of the largest stack, which
  // the benchmark holds within 1.2x the SDK load. The stamp, hashed, names the digest on disk.
  const memoFile =
    memoDir === undefined
      ? undefined
      : path.join(memoDir, `${crypto.createHash("sha256").update(stamp).digest("hex")}.digest`);
  const kept = memoFile === undefined ? undefined : readDigest(memoFile);
  if (kept !== undefined) markUsed(memoFile!);
  const digest = kept ?? hashFiles(files, paths);
  if (memoFile !== undefined && kept === undefined) {
    fs.mkdirSync(memoDir!, { recursive: true });
    writeAtomically(memoFile, digest);
  }
  if (digests.size >= 64) digests.clear();
  digests.set(stamp, digest);
  return digest;
}

/** The digest of `files` (at `paths`) read and hashed. */
function hashFiles(files: string[], paths: string[]): string {
  const h = crypto.createHash("sha256");
  files.forEach((f, i) => {
    h.update(`${f}\0`);
    hashFile(h, paths[i]);
  });
  return h.digest("hex");
}

/** A digest kept by {@link filesDigest}, or undefined when absent or torn. */
function readDigest(file: string): string | undefined {
  try {
    const text = fs.readFileSync(file, "utf8");
    return /^[0-9a-f]{64}$/.test(text) ? text : undefined;
  } catch {
    return undefined;
  }
}

/** {@link filesDigest}'s digests by the listing and the stats of what it lists. */
const digests = new Map<string, string>();

/** What a file is now by stat (a folder: its entries' too), or that it is absent. */
function stampOf(file: string): string {
  let st: fs.BigIntStats;
  try {
    st = fs.statSync(file, { bigint: true });
  } catch {
    return "absent";
  }
  const own = `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
  if (!st.isDirectory()) return own;
  const names = fs.readdirSync(file).sort();
  return `${own}[${names.map((n) => `${n}=${stampOf(path.join(file, n))}`).join(",")}]`;
}

/** The key of a verdict: its inputs' key and the digest of the files its manifest lists. */
export function verdictKey(
  inputs: string,
  files: string[],
  root: string = projectRoot(__dirname),
  memoDir?: string,
): string {
  return crypto
    .createHash("sha256")
    .update(`${inputs}\0${filesDigest(files, root, memoDir)}`)
    .digest("hex");
}

/** `<node_modules>/<package>/package.json` of a file inside a package, else undefined. */
function packageJsonOf(file: string): string | undefined {
  const marker = `${path.sep}node_modules${path.sep}`;
  const at = file.lastIndexOf(marker);
  if (at < 0) return undefined;
  const base = file.slice(0, at + marker.length);
  const parts = file.slice(base.length).split(path.sep);
  const name = parts[0].startsWith("@") ? path.join(parts[0], parts[1]) : parts[0];
  return path.join(base, name, "package.json");
}

/**
 * The checks' entry in Node's module graph: checks/index beside this module, or, in a command built
 * as one file (cli/bundled.ts: no checks/index beside it), that file, which holds the
 * checks and this module: its own bytes stand for every module bundled in it, and the packages it
 * loads at run time are its children. The path is not written out, so the bundler leaves it alone.
 */
function checksEntry(): NodeJS.Module | undefined {
  let index: string;
  try {
    index = require.resolve(path.join(__dirname, "index"));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "MODULE_NOT_FOUND") throw e;
    return require.cache[__filename];
  }
  return require.cache[index];
}

/**
 * What the checks loaded, for a verdict's manifest: every module reachable from the checks' entry
 * (checks/index) in Node's module graph, and every reference file read in this process,
 * relative to `root` (absolute outside it), sorted. Node lists a module among a parent's children
 * even when another parent loaded it first (nodejs/node lib/internal/modules/cjs/loader.js
 * `updateChildren`, called with the cached module in `Module._load`), so modules the synthesis
 * loaded before the checks are found too. Throws if the checks are not loaded.
 */
export function checkerFiles(root: string = projectRoot(__dirname)): string[] {
  const entry = checksEntry();
  if (!entry) throw new Error("checkerFiles: checks/index is not loaded; run a check first");
  const files = new Set<string>(referenceFilesRead);
  const seen = new Set<NodeJS.Module>();
  const visit = (m: NodeJS.Module) => {
    if (seen.has(m)) return;
    seen.add(m);
    files.add(packageJsonOf(m.filename) ?? m.filename);
    for (const c of m.children) visit(c);
  };
  visit(entry);
  return [...files]
    .map((f) => {
      const rel = path.relative(root, f);
      return rel.startsWith("..") || path.isAbsolute(rel) ? f : rel;
    })
    .sort();
}

/** A report as stored: each address's object as its index among the objects (not a copy). */
type Stored = Omit<StackCheckReport, "external"> & {
  external: (Omit<StackCheckReport["external"][number], "found"> & { found: number })[];
};

export interface CachedCheckOptions extends StackCheckOptions {
  /** Folder for cached verdicts; false disables. Default `HOMELAB_CHECK_CACHE`, else `.cache/checks`. */
  cacheDir?: string | false;
  /**
   * The objects' JSON as the caller already holds it, to key by instead of serializing them again
   * (about 20 ms of a synthesis): the text they are derived from deterministically, as the
   * synthesis writes `<stack>.rendered.json` (the renders and the raw objects). Pieces are that
   * text cut in order (a Buffer: its UTF-8), hashed one after the other: the same key as the whole
   * text (synth/render/render.ts renderedFilePieces, whose shared schemas are encoded once).
   */
  objectsText?: string | readonly (string | Buffer)[];
  /**
   * The resources as texts the caller already holds, to key by instead of serializing them again:
   * texts they are read back from whole (the export file synth writes, which leaves out the import
   * IDs, and the import IDs' JSON). That file is written in any case; serializing the resources
   * once more for the key cost 3.6-3.8 ms of CPU per synthesis of staging (1.5 MB of JSON,
   * measured), hashing them 0.9 ms more.
   */
  resourcesText?: readonly string[];
  /**
   * What the objects and the resources both derive from, as a key the caller already holds (the
   * test fixture cache's key of the synthesized stack, which covers the program's sources, the
   * charts and the stack's inputs): neither is serialized for the key then.
   */
  inputsId?: string;
}

/**
 * The checks themselves, loaded on a miss only: a cached verdict needs none of them, and loading
 * them all takes about 25 ms of a synthesis that must stay within 1.5x the SDK's load time.
 */
function checkStack(...args: Parameters<typeof import("./index").checkStack>): StackCheckReport {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require("./index") as typeof import("./index")).checkStack(...args);
}

/** A verdict's manifest: the files it was computed from (see {@link checkerFiles}). */
interface Manifest {
  files: string[];
}

/** Writes `text` to `file` through a temporary file, so a reader never sees half of it. */
function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

/** Parsed JSON of `file`, or undefined when it is absent or torn. */
function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as T;
  } catch {
    return undefined; // absent or torn: check afresh
  }
}

/**
 * The check cache: `HOMELAB_CHECK_CACHE`, else `.cache/checks` of the project (never the working
 * directory). Empty is unset, as for the render and chart caches: "" named no folder (`mkdir ''`).
 */
export function checkCacheDir(root: string = projectRoot(__dirname)): string {
  return process.env.HOMELAB_CHECK_CACHE || path.join(root, ".cache", "checks");
}

/** {@link checkStack}, answered from the disk cache when the same inputs were checked before. */
export function checkStackCached(
  objects: Placed[],
  resources: ExportResource[],
  opts: CachedCheckOptions = {},
): StackCheckReport & { cached: boolean } {
  const { cacheDir: dirOpt, objectsText, resourcesText, inputsId, ...checkOpts } = opts;
  const dir = dirOpt === undefined ? checkCacheDir() : dirOpt;
  if (dir === false) return { ...checkStack(objects, resources, checkOpts), cached: false };
  const inputs =
    inputsId === undefined
      ? inputKey(objects, resources, checkOpts, objectsText, resourcesText)
      : idKey(inputsId, checkOpts);
  const manifestFile = path.join(dir, `${inputs}.deps.json`);
  const manifest = readJson<Manifest>(manifestFile);
  if (manifest && Array.isArray(manifest.files)) {
    const verdictFile = path.join(
      dir,
      `${verdictKey(inputs, manifest.files, undefined, path.join(dir, "digests"))}.json`,
    );
    const stored = readJson<Stored>(verdictFile);
    if (stored && stored.external.every((a) => objects[a.found] !== undefined)) {
      // Both read: in use, so neither is swept (config/cachePrune.ts; the digest is stamped above).
      markUsed(manifestFile);
      markUsed(verdictFile);
      return {
        ...stored,
        external: stored.external.map((a) => ({ ...a, found: objects[a.found] })),
        cached: true,
      };
    }
  }
  const report = checkStack(objects, resources, checkOpts);
  const out: Stored = {
    ...report,
    external: report.external.map((a) => ({ ...a, found: objects.indexOf(a.found) })),
  };
  // An address whose object is not one of ours (never expected) is not storable: keep it uncached.
  if (out.external.every((a) => a.found >= 0)) {
    const files = checkerFiles();
    fs.mkdirSync(dir, { recursive: true });
    // The verdict before the manifest that leads to it: a reader never finds a manifest without it.
    writeAtomically(
      path.join(dir, `${verdictKey(inputs, files, undefined, path.join(dir, "digests"))}.json`),
      JSON.stringify(out),
    );
    writeAtomically(manifestFile, JSON.stringify({ files } satisfies Manifest));
    // A process that wrote sweeps, once a day, what no process read for days (config/cachePrune.ts).
    pruneDaily(dir, [dir, path.join(dir, "digests")]);
  }
  return { ...report, cached: false };
}
