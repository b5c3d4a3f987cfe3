/**
 * .ci/run's change step ("the change from the previous commit of main"), run as written in a
 * throwaway repository of two commits with an `npm` that stands in for synth: the previous commit
 * failing its own policy (exit 1) still gives the exports to compare with, so a commit fixing a
 * red main can pass; every stack is compared whatever another's fate; and the step fails at its
 * end, with the worst status, when any comparison failed.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { ROOT, tmpDir } from "../support/helpers";

/** The step's lines, from its header to the next step's. */
function changeStep(): string {
  const run = fs.readFileSync(path.join(ROOT, ".ci/run"), "utf8");
  const start = run.indexOf('echo "== the change from the previous commit of main"');
  const end = run.indexOf('echo "== policy pack over the exports"');
  assert.ok(start >= 0 && end > start, "the change step is in .ci/run");
  return run.slice(start, end);
}

/**
 * `npm run synth -- …` as the step calls it: `--all` writes a.json and b.json into its --out folder
 * and exits PARENT_STATUS; `--stack <s> … --against` exits AGAINST_<s> (0 when unset). Each call is
 * logged to CALLS.
 */
const FAKE_NPM = `#!/usr/bin/env bash
out=""; stack=""; all=0
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift ;;
    --stack) stack=$2; shift ;;
    --all) all=1 ;;
  esac
  shift
done
if [ "$all" = 1 ]; then
  mkdir -p "$out"; echo '{}' > "$out/a.json"; echo '{}' > "$out/b.json"
  echo "all" >> "$CALLS"; exit "\${PARENT_STATUS:-0}"
fi
echo "against $stack" >> "$CALLS"
var="AGAINST_$stack"; exit "\${!var:-0}"
`;

/** The step run in a repository of two commits, each with stacks a and b, with `env`. */
function runStep(env: Record<string, string>): { status: number | null; stderr: string; calls: string[] } {
  const repo = tmpDir("ci-change");
  const bin = tmpDir("ci-change-bin");
  fs.writeFileSync(path.join(bin, "npm"), FAKE_NPM, { mode: 0o755 });
  const git = (...args: string[]) =>
    assert.equal(
      spawnSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd: repo }).status,
      0,
    );
  git("init", "-q");
  for (const n of [1, 2]) {
    for (const s of ["a", "b"]) fs.writeFileSync(path.join(repo, `Pulumi.${s}.yaml`), `n: ${n}\n`);
    git("add", ".");
    git("commit", "-q", "-m", `c${n}`);
  }
  const calls = path.join(bin, "calls");
  const r = spawnSync("bash", ["-c", `set -euo pipefail\n${changeStep()}`], {
    cwd: repo,
    encoding: "utf8",
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, CALLS: calls, ...env },
  });
  const called = fs.existsSync(calls) ? fs.readFileSync(calls, "utf8").trim().split("\n") : [];
  return { status: r.status, stderr: r.stderr, calls: called };
}

describe(".ci/run: the change from the previous commit", function () {
  this.timeout(30_000);

  it("compares every stack when the previous commit fails its own policy (exit 1): a fix of a red main can pass", () => {
    const r = runStep({ PARENT_STATUS: "1" });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.calls, ["all", "against a", "against b"]);
  });

  it("stops when the previous commit's synth exits 2: its exports are not known", () => {
    const r = runStep({ PARENT_STATUS: "2" });
    assert.equal(r.status, 2, r.stderr);
    assert.deepEqual(r.calls, ["all"]);
    assert.match(r.stderr, /the previous commit's synth --all exited 2: no exports to compare with/);
  });

  it("a refused change of one stack hides none of the next, and fails the step at its end with the worst status", () => {
    const r = runStep({ AGAINST_a: "1", AGAINST_b: "2" });
    assert.equal(r.status, 2, r.stderr);
    assert.deepEqual(r.calls, ["all", "against a", "against b"]);
    assert.match(r.stderr, /the change from the previous commit failed for: a b \(exit 2;/);
  });
});
