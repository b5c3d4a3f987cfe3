import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { compileValidator } from "../../checks/schema";
import { tmpDir } from "../support/helpers";

/** A pruned schema as crdValidator hands it over: nested fields, an enum, a pattern (Go's regexp engine), none extra. */
const PRUNED = JSON.stringify({
  type: "object",
  additionalProperties: false,
  properties: {
    spec: {
      type: "object",
      additionalProperties: false,
      properties: {
        replicas: { type: "integer", minimum: 1 },
        mode: { type: "string", enum: ["a", "b"] },
        name: { type: "string", pattern: "^[a-z]+(?:-[a-z]+)*$" },
      },
    },
  },
});
const BAD = { spec: { replicas: 0, mode: "c", name: "Not-OK", extra: true }, other: 1 };
const GOOD = { spec: { replicas: 2, mode: "a", name: "ok-name" } };

/** A validator's verdict and errors on `value`, as checks/schema.ts reads them. */
function judged(v: ReturnType<typeof compileValidator>, value: unknown) {
  const ok = v(value);
  return {
    ok,
    errors: (v.errors ?? []).map(({ instancePath, keyword, params, message }) => ({
      instancePath,
      keyword,
      params,
      message,
    })),
  };
}

describe("checks/schema.ts: compiled CRD validators kept on disk as ajv's standalone code", () => {
  it("a validator loaded from the folder judges and words every error as the one compiled", () => {
    const dir = tmpDir("crd-validators");
    const compiled = compileValidator(PRUNED, dir);
    const files = fs.readdirSync(dir).filter((f) => f.endsWith(".js"));
    assert.equal(files.length, 1, "the compiled validator's code is written");
    const loaded = compileValidator(PRUNED, dir);
    const bad = judged(compiled, BAD);
    assert.equal(bad.ok, false);
    assert.ok(bad.errors.length >= 5, JSON.stringify(bad.errors));
    assert.deepEqual(judged(loaded, BAD), bad);
    assert.deepEqual(judged(loaded, GOOD), judged(compiled, GOOD));
    assert.equal(judged(loaded, GOOD).ok, true);
  });

  it("uses the file it finds: a file that does not load, or asks for another module, is compiled again and rewritten", () => {
    const dir = tmpDir("crd-validators");
    compileValidator(PRUNED, dir);
    const [file] = fs.readdirSync(dir).map((f) => path.join(dir, f));
    // A stored validator that passes everything is used as stored: the file is what runs.
    fs.writeFileSync(file, "module.exports.default = function v() { v.errors = null; return true; };");
    assert.equal(compileValidator(PRUNED, dir)(BAD), true);
    for (const broken of [
      "module.exports.default = ",
      'const fs = require("fs"); module.exports.default = () => true;',
    ]) {
      fs.writeFileSync(file, broken);
      const v = compileValidator(PRUNED, dir);
      assert.equal(v(BAD), false, `compiled again after: ${broken}`);
      assert.notEqual(fs.readFileSync(file, "utf8"), broken, "the file is rewritten");
    }
  });
});
