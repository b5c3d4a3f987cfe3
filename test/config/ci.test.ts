import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { ciValueSet, underCi } from "../../config/ci";
import { documents } from "../support/documents";
import { ROOT } from "../support/helpers";

describe("under CI (config/ci.ts): the CI variable read as npm reads it", () => {
  it("counts every spelling CI services set, `true`, `1` and a service's name among them", () => {
    for (const v of ["true", "1", "woodpecker", "TRUE", "yes"]) assert.equal(ciValueSet(v), true, v);
  });

  it("reads the process's own CI variable", () => {
    const saved = process.env.CI;
    try {
      process.env.CI = "1";
      assert.equal(underCi(), true);
      delete process.env.CI;
      assert.equal(underCi(), false);
    } finally {
      if (saved === undefined) delete process.env.CI;
      else process.env.CI = saved;
    }
  });

  it("does not count an unset, empty or `false` CI", () => {
    assert.equal(ciValueSet(undefined), false);
    assert.equal(ciValueSet(""), false);
    assert.equal(ciValueSet("false"), false);
  });

  it("is said as the rule it is wherever a document says what CI changes, not as `CI=true` alone", () => {
    // `CI=true npm test` as a command is fine; "under `CI=true`" reads as if only `true` counted.
    const docs = [...documents(), "upstream/alloy/data/alloy-1.12/README.md"].filter(
      (f) => f !== "CHANGELOG.md",
    );
    const said = docs.flatMap((f) =>
      fs
        .readFileSync(path.join(ROOT, f), "utf8")
        .split("\n")
        .flatMap((l, i) => (/under\s+`CI=true`|^\s*`CI=true`, where/i.test(l) ? [`${f}:${i + 1}`] : [])),
    );
    assert.deepEqual(said, []);
  });
});
