/**
 * Where a taken-over Loki keeps its logs. Loki reads and writes chunks in one place, its storage
 * type (`loki.storage.type`, s3 or filesystem) and, on S3, the chunks bucket
 * (`loki.storage.bucketNames.chunks`): loki 6.49.0 values.yaml lines 429-436 and
 * templates/_helpers.tpl lines 205-207 (`loki.commonStorageConfig`), 18.11.0 values.yaml lines
 * 626-632 and _helpers.tpl lines 226-228, read from the archives in the chart cache. The update writes
 * the program's: a bucket or type other than the running one starts Loki on an empty store, and
 * every log written before is neither read nor deleted by retention. Nothing in Kubernetes or Helm
 * refuses that, so the change check does, naming the stack key that sets the program's side.
 */
import type { RunningRelease, RunningState } from "../model/running";
import { stackKeyAt, type OverridePlace } from "../synth/report";
import type { Refusal } from "./apiRules";

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/** The chunks bucket of a loki chart's values that keep the chunks on S3; undefined otherwise. */
export function s3ChunksBucket(values: any): string | undefined {
  const storage = values?.loki?.storage ?? {};
  return storage.type === "s3" ? str(storage.bucketNames?.chunks) : undefined;
}

/**
 * The refusals of the update on an adopted Loki release: `planned` is the program's values for it,
 * `rel` the running release. Empty when both keep the logs in the same place, or when the running
 * values cannot tell where that is (an S3 URL in `loki.storage.s3.s3` instead of bucketNames).
 */
export function lokiStoreRefusals(
  planned: Record<string, any>,
  rel: RunningRelease,
  running: Pick<RunningState, "dir">,
  at?: OverridePlace,
): Refusal[] {
  const was = rel.values?.loki?.storage ?? {};
  const now = planned?.loki?.storage ?? {};
  const file = `${running.dir}/${rel.namespace}.${rel.name}.values.yaml`;
  const [wasType, nowType] = [str(was.type), str(now.type)];
  if (wasType && nowType && wasType !== nowType)
    return [
      {
        field: "values.loki.storage.type",
        reason: `it runs with "${wasType}" (${file}), the update sets "${nowType}" from ${stackKeyAt("objectStore.type", at)}: Loki would start on an empty store, and the logs already written ${wasType === "filesystem" ? "on its claims" : "in its bucket"} would no longer be read (nor deleted by retention); set objectStore.type to keep them where they run`,
      },
    ];
  const [wasBucket, nowBucket] = [s3ChunksBucket(rel.values), str(now.bucketNames?.chunks)];
  if (wasType !== "s3" || !wasBucket || !nowBucket || wasBucket === nowBucket) return [];
  const key = "takeover.buckets.loki.chunks";
  return [
    {
      field: "values.loki.storage.bucketNames.chunks",
      reason: `it runs with "${wasBucket}" (${file}), the update sets "${nowBucket}" from ${stackKeyAt(key, at)}: Loki would read and write another bucket, and the logs already in "${wasBucket}" would no longer be found (nor deleted by retention); set ${key} to "${wasBucket}"`,
    },
  ];
}
