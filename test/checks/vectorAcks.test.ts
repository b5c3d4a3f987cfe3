import { strict as assert } from "assert";
import { parse } from "yaml";
import { loadVectorReference, vectorVersionOf } from "../../upstream/vector/components";
import { versions } from "../../model/versions";
import { rendered, stackFileVariants } from "../support/rendered";

/** The Vector config a rendered stack ships (the chart's ConfigMap), if it runs Vector. */
async function vectorConfigOf(stack: string): Promise<Record<string, any> | undefined> {
  const r = await rendered(stackFileVariants().find((v) => v.stack === stack)!);
  for (const o of r.objects) {
    if (o.object.kind !== "ConfigMap" || o.release?.chart !== "vector") continue;
    for (const text of Object.values((o.object as any).data ?? {}))
      if (typeof text === "string" && /sources:/.test(text)) return parse(text);
  }
  return undefined;
}

describe("Vector: the journald source's lines are acknowledged end to end", function () {
  this.timeout(120000);
  it("the sink reading the journald source has acknowledgements on, an option the pinned Vector documents for it", async () => {
    const cfg = await vectorConfigOf("pi");
    assert.ok(cfg, "the pi stack runs Vector");
    const journald = Object.entries(cfg.sources ?? {})
      .filter(([, s]: [string, any]) => s.type === "journald")
      .map(([id]) => id);
    assert.equal(journald.length, 1, "one journald source");
    const sinks = Object.entries(cfg.sinks ?? {}).filter(([, s]: [string, any]) =>
      (s.inputs ?? []).includes(journald[0]),
    );
    assert.ok(sinks.length > 0, "a sink reads the journald source");
    // The Vector the program pins, as its reference in the repository describes it.
    const ref: any = loadVectorReference(vectorVersionOf(versions.images.vector.tag));
    assert.equal(
      ref.components.sources.journald.acknowledgements,
      true,
      "journald supports acknowledgements",
    );
    for (const [id, s] of sinks as [string, any][]) {
      assert.equal(s.acknowledgements?.enabled, true, `sink ${id}`);
      const opt = ref.components.sinks[s.type].options.acknowledgements;
      assert.ok(opt?.types?.object?.options?.enabled, `${s.type} sink documents acknowledgements.enabled`);
      assert.equal(ref.components.sinks[s.type].acknowledgements, true, `${s.type} sink acknowledges`);
    }
  });
});
