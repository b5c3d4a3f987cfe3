import * as fs from "fs";
import * as path from "path";

/**
 * Makes the folder `out` when absent (unless `make` is false), and says what is wrong when it cannot be one (a file there or
 * on its path, a place that makes no folders, a folder that cannot be written), or undefined. Its own module, with nothing but `fs`
 * and `path`: a test runs it in a process of its own under a time limit, since the fault it guards
 * against never returns.
 *
 * Each missing folder is made in turn, not by `mkdirSync(out, { recursive: true })`: on Node 22
 * that never returns where mkdir answers ENOENT below a folder that exists (`--out /proc/nope`
 * spun at full CPU, seen on this machine's Node 22.23.3).
 */
export function outFolderProblem(out: string, make = true): string | undefined {
  const missing: string[] = [];
  for (let dir = path.resolve(out); !fs.existsSync(dir); dir = path.dirname(dir)) {
    missing.unshift(dir);
    if (path.dirname(dir) === dir) break;
  }
  // A link to nothing is "missing" to existsSync, which follows it, and no mkdir makes a folder
  // there (ENOENT, EEXIST): HOMELAB_CHECK_CACHE naming one passed and ended the synthesis with
  // "unexpected error (please report it): ENOENT: mkdir", and `--out` naming one was said as "a file
  // is there". Only the first missing one can be a link: the parent of it exists.
  if (missing.length > 0 && isLink(missing[0]))
    return "a link to a path that does not exist is there (or on its path)";
  // Judged without making it (a run refused for another input leaves nothing behind): the nearest
  // path that exists must be a folder.
  if (!make) {
    const nearest = missing.length > 0 ? path.dirname(missing[0]) : path.resolve(out);
    return fs.statSync(nearest, { throwIfNoEntry: false })?.isDirectory() === false
      ? "a file is there (or on its path)"
      : writeProblem(nearest, missing.length > 0 ? "made" : "written");
  }
  try {
    for (const dir of missing) fs.mkdirSync(dir);
    if (!fs.statSync(out).isDirectory()) return "a file is there (or on its path)";
    return writeProblem(out, "written");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EEXIST" || code === "ENOTDIR") return "a file is there (or on its path)";
    if (code === "ENOENT") return "the file system there makes no folders";
    return `it cannot be made (${(e as Error).message.replace(/^\w+: /, "")})`;
  }
}

/** Whether `p` is a symbolic link (false when nothing is there, or a file is on its path: ENOTDIR). */
function isLink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * Why no file can be written in the folder `dir` (undefined when one can), asked by writing one
 * and removing it: `fs.accessSync(dir, W_OK)` answers yes to root for any folder, /sys's and
 * /proc's among them, whose writes then fail, each export's after its whole synthesis. `out` is
 * `dir` itself (written) or a folder to be made in it (made), as the refusal says it.
 */
function writeProblem(dir: string, out: "written" | "made"): string | undefined {
  const probe = path.join(dir, `.homelab-write-probe-${process.pid}`);
  try {
    fs.closeSync(fs.openSync(probe, "wx"));
    fs.unlinkSync(probe);
    return undefined;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return `the file system there makes no ${out === "made" ? "folders" : "files"}`;
    // The error's words without its code and the probe's name, which the user never gave.
    return `it cannot be ${out} (${(e as Error).message.replace(/^\w+: /, "").replace(/, \w+ '.*'$/, "")})`;
  }
}

/** The cache folders synth's render and checks write, by variable: what each keeps, and its default. */
const CACHE_FOLDERS = {
  HOMELAB_RENDER_CACHE: { kept: "the Helm renders", fallback: ".cache/render" },
  HOMELAB_CHECK_CACHE: { kept: "the rendered-object checks' verdicts", fallback: ".cache/checks" },
} as const;

/**
 * Why `HOMELAB_RENDER_CACHE` or `HOMELAB_CHECK_CACHE` names no folder a cache can be kept in (a file
 * there or on its path, a folder that cannot be made or written), each naming the variable, what was
 * found and what to set; empty when both are usable. Judged without making the folder (the first
 * write makes it): a file there ended the synthesis with "unexpected error (please report it):
 * ENOTDIR" or "EEXIST: mkdir" after the stack was synthesized. Empty is unset (the project's own,
 * config/chartCache.ts renderCacheDir, checks/cache.ts checkCacheDir). A folder that exists is
 * taken as it is, written or not: see {@link cacheFolderProblem}.
 */
export function cacheFolderProblems(env: Record<string, string | undefined>): string[] {
  return Object.entries(CACHE_FOLDERS).flatMap(([name, { kept, fallback }]) => {
    const set = env[name];
    const problem = set ? cacheFolderProblem(set) : undefined;
    return problem
      ? [
          `${name}: expected a folder to keep ${kept} in (made when missing), got ${JSON.stringify(set)}: ${problem}; point it at a folder, or unset it for ${fallback} in the project folder`,
        ]
      : [];
  });
}

/**
 * {@link outFolderProblem} of a cache folder, judged without making it, but a folder that exists is
 * taken even when it cannot be written: only a miss writes, and a warm cache shared read-only
 * (another user's, a read-only mount) serves every render and verdict. Refusing it turned a
 * synthesis that passed into exit 2 (seen at cef698c7 with the staging stack's warm caches
 * read-only to the user running it).
 */
function cacheFolderProblem(dir: string): string | undefined {
  return fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()
    ? undefined
    : outFolderProblem(dir, false);
}
