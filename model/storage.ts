import { RELEASES } from "./names";
import { prometheusName } from "./services";

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
  /**
   * Buckets this stack already has that nothing reads any more ({@link UNUSED_PURPOSES}, kept by
   * `objectStore.keepUnusedBuckets`): still managed (retained on delete, protected in production)
   * so no update deletes them, but granted to no user and in no consumer's config.
   */
  unused: string[];
  /** An existing Secret with its S3 credentials, read instead of a generated user (takeover). */
  existingSecret?: string;
  /** Purpose -> bucket (+ prefix). */
  locations: Partial<Record<Purpose, Location>>;
  /** MinIO user name for this consumer (MinIO only); the name of its Garage access key (Garage). */
  user: string;
  /** An access key Garage already has for this consumer (`objectStore.existingKeys`): imported, not created. */
  existingKey?: string;
}

export interface BucketPlan {
  type: "minio" | "garage" | "ceph-rgw" | "filesystem";
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
  loki: ["chunks"],
  mimir: ["blocks", "ruler"],
};

/**
 * Buckets earlier versions of the program created for every stack and that nothing reads:
 * - Loki's ruler bucket: the ruler reads its rules from a local directory (builders/logging/lokiValues.ts
 *   sets `ruler.storage.type: local`; the loki 6.49.0 chart then asks for no ruler bucket,
 *   templates/_helpers.tpl:233-235 `loki.rulerStorageConfig`);
 * - Loki's admin bucket: only the Enterprise Logs admin API reads it (loki 6.49.0
 *   templates/_helpers.tpl:414-431 `enterprise-logs.adminAPIStorageConfig`,
 *   templates/admin-api/deployment-admin-api.yaml:2,82, rendered only with `enterprise.enabled`);
 * - Mimir's Alertmanager bucket: no Mimir process here runs the Alertmanager (`-target=all` leaves
 *   it out, upstream/engines/mimirModules.ts; the stack runs its own Alertmanager).
 * A stack that has them keeps them through `objectStore.keepUnusedBuckets`; a new one never gets them.
 */
export const UNUSED_PURPOSES: Record<Consumer, Purpose[]> = {
  loki: ["ruler", "admin"],
  mimir: ["alertmanager"],
};

/** Every purpose a consumer's bucket ever had: what a takeover may name. */
export const KNOWN_PURPOSES: Record<Consumer, Purpose[]> = {
  loki: [...PURPOSES.loki, ...UNUSED_PURPOSES.loki],
  mimir: [...PURPOSES.mimir, ...UNUSED_PURPOSES.mimir],
};

/** How `objectStore.keepUnusedBuckets` names one unused bucket: `<consumer>-<purpose>`. */
export const UNUSED_BUCKETS = ["loki-ruler", "loki-admin", "mimir-alertmanager"] as const;
export type UnusedBucket = (typeof UNUSED_BUCKETS)[number];

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
      /**
       * The endpoint speaks plain HTTP (its scheme is http://). Loki's and Mimir's S3 `insecure`
       * means exactly this, "use http:// for the S3 endpoint instead of https://" (mimir-3.0.0
       * pkg/storage/bucket/s3/config.go RegisterFlagsWithPrefix; loki v3.7.6
       * pkg/storage/chunk/client/aws/s3_storage_client.go:118, "Disable https on s3 connection"), so it
       * follows the scheme and nothing else.
       */
      plainHttp: boolean;
      /**
       * An https:// endpoint whose certificate the clients do not verify (`objectStore.insecure`
       * with https): Loki's `s3.http_config.insecure_skip_verify`, Mimir's
       * `s3.http.insecure_skip_verify` (both in the engines' references).
       */
      skipVerify: boolean;
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

/** The claim template the program gives kube-prometheus-stack's Prometheus (`volumeClaimTemplate` name). */
export const PROMETHEUS_CLAIM_TEMPLATE = "prometheus-db";

/**
 * What every claim of the operator's Prometheus StatefulSet ends in for a KPS fullname: the
 * StatefulSet is `prometheus-<fullname>-prometheus` and its first pod's claim
 * `<template>-<statefulset>-0` (prometheus-operator v0.93.0 pkg/prometheus/server/statefulset.go:130-142,
 * pkg/prometheus/common.go `VolumeName`, `PrefixedName`). The config's takeover check and the plan's claim both read it here.
 */
export function prometheusClaimSuffix(kpsFullname: string): string {
  return `-prometheus-${prometheusName(kpsFullname)}-0`;
}

/**
 * The claim template the operator gives a Prometheus without one (`prometheus-<prom>-db`): what a
 * running kube-prometheus-stack installed with the chart's defaults has, and so the example the
 * takeover's errors give.
 */
export function operatorClaimTemplate(kpsFullname: string): string {
  return `prometheus-${prometheusName(kpsFullname)}-db`;
}

/**
 * The Prometheus claim and its template for a KPS fullname (without a template the operator would
 * name it `prometheus-<prom>-db`, so the program gives one); `existing` is a running claim to keep
 * (takeover), whose template is what precedes the suffix.
 */
export function prometheusClaim(fullname: string, existing?: string): { claim: string; template: string } {
  const suffix = prometheusClaimSuffix(fullname);
  if (existing) return { claim: existing, template: existing.slice(0, -suffix.length) };
  return { claim: `${PROMETHEUS_CLAIM_TEMPLATE}${suffix}`, template: PROMETHEUS_CLAIM_TEMPLATE };
}

/** The claim the program's own Prometheus uses; pre-created so it can be retained and protected. */
export const PROMETHEUS_PVC = prometheusClaim(RELEASES.kps).claim;

/**
 * The type token of the component that holds that claim (components/metrics/prometheusVolume.ts):
 * the change check (change/change.ts) finds the claim by it in a URN, and may not import the
 * component, so both read it here and a rename moves both.
 */
export const PROMETHEUS_VOLUME_TYPE = "homelab:metrics:PrometheusVolume";

/**
 * The size of vmagent's persistent queue volume (its StatefulSet's claim template): fixed, so no
 * update changes a running stack's claim. The VictoriaMetrics operator (v0.66.0) meets a larger
 * template by recreating the StatefulSet and grows the claims only where the storage class allows
 * expansion (local-path does not). The config refuses a `victoriametrics.bufferSize` above it
 * (config/resolve.ts): the buffer lives on this volume.
 */
export const VMAGENT_QUEUE_VOLUME = "2Gi";
