import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "../support/helpers";

/**
 * scripts/build-if-stale.sh skips `tsc -b` when no input is newer than the last build: it must
 * look at every folder and file the two projects compile, or an edit there would run stale code.
 */
describe("scripts/build-if-stale.sh watches what tsc -b compiles", () => {
  const script = fs.readFileSync(path.join(ROOT, "scripts/build-if-stale.sh"), "utf8");
  const watched = (line: string) =>
    new RegExp(`(^|\\s)${line.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(\\s|\\)|$)`, "m");

  it("every root of tsconfig.json's include is in its find, and the contract project too", () => {
    const tsconfig = JSON.parse(fs.readFileSync(path.join(ROOT, "tsconfig.json"), "utf8"));
    const roots = new Set((tsconfig.include as string[]).map((p) => p.split("/")[0]));
    for (const r of [...roots, "tsconfig.json", "package.json", "package-lock.json", "contract"])
      assert.match(script, watched(r), `${r} is not watched`);
    assert.ok(!watched("nowhere").test(script), "the pattern can fail");
  });

  it("builds both projects, with the project's own tsc", () => {
    assert.match(script, /node_modules\/\.bin\/tsc -b contract \.$/m);
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
    for (const s of ["synth", "policy:check"])
      assert.match(
        pkg.scripts[s],
        /^sh scripts\/build-if-stale\.sh && /,
        `npm run ${s} checks the build first`,
      );
  });
});
