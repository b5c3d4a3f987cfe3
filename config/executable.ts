/**
 * What a variable naming a program to run (HOMELAB_HELM, HOMELAB_KUBECTL) finds: the one reading of
 * a path or a bare name looked for on PATH, as spawn looks, shared by the render and verify.
 */
import * as fs from "fs";
import * as path from "path";

/** Why `file` cannot run: a bare name is looked for on PATH, as spawn does; undefined when it can. */
export function executableProblem(file: string, searchPath: string | undefined): string | undefined {
  if (!file.includes(path.sep)) {
    const dirs = (searchPath ?? "").split(path.delimiter).filter((d) => d !== "");
    return dirs.some((d) => executableProblem(path.join(d, file), undefined) === undefined)
      ? undefined
      : "no such command on PATH";
  }
  const st = fs.statSync(file, { throwIfNoEntry: false });
  if (!st) return "no such file";
  if (st.isDirectory()) return "a folder, not a file";
  try {
    fs.accessSync(file, fs.constants.X_OK);
  } catch {
    return "a file that is not executable (chmod +x it)";
  }
  return undefined;
}

/** The first file named `name` in a folder of `searchPath` (a folder of that name is skipped), or undefined. */
export function firstOnPath(name: string, searchPath: string | undefined): string | undefined {
  return (searchPath ?? "")
    .split(path.delimiter)
    .filter((d) => d !== "")
    .map((d) => path.join(d, name))
    .find((f) => fs.statSync(f, { throwIfNoEntry: false })?.isFile());
}
