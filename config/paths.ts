import * as fs from "fs";
import * as path from "path";
import { isMap, isScalar } from "yaml";
import { lastOf, shownPath } from "../contract/locate";
import { shellWord } from "../model/running";
import { parsedAsMeant } from "./yamlDocument";

/**
 * A file as a config message names it (contract/locate.ts shownPath): relative to the working
 * directory the command runs in when the file is inside it, else absolute.
 */
export const shownFile = (file: string): string => shownPath(file, process.cwd());

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

/**
 * The `--dir` a command printed for the project at `root` needs: none for this checkout (what
 * verify and synth read without one), else the folder.
 */
export const commandDir = (root: string): string | undefined =>
  path.resolve(root) === projectRoot() ? undefined : path.resolve(root);

/**
 * How a printed `pulumi` command starts for the project whose {@link commandDir} is `dir`: with the
 * CLI's global `--cwd` flag when the project is not this checkout. The CLI reads Pulumi.yaml and the
 * stack files from its working folder, and the commands are pasted where `npm run` runs, in the
 * checkout: without the flag, `pulumi config set` would change the checkout's stack file, not the
 * one the message is about. The flag is a persistent flag of the root command, so every
 * subcommand takes it, and the CLI changes to that folder before the subcommand runs
 * (pulumi/pulumi pkg/cmd/pulumi/pulumi.go NewPulumiCmd: `PersistentFlags().StringVarP(&cwd,
 * "cwd", "C", ...)`, then `os.Chdir(cwd)` in PersistentPreRun).
 */
export const pulumiCommand = (dir: string | undefined): string =>
  dir === undefined ? "pulumi" : `pulumi --cwd ${shellWord(dir)}`;

/**
 * The folder holding a project's stack files, where the Pulumi CLI looks for them: Pulumi.yaml's
 * `stackConfigDir` joined to the project folder, else the project folder itself (pulumi/pulumi
 * pkg/workspace DetectProjectStackPath, `filepath.Join(filepath.Dir(projPath), proj.StackConfigDir,
 * fileName)`). Every tool looks for stacks here, so a stack that `pulumi up` finds is found by each.
 * A Pulumi.yaml that is missing or not YAML names no other folder (its own error is said where it
 * is read, stackFile.ts loadProject).
 */
export function stackFolder(projectDir: string): string {
  let text: string;
  try {
    text = fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8");
  } catch {
    return projectDir;
  }
  const root = parsedAsMeant(text).doc.contents;
  // The last of a key written twice, as the CLI's decoder keeps it.
  const dir = isMap(root)
    ? lastOf(root.items, (p) => isScalar(p.key) && p.key.value === "stackConfigDir")?.value
    : undefined;
  const value = isScalar(dir) ? dir.value : undefined;
  return typeof value === "string" && value !== "" ? path.join(projectDir, value) : projectDir;
}

/** Where the Pulumi CLI reads stack `stack`'s file: `Pulumi.<stack>.yaml` in {@link stackFolder}. */
export function stackFilePath(projectDir: string, stack: string): string {
  return path.join(stackFolder(projectDir), `Pulumi.${stack}.yaml`);
}

/** Every `Pulumi.<stack>.yaml` of a project directory (in its {@link stackFolder}), sorted. */
export function stackNames(dir: string): string[] {
  const folder = stackFolder(dir);
  if (!fs.statSync(folder, { throwIfNoEntry: false })?.isDirectory()) return [];
  return fs
    .readdirSync(folder)
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
