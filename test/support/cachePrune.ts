/**
 * Keeping the fixture cache (test/support/fixtureCache.ts) to what the suite reads. Its keys hash
 * every source file, so each edit gives every entry a new key and leaves the old ones behind: one
 * whole run of the suite writes about 300 MB (800 entries, measured on round thirty-one's commit),
 * and before this, a clone's folder only grew (5.8 GB after a day of edits and runs here).
 *
 * A read stamps its entry's modification time ({@link markUsed}; a write stamps it anyway), and a
 * whole-suite run that ends removes the entries it neither read nor wrote ({@link pruneUnused},
 * called by test/support/timings.ts): after such a run, the folder holds exactly what the next run
 * of the same sources reads. Entries are only the files named `<key>.f<form>.json` in a kind's
 * folder: the check cache's files (`checks/`, the program's own cache, which config/cachePrune.ts sweeps
 * by its own rule) and the run records at the top (timings.json) are never removed.
 */
import * as fs from "fs";
import * as path from "path";

/** A fixture-cache entry's file name (fixtureCache.ts entryFile), of any form. */
const ENTRY = /^[0-9a-f]+\.f\d+\.json$/;

/**
 * Stamps an entry as read now: utimes, one system call per entry read from disk (a few hundred
 * in a warm run, an entry served from memory is not read again), as the program's caches stamp
 * theirs. A failure is ignored: the entry is then merely removed by the next whole run.
 */
export { markUsed } from "../../config/cachePrune";

/**
 * Removes every entry of `dir`'s kind folders last read or written before `since` (ms since the
 * epoch), with the temporary and lock files that a killed run left before it. Returns what went.
 */
export function pruneUnused(dir: string, since: number): { entries: number; bytes: number } {
  let entries = 0;
  let bytes = 0;
  let kinds: fs.Dirent[];
  try {
    kinds = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return { entries, bytes }; // No cache yet.
  }
  for (const kind of kinds) {
    if (!kind.isDirectory()) continue;
    const folder = path.join(dir, kind.name);
    for (const name of fs.readdirSync(folder)) {
      const left = /\.(tmp|lock)$/.test(name);
      if (!left && !ENTRY.test(name)) continue;
      const file = path.join(folder, name);
      const st = fs.statSync(file, { throwIfNoEntry: false });
      if (!st || st.mtimeMs >= since) continue;
      fs.rmSync(file, { force: true });
      if (!left) entries++;
      bytes += st.size;
    }
  }
  return { entries, bytes };
}
