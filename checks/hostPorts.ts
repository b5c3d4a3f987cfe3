/**
 * No two workloads may claim the same host port on a node: with hostNetwork every container port
 * is a host port, otherwise `hostPort` is. A DaemonSet's pod that cannot bind stays Pending (or
 * crash-loops), so Helm's `--wait` times out and an atomic release rolls back.
 *
 * Across a transition the old objects live on while the new ones start: Pulumi creates and updates
 * first and deletes replaced-away resources at the end of the update, so every object of a Pulumi
 * resource that the new program no longer has coexists with all new objects. An object dropped by
 * the update of a resource that stays (a release whose values switch a DaemonSet off) is gone once
 * that update finished, so it clashes only with new objects of resources that do not wait for it
 * (dependsOn in the export, transitively).
 */
import type { ExportResource } from "../synth/synthesize";
import { isParked } from "../builders/security/podSecurity";
import { crdsIn, describe, identity, podTemplates, releaseUrns, type Finding, type Placed } from "./objects";
import { dependsOnTransitively } from "./ordering";

export interface HostPortClaim {
  port: number;
  protocol: string;
  owner: Placed;
  /**
   * The pod's field that makes it a host port: the container's `ports` (its `hostPort`), or
   * `hostNetwork`, which makes every port the pod listens on one (a port it declares is then no
   * cause: alone it claims nothing of the host).
   */
  judged: string[];
}

/** Host ports each workload claims (per node). */
export function hostPortClaims(objects: Placed[]): HostPortClaim[] {
  const out: HostPortClaim[] = [];
  for (const t of podTemplates(objects.filter((p) => !p.hook))) {
    // A parked DaemonSet runs on no node (the agents' hand-over).
    if (isParked(t.spec)) continue;
    const hostNetwork = t.spec.hostNetwork === true;
    for (const c of t.spec.containers ?? []) {
      for (const cp of c.ports ?? []) {
        const port = cp.hostPort ?? (hostNetwork ? cp.containerPort : undefined);
        const judged = cp.hostPort === undefined ? ["hostNetwork"] : ["ports"];
        if (typeof port === "number")
          out.push({ port, protocol: cp.protocol ?? "TCP", owner: t.owner, judged });
      }
    }
  }
  return out;
}

function clashes(
  claims: HostPortClaim[],
  ids: (p: Placed) => string,
  allowed: (a: HostPortClaim, b: HostPortClaim) => boolean,
  label: string,
): Finding[] {
  const findings: Finding[] = [];
  for (let i = 0; i < claims.length; i++) {
    for (let j = i + 1; j < claims.length; j++) {
      const [a, b] = [claims[i], claims[j]];
      if (a.port !== b.port || a.protocol !== b.protocol || ids(a.owner) === ids(b.owner)) continue;
      if (allowed(a, b)) continue;
      // The releases whose pods claim it: what follows from their values (a hostNetwork override)
      // names the override (synth/report.ts).
      const releases = releaseUrns([a.owner, b.owner]);
      findings.push({
        check: "host-port",
        where: `${a.protocol} ${a.port}`,
        message: `${label}host port ${a.protocol}/${a.port} is claimed by ${describe(a.owner)} and by ${describe(b.owner)}`,
        // What the clash rests on: the claims' host ports, or the host network that made their
        // ports host ports, so that an override setting neither (a memory limit, the container
        // ports Alloy's `extraPorts` adds beside its own 12345) is named as no cause of it.
        ...(releases.length > 0 ? { releases, judged: [...new Set([...a.judged, ...b.judged])] } : {}),
      });
    }
  }
  return findings;
}

/** Clashes within one phase. */
export function checkHostPorts(objects: Placed[]): Finding[] {
  const crds = crdsIn(objects);
  return clashes(
    hostPortClaims(objects),
    (p) => identity(p.obj, crds),
    () => false,
    "",
  );
}

/**
 * Clashes while moving from `before` to `after` (rendered objects and the export of each side).
 * `after`'s objects replace `before`'s of the same identity; the rest of `before` coexists as
 * described above.
 */
export function checkTransitionHostPorts(
  before: { objects: Placed[]; resources: ExportResource[] },
  after: { objects: Placed[]; resources: ExportResource[] },
): Finding[] {
  return transitionHostPortClashes(before, after).map(({ old, now }) => ({
    check: "host-port",
    where: `${old.protocol} ${old.port}`,
    message: `during the update, host port ${old.protocol}/${old.port} is claimed by ${describe(old.owner)} and by ${describe(now.owner)}`,
  }));
}

/**
 * The clashes {@link checkTransitionHostPorts} reports, as data: the old claim that still holds
 * the port and the new one that cannot bind it (the change check names both).
 */
export function transitionHostPortClashes(
  before: { objects: Placed[]; resources: ExportResource[] },
  after: { objects: Placed[]; resources: ExportResource[] },
): { old: HostPortClaim; now: HostPortClaim }[] {
  const crds = [...crdsIn(before.objects), ...crdsIn(after.objects)];
  const id = (p: Placed) => identity(p.obj, crds);
  const afterUrns = new Set(after.resources.map((r) => r.urn));
  // Every old claim lives until its resource's update (or deletion) is done: an object the new
  // program keeps but changes (a parked DaemonSet) still holds its port while that update runs.
  const oldClaims = hostPortClaims(before.objects);
  const newClaims = hostPortClaims(after.objects);
  const out: { old: HostPortClaim; now: HostPortClaim }[] = [];
  for (const old of oldClaims)
    for (const now of newClaims) {
      if (old.port !== now.port || old.protocol !== now.protocol || id(old.owner) === id(now.owner)) continue;
      // The old object's resource is deleted at the end of the update: it coexists with everything.
      if (afterUrns.has(old.owner.urn)) {
        // Same release: Helm deletes what the new manifest drops before it waits.
        if (old.owner.urn === now.owner.urn) continue;
        // The new claimer waits for the update that drops (or parks) the old object.
        if (dependsOnTransitively(after.resources, now.owner.urn, old.owner.urn)) continue;
      }
      out.push({ old, now });
    }
  return out;
}
