import { strict as assert } from "assert";
import fc from "fast-check";
import { nearest } from "../../config/errors";

/** The edit distance as first written: the whole matrix, no early stop (what nearest must agree with). */
function fullDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  const d: number[][] = Array.from({ length: x.length + 1 }, (_, i) =>
    Array.from({ length: y.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= x.length; i++)
    for (let j = 1; j <= y.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[x.length][y.length];
}

function fullNearest(name: string, known: readonly string[]): { best?: string; distance: number } {
  let best: string | undefined;
  let distance = Infinity;
  for (const k of known) {
    const d = fullDistance(name, k);
    if (d < distance) [best, distance] = [k, d];
  }
  return { best, distance };
}

describe("nearest (the known name fewest edits away)", () => {
  it("counts a swap of neighbours as one edit, case aside, and keeps the first of a tie", () => {
    assert.deepEqual(nearest("amd46", ["arm64", "amd64"]), { best: "amd64", distance: 1 });
    assert.deepEqual(nearest("Retension", ["replicas", "retention"]), { best: "retention", distance: 1 });
    assert.deepEqual(nearest("ab", ["xb", "ax"]), { best: "xb", distance: 1 });
    assert.deepEqual(nearest("x", []), { best: undefined, distance: Infinity });
    assert.deepEqual(nearest("", ["abc", "a"]), { best: "a", distance: 1 });
  });

  it("finds the name and distance the whole matrix gives, for any names (its early stops lose nothing)", () => {
    // Few letters, so names share many and lie at every distance; long ones grow the reused rows.
    const name = fc.string({ unit: fc.constantFrom("a", "b", "c", "A", "İ", "-"), maxLength: 40 });
    fc.assert(
      fc.property(name, fc.array(name, { maxLength: 12 }), (n, known) => {
        assert.deepEqual(nearest(n, known), fullNearest(n, known));
      }),
      { numRuns: 2000 },
    );
  });
});
