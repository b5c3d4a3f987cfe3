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

/** What each consumer keeps, one purpose per bucket on MinIO. */
export const PURPOSES: Record<Consumer, Purpose[]> = {
  loki: ["chunks", "ruler", "admin"],
  mimir: ["blocks", "ruler", "alertmanager"],
};

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

/** Stable name of the Secret holding a consumer's S3 credentials. */
export function credentialSecretName(consumer: Consumer): string {
  return `${consumer}-s3-credentials`;
}

/** Stable name of a consumer's ObjectBucketClaim (and of Rook's Secret and ConfigMap for it). */
export function obcName(consumer: Consumer): string {
  return `${consumer}-bucket`;
}
