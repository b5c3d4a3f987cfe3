import { strict as assert } from "assert";
import * as fs from "fs";
import Module from "module";
import * as path from "path";
import { heldAnswers, tsxIsEsm } from "../support/tsxCjsFiles";
import { keptEntry, settings, tsxTsHandler, type Handler } from "../support/tsxTsFiles";
import { ROOT } from "../support/helpers";

/** What tsx hands Node for `filename` now: its handler on a module object that runs nothing. */
function tsxOutput(tsx: Handler, filename: string): string | undefined {
  let handed: string | undefined;
  const m = new Module(filename) as Module & { _compile(code: string, name: string): unknown };
  m._compile = (code: string) => (handed = code);
  tsx(m, filename);
  return handed;
}

describe("tsx's work kept across processes (test/support/tsxTsFiles.ts, tsxCjsFiles.ts)", () => {
  it("keeps for a project file exactly the code tsx hands Node", () => {
    const tsx = tsxTsHandler();
    const shared = settings();
    assert.ok(tsx, "the keeping .ts handler is not in front of tsx's (.mocharc.cjs requires it)");
    assert.ok(shared, "run from the project's folder");
    // Loaded by this process (so kept, from an earlier process or this one), one of them the test's.
    for (const file of ["config/paths.ts", "test/support/helpers.ts", "test/project/tsxKept.test.ts"]) {
      const filename = path.join(ROOT, file);
      assert.ok(require.cache[filename], `${file} loaded`);
      const entry = keptEntry(shared, filename);
      assert.ok(fs.existsSync(entry), `${file}: nothing kept`);
      assert.equal(fs.readFileSync(entry, "utf8"), tsxOutput(tsx, filename), file);
    }
  });

  it("remembers for node_modules' .js files the answer tsx's lexer gives now", () => {
    const isESM = tsxIsEsm();
    assert.ok(isESM, "tsx's isESM not found: a tsx that changed");
    const answers = heldAnswers(); // the file's, and those found since (a first run has no file yet)
    const loaded = Object.keys(answers).filter((f) => require.cache[f]);
    assert.ok(loaded.length >= 100, `only ${loaded.length} remembered files loaded`);
    for (const f of loaded) {
      const st = fs.statSync(f);
      const stamp = `${st.size}:${st.mtimeMs}`;
      if (answers[f] !== stamp && answers[f] !== `esm ${stamp}`) continue; // changed since: lexed again
      assert.equal(answers[f].startsWith("esm "), isESM(fs.readFileSync(f, "utf8")), f);
    }
  });
});
