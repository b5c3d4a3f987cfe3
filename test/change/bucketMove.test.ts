import { strict as assert } from "assert";
import { BUCKET_MOVE_DOC, bucketMove, engineBucketsOf } from "../../change/bucketMove";
import type { ExportResource, StackExport } from "../../synth/synthesize";
import { atPhase, onBackend, synth } from "../support/helpers";
import { againstChecks } from "../support/changeStates";

/**
 * An update that points Loki or Mimir at other buckets (objectStore.bucketPrefix, the cluster name
 * it defaults to, a takeover bucket) starts them on empty buckets: every stored log and metric
 * disappears from Grafana. `--against` refuses it once for the stack, naming each engine's pair.
 */
/** Pulumi.staging.yaml's objectStore block: an override of `objectStore` replaces it whole. */
const STAGING_STORE = {
  type: "minio",
  endpoint: "http://minio.storage.svc.cluster.local:9000",
  adminEndpoint: "http://localhost:9000",
  region: "us-east-1",
  keepUnusedBuckets: ["loki-ruler", "loki-admin", "mimir-alertmanager"],
};
const PRODUCTION_STORE = { ...STAGING_STORE, bucketPrefix: "production" };

describe("change check: Loki or Mimir pointed at other buckets (--against)", function () {
  this.timeout(180000);
  const { write, previousOf, check } = againstChecks("bucket-move");
  const bucketLine = (text: string) => text.split("\n").find((l) => l.startsWith("REFUSED buckets"));

  it("reads each engine's buckets from the export: the loki release's values, Mimir's config", async () => {
    const exp = (await synth("staging", {})).export;
    assert.deepEqual(
      engineBucketsOf(exp).map((b) => `${b.engine} ${b.purpose} ${b.bucket}`),
      [
        "Loki chunks staging-loki-chunks",
        "Mimir blocks staging-mimir-blocks",
        "Mimir ruler staging-mimir-ruler",
      ],
    );
  });

  it("objectStore.bucketPrefix changed on staging: 1 refused, naming each engine and bucket pair, the key and the ways out", async () => {
    const previous = await previousOf("staging", {}, "staging");
    const c = await check("staging", { objectStore: { ...STAGING_STORE, bucketPrefix: "lab" } }, previous);
    assert.equal(c.code, 1, c.text);
    assert.equal(c.refused, 1, c.text);
    const line = bucketLine(c.text);
    assert.ok(line, c.text);
    assert.match(
      line,
      /^REFUSED buckets Loki chunks staging-loki-chunks -> lab-loki-chunks, Mimir blocks staging-mimir-blocks -> lab-mimir-blocks, Mimir ruler staging-mimir-ruler -> lab-mimir-ruler: objectStore\.bucketPrefix .*changed from staging to lab\./,
    );
    assert.match(line, /never read again, so it no longer shows in Grafana/);
    assert.match(line, /Keep the buckets: set objectStore\.bucketPrefix to staging\./);
    assert.match(line, /rclone sync or mc mirror --remove, as docs\/how-to\/move-to-garage\.md/);
    assert.ok(line.endsWith(`, then make the change (the bucket prefix lab; ${BUCKET_MOVE_DOC})`), line);
    assert.match(c.why ?? "", /^1 refused/);
  });

  it("names the stack key at its line in the stack file", async () => {
    const previous = (await synth("staging", {})).export;
    const next = (await synth("staging", { objectStore: { ...STAGING_STORE, bucketPrefix: "lab" } })).export;
    const at = (k: string) => (k === "objectStore.bucketPrefix" ? "Pulumi.staging.yaml:15" : undefined);
    const { verdict } = bucketMove(previous, next, { entries: [], refused: [] }, { stack: "staging" }, at);
    assert.match(
      verdict?.line ?? "",
      /: objectStore\.bucketPrefix \(Pulumi\.staging\.yaml:15\) changed from staging to lab\./,
    );
  });

  it("the cluster name changed where bucketPrefix is left to its default: refused, naming both", async () => {
    const previous = await previousOf("staging", {}, "staging-cluster");
    const c = await check("staging", { cluster: "lab" }, previous);
    assert.equal(c.refused, 1, c.text);
    assert.match(
      bucketLine(c.text) ?? "",
      /objectStore\.bucketPrefix \(not set in the stack file, so its default, cluster \(Pulumi\.staging\.yaml:\d+\)\) changed from staging to lab/,
    );
  });

  it("unchanged buckets: silent", async () => {
    const previous = await previousOf("staging", {}, "staging-same");
    const c = await check("staging", {}, previous);
    assert.equal(bucketLine(c.text), undefined, c.text);
    assert.equal(c.refused, 0, c.text);
  });

  it("a stack where Loki was not yet running: silent for Loki; Mimir not yet running: silent for Mimir", async () => {
    const full = (await synth("staging", {})).export;
    // The export of a first update that stopped before the loki release was installed.
    const noLoki: StackExport = {
      ...full,
      deployment: {
        ...full.deployment,
        resources: full.deployment.resources.filter((r) => r.inputs?.chart !== "loki"),
      },
    };
    const moved = { objectStore: { ...STAGING_STORE, bucketPrefix: "lab" } };
    const c = await check("staging", moved, write(noLoki, "no-loki"));
    assert.ok(
      bucketLine(c.text)?.startsWith("REFUSED buckets Mimir blocks staging-mimir-blocks -> "),
      c.text,
    );
    assert.doesNotMatch(bucketLine(c.text) ?? "", /Loki/, c.text);
    // Neither engine ran yet: nothing was stored, so nothing to refuse.
    const mimirConfig = (r: ExportResource) => r.inputs?.metadata?.name === "mimir-config";
    const neither = {
      ...noLoki,
      deployment: {
        ...noLoki.deployment,
        resources: noLoki.deployment.resources.filter((r) => !mimirConfig(r)),
      },
    };
    const e = await check("staging", moved, write(neither, "neither"));
    assert.equal(bucketLine(e.text), undefined, e.text);
    // At loki-fixed no backend runs: moving to dual-write under a new prefix starts Mimir, new.
    const before = await previousOf("staging", atPhase("staging", "loki-fixed"), "loki-fixed");
    const d = await check("staging", { ...atPhase("staging", "dual-write"), ...moved }, before);
    const line = bucketLine(d.text);
    assert.ok(
      line?.startsWith("REFUSED buckets Loki chunks staging-loki-chunks -> lab-loki-chunks: "),
      d.text,
    );
    assert.doesNotMatch(line ?? "", /Mimir/);
  });

  it("a bucket made or kept that no engine reads: silent", async () => {
    const previous = await previousOf("staging", {}, "staging-unused");
    const c = await check("staging", { objectStore: { ...STAGING_STORE, keepUnusedBuckets: [] } }, previous);
    assert.equal(bucketLine(c.text), undefined, c.text);
  });

  it("the new buckets imported (existing.buckets, copied first as the move guide does): silent", async () => {
    const previous = await previousOf("staging", {}, "staging-copied");
    const c = await check(
      "staging",
      {
        objectStore: { ...STAGING_STORE, bucketPrefix: "lab" },
        existing: { buckets: ["lab-loki-chunks", "lab-mimir-blocks", "lab-mimir-ruler"] },
      },
      previous,
    );
    assert.equal(bucketLine(c.text), undefined, c.text);
  });

  it("production: the old buckets' protected deletions are named in the one refusal, not refused again", async () => {
    const previous = await previousOf("production", {}, "production");
    const c = await check(
      "production",
      { objectStore: { ...PRODUCTION_STORE, bucketPrefix: "prod" } },
      previous,
    );
    assert.equal(c.refused, 1, c.text);
    const line = bucketLine(c.text) ?? "";
    assert.match(
      line,
      /It would also delete the protected bucket production-loki-chunks, .*bucket production-mimir-alertmanager from the state/,
    );
    assert.match(line, /Keep the buckets: set objectStore\.bucketPrefix to production\./);
    assert.doesNotMatch(c.text, /pulumi state unprotect/);
    // The way out, followed (copied, the new names imported): what that update meets is what the
    // refusal said it would, the old buckets' protection, one refusal each with its command.
    assert.match(
      line,
      /then make the change \(the bucket prefix prod; docs\/how-to\/check-a-change\.md#a-refused-bucket-move\); the old buckets stay protected, so that update is refused once for each until it is unprotected: its check prints each one's unprotect command, after which the update drops them from the stack and keeps them on the store \(retained\)$/,
    );
    const moved = await check(
      "production",
      {
        objectStore: { ...PRODUCTION_STORE, bucketPrefix: "prod" },
        existing: { buckets: ["prod-loki-chunks", "prod-mimir-blocks", "prod-mimir-ruler"] },
      },
      previous,
    );
    assert.equal(bucketLine(moved.text), undefined, moved.text);
    assert.equal(moved.refused, 6, moved.text);
    assert.equal(
      moved.text.match(/REFUSED S3Bucket::objectstore-production-.* pulumi .*state unprotect/g)?.length,
      6,
    );
  });

  it("the switch to Garage under another prefix: refused; under the same names, listed in existing.buckets as the guide does: silent", async () => {
    const previous = await previousOf("production", {}, "production-garage");
    const garage = (bucketPrefix: string) => ({
      objectStore: {
        type: "garage",
        endpoint: "http://garage.storage.svc.cluster.local:3900",
        adminEndpoint: "http://localhost:3903",
        region: "garage",
        bucketPrefix,
      },
    });
    const moved = await check("production", garage("prod"), previous);
    assert.match(
      bucketLine(moved.text) ?? "",
      /^REFUSED buckets Loki chunks production-loki-chunks -> prod-loki-chunks, Mimir blocks production-mimir-blocks -> prod-mimir-blocks, Mimir ruler production-mimir-ruler -> prod-mimir-ruler: /,
      moved.text,
    );
    const same = await check(
      "production",
      {
        ...garage("production"),
        existing: {
          buckets: ["production-loki-chunks", "production-mimir-blocks", "production-mimir-ruler"],
        },
      },
      previous,
    );
    assert.equal(bucketLine(same.text), undefined, same.text);
    // The switch itself drops the six protected MinIO buckets from the state, refused as the guide
    // says; under another prefix the three the engines read are named in the buckets' refusal instead.
    assert.equal(same.refused, 6, same.text);
    assert.equal(moved.refused, 1 + 3, moved.text);
  });

  it("the switch to Garage under the same names without existing.buckets (step 4 half done, or before the copy): refused once, naming objectStore.type and the copy", async () => {
    const previous = await previousOf("staging", {}, "staging-garage-unlisted");
    const c = await check(
      "staging",
      {
        objectStore: {
          type: "garage",
          endpoint: "http://garage.storage.svc.cluster.local:3900",
          adminEndpoint: "http://localhost:3903",
          region: "garage",
        },
      },
      previous,
    );
    assert.equal(c.code, 1, c.text);
    assert.equal(c.refused, 1, c.text);
    const line = bucketLine(c.text) ?? "";
    assert.match(
      line,
      /^REFUSED buckets Loki chunks staging-loki-chunks \(MinIO -> Garage\), Mimir blocks staging-mimir-blocks \(MinIO -> Garage\), Mimir ruler staging-mimir-ruler \(MinIO -> Garage\): objectStore\.type .*moved them from MinIO to Garage\./,
      c.text,
    );
    assert.match(line, /Keep the buckets: set objectStore back to MinIO\./);
    // Each command is whole where it is pasted: the stack named, the URLs said in words (a
    // `<url>` would be a redirection), and the change made last is named.
    assert.ok(
      line.endsWith(
        "To move them: set objectStore back to MinIO until the copy is checked (the check compares the buckets of the store the stack file names, the one the stack still writes to), copy each bucket to the new store under its name and check the copy (docs/how-to/move-to-garage.md steps 1-3: rclone sync or mc mirror --remove, then npm run verify -- --stack staging with --move-from set to the old store's S3 URL and --move-to to the new one's, its keys in the HOMELAB_MOVE_* variables), list the names in existing.buckets (the update then imports them instead of creating them, which makes them empty or, where the copy made them, fails), then make the change (objectStore on Garage; docs/how-to/check-a-change.md#a-refused-bucket-move)",
      ),
      line,
    );
  });

  it("a backend swapped with the prefix: the backend's refusal, and the buckets' for Loki alone", async () => {
    const previous = await previousOf("staging", {}, "staging-backend");
    const c = await check(
      "staging",
      { ...onBackend("victoriametrics"), objectStore: { ...STAGING_STORE, bucketPrefix: "lab" } },
      previous,
    );
    assert.match(c.text, /^REFUSED metrics backend mimir -> victoriametrics/m);
    const line = bucketLine(c.text);
    assert.ok(
      line?.startsWith("REFUSED buckets Loki chunks staging-loki-chunks -> lab-loki-chunks: "),
      c.text,
    );
    assert.doesNotMatch(line ?? "", /Mimir/);
    // One old bucket: said in the singular.
    assert.match(line ?? "", / what the old one \(staging-loki-chunks\) holds, Loki's logs /);
    assert.equal(c.refused, 2, c.text);
  });

  it("production with one old bucket (Loki's alone, none kept): the protection said in the singular", async () => {
    const store = { ...PRODUCTION_STORE, keepUnusedBuckets: [] };
    const previous = await previousOf(
      "production",
      { ...onBackend("victoriametrics"), objectStore: store },
      "production-one-bucket",
    );
    const c = await check(
      "production",
      { ...onBackend("victoriametrics"), objectStore: { ...store, bucketPrefix: "prod" } },
      previous,
    );
    const line = bucketLine(c.text) ?? "";
    assert.match(line, / what the old one \(production-loki-chunks\) holds, /, c.text);
    assert.match(
      line,
      /; the old bucket stays protected, so that update is refused until it is unprotected: its check prints its unprotect command, after which the update drops it from the stack and keeps it on the store \(retained\)$/,
    );
  });
});
