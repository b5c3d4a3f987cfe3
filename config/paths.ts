import * as fs from "fs";
import * as path from "path";

/** The project root (the directory holding Pulumi.yaml), from source or compiled output alike. */
export function projectRoot(from: string = __dirname): string {
  let dir = from;
  while (!fs.existsSync(path.join(dir, "Pulumi.yaml"))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no Pulumi.yaml above ${from}`);
    dir = up;
  }
  return dir;
}

/** Every `Pulumi.<stack>.yaml` of a project directory, sorted. */
export function stackNames(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => !!s)
    .sort();
}

/**
 * Why `dir` (a `--dir` flag's folder) is no project folder, or undefined when it holds Pulumi.yaml:
 * every tool reads Pulumi.yaml and the stack files there, and would otherwise fail on the first
 * read with the file system's own error.
 */
export function projectDirProblem(dir: string): string | undefined {
  const stat = fs.statSync(dir, { throwIfNoEntry: false });
  if (!stat) return "nothing there (no such folder)";
  if (!stat.isDirectory()) return `a file (the folder holding it is ${path.dirname(dir)})`;
  if (fs.statSync(path.join(dir, "Pulumi.yaml"), { throwIfNoEntry: false })?.isFile()) return undefined;
  const stacks = stackNames(dir);
  return `a folder without Pulumi.yaml${stacks.length > 0 ? ` (its stack files: ${stacks.join(", ")})` : ""}`;
}

/** `--dir <dir>`'s refusal, naming the flag, the expected form and what was found; undefined when it is a project folder. */
export function projectDirRefusal(dir: string): string | undefined {
  const problem = projectDirProblem(path.resolve(dir));
  return (
    problem &&
    `--dir ${dir}: expected the project folder (Pulumi.yaml and the Pulumi.<stack>.yaml files), got ${problem}`
  );
}
