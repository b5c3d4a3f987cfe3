import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readExport } from "../../change/against";
import { SynthInputError } from "../../synth/synthesize";

/*
 * `synth --against` reads a stack export as policy:check does (config/readFile.ts): an export saved
 * with a UTF-8 byte-order mark is the same export, and a file that cannot be read is said in the
 * same words, not as the system's errno text.
 */
describe("change/against.ts readExport: the export read as policy:check reads it", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "read-export-"));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const exp = { version: 3, deployment: { resources: [{ urn: "urn:pulumi:s::p::t::n", type: "t" }] } };

  it("takes an export saved with a UTF-8 byte-order mark", () => {
    const file = path.join(dir, "bom.json");
    fs.writeFileSync(
      file,
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(exp))]),
    );
    assert.deepEqual(readExport(file), exp);
  });

  it("says a missing file in readFile.ts' words, under --against", () => {
    const file = path.join(dir, "missing.json");
    assert.throws(
      () => readExport(file),
      (e: unknown) =>
        e instanceof SynthInputError &&
        e.message === `--against ${file}: cannot read ${file}: no such file; check the path`,
    );
  });

  it("refuses a file that is not UTF-8 text, saying so", () => {
    const file = path.join(dir, "utf16.json");
    fs.writeFileSync(
      file,
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(JSON.stringify(exp), "utf16le")]),
    );
    assert.throws(
      () => readExport(file),
      (e: unknown) => e instanceof SynthInputError && /not UTF-8 text; save it as UTF-8/.test(e.message),
    );
  });
});
