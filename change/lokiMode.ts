/**
 * The moves between Loki's monolithic pods and SimpleScalable's write pods, judged update by
 * update: what one update does to the pods that hold an ingester, read from the loki Release's
 * values on both sides (a previous export, or what runs with `--running`). Pure.
 *
 * A pod that holds an ingester holds the newest lines in its memory and WAL until it flushes them
 * to object storage; a pod that goes before its flush is done leaves them in a WAL no pod replays
 * once its ordinal is gone ("we won't be replaying the WAL on an ingester that will no longer
 * exist", and ingesters "should be scaled down one by one": grafana/loki v3.7.6
 * docs/sources/operations/storage/wal.md:90,112). A flush on shutdown that fails is queued again
 * until the pod is killed (pkg/ingester/flush.go:243). The chart stops every removed pod of a
 * scale-down at once: `write.podManagementPolicy` and `singleBinary.podManagementPolicy` are both
 * "Parallel" (grafana-community loki 18.11.0 values.yaml; loki 6.55.0 writes it into
 * templates/single-binary/statefulset.yaml). So, through the chart's transitional mode
 * (templates/validate.yaml: monolithic and simple scalable replicas together only in
 * "Monolithic<->SimpleScalable"), off SimpleScalable:
 * 1. the monolithic pods join the ring beside the write pods (write pods unchanged);
 * 2. the write pods leave one per update, each after `npm run verify -- --stack <s> --gate loki-drain` saw
 *    the previous one flushed and gone from the ring;
 * 3. then "Monolithic".
 * Refused: an update that removes write pods while no monolithic pod ran before it (nothing would
 * serve the ring they leave), one that removes more than one, a jump from SimpleScalable
 * straight to Monolithic (which is both), and "Monolithic" while write pods still run (step 3
 * before step 2 is done).
 *
 * The other way (staging's rehearsal, or any Monolithic stack) is the same judgement of the
 * monolithic pods: the write pods join in the transitional mode, the monolithic pods leave one per
 * update (down to the one the chart keeps), each after `npm run verify -- --stack <s> --gate
 * loki-scale-down`
 * saw the previous one flushed and gone from the ring, then "SimpleScalable" removes the last
 * (after `--gate loki-simple-scalable`). Refused:
 * monolithic pods leaving while no write pod ran before the update (Monolithic straight to
 * SimpleScalable is that), more than one leaving in one update (a scale-down of loki.replicas in
 * any mode, or "SimpleScalable" while several still run).
 */
import { stackKeyAt, type OverridePlace } from "../synth/report";
import type { ExportResource } from "../synth/synthesize";
import type { Refusal } from "./apiRules";
import { gateCommand, type MoveProject } from "../model/phases";
import { PROJECT, urnStack } from "../model/names";
import { byteSize } from "../config/schema";
import { lokiModeFor, monolithicMostAsWritten } from "../config/sizing";
import { pulumiCommand } from "../config/paths";
import { configPathArg } from "../config/tree";
import { shellWord } from "../model/running";

/** The transitional mode, as the chart names it (its old name is read as this). */
export const TRANSITIONAL = "Monolithic<->SimpleScalable";
/**
 * The chart's transitional mode between SimpleScalable's targets and Distributed's components
 * (grafana-community loki 18.11.0 values.yaml `deploymentMode`; templates/validate.yaml "change the
 * deploymentMode to the transitional 'SimpleScalable<->Distributed' mode"). No mode the stack takes.
 */
const SCALABLE_DISTRIBUTED = "SimpleScalable<->Distributed";
/** The how-to the refusals point at. */
export const LOKI_MOVE_DOC = "docs/how-to/loki-off-simple-scalable.md";

/** What one side runs: the chart's mode (new names) and the pods that hold an ingester. */
export interface LokiSide {
  mode: string;
  monolithic: number;
  write: number;
}

const NEW_NAMES: Record<string, string> = {
  SingleBinary: "Monolithic",
  "SingleBinary<->SimpleScalable": TRANSITIONAL,
};

const num = (v: unknown, d: number) =>
  typeof v === "number" ? v : typeof v === "string" && v !== "" ? Number(v) : d;

/**
 * The side a loki Release's values describe. Pods the chart does not render count as 0: write
 * pods only where `loki.deployment.isScalable`, monolithic ones where `isMonolithic` (loki 18.11.0
 * templates/_helpers.tpl). A missing deploymentMode is the chart default of the version at hand;
 * the program always sets it, and `helm get values --all` always shows it.
 */
export function lokiSide(values: Record<string, any> | undefined): LokiSide | undefined {
  if (!values || typeof values !== "object") return undefined;
  const raw = String(values.deploymentMode ?? "");
  const mode = NEW_NAMES[raw] ?? raw;
  const scalable = mode === "SimpleScalable" || mode === TRANSITIONAL || mode === SCALABLE_DISTRIBUTED;
  const monolithic = mode === "Monolithic" || mode === TRANSITIONAL;
  return {
    mode,
    // The chart runs one monolithic pod below 2 (`loki.monolithicReplicas`, loki 18.11.0
    // templates/_helpers.tpl; `loki.singleBinaryReplicas` in 6.55.0), and `helm get values --all`
    // shows its default 0: that pod holds lines too.
    monolithic: monolithic ? Math.max(1, num(values.singleBinary?.replicas, 0)) : 0,
    write: scalable ? num(values.write?.replicas, 3) : 0,
  };
}

/**
 * Why the change from `before` to `after` could lose the lines its ingesters hold (empty when it
 * cannot). Each gate it names is a command for `project`'s stack, which verify requires.
 */
export function lokiMoveRefusals(
  before: LokiSide,
  after: LokiSide,
  project: MoveProject,
  at?: OverridePlace,
): Refusal[] {
  const gate: Gate = (step) => gateCommand(project.stack, step, project.dir);
  // Into or out of Distributed: one mistake, the mode's change, whatever pods it removes.
  if ((before.mode === "Distributed") !== (after.mode === "Distributed"))
    return [distributedMove(before, after, project, at)];
  return [...writeLeaving(before, after, gate, at), ...monolithicLeaving(before, after, gate, at)];
}

/**
 * The key that set the mode: loki.mode where the stack file writes it, else workload.logsPerDay
 * where the file writes that or leaves it to Pulumi.yaml's default (config/resolve.ts: above what
 * Monolithic holds it picks "Distributed"), else loki.mode, which the file leaves to its default.
 */
function modeKey(after: LokiSide, at?: OverridePlace): string {
  const logs = logsPerDayAt(at);
  if (at?.("loki.mode") || !logs) return `${stackKeyAt("loki.mode", at)}: `;
  return `${logs} chose loki.mode "${after.mode}" (loki.mode is not set): `;
}

/**
 * workload.logsPerDay with where its value is written: the stack file's line, else the line of
 * Pulumi.yaml's default that the file leaves it to (one value decides the mode wherever it lives);
 * undefined where neither writes it.
 */
function logsPerDayAt(at?: OverridePlace): string | undefined {
  const key = "workload.logsPerDay";
  if (at?.(key)) return stackKeyAt(key, at);
  const defaulted = at?.defaulted?.(key);
  return defaulted && `${key} (the project default at ${defaulted}; the stack file does not set workload)`;
}

/**
 * A move into or out of Distributed. The chart has no transitional mode between Distributed and
 * the monolithic pods (templates/validate.yaml refuses monolithic and distributed replicas
 * together), and its one with SimpleScalable ({@link SCALABLE_DISTRIBUTED}) is no mode the stack
 * takes, so one update deletes the StatefulSet whose pods hold an ingester, all of them stopping at
 * once, and starts the others: the hazard of "Monolithic" straight to "SimpleScalable" ({@link monolithicLeaving}), with no step
 * between. The deleted StatefulSet and the created one are this change, not a rename
 * (change.ts foldLokiRenames folds those into this refusal).
 */
function distributedMove(
  before: LokiSide,
  after: LokiSide,
  project: MoveProject,
  at?: OverridePlace,
): Refusal {
  const holders =
    before.mode === "Distributed"
      ? ["every ingester pod"]
      : [
          ...(before.monolithic > 0 ? [`all ${before.monolithic} monolithic pod(s)`] : []),
          ...(before.write > 0 ? [`all ${before.write} write pod(s)`] : []),
        ];
  const starts = after.mode === "Distributed" ? "the Distributed components" : `the pods of "${after.mode}"`;
  // The chart has a transitional mode between SimpleScalable's targets and Distributed, none
  // between the monolithic pods and Distributed: said as it is for the side the move leaves or takes.
  const monolithic = (before.mode === "Distributed" ? after : before).monolithic > 0;
  const chart = monolithic
    ? "the chart has no transitional mode between the two (templates/validate.yaml refuses monolithic and distributed replicas together)"
    : `the chart's transitional mode between the two, "${SCALABLE_DISTRIBUTED}" (templates/validate.yaml), is no mode the stack takes`;
  return {
    field: "values.deploymentMode",
    reason:
      `${modeKey(after, at)}"${before.mode}" -> "${after.mode}" is a change of Loki's mode, not a rename: one update stops ${holders.join(" and ")} at once, which hold the newest lines in their ingesters, and starts ${starts}; ` +
      `${chart}, so no gate sees the old pods flushed and gone from the ring first, and what a failed flush leaves in their WALs stays on claims no pod mounts again. ` +
      `The program has no in-place move of a running Loki into or out of "Distributed" (a new stack starts in it; between the other modes it moves through "${TRANSITIONAL}"): ${keepMode(before, project, at)} (${LOKI_MOVE_DOC})`,
  };
}

/**
 * The way back to the mode `before` runs, as keys to set that the config check takes beside the
 * file's others: Monolithic holds at most LOKI_SIZING's logs a day (config/resolve.ts refuses
 * loki.mode "Monolithic" past it, and leaving loki.mode out picks "Distributed" past it), so where
 * the config's workload.logsPerDay (the stack file's, or Pulumi.yaml's default the file leaves it
 * to) is above that, the way to keep Monolithic is a lower workload.logsPerDay, said in the units
 * it is written in, with the commands that set it ({@link setWorkloadCommands}).
 */
function keepMode(before: LokiSide, project: MoveProject, at?: OverridePlace): string {
  const keep = `set loki.mode: ${before.mode} to keep this stack's mode`;
  if (before.mode !== "Monolithic") return keep;
  const written = at?.written?.("workload.logsPerDay");
  const logs = written === undefined ? undefined : byteSize(written);
  const most = monolithicMostAsWritten(written);
  if (lokiModeFor(logs) === "Monolithic")
    return `${keep} (above ${most} of logs a day the stack refuses "Monolithic": docs/how-to/sizing.md)`;
  // A value Pulumi.yaml's default gives is named there: the stack file has no line of it to lower.
  const defaulted = at?.defaulted?.("workload.logsPerDay");
  const lower = `workload.logsPerDay at most ${most} (what Monolithic holds a day: docs/how-to/sizing.md; ${written}${defaulted ? `, the project default at ${defaulted},` : ""} is above it)`;
  const mode = at?.("loki.mode") ? [{ key: "loki", path: ["mode"], value: "Monolithic" }] : [];
  const { commands, others } = setWorkloadCommands(most, project, at);
  const set = [...mode.map((m) => pulumiSet(m.key, m.path, m.value, project)), ...commands];
  // Pulumi.yaml's default is the stack's whole workload: one the stack file sets replaces it, so
  // a hint that set logsPerDay alone (in the file, or with --path, which writes the file's map)
  // would drop the default's other keys, and the sizing they declare with them.
  const kept =
    others.length > 0
      ? `, keeping the default's ${others.join(", ")} (a workload the stack file sets replaces Pulumi.yaml's whole)`
      : "";
  const run = `${kept}: ${set.map((c) => `\`${c}\``).join(", then ")}`;
  return at?.("loki.mode")
    ? `to keep this stack's "Monolithic", set loki.mode: Monolithic and ${lower}${run}`
    : `to keep this stack's "Monolithic", set ${lower}${run}`;
}

/**
 * The `pulumi config set --path` commands that give the stack workload.logsPerDay `most` and keep
 * every other workload key it has: where the stack file sets workload, its own map holds them and
 * `--path` replaces the one leaf; where it leaves workload to Pulumi.yaml's default, the file's
 * first workload key replaces that default whole (pkg/workspace/config.go mergeConfig fills only
 * the keys a stack file lacks), so each of the default's other leaves is set too. `others` names
 * those leaves.
 */
function setWorkloadCommands(
  most: string,
  project: MoveProject,
  at?: OverridePlace,
): { commands: string[]; others: string[] } {
  const given = at?.projectDefault?.("workload");
  const others = leavesOf(given).filter((l) => l.path.join(".") !== "logsPerDay");
  return {
    commands: [
      ...others.map((l) => pulumiSet("workload", l.path, l.value, project)),
      pulumiSet("workload", ["logsPerDay"], most, project),
    ],
    others: others.map((l) => `workload.${l.path.join(".")}`),
  };
}

/** The scalar leaves of a plain value, each with its path (list items by index) and its text. */
function leavesOf(
  v: unknown,
  path: (string | number)[] = [],
): { path: (string | number)[]; value: string }[] {
  if (Array.isArray(v)) return v.flatMap((x, i) => leavesOf(x, [...path, i]));
  if (v && typeof v === "object") return Object.entries(v).flatMap(([k, x]) => leavesOf(x, [...path, k]));
  return typeof v === "string" || typeof v === "number" || typeof v === "boolean"
    ? [{ path, value: String(v) }]
    : [];
}

/**
 * `pulumi config set --path` of one leaf of the project's `key`, for the stack and project folder
 * judged (config/paths.ts pulumiCommand: pasted in the checkout, it edits that folder's stack file).
 */
function pulumiSet(key: string, path: (string | number)[], value: string, project: MoveProject): string {
  return `${pulumiCommand(project.dir)} config set --stack ${shellWord(project.stack)} --path ${configPathArg(key, path, PROJECT)} ${shellWord(value)}`;
}

/** The verify command of one of Loki's gates (verify/lokiGate.ts LOKI_STEPS), for the stack judged. */
type Gate = (step: string) => string;

/** The write pods' side: the move off SimpleScalable. */
function writeLeaving(before: LokiSide, after: LokiSide, gate: Gate, at?: OverridePlace): Refusal[] {
  const out: Refusal[] = [];
  const mode = `${stackKeyAt("loki.mode", at)}: `;
  const write = `${stackKeyAt("loki.write", at)}: `;
  if (before.mode === "SimpleScalable" && after.mode === "Monolithic") {
    out.push({
      field: "values.deploymentMode",
      reason: `${mode}a jump from "SimpleScalable" straight to "Monolithic" removes all ${before.write} write pods in one update, before any monolithic pod serves: the lines only their ingesters hold go with them. Take the transitional step first: loki.mode "${TRANSITIONAL}" (the monolithic pods join the ring beside the write pods), then loki.write down by one per update, then "Monolithic" (${LOKI_MOVE_DOC})`,
    });
    return out;
  }
  // The last step, with write pods still in the ring: they leave in the update that also rolls the
  // monolithic pods (their config changes with the mode) and deletes the write and backend
  // StatefulSets, with no `loki-drain` gate seeing the last ones flushed and gone, nor
  // `loki-monolithic` seeing the ring without them. The stack file now says "Monolithic", which
  // refuses loki.write, so the fix names the mode to go back to before the key to lower.
  if (before.mode === TRANSITIONAL && after.mode === "Monolithic" && before.write > 0) {
    out.push({
      field: "values.deploymentMode",
      reason: `${mode}"${TRANSITIONAL}" -> "Monolithic" while ${before.write} write pod(s) still run: they leave in the update that rolls the monolithic pods and deletes the write StatefulSet, with no gate seeing them flushed and gone from the ring. Set loki.mode back to "${TRANSITIONAL}" (loki.write is read only there) with loki.write: ${before.write - 1}${before.write > 1 ? ", then lower it by one per update down to 0" : ""}, each step after ${gate("loki-drain")} passes, then set "Monolithic" after ${gate("loki-monolithic")} passes (${LOKI_MOVE_DOC})`,
    });
    return out;
  }
  const leaving = before.write - after.write;
  if (leaving <= 0) return out;
  const moving = after.mode === TRANSITIONAL || after.mode === "Monolithic";
  // One change of loki.write, one refusal: leaving in the update that starts the monolithic pods
  // and leaving more than one at once are said together when both hold, with the one fix (keep
  // loki.write now, then down by one per update) that mends both.
  const together =
    leaving > 1
      ? `, ${leaving} at once (the chart stops them together, write.podManagementPolicy "Parallel")`
      : "";
  if (moving && before.monolithic === 0) {
    out.push({
      field: "values.write.replicas",
      reason: `${write}removes ${leaving} write pod(s) (${before.write} -> ${after.write})${together} in the update that starts the monolithic pods: nothing serves the ring yet when they leave. Keep loki.write at ${before.write} in the update to "${TRANSITIONAL}", then lower it by one per update, each after ${gate("loki-drain")} passes (${LOKI_MOVE_DOC})`,
    });
    return out;
  }
  if (leaving > 1)
    out.push({
      field: "values.write.replicas",
      reason: `${write}removes ${leaving} write pods at once (${before.write} -> ${after.write}); the chart stops them together (write.podManagementPolicy "Parallel") and no gate sees one flushed before the next goes. Lower loki.write by one per update, each after ${gate("loki-drain")} passes (${LOKI_MOVE_DOC})`,
    });
  return out;
}

/** The monolithic pods' side: the way onto SimpleScalable, and a scale-down of loki.replicas. */
function monolithicLeaving(before: LokiSide, after: LokiSide, gate: Gate, at?: OverridePlace): Refusal[] {
  const leaving = before.monolithic - after.monolithic;
  if (leaving <= 0) return [];
  const mode = `${stackKeyAt("loki.mode", at)}: `;
  const replicas = `${stackKeyAt("loki.replicas", at)}: `;
  const parallel = `the chart stops them together (singleBinary.podManagementPolicy "Parallel")`;
  const oneByOne = `each after ${gate("loki-scale-down")} passes (it sees the one before flushed and gone from Loki's ring)`;
  const lastGate = `after ${gate("loki-simple-scalable")} passes`;
  // The chart deletes the loki StatefulSet in this update and starts the write pods in it: nothing
  // else serves the ring while the monolithic pods flush, and what they do not flush stays in WALs
  // on claims no pod mounts again.
  if (after.mode === "SimpleScalable" && before.write === 0)
    return [
      {
        field: "values.deploymentMode",
        reason: `${mode}a jump from "${before.mode}" straight to "SimpleScalable" removes all ${before.monolithic} monolithic pod(s) in one update, before any write pod serves: the lines only their ingesters hold go with them. ${before.mode === TRANSITIONAL ? `Raise loki.write in "${TRANSITIONAL}" first` : `Take the transitional step first: loki.mode "${TRANSITIONAL}" with loki.write`} (the write pods join the ring beside the monolithic pods), then loki.replicas down by one per update to 1, ${oneByOne}, then "SimpleScalable" ${lastGate} (${LOKI_MOVE_DOC})`,
      },
    ];
  if (after.mode === "SimpleScalable" && leaving > 1)
    return [
      {
        field: "values.deploymentMode",
        reason: `${mode}"${before.mode}" -> "SimpleScalable" while ${before.monolithic} monolithic pods still run: the update deletes the loki StatefulSet and ${parallel}, no flush seen before the next goes. Lower loki.replicas by one per update down to 1 first (loki.replicationFactor at most loki.replicas), ${oneByOne}, then set "SimpleScalable" ${lastGate} (${LOKI_MOVE_DOC})`,
      },
    ];
  if (after.mode === "SimpleScalable") return [];
  const together = leaving > 1 ? `, ${leaving} at once (${parallel})` : "";
  if (before.write === 0 && after.write > 0)
    return [
      {
        field: "values.singleBinary.replicas",
        reason: `${replicas}removes ${leaving} monolithic pod(s) (${before.monolithic} -> ${after.monolithic})${together} in the update that starts the write pods: nothing else serves the ring yet when they leave. Keep loki.replicas at ${before.monolithic} in the update to "${after.mode}", then lower it by one per update, ${oneByOne} (${LOKI_MOVE_DOC})`,
      },
    ];
  if (leaving > 1)
    return [
      {
        field: "values.singleBinary.replicas",
        reason: `${replicas}removes ${leaving} monolithic pods at once (${before.monolithic} -> ${after.monolithic}); ${parallel} and none is seen flushed before the next goes. Lower loki.replicas by one per update, ${oneByOne} (${LOKI_MOVE_DOC})`,
      },
    ];
  return [];
}

/** The loki Releases of an export, by URN. */
function lokiReleases(resources: ExportResource[], releaseType: string): Map<string, ExportResource> {
  return new Map(
    resources
      .filter((r) => r.type === releaseType && r.custom && r.inputs?.chart === "loki")
      .map((r) => [r.urn, r]),
  );
}

/**
 * Refusals of the move, per loki Release present on both sides (matched by URN, as the engine
 * does), each naming the stack key and its file:line when `at` knows it; `dir` is the project
 * folder its commands name (config/paths.ts commandDir).
 */
export function lokiMoveChanges(
  before: ExportResource[],
  after: ExportResource[],
  releaseType: string,
  at?: OverridePlace,
  dir?: string,
): { release: ExportResource; refused: Refusal[] }[] {
  const b = lokiReleases(before, releaseType);
  const out: { release: ExportResource; refused: Refusal[] }[] = [];
  for (const [urn, a] of lokiReleases(after, releaseType)) {
    const prev = b.get(urn);
    const sb = lokiSide(prev?.inputs?.values);
    const sa = lokiSide(a.inputs?.values);
    if (!sb || !sa) continue;
    // The gates' commands name the stack the release's URN names.
    const stack = urnStack(a.urn)?.stack;
    if (!stack) continue;
    const refused = lokiMoveRefusals(sb, sa, { stack, dir }, at);
    if (refused.length > 0) out.push({ release: a, refused });
  }
  return out;
}
