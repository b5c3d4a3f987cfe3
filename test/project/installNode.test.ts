import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { ROOT, tmpDir } from "../support/helpers";

/**
 * scripts/install-node.sh on a fresh machine, the first command the README gives: it fetches Node
 * with npm and checks it with openssl, so a machine without them must hear which one is missing.
 */
describe("scripts/install-node.sh on a machine without what it needs", () => {
  /** What the script runs besides npm and openssl, so the old script reached its npm pack. */
  const BASE = ["dirname", "uname", "mktemp", "rm", "tail", "tar", "base64", "mkdir", "mv"];

  /** A copy of the script in a project of its own, run with PATH holding only `tools`. */
  function runWithOnly(tools: string[]) {
    const project = tmpDir("install-node");
    fs.mkdirSync(path.join(project, "scripts"));
    fs.copyFileSync(
      path.join(ROOT, "scripts", "install-node.sh"),
      path.join(project, "scripts", "install-node.sh"),
    );
    const bin = tmpDir("install-node-bin");
    for (const tool of tools) {
      const found = spawnSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" }).stdout.trim();
      fs.symlinkSync(found, path.join(bin, tool));
    }
    const bash = spawnSync("sh", ["-c", "command -v bash"], { encoding: "utf8" }).stdout.trim();
    return spawnSync(bash, [path.join(project, "scripts", "install-node.sh"), "22"], {
      encoding: "utf8",
      env: { PATH: bin },
    });
  }

  it("without npm, exits 1 naming npm and the way around it, instead of 127 and no word", function () {
    if (process.platform !== "linux" || process.arch !== "x64") this.skip(); // it refuses other platforms first
    const r = runWithOnly([...BASE, "openssl"]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /install-node: needs npm on PATH/);
    assert.match(r.stderr, /install Node 22 from your distribution or nodejs\.org/);
    assert.equal(r.stdout, "", "no bin directory printed for PATH to take");
  });

  it("without openssl, exits 1 naming openssl", function () {
    if (process.platform !== "linux" || process.arch !== "x64") this.skip();
    const r = runWithOnly([...BASE, "npm"]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /install-node: needs openssl on PATH/);
  });
});
