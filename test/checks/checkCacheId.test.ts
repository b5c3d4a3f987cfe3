import { strict as assert } from "assert";
import * as fs from "fs";
import { checkStackCached } from "../../checks/cache";
import type { Placed } from "../../checks/objects";
import { daemonSet } from "../support/objects";
import { tmpDir } from "../support/helpers";

/** Two host-network DaemonSets: on distinct ports, or (`clash`) on the same one. */
function objects(clash: boolean): Placed[] {
  return [
    { obj: daemonSet("a", 9100), urn: "urn:a", source: "release a" },
    { obj: daemonSet("b", clash ? 9100 : 9101), urn: "urn:b", source: "release b" },
  ];
}

describe("check cache keyed by what the objects derive from (checks/cache.ts inputsId)", () => {
  it("serves the verdict for the same id without reading the objects, and checks a new id afresh", () => {
    const dir = tmpDir("check-cache-id");
    const first = checkStackCached(objects(false), [], { cacheDir: dir, inputsId: "stack-1" });
    assert.equal(first.cached, false);
    assert.equal(first.findings.length, 0);
    // Same id: the caller vouches the objects are the same, so they are not serialized or compared.
    assert.equal(checkStackCached(objects(false), [], { cacheDir: dir, inputsId: "stack-1" }).cached, true);
    // Another id: checked, and the clash found.
    const other = checkStackCached(objects(true), [], { cacheDir: dir, inputsId: "stack-2" });
    assert.equal(other.cached, false);
    assert.match(other.findings.map((f) => f.message).join("\n"), /host port TCP\/9100 is claimed by/);
    // Without an id the objects key it, as before: the clean objects' verdict is not the id's entry.
    assert.equal(checkStackCached(objects(false), [], { cacheDir: dir }).cached, false);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
