/**
 * Every bad argument of a run is said in that run, one line each (a user fixing them one run at a
 * time would otherwise run once per mistake); and a file a flag names that is refused closes the
 * run naming that flag, as a refused --dir or --against does.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parseVerifyArgs, VerifyArgsError } from "../../cli/verifyRun";
import { policyCheckCli, synthCli, tmpDir, verifyCli } from "../support/helpers";

describe("every bad argument in one run", () => {
  it("verify: an unknown flag, a bad --gate, --url, --window, a missing --stack and a lone --move-to, each said", () => {
    const argv = ["--bogus", "--gate", "nope", "--url", "x=y", "--window", "0s", "--timeout", "0s"];
    assert.throws(
      () => parseVerifyArgs(argv, {}),
      (e: Error) => {
        assert.ok(e instanceof VerifyArgsError);
        assert.deepEqual(
          e.problems.map((p) => p.replace(/ .*/, "")),
          ["unknown", "--gate:", "--url:", "--window:", "--timeout:", "--stack"],
        );
        return true;
      },
    );
  });

  it("verify: beside --move-from or --move-to a flag the move does not read is refused for being given, its value unjudged", () => {
    const argv = [
      "--stack",
      "s",
      "--gate",
      "nope",
      "--url",
      "x=y",
      "--window",
      "0s",
      "--move-to",
      "http://a",
    ];
    assert.throws(
      () => parseVerifyArgs(argv, {}),
      (e: Error) => {
        assert.ok(e instanceof VerifyArgsError);
        assert.deepEqual(e.problems, [
          "--move-from and --move-to: expected both (the old and the new store's S3 URLs), got only --move-to",
          "--gate, --url, --window: expected none with --move-from and --move-to, got them: the move check compares the two stores and runs nothing else (each page of a listing waits 60s); run the checks without --move-from and --move-to",
        ]);
        return true;
      },
    );
  });

  it("verify: --move-from given twice or without a value still lacks --move-to, said in the same run", () => {
    for (const argv of [
      ["--stack", "s", "--move-from", "http://a", "--move-from", "http://b"],
      ["--stack", "s", "--move-from"],
    ])
      assert.throws(
        () => parseVerifyArgs(argv, {}),
        (e: Error) => {
          assert.ok(e instanceof VerifyArgsError);
          assert.equal(e.problems.length, 2, e.message);
          assert.equal(
            e.problems[1],
            "--move-from and --move-to: expected both (the old and the new store's S3 URLs), got only --move-from",
          );
          return true;
        },
      );
  });

  it("verify's output: each problem on its own line led by verify:, then the usage and one closing line", async () => {
    const r = await verifyCli("--gate", "nope", "--window", "soon");
    assert.equal(r.status, 2);
    const lines = r.stderr.split("\n");
    assert.match(lines[0], /^verify: --gate: expected a phase/);
    assert.match(lines[1], /^verify: --window: expected a duration/);
    assert.equal(lines[2], "verify: --stack is required");
    assert.match(lines[3], /^usage: npm run verify -- /);
    assert.equal(r.stdout.trimEnd().split("\n").pop(), "verify: FAIL (exit 2): bad arguments (above)");
  });

  it("synth and policy:check: every unknown flag and missing value of the command line", async () => {
    const r = await synthCli("--stak", "production", "--bogus", "--out");
    assert.equal(r.status, 2);
    assert.match(
      r.stderr,
      /^synth: unknown flag --stak; did you mean --stack\?\nsynth: unknown flag --bogus\nsynth: --out needs a value \(<dir>\), got nothing after it\nusage:/,
    );
    const p = await policyCheckCli(["out", "--conifg", "x.json", "--json"]);
    assert.match(
      p.stderr,
      /^policy:check: unknown flag --conifg; did you mean --config\?\npolicy:check: unknown flag --json\n/,
    );
  });
});

describe("policy:check: the word after a misspelt flag is that flag's value, not an export", () => {
  it("--confg pack.json and --dri <dir>: one message each, the value not judged as an export", async () => {
    const dir = tmpDir("misspelt-value");
    const pack = path.join(dir, "pack.json");
    fs.writeFileSync(pack, '{"arm64-images": "advisory"}\n');
    const exports = path.join(dir, "out");
    fs.mkdirSync(exports);
    fs.writeFileSync(path.join(exports, "staging.json"), '{"version": 3, "deployment": {"resources": []}}\n');
    for (const [flag, meant, value] of [
      ["--confg", "--config", pack],
      ["--dri", "--dir", dir],
    ]) {
      const r = await policyCheckCli([exports, flag, value]);
      assert.equal(r.status, 2, r.stdout + r.stderr);
      assert.equal(r.stderr.split("\n")[0], `policy:check: unknown flag ${flag}; did you mean ${meant}?`);
      assert.doesNotMatch(r.stderr, new RegExp(`^policy:check: ${value}`, "m"));
      assert.equal(
        r.stdout.trimEnd().split("\n").pop(),
        "policy:check: FAIL (exit 2): bad arguments (above)",
      );
    }
  });
});

describe("a refused file closes the run naming its flag", () => {
  it("synth --policy-config: missing, or no JSON", async () => {
    const dir = tmpDir("every-bad-argument");
    const bad = path.join(dir, "bad.json");
    fs.writeFileSync(bad, '{"x":');
    for (const file of [path.join(dir, "absent.json"), bad]) {
      const r = await synthCli(
        "--stack",
        "production",
        "--no-render",
        "--quiet",
        "--out",
        dir,
        "--policy-config",
        file,
      );
      assert.equal(r.status, 2);
      assert.equal(
        r.stdout.trimEnd().split("\n").pop(),
        `synth: FAIL (exit 2): bad input: --policy-config ${file} (above)`,
      );
    }
  });
});
