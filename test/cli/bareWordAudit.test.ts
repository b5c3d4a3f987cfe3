/**
 * A bare word given to a tool that takes only flags, as `npm run synth --stack staging` (no `--`)
 * leaves it (npm keeps `--stack` as its own config and passes `staging` alone): the refusal shows
 * the flags after `--`, naming the word as a stack where the tool takes `--stack`.
 */
import { strict as assert } from "assert";
import { BENCH, CliArgsError, parseArgs, SYNTH, VERIFY } from "../../cli/spec";

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
});
