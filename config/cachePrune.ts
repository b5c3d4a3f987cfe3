/**
 * Keeping the program's disk caches to what is in use: the render cache (synth/render/template.ts,
 * `<key>.json` and `<key>.error`) and the check cache (checks/cache.ts, `<hash>.json`,
 * `<hash>.deps.json` and `digests/<hash>.digest`). Their keys hash the sources, charts and values,
 * so every change leaves the old entries behind and the folders only grew (a checkout after weeks
 * of edits: 2,000 check cache files, 42 MB, and 43 MB of renders).
 *
 * The rule: an entry neither read nor written for {@link UNUSED_DAYS} days is removed, at most once
 * a day, by a process that has just written to that cache ({@link pruneDaily}). A read stamps the
 * entry's modification time ({@link markUsed}): access times are no witness, since mounts are often
 * noatime or relatime. Removing is safe beside other processes: an entry is written to a temporary
 * file and renamed into place, so a whole entry is fresh and one being written is not an entry yet;
 * one another process reads was stamped when it last read it, or, removed between that process's
 * listing and its read, is read as absent, which every reader takes as a miss and computes again (a
 * file already open stays readable after its removal). Only files named as entries are removed, and
 * the temporaries a killed process left, once as old: never a lock, nor the render cache's
 * `charts.json`, `crd-hints.json` and `chart-keys/`, which grow only with the pinned charts.
 */
import * as fs from "fs";
import * as path from "path";

/** Days an entry is kept unread: a stack or branch left that long renders and checks anew once. */
export const UNUSED_DAYS = 14;
const DAY_MS = 24 * 60 * 60 * 1000;

/** A cache entry's file name: the key's 64 hex digits and its kind (never a `<entry>.lock`). */
const ENTRY = /^[0-9a-f]{64}\.(?:json|deps\.json|error|digest)$/;
/** A temporary file of an entry being written (`<entry>.<pid>.tmp`), or left by a killed writer. */
const TEMPORARY = /^[0-9a-f]{64}\.(?:json|deps\.json|error|digest)\.\d+\.tmp$/;

/** The file in a cache's folder whose modification time is the last sweep's. */
export const PRUNE_MARKER = "last-prune";

/**
 * Stamps an entry as read now. A failure is ignored: an entry removed meanwhile, or a cache this
 * process may not write, is merely swept sooner.
 */
export function markUsed(file: string): void {
  const now = new Date();
  try {
    fs.utimesSync(file, now, now);
  } catch {
    // Nothing to keep.
  }
}

/**
 * Once a day at most (by `dir`'s {@link PRUNE_MARKER}), removes from `folders` (default `dir`) the
 * entries neither read nor written for {@link UNUSED_DAYS} days, and temporaries as old. Called by
 * a process after it wrote to the cache, so a cache only read is never changed. Returns how many
 * entries went, or undefined when this process did not sweep.
 */
export function pruneDaily(dir: string, folders: string[] = [dir]): number | undefined {
  const marker = path.join(dir, PRUNE_MARKER);
  const last = fs.statSync(marker, { throwIfNoEntry: false });
  if (last && Date.now() - last.mtimeMs < DAY_MS) return undefined;
  if (!claimDay(marker, last !== undefined)) return undefined;
  const before = Date.now() - UNUSED_DAYS * DAY_MS;
  let removed = 0;
  for (const folder of folders) {
    let names: string[];
    try {
      names = fs.readdirSync(folder);
    } catch {
      continue; // Not written yet.
    }
    for (const name of names) {
      const entry = ENTRY.test(name);
      if (!entry && !TEMPORARY.test(name)) continue;
      const file = path.join(folder, name);
      const st = fs.statSync(file, { throwIfNoEntry: false });
      if (!st?.isFile() || st.mtimeMs >= before) continue;
      fs.rmSync(file, { force: true });
      if (entry) removed++;
    }
  }
  return removed;
}

/**
 * Whether this process sweeps today: of processes that found the marker a day old (or absent), the
 * one whose rename of it (or exclusive creation) succeeds; the others find it gone, or present. A
 * marker another process made fresh between this one's look and its rename is put back.
 */
function claimDay(marker: string, held: boolean): boolean {
  try {
    if (!held) {
      fs.closeSync(fs.openSync(marker, "wx"));
      return true;
    }
    const mine = `${marker}.${process.pid}`;
    fs.renameSync(marker, mine);
    if (Date.now() - fs.statSync(mine).mtimeMs < DAY_MS) {
      fs.renameSync(mine, marker);
      return false;
    }
    fs.writeFileSync(marker, "");
    fs.rmSync(mine, { force: true });
    return true;
  } catch {
    return false; // Another process claimed it, or the cache is not ours to write.
  }
}
