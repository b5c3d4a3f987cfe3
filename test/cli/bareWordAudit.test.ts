/**
 * A bare word given to a tool that takes only flags, as `npm run synth --stack staging` (no `--`)
 * leaves it (npm keeps `--stack` as its own config and passes `staging` alone): the refusal shows
 * the flags after `--`, naming the word as a stack where the tool takes `--stack`.
 */
import { strict as assert } from "assert";
import * as path from "path";
import { BENCH, CliArgsError, parseArgs, parseArgsAll, POLICY_CHECK, SYNTH, VERIFY } from "../../cli/spec";
import { policyCheckCli, tmpDir } from "../support/helpers";

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

  // `npm run bench -- <flags>` pasted was read by the shell as redirections.
  it("a word that is no stack name, or a tool without --stack: where the flags are listed, no placeholder", () => {
    assert.equal(
      refusal(BENCH, ["5"]),
      'unexpected argument "5" (bench takes only flags, which `npm run bench -- --help` lists; through npm they go after `--`: before it npm takes them as its own and passes on only their values)',
    );
    assert.match(
      refusal(SYNTH, ["out/pi.json"]),
      /\(synth takes only flags, which `npm run synth -- --help` lists;/,
    );
  });

  // `npm run synth -- -- --stack example` was told to write `npm run synth -- --stack <name>`.
  it("a second `--`: the user's own arguments after one `--`, each a shell word, never a login", () => {
    const lead = (script: string) =>
      `unexpected argument "--" (${script} takes no "--": npm takes the first one and passes what follows it on, so write it once, `;
    assert.equal(
      refusal(SYNTH, ["--", "--stack", "example"]),
      `${lead("synth")}\`npm run synth -- --stack example\`)`,
    );
    assert.equal(refusal(SYNTH, ["--"]), `${lead("synth")}\`npm run synth\`)`);
    assert.equal(
      refusal(VERIFY, ["--stack", "s", "--", "--gate", "x y"]).split("\n")[0],
      `${lead("verify")}\`npm run verify -- --stack s --gate 'x y'\`)`,
    );
    for (const url of [["--url", "grafana=http://op:pw-1@g"], ["--url=grafana=op:pw-1@g"]]) {
      const said = parseArgsAll(VERIFY, ["--stack", "s", "--", ...url], {}).problems.join("\n");
      assert.ok(said.includes(`${lead("verify")}the same command with only its first \`--\`)`), said);
      assert.doesNotMatch(said, /pw-1/);
    }
  });

  it("a flag without its dashes (`stack s`): one message, the word after it as its value", () => {
    // npm strips no dashes: `stack` is the flag typed without them, `s` the stack meant, not
    // `--stack stack` and a second message for `s`.
    for (const spec of [SYNTH, VERIFY])
      assert.deepEqual(parseArgsAll(spec, ["stack", "s"], {}).problems, [
        `unexpected argument "stack": expected the flag --stack (flags start with \`--\`), like \`npm run ${spec.script} -- --stack s\``,
      ]);
    assert.match(refusal(SYNTH, ["stack=s"]), /`npm run synth -- --stack=s`$/);
    // No `<name>` in the command, which a shell reads as redirections.
    assert.equal(
      refusal(VERIFY, ["stack"]),
      'unexpected argument "stack": expected the flag --stack (flags start with `--`) and its value, <name>, like `npm run verify -- --stack` followed by its value',
    );
    assert.match(
      refusal(VERIFY, ["--stack", "s", "json"]),
      /^unexpected argument "json": .*`npm run verify -- --stack s --json`$/,
    );
    // A value that may be left out is given in the `=` form only.
    assert.equal(parseArgsAll(BENCH, ["check", "synth"], {}).problems.length, 1);
    assert.match(refusal(BENCH, ["check", "synth"]), /`npm run bench -- --check=synth`$/);
    // A login in the value is never shown, nor a command without it (`<redacted>` pasted is a redirection).
    assert.match(
      refusal(VERIFY, ["url", "grafana=http://op:pw-1@g"]),
      /: expected the flag --url \(flags start with `--`\), like the same command with --url in place of "url"$/,
    );
    assert.match(refusal(VERIFY, ["stack", "my stack"]), /`npm run verify -- --stack 'my stack'`$/);
  });

  // The hint dropped the rest of the command (`npm run policy:check -- --config pack.json`, which
  // judges no export), or gave one partial command per flag (`--out x`, then `--stack example`).
  it("flags without their dashes: one message, the whole command written right, every argument kept", () => {
    const isExport = (w: string) => w === "out/example.json";
    assert.deepEqual(
      parseArgsAll(POLICY_CHECK, ["out/example.json", "config", "pack.json"], {}, isExport).problems,
      [
        'unexpected argument "config": expected the flag --config (flags start with `--`), like `npm run policy:check -- out/example.json --config pack.json`',
      ],
    );
    assert.deepEqual(parseArgsAll(SYNTH, ["--no-render", "out", "x", "stack", "example"], {}).problems, [
      'unexpected arguments "out" and "stack": expected the flags --out and --stack (flags start with `--`), like `npm run synth -- --no-render --out x --stack example`',
    ]);
    assert.deepEqual(parseArgsAll(VERIFY, ["stack", "example", "--json"], {}).problems, [
      'unexpected argument "stack": expected the flag --stack (flags start with `--`), like `npm run verify -- --stack example --json`',
    ]);
    // One flag written dashless more than once: named once, with how many times ("the flags
    // --stack and --stack" read as two flags).
    assert.deepEqual(parseArgsAll(SYNTH, ["stack", "staging", "stack", "prod"], {}).problems, [
      'unexpected arguments "stack" (twice): expected the flag --stack twice (flags start with `--`), like `npm run synth -- --stack staging --stack prod`',
    ]);
    assert.deepEqual(
      parseArgsAll(SYNTH, ["stack", "a", "out", "x", "stack", "b", "stack", "c"], {}).problems,
      [
        'unexpected arguments "stack" (3 times) and "out": expected the flags --stack 3 times and --out (flags start with `--`), like `npm run synth -- --stack a --out x --stack b --stack c`',
      ],
    );
    // A value not given: the flag goes last, so that the value typed after the command is its own.
    assert.deepEqual(parseArgsAll(VERIFY, ["stack", "--json"], {}).problems, [
      'unexpected argument "stack": expected the flag --stack (flags start with `--`) and its value, <name>, like `npm run verify -- --json --stack` followed by its value',
    ]);
    // With a second `--` too, each message writes the same whole command.
    const both = parseArgsAll(SYNTH, ["--", "stack", "s", "--no-render"], {}).problems;
    assert.equal(both.length, 2);
    for (const p of both)
      assert.ok(
        p.endsWith("`npm run synth -- --stack s --no-render`)") ||
          p.endsWith("`npm run synth -- --stack s --no-render`"),
        p,
      );
  });

  it("policy:check: a flag's name without its dashes that names no file (`config pack.json`) is that flag, one message", async () => {
    const none = () => false;
    assert.deepEqual(parseArgsAll(POLICY_CHECK, ["config", "pack.json", "out"], {}, none).problems, [
      'unexpected argument "config": expected the flag --config (flags start with `--`), like `npm run policy:check -- --config pack.json out`',
    ]);
    // A word that names something to judge is a path, whatever its name: a folder called `config`.
    const args = parseArgsAll(POLICY_CHECK, ["config", "out"], {}, () => true);
    assert.deepEqual([args.problems, args.parsed.positional], [[], ["config", "out"]]);
    const dir = tmpDir("dashless");
    const r = await policyCheckCli(["dir", path.join(dir, "nowhere"), path.join(dir, "a.json")]);
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.ok(
      r.stderr.startsWith(
        `policy:check: unexpected argument "dir": expected the flag --dir (flags start with \`--\`), like \`npm run policy:check -- --dir ${path.join(dir, "nowhere")} ${path.join(dir, "a.json")}\`\n`,
      ),
      r.stderr,
    );
  });
});

/** The words of the first command a message shows (`npm run <script> -- ...`), as a shell splits them. */
function pasted(message: string, script: string): string[] {
  const m = new RegExp(`\`npm run ${script.replace(":", "\\:")}(?: -- ([^\`]*))?\``).exec(message);
  assert.ok(m, `no command in: ${message}`);
  return [...(m[1] ?? "").matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)].map((w) =>
    w[1] !== undefined ? w[1].replace(/'\\''/g, "'") : w[2],
  );
}

// `npm run verify -- --stack staging stack` was told `npm run verify -- --stack staging --stack`
// followed by its value: pasted, refused as --stack given twice.
describe("a hint's command, pasted, is read without a problem: the flags given already count", () => {
  const exports = (w: string) => w.endsWith(".json") && !w.startsWith("config");
  const cases: [typeof SYNTH, string[]][] = [
    [VERIFY, ["--stack", "staging", "stack"]],
    [VERIFY, ["stack", "--stack", "staging"]],
    [VERIFY, ["--stack", "a", "stack", "b", "--json"]],
    [VERIFY, ["--stack", "staging", "json", "--json"]],
    [VERIFY, ["--stack", "staging", "--", "stack"]],
    [VERIFY, ["--json", "staging"]],
    [SYNTH, ["--stack", "staging", "production"]],
    [SYNTH, ["--no-render", "staging", "out", "x"]],
    [SYNTH, ["--out", "o", "out", "p", "--stack", "s"]],
    [BENCH, ["--check", "check=synth"]],
    [BENCH, ["--runs", "3", "runs", "4"]],
    [POLICY_CHECK, ["out/x.json", "config", "a.json", "--config", "b.json"]],
  ];
  for (const [spec, argv] of cases)
    it(`${spec.script} ${argv.join(" ")}`, () => {
      const { problems } = parseArgsAll(spec, argv, {}, exports);
      assert.ok(problems.length > 0, "accepted");
      for (const p of problems.filter((t) => t.includes(`\`npm run ${spec.script}`))) {
        const again = parseArgsAll(spec, pasted(p, spec.script), {}, exports).problems;
        assert.deepEqual(again, [], `${p}\npasted: ${again.join("\n")}`);
      }
    });

  // npm kept `--stack x` (no first `--`) and the tool got `--stack staging` after the `--`.
  it("a flag npm kept, given after `--` too: the command writes it once", () => {
    const env = { npm_lifecycle_event: "verify", npm_config_stack: "true" };
    const [said] = parseArgsAll(VERIFY, ["x", "--stack", "staging"], env).problems;
    assert.match(said, /`npm run verify -- --stack staging`, which keeps the --stack given after `--`/);
    assert.deepEqual(parseArgsAll(VERIFY, pasted(said, "verify"), {}).problems, []);
    const config = { npm_lifecycle_event: "policy:check", npm_config_config: "q.json" };
    const [judged] = parseArgsAll(POLICY_CHECK, ["a.json", "--config", "p.json"], config).problems;
    assert.deepEqual(parseArgsAll(POLICY_CHECK, pasted(judged, "policy:check"), {}).problems, []);
  });

  // `npm run verify -- staging stack` was told `npm run verify -- --stack` followed by its value,
  // "staging" left out (synth: `--stack staging --stack` followed by its value): the word is the value.
  it("a flag without its dashes and without its value, beside a bare stack name: that name is its value", () => {
    for (const [spec, argv, line] of [
      [VERIFY, ["staging", "stack"], "--stack staging"],
      [SYNTH, ["staging", "stack"], "--stack staging"],
      [VERIFY, ["stack", "--json", "staging"], "--json --stack staging"],
    ] as const) {
      const { problems } = parseArgsAll(spec, [...argv], {});
      assert.ok(problems.length > 0, "accepted");
      for (const p of problems) {
        assert.ok(p.includes(`\`npm run ${spec.script} -- ${line}\``), p);
        assert.doesNotMatch(p, /followed by its value|left out|its value, <name>/);
      }
    }
  });

  it("says what the hint leaves out and why: a flag read once and given already", () => {
    assert.deepEqual(parseArgsAll(VERIFY, ["--stack", "staging", "stack"], {}).problems, [
      'unexpected argument "stack": --stack is given already and read once, like `npm run verify -- --stack staging` (the word "stack" left out)',
    ]);
    assert.deepEqual(parseArgsAll(VERIFY, ["--stack", "staging", "prod"], {}).problems, [
      'unexpected argument "prod" (verify takes only flags, and --stack once: `npm run verify -- --stack staging` (the word "prod" left out))',
    ]);
    // synth takes --stack again: the word is a stack, the rest of the command kept.
    assert.match(
      parseArgsAll(SYNTH, ["--stack", "staging", "production"], {}).problems[0],
      /`npm run synth -- --stack staging --stack production`/,
    );
  });
});
