/**
 * Which config keys name a bucket an engine reads, taken from the engine's own configuration
 * reference (upstream/engines/data, loaded by upstream/engines/references.ts): the keys whose last
 * segment is one of {@link BUCKET_LEAVES}. In mimir-3.0/config-fields.tsv these are the objstore
 * clients' `bucket_name` (blocks_storage, ruler_storage, alertmanager_storage, common.storage; e.g.
 * `blocks_storage.s3.bucket_name`, flag `-blocks-storage.s3.bucket-name`); in
 * loki-3.7.6/config-keys.tsv the S3 and COS clients' comma-separated `bucketnames`
 * (`storage_config.aws.bucketnames`, `common.storage.s3.bucketnames`, `ruler.storage.s3.bucketnames`),
 * GCS, BOS and the Thanos object store's `bucket_name`, and Alibaba's `bucket`.
 */
import type { EngineReference } from "./references";

/** Last segments of the reference keys that name buckets. */
export const BUCKET_LEAVES = ["bucket_name", "bucketnames", "bucket"] as const;

/** Keys whose value is a comma-separated list of buckets (Loki's S3 and COS clients: `-s3.buckets`). */
const LIST_LEAVES = new Set(["bucketnames"]);

/** The reference's keys that name a bucket (`*` stands for a map key, e.g. Loki's named stores). */
export function bucketKeys(ref: EngineReference): string[] {
  return [...ref.fields.keys()].filter((k) =>
    (BUCKET_LEAVES as readonly string[]).includes(k.split(".").pop()!),
  );
}

export interface BucketRead {
  /** The config key, as the file spells it. */
  key: string;
  bucket: string;
}

/** Every bucket a parsed config names under one of the reference's bucket keys. */
export function bucketsRead(ref: EngineReference, config: unknown): BucketRead[] {
  const patterns = bucketKeys(ref).map((k) => k.split("."));
  const matches = (path: string[]) =>
    patterns.some((p) => p.length === path.length && p.every((seg, i) => seg === "*" || seg === path[i]));
  const out: BucketRead[] = [];
  const walk = (v: unknown, path: string[]) => {
    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      for (const [k, child] of Object.entries(v)) walk(child, [...path, k]);
      return;
    }
    if (typeof v !== "string" || v === "" || !matches(path)) return;
    const key = path.join(".");
    const names = LIST_LEAVES.has(path[path.length - 1]) ? v.split(",") : [v];
    for (const bucket of names.map((b) => b.trim()).filter((b) => b !== "")) out.push({ key, bucket });
  };
  walk(config, []);
  return out;
}
