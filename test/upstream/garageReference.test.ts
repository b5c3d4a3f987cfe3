/**
 * Garage's admin API document kept in the repository (upstream/garage/data/): what the program
 * calls exists in it, and the project's refresher rebuilds it byte for byte from the pinned
 * release's binary (when that binary is installed).
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { refreshReference } from "../../upstream/refresh/cli";
import { GarageApiJudge, garageDataFolder, garageDocument, GARAGE_DATA } from "../support/garageApi";
import { requireServer } from "../support/objectStores";
import { ROOT, tmpDir } from "../support/helpers";

describe("Garage's admin API document (upstream/garage/data)", function () {
  this.timeout(30_000);

  it("holds every operation the program's provider calls, with the method it uses", () => {
    const doc = garageDocument();
    const source = fs.readFileSync(path.join(ROOT, "components", "objectstore", "garage.ts"), "utf8");
    const calls = [...source.matchAll(/garageCall(?:<[^>]*>)?\(\s*[\w.()]+,\s*"(GET|POST)",\s*"(\w+)"/g)].map(
      (m) => [m[1], m[2]] as const,
    );
    assert.ok(calls.length >= 10, `found ${calls.length} calls`);
    for (const [method, op] of calls)
      assert.ok(doc.paths[`/v2/${op}`]?.[method.toLowerCase()], `${method} /v2/${op} is not in the document`);
  });

  it("judges a call by the document: a body or answer of another shape, an unknown operation or parameter", () => {
    const judge = new GarageApiJudge();
    const bucket = {
      id: "0".repeat(64),
      created: "2026-01-01T00:00:00Z",
      globalAliases: ["a"],
      websiteAccess: false,
      keys: [],
      objects: 0,
      bytes: 0,
      unfinishedUploads: 0,
      unfinishedMultipartUploads: 0,
      unfinishedMultipartUploadParts: 0,
      unfinishedMultipartUploadBytes: 0,
      quotas: { maxSize: null, maxObjects: null },
    };
    const ok = {
      method: "POST",
      operation: "CreateBucket",
      query: {},
      body: { globalAlias: "a" },
      status: 200,
      response: bucket,
    };
    assert.deepEqual(judge.problems(ok), []);
    assert.match(judge.problems({ ...ok, body: { globalAlias: 5 } }).join(), /request body .*globalAlias/);
    const partial: Record<string, unknown> = { ...bucket };
    delete partial.objects;
    assert.match(
      judge.problems({ ...ok, response: partial }).join(),
      /must have required property 'objects'/,
    );
    assert.match(judge.problems({ ...ok, operation: "MakeBucket" }).join(), /no such operation/);
    assert.match(
      judge
        .problems({ method: "GET", operation: "GetBucketInfo", query: { alias: "a" }, status: 404 })
        .join(),
      /query parameter "alias" is not in the document/,
    );
    assert.deepEqual(
      judge.problems({
        method: "GET",
        operation: "GetBucketInfo",
        query: { globalAlias: "a" },
        status: 200,
        response: bucket,
      }),
      [],
    );
  });

  it("is what the project's refresher makes from the pinned release's binary", function () {
    const bin = requireServer(this, "garage");
    const out = tmpDir("garage-ref");
    const r = refreshReference(["garage", bin, "--out", out]);
    assert.deepEqual(r.files, ["garage-admin-v2.json"]);
    assert.equal(
      fs.readFileSync(path.join(out, "garage-admin-v2.json"), "utf8"),
      fs.readFileSync(path.join(GARAGE_DATA, garageDataFolder(), "garage-admin-v2.json"), "utf8"),
    );
  });
});
