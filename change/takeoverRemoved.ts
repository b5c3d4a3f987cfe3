/**
 * One message per mistake: the `takeover` block removed from the stack file after a takeover
 * (docs/how-to/take-over-flux.md). Without it the program names and sources what it adopted as
 * its own again: the buckets and Secrets the block named (bucketMove.ts, grafanaAdmin.ts refuse
 * each, naming the takeover key), the Prometheus claim takeover.prometheusVolume named (the engine
 * replaces it, plan/metrics.ts prometheusClaim), and kube-prometheus-stack's fullname the block
 * kept (config/resolve.ts kpsFullnameOf; without it builders/metrics/kpsValues.ts sets RELEASES.kps),
 * whose Prometheus and Alertmanager are then refused as renames that advise a chart value to set
 * back. Those refusals are one: said once, naming the block, every place it touches and what to
 * put back. A refusal with another cause stays as it was.
 */
import { PROJECT, PVC_TYPE, RELEASE_TYPE, RELEASES } from "../model/names";
import type { StackExport } from "../synth/synthesize";
import { chartValueOverridesOf } from "../synth/report";
import { prometheusClaim } from "../model/storage";
import type { ChangeReport, VerdictCause } from "./change";
import type { Refusal } from "./apiRules";
import { movedBuckets } from "./bucketMove";
import { grafanaAdminOf } from "./grafanaAdmin";

/** A stack-wide verdict line of the --against section (check.ts againstSection), with its traced cause. */
interface Verdict {
  line: string;
  refused: boolean;
  cause?: VerdictCause;
}

/**
 * The takeover keys behind a stack-wide refusal (`takeover.buckets.loki.chunks`), from the cause
 * it traced (bucketMove.ts, grafanaAdmin.ts), never from its words: a line may quote a name
 * that reads like a key.
 */
const takeoverKeys = (v: Verdict): string[] => v.cause?.keys.filter((k) => k.startsWith("takeover.")) ?? [];

/**
 * `key: value` for a takeover key a stack-wide refusal names, with the value the previous export
 * was made with: a bucket's name (bucketMove.ts) or Grafana's admin Secret (grafanaAdmin.ts).
 */
function heldBy(key: string, previous: StackExport, next: StackExport): string {
  const bucket = /^takeover\.buckets\.([^.]+)\.([^.]+)$/.exec(key);
  const moved =
    bucket &&
    movedBuckets(previous, next).find((m) => m.to.consumer === bucket[1] && m.to.purpose === bucket[2]);
  if (moved) return `${key}: ${moved.from.bucket}`;
  const admin = key === "takeover.secrets.grafanaAdmin" ? grafanaAdminOf(previous)?.source : undefined;
  return admin?.kind === "existing" ? `${key}: ${admin.secret}` : key;
}

/**
 * The inputs of the program's resource of `type` named `name` (the URN's last part), or its first
 * of that type: the Prometheus claim is the program's one raw claim (change/claimCause.ts).
 */
function inputOf(exp: StackExport, type: string, name?: string): Record<string, any> | undefined {
  return exp.deployment.resources.find((r) => r.type === type && (!name || r.urn.endsWith(`::${name}`)))
    ?.inputs;
}

/**
 * `verdicts` and `report` with the refusals the takeover block's removal causes folded into one
 * stack-wide refusal, when there are two or more of them; the caller has found the stack file
 * without a takeover block (`file` names it).
 */
export function foldTakeoverRemoved<V extends Verdict>(
  previous: StackExport,
  next: StackExport,
  verdicts: V[],
  report: ChangeReport,
  file: string,
): { verdicts: (V | { line: string; refused: true })[]; report: ChangeReport } {
  const places: string[] = [];
  const putBack: string[] = [];
  // The stack-wide refusals traced to a takeover key: the file has none, so the removal unset it.
  const byBlock = verdicts.filter((v) => v.refused && takeoverKeys(v).length > 0);
  for (const v of byBlock) {
    const keys = takeoverKeys(v);
    places.push(`${v.cause!.place} (${keys.join(", ")})`);
    putBack.push(...keys.map((k) => heldBy(k, previous, next)));
  }
  // The Prometheus claim: the program's one raw claim, named by takeover.prometheusVolume or the
  // kept fullname; without a takeover block its name is the program's own.
  const [claimWas, claimIs] = [previous, next].map((e) => inputOf(e, PVC_TYPE));
  const claimRenamed =
    typeof claimWas?.metadata?.name === "string" && claimWas.metadata.name !== claimIs?.metadata?.name;
  if (!claimRenamed && byBlock.length === 0) return { verdicts, report };
  // kube-prometheus-stack's fullname: the block kept the running one; an override of it is the user's.
  const [kpsWas, kpsIs] = [previous, next].map(
    (e) => inputOf(e, RELEASE_TYPE, RELEASES.kubePrometheusStack)?.values?.fullnameOverride,
  );
  const overridden = [...chartValueOverridesOf(previous.deployment.resources)].some((o) =>
    o.startsWith(`${RELEASES.kubePrometheusStack}.fullnameOverride`),
  );
  const fullnameDropped =
    typeof kpsWas === "string" && kpsWas !== kpsIs && kpsIs === RELEASES.kps && !overridden;
  const kpsOwner = (owner: string) => owner.endsWith(`/${RELEASES.kubePrometheusStack}`);
  const ofBlock = (subject: string, owner: string, r: Refusal) =>
    (claimRenamed && subject.startsWith("PersistentVolumeClaim::") && r.field.startsWith("metadata.name")) ||
    (fullnameDropped && r.kind === "rename" && kpsOwner(owner));
  const folded = new Set<Refusal>();
  let claimFolded = false;
  for (const e of report.entries)
    for (const r of e.refused)
      if (ofBlock(e.subject, e.owner, r)) {
        folded.add(r);
        claimFolded ||= r.kind !== "rename";
        // A rename's own advice (a chart value to set back) is not this one's way out: what it
        // found is said without it, as the rename refusal gives it (change.ts renameRefusal).
        places.push(`${e.subject} ${r.field}: ${r.kind === "rename" ? r.found : r.reason}`);
      }
  // The claim's name is the kept fullname's own (model/storage.ts prometheusClaim) unless
  // takeover.prometheusVolume named another.
  const ownClaim = typeof kpsWas === "string" && prometheusClaim(kpsWas).claim === claimWas?.metadata?.name;
  if (claimFolded && !ownClaim) putBack.push(`takeover.prometheusVolume: ${claimWas?.metadata?.name}`);
  if (fullnameDropped && folded.size > 0)
    putBack.push(
      `takeover.releases.kubePrometheusStack (or takeover.kpsFullname), which kept kube-prometheus-stack's fullname ${kpsWas} where the program's own is ${RELEASES.kps}`,
    );
  if (places.length < 2) return { verdicts, report };
  const entries = report.entries.map((e) => ({ ...e, refused: e.refused.filter((r) => !folded.has(r)) }));
  const line =
    `REFUSED takeover: the stack file ${file} no longer has the takeover block (${PROJECT}:takeover) the previous export was made with, ` +
    `and that one removal is refused at ${places.length} places: ${places.join("; ")}. ` +
    `Put the takeover block back as it was, with ${[...new Set(putBack)].join(", ")}; ` +
    "to end the takeover, remove its keys with the block in place, one update at a time, so each is checked with its own way out";
  return {
    verdicts: [{ line, refused: true }, ...verdicts.filter((v) => !byBlock.includes(v))],
    report: { entries, refused: entries.filter((e) => e.refused.length > 0) },
  };
}
