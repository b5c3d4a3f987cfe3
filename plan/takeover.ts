import { ADOPTABLE_RELEASES, type AdoptableRelease, type StackConfig } from "../config/resolve";
import { planBuckets } from "../config/buckets";
import { obcName } from "../model/storage";
import { type RunningRelease, type RunningState } from "../model/running";
import { RELEASE_TYPE } from "../model/names";
import { NAMESPACE_TYPE, PVC_TYPE } from "../model/names";
import { LIVE_FIELD_IGNORES, OBJECT_IMPORT_IGNORES, RELEASE_IMPORT_IGNORES } from "../model/importIgnores";

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

export const BUCKET_TYPE = "minio:index/s3Bucket:S3Bucket";
export const CLAIM_TYPE = "kubernetes:objectbucket.io/v1alpha1:ObjectBucketClaim";
/** The Garage resources' types (components/objectstore/garage.ts: dynamic resources, module "garage"). */
export const GARAGE_BUCKET_TYPE = "pulumi-nodejs:dynamic/garage:Bucket";
export const GARAGE_KEY_TYPE = "pulumi-nodejs:dynamic/garage:Key";

/** Every adoption a stack asks for; empty on a fresh stack. */
export function planAdoptions(cfg: StackConfig): Adoption[] {
  const out: Adoption[] = [...existingBuckets(cfg), ...existingGarageKeys(cfg)];
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
 * `objectStore.existingKeys`: Garage access keys made outside the stack, imported by their access
 * key ID (the provider reads the key, its secret included, back from Garage) under the name the
 * program gives the consumer's key. Required: a key named there must be used by this phase.
 */
function existingGarageKeys(cfg: StackConfig): Adoption[] {
  if (cfg.objectStore.type !== "garage") return [];
  const plan = planBuckets(cfg);
  return plan.consumers.flatMap((c) =>
    c.existingKey
      ? [
          {
            type: GARAGE_KEY_TYPE,
            identity: c.user,
            id: c.existingKey,
            // Its name in Garage may differ: the import takes it as it is, the next update renames it.
            ignoreChanges: ["name"],
            required: true,
            key: `objectStore.existingKeys.${c.consumer}`,
          },
        ]
      : [],
  );
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
  if (plan.type === "garage") {
    // The program's Garage provider imports a bucket by its global alias, its S3 name
    // (components/objectstore/garage.ts bucketProvider.read).
    return listed.map((bucket) => ({
      type: GARAGE_BUCKET_TYPE,
      identity: bucket,
      id: bucket,
      ignoreChanges: [],
      required: false,
      key: "existing.buckets",
    }));
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
  if (type === GARAGE_BUCKET_TYPE || type === GARAGE_KEY_TYPE) return str(props.name);
  if (type.startsWith("kubernetes:")) {
    const name = str(props.metadata?.name);
    const ns = str(props.metadata?.namespace);
    return name ? (ns ? `${ns}/${name}` : name) : undefined;
  }
  return undefined;
}
