import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as minio from "@pulumi/minio";
import * as random from "@pulumi/random";
import { S3_ENV, type BucketPlan, type Consumer, type ConsumerPlan } from "../../model/storage";
import { minioPrometheusToken, type MinioScrape } from "../../builders/objectstore/minioMetrics";
import {
  bucketArgs,
  consumerPolicyArgs,
  credentialSecret,
  GENERATED_KEY,
  metricsPolicyArgs,
  minioUserArgs,
  versioningArgs,
  keepDeletedArgs,
  minioMetricsTokenSecret,
  minioProviderArgs,
  minioScrapeConfig,
  objectBucketClaim,
} from "../../builders/objectstore/storeObjects";
import { readExistingSecret } from "../existingSecret";
import { GarageBucket, GarageGrant, GarageKey } from "./garage";

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
  | {
      type: "garage";
      endpoint: string;
      adminEndpoint: string;
      /** S3 endpoint as seen from where Pulumi runs; only a bucket deleted with its objects uses it. */
      s3AdminEndpoint?: string;
      region: string;
      insecure: boolean;
      deleteNonEmptyBuckets: boolean;
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

/** The options every child gets: its parent, its provider and what it waits for. */
interface ChildOptions {
  parent: pulumi.Resource;
  provider: pulumi.ProviderResource;
  dependsOn: pulumi.Resource[];
}

/** Arguments of {@link ObjectStore}. */
export interface ObjectStoreArgs {
  /** Which buckets exist; from `planBuckets`. Required. */
  plan: BucketPlan;
  /** Store settings from the stack config's `objectStore` (endpoint, region, TLS). Required. */
  store: ObjectStoreSettings;
  /** Namespace of the consumers' credential Secrets. Required. */
  namespace: string;
  /** MinIO admin login, from the secrets backend. Required with the minio store; default: none. */
  minioAdmin?: { user: pulumi.Output<string>; password: pulumi.Output<string> };
  /** Garage's admin API token, from the secrets backend. Required with the garage store; default: none. */
  garageAdminToken?: pulumi.Output<string>;
  /**
   * How a refusal the store's provider makes names a stack key, with its place in the stack file
   * (`objectStore.region (Pulumi.staging.yaml:14)`); asked only for a key such a refusal names.
   * Default: the key alone.
   */
  keyAt?: (key: string) => string;
  /**
   * Scrape MinIO's cluster metrics (minio store): a user that may only read metrics
   * (`admin:Prometheus`), its bearer token in a Secret, and a ScrapeConfig. Default: no scrape.
   */
  metrics?: MinioScrape;
  /** Where generated consumer credentials are written back. Default: nowhere (they stay in state only). */
  credentialSink?: CredentialSink;
  /** What every child waits for besides what apply/ordering.ts adds. Default: none. */
  dependsOn?: pulumi.Resource[];
  /** Kubernetes provider; every Kubernetes child uses it. Required. */
  provider: k8s.Provider;
  /** Provider of the generated consumer secret keys. Required. */
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

  constructor(name: string, args: ObjectStoreArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:objectstore:ObjectStore", name, {}, opts);
    const ready: Record<Consumer, pulumi.Resource[]> = { loki: [], mimir: [] };
    this.ready = ready;
    const waits = args.dependsOn ?? [];
    const k8sOpts = { parent: this, provider: args.provider, dependsOn: waits };
    const dataOpts = { protect: args.plan.protect, retainOnDelete: args.plan.retainOnDelete };

    if (args.plan.type === "filesystem") {
      // Nothing to create: each consumer keeps its data on its own volume.
    } else if (args.plan.type === "minio") {
      const store = args.store;
      if (store.type !== "minio") throw new Error("ObjectStore: a minio plan needs a minio store");
      if (!args.minioAdmin) throw new Error("ObjectStore: the minio store needs minioAdmin credentials");
      const minioProvider = new minio.Provider(
        `${name}-minio`,
        minioProviderArgs(store, args.minioAdmin.user, args.minioAdmin.password),
        { parent: this, dependsOn: waits },
      );
      const mOpts = { parent: this, provider: minioProvider, dependsOn: waits };
      for (const plan of args.plan.consumers) {
        const bucket = (b: string) =>
          new minio.S3Bucket(
            `${name}-${b}`,
            bucketArgs(b),
            // Listed in existing.buckets: imported by name (plan/takeover.ts planAdoptions).
            { ...mOpts, ...dataOpts },
          );
        const buckets = plan.buckets.map(bucket);
        // Buckets nothing reads that the stack already has: kept (retained, protected in
        // production) so no update deletes them, and granted to nobody.
        const unused = plan.unused.map(bucket);
        if (store.keepDeletedDays !== undefined)
          this.keepDeleted(
            name,
            [...plan.buckets, ...plan.unused],
            [...buckets, ...unused],
            store.keepDeletedDays,
            mOpts,
          );
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
            plan.consumer === "loki" ? "Loki" : "Mimir",
          );
          ready[plan.consumer] = [...buckets, existing];
        } else {
          const secretKey = new random.RandomPassword(`${name}-${plan.consumer}-secret-key`, GENERATED_KEY, {
            parent: this,
            provider: args.randomProvider,
            dependsOn: waits,
          });
          const secret = pulumi.secret(secretKey.result);
          const user = new minio.IamUser(
            `${name}-${plan.consumer}-user`,
            minioUserArgs(plan.user, secret),
            mOpts,
          );
          const policy = new minio.IamPolicy(
            `${name}-${plan.consumer}-policy`,
            consumerPolicyArgs(plan.user, [...plan.buckets, ...plan.referenced]),
            { ...mOpts, dependsOn: [...waits, ...buckets] },
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
            { parent: this, dependsOn: waits },
          );
          ready[plan.consumer] = [...buckets, attachment, credentials];
        }
      }
      if (args.metrics) this.minioMetrics(name, args, args.metrics, mOpts, k8sOpts);
    } else if (args.plan.type === "garage") {
      this.garage(name, args, k8sOpts, dataOpts, ready);
    } else {
      const store = args.store;
      if (store.type !== "ceph-rgw") throw new Error("ObjectStore: a ceph-rgw plan needs a ceph-rgw store");
      for (const plan of args.plan.consumers) {
        const claim = new k8s.apiextensions.CustomResource(
          `${name}-${plan.consumer}-obc`,
          objectBucketClaim(plan.consumer, args.namespace, plan.buckets[0], store.storageClass),
          // A retained claim is still in the cluster: existing.buckets imports it (planAdoptions).
          { ...k8sOpts, ...dataOpts },
        );
        ready[plan.consumer] = [claim];
      }
    }
    this.registerOutputs({});
  }

  /**
   * Garage: a bucket per purpose, one access key per consumer, and a grant of read and write (never
   * owner) on exactly that consumer's buckets, all through Garage's admin API v2 (./garage.ts).
   * Buckets listed in existing.buckets and keys in objectStore.existingKeys are imported
   * (plan/takeover.ts); unused kept buckets are granted to nobody.
   */
  private garage(
    name: string,
    args: ObjectStoreArgs,
    k8sOpts: ChildOptions,
    dataOpts: { protect: boolean; retainOnDelete: boolean },
    ready: Record<Consumer, pulumi.Resource[]>,
  ): void {
    const store = args.store;
    if (store.type !== "garage") throw new Error("ObjectStore: a garage plan needs a garage store");
    if (!args.garageAdminToken) throw new Error("ObjectStore: the garage store needs garageAdminToken");
    const admin = pulumi.secret(
      args.garageAdminToken.apply((token) => ({ endpoint: store.adminEndpoint, token })),
    );
    const gOpts = { parent: this, dependsOn: k8sOpts.dependsOn };
    const regionKey = args.keyAt?.("objectStore.region") ?? "objectStore.region";
    for (const plan of args.plan.consumers) {
      const bucket = (b: string) =>
        new GarageBucket(
          `${name}-${b}`,
          {
            admin,
            name: b,
            deleteNonEmpty: store.deleteNonEmptyBuckets,
            s3Endpoint: store.s3AdminEndpoint ?? store.endpoint,
            region: store.region,
            regionKey,
          },
          // Listed in existing.buckets: imported by name (plan/takeover.ts planAdoptions).
          { ...gOpts, ...dataOpts },
        );
      const buckets = plan.buckets.map(bucket);
      plan.unused.map(bucket);
      const key = new GarageKey(
        `${name}-${plan.consumer}-key`,
        {
          admin,
          name: plan.user,
          // Refused at its import when it holds grants beyond these (garage.ts importedKeyReach).
          ...(plan.existingKey === undefined
            ? {}
            : {
                imported: {
                  key:
                    args.keyAt?.(`objectStore.existingKeys.${plan.consumer}`) ??
                    `objectStore.existingKeys.${plan.consumer}`,
                  consumer: plan.consumer === "loki" ? "Loki" : "Mimir",
                  buckets: [...plan.buckets, ...plan.referenced, ...plan.unused],
                },
              }),
        },
        // Named in objectStore.existingKeys: imported by its ID (plan/takeover.ts planAdoptions). The
        // stack did not make that key, and deleting it (a destroy, or its consumer leaving the plan)
        // would also take its grants on buckets of no consumer of the stack: it is left in Garage.
        { ...gOpts, retainOnDelete: plan.existingKey !== undefined },
      );
      const grants = buckets.map(
        (b, i) =>
          new GarageGrant(
            `${name}-${plan.buckets[i]}-${plan.consumer}-grant`,
            {
              admin,
              bucket: plan.buckets[i],
              bucketId: b.bucketId,
              keyName: plan.user,
              accessKeyId: key.accessKeyId,
              permissions: { read: true, write: true, owner: false },
            },
            gOpts,
          ),
      );
      const secret = pulumi.secret(key.secretAccessKey);
      const credentials = this.credentialSecret(name, plan, args.namespace, key.accessKeyId, secret, k8sOpts);
      args.credentialSink?.record(
        `${plan.user} (Garage)`,
        { username: key.accessKeyId, password: secret },
        { parent: this, dependsOn: k8sOpts.dependsOn },
      );
      ready[plan.consumer] = [...buckets, ...grants, credentials];
    }
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
    mOpts: ChildOptions,
  ): void {
    names.forEach((bucket, i) => {
      const versioning = new minio.S3BucketVersioning(
        `${name}-${bucket}-versioning`,
        versioningArgs(buckets[i].bucket),
        mOpts,
      );
      new minio.IlmPolicy(`${name}-${bucket}-keep-deleted`, keepDeletedArgs(buckets[i].bucket, days), {
        ...mOpts,
        dependsOn: [...mOpts.dependsOn, versioning],
      });
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
    mOpts: ChildOptions,
    k8sOpts: ChildOptions,
  ): void {
    const userName = args.plan.metricsUser;
    const secretKey = new random.RandomPassword(`${name}-metrics-secret-key`, GENERATED_KEY, {
      parent: this,
      provider: args.randomProvider,
      dependsOn: k8sOpts.dependsOn,
    });
    const secret = pulumi.secret(secretKey.result);
    const user = new minio.IamUser(`${name}-metrics-user`, minioUserArgs(userName, secret), mOpts);
    const policy = new minio.IamPolicy(`${name}-metrics-policy`, metricsPolicyArgs(userName), mOpts);
    const attachment = new minio.IamUserPolicyAttachment(
      `${name}-metrics-policy-attachment`,
      { userName: user.name, policyName: policy.name },
      mOpts,
    );
    const token = new k8s.core.v1.Secret(
      `${name}-metrics-token`,
      minioMetricsTokenSecret(
        args.namespace,
        pulumi.secret(pulumi.all([user.name, secret]).apply(([u, k]) => minioPrometheusToken(u, k))),
      ),
      { ...k8sOpts, dependsOn: [...k8sOpts.dependsOn, attachment] },
    );
    new k8s.apiextensions.CustomResource(
      `${name}-metrics-scrape`,
      minioScrapeConfig(args.namespace, scrape),
      { ...k8sOpts, dependsOn: [...k8sOpts.dependsOn, token] },
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
      credentialSecret(plan.consumer, namespace, accessKey, secretKey),
      opts,
    );
  }
}
