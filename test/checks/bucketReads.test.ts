import { strict as assert } from "assert";
import { parse, stringify } from "yaml";
import { placedFrom, type Placed } from "../../checks";
import { checkBucketReads } from "../../checks/bucketReads";
import type { ExportResource } from "../../synth/synthesize";
import { loadEngineReference } from "../../upstream/engines/references";
import { bucketsRead } from "../../upstream/engines/bucketKeys";
import { assertRendered, rendered, stackFileVariants } from "../support/rendered";

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

/**
 * The rendered-object check bucket-reads (checks/bucketReads.ts) on staging as the real
 * Helm renders it. Staging keeps the buckets nothing reads (Pulumi.staging.yaml
 * objectStore.keepUnusedBuckets): they exist, and no config may read them.
 */
describe("bucket-reads: Loki and Mimir read only the buckets their users are granted", function () {
  this.timeout(300_000);
  let objects: Placed[];
  let resources: ExportResource[];

  before(async () => {
    const r = await rendered(stackFileVariants().find((v) => v.stack === "staging")!);
    assertRendered(r);
    objects = placedFrom(r.objects);
    resources = r.synth.export.deployment.resources;
  });

  const configMap = (os: Placed[], name: string) =>
    os.find((p) => p.obj.kind === "ConfigMap" && p.obj.metadata.name === name)!.obj;
  /** Rewrites one engine config file of a copy of the objects. */
  const edit = (name: string, key: string, change: (c: any) => void): Placed[] => {
    const os = clone(objects);
    const cm = configMap(os, name);
    const c = parse(cm.data[key]);
    change(c);
    cm.data[key] = stringify(c);
    return os;
  };

  it("staging as rendered: Loki reads its chunks bucket only (its ruler is local), Mimir its blocks and ruler buckets", () => {
    const r = checkBucketReads(objects, resources);
    assert.equal(r.judged, 2, "Loki's and Mimir's config files");
    assert.deepEqual(r.findings, []);
    // The chart's rendered config, read with the reference's bucket keys: what the check judged.
    const loki = parse(configMap(objects, "loki").data["config.yaml"]);
    assert.equal(loki.ruler.storage.type, "local");
    assert.deepEqual(
      bucketsRead(loadEngineReference("loki"), loki).map((b) => b.bucket),
      ["staging-loki-chunks"],
    );
    const mimir = parse(configMap(objects, "mimir-config").data["mimir.yaml"]);
    assert.equal(mimir.alertmanager_storage, undefined);
    assert.deepEqual(
      bucketsRead(loadEngineReference("mimir"), mimir).map((b) => `${b.key} ${b.bucket}`),
      [
        "blocks_storage.s3.bucket_name staging-mimir-blocks",
        "ruler_storage.s3.bucket_name staging-mimir-ruler",
      ],
    );
  });

  it("fails on a planted read of a kept bucket: Mimir's Alertmanager store, Loki's ruler on S3", () => {
    const am = edit("mimir-config", "mimir.yaml", (c) => {
      c.alertmanager_storage = { s3: { bucket_name: "staging-mimir-alertmanager" } };
    });
    const f = checkBucketReads(am, resources).findings;
    assert.equal(f.length, 1, JSON.stringify(f));
    assert.equal(f[0].check, "bucket-reads");
    assert.match(
      f[0].message,
      /^alertmanager_storage\.s3\.bucket_name reads bucket staging-mimir-alertmanager, a bucket the stack keeps in its state only because objectStore\.keepUnusedBuckets lists it, and grants to nobody: mimir's user is granted staging-mimir-blocks, staging-mimir-ruler, so every request there is AccessDenied$/,
    );
    const ruler = edit("loki", "config.yaml", (c) => {
      c.ruler.storage = { type: "s3", s3: { bucketnames: "staging-loki-ruler,staging-loki-admin" } };
    });
    const g = checkBucketReads(ruler, resources).findings.map((x) => x.message);
    assert.equal(g.length, 2, g.join("\n"));
    assert.match(
      g[0],
      /^ruler\.storage\.s3\.bucketnames reads bucket staging-loki-ruler, a bucket the stack keeps in its state only because/,
    );
    assert.match(g[1], /^ruler\.storage\.s3\.bucketnames reads bucket staging-loki-admin, /);
  });

  it("fails on a bucket the stack neither makes nor grants, and judges nothing where the program grants nothing", () => {
    const other = edit("mimir-config", "mimir.yaml", (c) => {
      c.blocks_storage.s3.bucket_name = "someone-elses";
    });
    const f = checkBucketReads(other, resources).findings;
    assert.equal(f.length, 1);
    assert.match(
      f[0].message,
      /blocks_storage\.s3\.bucket_name reads bucket someone-elses, a bucket the stack neither makes nor grants/,
    );
    // No MinIO policy (Ceph claims, the filesystem store, a takeover's Secret): not the program's grants.
    const noPolicies = resources.filter((r) => r.type !== "minio:index/iamPolicy:IamPolicy");
    const r = checkBucketReads(other, noPolicies);
    assert.equal(r.judged, 0);
    assert.deepEqual(r.findings, []);
  });
});
