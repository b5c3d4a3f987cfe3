import { strict as assert } from "assert";
import { checkedStackConfig } from "../../config/stackCheck";
import { BASE, P, refusal, stackProject, STORE } from "../support/stackText";

/*
 * docs/how-to/backup-restore.md, "Restore into a fresh cluster" step 2: the mirrored buckets are
 * listed in `existing.buckets`, so the program imports them instead of MinIO failing the create
 * with "bucket already exists!". A name no phase of the stack makes imports nothing, and the
 * bucket meant is created anew: that fails in `pulumi up` only, so the synthesis refuses it first.
 */
const EXISTING = (names: string[]) => `  ${P("existing")}:
    buckets:
${names.map((n) => `      - ${n}\n`).join("")}`;
const STACK = `${BASE}  ${P("cluster")}: staging\n${STORE}`;

describe("guide backup-restore: existing.buckets names the buckets the stack makes", () => {
  it("refuses a slip of a bucket's name, with its place, what it expects and the name meant", () => {
    const e = refusal(`${STACK}${EXISTING(["staging-loki-chunks", "staging-mimir-block"])}`);
    assert.equal(e.problems.length, 1, e.message);
    assert.match(
      e.problems[0],
      /^homelab-observability:existing\.buckets\[1\]: expected the name of a bucket the stack makes in some phase \(staging-loki-chunks, staging-mimir-blocks, staging-mimir-ruler\), got "staging-mimir-block", which nothing imports; did you mean "staging-mimir-blocks"\?$/,
    );
    assert.equal(e.places[0]?.line, 11, e.message);
  });

  it("names the prefixed bucket for a name written without the prefix", () => {
    const e = refusal(`${STACK}${EXISTING(["mimir-blocks"])}`);
    assert.equal(e.problems.length, 1, e.message);
    assert.match(
      e.problems[0],
      /existing\.buckets\[0\]: .*got "mimir-blocks", which nothing imports; did you mean "staging-mimir-blocks"\? \(every bucket name starts with objectStore\.bucketPrefix, "staging"\)$/,
    );
  });

  it("accepts a bucket of another phase, listed ahead of the phase that uses it again", () => {
    const dir = stackProject(
      `${STACK.replace("phase: kps-removed", "phase: loki-fixed")}${EXISTING(["staging-mimir-blocks"])}`,
    );
    const { cfg } = checkedStackConfig(dir, "s", {}, { allowAbsentSecrets: true });
    assert.deepEqual(cfg.existing.buckets, ["staging-mimir-blocks"]);
  });

  it("refuses any bucket on the filesystem store, which makes none", () => {
    const e = refusal(`${BASE}  ${P("objectStore")}:
    type: filesystem
${EXISTING(["loki-chunks"])}`);
    assert.equal(e.problems.length, 1, e.message);
    assert.match(
      e.problems[0],
      /existing\.buckets\[0\]: expected no bucket \(objectStore\.type "filesystem" keeps logs and metrics on claims\), got "loki-chunks"/,
    );
  });
});

/*
 * The guide's `objectStore.keepDeletedDays` is MinIO's (versioning and a lifecycle rule): under
 * another store type the key is named as MinIO's, not as an unknown key with no way out.
 */
describe("guide backup-restore: objectStore.keepDeletedDays under another store type", () => {
  it("names the type whose key it is, and the type set, once, at its line", () => {
    const e = refusal(`${BASE}  ${P("objectStore")}:
    type: garage
    endpoint: http://garage.storage.svc:3900
    adminEndpoint: http://localhost:3903
    keepDeletedDays: 7
`);
    const mine = e.problems.filter((p) => p.includes("keepDeletedDays"));
    assert.deepEqual(mine, [
      'homelab-observability:objectStore.keepDeletedDays: a key of type "minio", not of type "garage": type "garage" reads no keepDeletedDays; remove it, or set type "minio"',
    ]);
    assert.equal(e.places[e.problems.indexOf(mine[0])]?.line, 8, e.message);
  });
});

describe("guide backup-restore: the bucket list written as existing itself", () => {
  it("says the list goes under existing.buckets, once, at its line", () => {
    const e = refusal(`${STACK}  ${P("existing")}: [staging-mimir-blocks]\n`);
    assert.deepEqual(e.problems, [
      "homelab-observability:existing: expected an object (YAML: `key: value` lines; this list goes under homelab-observability:existing.buckets), got a list",
    ]);
    assert.equal(e.places[0]?.line, 8, e.message);
  });
});
