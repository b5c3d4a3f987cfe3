/**
 * The move off SimpleScalable, judged update by update: what one update does to Loki's write
 * pods, read from the loki Release's values on both sides (a previous export, or what runs with
 * `--running`). Pure.
 *
 * A write pod holds the newest lines in its ingester's memory and WAL until it flushes them to
 * object storage; a write pod that goes before its flush is done takes them along, and with the
 * chart's `write.podManagementPolicy: "Parallel"` (grafana-community loki 18.11.0 values.yaml)
 * a scale-down stops every removed pod at once. So, through the chart's transitional mode
 * (templates/validate.yaml: monolithic and simple scalable replicas together only in
 * "Monolithic<->SimpleScalable"):
 * 1. the monolithic pods join the ring beside the write pods (write pods unchanged);
 * 2. the write pods leave one per update, each after `npm run verify -- --gate loki-drain` saw
 *    the previous one flushed and gone from the ring;
 * 3. then "Monolithic".
 * Refused: an update that removes write pods while no monolithic pod ran before it (nothing would
 * serve the ring they leave), one that removes more than one, a jump from SimpleScalable
 * straight to Monolithic (which is both), and "Monolithic" while write pods still run (step 3
 * before step 2 is done).
 */
import { stackKeyAt, type OverridePlace } from "../synth/report";
import type { ExportResource } from "../synth/synthesize";
import type { Refusal } from "./apiRules";

/** The transitional mode, as the chart names it (its old name is read as this). */
export const TRANSITIONAL = "Monolithic<->SimpleScalable";
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
  const scalable =
    mode === "SimpleScalable" || mode === TRANSITIONAL || mode === "SimpleScalable<->Distributed";
  const monolithic = mode === "Monolithic" || mode === TRANSITIONAL;
  return {
    mode,
    monolithic: monolithic ? num(values.singleBinary?.replicas, 0) : 0,
    write: scalable ? num(values.write?.replicas, 3) : 0,
  };
}

/** Why the change from `before` to `after` could lose the lines the write pods hold (empty when it cannot). */
export function lokiMoveRefusals(before: LokiSide, after: LokiSide, at?: OverridePlace): Refusal[] {
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
  // `loki-monolithic` seeing the ring without them.
  if (before.mode === TRANSITIONAL && after.mode === "Monolithic" && before.write > 0) {
    out.push({
      field: "values.deploymentMode",
      reason: `${mode}"${TRANSITIONAL}" -> "Monolithic" while ${before.write} write pod(s) still run: they leave in the update that rolls the monolithic pods and deletes the write StatefulSet, with no gate seeing them flushed and gone from the ring. Lower loki.write by one per update down to 0 first (each after npm run verify -- --gate loki-drain), then set "Monolithic" after npm run verify -- --gate loki-monolithic passes (${LOKI_MOVE_DOC})`,
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
      reason: `${write}removes ${leaving} write pod(s) (${before.write} -> ${after.write})${together} in the update that starts the monolithic pods: nothing serves the ring yet when they leave. Keep loki.write at ${before.write} in the update to "${TRANSITIONAL}", then lower it by one per update, each after npm run verify -- --gate loki-drain passes (${LOKI_MOVE_DOC})`,
    });
    return out;
  }
  if (leaving > 1)
    out.push({
      field: "values.write.replicas",
      reason: `${write}removes ${leaving} write pods at once (${before.write} -> ${after.write}); the chart stops them together (write.podManagementPolicy "Parallel") and no gate sees one flushed before the next goes. Lower loki.write by one per update, each after npm run verify -- --gate loki-drain passes (${LOKI_MOVE_DOC})`,
    });
  return out;
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
 * does), each naming the stack key and its file:line when `at` knows it.
 */
export function lokiMoveChanges(
  before: ExportResource[],
  after: ExportResource[],
  releaseType: string,
  at?: OverridePlace,
): { release: ExportResource; refused: Refusal[] }[] {
  const b = lokiReleases(before, releaseType);
  const out: { release: ExportResource; refused: Refusal[] }[] = [];
  for (const [urn, a] of lokiReleases(after, releaseType)) {
    const prev = b.get(urn);
    const sb = lokiSide(prev?.inputs?.values);
    const sa = lokiSide(a.inputs?.values);
    if (!sb || !sa) continue;
    const refused = lokiMoveRefusals(sb, sa, at);
    if (refused.length > 0) out.push({ release: a, refused });
  }
  return out;
}
