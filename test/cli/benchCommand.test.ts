import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { benchFailLine } from "../../cli/benchTargets";
import { runTimed, TimedCommandError, timedCommandFailure } from "../../cli/benchCommand";
import { tmpDir } from "../support/helpers";
import { SECRET, holdsSecretPiece } from "../support/secretPieces";

/*
 * A timed command of `npm run bench` that fails (synth failing in an older --root checkout, a
 * stack that does not synthesize) is said as such: the target, the exit status, the end of its
 * stderr, and the closing line `bench: FAIL (exit 2): ...`, not an unexpected error with a trace.
 * A tiny checkout whose npm scripts fail stands in for the real one: the benchmark is not run.
 */

const NPM = process.platform === "win32" ? "npm.cmd" : "npm";

/** A checkout whose `npm run synth` writes to both streams and exits `status`. */
function checkout(status: number, stderr = true): string {
  const dir = tmpDir("bench-command");
  const say = stderr ? "echo 'synth: stack production: loki.mode: unknown value' >&2; " : "";
  fs.writeFileSync(
    path.join(dir, "package.json"),
    JSON.stringify({
      name: "old-checkout",
      version: "1.0.0",
      scripts: {
        synth: `echo progress; ${say}echo 'production: FAIL (exit ${status}): why'; exit ${status}`,
      },
    }),
  );
  return dir;
}

const failure = (f: () => unknown): TimedCommandError => {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof TimedCommandError, `a TimedCommandError, got ${String(e)}`);
    return e;
  }
  assert.fail("the command did not fail");
};

describe("bench: a timed command that fails (cli/benchCommand.ts)", function () {
  this.timeout(20000);

  it("names the target, its command and exit status and the end of its stderr; the closing line says the same", () => {
    const dir = checkout(2);
    const args = ["run", "synth", "--", "--stack", "production", "--out", "/tmp/o"];
    const e = failure(() => runTimed("synth", NPM, args, { cwd: dir, ok: [0, 1] }));
    const { message, why } = timedCommandFailure(e);
    assert.equal(
      message,
      `bench: the synth target's command exited 2: ${NPM} run synth -- --stack production --out /tmp/o (in ${dir}); its stderr ends:\n  | synth: stack production: loki.mode: unknown value`,
    );
    assert.doesNotMatch(message, /npm (warn|error)|    at /, "npm's notices and no trace");
    assert.equal(benchFailLine(why), "bench: FAIL (exit 2): the synth target's command exited 2 (above)");
  });

  it("reads stdout's end when the command wrote nothing on stderr", () => {
    const e = failure(() => runTimed("synth", NPM, ["run", "synth"], { cwd: checkout(3, false) }));
    assert.match(
      timedCommandFailure(e).message,
      /exited 3: .*; its stdout ends:\n {2}\| progress\n {2}\| production: FAIL \(exit 3\): why$/,
    );
  });

  it("times synth's exit 1 (a verdict after a complete run) when told to, and refuses it otherwise", () => {
    const dir = checkout(1);
    assert.equal(runTimed("synth", NPM, ["run", "synth"], { cwd: dir, ok: [0, 1] }).status, 1);
    const e = failure(() => runTimed("render", NPM, ["run", "synth"], { cwd: dir }));
    assert.equal(timedCommandFailure(e).why, "the render target's command exited 1 (above)");
  });

  it("says the end of its output as every child tool's text is said: a login or a secret's value <not shown>", () => {
    const e = new TimedCommandError(
      "synth",
      "npm run synth",
      "/tmp/x",
      "exited 2",
      `synth: helm pull --repo https://robot:${SECRET}@charts.example/ failed\n  grafanaAdminPassword: ${SECRET}\n`,
      "",
    );
    const { message } = timedCommandFailure(e);
    assert.ok(!holdsSecretPiece(message), message);
    assert.match(
      message,
      /\| synth: helm pull --repo https:\/\/<not shown>@charts\.example\/ failed\n {2}\| {3}grafanaAdminPassword: <not shown>$/,
    );
  });

  it("a command that cannot start says so", () => {
    const e = failure(() => runTimed("policy", "no-such-command-hX3", [], { cwd: checkout(0) }));
    assert.match(
      timedCommandFailure(e).why,
      /^the policy target's command could not start \(.*ENOENT.*\) \(above\)$/,
    );
  });
});
