import { strict as assert } from "assert";
import { conjoin } from "../../config/chartKeys";

/*
 * An `allOf` read as one tree (config/chartKeys.ts conjoin): a value meets it when it meets every
 * branch, as gojsonschema v1.2.0 validates it for Helm 3.17.3. The pinned charts' one `allOf`
 * (loki 18.11.0's instanceSelector) is judged against Helm in chartSchemaKeywords.test.ts; these
 * are the rules it rests on that no pinned chart's branches meet.
 */
describe("a values schema's allOf, read as what every branch says", () => {
  it("allows only the types both branches allow, an integer being a number", () => {
    assert.deepEqual(conjoin({ type: ["number", "null"] }, { type: ["integer", "string"] }).type, [
      "integer",
    ]);
  });

  it("keeps only the keys a closed branch names, each meeting the other branch's additionalProperties", () => {
    const met = conjoin(
      { closed: true, keys: { a: { type: ["string", "null"] } } },
      { keys: { b: { type: ["string"] } }, others: { type: ["string"] } },
    );
    assert.deepEqual(met, { closed: true, keys: { a: { type: ["string"] } } });
  });

  it("requires every branch's keys, allows the values both enums list, and the tighter bounds", () => {
    assert.deepEqual(
      conjoin(
        { required: ["a"], enum: [1, 2, 3], minimum: 0, maximum: 10 },
        { required: ["b"], enum: [2, 3, 4], minimum: 1, maximum: 5 },
      ),
      { required: ["a", "b"], enum: [2, 3], minimum: 1, maximum: 5 },
    );
  });
});
