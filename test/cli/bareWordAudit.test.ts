/**
 * A bare word given to a tool that takes only flags, as `npm run synth --stack staging` (no `--`)
 * leaves it (npm keeps `--stack` as its own config and passes `staging` alone): the refusal shows
 * the flags after `--`, naming the word as a stack where the tool takes `--stack`.
 */
import { strict as assert } from "assert";
import { BENCH, CliArgsError, parseArgs, parseArgsAll, SYNTH, VERIFY } from "../../cli/spec";

function refusal(spec: typeof SYNTH, argv: string[]): string {
  try {
    parseArgs(spec, argv);
  } catch (e) {
    assert.ok(e instanceof CliArgsError, String(e));
    return e.message;
  }
  assert.fail("accepted");
}

describe("a bare word given to a tool that takes only flags", () => {
  it("synth and verify: the word as --stack, after npm's --", () => {
    for (const spec of [SYNTH, VERIFY])
      assert.equal(
        refusal(spec, ["staging"]),
        `unexpected argument "staging" (${spec.script} takes only flags; through npm they go after \`--\`, \`npm run ${spec.script} -- --stack staging\`: before it npm takes them as its own and passes on only their values)`,
      );
  });

  it("a word that is no stack name, or a tool without --stack: the flags after --", () => {
    assert.match(refusal(SYNTH, ["out/pi.json"]), /`npm run synth -- <flags>`/);
    assert.match(refusal(BENCH, ["5"]), /`npm run bench -- <flags>`/);
  });

  it("a flag without its dashes (`stack s`): one message, the word after it as its value", () => {
    // npm strips no dashes: `stack` is the flag typed without them, `s` the stack meant, not
    // `--stack stack` and a second message for `s`.
    for (const spec of [SYNTH, VERIFY])
      assert.deepEqual(parseArgsAll(spec, ["stack", "s"], {}).problems, [
        `unexpected argument "stack": expected the flag --stack (flags start with \`--\`), like \`npm run ${spec.script} -- --stack s\``,
      ]);
    assert.match(refusal(SYNTH, ["stack=s"]), /`npm run synth -- --stack=s`$/);
    assert.match(refusal(VERIFY, ["stack"]), /`npm run verify -- --stack <name>`$/);
    assert.match(
      refusal(VERIFY, ["--stack", "s", "json"]),
      /^unexpected argument "json": .*`npm run verify -- --json`$/,
    );
    // A value that may be left out is given in the `=` form only.
    assert.equal(parseArgsAll(BENCH, ["check", "synth"], {}).problems.length, 1);
    assert.match(refusal(BENCH, ["check", "synth"]), /`npm run bench -- --check=synth`$/);
    // A login in the value is never shown.
    assert.match(
      refusal(VERIFY, ["url", "grafana=http://op:pw-1@g"]),
      /--url grafana=http:\/\/<redacted>@g`$/,
    );
  });
});
