/**
 * The one spawned run of each command (issue 51): its process wrapper (cli/synth.ts,
 * cli/policyCheck.ts, cli/verify.ts) hands the process's arguments and streams to the command's
 * main and exits with its status. Every other test of a command calls its main in the test's own
 * process (inProcess in test/support/helpers.ts), without a process's start-up and SDK load.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { compiledCli, ROOT, tmpDir } from "../support/helpers";

/** A command's compiled file (`npm run` runs the same), in a fresh process. */
const run = (file: string, ...args: string[]) =>
  spawnSync(process.execPath, compiledCli(file, ...args), { cwd: ROOT, encoding: "utf8" });

describe("each command through a real process: exit status, stdout and stderr", function () {
  this.timeout(60_000);

  it("synth, then policy:check on its export: a failing stack's status, closing line and stderr pass through each process", () => {
    // Production on one small Pi: the pack's resource budget refuses it (exit 1), no render needed.
    const dir = tmpDir("smoke");
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    const text = fs.readFileSync(path.join(ROOT, "Pulumi.production.yaml"), "utf8");
    const tiny = text.replace(
      /nodePools:\n(    .*\n)+/,
      'nodePools:\n    - {name: tiny, arch: arm64, count: 1, cpu: "1", memory: 8Gi}\n',
    );
    assert.notEqual(tiny, text, "production's stack file lists its node pools");
    fs.writeFileSync(path.join(dir, "Pulumi.production.yaml"), tiny);
    const out = path.join(dir, "out");
    // No 1Password token: the placeholder line on stderr is certain.
    const env = { ...process.env, OP_CONNECT_TOKEN: "" };
    const s = spawnSync(
      process.execPath,
      compiledCli(
        "cli/synth.ts",
        "--stack",
        "production",
        "--dir",
        dir,
        "--no-render",
        "--quiet",
        "--out",
        out,
      ),
      { cwd: ROOT, encoding: "utf8", env },
    );
    assert.equal(s.status, 1, s.stdout + s.stderr);
    assert.match(s.stdout, /\[mandatory\] resource-budget: pool tiny/);
    assert.match(
      s.stdout.trimEnd().split("\n").pop()!,
      /^production: FAIL \(exit 1\): policy: FAIL \(\d+ mandatory\)$/,
    );
    assert.match(s.stderr, /^production: secrets not set, placeholders stand in offline /m);
    const count = /(\d+ resources \(\d+ custom, \d+ stack and components, \d+ providers\))/.exec(
      s.stdout,
    )?.[1];
    assert.ok(count, s.stdout);
    const p = run("cli/policyCheck.ts", path.join(out, "production.json"));
    assert.equal(p.status, 1, p.stdout + p.stderr);
    assert.ok(p.stdout.includes(count), `${count} in ${p.stdout}`);
    assert.match(p.stdout.trimEnd().split("\n").pop()!, /: policy: FAIL \(\d+ mandatory, \d+ advisory\)$/);
    assert.equal(p.stderr, "");
  });

  it("verify with a mistyped flag: exit 2, the message on stderr, nothing on stdout", () => {
    const r = run("cli/verify.ts", "--stak", "staging");
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /unknown flag --stak; did you mean --stack\?/);
    assert.equal(r.stdout, "");
  });
});
