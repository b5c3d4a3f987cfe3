import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { readHints, writeHints } from "../../synth/render/apiVersions";
import { tmpDir } from "../support/helpers";

describe("the CRD hints of the render cache (synth/render/apiVersions.ts)", () => {
  it("replaces crd-hints.json only when a render learned something new, keeping what other charts taught", () => {
    const dir = tmpDir("crd-hints");
    const file = path.join(dir, "crd-hints.json");
    writeHints(dir, { chartA: ["monitoring.coreos.com/v1"] });
    const first = fs.statSync(file);
    // The same again: nothing new, the file is left as it is (same inode, same mtime).
    writeHints(dir, { chartA: ["monitoring.coreos.com/v1"] });
    const same = fs.statSync(file);
    assert.equal(same.ino, first.ino);
    assert.equal(same.mtimeMs, first.mtimeMs);
    // Something new: written, with what was there before.
    writeHints(dir, { chartB: ["operator.victoriametrics.com/v1beta1"] });
    assert.notEqual(fs.statSync(file).ino, first.ino);
    // (What renders earlier in this process learned is in it too: the hints in memory are the process's.)
    const written = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, string[]>;
    assert.deepEqual(written.chartA, ["monitoring.coreos.com/v1"]);
    assert.deepEqual(written.chartB, ["operator.victoriametrics.com/v1beta1"]);
    assert.deepEqual(readHints(dir).chartB, ["operator.victoriametrics.com/v1beta1"]);
  });
});
