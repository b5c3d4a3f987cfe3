import { strict as assert } from "assert";
import type { ExportedResource } from "../../policy/evaluate";
import { check, fails, passes, release, res, stackInfo, v4Chart } from "../support/policyCases";
import { packConfigProblems } from "../../synth/pack";

const P = "production-data-protected";

/** Loki on a one-node cluster with the filesystem object store (chart defaults for persistence). */
const fsLoki = (singleBinary: Record<string, any> = {}) => ({
  deploymentMode: "SingleBinary",
  loki: {
    commonConfig: { replication_factor: 1 },
    storage: { type: "filesystem" },
    schemaConfig: {
      configs: [
        {
          from: "2024-04-01",
          store: "tsdb",
          object_store: "filesystem",
          schema: "v13",
          index: { prefix: "i_", period: "24h" },
        },
      ],
    },
  },
  singleBinary: { replicas: 1, ...singleBinary },
  write: { replicas: 0 },
  read: { replicas: 0 },
  backend: { replicas: 0 },
});
const info = () => stackInfo([{ name: "node", arch: "arm64" }], true);

describe("policy (production data): Loki with the filesystem object store", () => {
  it("passes: the release is protected", () =>
    passes([info(), release("loki", fsLoki(), { protect: true })], P));
  it("passes: the claim is retained (singleBinary.persistence.whenDeleted: Retain)", () =>
    passes([info(), release("loki", fsLoki({ persistence: { whenDeleted: "Retain" } }))], P));
  it("passes: enableStatefulSetAutoDeletePVC off (the chart sets no retention policy)", () =>
    passes([info(), release("loki", fsLoki({ persistence: { enableStatefulSetAutoDeletePVC: false } }))], P));
  it("passes: object storage (s3) keeps logs in buckets", () => {
    const v: any = fsLoki();
    v.loki.storage.type = "s3";
    v.loki.schemaConfig.configs[0].object_store = "s3";
    return passes([info(), release("loki", v)], P);
  });
  it("passes outside production", () =>
    passes([stackInfo([{ name: "node", arch: "arm64" }], false), release("loki", fsLoki())], P));
  it("fails: unprotected release whose chart deletes the claim with it", () =>
    fails(
      [info(), release("loki", fsLoki())],
      P,
      /Release "loki": with the filesystem object store every log lives on the single binary's PVC, which the chart deletes with the release/,
    ));
  it("fails: filesystem chosen through structuredConfig's schema only", () => {
    const v: any = fsLoki();
    v.loki.storage.type = "s3";
    v.loki.schemaConfig = undefined;
    v.loki.structuredConfig = { schema_config: { configs: [{ object_store: "filesystem", store: "tsdb" }] } };
    return fails([info(), release("loki", v)], P, /filesystem object store/);
  });
});

describe("policy (production data): rendered objects inherit protection from their parent", () => {
  const sts = {
    type: "kubernetes:apps/v1:StatefulSet",
    inputs: {
      metadata: { name: "loki" },
      spec: {
        volumeClaimTemplates: [{ metadata: { name: "storage" } }],
        persistentVolumeClaimRetentionPolicy: { whenDeleted: "Delete", whenScaled: "Delete" },
        template: { spec: { containers: [{ name: "loki", image: "grafana/loki:3.6.3" }] } },
      },
    },
  };
  it("fails: a v4 Chart's StatefulSet that deletes its claims, chart unprotected", () =>
    fails(
      [info(), ...v4Chart("loki", [sts])],
      P,
      /StatefulSet.*persistentVolumeClaimRetentionPolicy deletes the volumes/,
    ));
  it("passes: a protected v4 Chart (its children inherit protect, as the export records)", async () => {
    const [chart, ...children] = v4Chart("loki", [sts]);
    chart.protect = true;
    for (const c of children) c.protect = true;
    assert.equal((await check([info(), chart, ...children], P)).length, 0);
  });
  it("passes: an object rendered from a protected helm.sh/v3 Release, attributed to it by parent", async () => {
    const rel = release("loki", { loki: { storage: { type: "s3" } } }, { protect: true });
    const obj = {
      ...v4Chart("x", [sts])[1],
      urn: `${rel.urn}$kubernetes:apps/v1:StatefulSet::loki`,
      parent: rel.urn,
    };
    assert.equal((await check([info(), rel, obj], P)).length, 0);
    await fails([info(), { ...rel, protect: false }, obj], P, /StatefulSet/);
  });
});

describe("policy: production-data-protected", () => {
  const P = "production-data-protected";
  const info = (production: boolean) =>
    res("kubernetes:core/v1:ConfigMap", {
      metadata: { labels: { "homelab.dev/stack-info": "true" } },
      data: { production: String(production) },
    });
  const bucket = (opts: Partial<ExportedResource>) =>
    res("minio:index/s3Bucket:S3Bucket", { bucket: "b" }, opts);
  it("passes protected data in production", () => passes([info(true), bucket({ protect: true })], P));
  it("fails data only retained on delete: the engine never passes retainOnDelete to policies", () =>
    fails([info(true), bucket({ retainOnDelete: true })], P, /it is not protected in a production stack/));
  it("passes unprotected data outside production", () => passes([info(false), bucket({})], P));
  // A list of anything took a number, which names no chart, silently.
  it("the pack config refuses a dataBearingCharts entry that is no chart name", () =>
    assert.deepEqual(packConfigProblems({ [P]: { dataBearingCharts: ["loki", 3, ""] } }), [
      `${P}: dataBearingCharts[1] must be a string, found number 3`,
      `${P}: dataBearingCharts[2] must be a string that is not empty, found string ""`,
    ]));
  it("fails an unprotected bucket in production", () =>
    fails(
      [info(true), bucket({})],
      P,
      /S3Bucket.*it stores data, but it is not protected in a production stack/,
    ));
  it("fails an unprotected PVC and the CRDs release when production is set in the pack config", async () => {
    const v = await check(
      [res("kubernetes:core/v1:PersistentVolumeClaim", {}), release("prometheus-operator-crds", {})],
      P,
      { [P]: { production: true } },
    );
    assert.equal(v.length, 2);
  });
  it("fails a StatefulSet that deletes its volumes", () =>
    fails(
      [
        info(true),
        res("kubernetes:apps/v1:StatefulSet", {
          spec: {
            volumeClaimTemplates: [{}],
            persistentVolumeClaimRetentionPolicy: { whenDeleted: "Delete" },
          },
        }),
      ],
      P,
      /deletes the volumes with it/,
    ));
});
