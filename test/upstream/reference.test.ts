import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { versions } from "../../model/versions";
import {
  ALLOY_REFERENCE,
  alloyReferenceFile,
  alloyRegistryFile,
  loadAlloyReference,
} from "../../upstream/alloy/components";
import {
  ENGINE_REFERENCES,
  ENGINE_REFERENCE_FILES,
  loadEngineReference,
} from "../../upstream/engines/references";
import {
  MissingReferenceError,
  readReferenceFile,
  referenceDataDir,
  referenceFilesRead,
} from "../../upstream/reference";
import { compiled, ROOT, tmpDir } from "../support/helpers";

const dataFile = (engine: "loki" | "mimir") =>
  path.join(ROOT, "upstream", "engines", "data", ENGINE_REFERENCE_FILES[engine]);

/**
 * The components' reference facts are data inside the repository (upstream/<area>/data/), read
 * through one loader that records every file it reads.
 */
describe("upstream/reference: the reference data inside the repository", () => {
  it("records every data file it reads, by absolute path", () => {
    loadEngineReference("loki");
    loadEngineReference("mimir");
    loadAlloyReference();
    for (const f of [dataFile("loki"), dataFile("mimir"), alloyReferenceFile(), alloyRegistryFile()]) {
      assert.ok(path.isAbsolute(f));
      assert.ok(referenceFilesRead.has(f), `${f} recorded`);
    }
    const file = path.join(referenceDataDir("engines", ENGINE_REFERENCES.loki), "README.md");
    readReferenceFile(file);
    assert.ok(referenceFilesRead.has(file));
  });

  it("a missing data file is a MissingReferenceError naming it and the command that rebuilds it", () => {
    const gone = path.join(tmpDir("noref"), "config-keys.tsv");
    assert.throws(
      () => readReferenceFile(gone),
      (e: Error) =>
        e instanceof MissingReferenceError &&
        e.message.includes(gone) &&
        /npm run refresh-reference -- <component> <path-to-upstream-checkout>/.test(e.message),
    );
    // Recorded all the same: a verdict given without the file must not be reused once it appears.
    assert.ok(referenceFilesRead.has(gone), "a missing file asked for is recorded");
  });

  it("loads every reference in a fresh process whose external reference folder is empty", () => {
    const empty = tmpDir("noref");
    // The modules' compiled files (what the CLIs run), without tsx's hooks on every module loaded.
    const code = [
      `const { loadEngineReference } = require(${JSON.stringify(compiled("upstream/engines/references.ts"))});`,
      `const { loadAlloyReference } = require(${JSON.stringify(compiled("upstream/alloy/components.ts"))});`,
      `const { referenceFilesRead } = require(${JSON.stringify(compiled("upstream/reference.ts"))});`,
      "const n = [loadEngineReference('loki').fields.size, loadEngineReference('mimir').fields.size, Object.keys(loadAlloyReference().components).length];",
      "console.log(JSON.stringify({ n, read: [...referenceFilesRead] }));",
    ].join("\n");
    const out = JSON.parse(
      execFileSync(process.execPath, ["-e", code], {
        encoding: "utf8",
        cwd: ROOT,
        env: { ...process.env, HOMELAB_REFERENCE_DIR: empty },
      }),
    ) as { n: number[]; read: string[] };
    assert.ok(
      out.n.every((n) => n > 100),
      JSON.stringify(out.n),
    );
    assert.deepEqual(
      out.read.sort(),
      [
        dataFile("loki"),
        path.join(path.dirname(dataFile("loki")), "config-values.tsv"),
        path.join(path.dirname(dataFile("loki")), "flags.tsv"),
        dataFile("mimir"),
        alloyReferenceFile(),
        alloyRegistryFile(),
      ].sort(),
    );
  });

  it("each data file names the upstream tag model/versions.ts pins, as does its folder's README", () => {
    const loki = fs.readFileSync(dataFile("loki"), "utf8").split("\n")[0];
    assert.equal(
      loki,
      `# source: grafana/loki v${versions.images.loki.tag}:docs/sources/shared/configuration.md`,
    );
    const mimir = fs.readFileSync(dataFile("mimir"), "utf8").split("\n")[0];
    assert.match(
      mimir,
      new RegExp(`^# source: grafana/mimir mimir-${versions.images.mimir.tag.replace(/\./g, "\\.")}[ :]`),
    );
    for (const file of [alloyReferenceFile(), alloyRegistryFile()]) {
      const alloy = JSON.parse(fs.readFileSync(file, "utf8")) as { source: { tag: string } };
      assert.equal(alloy.source.tag, versions.images.alloy.tag, file);
    }
    const readmes: [string, string][] = [
      [path.join(path.dirname(dataFile("loki")), "README.md"), `v${versions.images.loki.tag}`],
      [path.join(path.dirname(dataFile("mimir")), "README.md"), `mimir-${versions.images.mimir.tag}`],
      [path.join(referenceDataDir("alloy", ALLOY_REFERENCE), "README.md"), versions.images.alloy.tag],
    ];
    for (const [readme, tag] of readmes)
      assert.ok(fs.readFileSync(readme, "utf8").includes(`\`${tag}\``), `${readme} names \`${tag}\``);
  });
});
