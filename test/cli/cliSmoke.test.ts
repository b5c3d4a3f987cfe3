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
import { helpText, VERIFY } from "../../cli/spec";
import { compiledCli, ROOT, tmpDir } from "../support/helpers";

/** A command's compiled file (`npm run` runs the same), in a fresh process. */
const run = (file: string, ...args: string[]) =>
  spawnSync(process.execPath, compiledCli(file, ...args), { cwd: ROOT, encoding: "utf8" });

describe("each command through a real process: exit status, stdout and stderr", function () {
  this.timeout(60_000);

  it("synth, then policy:check on its export: synth --no-render: lines of at most 80 columns, the verdict on its own line, the count policy:check prints", () => {
    // Through real processes: what the wrappers pass on of the main's output and status.
    const out = tmpDir("cli-out");
    const s = run("cli/synth.ts", "--stack", "production", "--no-render", "--quiet", "--out", out);
    assert.equal(s.status, 0, s.stderr);
    for (const line of s.stdout.split("\n")) assert.ok([...line].length <= 80, `wider than 80: ${line}`);
    const lines = s.stdout.trim().split("\n");
    // The policy's verdict, then the closing line with the exit status.
    assert.match(lines[lines.length - 2], /^production: policy: pass \(\d+ mandatory, \d+ advisory\)$/);
    assert.equal(
      lines[lines.length - 1],
      "production: pass (exit 0): the policy passes (not rendered: --no-render)",
    );
    const count = /(\d+ resources \(\d+ custom, \d+ stack and components, \d+ providers\))/.exec(
      s.stdout,
    )?.[1];
    assert.ok(count, s.stdout);
    const p = run("cli/policyCheck.ts", path.join(out, "production.json"));
    assert.equal(p.status, 0, p.stderr);
    assert.ok(p.stdout.includes(count), `${count} in ${p.stdout}`);
    const total = JSON.parse(fs.readFileSync(path.join(out, "production.json"), "utf8")).deployment.resources
      .length;
    assert.ok(count.startsWith(`${total} resources`), `${count}: the export holds ${total}`);
  });

  it("verify --help: the help on stdout, nothing on stderr, exit 0", () => {
    const r = run("cli/verify.ts", "--help");
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, helpText(VERIFY));
    assert.equal(r.stderr, "");
  });
});
