import { strict as assert } from "assert";
import { copyJson, renderExport } from "../../synth/render/render";
import type { StackExport } from "../../synth/synthesize";
import { rendered, stackFileVariants } from "../support/rendered";

/**
 * A render asked for again in one process is copied from a tree kept for it (synth/render/render.ts
 * ownCopy) instead of parsed again: every call must still get what a parse gives, its own.
 */
describe("renderExport: each call's own copy of a render", () => {
  it("copies a parsed tree as JSON.parse makes it: keys in order, __proto__ an own key", () => {
    const text = '{"b":[1,{"__proto__":{"x":1},"2":null}],"a":{"c":"d"},"1":-0}';
    const parsed = JSON.parse(text);
    const copy = copyJson(parsed) as any;
    assert.equal(JSON.stringify(copy), JSON.stringify(parsed));
    assert.deepEqual(Object.keys(copy.b[1]), Object.keys(parsed.b[1]));
    assert.equal(Object.getPrototypeOf(copy.b[1]), Object.prototype);
    assert.ok(Object.is(copy["1"], -0));
    assert.notEqual(copy.a, parsed.a);
  });

  it("hands each call objects equal to a fresh parse, that no other call's changes reach", async () => {
    const r = await rendered(stackFileVariants().find((s) => s.stack === "pi")!);
    const exp: StackExport = JSON.parse(JSON.stringify(r.synth.export));
    const first = await renderExport(exp);
    const expected = JSON.stringify(first);
    // The second call keeps the parsed tree and hands out a copy; the third copies the kept tree.
    const second = await renderExport(exp);
    assert.equal(JSON.stringify(second), expected);
    for (const render of second)
      for (const o of render.objects) {
        o.metadata.labels = { ...o.metadata.labels, changed: "yes" };
        for (const v of Object.values(o)) if (v && typeof v === "object") v.changed = true;
      }
    second.forEach((render) => render.sources.push("changed"));
    const third = await renderExport(exp);
    assert.equal(JSON.stringify(third), expected);
    assert.ok(third.some((x) => x.objects.length > 0));
    third.forEach((render, i) => render.objects.forEach((o, j) => assert.notEqual(o, second[i].objects[j])));
  });
});
