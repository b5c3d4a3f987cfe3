import { strict as assert } from "assert";
import fc from "fast-check";
import { sameJson } from "../../change/change";

/** JSON values and what JSON.stringify meets in objects the program builds (undefined, dates, holes). */
const value = fc.anything({
  withBoxedValues: false,
  withMap: false,
  withSet: false,
  withTypedArray: false,
  withSparseArray: true,
  withNullPrototype: false,
  withObjectString: false,
  withDate: true,
});

const stringifiedAlike = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

describe("change/change.ts sameJson: JSON.stringify's equality without the text", () => {
  it("agrees with comparing JSON.stringify's texts (any two values, and a value with its own JSON round trip)", () => {
    fc.assert(
      fc.property(value, value, (a, b) => sameJson(a, b) === stringifiedAlike(a, b)),
      { numRuns: 3000 },
    );
    fc.assert(
      fc.property(value, (a) => {
        const b: unknown = JSON.parse(JSON.stringify(a) ?? "null");
        return sameJson(a, b) === stringifiedAlike(a, b);
      }),
      { numRuns: 3000 },
    );
  });

  it("keys in another order differ, an undefined member does not count, an array's undefined or hole is null", () => {
    assert.equal(sameJson({ a: 1, b: 2 }, { b: 2, a: 1 }), false);
    assert.equal(sameJson({ a: 1, b: undefined }, { a: 1 }), true);
    assert.equal(sameJson([undefined], [null]), true);
    // A hole is written as null, like undefined: [, 1] is "[null,1]".
    assert.equal(sameJson([, 1], [2, 1]), false);
    assert.equal(sameJson([, 1], [null, 1]), true);
    assert.equal(sameJson({ data: { x: "y" } }, { data: { x: "z" } }), false);
  });
});
