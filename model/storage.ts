import type { Consumer, Location, Purpose } from "../config/buckets";

/** Environment variables every S3 consumer reads its credentials from (with -config.expand-env). */
export const S3_ENV = { accessKey: "AWS_ACCESS_KEY_ID", secretKey: "AWS_SECRET_ACCESS_KEY" } as const;

/** How a consumer reaches its buckets: plain data for the values builders, credentials by reference only. */
export type ConsumerStorage =
  | {
      kind: "s3";
      consumer: Consumer;
      /** Endpoint URL with scheme; may hold `${BUCKET_HOST}`-style references expanded at startup. */
      endpoint: string;
      region: string;
      insecure: boolean;
      pathStyle: boolean;
      locations: Partial<Record<Purpose, Location>>;
      /** envFrom entries that put S3_ENV (and, for Ceph, BUCKET_HOST/PORT) into the pod. */
      envFrom: { secretRef?: { name: string }; configMapRef?: { name: string } }[];
    }
  | { kind: "filesystem"; consumer: Consumer };

/** `host:port` of an S3 endpoint URL, as Mimir wants it (no scheme). */
export function endpointHost(endpoint: string): string {
  return endpoint.replace(/^https?:\/\//, "");
}
