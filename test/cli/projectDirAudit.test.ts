/**
 * `--dir` that is no project folder (a typo, a stack file's path, a folder of stack files without
 * Pulumi.yaml) is refused as that flag's bad input, naming the expected form and what is there,
 * before any stack: not an unexpected error with the file system's own words.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { runVerify } from "../../cli/verifyRun";
import { ROOT, synthCli, tmpDir } from "../support/helpers";

const lastLine = (text: string) => text.trimEnd().split("\n").pop()!;

/** The three ways a --dir misses: nothing there, a file, a folder of stack files without Pulumi.yaml. */
function wrongDirs(): { dir: string; found: RegExp }[] {
  const noProject = tmpDir("dir-audit");
  fs.copyFileSync(path.join(ROOT, "Pulumi.staging.yaml"), path.join(noProject, "Pulumi.staging.yaml"));
  return [
    { dir: path.join(noProject, "missing"), found: /got nothing there \(no such folder\)$/m },
    {
      dir: path.join(noProject, "Pulumi.staging.yaml"),
      found: new RegExp(`got a file \\(the folder holding it is ${noProject}\\)$`, "m"),
    },
    { dir: noProject, found: /got a folder without Pulumi\.yaml \(its stack files: staging\)$/m },
  ];
}

describe("--dir that is no project folder", function () {
  this.timeout(60_000);

  it("synth refuses it as --dir's bad input, with --stack and with --all", async () => {
    for (const { dir, found } of wrongDirs())
      for (const stacks of [["--stack", "staging"], ["--all"]]) {
        const r = await synthCli("--dir", dir, ...stacks, "--no-render", "--quiet");
        assert.equal(r.status, 2, r.stdout + r.stderr);
        assert.ok(!/unexpected error/.test(r.stderr + r.stdout), r.stderr);
        assert.match(
          r.stderr,
          new RegExp(
            `^synth: --dir ${dir}: expected the project folder \\(Pulumi\\.yaml and the Pulumi\\.<stack>\\.yaml files\\), `,
          ),
        );
        assert.match(r.stderr, found);
        assert.equal(lastLine(r.stdout), `synth: FAIL (exit 2): bad input: --dir ${dir} (above)`);
      }
  });

  it("verify refuses it as a bad argument", async () => {
    for (const { dir, found } of wrongDirs()) {
      let out = "";
      let err = "";
      const code = await runVerify(["--dir", dir, "--stack", "staging"], {
        jobs: () => Promise.resolve([]),
        env: { ...process.env },
        out: (t) => (out += t),
        err: (t) => (err += t),
      });
      assert.equal(code, 2, out + err);
      assert.ok(!/unexpected error/.test(err + out), err);
      assert.ok(err.startsWith(`verify --stack staging: --dir ${dir}: expected the project folder`), err);
      assert.match(err, found);
      assert.equal(lastLine(out), "verify --stack staging: FAIL (exit 2): bad arguments (above)");
    }
  });
});
