/**
 * docs/reference/cli.md's claims on synth's and policy:check's flags, tried as a user makes the
 * mistakes: a flag without its value says what stood there instead, an empty value is no value
 * (never the flag left out), the flags that cannot go together and every refused input of a run are
 * said in that one run, each message led by its flag, and the closing line names every reason.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { BENCH, parseArgsAll, POLICY_CHECK, SYNTH, VERIFY } from "../../cli/spec";
import { policyCheckCli, synthCli, tmpDir } from "../support/helpers";

const lastLine = (text: string) => text.trimEnd().split("\n").pop();

describe("a flag without its value: the flag, its form and what stood there", () => {
  for (const [spec, argv, problem] of [
    [SYNTH, ["--stack"], "--stack needs a value (<name>), got nothing after it"],
    [
      SYNTH,
      ["--stack", "p", "--out", "--quiet"],
      "--out needs a value (<dir>), got the flag --quiet after it",
    ],
    [SYNTH, ["--stack="], '--stack needs a value (<name>), got nothing after "="'],
    [SYNTH, ["--stack", "p", "--out", ""], "--out needs a value (<dir>), got an empty word"],
    [
      POLICY_CHECK,
      ["out", "--config="],
      '--config needs a value (<policy-config.json>), got nothing after "="',
    ],
    [POLICY_CHECK, ["out", "--dir="], '--dir needs a value (<project dir>), got nothing after "="'],
    [VERIFY, ["--stack="], '--stack needs a value (<name>), got nothing after "="'],
    [BENCH, ["--root="], '--root needs a value (<project dir>), got nothing after "="'],
    [BENCH, ["--check="], '--check needs a value (<names>), got nothing after "="; or give --check alone'],
  ] as const)
    it(`${spec.script} ${argv.map((a) => a || '""').join(" ")}: one message`, () => {
      assert.deepEqual(parseArgsAll(spec, [...argv], {}).problems, [problem]);
    });

  it("policy:check --config= is refused, not run without a pack config (it passed before)", async () => {
    // "." holds .json files: named beside bad arguments, it is judged too (refusalForms18.test.ts).
    const r = await policyCheckCli([".", "--config="]);
    assert.equal(r.status, 2);
    assert.match(
      r.stderr,
      /^policy:check: --config needs a value \(<policy-config.json>\), got nothing after "="\n/,
    );
    assert.equal(lastLine(r.stdout), "policy:check: FAIL (exit 2): bad arguments (above)");
  });
});

describe("synth: every bad argument and every refused input in one run", () => {
  it("the flags that cannot go together, each said beside a missing value", async () => {
    const r = await synthCli("--stack=", "--all", "--workloads", "--no-render", "--against", "x.json");
    assert.equal(r.status, 2);
    assert.deepEqual(
      r.stderr.split("\n").filter((l) => l.startsWith("synth: ")),
      [
        'synth: --stack needs a value (<name>), got nothing after "="',
        "synth: --workloads needs the render: drop --no-render",
        "synth: --against checks one stack: give exactly one --stack, got --all",
        "synth: --against renders: drop --no-render",
        // An input's refusal is led by synth: as an argument's is (refusalForms18.test.ts).
        "synth: --against x.json: cannot read x.json: no such file; check the path",
      ],
    );
    // x.json, which does not exist, is judged in the same run (issue 51 item 1: every problem in one run).
    assert.equal(
      lastLine(r.stdout),
      "synth: FAIL (exit 2): bad arguments (above); bad input: --against x.json (above)",
    );
  });

  it("a missing --stack beside another flag's missing value: both said (the other flag is no stack)", async () => {
    const r = await synthCli("--out=");
    assert.equal(r.status, 2);
    assert.deepEqual(
      r.stderr.split("\n").filter((l) => l.startsWith("synth: ")),
      ['synth: --out needs a value (<dir>), got nothing after "="', "synth: give --stack <name> or --all"],
    );
  });

  it("--against without any --stack: one message, naming the one stack it takes", async () => {
    const r = await synthCli("--against", "x.json");
    assert.equal(r.status, 2);
    assert.deepEqual(
      r.stderr.split("\n").filter((l) => l.startsWith("synth: ")),
      [
        "synth: --against checks one stack: give exactly one --stack, got none",
        "synth: --against x.json: cannot read x.json: no such file; check the path",
      ],
    );
  });

  it("a misspelt --stack is one mistake, not also a missing stack for --against", async () => {
    const r = await synthCli("--stak", "production", "--against", "x.json");
    assert.deepEqual(
      r.stderr.split("\n").filter((l) => l.startsWith("synth: ")),
      [
        "synth: unknown flag --stak; did you mean --stack?",
        "synth: --against x.json: cannot read x.json: no such file; check the path",
      ],
    );
  });

  it("a --dir, --policy-config, --against, --running and --out refused together: each said, led by its flag; no --out made", async () => {
    const dir = tmpDir("reference-audit18");
    const file = path.join(dir, "a-file");
    fs.writeFileSync(file, "x");
    const missing = path.join(dir, "missing.json");
    const out = path.join(dir, "new-out");
    const r = await synthCli(
      "--stack",
      "production",
      "--policy-config",
      missing,
      "--against",
      missing,
      "--running",
      file,
      "--out",
      path.join(file, "out"),
    );
    assert.equal(r.status, 2);
    const lines = r.stderr.trimEnd().split("\n");
    assert.deepEqual(
      lines.map((l) => l.split(":").slice(0, 2).join(":")),
      [
        `synth: --policy-config ${missing}`,
        `synth: --against ${missing}`,
        `synth: --running ${file}`,
        `synth: --out ${path.join(file, "out")}`,
      ],
    );
    assert.match(lines[0], /: cannot read .*missing\.json: no such file; check the path$/);
    assert.equal(
      lastLine(r.stdout),
      `synth: FAIL (exit 2): bad input: --policy-config ${missing}, --against ${missing}, --running ${file}, --out ${path.join(file, "out")} (above)`,
    );
    const r2 = await synthCli("--stack", "nope", "--stack", "prod", "--dir", dir, "--out", out);
    assert.equal(r2.status, 2);
    assert.match(r2.stderr, /^synth: --dir .*: expected the project folder/);
    assert.ok(!fs.existsSync(out), "a refused run makes no --out folder");
    const r3 = await synthCli("--stack", "nope", "--stack", "prod", "--policy-config", missing, "--out", out);
    assert.match(r3.stderr, /^synth: --stack nope: no stack file/m);
    assert.match(r3.stderr, /^synth: --stack prod: no stack file .*; did you mean "production"\?/m);
    assert.equal(
      lastLine(r3.stdout),
      `synth: FAIL (exit 2): no stack file Pulumi.nope.yaml (above); no stack file Pulumi.prod.yaml (above); bad input: --policy-config ${missing} (above)`,
    );
    assert.ok(!fs.existsSync(out), "a refused run makes no --out folder");
  });
});

describe("policy:check: bad arguments, --dir and --config said in one run", () => {
  it("a --dir that is no project folder and a --config that is missing: both, and both in the last line", async () => {
    const dir = tmpDir("reference-audit18");
    const missing = path.join(dir, "missing.json");
    const r = await policyCheckCli([".", "--dir", dir, "--config", missing]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^policy:check: --dir .*: expected the project folder/);
    assert.match(
      r.stderr,
      new RegExp(
        `\\npolicy:check: --config ${missing}: cannot read ${missing}: no such file; check the path\\n`,
      ),
    );
    assert.equal(
      lastLine(r.stdout),
      `policy:check: FAIL (exit 2): bad arguments (above); a bad pack config: --config ${missing} (above)`,
    );
  });

  it("--help beside a bad argument: the argument refused, without a second message for the exports", async () => {
    const r = await policyCheckCli(["--help", "--bogus"]);
    assert.equal(r.status, 2);
    assert.deepEqual(
      r.stderr.split("\n").filter((l) => l.startsWith("policy:check: ")),
      ["policy:check: unknown flag --bogus"],
    );
  });
});

describe("docs/reference/alerts.md: every kind of object store", () => {
  it("the generated table names the alerts of each store kind the stack may run on (garage was left out)", async () => {
    const { STORE_KINDS } = await import("../../builders/alerting/rules");
    const doc = fs.readFileSync(path.join(__dirname, "../../docs/reference/alerts.md"), "utf8");
    for (const kind of STORE_KINDS) assert.ok(doc.includes(`\`homelab-object-store\` (${kind})`), kind);
  });
});
