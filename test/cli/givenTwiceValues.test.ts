/**
 * A flag given more than once (every tool's parser, cli/spec.ts) is one message that names what
 * each one gave, in order, so the user sees which to keep; a URL that may hold a login (verify's
 * --move-from and --move-to) is shown without it, as verify shows a refused URL.
 */
import { strict as assert } from "assert";
import { BENCH, parseArgsAll, POLICY_CHECK, SYNTH, VERIFY } from "../../cli/spec";
import { benchArgs } from "../../cli/benchArgs";
import { verifyArgProblems } from "../support/verifyArgs";
import { ROOT, verifyCli } from "../support/helpers";

const problems = (spec: typeof SYNTH, argv: string[]) => parseArgsAll(spec, argv, {}).problems;

describe("a flag given twice names both values", () => {
  it("names each value, in the order given", () => {
    assert.deepEqual(problems(SYNTH, ["--out", "out-a", "--stack", "pi", "--out=out-b"]), [
      '--out is given twice: "out-a" and "out-b"; keep one',
    ]);
    assert.deepEqual(problems(POLICY_CHECK, ["x.json", "--config", "a.json", "--config", "b.json"]), [
      '--config is given twice: "a.json" and "b.json"; keep one',
    ]);
  });

  it("given three times: one message naming all three", () => {
    assert.deepEqual(problems(SYNTH, ["--dir", "a", "--dir", "b", "--dir", "c"]), [
      '--dir is given 3 times: "a", "b" and "c"; keep one',
    ]);
  });

  it("a flag whose value may be left out: each as written", () => {
    assert.deepEqual(problems(BENCH, ["--check", "--check=synth"]), [
      "--check is given twice: --check and --check=synth; keep one",
    ]);
  });

  it("a URL that may hold a login is shown without it, with or without a scheme", () => {
    const argv = ["--stack", "s", "--move-to", "http://n:3900"];
    const [text] = problems(VERIFY, [
      ...argv,
      "--move-from",
      "https://key:s3c/ret@pw@old.lab:3900",
      "--move-from",
      "key:s3cretPW@garage.lab:3900",
    ]);
    assert.equal(
      text,
      '--move-from is given twice: "https://<redacted>@old.lab:3900" and "<redacted>@garage.lab:3900"; keep one',
    );
  });

  it("verify never prints the password of a --move-from given twice", async () => {
    const r = await verifyCli(
      "--stack",
      "production",
      "--move-from",
      "http://ak:s3cretPW@old.lab:3900",
      "--move-from",
      "http://new.lab:3900",
      "--move-to",
      "http://new.lab:3900",
    );
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(
      r.stderr,
      /--move-from is given twice: "http:\/\/<redacted>@old\.lab:3900" and "http:\/\/new\.lab:3900"/,
    );
    assert.doesNotMatch(r.stdout + r.stderr, /s3cretPW|ak:/);
  });

  it("is that one message in every command: neither value is judged as well", () => {
    const verify = verifyArgProblems;
    assert.deepEqual(verify(["--stack", "staging", "--timeout", "5x", "--timeout", "7y"]), [
      '--timeout is given twice: "5x" and "7y"; keep one',
    ]);
    assert.deepEqual(
      verify([
        "--stack",
        "staging",
        "--move-from",
        "http://ak:s3cret@old:3900",
        "--move-from",
        "http://old2:3900",
        "--move-to",
        "http://new:3900",
      ]),
      ['--move-from is given twice: "http://<redacted>@old:3900" and "http://old2:3900"; keep one'],
    );
    assert.deepEqual(benchArgs(["--check=synht", "--check"], ROOT, {}, undefined).problems, [
      "--check is given twice: --check=synht and --check; keep one",
    ]);
    assert.deepEqual(benchArgs(["--runs", "x", "--runs", "0"], ROOT, {}, "also-bad").problems, [
      '--runs is given twice: "x" and "0"; keep one',
    ]);
  });
});
