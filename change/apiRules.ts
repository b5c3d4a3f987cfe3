/**
 * Changes the Kubernetes API server (or the operator that owns an object) refuses to apply in
 * place, for objects that reach the cluster through a Helm upgrade. Helm patches each object from
 * its previous manifest to the new one (3-way merge); a patch touching an immutable field fails,
 * and with `atomic` the whole upgrade rolls back. Read, not run (no API server here), for the
 * Kubernetes the program renders for (`--kube-version` 1.31, synth/render/types.ts); the stored
 * kubernetes/kubernetes copies are not tagged, so each rule names the function it restates:
 * - StatefulSet: pkg/apis/apps/validation/validation.go `ValidateStatefulSetUpdate` (stored copy
 *   2dd1588c): every spec field but `replicas`, `ordinals`, `template`, `updateStrategy`,
 *   `persistentVolumeClaimRetentionPolicy` and `minReadySeconds` is compared with the old one, so
 *   the whole `volumeClaimTemplates` (names, labels, classes, sizes) is frozen, and so is
 *   `revisionHistoryLimit` in 1.31 (its own message names no other field; a 1.31.4 server refuses
 *   it: kubernetes/kubernetes#130263);
 * - Deployment/DaemonSet `spec.selector`: `ValidateDeploymentUpdate`/`ValidateDaemonSetUpdate`
 *   (apps/v1: "field is immutable");
 * - Service `spec.clusterIP` (core validation `ValidateServiceUpdate`: clusterIP is immutable once
 *   set; "None" makes it headless, so headlessness cannot change either);
 * - PersistentVolumeClaim: `ValidatePersistentVolumeClaimUpdate`: only `spec.resources.requests`
 *   may change, and storage only grow ("spec is immutable after creation except
 *   resources.requests ..."; shrinking: "field can not be less than previous value"); an unset
 *   `spec.volumeName` may be set once (the binder does it);
 * - Job `spec.template` (batch validation `ValidateJobUpdate`: "field is immutable"); Helm hooks
 *   are deleted and created again, so a hook Job is never patched;
 * - Secret `type` (`ValidateSecretUpdate`: ValidateImmutableField on `type`, unset being Opaque);
 *   Secret/ConfigMap with `immutable: true`: data and immutable itself are frozen
 *   (`ValidateSecretUpdate`/`ValidateConfigMapUpdate`);
 * - RoleBinding/ClusterRoleBinding `roleRef` (pkg/apis/rbac/validation/validation.go
 *   `ValidateRoleBindingUpdate`/`ValidateClusterRoleBindingUpdate`: "cannot change roleRef");
 * - Prometheus and Alertmanager CRs (monitoring.coreos.com) `spec.storage`, VMAlertmanager
 *   `spec.storage`, VMAgent `spec.statefulStorage`: the operator renders them into its
 *   StatefulSet's volumeClaimTemplates, which the API server refuses to change (the operator then
 *   deletes and recreates the StatefulSet: every pod restarts and a changed claim starts empty);
 *   VMSingle `spec.storage` is the claim the operator creates: only a size increase applies.
 */
import type { RenderedObject } from "../synth/render/types";
import { groupVersion } from "./providerDiff";

/** One refused change: the object's field and why. */
export interface Refusal {
  /** Dotted path of the field (`spec.volumeClaimTemplates`). */
  field: string;
  /** Why it cannot apply, with the rule's source. */
  reason: string;
  /**
   * The stack setting change behind it, as `reason` ends in after `; caused by ` (claimCause.ts):
   * the same text wherever one change is refused, so the refusals it makes are merged into one
   * (change.ts oneRefusalPerCause).
   */
  cause?: string;
}

/**
 * StatefulSet spec fields an update may change in Kubernetes 1.31, in the order its message names
 * them (pkg/apis/apps/validation/validation.go ValidateStatefulSetUpdate, which copies exactly these
 * from the old spec before comparing; revisionHistoryLimit is not among them before 1.33).
 */
export const STATEFULSET_MUTABLE = [
  "replicas",
  "ordinals",
  "template",
  "updateStrategy",
  "persistentVolumeClaimRetentionPolicy",
  "minReadySeconds",
];

/** ValidateStatefulSetUpdate's own words: `'a', 'b', ... and 'f'`. */
const STATEFULSET_FORBIDDEN = `updates to statefulset spec for fields other than ${STATEFULSET_MUTABLE.slice(
  0,
  -1,
)
  .map((f) => `'${f}'`)
  .join(
    ", ",
  )} and '${STATEFULSET_MUTABLE.at(-1)}' are forbidden (kubernetes pkg/apis/apps/validation ValidateStatefulSetUpdate)`;

/**
 * Defaults the API server fills in, so a field absent on one side and at its default on the other
 * is no change (kubernetes pkg/apis/apps/v1/defaults.go SetDefaults_StatefulSet: podManagementPolicy
 * OrderedReady, revisionHistoryLimit 10).
 */
const STATEFULSET_DEFAULTS: Record<string, unknown> = {
  podManagementPolicy: "OrderedReady",
  revisionHistoryLimit: 10,
};

const same = (a: unknown, b: unknown) => canonical(a) === canonical(b);
/** JSON with sorted keys: key order never makes a difference. */
export function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x) =>
    x && typeof x === "object" && !Array.isArray(x)
      ? Object.fromEntries(
          Object.keys(x)
            .sort()
            .map((k) => [k, x[k]]),
        )
      : x,
  );
}

/** A Kubernetes quantity in bytes (binary and decimal suffixes), NaN when it is not one. */
export function quantityBytes(q: unknown): number {
  if (typeof q !== "string" && typeof q !== "number") return NaN;
  const m = /^([0-9.]+)([KMGTPE]i?|[kmgtpe])?$/.exec(String(q).trim());
  if (!m) return NaN;
  const n = Number(m[1]);
  const unit = m[2] ?? "";
  const pow: Record<string, number> = { k: 1, K: 1, M: 2, G: 3, T: 4, P: 5, E: 6 };
  if (!unit) return n;
  const base = unit.endsWith("i") ? 1024 : 1000;
  return n * base ** pow[unit[0]];
}

/** The fields of two claim specs that differ, size apart (`storageClassName`, `accessModes`, ...). */
function claimSpecChanges(a: Record<string, any> = {}, b: Record<string, any> = {}): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  const out: string[] = [];
  for (const k of keys) {
    if (k === "resources") {
      const ra = { ...(a.resources ?? {}), requests: { ...(a.resources?.requests ?? {}) } };
      const rb = { ...(b.resources ?? {}), requests: { ...(b.resources?.requests ?? {}) } };
      delete ra.requests.storage;
      delete rb.requests.storage;
      if (!same(ra, rb)) out.push("resources");
    } else if (k === "volumeMode") {
      // Filesystem is the default the API server fills in.
      if ((a[k] ?? "Filesystem") !== (b[k] ?? "Filesystem")) out.push(k);
    } else if (!same(a[k], b[k])) out.push(k);
  }
  return out;
}

function sizeChange(field: string, a: unknown, b: unknown, source: string): Refusal[] {
  if (same(a, b)) return [];
  const [x, y] = [quantityBytes(a), quantityBytes(b)];
  if (y < x) return [{ field, reason: `storage shrinks from ${String(a)} to ${String(b)}; ${source}` }];
  return [];
}

/** Where an operator's CR keeps the claim template of the StatefulSet it makes, by group and kind. */
const OPERATOR_STORAGE: Record<string, string> = {
  "monitoring.coreos.com/Prometheus": "spec.storage",
  "monitoring.coreos.com/Alertmanager": "spec.storage",
  "operator.victoriametrics.com/VMAlertmanager": "spec.storage",
  "operator.victoriametrics.com/VMAgent": "spec.statefulStorage",
};

const at = (o: any, path: string) => path.split(".").reduce((x, k) => (x == null ? undefined : x[k]), o);

/** Whether a rendered object is a Helm hook (deleted and created again, never patched). */
export function isHook(o: RenderedObject): boolean {
  return typeof o.metadata?.annotations?.["helm.sh/hook"] === "string";
}

/**
 * What the API server (or the owning operator) refuses when `before` is patched into `after`:
 * one refusal per field. Both are the same object (kind, namespace, name).
 */
export function refusedUpdate(before: RenderedObject, after: RenderedObject): Refusal[] {
  const { group } = groupVersion(after.apiVersion);
  const kind = after.kind;
  const out: Refusal[] = [];
  if (group === "apps" && kind === "StatefulSet") {
    const a = { ...STATEFULSET_DEFAULTS, ...(before.spec ?? {}) };
    const b = { ...STATEFULSET_DEFAULTS, ...(after.spec ?? {}) };
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (STATEFULSET_MUTABLE.includes(k) || same(a[k], b[k])) continue;
      out.push({
        field: `spec.${k}`,
        reason:
          k === "volumeClaimTemplates"
            ? `the volume claim templates change (${vctChanges(a[k], b[k]).join("; ")}); ${STATEFULSET_FORBIDDEN}`
            : STATEFULSET_FORBIDDEN,
      });
    }
  }
  if (group === "apps" && (kind === "Deployment" || kind === "DaemonSet")) {
    if (!same(before.spec?.selector, after.spec?.selector))
      out.push({
        field: "spec.selector",
        reason: `the selector is immutable in apps/v1 (kubernetes pkg/apis/apps/validation Validate${kind}Update: field is immutable)`,
      });
  }
  if (group === "") out.push(...coreRefusals(before, after, kind));
  if (
    group === "batch" &&
    kind === "Job" &&
    !isHook(after) &&
    !same(before.spec?.template, after.spec?.template)
  )
    out.push({
      field: "spec.template",
      reason:
        "a Job's pod template is immutable (kubernetes pkg/apis/batch/validation ValidateJobUpdate); Helm patches a Job that is not a hook",
    });
  if (
    group === "rbac.authorization.k8s.io" &&
    (kind === "RoleBinding" || kind === "ClusterRoleBinding") &&
    !same(before.roleRef, after.roleRef)
  )
    out.push({
      field: "roleRef",
      reason: `the ${kind}'s roleRef changes (${refName(before.roleRef)} -> ${refName(after.roleRef)}); cannot change roleRef (kubernetes pkg/apis/rbac/validation Validate${kind}Update)`,
    });
  const storagePath = OPERATOR_STORAGE[`${group}/${kind}`];
  if (storagePath) {
    const [a, b] = [at(before, storagePath), at(after, storagePath)];
    // prometheus-operator names an unnamed template `<prometheus|alertmanager>-<CR name>-db`
    // (pkg/prometheus/common.go VolumeName, pkg/alertmanager/statefulset.go volumeName): spelling that
    // default out changes nothing in the StatefulSet.
    const defaultName =
      group === "monitoring.coreos.com" ? `${kind.toLowerCase()}-${after.metadata.name}-db` : undefined;
    const claimOf = (s: any) => {
      const t = s?.volumeClaimTemplate;
      if (!t || !defaultName) return t;
      return { ...t, metadata: { ...(t.metadata ?? {}), name: t.metadata?.name ?? defaultName } };
    };
    if (!same(claimOf(a), claimOf(b)) || (a?.emptyDir === undefined) !== (b?.emptyDir === undefined))
      out.push({
        field: `${storagePath}.volumeClaimTemplate`,
        reason: `the operator puts this claim template into its StatefulSet's volumeClaimTemplates, which the API server refuses to change (${vctChanges(claimOf(a) ? [claimOf(a)] : [], claimOf(b) ? [claimOf(b)] : []).join("; ") || "storage kind changes"}); the operator then deletes and recreates the StatefulSet`,
      });
  }
  if (group === "operator.victoriametrics.com" && kind === "VMSingle") {
    const [a, b] = [before.spec?.storage, after.spec?.storage];
    const src = "VMSingle's storage is the claim the operator creates: only its size may grow";
    for (const f of claimSpecChanges(a, b)) out.push({ field: `spec.storage.${f}`, reason: src });
    out.push(
      ...sizeChange(
        "spec.storage.resources.requests.storage",
        a?.resources?.requests?.storage,
        b?.resources?.requests?.storage,
        src,
      ),
    );
  }
  return out;
}

/** {@link refusedUpdate}'s rules for the core group (""): Services, claims, Secrets and ConfigMaps. */
function coreRefusals(before: RenderedObject, after: RenderedObject, kind: string): Refusal[] {
  const out: Refusal[] = [];
  if (kind === "Service") {
    const [a, b] = [before.spec?.clusterIP, after.spec?.clusterIP];
    const headless = (x: unknown) => x === "None";
    if (headless(a) !== headless(b))
      out.push({
        field: "spec.clusterIP",
        reason: `the Service turns ${headless(b) ? "headless" : "non-headless"}; clusterIP is immutable once set (kubernetes pkg/apis/core/validation ValidateServiceUpdate)`,
      });
    else if (a !== undefined && b !== undefined && a !== b)
      out.push({
        field: "spec.clusterIP",
        reason: `clusterIP changes from ${a} to ${b}; it is immutable once set (kubernetes pkg/apis/core/validation ValidateServiceUpdate)`,
      });
  }
  if (kind === "PersistentVolumeClaim") {
    const src =
      "only spec.resources.requests may change and storage only grow (kubernetes pkg/apis/core/validation ValidatePersistentVolumeClaimUpdate)";
    // ValidatePersistentVolumeClaimUpdate: "volumeName changes are allowed once", from unset.
    const bindsOnce = (f: string) => f === "volumeName" && !before.spec?.volumeName;
    for (const f of claimSpecChanges(before.spec, after.spec))
      if (!bindsOnce(f)) out.push({ field: `spec.${f}`, reason: src });
    out.push(
      ...sizeChange(
        "spec.resources.requests.storage",
        before.spec?.resources?.requests?.storage,
        after.spec?.resources?.requests?.storage,
        src,
      ),
    );
  }
  // ValidateSecretUpdate: the type never changes; unset is Opaque (core/v1 SetDefaults_Secret).
  const secretType = (o: RenderedObject) => o.type ?? "Opaque";
  if (kind === "Secret" && secretType(before) !== secretType(after))
    out.push({
      field: "type",
      reason: `the Secret's type changes from ${String(secretType(before))} to ${String(secretType(after))}; it is immutable (kubernetes pkg/apis/core/validation ValidateSecretUpdate: field is immutable)`,
    });
  if ((kind === "Secret" || kind === "ConfigMap") && before.immutable === true) {
    for (const f of kind === "Secret" ? ["data", "stringData"] : ["data", "binaryData"])
      if (!same(before[f], after[f]))
        out.push({
          field: f,
          reason: `the ${kind} is immutable: its ${f} cannot change (kubernetes pkg/apis/core/validation Validate${kind}Update)`,
        });
    if (after.immutable !== true)
      out.push({ field: "immutable", reason: `an immutable ${kind} cannot become mutable again` });
  }
  return out;
}

/** `ClusterRole/name`, as a roleRef names its role. */
const refName = (r: any) => (r ? `${String(r.kind)}/${String(r.name)}` : "unset");

/** Human summary of how two volumeClaimTemplates lists differ, by template name. */
export function vctChanges(a: any[] = [], b: any[] = []): string[] {
  const name = (t: any, i: number) => t?.metadata?.name ?? `#${i}`;
  const byName = (l: any[]) => new Map(l.map((t, i) => [name(t, i), t]));
  const [ma, mb] = [byName(a), byName(b)];
  const out: string[] = [];
  for (const n of ma.keys()) if (!mb.has(n)) out.push(`template ${n} removed`);
  for (const [n, t] of mb) {
    const o = ma.get(n);
    if (!o) {
      out.push(`template ${n} added`);
      continue;
    }
    const sa = o.spec?.resources?.requests?.storage;
    const sb = t.spec?.resources?.requests?.storage;
    if (!same(sa, sb)) out.push(`${n}: size ${sa ?? "unset"} -> ${sb ?? "unset"}`);
    for (const f of claimSpecChanges(o.spec, t.spec))
      out.push(
        `${n}: ${f} ${JSON.stringify(o.spec?.[f]) ?? "unset"} -> ${JSON.stringify(t.spec?.[f]) ?? "unset"}`,
      );
    if (!same(o.metadata, t.metadata)) out.push(`${n}: metadata (labels/annotations) changes`);
  }
  return out;
}

/**
 * Objects whose deletion loses data, or whose replacement does: claims, StatefulSets with claim
 * templates (their claims stay, orphaned, unless the retention policy deletes them), operator CRs
 * with storage.
 */
export function holdsData(o: RenderedObject): boolean {
  const { group } = groupVersion(o.apiVersion);
  if (group === "" && o.kind === "PersistentVolumeClaim") return true;
  if (group === "apps" && o.kind === "StatefulSet") return (o.spec?.volumeClaimTemplates ?? []).length > 0;
  const p = OPERATOR_STORAGE[`${group}/${o.kind}`];
  if (p) return !!at(o, p)?.volumeClaimTemplate;
  if (group === "operator.victoriametrics.com" && o.kind === "VMSingle") return !!o.spec?.storage;
  return false;
}

/** Whether deleting this object deletes its claims too (StatefulSet retention policy whenDeleted: Delete). */
export function deletesClaims(o: RenderedObject): boolean {
  return o.kind === "StatefulSet" && o.spec?.persistentVolumeClaimRetentionPolicy?.whenDeleted === "Delete";
}
