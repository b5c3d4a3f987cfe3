import { strict as assert } from "assert";
import { BASE, P, refusal } from "../support/stackText";

/*
 * One mistake, one message (issue 51): a map's keys of other variants (an object store's `type`
 * changed to filesystem, its MinIO keys left below) are one line, at the first key, naming each
 * other key with its line and the variant that reads them all; a single such key keeps its line.
 */
describe("config: the keys of other variants one map holds are one message (config/errors.ts)", function () {
  this.timeout(20000);

  it("a type changed under a store's keys names every key left, each with its line, in one message", () => {
    const e = refusal(`${BASE}  ${P("objectStore")}:
    type: filesystem
    endpoint: http://minio.storage.svc:9000
    region: us-east-1
    keepUnusedBuckets: ["loki-ruler"]
`);
    assert.equal(e.problems.length, 1, e.problems.join("\n"));
    const line = (n: number) => String.raw`[^ ]*Pulumi\.s\.yaml:${n}`;
    assert.match(
      e.problems[0],
      new RegExp(
        String.raw`^homelab-observability:objectStore\.endpoint: a key of type "minio" or "garage", not of type "filesystem", as are region \(of type "minio" or "garage" or "ceph-rgw"; ${line(7)}\) and keepUnusedBuckets \(of type "minio"; ${line(8)}\): type "filesystem" reads none of them; remove them, or set type "minio", which reads them all$`,
      ),
    );
  });

  it("keys that no one variant reads all are told to set the variant meant and remove the rest, not to set a variant for each (one map has one)", () => {
    const e = refusal(`${BASE}  ${P("objectStore")}:
    type: filesystem
    storageClass: ceph-bucket
    keepUnusedBuckets: ["loki-ruler"]
`);
    assert.equal(e.problems.length, 1, e.problems.join("\n"));
    assert.match(
      e.problems[0],
      /as is keepUnusedBuckets \(of type "minio"; [^)]*\): type "filesystem" reads none of them; remove them, or set the type you mean and remove the keys it does not read \(no one type reads them all\)$/,
    );
  });

  it("one key of another variant keeps its own line", () => {
    const e = refusal(`${BASE}  ${P("objectStore")}:
    type: garage
    endpoint: http://garage.storage.svc:3900
    adminEndpoint: http://localhost:3903
    pathStyle: true
`);
    assert.deepEqual(e.problems, [
      `${P("objectStore.pathStyle")}: a key of type "minio", not of type "garage": type "garage" reads no pathStyle; remove it, or set type "minio"`,
    ]);
  });
});
