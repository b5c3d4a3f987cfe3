import * as fs from "fs";
import * as path from "path";

/**
 * Makes the folder `out` when absent (unless `make` is false), and says what is wrong when it cannot be one (a file there or
 * on its path, a place that makes no folders), or undefined. Its own module, with nothing but `fs`
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
  // Judged without making it (a run refused for another input leaves nothing behind): the nearest
  // path that exists must be a folder.
  if (!make) {
    const nearest = missing.length > 0 ? path.dirname(missing[0]) : path.resolve(out);
    return fs.statSync(nearest, { throwIfNoEntry: false })?.isDirectory() === false
      ? "a file is there (or on its path)"
      : undefined;
  }
  try {
    for (const dir of missing) fs.mkdirSync(dir);
    if (!fs.statSync(out).isDirectory()) return "a file is there (or on its path)";
    return undefined;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EEXIST" || code === "ENOTDIR") return "a file is there (or on its path)";
    if (code === "ENOENT") return "the file system there makes no folders";
    return `it cannot be made (${(e as Error).message.replace(/^\w+: /, "")})`;
  }
}
