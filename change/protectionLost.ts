/**
 * The `--against` warning of resources the update keeps but no longer protects: Pulumi's `protect`
 * on the stateful resources (namespaces, buckets, the CRD release, the Loki and Grafana releases,
 * the Prometheus claim) follows `production` (plan/*.ts), and the Prometheus claim's also follows
 * `prometheus.cleanupVolumeOnRemoval` (plan/metrics.ts). The objects' list shows no field of theirs
 * changing (protect is a resource option, not an input), so a stack file turned to
 * `production: false` lifted the guard on every volume and bucket with nothing said.
 *
 * Warned, not refused, as the change check treats every change that loses nothing in this update
 * (dashboards.ts, imageDowngrade.ts, a tenant move whose old tenant stays readable): it refuses what
 * the API server, Helm or the engine refuses and what deletes data (change/change.ts
 * resourceDeletion), and lifting protection deletes nothing. Leaving production (or letting the
 * Prometheus claim go) is a stack's legitimate choice, which nothing in the project refuses; what it
 * changes is that a later update dropping these resources is no longer stopped by the engine.
 */
import { decodeStackInfo } from "@homelab-observability/contract";
import { stackKeyAt, type OverridePlace } from "../config/locate";
import { listed } from "../model/words";
import type { StackExport } from "../synth/synthesize";
import { whatGoes } from "./change";
import { plainValue } from "./describe";
import { stackInfoData } from "./phaseMove";

/** A warning line for the stack-wide change, as the image downgrade's. */
export interface ProtectionLostVerdict {
  line: string;
  refused: false;
}

/** The `production` flag an export records in its stack-info ConfigMap; undefined when it has none. */
const productionOf = (exp: StackExport): boolean | undefined =>
  decodeStackInfo(plainValue(stackInfoData(exp))).production;

/**
 * One warning per stack key that lifts protection: `production` where the new export is no longer
 * a production stack, else `prometheus.cleanupVolumeOnRemoval` (the only other key that decides a
 * resource's protection), each naming the key at its line and every resource it unprotects.
 */
export function protectionLostVerdicts(
  previous: StackExport,
  next: StackExport,
  at?: OverridePlace,
): ProtectionLostVerdict[] {
  const was = new Map(previous.deployment.resources.map((r) => [r.urn, r]));
  const lost = next.deployment.resources.filter(
    (r) => was.get(r.urn)?.protect === true && r.protect !== true,
  );
  if (lost.length === 0) return [];
  // The value each key has now, the one that lifts the protection (plan/*.ts).
  const [key, now] =
    productionOf(next) === false ? ["production", false] : ["prometheus.cleanupVolumeOnRemoval", true];
  const things = lost.map((r) => whatGoes(r.urn, r, { objects: [] }).thing);
  return [
    {
      line: `WARNING protection lifted: ${stackKeyAt(key, at)} is now ${now}, so the update removes Pulumi's protect from ${listed(things)}: nothing is deleted now, but the engine no longer refuses a later update that deletes ${lost.length === 1 ? "it and what it holds" : "them and what they hold"}. If that is not intended, set ${key}: ${!now}`,
      refused: false,
    },
  ];
}
