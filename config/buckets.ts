import type { StackConfig } from "./schema";
import { BACKENDS, capabilities, PHASES, type Backend } from "../model/phases";
import {
  PURPOSES,
  UNUSED_PURPOSES,
  type BucketPlan,
  type Consumer,
  type ConsumerPlan,
  type Purpose,
} from "../model/storage";

/** Consumers that need object storage in this stack's phase and choices. */
export function consumersOf(cfg: StackConfig): Consumer[] {
  return [...capabilities(cfg.phase, cfg.metricsBackend).objectStoreConsumers];
}

/**
 * The buckets a stack needs. On MinIO and Garage each purpose gets its own bucket (Mimir refuses a ruler
 * store equal to the blocks bucket and prefix); on Ceph RGW an ObjectBucketClaim is one bucket with
 * its own credentials, so each consumer gets one bucket and distinct prefixes. Buckets nothing reads
 * (model/storage.ts UNUSED_PURPOSES) are planned only where `objectStore.keepUnusedBuckets` keeps
 * them, so they stay in the state of a running stack that has them (every bucket is retainOnDelete:
 * one dropped from the plan leaves the state, not the store), and a new stack never gets them.
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
  const keep: readonly string[] = store.type === "minio" ? store.keepUnusedBuckets : [];
  const consumers = consumersOf(cfg).map((consumer): ConsumerPlan => {
    const user = `${prefix}-${consumer}`;
    if (store.type === "ceph-rgw") {
      const bucket = `${prefix}-${consumer}`;
      const locations = Object.fromEntries(
        PURPOSES[consumer].map((p) => [p, consumer === "mimir" ? { bucket, prefix: p } : { bucket }]),
      );
      return { consumer, buckets: [bucket], referenced: [], unused: [], locations, user };
    }
    const existing = cfg.takeover?.buckets[consumer];
    const bucketFor = (p: Purpose) => bucketOf(cfg, prefix, consumer, p);
    const locations = Object.fromEntries(PURPOSES[consumer].map((p) => [p, { bucket: bucketFor(p) }]));
    const used = [...new Set(PURPOSES[consumer].map(bucketFor))];
    // Buckets nothing reads that this stack already has: kept under the names they were made with.
    const kept = UNUSED_PURPOSES[consumer]
      .filter((p) => keep.includes(`${consumer}-${p}`))
      .map(bucketFor)
      .filter((b) => !used.includes(b));
    // Named here but not in `existing.buckets` (which imports): used by name, never in state.
    const named = PURPOSES[consumer].map((p) => existing?.[p]).filter((b): b is string => !!b);
    const referenced = used.filter((b) => named.includes(b) && !cfg.existing.buckets.includes(b));
    const takenOver = UNUSED_PURPOSES[consumer].map((p) => existing?.[p]);
    return {
      consumer,
      buckets: used.filter((b) => !referenced.includes(b)),
      referenced,
      // One a takeover names is not in state unless existing.buckets imports it.
      unused: [...new Set(kept)].filter((b) => !takenOver.includes(b) || cfg.existing.buckets.includes(b)),
      existingSecret: cfg.takeover?.secrets[consumer],
      ...(store.type === "garage" && store.existingKeys[consumer]
        ? { existingKey: store.existingKeys[consumer] }
        : {}),
      locations,
      user,
    };
  });
  return { type: store.type, consumers, ...base };
}

/** Takeover: a purpose the config names uses that existing bucket; the others get planned ones. */
function bucketOf(cfg: StackConfig, prefix: string, consumer: Consumer, p: Purpose): string {
  return cfg.takeover?.buckets[consumer]?.[p] ?? `${prefix}-${consumer}-${p}`;
}

/** One purpose's bucket in {@link purposeBuckets}. */
export interface PurposeBucket {
  consumer: Consumer;
  purpose: Purpose;
  bucket: string;
  /** `takeover.buckets.<consumer>.<purpose>` names it; else it is the planned name. */
  named: boolean;
}

/**
 * Every purpose {@link planBuckets} gives a bucket of its own on MinIO and Garage, with that bucket:
 * those the consumers read, then the unused ones it keeps. An unused purpose whose bucket its own
 * consumer already has is that bucket, not a second one (a Loki taken over may keep its ruler
 * objects in its chunks bucket; nothing reads them). Two entries with one bucket are one bucket
 * declared for two purposes (config/resolve.ts takeoverChecks refuses it).
 */
export function purposeBuckets(cfg: StackConfig): PurposeBucket[] {
  const store = cfg.objectStore;
  if (store.type !== "minio" && store.type !== "garage") return [];
  const keep: readonly string[] = store.type === "minio" ? store.keepUnusedBuckets : [];
  return consumersOf(cfg).flatMap((consumer) => {
    const entry = (purpose: Purpose): PurposeBucket => ({
      consumer,
      purpose,
      bucket: bucketOf(cfg, store.bucketPrefix, consumer, purpose),
      named: cfg.takeover?.buckets[consumer]?.[purpose] !== undefined,
    });
    const read = PURPOSES[consumer].map(entry);
    const kept = UNUSED_PURPOSES[consumer]
      .filter((p) => keep.includes(`${consumer}-${p}`))
      .map(entry)
      .filter((e, i, all) => ![...read, ...all.slice(0, i)].some((r) => r.bucket === e.bucket));
    return [...read, ...kept];
  });
}

/**
 * Per metrics backend, the buckets the plan above gives the consumers only that backend brings
 * (Mimir's blocks and ruler buckets, and its unused ones `objectStore.keepUnusedBuckets` keeps;
 * VictoriaMetrics keeps its TSDB on disk and brings none) under this config, at its phase or,
 * where the backend runs none there (the first phase), at the first phase it runs: what an update
 * that swaps the backend, or moves back past the phase that brought it, deletes from the object
 * store because of that alone (change/backendMove.ts). A consumer both backends bring (Loki) is
 * neither's.
 */
export function backendBuckets(cfg: StackConfig): Record<Backend, string[]> {
  // A refused move back to a phase without a backend deletes the buckets the export's phase had:
  // named by this config, whose own phase plans none (the bucket names do not depend on the phase).
  const runs = (b: Backend) =>
    capabilities(cfg.phase, b).backend ? cfg.phase : PHASES.find((p) => capabilities(p, b).backend)!;
  const plans = BACKENDS.map((b) => planBuckets({ ...cfg, metricsBackend: b, phase: runs(b) }).consumers);
  const names = (c: ConsumerPlan) => [...c.buckets, ...c.unused];
  return Object.fromEntries(
    BACKENDS.map((b, i) => {
      const others = new Set(plans.filter((_, j) => j !== i).flatMap((ps) => ps.map((c) => c.consumer)));
      return [b, plans[i].filter((c) => !others.has(c.consumer)).flatMap(names)];
    }),
  ) as Record<Backend, string[]>;
}
