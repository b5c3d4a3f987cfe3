import { strict as assert } from "assert";
import { mapSecrets, SECRET_SIG, SECRET_SIG_KEY } from "../../contract";

describe("contract/secret.ts mapSecrets: the copy keeps the value's shape", () => {
  it("keeps an array's holes as holes (no leaf called for them), every other element and key in order", () => {
    const tree = { z: [1, , { [SECRET_SIG_KEY]: SECRET_SIG, value: 2 }, undefined], a: "x" };
    const leaves: unknown[] = [];
    const out = mapSecrets(
      tree,
      () => "<secret>",
      (x) => (leaves.push(x), x),
    );
    assert.deepEqual(Object.keys(out), ["z", "a"]);
    assert.equal(out.z.length, 4);
    assert.ok(!(1 in out.z), "the hole stays a hole");
    assert.ok(3 in out.z, "an undefined element stays an element");
    assert.deepEqual([out.z[0], out.z[2], out.z[3]], [1, "<secret>", undefined]);
    assert.deepEqual(leaves, [1, undefined, "x"]);
    const holed: unknown[] = [1];
    holed[2] = 0;
    holed[3] = undefined;
    assert.deepEqual(
      mapSecrets(tree, () => 0),
      { z: holed, a: "x" },
    );
  });
});
