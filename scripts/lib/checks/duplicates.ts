/**
 * No object may be rendered twice (same kind, namespace and name) across releases and raw
 * resources: the second writer fails (Helm: "exists and cannot be imported into the current
 * release"), or with server-side apply silently takes fields from the first.
 */
import { crdsIn, describe, identity, type Finding, type Placed } from "./objects";

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
