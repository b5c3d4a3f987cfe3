import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { ADOPTABLE_RELEASES, ConfigError, type AdoptableRelease, type StackConfig } from "../config/resolve";
import { planBuckets } from "../config/buckets";
import { obcName } from "../components/objectstore/objectStore";
import { keepRunningValues, type RunningRelease, type RunningState } from "../model/running";

/** The running release `id` ("<namespace>/<name>") with the state it lives in, when known. */
function keepOf(state: RunningState | undefined, id: string | undefined): Adoption["keep"] {
  const release = id ? state?.releases.find((r) => `${r.namespace}/${r.name}` === id) : undefined;
  return state && release ? { release, state } : undefined;
}

/**
 * One existing object the program takes over with Pulumi's `import` resource option instead of
 * creating it. Matched by identity (type + the name the object has in the cluster or store), not by
 * logical name, so the same entry adopts it whichever component declares it.
 *
 * This is the project's one mechanism for "this already exists: import it, do not create it":
 * running releases, the Prometheus claim, the namespace, and buckets (`existing.buckets`: the
 * operator's own, or retained by an earlier phase).
 */
export interface Adoption {
  /** Pulumi type token, e.g. `kubernetes:helm.sh/v3:Release`. */
  type: string;
  /** Identity as the program's inputs state it: `<namespace>/<name>` for namespaced objects, else the name. */
  identity: string;
  /** Import ID the provider's Read takes (same as identity for every type here). */
  id: string;
  /** Inputs left as they are during the import step (the engine copies the imported values for them). */
  ignoreChanges: string[];
  /** False when the program may not declare such an object (then an unmatched entry is no error). */
  required: boolean;
  /** Config key that asked for it, for error messages. */
  key: string;
  /** A Release's running state (takeover.running): the update keeps its claim and selector values. */
  keep?: { release: RunningRelease; state: RunningState };
}

export const RELEASE_TYPE = "kubernetes:helm.sh/v3:Release";
export const PVC_TYPE = "kubernetes:core/v1:PersistentVolumeClaim";
export const NAMESPACE_TYPE = "kubernetes:core/v1:Namespace";
export const BUCKET_TYPE = "minio:index/s3Bucket:S3Bucket";
export const CLAIM_TYPE = "kubernetes:objectbucket.io/v1alpha1:ObjectBucketClaim";

/**
 * Release inputs the program sets (components/helm.ts) other than name and namespace. During the
 * import step they keep the running release's values: the engine applies ignoreChanges before it
 * diffs an import (pulumi/pulumi pkg/resource/deploy/step.go, ImportStep.Apply: processIgnoreChanges,
 * then "inputs to import do not match the existing resource" on any remaining diff), and the
 * provider's import reads back only name, namespace, chart, version, values and a default timeout
 * (pulumi-kubernetes provider/pkg/provider/helm_release.go, Read/importRelease/setReleaseAttributes).
 */
export const RELEASE_IMPORT_IGNORES = [
  "chart",
  "version",
  "repositoryOpts",
  "values",
  "atomic",
  "timeout",
  // Not read back by the import either: left alone, it would make the import step upgrade the release.
  "maxHistory",
];
/** Kubernetes objects: our labels and annotations are added by the update step, not the import. */
export const OBJECT_IMPORT_IGNORES = ["metadata.labels", "metadata.annotations"];

/**
 * Fields the live object gains that the program never sets, ignored in every step (import and
 * update): on import the provider's Read fills the inputs with the whole live object
 * (pulumi-kubernetes provider/pkg/provider/provider.go Read), and since Pulumi CLI 3.174 the
 * engine diffs those inputs against the program's in the same deployment (pulumi/pulumi#19339).
 * A claim's `spec.volumeName` is force-new (diff.go: PersistentVolumeClaim), so without this the
 * bound claim would be replaced (refused: it is protected and imported); `volumeMode` and the
 * finalizers would show as updates that remove server-set fields.
 */
export const LIVE_FIELD_IGNORES: Record<string, string[]> = {
  [PVC_TYPE]: ["spec.volumeName", "spec.volumeMode", "metadata.finalizers"],
  [NAMESPACE_TYPE]: ["spec.finalizers", "metadata.finalizers"],
};

/** Every adoption a stack asks for; empty on a fresh stack. */
export function planAdoptions(cfg: StackConfig): Adoption[] {
  const out: Adoption[] = existingBuckets(cfg);
  const t = cfg.takeover;
  if (!t) return out;
  const importing = t.step === "import";
  for (const [key, id] of Object.entries(t.releases) as [AdoptableRelease, string | undefined][]) {
    if (!id) continue;
    out.push({
      type: RELEASE_TYPE,
      identity: `${cfg.namespace}/${ADOPTABLE_RELEASES[key]}`,
      id,
      ignoreChanges: importing ? RELEASE_IMPORT_IGNORES : [],
      // In the import step the engine keeps the running values anyway (ignoreChanges above).
      keep: keepOf(t.runningState, importing ? undefined : id),
      // Once imported (step update), the engine ignores `import` on a resource already in state, and
      // a later phase may drop the release (KPS when the phase drops it) exactly as a fresh stack would.
      required: importing,
      key: `takeover.releases.${key}`,
    });
  }
  if (t.prometheusVolume) {
    const id = `${cfg.namespace}/${t.prometheusVolume}`;
    out.push({
      type: PVC_TYPE,
      identity: id,
      id,
      ignoreChanges: [...(importing ? OBJECT_IMPORT_IGNORES : []), ...LIVE_FIELD_IGNORES[PVC_TYPE]],
      required: true,
      key: "takeover.prometheusVolume",
    });
  }
  if (t.namespace) {
    // components/namespace.ts creates it with Pod Security labels; the update step adds them.
    out.push({
      type: NAMESPACE_TYPE,
      identity: cfg.namespace,
      id: cfg.namespace,
      ignoreChanges: [...(importing ? OBJECT_IMPORT_IGNORES : []), ...LIVE_FIELD_IGNORES[NAMESPACE_TYPE]],
      required: importing,
      key: "takeover.namespace",
    });
  }
  return out;
}

/**
 * `existing.buckets`: buckets (or, on Ceph RGW, the claims that hold them) that exist outside the
 * state, e.g. retained when the stack stepped back a phase, or the operator's own (takeover). A
 * listed bucket the program does not use in this phase is no error: it may be listed ahead of the
 * phase that uses it again.
 */
function existingBuckets(cfg: StackConfig): Adoption[] {
  const listed = cfg.existing.buckets;
  if (listed.length === 0) return [];
  const plan = planBuckets(cfg);
  if (plan.type === "ceph-rgw") {
    // Rook's ObjectBucketClaim holds the bucket; it is imported by `<namespace>/<name>`.
    return plan.consumers
      .filter((c) => listed.includes(c.buckets[0]))
      .map((c) => {
        const id = `${cfg.namespace}/${obcName(c.consumer)}`;
        return {
          type: CLAIM_TYPE,
          identity: id,
          id,
          ignoreChanges: [],
          required: false,
          key: "existing.buckets",
        };
      });
  }
  // The MinIO provider imports a bucket by its name (aminueza/terraform-provider-minio
  // minio/resource_minio_s3_bucket.go: Read takes d.Id() as the bucket; acl/forceDestroy default).
  return listed.map((bucket) => ({
    type: BUCKET_TYPE,
    identity: bucket,
    id: bucket,
    ignoreChanges: [],
    required: false,
    key: "existing.buckets",
  }));
}

/** The identity the program's own inputs give a resource, when it is plain data at construction. */
export function identityOf(type: string, props: Record<string, any>): string | undefined {
  const str = (v: unknown) => (typeof v === "string" ? v : undefined);
  if (type === RELEASE_TYPE) {
    const name = str(props.name);
    const ns = str(props.namespace);
    return name && ns ? `${ns}/${name}` : undefined;
  }
  if (type === BUCKET_TYPE) return str(props.bucket);
  if (type.startsWith("kubernetes:")) {
    const name = str(props.metadata?.name);
    const ns = str(props.metadata?.namespace);
    return name ? (ns ? `${ns}/${name}` : name) : undefined;
  }
  return undefined;
}

/**
 * A transformation that puts `import` (and, in the import step, `ignoreChanges`) on every resource
 * an adoption names. Put it before any other root transformation so recorders see the result.
 * `unmatched()` lists required adoptions no resource claimed, once the program is constructed.
 */
export function adoptionTransformation(adoptions: Adoption[]): {
  transformation: pulumi.ResourceTransformation;
  unmatched: () => Adoption[];
} {
  const matched = new Set<Adoption>();
  const transformation: pulumi.ResourceTransformation = ({ type, props, opts }) => {
    const identity = identityOf(type, props);
    const a = identity && adoptions.find((x) => x.type === type && x.identity === identity);
    if (!a) return undefined;
    if (matched.has(a)) throw new Error(`${a.key}: two resources claim ${type} "${identity}"`);
    matched.add(a);
    const ignore = ([] as string[]).concat((opts as pulumi.CustomResourceOptions).ignoreChanges ?? []);
    const adopted: pulumi.CustomResourceOptions = {
      ...opts,
      import: a.id,
      ignoreChanges: [...new Set([...ignore, ...a.ignoreChanges])],
    };
    return { props: adoptedProps(a, type, props), opts: adopted };
  };
  return { transformation, unmatched: () => adoptions.filter((a) => a.required && !matched.has(a)) };
}

/**
 * The annotation that makes pulumi-kubernetes force server-side apply conflicts on this object
 * (provider/pkg/metadata/annotations.go `AnnotationPatchForce`; await.go `patchForce` checks it
 * on the inputs before the provider-wide `enablePatchForce`).
 */
export const PATCH_FORCE = { "pulumi.com/patchForce": "true" };

/**
 * What the program declares for an adopted object:
 * - a Kubernetes object (namespace, claim) carries the patch-force annotation: Flux's
 *   kustomize-controller owns its labels through server-side apply, and the update that sets the
 *   program's labels would otherwise fail with a field-manager conflict. Only adopted objects
 *   force, so a conflict on anything the program created stays an error. In the import step
 *   annotations are ignored, so the import writes nothing;
 * - a Release in the update step keeps the running values that decide claim templates and
 *   selectors (model/running.ts KEPT_VALUES) when the running state is known. Helm upgrades
 *   with client-side three-way merge patches (helm_release.go uses action.NewUpgrade), so
 *   releases meet no field-manager conflicts.
 */
export function adoptedProps(a: Adoption, type: string, props: Record<string, any>): Record<string, any> {
  if (type === RELEASE_TYPE) {
    if (!a.keep || !props.values || pulumi.Output.isInstance(props.values)) return props;
    return { ...props, values: keepRunningValues(props.values, a.keep.release, a.keep.state).values };
  }
  if (!type.startsWith("kubernetes:")) return props;
  const metadata = props.metadata ?? {};
  return {
    ...props,
    metadata: { ...metadata, annotations: { ...(metadata.annotations ?? {}), ...PATCH_FORCE } },
  };
}

/** Raised when the config adopts something the program does not declare in this phase. */
export class AdoptionError extends ConfigError {
  constructor(unmatched: Adoption[], phase: string) {
    super(
      unmatched.map(
        (a) =>
          `homelab-observability:${a.key}: the program declares no ${a.type} "${a.identity}" in phase ${phase}, so "${a.id}" cannot be imported; remove the entry or change the phase`,
      ),
    );
    this.name = "AdoptionError";
  }
}

/** Keys each Secret the program reads must hold; the synthesis models the read Secret with them. */
const expectedKeys = new WeakMap<pulumi.Resource, string[]>();

/** Keys the program requires of a Secret it reads (undefined for any other resource). */
export function requiredSecretKeys(resource: pulumi.Resource): string[] | undefined {
  return expectedKeys.get(resource);
}

/** Which of `required` a Secret's data lacks (names only: values are never looked at). */
export function missingSecretKeys(data: Record<string, unknown> | undefined, required: string[]): string[] {
  return required.filter((k) => data?.[k] === undefined);
}

/**
 * Reads an existing Secret the operator keeps (takeover.secrets): never created, updated or
 * deleted by Pulumi. The read runs in preview too, so a missing Secret, or one without the keys its
 * consumer loads, stops the preview with the key path instead of crash-looping pods after the update.
 */
export function readExistingSecret(
  resourceName: string,
  namespace: string,
  secretName: string,
  required: string[],
  configKey: string,
  opts: pulumi.CustomResourceOptions,
): k8s.core.v1.Secret {
  const secret = k8s.core.v1.Secret.get(resourceName, `${namespace}/${secretName}`, opts);
  expectedKeys.set(secret, required);
  secret.data.apply((data) => {
    const missing = missingSecretKeys(data, required);
    if (data !== undefined && missing.length > 0)
      throw new Error(
        `homelab-observability:${configKey}: Secret ${namespace}/${secretName} has no key ${missing.join(", ")}; expected keys ${required.join(", ")} (rename them in the Secret's source, e.g. its ExternalSecret's target)`,
      );
  });
  return secret;
}
