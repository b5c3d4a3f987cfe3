/**
 * The takeover's `running` folder as the stack file names it (takeover.running), read into the
 * running state or refused as that key's problem: one reading for the program (config/load.ts)
 * and the offline check of the stack file (config/stackCheck.ts).
 */
import * as fs from "fs";
import * as path from "path";
import { cachedValuesKeys } from "./chartCache";
import { didYouMean } from "./errors";
import { PROJECT } from "./schema";
import { readRunningDir, RunningStateError, type RunningSource, type RunningState } from "../model/running";

/**
 * The running state in the takeover's `running` folder (relative to `projectDir`; its commands
 * collect from `from`, the stack's namespace and kube context), or the
 * problem of its key: the folder it names is the stack file's value, which may be the mistake (a
 * misspelt folder), so the problem is placed at the key's line as every other config problem is.
 */
function readTakeoverRunning(
  projectDir: string,
  dir: string,
  from: RunningSource,
): { state: RunningState } | { problem: string } {
  const refused = (why: string) => ({
    problem: `${PROJECT}:takeover.running: expected a folder of what runs (docs/how-to/check-a-change.md#collecting-what-runs), got "${dir}": ${why}`,
  });
  const folder = path.resolve(projectDir, dir);
  const stat = fs.statSync(folder, { throwIfNoEntry: false });
  if (!stat?.isDirectory())
    return refused(
      `${stat ? "a file, not a folder" : "no such folder"} (${folder})${runningFolderHint(folder)}`,
    );
  try {
    return { state: readRunningDir(folder, from, cachedValuesKeys) };
  } catch (e) {
    // Its lines (each report refused, a YAML excerpt) under the problem's own, not beside it.
    if (e instanceof RunningStateError) return refused(e.message.replace(/\n/g, "\n    "));
    throw e;
  }
}

/**
 * `; did you mean "<name>"?` naming the folder beside a missing `takeover.running` folder that
 * holds what runs (its helm-list.yaml) and whose name is close, else "".
 */
function runningFolderHint(folder: string): string {
  const parent = path.dirname(folder);
  let names: string[];
  try {
    names = fs
      .readdirSync(parent, { withFileTypes: true })
      .filter((d) => d.isDirectory() && fs.existsSync(path.join(parent, d.name, "helm-list.yaml")))
      .map((d) => d.name);
  } catch {
    return "";
  }
  return didYouMean(path.basename(folder), names);
}

/**
 * What the folder `takeover.running` names in the raw config (rawFromPulumiConfig) holds, with
 * the stack's namespace and kube context in each command; undefined when it names none. Read from the raw config:
 * a stack file refused has no validated one, and its folder is still judged beside its keys.
 */
export function rawTakeoverRunning(
  projectDir: string,
  raw: Record<string, unknown>,
): ReturnType<typeof readTakeoverRunning> | undefined {
  const takeover = raw.takeover;
  const running =
    takeover && typeof takeover === "object" ? (takeover as Record<string, unknown>).running : undefined;
  if (typeof running !== "string" || running === "") return undefined;
  const text = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);
  return readTakeoverRunning(projectDir, running, {
    namespace: text(raw.namespace),
    context: text(raw.kubeContext),
  });
}
