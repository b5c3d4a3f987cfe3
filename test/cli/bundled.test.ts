import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { compiledCli, ROOT, tmpDir } from "../support/helpers";
import { BUNDLED, bundleOf, COMPILE_CACHE, entryOf, entryText } from "../../cli/bundled";

/**
 * A bundled command's entry (cli/bundled.ts entryText): Node's compile cache is on before the
 * bundle is compiled, so the bundle's code comes from the cache the last run left.
 */
describe("bundled commands: the entry turns the compile cache on before the bundle", () => {
  it("the bundle's first line runs with the project's compile cache already on", () => {
    // A project of its own (dist/bin/ two folders below its root), the bundle a probe.
    const root = tmpDir("entry");
    const entry = path.join(root, entryOf("cli/synth.ts")!);
    fs.mkdirSync(path.dirname(entry), { recursive: true });
    fs.writeFileSync(entry, entryText("cli/synth.ts"));
    fs.writeFileSync(
      path.join(root, bundleOf("cli/synth.ts")!),
      'process.stdout.write(String(require("module").getCompileCacheDir?.()));\n',
    );
    // No compile cache from the environment (a cache turned on at start-up would be the one seen).
    const env = { ...process.env };
    delete env.NODE_COMPILE_CACHE;
    const r = spawnSync(process.execPath, [entry], { encoding: "utf8", env });
    assert.equal(r.status, 0, r.stderr);
    // Node keeps each version's code in a folder of its own inside the one given.
    assert.equal(path.dirname(r.stdout), path.join(root, COMPILE_CACHE));
  });

  it("the built entries are entryText's; no other command has one", () => {
    compiledCli("cli/synth.ts"); // builds when a source is newer
    for (const file of BUNDLED)
      assert.equal(fs.readFileSync(path.join(ROOT, entryOf(file)!), "utf8"), entryText(file));
    assert.throws(() => entryText("cli/verify.ts"), /cli\/verify\.ts is not a bundled command/);
  });
});
