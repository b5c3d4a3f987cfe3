import { strict as assert } from "assert";
import { underCi } from "../../config/ci";

describe("under CI (config/ci.ts): the CI variable read as npm reads it", () => {
  it("counts every spelling CI services set, `true`, `1` and a service's name among them", () => {
    for (const v of ["true", "1", "woodpecker", "TRUE", "yes"]) assert.equal(underCi(v), true, v);
  });

  it("does not count an unset, empty or `false` CI", () => {
    assert.equal(underCi(undefined), false);
    assert.equal(underCi(""), false);
    assert.equal(underCi("false"), false);
  });
});
