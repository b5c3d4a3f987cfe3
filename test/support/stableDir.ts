/**
 * A folder at the same path in every run of a test file, for what its tests hand a command through
 * the environment (a fake HOMELAB_HELM, an empty chart or render cache in HOMELAB_CHART_CACHE or
 * HOMELAB_RENDER_CACHE), or a path that ends up in a key or an object (a takeover's `running`
 * folder, which the stack file's read is keyed by, test/support/helpers.ts storedConfigRead; a
 * project folder whose Garage bucket names its stack file, test/guides/move-to-garage.test.ts). The
 * fixture cache keys a synthesis by every HOMELAB_* variable (test/support/fixtureCache.ts envHash):
 * naming a new temporary folder in each run, they made every synthesis of the commands run under them
 * a miss, computed again (about 0.5 s of CPU each, measured) and kept as a new entry of megabytes no
 * run read again: test/synth/notHelm.test.ts and notHelmCommands.test.ts, five syntheses in
 * test/cli/synthStacks.test.ts and two in synthOverrideMistake.test.ts. Each name is one test
 * file's.
 *
 * Under the checkout's `.cache/` (gitignored; the fixture cache's key skips it), held by one process
 * at a time through a lock file naming its pid, released when the process exits: while a live
 * process holds it, another gets a temporary folder of its own, as before (its syntheses computed).
 */
import * as fs from "fs";
import * as path from "path";
import { ROOT, tmpDir } from "./helpers";

const held = new Map<string, string>();

/** Whether the process `pid` is running. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Takes `lock` for this process, or a dead process's; false when a live one holds it. */
function take(lock: string): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: "wx" });
      process.once("exit", () => fs.rmSync(lock, { force: true }));
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    const pid = Number(fs.readFileSync(lock, "utf8"));
    // This process's pid there is a dead holder's, taken again (this one takes each folder once).
    if (pid !== process.pid && pid > 0 && alive(pid)) return false;
    fs.rmSync(lock, { force: true });
  }
  return false;
}

/** The folder `name` of this process, emptied: the same path in every run, else a temporary one. */
export function stableDir(name: string): string {
  let dir = held.get(name);
  if (dir === undefined) {
    const base = path.join(ROOT, ".cache", "test-dirs");
    fs.mkdirSync(base, { recursive: true });
    dir = take(path.join(base, `${name}.lock`)) ? path.join(base, name) : tmpDir(name);
    held.set(name, dir);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}
