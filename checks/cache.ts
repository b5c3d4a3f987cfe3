/**
 * {@link checkStack}'s verdict kept on disk, keyed by everything it depends on, so that a synthesis
 * of an unchanged stack does not re-validate the same objects (about 0.7 s, mostly compiling CRD
 * schemas with ajv and kubernetes-models' validators).
 *
 * The key is the SHA-256 of: the objects and resources as JSON (the checks read nothing else), the
 * options, and the checker's version: the text of every file of this folder (the checks
 * themselves), builders/security/hardening.ts (the privilege checks' allowlists) and the package.json of each validator they load (ajv, kubernetes-models). Any
 * change to an object, a check or a validator package gives a new key, so a stale verdict is
 * never read; nothing is skipped: a miss runs every check, as without the cache.
 */
import { alloyCheckInputs, engineCheckInputs, vectorCheckInputs } from "./checkerInputs";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import type { ExportResource } from "../synth/synthesize";
import { projectRoot } from "../config/paths";
import type { StackCheckOptions, StackCheckReport } from "./index";
import type { Placed } from "./objects";

/** Bumped when the cached form changes, so older cache files are never read. */
const CACHE_FORMAT = 1;

/** Digest of every `ext` file of `dir` (names and texts) and of the named packages' package.json. */
export function sourceDigest(dir: string, ext: string, packages: string[]): string {
  const h = crypto.createHash("sha256").update(String(CACHE_FORMAT));
  for (const f of fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(ext))
    .sort())
    h.update(`\0${f}\0`).update(fs.readFileSync(path.join(dir, f)));
  for (const pkg of packages)
    h.update(`\0${pkg}\0`).update(fs.readFileSync(require.resolve(`${pkg}/package.json`)));
  return h.digest("hex");
}

let version: string | undefined;

/**
 * The checker's version: this folder's files (.ts from source, .js compiled) and the validators
 * the checks load (ajv for CRD schemas, kubernetes-models for built-in kinds).
 */
export function checkerVersion(): string {
  const ext = path.extname(__filename);
  // The privilege checks read their allowlists (host paths, operator images) from the program; the
  // Pod Security and NetworkPolicy checks read the parked-DaemonSet and deferred-policies markers
  // (contract/podSecurity.ts, through builders/security): their text is part of the checker.
  version ??= crypto
    .createHash("sha256")
    .update(sourceDigest(__dirname, ext, ["ajv", "kubernetes-models"]))
    .update(sourceDigest(path.join(__dirname, "../builders/security"), ext, []))
    .update(sourceDigest(path.join(__dirname, "../contract"), ext, []))
    // The rule-evaluators check reads the rules' opt-out label (builders/alerting/rules.ts).
    .update(sourceDigest(path.join(__dirname, "../builders/alerting"), ext, []))
    // The Alloy checks judge by the project's parser and Alloy's reference data (upstream/) against
    // the pinned Alloy: all three are part of the checker.
    .update(sourceDigest(path.join(__dirname, "../upstream"), ext, []))
    .update(alloyCheckInputs())
    // The Loki and Mimir checks judge by their references (../shared/reference) against the pinned images.
    .update(engineCheckInputs())
    // The Vector check judges by upstream/vector's code (a subfolder the digest above does not
    // read) and its reference data, against the pinned Vector.
    .update(sourceDigest(path.join(__dirname, "../upstream/vector"), ext, []))
    .update(vectorCheckInputs())
    .digest("hex");
  return version;
}

/** The cache key of one call: checker version, objects, resources and options. */
export function checkKey(
  objects: Placed[],
  resources: ExportResource[],
  opts: StackCheckOptions,
  objectsText?: string,
): string {
  return crypto
    .createHash("sha256")
    .update(checkerVersion())
    .update("\0")
    .update(objectsText === undefined ? JSON.stringify(objects) : `text\0${objectsText}`)
    .update("\0")
    .update(JSON.stringify([resources, opts]))
    .digest("hex");
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
   * synthesis writes `<stack>.rendered.json` (the renders and the raw objects).
   */
  objectsText?: string;
}

/**
 * The checks themselves, loaded on a miss only: a cached verdict needs none of them, and loading
 * them all takes about 25 ms of a synthesis that must stay within 1.5x the SDK's load time.
 */
function checkStack(...args: Parameters<typeof import("./index").checkStack>): StackCheckReport {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require("./index") as typeof import("./index")).checkStack(...args);
}

/** {@link checkStack}, answered from the disk cache when the same inputs were checked before. */
export function checkStackCached(
  objects: Placed[],
  resources: ExportResource[],
  opts: CachedCheckOptions = {},
): StackCheckReport & { cached: boolean } {
  const { cacheDir: dirOpt, objectsText, ...checkOpts } = opts;
  const dir =
    dirOpt === undefined
      ? (process.env.HOMELAB_CHECK_CACHE ?? path.join(projectRoot(__dirname), ".cache", "checks"))
      : dirOpt;
  if (dir === false) return { ...checkStack(objects, resources, checkOpts), cached: false };
  const file = path.join(dir, `${checkKey(objects, resources, checkOpts, objectsText)}.json`);
  let stored: Stored | undefined;
  try {
    stored = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    stored = undefined; // absent or torn: check afresh
  }
  if (stored && stored.external.every((a) => objects[a.found] !== undefined))
    return {
      ...stored,
      external: stored.external.map((a) => ({ ...a, found: objects[a.found] })),
      cached: true,
    };
  const report = checkStack(objects, resources, checkOpts);
  const out: Stored = {
    ...report,
    external: report.external.map((a) => ({ ...a, found: objects.indexOf(a.found) })),
  };
  // An address whose object is not one of ours (never expected) is not storable: keep it uncached.
  if (out.external.every((a) => a.found >= 0)) {
    fs.mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(out));
    fs.renameSync(tmp, file);
  }
  return { ...report, cached: false };
}
