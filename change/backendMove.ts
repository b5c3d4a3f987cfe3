/**
 * The `--against` refusal of a change of `metricsBackend` while the previous export ran a backend
 * (from `dual-write` on). Mimir and VictoriaMetrics keep their own stores (Mimir's blocks in its
 * buckets, vmsingle's TSDB on its claim) and the program copies nothing from one to the other: the
 * update removes the old backend (its buckets and claims are retained, so the data stays where it
 * is) and starts the new one empty. What the old one holds no longer shows in Grafana. From `kps-removed` on that is every metric the stack has; at
 * `dual-write` it is the copy the `backend-primary` gate waits on. So it is refused, naming the key
 * with its line, and the way to change the backend where no backend runs: at `loki-fixed`.
 */
import { capabilities, PHASES, type Backend } from "../model/phases";
import type { ExportResource, StackExport } from "../synth/synthesize";
import type { OverridePlace } from "../synth/report";
import type { StackSynthesis } from "../synth/run";
import type { ChangeReport } from "./change";
import {
  BACKEND_COMPONENT,
  BACKEND_MOVE_DOC,
  backendOfExport,
  componentsAt,
  nextStep,
  phaseMove,
  phaseOfExport,
  stackInfoData,
} from "./phaseMove";
import { listed } from "../model/words";

export { BACKEND_MOVE_DOC };

/**
 * What each backend keeps that the program does not carry to the other. Both are retained on
 * removal: buckets `retainOnDelete` (components/objectstore/objectStore.ts), Mimir's claims
 * `whenDeleted: Retain` (builders/metrics/mimirValues.ts), vmsingle's `removePvcAfterDelete: false`
 * (builders/metrics/vmValues.ts).
 */
const HOLDS: Record<Backend, string> = {
  mimir: "the metrics history (its blocks in the object store, recent series on its claims)",
  victoriametrics: "the metrics history (vmsingle's data on its claim)",
};

/** The component the object store's buckets are built in (components/objectstore/objectStore.ts). */
const OBJECT_STORE = "homelab:objectstore:ObjectStore";

/**
 * Where each kind of bucket the object store makes holds its bucket's name, as both a synthesis
 * and `pulumi stack export` record inputs: MinIO's `bucket` (builders/objectstore/storeObjects.ts
 * bucketArgs), Garage's `name` (components/objectstore/garage.ts), a Ceph ObjectBucketClaim's
 * `spec.bucketName` (storeObjects.ts objectBucketClaim).
 */
export const BUCKET_NAME: Record<string, (inputs: Record<string, any>) => unknown> = {
  "minio:index/s3Bucket:S3Bucket": (i) => i.bucket,
  "pulumi-nodejs:dynamic/garage:Bucket": (i) => i.name,
  "kubernetes:objectbucket.io/v1alpha1:ObjectBucketClaim": (i) => i.spec?.bucketName,
};

/** The component types above a resource, nearest first, by its `parent` chain. */
function ancestors(r: ExportResource, byUrn: Map<string, ExportResource>): string[] {
  const out: string[] = [];
  for (let p = byUrn.get(r.parent ?? ""); p; p = byUrn.get(p.parent ?? "")) out.push(p.type);
  return out;
}

/**
 * What the old backend's removal alone deletes, in the previous export: every resource under the
 * backend's component (its `parent` chain, which a synthesis and `pulumi stack export` both record:
 * pulumi/pulumi sdk/go/common/apitype/core.go ResourceV3 `parent`), and the object store's buckets
 * the plan gives only that backend (`buckets`: config/buckets.ts backendBuckets, under the new
 * config; a bucket renamed besides, by a new prefix, has another cause too and is not among them).
 * Its releases are named as the change names the owner of the objects they render.
 */
export function removedWithBackend(
  previous: StackExport,
  backend: Backend,
  buckets: readonly string[],
): { urns: Set<string>; owners: Set<string> } {
  return removedWith(previous, [BACKEND_COMPONENT[backend]], buckets);
}

/**
 * What the removal of the components of types `components` alone deletes, in the previous export:
 * every resource under one of them, and the object store's `buckets` (as {@link removedWithBackend}).
 */
function removedWith(
  previous: StackExport,
  components: readonly string[],
  buckets: readonly string[],
): { urns: Set<string>; owners: Set<string> } {
  const all = previous.deployment.resources;
  const byUrn = new Map(all.map((r) => [r.urn, r]));
  const urns = new Set<string>();
  const owners = new Set<string>();
  for (const r of all) {
    const above = ancestors(r, byUrn);
    const name = BUCKET_NAME[r.type]?.(r.inputs ?? {});
    const mine =
      above.some((t) => components.includes(t)) ||
      (above.includes(OBJECT_STORE) && typeof name === "string" && buckets.includes(name));
    if (!mine) continue;
    urns.add(r.urn);
    if (r.type === "kubernetes:helm.sh/v3:Release")
      owners.add(
        `release ${String(r.inputs?.namespace ?? "default")}/${String(r.inputs?.name ?? r.urn.split("::").pop())}`,
      );
  }
  return { urns, owners };
}

/** What a backend's removal deletes that is refused on its own: said inside the backend's refusal. */
export interface AlsoDeleted {
  /** Protected resources, refused for nothing else (`bucket production-mimir-blocks`). */
  protected: string[];
  /**
   * Those of `protected` retained on delete (the buckets): the engine would only drop them from
   * the stack and leave them where they are, were they not protected.
   */
  retained: string[];
  /** Any other refused deletion, as the change would list it (`<subject> <field>: <reason>`). */
  other: string[];
}

/**
 * One message per mistake: the refusals of the change whose only cause is the old backend's
 * removal (its protected buckets, its protected release, whatever else its removal refuses) leave
 * the report and are returned, for the backend's refusal to name. Their entries stay listed, as
 * the deletions they are. Without this, production's Mimir -> VictoriaMetrics read as 4 refused,
 * three of them ending in a `pulumi state unprotect` the backend's refusal advises against.
 */
export function foldBackendRemoval(
  report: ChangeReport,
  removed: { urns: Set<string>; owners: Set<string> },
): { report: ChangeReport; also: AlsoDeleted } {
  const also: AlsoDeleted = { protected: [], retained: [], other: [] };
  const entries = report.entries.map((e) => {
    const gone =
      e.action === "delete" &&
      ((e.urn !== undefined && removed.urns.has(e.urn)) || removed.owners.has(e.owner));
    if (!gone || e.refused.length === 0) return e;
    for (const r of e.refused)
      if (r.kind === "protected" && r.thing) {
        also.protected.push(r.thing);
        if (e.retained) also.retained.push(r.thing);
      } else also.other.push(`${e.subject} ${r.field}: ${r.reason}`);
    return { ...e, refused: [] };
  });
  return { report: { entries, refused: entries.filter((e) => e.refused.length > 0) }, also };
}

/**
 * What a refusal says of the deletions it folds (see {@link foldBackendRemoval}); `keeping` is
 * what keeps them, as the sentence's subject (`keeping mimir`).
 */
function alsoSaid(keeping: string, also: AlsoDeleted): string {
  const deleted = also.protected.filter((t) => !also.retained.includes(t));
  const they = also.retained.length === 1 ? ["it", "is", "holds"] : ["they", "are", "hold"];
  // The engine's rule, as change.ts says it for a protected deletion of its own: a resource
  // retained on delete leaves the stack alone, and protect refuses that step too.
  const parts = [
    ...(deleted.length > 0
      ? [
          `It would also delete the protected ${listed(deleted)}, which the engine refuses (pulumi/pulumi step_generator.go).`,
        ]
      : []),
    ...(also.retained.length > 0
      ? [
          `It would also drop the protected ${listed(also.retained)} from the stack (retained on delete: ${they[0]} ${they[1]} kept where ${they[0]} ${they[1]}, with what ${they[0]} ${they[2]}), which the engine refuses for a protected resource (pulumi/pulumi step_generator.go).`,
        ]
      : []),
    ...(also.other.length > 0 ? [`Its removal is also refused at ${also.other.join("; and at ")}.`] : []),
  ];
  if (parts.length === 0) return "";
  const one = also.protected.length + also.other.length === 1;
  return ` ${parts.join(" ")} ${one ? "It is" : "Each is"} listed below without a refusal of its own: ${keeping} keeps ${one ? "it" : "them"}.`;
}

/**
 * A phase move the change check refuses (change/phaseMove.ts nextStep: a forward skip, or back more
 * than one phase) with the change's refusals it causes folded into it, as a backend swap's are: what
 * the components that `previous` runs and the phase to set next keeps, but the new phase drops,
 * deletes (the backend with its buckets, the standalone Alertmanager, kube-prometheus-stack). Their
 * refusals leave `report`; `also` is what the phase refusal says of them ("" when none, or the
 * move is not refused). Without it, production moved from kps-removed back to loki-fixed read as
 * 4 refused, three of them a `pulumi state unprotect` of Mimir's buckets the next step keeps.
 */
export function foldPhaseMove(
  previous: StackExport,
  next: Pick<StackSynthesis, "export" | "backendBuckets">,
  report: ChangeReport,
): { also: string; report: ChangeReport } {
  const move = phaseMove(previous, next.export);
  const step = nextStep(move);
  if (!step || !move || !("from" in move)) return { also: "", report };
  const backend = backendOfExport(previous) ?? backendOfExport(next.export);
  if (!backend) return { also: "", report };
  const kept = componentsAt(step, backend);
  const dropped = componentsAt(move.from, backend).filter(
    (c) => kept.includes(c) && !componentsAt(move.to, backend).includes(c),
  );
  if (dropped.length === 0) return { also: "", report };
  const buckets = dropped.includes(BACKEND_COMPONENT[backend]) ? next.backendBuckets[backend] : [];
  const folded = foldBackendRemoval(report, removedWith(previous, dropped, buckets));
  return { also: alsoSaid(`phase: ${step}, the phase to set next,`, folded.also), report: folded.report };
}

/**
 * The backend swap's refusal, with the change's refusals it causes folded into it (see
 * {@link foldBackendRemoval}): `report` unchanged and no verdict when the backend stays.
 */
export function backendMove(
  previous: StackExport,
  next: Pick<StackSynthesis, "export" | "backendBuckets">,
  report: ChangeReport,
  at?: OverridePlace,
): { verdict?: { line: string; refused: true }; report: ChangeReport } {
  const from = backendOfExport(previous);
  if (!from || !backendMoveVerdict(previous, next.export)) return { report };
  const folded = foldBackendRemoval(report, removedWithBackend(previous, from, next.backendBuckets[from]));
  return { verdict: backendMoveVerdict(previous, next.export, at, folded.also), report: folded.report };
}

/**
 * The profile the stack-info ConfigMaps of both exports record (components/stackInfo.ts), when it
 * changed: `key` is profile with its line, or said as its default when the file leaves it out.
 */
function profileChange(
  previous: StackExport,
  next: StackExport,
  at?: OverridePlace,
): { was: string; now: string; key: string } | undefined {
  const [was, now] = [stackInfoData(previous)?.profile, stackInfoData(next)?.profile];
  if (typeof was !== "string" || typeof now !== "string" || was === now) return undefined;
  const where = at?.("profile");
  return {
    was,
    now,
    key: where ? `profile (${where})` : "profile (not set in the stack file, so its default)",
  };
}

/**
 * One refusal when the previous export ran one backend and the new state runs the other; nothing
 * when the previous one ran none (the backend is chosen at `loki-fixed`) or either side runs none
 * (going back to `loki-fixed` removes the backend, which the change itself judges). `also`: what
 * the old backend's removal deletes that is refused besides, said here rather than again.
 */
export function backendMoveVerdict(
  previous: StackExport,
  next: StackExport,
  at?: OverridePlace,
  also: AlsoDeleted = { protected: [], retained: [], other: [] },
): { line: string; refused: true } | undefined {
  const [from, to] = [backendOfExport(previous), backendOfExport(next)];
  if (!from || !to || from === to) return undefined;
  const where = at?.("metricsBackend");
  // Left out, the key takes the schema's default (config/schema.ts metricsBackend), which is the
  // profile's: a profile changed under it is the change to name, and to set back.
  const profile = where ? undefined : profileChange(previous, next, at);
  const key = where
    ? `metricsBackend (${where})`
    : profile
      ? `metricsBackend (not set in the stack file, so its default, ${to} in the ${profile.now} profile: ${profile.key} changed from ${profile.was} to ${profile.now})`
      : "metricsBackend (not set in the stack file, so its default)";
  const keep = profile
    ? `set metricsBackend: ${from} in the stack file (the ${profile.now} profile's default is ${to}), or profile back to ${profile.was}`
    : `set metricsBackend back to ${from}`;
  const [phase, after] = [phaseOfExport(previous), phaseOfExport(next)];
  // What else holds the metrics, and what reads them after the update, is the phase table's to
  // say (model/phases.ts), not a phase name's.
  const [was, now] = [phase && capabilities(phase, from), after && capabilities(after, to)];
  // The gate that waits for the backend to hold Prometheus' history: the one before Grafana's
  // default moves to the backend (verify/checks.ts checkHistory).
  const flip = PHASES.find((p) => capabilities(p, to).defaultDatasource === "backend");
  const kept = " Prometheus still holds what its retention keeps (prometheus.retention)";
  const only = !was
    ? ""
    : !was.kps
      ? " With kube-prometheus-stack gone, that is every metric the stack has."
      : now && !now.kps
        ? " This update removes kube-prometheus-stack too: with it gone, that is every metric the stack has."
        : now?.defaultDatasource !== "backend"
          ? `${kept}, and the ${flip} gate waits again until ${to} holds as much.`
          : was.defaultDatasource !== "backend"
            ? `${kept}, but this update also moves Grafana's default datasource to ${to}, which holds none of it: the ${flip} gate, run with the file at ${phase}, judged what ${from} holds, and no gate judges what ${to} holds.`
            : `${kept}, but Grafana's default datasource reads ${to} from this update on, which holds none of it, and no gate waits for it to: the ${flip} gate waits for that history only before the default moves to the backend.`;
  // The phase to change the backend at: the first where none runs.
  const first = PHASES.find((p) => !capabilities(p, to).backend);
  return {
    line:
      `REFUSED metrics backend ${from} -> ${to}: ${key} changed from ${from} to ${to}, where the export ran ${from}${phase ? ` at ${phase}` : ""}. ` +
      `The update removes ${from} and starts ${to} empty: what ${from} holds, ${HOLDS[from]}, stays where it is (retained) but no longer shows in Grafana, and the program copies none of it to ${to}.${only}${alsoSaid(`keeping ${from}`, also)} ` +
      `Keep the backend: ${keep}. To change it, do so at ${first}, where no backend runs: move back one phase at a time (each with --against), set metricsBackend: ${to} there, then forward again (${BACKEND_MOVE_DOC})`,
    refused: true,
  };
}
