import { strict as assert } from "assert";
import * as k8s from "@pulumi/kubernetes";
import * as random from "@pulumi/random";
import { readStackConfig, synthesize, type ExportResource } from "../../synth/synthesize";
import { ObjectStore } from "../../components/objectstore/objectStore";
import { planBuckets } from "../../config/buckets";
import { Secrets } from "../../components/secrets/secrets";
import { pulumiSecretSource } from "../../config/load";
import { named, ofType, release, ROOT, synth } from "../support/helpers";
import { parseStackConfig, rawFromPulumiConfig } from "../../config/resolve";
import { mockCall } from "../../synth/mocks";
import { parse } from "yaml";

const nameOf = (r: ExportResource) => r.urn.split("::").pop();

describe("components under mocks", () => {
  it("ObjectStore on MinIO: per consumer buckets, user, least-privilege policy and attachment, all on the MinIO provider", async () => {
    const { export: exp } = await synth("staging");
    const rs = exp.deployment.resources;
    const provider = named(rs, "pulumi:providers:minio", "objectstore-minio");
    // The provider dials the admin endpoint (a port-forward), not the in-cluster one.
    assert.equal(provider.inputs.minioServer, "localhost:9000");
    assert.equal(String(provider.inputs.minioSsl), "false", "provider config is passed as strings");
    for (const r of rs.filter((x) => x.type.startsWith("minio:"))) {
      assert.ok(r.provider?.startsWith(provider.urn), `${r.urn} uses the explicit MinIO provider`);
      assert.ok(r.parent!.endsWith("::objectstore"), `${r.urn} is a child of the ObjectStore`);
    }
    const users = ofType(rs, "minio:index/iamUser:IamUser").map((u) => u.inputs.name);
    assert.deepEqual(users, ["staging-loki", "staging-mimir", "staging-metrics"]);
    // Staging had the buckets nothing reads (objectStore.keepUnusedBuckets): they stay, ungranted.
    const read = { loki: ["staging-loki-chunks"], mimir: ["staging-mimir-blocks", "staging-mimir-ruler"] };
    const kept = {
      loki: ["staging-loki-ruler", "staging-loki-admin"],
      mimir: ["staging-mimir-alertmanager"],
    };
    for (const consumer of ["loki", "mimir"] as const) {
      const policy = named(rs, "minio:index/iamPolicy:IamPolicy", `objectstore-${consumer}-policy`);
      const doc = JSON.parse(policy.inputs.policy);
      const buckets = ofType(rs, "minio:index/s3Bucket:S3Bucket")
        .map((b) => b.inputs.bucket)
        .filter((b: string) => b.includes(`-${consumer}-`));
      assert.deepEqual(buckets.sort(), [...read[consumer], ...kept[consumer]].sort());
      assert.deepEqual(
        doc.Statement.flatMap((s: any) => s.Resource).sort(),
        read[consumer].flatMap((b: string) => [`arn:aws:s3:::${b}`, `arn:aws:s3:::${b}/*`]).sort(),
        `${consumer}'s user is granted what it reads, not the kept buckets`,
      );
      assert.ok(policy.dependencies!.length === read[consumer].length, "the policy waits for its buckets");
      const attach = named(
        rs,
        "minio:index/iamUserPolicyAttachment:IamUserPolicyAttachment",
        `objectstore-${consumer}-policy-attachment`,
      );
      assert.deepEqual(attach.inputs, {
        userName: `staging-${consumer}`,
        policyName: `staging-${consumer}-rw`,
      });
      const secret = named(rs, "kubernetes:core/v1:Secret", `objectstore-${consumer}-credentials`);
      assert.equal(secret.inputs.metadata.name, `${consumer}-s3-credentials`);
      assert.equal(secret.inputs.metadata.namespace, "monitoring");
    }
  });

  it("MinIO's metrics: a user allowed only admin:Prometheus, its token in a Secret, a ScrapeConfig reading it", async () => {
    const rs = (await synth("staging")).export.deployment.resources;
    const policy = named(rs, "minio:index/iamPolicy:IamPolicy", "objectstore-metrics-policy");
    assert.deepEqual(JSON.parse(policy.inputs.policy).Statement, [
      { Effect: "Allow", Action: ["admin:Prometheus"] },
    ]);
    const attach = named(
      rs,
      "minio:index/iamUserPolicyAttachment:IamUserPolicyAttachment",
      "objectstore-metrics-policy-attachment",
    );
    assert.deepEqual(attach.inputs, {
      userName: "staging-metrics",
      policyName: "staging-metrics-prometheus",
    });
    const token = named(rs, "kubernetes:core/v1:Secret", "objectstore-metrics-token");
    assert.equal(token.inputs.metadata.name, "minio-metrics-token");
    assert.ok(JSON.stringify(token.inputs).includes("ciphertext"), "the token is kept as a secret");
    const scrape = named(
      rs,
      "kubernetes:monitoring.coreos.com/v1alpha1:ScrapeConfig",
      "objectstore-metrics-scrape",
    );
    assert.deepEqual(scrape.inputs.spec, {
      jobName: "minio-cluster",
      scheme: "HTTP",
      metricsPath: "/minio/v2/metrics/cluster",
      staticConfigs: [{ targets: ["minio.storage.svc.cluster.local:9000"] }],
      authorization: { type: "Bearer", credentials: { name: "minio-metrics-token", key: "token" } },
    });
  });

  it("objectStore.keepDeletedDays: versioning and a noncurrent-version expiry beside each bucket, the bucket untouched", async () => {
    const store = {
      type: "minio",
      endpoint: "http://minio.storage.svc.cluster.local:9000",
      adminEndpoint: "http://localhost:9000",
    };
    const off = (await synth("staging", { objectStore: store })).export.deployment.resources;
    const on = (await synth("staging", { objectStore: { ...store, keepDeletedDays: 7 } })).export.deployment
      .resources;
    assert.deepEqual(ofType(off, "minio:index/s3BucketVersioning:S3BucketVersioning"), []);
    assert.deepEqual(ofType(off, "minio:index/ilmPolicy:IlmPolicy"), []);
    const buckets = ofType(on, "minio:index/s3Bucket:S3Bucket");
    // The buckets' own inputs do not change: nothing on them can force a replacement.
    assert.deepEqual(
      buckets.map((b) => b.inputs),
      ofType(off, "minio:index/s3Bucket:S3Bucket").map((b) => b.inputs),
    );
    const versioning = ofType(on, "minio:index/s3BucketVersioning:S3BucketVersioning");
    assert.deepEqual(
      versioning.map((v) => [v.inputs.bucket, v.inputs.versioningConfiguration.status]),
      buckets.map((b) => [b.inputs.bucket, "Enabled"]),
    );
    const ilm = ofType(on, "minio:index/ilmPolicy:IlmPolicy");
    assert.equal(ilm.length, buckets.length);
    for (const p of ilm) assert.equal(p.inputs.rules[0].noncurrentVersionExpirationDays, 7);
  });

  it("Loki and Mimir wait for their buckets, users and credential Secrets", async () => {
    const rs = (await synth("production")).export.deployment.resources;
    const loki = release(rs, "loki");
    for (const dep of [
      "objectstore-production-loki-chunks",
      "objectstore-loki-policy-attachment",
      "objectstore-loki-credentials",
    ]) {
      assert.ok(
        loki.dependencies!.some((d) => d.endsWith(`::${dep}`)),
        `loki depends on ${dep}`,
      );
    }
    const sts = named(rs, "kubernetes:apps/v1:StatefulSet", "mimir");
    assert.ok(sts.dependencies!.some((d) => d.endsWith("::objectstore-mimir-credentials")));
    assert.deepEqual(sts.inputs.spec.template.spec.containers[0].envFrom, [
      { secretRef: { name: "mimir-s3-credentials" } },
    ]);
    assert.deepEqual(sts.inputs.spec.template.spec.containers[0].args.slice(0, 1), ["-target=all"]);
  });

  it("1Password: explicit provider, lookups in the configured vault, generated credentials written back", async () => {
    const calls: { token: string; inputs: Record<string, any> }[] = [];
    const cfg = readStackConfig(ROOT, "production");
    const { export: exp } = await synthesize(
      "production",
      cfg,
      (rootOpts) => {
        const c = parseStackConfig(rawFromPulumiConfig(cfg.config), "production");
        const provider = new k8s.Provider("k8s", {}, rootOpts);
        const randomProvider = new random.Provider("random", {}, rootOpts);
        const secrets = new Secrets(
          "secrets",
          {
            backend: c.secrets,
            namespace: "monitoring",
            needs: { minioAdmin: true, pushover: true, heartbeat: true },
            provider,
            randomProvider,
            secretSource: pulumiSecretSource(),
          },
          rootOpts,
        );
        new ObjectStore(
          "store",
          {
            plan: planBuckets(c),
            store: c.objectStore,
            namespace: "monitoring",
            minioAdmin: secrets.minioAdmin,
            credentialSink: secrets,
            provider,
            randomProvider,
          },
          rootOpts,
        );
        return {};
      },
      (token, inputs) => {
        calls.push({ token, inputs });
        return mockCall(token, inputs);
      },
    );
    assert.deepEqual([...new Set(calls.map((c) => c.token))], ["onepassword:index/getItem:getItem"]);
    assert.deepEqual(calls.map((c) => c.inputs.title).sort(), [
      "alertmanager-heartbeat",
      "grafana-admin",
      "minio-admin",
      "pushover",
    ]);
    assert.ok(calls.every((c) => c.inputs.vault === "6qf2homelabvault0000000000"));
    const rs = exp.deployment.resources;
    const op = named(rs, "pulumi:providers:onepassword", "secrets-onepassword");
    assert.equal(op.inputs.url, "http://localhost:8080");
    const items = ofType(rs, "onepassword:index/item:Item");
    assert.deepEqual(items.map((i) => i.inputs.title).sort(), [
      "production-loki (MinIO)",
      "production-mimir (MinIO)",
    ]);
    assert.ok(
      items.every((i) => i.provider!.startsWith(op.urn) && i.inputs.vault === "6qf2homelabvault0000000000"),
    );
  });

  it("1Password: the generated items are retained on delete (an option, no input), so leaving the backend keeps them in the vault", async () => {
    const rs = (await synth("production")).export.deployment.resources;
    const items = ofType(rs, "onepassword:index/item:Item");
    assert.equal(items.length, 2, "production writes back its two MinIO users");
    for (const i of items) {
      assert.equal(i.retainOnDelete, true, `${i.urn} is retained on delete`);
      // An option: the provider's diff never sees it, so an existing item is not updated or replaced.
      assert.deepEqual(Object.keys(i.inputs).sort(), [
        "category",
        "password",
        "tags",
        "title",
        "username",
        "vault",
      ]);
      assert.equal(i.protect, undefined, "not protected: a renamed user's item may still leave the stack");
    }
  });

  it("fails with the item and field named when a 1Password field is missing", async () => {
    const cfg = readStackConfig(ROOT, "production");
    await assert.rejects(
      synthesize(
        "production",
        cfg,
        (rootOpts) => {
          const provider = new k8s.Provider("k8s", {}, rootOpts);
          const randomProvider = new random.Provider("random", {}, rootOpts);
          new Secrets(
            "secrets",
            {
              backend: {
                backend: "onepassword",
                vault: "v1",
                connectUrl: "http://op:8080",
                items: { minioAdmin: "m", pushover: "pushover", grafanaAdmin: "g", heartbeat: "h" },
              },
              namespace: "monitoring",
              needs: { minioAdmin: false, pushover: true, heartbeat: false },
              provider,
              randomProvider,
              secretSource: pulumiSecretSource(),
            },
            rootOpts,
          );
          return {};
        },
        (token, inputs) => {
          const item = mockCall(token, inputs);
          if (inputs.title === "pushover")
            item.sections = [
              {
                id: "s",
                label: "s",
                fields: [{ id: "t", label: "token", purpose: "", type: "CONCEALED", value: "x" }],
              },
            ];
          return item;
        },
      ),
      /secrets\.items\.pushover: 1Password item "pushover" in vault v1 has no field "user_key"/,
    );
  });

  it("Ceph RGW: one ObjectBucketClaim per consumer, consumers load Rook's Secret and ConfigMap", async () => {
    const rs = (await synth("staging", { objectStore: { type: "ceph-rgw", storageClass: "ceph-bucket" } }))
      .export.deployment.resources;
    const obcs = ofType(rs, "kubernetes:objectbucket.io/v1alpha1:ObjectBucketClaim");
    assert.deepEqual(
      obcs.map((o) => [o.inputs.metadata.name, o.inputs.spec.bucketName, o.inputs.spec.storageClassName]),
      [
        ["loki-bucket", "staging-loki", "ceph-bucket"],
        ["mimir-bucket", "staging-mimir", "ceph-bucket"],
      ],
    );
    assert.ok(obcs.every((o) => o.retainOnDelete));
    assert.equal(ofType(rs, "minio:index/s3Bucket:S3Bucket").length, 0);
    const loki = release(rs, "loki").inputs.values;
    assert.deepEqual(loki.singleBinary.extraEnvFrom, [
      { secretRef: { name: "loki-bucket" } },
      { configMapRef: { name: "loki-bucket" } },
    ]);
    assert.equal(loki.loki.storage.s3.endpoint, "http://${BUCKET_HOST}:${BUCKET_PORT}");
    const mimirCfg = named(rs, "kubernetes:core/v1:ConfigMap", "mimir-config").inputs.data["mimir.yaml"];
    assert.match(mimirCfg, /storage_prefix: blocks/);
  });

  it("filesystem: no buckets, no MinIO, Loki and Mimir on local volumes", async () => {
    const rs = (await synth("staging", { objectStore: { type: "filesystem" } })).export.deployment.resources;
    assert.equal(
      rs.filter((r) => r.type.startsWith("minio:") || r.type.startsWith("pulumi:providers:minio")).length,
      0,
    );
    const loki = release(rs, "loki").inputs.values;
    assert.equal(loki.loki.storage.type, "filesystem");
    // "On local volumes": the chart stores a filesystem Loki under /var/loki, a claim only with persistence on.
    assert.equal(loki.deploymentMode, "Monolithic");
    assert.equal(loki.singleBinary.persistence.enabled, true, "Loki's single binary keeps a volume claim");
    const mimir = parse(named(rs, "kubernetes:core/v1:ConfigMap", "mimir-config").inputs.data["mimir.yaml"]);
    assert.equal(mimir.common.storage.backend, "filesystem");
    // Every store Mimir writes lies under /data, and /data is the StatefulSet's claim.
    for (const key of ["blocks_storage", "ruler_storage"])
      assert.match(mimir[key]?.filesystem?.dir ?? "", /^\/data\//, `mimir ${key} under /data`);
    const sts = named(rs, "kubernetes:apps/v1:StatefulSet", "mimir").inputs.spec;
    assert.deepEqual(
      sts.template.spec.containers[0].volumeMounts.find((m: any) => m.mountPath === "/data")?.name,
      "data",
    );
    assert.deepEqual(
      sts.volumeClaimTemplates.map((c: any) => c.metadata.name),
      ["data"],
    );
  });

  it("every component registers under its homelab:<area>:<Name> type with children named from it", async () => {
    const rs = (await synth("staging")).export.deployment.resources;
    const components = rs.filter((r) => !r.custom && r.type !== "pulumi:pulumi:Stack");
    for (const c of components) {
      assert.match(c.type, /^homelab:[a-z]+:[A-Z][A-Za-z]+$/);
      const children = rs.filter((r) => r.parent === c.urn);
      assert.ok(children.length > 0, `${c.urn} has children`);
      for (const child of children)
        assert.ok(nameOf(child)!.startsWith(nameOf(c)!), `${child.urn} is named from ${nameOf(c)}`);
    }
  });
});
