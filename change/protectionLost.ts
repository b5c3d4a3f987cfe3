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
import type { ExportResource, StackExport } from "../synth/synthesize";
import { PROMETHEUS_VOLUME_TYPE } from "../model/storage";
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

/** `the update removes Pulumi's protect from …` and what that changes, for the resources `lost`. */
function removed(lost: ExportResource[]): string {
  const things = lost.map((r) => whatGoes(r.urn, r, { objects: [] }).thing);
  return `the update removes Pulumi's protect from ${listed(things)}: nothing is deleted now, but the engine no longer refuses a later update that deletes ${lost.length === 1 ? "it and what it holds" : "them and what they hold"}`;
}

/**
 * One warning per stack key that lifts protection, naming the key at its line and every resource
 * it unprotects: `production` where the new export is no longer a production stack and the
 * previous one was; else `prometheus.cleanupVolumeOnRemoval` for the Prometheus claim (the only
 * other key that decides a resource's protection, plan/metrics.ts). Any other resource that loses
 * it (none the program makes now: a state an older version wrote) is said without a key.
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
  const keyed = (key: string, now: boolean, of: ExportResource[]): ProtectionLostVerdict => ({
    line: `WARNING protection lifted: ${stackKeyAt(key, at)} is now ${now}, so ${removed(of)}. If that is not intended, set ${key}: ${!now}`,
    refused: false,
  });
  // `production` turned off: a stack that was no production stack before lost it otherwise.
  if (productionOf(previous) !== false && productionOf(next) === false)
    return [keyed("production", false, lost)];
  // The claim is the PVC child of the PrometheusVolume component (change.ts prometheusClaimKeys).
  const claim = (r: ExportResource) => r.urn.includes(`${PROMETHEUS_VOLUME_TYPE}$`);
  const [claims, others] = [lost.filter(claim), lost.filter((r) => !claim(r))];
  return [
    ...(claims.length > 0 ? [keyed("prometheus.cleanupVolumeOnRemoval", true, claims)] : []),
    ...(others.length > 0
      ? [{ line: `WARNING protection lifted: ${removed(others)}`, refused: false as const }]
      : []),
  ];
}
