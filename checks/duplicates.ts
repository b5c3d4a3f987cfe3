/**
 * No object may be rendered twice (same kind, namespace and name) across releases and raw
 * resources: the second writer fails (Helm: "exists and cannot be imported into the current
 * release"), or with server-side apply silently takes fields from the first.
 */
import type { ExportResource } from "../synth/synthesize";
import { crdsIn, describe, identity, type Finding, type Placed } from "./objects";
import { dependsOnTransitively } from "./ordering";

export function checkDuplicates(objects: Placed[]): Finding[] {
  const crds = crdsIn(objects);
  const byId = new Map<string, Placed[]>();
  for (const p of objects) {
    const id = identity(p.obj, crds);
    byId.set(id, [...(byId.get(id) ?? []), p]);
  }
  const findings: Finding[] = [];
  for (const [id, ps] of byId) {
    if (ps.length < 2) continue;
    findings.push({
      check: "duplicate",
      where: id,
      message: `${id} is rendered ${ps.length} times: ${ps.map(describe).join("; ")}`,
    });
  }
  return findings;
}

/**
 * Across a transition: an object the new program renders from one resource while the old program
 * rendered it from another. The old owner holds it until Pulumi deletes that resource at the end
 * of the update (Helm then refuses to install: the object "exists and cannot be imported into the
 * current release"), or, when the old owner stays and only its update drops the object, until
 * that update finished: fine only for a new owner that waits for it.
 */
export function checkTransitionDuplicates(
  before: { objects: Placed[] },
  after: { objects: Placed[]; resources: ExportResource[] },
): Finding[] {
  return ownerMoves(before, after).map(({ id, from, to }) => ({
    check: "duplicate",
    where: id,
    message: `during the update, ${id} moves from ${from.source} to ${to.source} while ${from.source} still owns it`,
  }));
}

/** An object that changes owner across a transition and collides: the old and the new placement. */
export interface OwnerMove {
  id: string;
  from: Placed;
  to: Placed;
}

/**
 * The collisions {@link checkTransitionDuplicates} reports, as data (the change check names both
 * owners). A move is safe only when the old owner stays, no longer renders the object, and the new
 * owner waits for it (its update drops the object first).
 */
export function ownerMoves(
  before: { objects: Placed[] },
  after: { objects: Placed[]; resources: ExportResource[] },
): OwnerMove[] {
  const crds = [...crdsIn(before.objects), ...crdsIn(after.objects)];
  const afterUrns = new Set(after.resources.map((r) => r.urn));
  const old = new Map<string, Placed>();
  for (const p of before.objects) old.set(identity(p.obj, crds), p);
  const stillOwned = new Set(after.objects.map((p) => `${p.urn} ${identity(p.obj, crds)}`));
  const moves: OwnerMove[] = [];
  for (const p of after.objects) {
    const id = identity(p.obj, crds);
    const prev = old.get(id);
    if (!prev || prev.urn === p.urn) continue;
    const dropped = afterUrns.has(prev.urn) && !stillOwned.has(`${prev.urn} ${id}`);
    if (dropped && dependsOnTransitively(after.resources, p.urn, prev.urn)) continue;
    moves.push({ id, from: prev, to: p });
  }
  return moves;
}
