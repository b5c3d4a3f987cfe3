import { strict as assert } from "assert";
import * as path from "path";
import { LOKI_WRITTEN_PATHS, MIMIR_WRITTEN_PATHS } from "../../upstream/engines/writablePaths";
import { ENGINE_REFERENCES } from "../../upstream/engines/references";
import { readReferenceFile, referenceDataDir } from "../../upstream/reference";

/** One reference TSV as rows of named columns (comment lines skipped, the header names them). */
function rows(folder: string, file: string): Map<string, Record<string, string>> {
  const lines = readReferenceFile(path.join(referenceDataDir("engines", folder), file))
    .split("\n")
    .filter((l) => l !== "" && !l.startsWith("#"));
  const header = lines[0].split("\t");
  const out = new Map<string, Record<string, string>>();
  for (const l of lines.slice(1)) {
    const cells = l.split("\t");
    out.set(cells[0], Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ""])));
  }
  return out;
}
/** A reference default as the engine reads it: `"./tsdb/"` -> `./tsdb/`. */
const unquote = (v: string) => (/^".*"$/.test(v) ? (JSON.parse(v) as string) : v);

/**
 * The written paths of upstream/engines/writablePaths.ts, held to the engines' configuration
 * references: each key exists, its flag is the reference's, and its default is the reference's.
 */
describe("written paths: keys, flags and defaults are the engines' references'", () => {
  it("Mimir 3.0 (upstream/engines/data/mimir-3.0/config-fields.tsv)", () => {
    const ref = rows("mimir-3.0", "config-fields.tsv");
    for (const p of MIMIR_WRITTEN_PATHS) {
      const row = ref.get(p.key);
      assert.ok(row, `${p.key} is a Mimir 3.0 config field`);
      assert.equal(row.flag, p.flag, `${p.key}: flag`);
      assert.equal(unquote(row.default), p.default, `${p.key}: default`);
    }
    assert.ok(MIMIR_WRITTEN_PATHS.some((p) => p.key === "activity_tracker.filepath"));
  });
  it(`Loki (upstream/engines/data/${ENGINE_REFERENCES.loki}/config-keys.tsv)`, () => {
    const ref = rows(ENGINE_REFERENCES.loki, "config-keys.tsv");
    for (const p of LOKI_WRITTEN_PATHS) {
      const row = ref.get(p.key);
      assert.ok(row, `${p.key} is a ${ENGINE_REFERENCES.loki} config key`);
      assert.equal(row.cli_flag, `-${p.flag}`, `${p.key}: flag`);
      assert.equal(unquote(row.default), p.default, `${p.key}: default`);
    }
  });
});
