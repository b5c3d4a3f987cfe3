/**
 * `npm run bench`'s command line judged before the benchmark starts (it synthesizes every stack
 * first, minutes before a bad --root failed): every problem of a run, each naming the flag or the
 * variable it came from and what was found, and a closing line with the exit status.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { benchArgs, benchOptions } from "../../cli/benchArgs";
import { BENCH, parseArgsAll } from "../../cli/spec";
import { inProcess, ROOT, tmpDir } from "../support/helpers";

const TARGETS = "(expected one of synth, policy, render, pack, suite, suite-cold)";
const judged = (argv: string[], env: { BENCH_RUNS?: string } = {}) =>
  benchArgs(argv, ROOT, {}, env.BENCH_RUNS);

describe("bench: every bad argument in one run, before the benchmark starts", function () {
  this.timeout(60_000);

  it("names every problem of the run: --runs, each unknown --check target, --root", () => {
    const { problems } = judged(["--runs", "x", "--check=synth,foo,bar", "--root", "/nope"]);
    assert.deepEqual(problems, [
      '--runs: expected a whole number of at least 1 (samples per target), like 5, got "x"',
      `--check=: unknown target "foo" ${TARGETS}`,
      `--check=: unknown target "bar" ${TARGETS}`,
      "--root /nope: expected a checkout of this project (a folder with package.json, whose npm run synth and policy:check are timed), got no such folder",
    ]);
  });

  it('BENCH_RUNS is named as BENCH_RUNS, with its value (not --runs, "undefined")', () => {
    assert.deepEqual(judged([], { BENCH_RUNS: "abc" }).problems, [
      'BENCH_RUNS: expected a whole number of at least 1 (samples per target), like 5, got "abc"',
    ]);
    assert.equal(judged([], { BENCH_RUNS: "3" }).args.runs, 3);
    // The flag wins over the variable, which is then not judged.
    assert.deepEqual(judged(["--runs", "2"], { BENCH_RUNS: "abc" }).problems, []);
    assert.equal(judged(["--runs", "2"], { BENCH_RUNS: "abc" }).args.runs, 2);
    assert.equal(judged([]).args.runs, 5);
    for (const bad of ["0", "-1", "1.5", "0x10", "5abc"])
      assert.equal(judged(["--runs", bad]).problems.length, 1, bad);
  });

  it("--root: a file, or a folder that is no checkout, each said as such", () => {
    const file = path.join(tmpDir("bench-root"), "f");
    fs.writeFileSync(file, "");
    assert.match(judged(["--root", file]).problems[0], /got a file, not a folder$/);
    assert.match(judged(["--root", tmpDir("bench-root")]).problems[0], /got a folder without package\.json$/);
    assert.deepEqual(judged(["--root", ROOT]).problems, []);
  });

  it("--check alone and --check=<names> together are the flag given twice, not one dropped", () => {
    for (const argv of [
      ["--check", "--check=zz"],
      ["--check=synth", "--check"],
      ["--check=synth", "--check=pack"],
    ])
      assert.deepEqual(
        parseArgsAll(BENCH, argv, {}).problems,
        [`--check is given twice: ${argv.join(" and ")}; keep one`],
        argv.join(" "),
      );
    assert.deepEqual(parseArgsAll(BENCH, ["--check"], {}).problems, []);
  });

  it("the command: the problems, the usage, then `bench: FAIL (exit 2): bad arguments (above)`", async () => {
    // In this process, as cli/bench.ts runs it (its process wiring: test/cli/cliSmoke.test.ts).
    const r = await inProcess(
      (argv, io) => {
        const o = benchOptions(argv, io, ROOT);
        return Promise.resolve("exit" in o ? o.exit : 0);
      },
      ["--check", "--check=zz", "--runs", "0"],
      { BENCH_RUNS: "" },
    );
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(
      r.stderr,
      /^bench: --check is given twice: --check and --check=zz; keep one\nbench: --runs: expected a whole number of at least 1/,
    );
    assert.match(r.stderr, /\(npm run bench -- --help describes every flag\)\n$/);
    assert.equal(r.stdout, "bench: FAIL (exit 2): bad arguments (above)\n");
  });

  // A bad BENCH_RUNS alone closed with "bad arguments (above)" after the usage, though every
  // argument was right: the variable is an input, named as synth names HOMELAB_HELM_JOBS.
  it("a bad BENCH_RUNS is bad input naming it, without the usage; beside a bad argument, both are named", async () => {
    const run = (argv: string[]) =>
      inProcess(
        (a, io) => {
          const o = benchOptions(a, io, ROOT);
          return Promise.resolve("exit" in o ? o.exit : 0);
        },
        argv,
        { BENCH_RUNS: "0" },
      );
    const alone = await run([]);
    assert.equal(alone.status, 2);
    assert.equal(
      alone.stderr,
      'bench: BENCH_RUNS: expected a whole number of at least 1 (samples per target), like 5, got "0"\n',
    );
    assert.equal(alone.stdout, "bench: FAIL (exit 2): bad input: BENCH_RUNS (above)\n");
    const both = await run(["--check=zz"]);
    assert.equal(both.status, 2);
    assert.match(both.stderr, /\(npm run bench -- --help describes every flag\)\n$/);
    assert.equal(both.stdout, "bench: FAIL (exit 2): bad arguments (above); bad input: BENCH_RUNS (above)\n");
  });
  // --help read a bad BENCH_RUNS as it reads a bad argument: `BENCH_RUNS=0 npm run bench -- --help`
  // refused the help (exit 2), where synth --help with a bad HOMELAB_HELM_JOBS prints it.
  it("--help is printed beside a bad BENCH_RUNS, which it does not read", async () => {
    const r = await inProcess(
      (a, io) => {
        const o = benchOptions(a, io, ROOT);
        return Promise.resolve("exit" in o ? o.exit : 0);
      },
      ["--help"],
      { BENCH_RUNS: "0" },
    );
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.equal(r.stderr, "");
    assert.match(r.stdout, /^usage: npm run bench -- /m);
  });
});
