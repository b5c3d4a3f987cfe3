import * as path from "path";
import { PROJECT } from "../config/resolve";
import { cliStackConfig } from "../config/stackFile";
import { commandDir, pulumiCommand, shownFile, stackFilePath } from "../config/paths";
import { configPathArg } from "../config/tree";
import { SynthInputError } from "../synth/synthesize";
import type { OverridePlace } from "../synth/report";
import { shellWord, type RunningSource } from "../model/running";

/** The stack file's `takeover` block, as written (the synthesis validates it); `{}` when it has none. */
export function stackTakeover(root: string, stack: string): Record<string, unknown> {
  const { config } = cliStackConfig(root, stack);
  const text = config[`${PROJECT}:takeover`];
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    return {};
  }
}

/**
 * The stack's namespace (where the releases it takes over run) and pinned kube context as its stack
 * file (or Pulumi.yaml's default) sets them, so the commands that collect what runs name both.
 */
export function runningSource(root: string, stack: string): RunningSource {
  const { config } = cliStackConfig(root, stack);
  return {
    namespace: config[`${PROJECT}:namespace`] || undefined,
    context: config[`${PROJECT}:kubeContext`] || undefined,
  };
}

/**
 * Whether the stack file has a `takeover` block: what `--running` checks, and so where the
 * synthesis says the takeover's update step is unchecked without it. Import IDs alone are no
 * takeover: `existing.buckets` and `objectStore.existingKeys` import buckets and keys (a move to
 * Garage, ObjectBucketClaims) without one, and --running refuses such a stack.
 */
export function takesOver(root: string, stack: string): boolean {
  return Object.keys(stackTakeover(root, stack)).length > 0;
}

/**
 * Config overrides that make a synthesis read what runs: the stack's own `takeover` block with
 * `running` pointing at `dir` (absolute, so it holds wherever the program runs) and, when given,
 * another `step`. The stack file is left as it is.
 */
export function runningOverrides(
  root: string,
  stack: string,
  dir: string | undefined,
  step?: "import" | "update",
): Record<string, string> {
  const key = `${PROJECT}:takeover`;
  const takeover = stackTakeover(root, stack);
  if (Object.keys(takeover).length === 0)
    throw new SynthInputError(
      `--running: stack ${stack} has no ${key} block; --running checks a takeover (docs/how-to/take-over-flux.md)`,
    );
  const next: Record<string, unknown> = { ...takeover };
  if (dir === undefined) delete next.running;
  else next.running = path.resolve(dir);
  if (step) next.step = step;
  const agents = step && adoptedAgentsAt(root, stack, takeover, step);
  return {
    [key]: JSON.stringify(next),
    ...(agents ? { [`${PROJECT}:agents`]: JSON.stringify(agents) } : {}),
  };
}

/**
 * The stack file's `agents` block as the takeover step it is not at takes it, when the takeover
 * adopts the running node agent (takeover.releases.alloy or .vector): the import step keeps the
 * agent where it runs, `stay` (the only value config/resolve.ts adoptedAgentStep admits there),
 * and the update step after it moves it, `handover` (with `stay` the pack refuses the privileged
 * namespace; docs/how-to/move-node-agents.md). Without it the update step's file (handover) was
 * refused as the import step's, and the import step's file previewed a first update that left the
 * agent where it runs. Undefined when the step is the file's own or nothing is adopted.
 */
function adoptedAgentsAt(
  root: string,
  stack: string,
  takeover: Record<string, unknown>,
  step: "import" | "update",
): Record<string, unknown> | undefined {
  const releases = takeover.releases;
  const adopts = releases && typeof releases === "object" && ("alloy" in releases || "vector" in releases);
  if (!adopts || (takeover.step ?? "import") === step) return undefined;
  const text = cliStackConfig(root, stack).config[`${PROJECT}:agents`];
  let agents: Record<string, unknown> = {};
  try {
    const parsed = text ? JSON.parse(text) : {};
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) agents = parsed;
  } catch {
    return undefined;
  }
  if (step === "import") return { ...agents, step: "stay" };
  return agents.step === "stay" ? { ...agents, step: "handover" } : undefined;
}

/**
 * The command that sets the stack file's takeover.running to the folder `dir` (as given on the
 * command line): the program reads it relative to the project folder (config/takeoverRunning.ts),
 * so a folder inside the project is written relative to it, any other whole; run in the project
 * folder, where `pulumi config` finds the stack file (config/paths.ts pulumiCommand).
 */
export function setRunningCommand(root: string, stack: string, dir: string): string {
  const folder = path.resolve(dir);
  const inProject = path.relative(path.resolve(root), folder);
  const value = inProject && !inProject.startsWith("..") && !path.isAbsolute(inProject) ? inProject : folder;
  return `${pulumiCommand(commandDir(root))} config set --stack ${shellWord(stack)} --path ${configPathArg(`${PROJECT}:takeover`, ["running"], PROJECT)} ${shellWord(value)}`;
}

/**
 * What `--running <dir>` says of the stack file's own takeover.running, when it is not that folder.
 * The check reads what runs from `dir`; `pulumi up` reads only the stack file, so without the key
 * its first update keeps nothing from what runs (plan/takeover.ts keepOf): it is the update the
 * check's "without the running state" line judges (`blindRefused` refusals), not the one it passed,
 * and what it keeps (claim templates, the operators' storage, Loki's schema periods) it sets to
 * the program's values, which the API server refuses or which loses data. So at takeover.step
 * update it is refused, counted as every refusal of that update is. At the import step the engine
 * keeps the running values anyway (RELEASE_IMPORT_IGNORES), so `pulumi up` of that step loses
 * nothing: a warning, for the update to come. A key naming another folder is read by `pulumi up`
 * instead of the one checked; that folder may hold the same state, so a warning too.
 */
export function runningKeyVerdict(
  root: string,
  stack: string,
  dir: string,
  blindRefused: number,
  at: OverridePlace,
): { line: string; refused: boolean } | undefined {
  const takeover = stackTakeover(root, stack);
  const file = shownFile(stackFilePath(root, stack));
  const set = `set it to the folder checked: ${setRunningCommand(root, stack, dir)}`;
  if (typeof takeover.running === "string") {
    const named = path.resolve(root, takeover.running);
    if (named === path.resolve(dir)) return undefined;
    return {
      line: `WARNING takeover.running (${at("takeover.running") ?? file}) names ${named}, not --running ${dir}: pulumi up keeps what runs as that folder says, which this check did not read; ${set}`,
      refused: false,
    };
  }
  const block = at("takeover");
  const where = `takeover.running is not set in ${file}${block ? ` (its takeover block: ${block})` : ""}`;
  // Refused only when that update is: one the check passes loses nothing it judges, and the
  // folder is then a convenience of the check's, said as a warning.
  if (takeover.step === "update" && blindRefused === 0)
    return {
      line: `WARNING ${where}: this check read what runs from --running ${dir}, but pulumi up reads only the stack file; its update without the running state refuses nothing here (the "without the running state" line below), yet keeps nothing from what runs, which the next change may need; ${set}`,
      refused: false,
    };
  if (takeover.step === "update")
    return {
      line: `REFUSED ${where}: this check read what runs from --running ${dir}, but pulumi up reads only the stack file, so its update keeps nothing from what runs: it is the update the "without the running state" line below judges (${blindRefused} refused change(s)), and it sets the program's values where what runs must stay (claim templates, the Prometheus and Alertmanager storage, Loki's schema periods); ${set}`,
      refused: true,
    };
  return {
    line: `WARNING ${where}: at takeover.step: import pulumi up keeps the running values without it, but at takeover.step: update it reads what runs only from it (docs/how-to/take-over-flux.md step 8); before that step, ${set}`,
    refused: false,
  };
}
