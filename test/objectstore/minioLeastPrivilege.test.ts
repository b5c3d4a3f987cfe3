/**
 * The MinIO side of the same contract, judged by a real MinIO server on loopback (started once for
 * the file): each consumer's user holds the policy the program builds (builders/objectstore/
 * bucketPolicy.ts consumerPolicy, on exactly its buckets) and MinIO refuses it on the other
 * consumer's bucket.
 */
import { strict as assert } from "assert";
import { randomBytes } from "crypto";
import { consumerPolicy } from "../../builders/objectstore/bucketPolicy";
import {
  minioUserWithPolicy,
  requireServer,
  s3,
  startMinio,
  type MinioServer,
  type S3Creds,
} from "../support/objectStores";

describe("MinIO: a consumer's user is refused on another consumer's bucket", function () {
  this.timeout(60_000);
  let m: MinioServer | undefined;
  const users: Record<string, S3Creds> = {};

  before(async function () {
    this.timeout(60_000);
    const bin = requireServer(this, "minio");
    m = await startMinio(bin);
    for (const b of ["t-loki-chunks", "t-mimir-blocks", "t-mimir-ruler"])
      assert.equal((await s3(m.url, m.root, "PUT", `/${b}`)).status, 200, `create ${b}`);
    const plan = { loki: ["t-loki-chunks"], mimir: ["t-mimir-blocks", "t-mimir-ruler"] };
    for (const [consumer, buckets] of Object.entries(plan)) {
      const secret = randomBytes(20).toString("hex");
      await minioUserWithPolicy(m, `t-${consumer}`, secret, `t-${consumer}-rw`, consumerPolicy(buckets));
      users[consumer] = { accessKey: `t-${consumer}`, secretKey: secret, region: "us-east-1" };
    }
  });
  after(async () => {
    await m?.stop(0);
  });

  it("each user writes, reads and lists its own buckets", async () => {
    assert.equal((await s3(m!.url, users.loki, "PUT", "/t-loki-chunks/a", "loki")).status, 200);
    assert.equal((await s3(m!.url, users.loki, "GET", "/t-loki-chunks/a")).text, "loki");
    assert.equal((await s3(m!.url, users.mimir, "PUT", "/t-mimir-ruler/r", "rules")).status, 200);
    assert.equal((await s3(m!.url, users.mimir, "GET", "/t-mimir-blocks?list-type=2")).status, 200);
    assert.equal((await s3(m!.url, users.loki, "DELETE", "/t-loki-chunks/a")).status, 204);
  });

  it("and is refused (403) on the other's buckets, reading, listing and writing", async () => {
    await s3(m!.url, users.mimir, "PUT", "/t-mimir-blocks/b", "mimir");
    await s3(m!.url, users.loki, "PUT", "/t-loki-chunks/c", "loki");
    for (const [who, method, path] of [
      ["loki", "GET", "/t-mimir-blocks/b"],
      ["loki", "GET", "/t-mimir-blocks?list-type=2"],
      ["loki", "PUT", "/t-mimir-ruler/x"],
      ["mimir", "GET", "/t-loki-chunks/c"],
      ["mimir", "DELETE", "/t-loki-chunks/c"],
    ] as const) {
      const r = await s3(m!.url, users[who], method, path, method === "PUT" ? "x" : undefined);
      assert.equal(r.status, 403, `${who} ${method} ${path}: ${r.status} ${r.text.slice(0, 200)}`);
    }
  });
});
