import type { StackConfig } from "../config/resolve";
import {
  credentialSecretName,
  obcName,
  type BucketPlan,
  type Consumer,
  type ConsumerStorage,
} from "../model/storage";

/**
 * How each consumer of the bucket plan reaches its storage: plain data for the values builders,
 * typed per consumer, so a consumer the phase brings up always has its storage (no fallback).
 * MinIO: the program's per-consumer credential Secret (or the running one a takeover names); Ceph RGW: the Secret and ConfigMap Rook
 * creates for the claim (BUCKET_HOST/BUCKET_PORT, expanded by the consumer at start); filesystem:
 * the consumer's own volume.
 */
export function consumerStorage(
  plan: BucketPlan,
  store: StackConfig["objectStore"],
  consumer: Consumer,
): ConsumerStorage {
  const p = plan.consumers.find((c) => c.consumer === consumer);
  if (store.type === "filesystem" || plan.type === "filesystem") return { kind: "filesystem", consumer };
  if (!p) throw new Error(`consumerStorage: the bucket plan has no buckets for ${consumer}`);
  // Garage's keys, like MinIO's users, land in the program's credential Secret; Garage answers
  // path-style requests always and signs for its own s3_region only (config/schema.ts garageStore).
  if (store.type === "garage" || store.type === "minio")
    return {
      kind: "s3",
      consumer,
      endpoint: store.endpoint,
      region: store.region,
      plainHttp: store.endpoint.startsWith("http://"),
      skipVerify: store.endpoint.startsWith("https://") && store.insecure,
      pathStyle: store.type === "garage" ? true : store.pathStyle,
      locations: p.locations,
      envFrom: [
        {
          secretRef: {
            name: (store.type === "minio" ? p.existingSecret : undefined) ?? credentialSecretName(consumer),
          },
        },
      ],
    };
  const claim = obcName(consumer);
  return {
    kind: "s3",
    consumer,
    endpoint: "http://${BUCKET_HOST}:${BUCKET_PORT}",
    region: store.region,
    // The bucket claim's ConfigMap gives a host and port, no scheme: RGW's in-cluster Service.
    plainHttp: true,
    skipVerify: false,
    pathStyle: true,
    locations: p.locations,
    envFrom: [{ secretRef: { name: claim } }, { configMapRef: { name: claim } }],
  };
}
