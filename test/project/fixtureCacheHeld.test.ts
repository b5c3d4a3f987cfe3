import { strict as assert } from "assert";
import { cached } from "../support/fixtureCache";
import { tmpDir } from "../support/helpers";

// test/support/fixtureCache.ts keeps the values read last, and takes back one pushed out of them
// while something else still holds it (test/support/rendered.ts holds every variant it rendered).
describe("fixture cache: values pushed out of the recent ones", () => {
  it("hands back the value a caller still holds, however many entries were read since", async () => {
    const dir = tmpDir("fixture-cache-held");
    const held = await cached("t", "held", () => Promise.resolve({ list: [1, 2] }), dir);
    for (let i = 0; i < 40; i++) await cached("t", `other-${i}`, () => Promise.resolve({ i }), dir);
    let computed = false;
    const again = await cached(
      "t",
      "held",
      () => {
        computed = true;
        return Promise.resolve({ list: [] });
      },
      dir,
    );
    assert.equal(computed, false, "the entry is on disk");
    assert.equal(again, held, "the value still held, not a second parse of its file");
    assert.ok(Object.isFrozen(again.list));
  });
});
