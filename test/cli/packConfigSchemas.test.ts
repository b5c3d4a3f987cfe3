import { strict as assert } from "assert";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { packConfigProblems } from "../../synth/pack";

/** A policy named `name` whose one setting `limit` has `schema`. */
const policy = (name: string, schema: Record<string, unknown>): ResourceValidationPolicy => ({
  name,
  description: "test",
  validateResource: () => undefined,
  configSchema: { properties: { limit: schema } },
});

// synth/pack.ts compiles each schema once per process and keeps it by the schema's text.
describe("pack config: each policy judged by its own configSchema, call after call", () => {
  it("judges a same-named policy with another schema by that schema, and the same config alike each time", () => {
    const numbers = [policy("limits", { type: "number", maximum: 1 })];
    const texts = [policy("limits", { type: "string" })];
    const config = { limits: { limit: 2 } };
    const tooBig = ["limits: limit must be a number at most 1, found number 2"];
    const notText = ["limits: limit must be a string, found number 2"];
    assert.deepEqual(packConfigProblems(config, numbers), tooBig);
    assert.deepEqual(packConfigProblems(config, texts), notText);
    assert.deepEqual(packConfigProblems(config, numbers), tooBig);
    assert.deepEqual(packConfigProblems({ limits: { limit: 0.5 } }, numbers), []);
    assert.deepEqual(packConfigProblems(config, texts), notText);
  });
});
