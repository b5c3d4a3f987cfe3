import { strict as assert } from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { CACHE_DIR } from "../support/fixtureCache";
import { configReads, functionLengths, importsOf } from "../support/layout";

/** The fixture cache's entries of what the tests read off source texts. */
const entries = (): string[] => {
  const dir = path.join(CACHE_DIR, "source-facts");
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".json")) : [];
};

describe("a source text's facts (test/support/layout.ts): one parse and one cache entry for every test that reads them", () => {
  it("after its function lengths (the size test), its imports and config reads (the layout test) add no entry", function () {
    if (process.env.HOMELAB_TEST_CACHE === "off") this.skip();
    // A text no run has seen: its facts are computed here.
    const text = [
      `// ${crypto.randomUUID()}`,
      'import { a } from "./a";',
      "export const f = () => process.env.X ?? a;",
      "",
    ].join("\n");
    const before = entries().length;
    assert.deepEqual(
      functionLengths("x.ts", text).map((f) => f.name),
      ["x.ts:3 f"],
    );
    assert.equal(entries().length, before + 1, "the facts of a new text are one entry");
    assert.deepEqual(configReads("x.ts", text), ["3: process.env"]);
    assert.deepEqual(
      importsOf("x.ts", text, (f) => f === "a.ts"),
      ["a.ts"],
    );
    assert.equal(entries().length, before + 1, "the other facts of the text came from that entry");
  });
});
