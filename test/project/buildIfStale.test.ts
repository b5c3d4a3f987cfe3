import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "../support/helpers";
import { buildSync } from "esbuild";
import { buildExit, dropDeclarations, rootInputs } from "../../scripts/build";
import { tmpDir } from "../support/helpers";

/**
 * scripts/build-if-stale.sh skips the build when no input is newer than its stamp: it must look at
 * every folder and file the build compiles, or an edit there would run stale code.
 */
describe("scripts/build-if-stale.sh watches what scripts/build.ts compiles", () => {
  const script = fs.readFileSync(path.join(ROOT, "scripts/build-if-stale.sh"), "utf8");
  const watched = (line: string) =>
    new RegExp(`(^|\\s)${line.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(\\s|\\)|$)`, "m");

  it("every root the build compiles is in its find, and the contract project too", () => {
    const roots = new Set(rootInputs().map((p) => p.split(path.sep)[0]));
    assert.ok(roots.has("cli") && roots.has("index.ts") && !roots.has("test"), [...roots].join(" "));
    for (const r of [...roots, "tsconfig.json", "package.json", "package-lock.json", "contract"])
      assert.match(script, watched(r), `${r} is not watched`);
    assert.ok(!watched("nowhere").test(script), "the pattern can fail");
  });

  it("builds with the project's build, and the CLIs check the build first", () => {
    assert.match(script, /^\s*exec node --import tsx scripts\/build\.ts$/m);
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
    for (const s of ["synth", "policy:check", "verify", "bench", "test"])
      assert.match(
        pkg.scripts[s],
        /(^|&& )sh scripts\/build-if-stale\.sh && /,
        `npm run ${s} checks the build first`,
      );
  });

  it("the build removes the contract's declarations and tsc's build info an earlier tsc -b left, and keeps the JavaScript", () => {
    const dist = tmpDir("contract-dist");
    for (const f of ["index.js", "index.js.map", "index.d.ts", "podSecurity.d.ts", "tsconfig.tsbuildinfo"])
      fs.writeFileSync(path.join(dist, f), "x");
    assert.deepEqual(dropDeclarations(dist).sort(), [
      "index.d.ts",
      "podSecurity.d.ts",
      "tsconfig.tsbuildinfo",
    ]);
    assert.deepEqual(fs.readdirSync(dist).sort(), ["index.js", "index.js.map"]);
    assert.deepEqual(dropDeclarations(path.join(dist, "missing")), []);
  });

  it("a source esbuild cannot compile ends the build with esbuild's messages at file:line:col and one closing line, exit 2, no stack trace", () => {
    const dir = tmpDir("build-slip");
    // The slip of an unquoted version in model/versions.ts.
    fs.writeFileSync(path.join(dir, "versions.ts"), "export const v = {\n  version: 1.42.0,\n};\n");
    let said = "";
    const code = buildExit(
      () => {
        buildSync({ absWorkingDir: dir, entryPoints: ["versions.ts"], write: false, logLevel: "silent" });
      },
      (t) => (said += t),
    );
    assert.equal(code, 2);
    assert.match(said, /^✘ \[ERROR\] Expected "}" but found "\.0"\n\n {4}versions\.ts:2:15:\n/);
    assert.ok(!/\n {4}at /.test(said), said);
    const lines = said.trimEnd().split("\n");
    assert.equal(lines[lines.length - 1], "build: FAIL (exit 2): 1 error in the sources (above)");
    assert.equal(
      buildExit(
        () => undefined,
        (t) => (said += t),
      ),
      0,
    );
  });
});
