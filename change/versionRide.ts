/**
 * The `--against` warning of a version change (a chart or image bump, as Renovate proposes in
 * model/versions.ts, or a stack's own image override) riding in the same update as a move of one
 * phase. The docs take each on its own: a phase move after its gate, which asks the stack as it
 * runs at the phase before (move-between-phases.md step 2), then `verify` at the new phase (step
 * 1); a bump checked against the export of the version that runs, then the same verify
 * (chart-upgrades.md step 5). In one update the gate asked a stack running the old versions, and a
 * check that fails after it cannot be told to either change. Nothing refuses it (the update is
 * not wrong, only untested that way), so it is said, with the split: the phase set back, the
 * version change alone (pulumi up, verify), the gate again, then the phase.
 *
 * Only what the update really changes is named: a Release kept by the move whose chart version
 * differs, and an image reference at the same place of a resource kept by the move whose tag or
 * digest differs. What the move itself creates or deletes runs no older version, and a resource
 * whose inputs the engine keeps on update (ignoreChanges: a takeover's adopted release) is left out.
 */
import { parseImage } from "@homelab-observability/contract";
import { digestOf, imageRefsIn } from "../checks/imageDigests";
import { gateCommand } from "../model/phases";
import { RELEASE_TYPE } from "../model/names";
import { listed } from "../model/words";
import type { OverridePlace } from "../synth/report";
import type { ExportResource, StackExport, SynthResult } from "../synth/synthesize";
import { plainValue } from "./describe";
import { PHASE_MOVE_DOC, type PhaseMove, type UnknownPhase } from "./phaseMove";

/** A release's name as Helm knows it (namespace/name), else its resource name. */
const releaseName = (r: ExportResource): string =>
  r.inputs?.namespace && r.inputs?.name
    ? `${r.inputs.namespace}/${r.inputs.name}`
    : (r.urn.split("::").pop() ?? r.urn);

/** Each image reference of a resource by the place that sets it (a release's values, else its inputs). */
function imagesOf(r: ExportResource): Map<string, string> {
  const of = r.type === RELEASE_TYPE ? plainValue(r.inputs?.values) : plainValue(r.inputs);
  return new Map(imageRefsIn(of ?? {}, "").map((f) => [f.path, f.ref]));
}

/** How one image reference moved: its tag, else its digest (a digest-only bump keeps the tag). */
function imageMove(was: string, is: string): string | undefined {
  const [a, b] = [parseImage(was), parseImage(is)];
  if (a.repository !== b.repository) return undefined;
  if (a.tag !== b.tag) return `image ${b.repository} ${a.tag} -> ${b.tag}`;
  const [da, db] = [digestOf(was), digestOf(is)];
  return da !== db && da && db ? `image ${b.repository}:${b.tag} digest ${da} -> ${db}` : undefined;
}

/**
 * The version changes from `previous` to `next` of what both hold, each said once: a release's
 * chart version, an image's tag or digest. `ignored`: the inputs the engine keeps, by URN.
 */
export function versionChanges(
  previous: StackExport,
  next: StackExport,
  ignored: Record<string, string[]> = {},
): string[] {
  const was = new Map(previous.deployment.resources.map((r) => [r.urn, r]));
  const out = new Set<string>();
  for (const r of next.deployment.resources) {
    const old = was.get(r.urn);
    if (!old || (ignored[r.urn] ?? []).length > 0) continue;
    const [v0, v1] = [old.inputs?.version, r.inputs?.version];
    if (r.type === RELEASE_TYPE && typeof v0 === "string" && typeof v1 === "string" && v0 !== v1)
      out.add(`release ${releaseName(r)} chart ${String(r.inputs?.chart)} ${v0} -> ${v1}`);
    const before = imagesOf(old);
    for (const [at, ref] of imagesOf(r)) {
      const moved = before.has(at) ? imageMove(before.get(at)!, ref) : undefined;
      if (moved) out.add(moved);
    }
  }
  return [...out];
}

/**
 * The warning for a move of one phase (either way) whose update also changes versions
 * ({@link versionChanges}); undefined for any other move (a refused one names the phase to set
 * first, and this is said once that is set) or none changed. `at` places `phase` in the stack file.
 */
export function versionRideVerdict(
  move: PhaseMove | UnknownPhase | undefined,
  previous: StackExport,
  next: Pick<SynthResult, "export" | "ignoreChanges">,
  stack: string,
  at?: OverridePlace,
  dir?: string,
): { line: string; refused: false } | undefined {
  if (!move || !("from" in move) || Math.abs(move.steps) !== 1) return undefined;
  const changes = versionChanges(previous, next.export, next.ignoreChanges);
  if (changes.length === 0) return undefined;
  const where = at?.("phase");
  const back = `set phase: ${move.from} back${where ? ` (${where})` : ""}`;
  const forward = move.steps > 0;
  // Forward, the gate asked the stack as it ran (the old versions); back, no gate is asked (step 4).
  const why = forward
    ? `its gate (\`${gateCommand(stack, move.to, dir)}\`) asks the stack as it runs, on the versions before the change, and `
    : "";
  const gateAgain = forward ? ", run the gate again" : "";
  return {
    line: `WARNING two changes ride one update: phase ${move.from} -> ${move.to} and ${changes.length > 1 ? "version changes" : "a version change"}, ${listed(changes)}. The docs take each on its own: ${why}a check that fails under \`npm run verify\` after pulumi up cannot be traced to one of them. To split them, ${back}, pulumi up the version change alone and verify it${gateAgain}, then set phase: ${move.to} again (${PHASE_MOVE_DOC}, step ${forward ? 2 : 4}; docs/how-to/chart-upgrades.md)`,
    refused: false,
  };
}
