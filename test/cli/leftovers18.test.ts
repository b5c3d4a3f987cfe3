import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parseSynthArgs } from "../../cli/synthRun";
import { synthCli, tmpDir } from "../support/helpers";

/*
 * Leftovers of issue 51 item 1 (round 18, hM): synth judges the inputs its flags name beside bad
 * arguments, so a bad flag combination and a missing input file are both said in one run; a flag a
 * problem is about (misspelt, given twice, without its value) is still one message.
 */

const closing = (stdout: string) => stdout.trimEnd().split("\n").pop();

describe("synth: bad arguments and the inputs the others name, in one run (hM)", function () {
  this.timeout(20000);

  it("a bad combination beside a missing --against file: both said, the closing line names both", async () => {
    const dir = tmpDir("hm-args");
    const absent = path.join(dir, "absent.json");
    const r = await synthCli("--all", "--against", absent, "--out", path.join(dir, "out"));
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^synth: --against checks one stack: give exactly one --stack, got --all\n/);
    assert.ok(r.stderr.includes(`synth: --against ${absent}: cannot read ${absent}: no such file`), r.stderr);
    assert.equal(
      closing(r.stdout),
      `synth: FAIL (exit 2): bad arguments (above); bad input: --against ${absent} (above)`,
    );
    assert.ok(!fs.existsSync(path.join(dir, "out")), "a refused run makes no --out folder");
  });

  it("a misspelt flag stays one message; --running's and --policy-config's inputs are judged beside it", async () => {
    const dir = tmpDir("hm-args");
    const [absent, nofolder] = [path.join(dir, "absent.json"), path.join(dir, "nofolder")];
    const r = await synthCli("--stak", "production", "--running", nofolder, "--policy-config", absent);
    assert.equal(r.status, 2);
    const said = r.stderr
      .split("\n")
      .filter((l) => /stak|stack/.test(l) && !l.startsWith("usage") && !l.startsWith(" "));
    assert.deepEqual(said, ["synth: unknown flag --stak; did you mean --stack?"], r.stderr);
    assert.ok(r.stderr.includes(`synth: --running ${nofolder}: no such folder`), r.stderr);
    assert.ok(r.stderr.includes(`synth: --policy-config ${absent}: cannot read`), r.stderr);
  });

  it("a flag given twice is that one message: its value is not judged again", async () => {
    const dir = tmpDir("hm-args");
    const r = await synthCli(
      "--stack",
      "production",
      "--against",
      path.join(dir, "a.json"),
      "--against",
      path.join(dir, "b.json"),
    );
    assert.equal(r.status, 2);
    assert.ok(!r.stderr.includes("cannot read"), r.stderr);
    assert.equal(closing(r.stdout), "synth: FAIL (exit 2): bad arguments (above)");
  });

  it("a stack named twice is one stack for --against, as it is judged once (docs/reference/cli.md)", () => {
    const args = parseSynthArgs(["--stack", "staging", "--stack", "staging", "--against", "x.json"], {});
    assert.deepEqual([...new Set(args.stacks)], ["staging"]);
    assert.throws(
      () => parseSynthArgs(["--stack", "staging", "--stack", "pi", "--against", "x.json"], {}),
      /--against checks one stack: give exactly one --stack, got 2 --stack/,
    );
  });
});
