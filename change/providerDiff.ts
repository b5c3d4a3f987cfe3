/**
 * How pulumi-kubernetes decides between an in-place update and a replacement of a raw Kubernetes
 * resource, restated (not copied) from pulumi-kubernetes v4.32.0-27-g94977969d (the newest stored
 * snapshot): `provider/pkg/provider/diff.go` (`forceNewProperties` and its per-kind table) and
 * `provider/pkg/provider/provider.go` (`Diff`, `convertPatchToDiff`, `patchConverter`), with
 * `provider/pkg/openapi/match.go` (`PatchPropertiesChanged`: a force-new path matches when it
 * resolves inside the one-path slice of the patch). Upstream's own cases (`diff_test.go`,
 * `TestPatchToDiff`) run against this in test/change/change.test.ts as a table.
 *
 * The project pins @pulumi/kubernetes 4.34.2 (package-lock.json; the provider binary is the same
 * tag), but no copy of pulumi/pulumi-kubernetes past v4.32.0-27 could be read here. Compared field
 * by field with that snapshot (read, not run): the table below matches diff.go lines 45-251 for every
 * kind the program writes (StatefulSet, Deployment, ConfigMap, Secret, PersistentVolumeClaim,
 * Service, RoleBinding, ClusterRoleBinding; Namespace, NetworkPolicy, ClusterRole, Role,
 * PriorityClass and custom resources have no row: only name and namespace replace them), and
 * `forceNewProperties` matches diff.go lines 23-37 (Secret before the kind's row, ConfigMap after).
 * What provider.go `Diff` (lines 1431-1677) does beyond that and is not restated: Patch resources
 * (kinds.IsPatchResource) replace only on name and namespace, and a namespaced object's unset
 * namespace is compared as "default"; the program writes neither a Patch resource nor a namespaced
 * object without its namespace.
 *
 * Helm releases are not diffed here: their objects go through Helm's upgrade, where the API
 * server's rules apply (apiRules.ts); a Release itself is replaced when `.name` or `.namespace`
 * changes (helm_release.go `Diff`, forceNewFields).
 */
import { valueAt } from "../config/tree";
import { sameJson } from "./sameJson";

/** Provider switches that change the table (`kubernetes:config:enable*` / Provider args). */
export interface ProviderFlags {
  /** `enableConfigMapMutable`: ConfigMap data updates in place. Default false. */
  enableConfigMapMutable?: boolean;
  /** `enableSecretMutable`: Secret data updates in place. Default false. */
  enableSecretMutable?: boolean;
}

/** Kinds of one property's change, as the engine's PropertyDiff names them. */
export type DiffKind = "A" | "D" | "U" | "AR" | "DR" | "UR";

/** Stands for a value unknown at preview (resource.Computed upstream). */
export const COMPUTED = Symbol("computed");

const selectorProps = (p: string) => [
  p,
  `${p}.matchExpressions`,
  `${p}.matchExpressions.key`,
  `${p}.matchExpressions.operator`,
  `${p}.matchExpressions.values`,
  `${p}.matchLabels`,
];
const containerProps = (...prefixes: string[]) =>
  prefixes.flatMap((p) =>
    [
      "args",
      "command",
      "env",
      "env.value",
      "image",
      "imagePullPolicy",
      "lifecycle",
      "livenessProbe",
      "ports",
      "readinessProbe",
      "resources",
      "securityContext",
      "stdin",
      "stdinOnce",
      "terminationMessagePath",
      "terminationMessagePolicy",
      "tty",
      "volumeDevices",
      "volumeMounts",
      "workingDir",
    ].map((f) => `${p}.${f}`),
  );

const STATEFULSET = [
  ".spec.podManagementPolicy",
  ".spec.revisionHistoryLimit",
  ".spec.serviceName",
  ".spec.volumeClaimTemplates",
  ...selectorProps(".spec.selector"),
];
const SELECTOR_ONLY = selectorProps(".spec.selector");
const JOB = [".spec.completions", ".spec.parallelism", ".spec.template", ...selectorProps(".spec.selector")];
const ROLE_BINDING = [".roleRef"];
const CORE: Record<string, string[]> = {
  PersistentVolume: [
    "awsElasticBlockStore",
    "azureDisk",
    "azureFile",
    "cephfs",
    "cinder",
    "csi",
    "fc",
    "flexVolume",
    "flocker",
    "gcePersistentDisk",
    "glusterfs",
    "hostPath",
    "iscsi",
    "local",
    "nfs",
    "photonPersistentDisk",
    "portworxVolume",
    "quobyte",
    "rbd",
    "scaleIO",
    "storageos",
    "vsphereVolume",
  ].map((f) => `.spec.${f}`),
  PersistentVolumeClaim: [
    ".spec.accessModes",
    ".spec.storageClassName",
    ".spec.volumeName",
    ...selectorProps(".spec.selector"),
  ],
  Pod: [
    ...[
      "affinity",
      "automountServiceAccountToken",
      "dnsConfig",
      "dnsPolicy",
      "enableServiceLinks",
      "hostAliases",
      "hostIPC",
      "hostNetwork",
      "hostPID",
      "hostname",
      "imagePullSecrets",
      "nodeName",
      "nodeSelector",
      "overhead",
      "preemptionPolicy",
      "priority",
      "priorityClassName",
      "readinessGates",
      "restartPolicy",
      "runtimeClassName",
      "schedulerName",
      "securityContext",
      "serviceAccount",
      "serviceAccountName",
      "shareProcessNamespace",
      "subdomain",
      "terminationGracePeriodSeconds",
      "volumes",
    ].map((f) => `.spec.${f}`),
    ...containerProps(".spec.containers[*]", ".spec.initContainers[*]"),
  ],
  ResourceQuota: [".spec.scopes"],
  Secret: [".type"],
  Service: [".spec.clusterIP"],
};
/** group -> version -> kind -> force-new paths (diff.go `forceNew`; "" and "core" are both core). */
const FORCE_NEW: Record<string, Record<string, Record<string, string[]>>> = {
  apps: {
    v1beta1: { StatefulSet: STATEFULSET },
    v1beta2: { DaemonSet: SELECTOR_ONLY, Deployment: SELECTOR_ONLY, StatefulSet: STATEFULSET },
    v1: { DaemonSet: SELECTOR_ONLY, Deployment: SELECTOR_ONLY, StatefulSet: STATEFULSET },
  },
  core: { v1: CORE },
  "": { v1: CORE },
  policy: { v1beta1: { PodDisruptionBudget: [".spec"] } },
  "rbac.authorization.k8s.io": {
    v1alpha1: { ClusterRoleBinding: ROLE_BINDING, RoleBinding: ROLE_BINDING },
    v1beta1: { ClusterRoleBinding: ROLE_BINDING, RoleBinding: ROLE_BINDING },
    v1: { ClusterRoleBinding: ROLE_BINDING, RoleBinding: ROLE_BINDING },
  },
  "storage.k8s.io": { v1: { StorageClass: [".parameters", ".provisioner"] } },
  batch: { v1beta1: { Job: JOB }, v1: { Job: JOB }, v2alpha1: { Job: JOB } },
};

/** group and version of an apiVersion ("v1" is the core group ""). */
export function groupVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf("/");
  return i < 0
    ? { group: "", version: apiVersion }
    : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

/**
 * The paths whose change replaces an object (diff.go `forceNewProperties`): its name and
 * namespace always; a Secret's type, data and stringData unless the provider makes Secrets mutable
 * and the Secret is not `immutable`; a ConfigMap's data and binaryData likewise; else the kind's row.
 */
export function forceNewProperties(
  obj: { apiVersion?: string; kind?: string; immutable?: unknown },
  flags: ProviderFlags = {},
): string[] {
  const props = [".metadata.name", ".metadata.namespace"];
  const { group, version } = groupVersion(obj.apiVersion ?? "v1");
  const kinds = FORCE_NEW[group]?.[version];
  if (!kinds) return props;
  const core = group === "" || group === "core";
  const immutable = obj.immutable === true;
  if (core && obj.kind === "Secret" && (!flags.enableSecretMutable || immutable))
    return [...props, ".type", ".stringData", ".data"];
  const row = obj.kind ? kinds[obj.kind] : undefined;
  if (row) return [...props, ...row];
  if (core && obj.kind === "ConfigMap" && (!flags.enableConfigMapMutable || immutable))
    return [...props, ".binaryData", ".data"];
  return props;
}

const isMap = (v: unknown): v is Record<string, any> => !!v && typeof v === "object" && !Array.isArray(v);

/** RFC 7386 JSON merge patch turning `a` into `b` (what the provider diffs; computed values are null). */
export function mergePatch(a: any, b: any): any {
  if (!isMap(a) || !isMap(b)) return b === COMPUTED ? null : b;
  const out: Record<string, any> = {};
  for (const k of Object.keys(a)) if (!(k in b)) out[k] = null;
  for (const [k, v] of Object.entries(b)) {
    if (!(k in a)) out[k] = stripComputed(v);
    else if (isMap(a[k]) && isMap(v)) {
      const p = mergePatch(a[k], v);
      if (Object.keys(p).length > 0) out[k] = p;
    } else {
      // Compared without serializing either side (sameJson is JSON.stringify's equality): the
      // leaves here are a ConfigMap's dashboards (megabytes of text) and lists, each serialized
      // twice for every object of both states before. Measured: planChange over staging's and
      // production's adjacent phase steps both ways (18 calls), ~255 -> ~205 ms of CPU once warm;
      // test/change/changeCheck.test.ts alone 6.96 -> 6.10 s (medians of 3, alternating).
      const goal = stripComputed(v);
      if (!sameJson(a[k], goal)) out[k] = goal;
    }
  }
  return out;
}
function stripComputed(v: any): any {
  if (v === COMPUTED) return null;
  if (Array.isArray(v)) return v.map(stripComputed);
  if (isMap(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, stripComputed(x)]));
  return v;
}

const MISSING = Symbol("missing");
type Path = (string | number)[];

/** Whether a force-new path (`.a.b[*].c`) resolves inside the patch slice along `path` ending in `v`. */
function resolves(pattern: string, path: Path, v: any): boolean {
  const steps = pattern
    .replace(/\[\*\]/g, ".*")
    .split(".")
    .filter((s) => s !== "");
  // Walk the slice: along `path` exactly, then inside `v`.
  const walk = (i: number, node: any, depth: number): boolean => {
    if (i === steps.length) return true;
    const step = steps[i];
    if (depth < path.length) {
      const p = path[depth];
      if (typeof p === "number") return step === "*" && walk(i + 1, null, depth + 1);
      return step === p && walk(i + 1, null, depth + 1);
    }
    if (step === "*") return Array.isArray(node) && node.some((x) => walk(i + 1, x, depth + 1));
    if (!isMap(node) || !(step in node)) return false;
    return walk(i + 1, node[step], depth + 1);
  };
  return walk(0, v, 0);
}

function pathString(path: Path): string {
  let s = "";
  for (const p of path) {
    if (typeof p === "number") s += `[${p}]`;
    else if (/[."[\]]/.test(p)) s += `["${p.replace(/"/g, '\\"')}"]`;
    else s = s ? `${s}.${p}` : p;
  }
  return s;
}

/**
 * The provider's detailed diff of a merge patch (provider.go `convertPatchToDiff`): per changed
 * path, add/delete/update, with `R` when a force-new path matches. Only input paths count: state
 * the inputs never named is ignored.
 */
export function patchToDiff(
  patch: Record<string, any>,
  oldLive: Record<string, any>,
  newInputs: Record<string, any>,
  oldInputs: Record<string, any>,
  forceNew: string[],
): Record<string, DiffKind> {
  const diff: Record<string, DiffKind> = {};
  const get = (m: any, k: string | number) => (m && typeof m === "object" && k in m ? m[k] : MISSING);
  const value = (path: Path, v: any, old: any, newIn: any, oldIn: any, inArray: boolean): void => {
    if (newIn === MISSING && (v !== null || oldIn === MISSING)) return;
    let kind: "A" | "D" | "U";
    if (v === null) kind = newIn === COMPUTED ? (old === MISSING ? "A" : "U") : "D";
    else if (old === MISSING) kind = "A";
    else if (isMap(v)) {
      if (isMap(old)) return map(path, v, old, isMap(newIn) ? newIn : {}, isMap(oldIn) ? oldIn : {}, inArray);
      kind = "U";
    } else if (Array.isArray(v)) {
      if (Array.isArray(old))
        return array(path, v, old, Array.isArray(newIn) ? newIn : [], Array.isArray(oldIn) ? oldIn : []);
      kind = "U";
    } else {
      if (JSON.stringify(v) === JSON.stringify(old)) return;
      kind = "U";
    }
    const replace = forceNew.some((p) => resolves(p, path, v));
    diff[pathString(path)] = replace ? (`${kind}R` as DiffKind) : kind;
  };
  const map = (path: Path, m: any, old: any, newIn: any, oldIn: any, inArray: boolean): void => {
    for (const [k, v] of Object.entries(m))
      value([...path, k], v, get(old, k), get(newIn, k), get(oldIn, k), inArray);
    if (inArray)
      for (const [k, v] of Object.entries(old ?? {}))
        if (!(k in m)) value([...path, k], null, v, get(newIn, k), get(oldIn, k), inArray);
  };
  const array = (path: Path, a: any[], old: any[], newIn: any[], oldIn: any[]): void => {
    const at = (arr: any[], i: number) => (i < arr.length ? arr[i] : null);
    let i = 0;
    for (; i < a.length && i < old.length; i++)
      value([...path, i], a[i], old[i], at(newIn, i), at(oldIn, i), true);
    for (; i < a.length; i++) value([...path, i], a[i], MISSING, at(newIn, i), at(oldIn, i), true);
    for (; i < old.length; i++) value([...path, i], null, old[i], at(newIn, i), at(oldIn, i), true);
  };
  map([], patch, oldLive, newInputs, oldInputs, false);
  return diff;
}

/** Segments of a property path: `a.b["c.d"][0]` -> a, b, c.d, 0 (`[*]` and `*` match anything). */
export function pathSegments(p: string): string[] {
  const out: string[] = [];
  const re = /\[\s*"((?:[^"\\]|\\.)*)"\s*\]|\[(\d+|\*)\]|([^.[\]]+)/g;
  for (let m = re.exec(p); m; m = re.exec(p))
    out.push(m[1] !== undefined ? m[1].replace(/\\"/g, '"') : (m[2] ?? m[3]));
  return out;
}

/** Whether an ignoreChanges path (`spec.volumeName`, `metadata.labels`) covers a diff path. */
export function ignored(path: string, ignoreChanges: string[]): boolean {
  const d = pathSegments(path);
  return ignoreChanges.some((ig) => {
    const parts = pathSegments(ig);
    return parts.length <= d.length && parts.every((p, i) => p === "*" || p === d[i]);
  });
}

/**
 * The engine's ignoreChanges (pulumi/pulumi pkg/resource/deploy/step.go `processIgnoreChanges`,
 * applied before the provider's Diff): each ignored path of the new inputs takes the old value,
 * or is removed when the old inputs lack it.
 */
export function withIgnoredChanges(
  old: Record<string, any>,
  next: Record<string, any>,
  ignoreChanges: string[],
): Record<string, any> {
  let out = next;
  for (const ig of ignoreChanges) {
    const parts = pathSegments(ig);
    if (parts.includes("*")) continue;
    const oldValue = valueAt(old, parts);
    // Nothing to carry over and nothing to remove: leave the inputs as they are (no empty parents).
    if (oldValue === undefined && valueAt(out, parts) === undefined) continue;
    const set = (node: any, i: number): any => {
      const copy: any = Array.isArray(node)
        ? [...node]
        : { ...(node && typeof node === "object" ? node : {}) };
      const k = parts[i];
      if (i === parts.length - 1) {
        if (oldValue === undefined) delete copy[k];
        else copy[k] = oldValue;
      } else copy[k] = set(copy[k], i + 1);
      return copy;
    };
    out = set(out, 0);
  }
  return out;
}

/**
 * The provider's Diff of one raw object: the detailed diff after ignoreChanges, and the paths that
 * replace it. `old` is the previous state (live, or the previous inputs offline).
 */
export function providerDiff(
  old: Record<string, any>,
  next: Record<string, any>,
  opts: { flags?: ProviderFlags; ignoreChanges?: string[]; oldInputs?: Record<string, any> } = {},
): { diff: Record<string, DiffKind>; replaces: string[] } {
  const ignore = opts.ignoreChanges ?? [];
  const goal = withIgnoredChanges(old, next, ignore);
  const patch = mergePatch(old, goal);
  if (Object.keys(patch).length === 0) return { diff: {}, replaces: [] };
  const all = patchToDiff(patch, old, goal, opts.oldInputs ?? old, forceNewProperties(goal, opts.flags));
  const diff = Object.fromEntries(Object.entries(all).filter(([p]) => !ignored(p, ignore))) as Record<
    string,
    DiffKind
  >;
  // provider.go Diff: any *_REPLACE, or deleting the whole metadata, replaces.
  const replaces = Object.entries(diff)
    .filter(([p, k]) => k.endsWith("R") || (p === "metadata" && k === "D"))
    .map(([p]) => p);
  return { diff, replaces };
}
