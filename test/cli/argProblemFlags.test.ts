/**
 * Issue 51 (round 19): which flag a refused argument is about is told by the parser that refused it
 * (cli/spec.ts parseArgsAll's `argProblems`), never read back from the message: a value, or the
 * command a hint shows, may name a flag the problem is not about, and a message may be about a flag
 * it does not lead with. Each reader (synth's mayHideStack and unread, verify's namesStackFlag) is
 * asked here with such a message.
 */
import { strict as assert } from "assert";
import { parseSynthArgs, SynthArgsError } from "../../cli/synthRun";
import { parseArgsAll, SYNTH, VERIFY } from "../../cli/spec";
import { parseVerifyArgs, VerifyArgsError } from "../../cli/verifyRun";
import { synthCli, verifyCli } from "../support/helpers";

/** parseSynthArgs's refusal of `argv` (it must refuse it). */
function synthRefusal(argv: string[], env: NodeJS.ProcessEnv = {}): SynthArgsError {
  try {
    parseSynthArgs(argv, env);
  } catch (e) {
    assert.ok(e instanceof SynthArgsError, String(e));
    return e;
  }
  assert.fail(`synth ${argv.join(" ")} was not refused`);
}

/** parseVerifyArgs's refusal of `argv` (it must refuse it). */
function verifyRefusal(argv: string[], env: NodeJS.ProcessEnv = {}): VerifyArgsError {
  try {
    parseVerifyArgs(argv, env);
  } catch (e) {
    assert.ok(e instanceof VerifyArgsError, String(e));
    return e;
  }
  assert.fail(`verify ${argv.join(" ")} was not refused`);
}

/** npm's environment for `npm run <script> --json -- ...`: npm kept --json (no .npmrc sets it). */
const keptJson = (script: string): NodeJS.ProcessEnv => ({
  npm_lifecycle_event: script,
  npm_config_json: "true",
  npm_config_userconfig: "/nonexistent/.npmrc",
});

describe("parseArgsAll: each problem beside the flags it is about, its text as printed", () => {
  const about = (spec: typeof SYNTH, argv: string[], env: NodeJS.ProcessEnv = {}) => {
    const { problems, argProblems } = parseArgsAll(spec, argv, env);
    assert.deepEqual(
      argProblems.map((p) => p.text),
      problems,
      "argProblems are the printed problems, in order",
    );
    return argProblems.map((p) => ({ flags: [...p.flags], valueRefused: p.valueRefused ?? false }));
  };

  it("a misspelt flag is about the flag it was meant to be; one with none close, about the one written", () => {
    assert.deepEqual(about(SYNTH, ["--stak", "s"]), [{ flags: ["--stack"], valueRefused: false }]);
    assert.deepEqual(about(SYNTH, ["--outt", "o"]), [{ flags: ["--out"], valueRefused: false }]);
    assert.deepEqual(about(SYNTH, ["--frobnicate"]), [{ flags: ["--frobnicate"], valueRefused: false }]);
  });

  it("a flag without its dashes, and a bare stack name, are about the flag they were meant for", () => {
    assert.deepEqual(about(SYNTH, ["out", "o"]), [{ flags: ["--out"], valueRefused: false }]);
    assert.deepEqual(about(VERIFY, ["production"]), [{ flags: ["--stack"], valueRefused: false }]);
    // A word that can be no stack name is meant for no flag the message can name.
    assert.deepEqual(about(VERIFY, ["a/b"]), [{ flags: [], valueRefused: false }]);
  });

  it("a flag given spelt right whose value is refused: that flag, and what was read of it is the problem's", () => {
    for (const argv of [["--out"], ["--out="], ["--out", "a", "--out", "b"]])
      assert.deepEqual(about(SYNTH, argv), [{ flags: ["--out"], valueRefused: true }], argv.join(" "));
    assert.deepEqual(about(SYNTH, ["--all=yes"]), [{ flags: ["--all"], valueRefused: true }]);
    // The flag after it is what stood there, not what the problem is about.
    assert.deepEqual(about(VERIFY, ["--gate", "--stack", "s"]), [{ flags: ["--gate"], valueRefused: true }]);
  });

  it("flags npm kept: each of them, not the flags the command it shows holds", () => {
    assert.deepEqual(about(VERIFY, ["--stack", "s"], keptJson("verify")), [
      { flags: ["--json"], valueRefused: false },
    ]);
  });
});

describe("verify: a problem whose text names --stack but is not about it leaves the stack named", () => {
  it("--gate --stack production: the line is led by the stack, as every line of a run on it", async () => {
    const e = verifyRefusal(["--gate", "--stack", "production"]);
    assert.deepEqual(e.problems, ["--gate needs a value (<next-phase>), got the flag --stack after it"]);
    assert.equal(e.stack, "production");
    const r = await verifyCli("--gate", "--stack", "production");
    assert.equal(r.status, 2);
    assert.match(
      r.stderr,
      /^verify --stack production: --gate needs a value \(<next-phase>\), got the flag --stack after it\n/,
    );
  });

  it("a --url whose value holds --stack: about --url, the stack still named", () => {
    const e = verifyRefusal(["--stack", "production", "--url", "http://x/--stack"]);
    assert.equal(e.problems.length, 1, e.problems.join("\n"));
    assert.match(e.problems[0], /^--url: expected <component>=<url> .*got "http:\/\/x\/--stack"/);
    assert.equal(e.stack, "production");
  });

  it("npm kept --json: its hint shows `--stack production`, yet it is about --json", () => {
    const e = verifyRefusal(["--stack", "production"], keptJson("verify"));
    assert.equal(e.problems.length, 1, e.problems.join("\n"));
    assert.match(e.problems[0], /^npm kept --json .*`npm run verify -- --json --stack production`/);
    assert.equal(e.stack, "production");
  });
});

describe("synth: whether a refused argument may be the stacks asked for, from the flags it is about", () => {
  it("--all=yes: the stacks are asked for (all), so no second message that none are", () => {
    assert.deepEqual(synthRefusal(["--all=yes"]).problems, ['--all takes no value, got "yes"']);
  });

  it("--outt o without a stack: the misspelt --out is one mistake, the missing stack another", () => {
    assert.deepEqual(synthRefusal(["--outt", "o"]).problems, [
      "unknown flag --outt; did you mean --out?",
      "give --stack <name> or --all",
    ]);
  });

  it("a misspelt --stack and a bare stack name still hide the missing stack (said once)", () => {
    assert.deepEqual(synthRefusal(["--stak", "s"]).problems, ["unknown flag --stak; did you mean --stack?"]);
    assert.equal(synthRefusal(["production"]).problems.length, 1);
  });
});

describe("synth: the flags whose input a bad argument already is (unread)", () => {
  it("a flag given spelt right with its value refused is unread; one a misspelling or bare word was meant for is read", () => {
    const e = synthRefusal(["--stack", "s", "--dir", "a", "--dir", "b", "--outt", "o", "against", "x.json"]);
    assert.deepEqual([...e.unread], ["--dir"]);
  });

  it("a bad --dir given twice is not judged again beside its one message", async () => {
    const r = await synthCli("--stack", "s", "--dir", "/nonexistent/a", "--dir", "/nonexistent/b");
    assert.equal(r.status, 2);
    assert.match(
      r.stderr,
      /^synth: --dir is given twice: "\/nonexistent\/a" and "\/nonexistent\/b"; keep one\n/,
    );
    assert.ok(!r.stderr.includes("expected the project folder"), r.stderr);
  });
});
