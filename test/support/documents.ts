import * as fs from "fs";
import * as path from "path";
import { ROOT } from "./helpers";

/** Every document a reader follows: the top-level .md files and every .md under docs/. */
export function documents(root: string = ROOT): string[] {
  const under = (dir: string): string[] =>
    fs.existsSync(path.join(root, dir))
      ? fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
          const rel = path.posix.join(dir, e.name);
          return e.isDirectory() ? under(rel) : e.name.endsWith(".md") ? [rel] : [];
        })
      : [];
  const top = fs.readdirSync(root).filter((f) => f.endsWith(".md"));
  return [...top, ...under("docs")].sort();
}
