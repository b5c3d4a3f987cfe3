import { PART_OF_LABEL } from "../metadata";
import { credentialSecretName, endpointHost, obcName, S3_ENV, type Consumer } from "../../model/storage";
import {
  MINIO_METRICS_SECRET,
  minioMetricsPolicy,
  minioScrapeConfigSpec,
  type MinioScrape,
} from "./minioMetrics";
import { consumerPolicy } from "./bucketPolicy";

/**
 * The objects the ObjectStore component creates, as plain data. Values that are secrets in the
 * program (keys, tokens) come in as `T` and go out untouched, so the component keeps them wrapped.
 */

/** The settings of the stack config's `objectStore` the MinIO provider reads. */
export interface MinioStore {
  endpoint: string;
  adminEndpoint?: string;
  region: string;
  insecure: boolean;
}

/**
 * The MinIO provider's settings: it dials from where Pulumi runs (a laptop, a CI runner), so the
 * admin endpoint wins over the pods' `endpoint`; TLS follows the scheme.
 */
export function minioProviderArgs<T>(store: MinioStore, user: T, password: T) {
  const admin = store.adminEndpoint ?? store.endpoint;
  return {
    minioServer: endpointHost(admin),
    minioRegion: store.region,
    minioSsl: admin.startsWith("https://"),
    minioInsecure: admin.startsWith("https://") && store.insecure,
    minioUser: user,
    minioPassword: password,
  };
}

/** A generated secret key: 40 letters and digits (no symbol a URL or an env file would mangle). */
export const GENERATED_KEY = { length: 40, special: false } as const;

/** A bucket: private, and never force-destroyed (a bucket with objects in it is not deleted). */
export function bucketArgs(bucket: string) {
  return { bucket, acl: "private", forceDestroy: false };
}

/** A MinIO user with its generated secret key; never force-destroyed. */
export function minioUserArgs<T>(name: string, secret: T) {
  return { name, secret, forceDestroy: false };
}

/** A consumer's read-write policy on its own buckets and the ones it references, and nothing else. */
export function consumerPolicyArgs(user: string, buckets: string[]) {
  return { name: `${user}-rw`, policy: JSON.stringify(consumerPolicy(buckets)) };
}

/** The metrics user's only policy: `admin:Prometheus` (builders/objectstore/minioMetrics.ts). */
export function metricsPolicyArgs(user: string) {
  return { name: `${user}-prometheus`, policy: JSON.stringify(minioMetricsPolicy()) };
}

/** Versioning on a bucket, a separate resource so turning it on never touches the bucket. */
export function versioningArgs<T>(bucket: T) {
  return { bucket, versioningConfiguration: { status: "Enabled" } };
}

/** A noncurrent-version expiry after `days` (MinIO ILM): deleted objects stay readable that long. */
export function keepDeletedArgs<T>(bucket: T, days: number) {
  return {
    bucket,
    rules: [{ id: "expire-noncurrent", status: "Enabled", noncurrentVersionExpirationDays: days }],
  };
}

/** A consumer's credential Secret, which its pods load by `envFrom` (S3_ENV keys). */
export function credentialSecret<T>(consumer: Consumer, namespace: string, accessKey: T, secretKey: T) {
  return {
    metadata: { name: credentialSecretName(consumer), namespace, labels: { ...PART_OF_LABEL } },
    type: "Opaque",
    stringData: { [S3_ENV.accessKey]: accessKey, [S3_ENV.secretKey]: secretKey },
  };
}

/** The Secret holding the bearer token the scrapers send to MinIO's metrics endpoint. */
export function minioMetricsTokenSecret<T>(namespace: string, token: T) {
  return {
    metadata: { name: MINIO_METRICS_SECRET.name, namespace, labels: { ...PART_OF_LABEL } },
    type: "Opaque",
    stringData: { [MINIO_METRICS_SECRET.key]: token },
  };
}

/** The ScrapeConfig that reads MinIO's cluster metrics with that token. */
export function minioScrapeConfig(namespace: string, scrape: MinioScrape) {
  return {
    apiVersion: "monitoring.coreos.com/v1alpha1",
    kind: "ScrapeConfig",
    metadata: { name: "minio-cluster", namespace, labels: { ...PART_OF_LABEL } },
    spec: minioScrapeConfigSpec(scrape),
  };
}

/**
 * A consumer's ObjectBucketClaim (Ceph RGW): Rook creates a Secret (AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY) and a ConfigMap (BUCKET_HOST, BUCKET_PORT) named after the claim, and the
 * consumer loads both by envFrom.
 */
export function objectBucketClaim(
  consumer: Consumer,
  namespace: string,
  bucket: string,
  storageClass: string,
) {
  return {
    apiVersion: "objectbucket.io/v1alpha1",
    kind: "ObjectBucketClaim",
    metadata: { name: obcName(consumer), namespace },
    spec: { bucketName: bucket, storageClassName: storageClass },
  };
}
