import type { StackConfig } from "./resolve";
import { capabilities } from "../model/phases";

/** Who consumes object storage. VictoriaMetrics keeps its TSDB on local disk and needs none. */
export type Consumer = "loki" | "mimir";
/** What a consumer keeps in a bucket. */
export type Purpose = "chunks" | "ruler" | "admin" | "blocks" | "alertmanager";

/** Where one purpose's objects live. */
export interface Location {
  bucket: string;
  /** Key prefix inside the bucket; set where several purposes share one bucket (Ceph: one OBC each). */
  prefix?: string;
}

export interface ConsumerPlan {
  consumer: Consumer;
  /** The physical buckets this consumer owns, in creation order (imported ones included). */
  buckets: string[];
  /** Existing buckets it uses by name only: never created, never in state (takeover). */
  referenced: string[];
  /** An existing Secret with its S3 credentials, read instead of a generated user (takeover). */
  existingSecret?: string;
  /** Purpose -> bucket (+ prefix). */
  locations: Partial<Record<Purpose, Location>>;
  /** MinIO user name for this consumer (MinIO only). */
  user: string;
}

export interface BucketPlan {
  type: "minio" | "ceph-rgw" | "filesystem";
  consumers: ConsumerPlan[];
  /** MinIO user that may only read the cluster's metrics (`admin:Prometheus`). */
  metricsUser: string;
  /** `protect` on every bucket: production stacks only, so previews cannot plan their deletion. */
  protect: boolean;
  /** Buckets are never deleted by Pulumi, in any stack: removing one from the program orphans it. */
  retainOnDelete: true;
  /**
   * Buckets that exist outside the state (config `existing.buckets`): imported, not created, so
   * stepping back a phase (which orphans them) and forward again succeeds.
   */
  existing: string[];
}

const PURPOSES: Record<Consumer, Purpose[]> = {
  loki: ["chunks", "ruler", "admin"],
  mimir: ["blocks", "ruler", "alertmanager"],
};

/** Consumers that need object storage in this stack's phase and choices. */
export function consumersOf(cfg: StackConfig): Consumer[] {
  return [...capabilities(cfg.phase, cfg.metricsBackend).objectStoreConsumers];
}

/**
 * The buckets a stack needs. On MinIO each purpose gets its own bucket (Mimir refuses a ruler or
 * alertmanager store equal to the blocks bucket and prefix); on Ceph RGW an ObjectBucketClaim is one
 * bucket with its own credentials, so each consumer gets one bucket and distinct prefixes.
 */
export function planBuckets(cfg: StackConfig): BucketPlan {
  const store = cfg.objectStore;
  const base = {
    protect: cfg.production,
    retainOnDelete: true as const,
    existing: cfg.existing.buckets,
    metricsUser: `${store.bucketPrefix}-metrics`,
  };
  if (store.type === "filesystem") return { type: "filesystem", consumers: [], ...base };
  const prefix = store.bucketPrefix;
  const consumers = consumersOf(cfg).map((consumer): ConsumerPlan => {
    const user = `${prefix}-${consumer}`;
    if (store.type === "ceph-rgw") {
      const bucket = `${prefix}-${consumer}`;
      const locations = Object.fromEntries(
        PURPOSES[consumer].map((p) => [p, consumer === "mimir" ? { bucket, prefix: p } : { bucket }]),
      );
      return { consumer, buckets: [bucket], referenced: [], locations, user };
    }
    // Takeover: a purpose the config names uses that existing bucket; the others get planned ones.
    const existing = cfg.takeover?.buckets[consumer];
    const bucketFor = (p: Purpose) => existing?.[p] ?? `${prefix}-${consumer}-${p}`;
    const locations = Object.fromEntries(PURPOSES[consumer].map((p) => [p, { bucket: bucketFor(p) }]));
    const all = [...new Set(PURPOSES[consumer].map(bucketFor))];
    // Named here but not in `existing.buckets` (which imports): used by name, never in state.
    const named = PURPOSES[consumer].map((p) => existing?.[p]).filter((b): b is string => !!b);
    const referenced = all.filter((b) => named.includes(b) && !cfg.existing.buckets.includes(b));
    return {
      consumer,
      buckets: all.filter((b) => !referenced.includes(b)),
      referenced,
      existingSecret: cfg.takeover?.secrets[consumer],
      locations,
      user,
    };
  });
  return { type: store.type, consumers, ...base };
}

/** Actions on the bucket itself (resource `arn:aws:s3:::<bucket>`). */
export const BUCKET_ACTIONS = [
  "s3:GetBucketLocation",
  "s3:ListBucket",
  "s3:ListBucketMultipartUploads",
] as const;
/** Actions on objects (resource `arn:aws:s3:::<bucket>/*`): what Loki and Mimir read, write and compact. */
export const OBJECT_ACTIONS = [
  "s3:GetObject",
  "s3:PutObject",
  "s3:DeleteObject",
  "s3:AbortMultipartUpload",
  "s3:ListMultipartUploadParts",
] as const;

/** A least-privilege IAM policy document: exactly these buckets, no wildcard resource, no admin action. */
export function consumerPolicy(buckets: string[]): {
  Version: string;
  Statement: { Effect: "Allow"; Action: string[]; Resource: string[] }[];
} {
  if (buckets.length === 0) throw new Error("consumerPolicy: a consumer policy needs at least one bucket");
  return {
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Action: [...BUCKET_ACTIONS], Resource: buckets.map((b) => `arn:aws:s3:::${b}`) },
      { Effect: "Allow", Action: [...OBJECT_ACTIONS], Resource: buckets.map((b) => `arn:aws:s3:::${b}/*`) },
    ],
  };
}
