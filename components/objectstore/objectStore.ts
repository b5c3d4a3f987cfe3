import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as minio from "@pulumi/minio";
import * as random from "@pulumi/random";
import { consumerPolicy } from "../../builders/objectstore/bucketPolicy";
import {
  credentialSecretName,
  endpointHost,
  obcName,
  S3_ENV,
  type BucketPlan,
  type Consumer,
  type ConsumerPlan,
} from "../../model/storage";
import {
  MINIO_METRICS_SECRET,
  minioMetricsPolicy,
  minioPrometheusToken,
  minioScrapeConfigSpec,
  type MinioScrape,
} from "../../builders/objectstore/minioMetrics";
import { readExistingSecret } from "../existingSecret";

/** The settings of the stack config's `objectStore` this component reads, per store type. */
export type ObjectStoreSettings =
  | {
      type: "minio";
      endpoint: string;
      adminEndpoint?: string;
      region: string;
      insecure: boolean;
      keepDeletedDays?: number;
    }
  | { type: "ceph-rgw"; storageClass: string; insecure: boolean }
  | { type: "filesystem"; insecure: boolean };

/** Receives credentials the program generates, so a person can find them (1Password write-back). */
export interface CredentialSink {
  record(
    name: string,
    login: { username: pulumi.Input<string>; password: pulumi.Output<string> },
    opts: pulumi.CustomResourceOptions,
  ): void;
}

/** Arguments of {@link ObjectStore}. */
export interface ObjectStoreArgs {
  /** Which buckets exist; from `planBuckets`. */
  plan: BucketPlan;
  /** Store settings from the stack config's `objectStore` (endpoint, region, TLS); no default. */
  store: ObjectStoreSettings;
  /** Namespace of the consumers' credential Secrets. */
  namespace: string;
  /** MinIO admin login, from the secrets backend. Required with the minio store. */
  minioAdmin?: { user: pulumi.Output<string>; password: pulumi.Output<string> };
  /**
   * Scrape MinIO's cluster metrics (minio store): a user that may only read metrics
   * (`admin:Prometheus`), its bearer token in a Secret, and a ScrapeConfig. Default: no scrape.
   */
  metrics?: MinioScrape;
  /** Where generated consumer credentials are written back. Default: nowhere (they stay in state only). */
  credentialSink?: CredentialSink;
  /** Kubernetes provider; every Kubernetes child uses it. */
  provider: k8s.Provider;
  /** Provider of the generated consumer secret keys. */
  randomProvider: random.Provider;
}

/**
 * Buckets per consumer with least-privilege users (MinIO), ObjectBucketClaims (Ceph RGW) or nothing
 * (filesystem), and for each consumer a Secret its pods load by `envFrom`.
 */
export class ObjectStore extends pulumi.ComponentResource {
  /**
   * Per consumer: resources its workload must wait for (buckets, users, Secrets); empty for a
   * consumer without buckets. How pods reach storage is plan data (plan/storage.ts).
   */
  readonly ready: Readonly<Record<Consumer, pulumi.Resource[]>>;
  /** Every bucket name, for stack outputs. */
  readonly bucketNames: string[];

  constructor(name: string, args: ObjectStoreArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:objectstore:ObjectStore", name, {}, opts);
    const ready: Record<Consumer, pulumi.Resource[]> = { loki: [], mimir: [] };
    this.ready = ready;
    this.bucketNames = args.plan.consumers.flatMap((c) => [...c.referenced, ...c.buckets]);
    const k8sOpts = { parent: this, provider: args.provider };
    const dataOpts = { protect: args.plan.protect, retainOnDelete: args.plan.retainOnDelete };

    if (args.plan.type === "filesystem") {
      // Nothing to create: each consumer keeps its data on its own volume.
    } else if (args.plan.type === "minio") {
      const store = args.store;
      if (store.type !== "minio") throw new Error("ObjectStore: a minio plan needs a minio store");
      if (!args.minioAdmin) throw new Error("ObjectStore: the minio store needs minioAdmin credentials");
      // The provider dials from where Pulumi runs (a laptop, a CI runner), pods dial `endpoint`.
      const admin = store.adminEndpoint ?? store.endpoint;
      const minioProvider = new minio.Provider(
        `${name}-minio`,
        {
          minioServer: endpointHost(admin),
          minioRegion: store.region,
          minioSsl: admin.startsWith("https://"),
          minioInsecure: admin.startsWith("https://") && store.insecure,
          minioUser: args.minioAdmin.user,
          minioPassword: args.minioAdmin.password,
        },
        { parent: this },
      );
      const mOpts = { parent: this, provider: minioProvider };
      for (const plan of args.plan.consumers) {
        const buckets = plan.buckets.map(
          (bucket) =>
            new minio.S3Bucket(
              `${name}-${bucket}`,
              { bucket, acl: "private", forceDestroy: false },
              // Listed in existing.buckets: imported by name (plan/takeover.ts planAdoptions).
              { ...mOpts, ...dataOpts },
            ),
        );
        if (store.keepDeletedDays !== undefined)
          this.keepDeleted(name, plan.buckets, buckets, store.keepDeletedDays, mOpts);
        if (plan.existingSecret) {
          // Takeover: the operator's Secret (e.g. synced by an ExternalSecret) keeps serving; reading
          // it makes a missing Secret fail the preview instead of the pods.
          const existing = readExistingSecret(
            `${name}-${plan.consumer}-credentials`,
            args.namespace,
            plan.existingSecret,
            [S3_ENV.accessKey, S3_ENV.secretKey],
            `takeover.secrets.${plan.consumer}`,
            k8sOpts,
          );
          ready[plan.consumer] = [...buckets, existing];
        } else {
          const secretKey = new random.RandomPassword(
            `${name}-${plan.consumer}-secret-key`,
            { length: 40, special: false },
            { parent: this, provider: args.randomProvider },
          );
          const secret = pulumi.secret(secretKey.result);
          const user = new minio.IamUser(
            `${name}-${plan.consumer}-user`,
            { name: plan.user, secret, forceDestroy: false },
            mOpts,
          );
          const policy = new minio.IamPolicy(
            `${name}-${plan.consumer}-policy`,
            {
              name: `${plan.user}-rw`,
              policy: JSON.stringify(consumerPolicy([...plan.buckets, ...plan.referenced])),
            },
            { ...mOpts, dependsOn: buckets },
          );
          const attachment = new minio.IamUserPolicyAttachment(
            `${name}-${plan.consumer}-policy-attachment`,
            { userName: user.name, policyName: policy.name },
            mOpts,
          );
          const credentials = this.credentialSecret(name, plan, args.namespace, user.name, secret, k8sOpts);
          args.credentialSink?.record(
            `${plan.user} (MinIO)`,
            { username: user.name, password: secret },
            { parent: this },
          );
          ready[plan.consumer] = [...buckets, attachment, credentials];
        }
      }
      if (args.metrics) this.minioMetrics(name, args, args.metrics, mOpts, k8sOpts);
    } else {
      const store = args.store;
      if (store.type !== "ceph-rgw") throw new Error("ObjectStore: a ceph-rgw plan needs a ceph-rgw store");
      for (const plan of args.plan.consumers) {
        // Rook creates a Secret (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) and a ConfigMap (BUCKET_HOST,
        // BUCKET_PORT) named after the claim; the consumer loads both by envFrom.
        const claimName = obcName(plan.consumer);
        const claim = new k8s.apiextensions.CustomResource(
          `${name}-${plan.consumer}-obc`,
          {
            apiVersion: "objectbucket.io/v1alpha1",
            kind: "ObjectBucketClaim",
            metadata: { name: claimName, namespace: args.namespace },
            spec: { bucketName: plan.buckets[0], storageClassName: store.storageClass },
          },
          // A retained claim is still in the cluster: existing.buckets imports it (planAdoptions).
          { ...k8sOpts, ...dataOpts },
        );
        ready[plan.consumer] = [claim];
      }
    }
    this.registerOutputs({ bucketNames: this.bucketNames });
  }

  /**
   * Versioning and a noncurrent-version expiry on the buckets the program manages: separate
   * resources, so turning them on never touches (or replaces) the bucket itself. Object locking is
   * left off: MinIO sets it at bucket creation only, and it would block the compactors' deletes.
   */
  private keepDeleted(
    name: string,
    names: string[],
    buckets: minio.S3Bucket[],
    days: number,
    mOpts: pulumi.CustomResourceOptions,
  ): void {
    names.forEach((bucket, i) => {
      const versioning = new minio.S3BucketVersioning(
        `${name}-${bucket}-versioning`,
        { bucket: buckets[i].bucket, versioningConfiguration: { status: "Enabled" } },
        mOpts,
      );
      new minio.IlmPolicy(
        `${name}-${bucket}-keep-deleted`,
        {
          bucket: buckets[i].bucket,
          rules: [{ id: "expire-noncurrent", status: "Enabled", noncurrentVersionExpirationDays: days }],
        },
        { ...mOpts, dependsOn: [versioning] },
      );
    });
  }

  /**
   * MinIO's capacity metrics with least privilege: a user whose only policy is `admin:Prometheus`,
   * the JWT `mc admin prometheus generate` would make for it (builders/objectstore/minioMetrics.ts),
   * kept in a Secret the scrapers read, and the ScrapeConfig that reads it.
   */
  private minioMetrics(
    name: string,
    args: ObjectStoreArgs,
    scrape: MinioScrape,
    mOpts: pulumi.CustomResourceOptions,
    k8sOpts: pulumi.CustomResourceOptions,
  ): void {
    const userName = args.plan.metricsUser;
    const secretKey = new random.RandomPassword(
      `${name}-metrics-secret-key`,
      { length: 40, special: false },
      { parent: this, provider: args.randomProvider },
    );
    const secret = pulumi.secret(secretKey.result);
    const user = new minio.IamUser(
      `${name}-metrics-user`,
      { name: userName, secret, forceDestroy: false },
      mOpts,
    );
    const policy = new minio.IamPolicy(
      `${name}-metrics-policy`,
      { name: `${userName}-prometheus`, policy: JSON.stringify(minioMetricsPolicy()) },
      mOpts,
    );
    const attachment = new minio.IamUserPolicyAttachment(
      `${name}-metrics-policy-attachment`,
      { userName: user.name, policyName: policy.name },
      mOpts,
    );
    const token = new k8s.core.v1.Secret(
      `${name}-metrics-token`,
      {
        metadata: {
          name: MINIO_METRICS_SECRET.name,
          namespace: args.namespace,
          labels: { "app.kubernetes.io/part-of": "homelab-observability" },
        },
        type: "Opaque",
        stringData: {
          [MINIO_METRICS_SECRET.key]: pulumi.secret(
            pulumi.all([user.name, secret]).apply(([u, k]) => minioPrometheusToken(u, k)),
          ),
        },
      },
      { ...k8sOpts, dependsOn: [attachment] },
    );
    new k8s.apiextensions.CustomResource(
      `${name}-metrics-scrape`,
      {
        apiVersion: "monitoring.coreos.com/v1alpha1",
        kind: "ScrapeConfig",
        metadata: {
          name: "minio-cluster",
          namespace: args.namespace,
          labels: { "app.kubernetes.io/part-of": "homelab-observability" },
        },
        spec: minioScrapeConfigSpec(scrape),
      },
      { ...k8sOpts, dependsOn: [token] },
    );
  }

  private credentialSecret(
    name: string,
    plan: ConsumerPlan,
    namespace: string,
    accessKey: pulumi.Output<string>,
    secretKey: pulumi.Output<string>,
    opts: pulumi.CustomResourceOptions,
  ): k8s.core.v1.Secret {
    return new k8s.core.v1.Secret(
      `${name}-${plan.consumer}-credentials`,
      {
        metadata: {
          name: credentialSecretName(plan.consumer),
          namespace,
          labels: { "app.kubernetes.io/part-of": "homelab-observability" },
        },
        type: "Opaque",
        stringData: { [S3_ENV.accessKey]: accessKey, [S3_ENV.secretKey]: secretKey },
      },
      opts,
    );
  }
}
