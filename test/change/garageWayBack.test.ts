import { strict as assert } from "assert";
import { againstChecks } from "../support/changeStates";

/**
 * docs/how-to/move-to-garage.md step 5, going back: the move to Garage dropped the buckets
 * `objectStore.keepUnusedBuckets` keeps from the state and left them on MinIO. Back on MinIO the
 * stack creates them again, which fails in `pulumi up` where one still is ("bucket already
 * exists!"), and the export of the stack on Garage cannot tell: `--against` warns, naming them,
 * the key that keeps them and the list that imports them, and refuses nothing.
 */
const USED = ["staging-loki-chunks", "staging-mimir-blocks", "staging-mimir-ruler"];
const KEPT = ["staging-loki-ruler", "staging-loki-admin", "staging-mimir-alertmanager"];
/** Staging switched to Garage as step 4 does it. */
const ON_GARAGE = {
  objectStore: {
    type: "garage",
    endpoint: "http://garage.storage.svc.cluster.local:3900",
    adminEndpoint: "http://localhost:3903",
    region: "garage",
  },
  existing: { buckets: USED },
};

describe("change check: back from Garage to MinIO, the kept buckets (--against)", function () {
  this.timeout(180000);
  const { previousOf, check } = againstChecks("garage-way-back");
  const warning = (text: string) => text.split("\n").find((l) => l.startsWith("WARNING bucket"));

  it("the copied buckets listed, the kept ones not: a warning naming them, the key at its line and existing.buckets; nothing refused", async () => {
    const previous = await previousOf("staging", ON_GARAGE, "staging-on-garage");
    const c = await check("staging", { existing: { buckets: USED } }, previous);
    assert.equal(c.refused, 0, c.text);
    assert.equal(c.code, 0, c.text);
    const line = warning(c.text);
    assert.ok(line, c.text);
    assert.equal(
      line,
      `WARNING buckets ${KEPT[0]}, ${KEPT[1]} and ${KEPT[2]} back on MinIO: objectStore.keepUnusedBuckets (Pulumi.staging.yaml:17) keeps them (nothing reads them), and the export, on Garage, does not hold them, so the update creates them. ` +
        `A move to Garage drops them from the state and leaves them on MinIO with their objects (retainOnDelete), and creating one that is still there fails in pulumi up ("bucket already exists!"), which the export cannot tell: ` +
        `list each of them still on MinIO in existing.buckets before pulumi up (imported, not created), any gone from it left out (created), as the copied buckets are (docs/how-to/move-to-garage.md, step 5)`,
    );
    for (const b of KEPT) assert.match(c.text, new RegExp(`\\+  create  S3Bucket::objectstore-${b} `));
  });

  it("one kept bucket: said of it, and created where it is gone from MinIO", async () => {
    const previous = await previousOf("staging", ON_GARAGE, "staging-on-garage-one");
    const objectStore = {
      type: "minio",
      endpoint: "http://minio.storage.svc.cluster.local:9000",
      adminEndpoint: "http://localhost:9000",
      region: "us-east-1",
      keepUnusedBuckets: ["loki-ruler"],
    };
    const c = await check("staging", { objectStore, existing: { buckets: USED } }, previous);
    assert.equal(c.refused, 0, c.text);
    assert.match(
      warning(c.text) ?? "",
      /^WARNING bucket staging-loki-ruler back on MinIO: .* keeps it .* list it in existing\.buckets before pulumi up if it is still on MinIO \(imported, not created\), else leave it out \(created\), as the copied buckets are/,
    );
  });

  it("the kept buckets listed in existing.buckets too: imported, no warning", async () => {
    const previous = await previousOf("staging", ON_GARAGE, "staging-on-garage-all");
    const c = await check("staging", { existing: { buckets: [...USED, ...KEPT] } }, previous);
    assert.equal(warning(c.text), undefined, c.text);
    assert.equal(c.refused, 0, c.text);
    for (const b of KEPT) assert.match(c.text, new RegExp(`=  import  S3Bucket::objectstore-${b} `));
  });

  it("the move to Garage itself, and a stack that stays on MinIO: no such warning", async () => {
    const onMinio = await previousOf("staging", {}, "staging-on-minio");
    const forward = await check("staging", ON_GARAGE, onMinio);
    assert.equal(warning(forward.text), undefined, forward.text);
    const stays = await check("staging", {}, onMinio);
    assert.equal(warning(stays.text), undefined, stays.text);
  });
});
