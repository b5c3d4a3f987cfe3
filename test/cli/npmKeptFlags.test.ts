/**
 * A tool's own flag written before npm's `--` (`npm run synth --stack staging`): npm keeps it as
 * its own config and hands it to the script only as `npm_config_<name>`. Under `npm run <tool>` the
 * tool refuses the run with the command written right, instead of judging what is left; npm's own
 * config names, and the same variables outside `npm run <tool>`, are not read as kept flags.
 */
import { strict as assert } from "assert";
import { parseArgs, POLICY_CHECK, SYNTH, VERIFY, type CliSpec } from "../../cli/spec";
import { argsRefusal } from "../support/argsRefusal";
import { runPolicyCheck } from "../../cli/policyCheckRun";
import { parseSynthArgs } from "../../cli/synthRun";
import { execFileSync } from "child_process";
import { propertyPath, removeKeyCommand, removePathCommand, setConfigCommand } from "../../config/tree";
import { PROJECT } from "../../model/names";

/**
 * The words a shell hands the command a hint shows, `command` pasted into `sh -c` with
 * `printf '%s\0'` in place of its program (`lead`, as the hint writes it): each argument as it arrives.
 */
const pastedWords = (command: string, lead: string): string[] => {
  assert.ok(command.startsWith(lead), command);
  const out = execFileSync("sh", ["-c", `printf '%s\\0' ${command.slice(lead.length)}`], {
    encoding: "utf8",
  });
  return out.split("\0").slice(0, -1);
};

/** Words a shell splits, expands or ends a command at, unquoted. */
const AWKWARD = ["my out", "$HOME", "it's", 'a"b', "out/*", "a;touch x", "`id`", "a\\b", ""];

/** The message the tool refuses `argv` with (test/support/argsRefusal.ts). */
const refusal = argsRefusal;

const underNpm = (spec: CliSpec, vars: Record<string, string>): NodeJS.ProcessEnv => ({
  npm_lifecycle_event: spec.script,
  ...vars,
});

describe("a tool's flag npm kept for itself (npm_config_<name>)", () => {
  it("npm run synth --stack staging: one refusal with the command written right, not the bare word's", () => {
    const m = refusal(SYNTH, ["staging"], underNpm(SYNTH, { npm_config_stack: "true" }));
    assert.equal(
      m,
      'npm kept --stack for itself (npm_config_stack="true" in the environment) and synth never saw it: through npm the flags go after `--`, `npm run synth -- --stack staging` (or, if your .npmrc sets that name, remove it there)',
    );
  });

  it("npm run policy:check out --config x.json: refused before anything is judged, naming both bare words", async () => {
    let out = "";
    let err = "";
    const status = await runPolicyCheck(["out", "x.json"], {
      stdout: { write: (t: string) => (out += t) },
      stderr: { write: (t: string) => (err += t) },
      env: underNpm(POLICY_CHECK, { npm_config_config: "true" }),
    });
    assert.equal(status, 2);
    assert.match(
      err,
      /^policy:check: npm kept --config for itself \(npm_config_config="true" in the environment\) and policy:check never saw it: through npm the flags go after `--`: run `npm run policy:check --` followed by --config with its value, then the rest of the command; npm passed its value on as bare words among out, x\.json/,
    );
    // No command to paste holding a placeholder: `<x>` is two redirections to a shell, the second
    // writing over the file named next (here an export to judge).
    assert.doesNotMatch(err.split("\n")[0], /<policy-config\.json>/);
    assert.equal(out.trimEnd(), "policy:check: FAIL (exit 2): bad arguments (above)");
  });

  it("--flag=value and a repeated flag: the values npm kept are written back, a URL's credentials never shown", () => {
    assert.match(
      refusal(POLICY_CHECK, ["out"], underNpm(POLICY_CHECK, { npm_config_config: "x.json" })),
      /`npm run policy:check -- --config x\.json out`/,
    );
    const m = refusal(
      VERIFY,
      ["--stack", "s"],
      underNpm(VERIFY, {
        npm_config_url: "grafana=http://a\n\nloki=http://u:hunter2@b",
        npm_config_move_from: "http://k:s3cret@c",
      }),
    );
    // A login is never shown: the command is said in words, as a pasted `<redacted>` would run
    // with a URL that is not the user's (and, unquoted, is two redirections to a shell).
    assert.match(
      m,
      /through npm the flags go after `--`: run the same command with --url and --move-from and what they were given after its `--` \(/,
    );
    assert.ok(!/hunter2|s3cret/.test(m), m);
  });

  it('a negated switch (--no-render gives npm_config_render="") and a dashed name (--policy-config)', () => {
    assert.match(
      refusal(SYNTH, ["--all"], underNpm(SYNTH, { npm_config_render: "" })),
      /npm kept --no-render .*`npm run synth -- --no-render --all`/,
    );
    assert.match(
      refusal(SYNTH, ["--all", "p.json"], underNpm(SYNTH, { npm_config_policy_config: "true" })),
      /`npm run synth -- --policy-config p\.json --all`/,
    );
  });

  it("not read outside `npm run <tool>`, for npm's own config names (all, json), nor for a value of render that is no --no-render", () => {
    const argv = ["--stack", "s"];
    assert.deepEqual(
      parseArgs(SYNTH, argv, { npm_lifecycle_event: "test", npm_config_stack: "true" }).values.get("--stack"),
      ["s"],
    );
    assert.deepEqual(parseArgs(SYNTH, argv, {}).values.get("--stack"), ["s"]);
    assert.deepEqual(
      parseArgs(VERIFY, argv, underNpm(VERIFY, { npm_config_json: "true", npm_config_all: "true" })).switches,
      new Set(),
    );
    assert.deepEqual(
      parseArgs(SYNTH, argv, underNpm(SYNTH, { npm_config_render: "true" })).switches,
      new Set(),
    );
  });

  it("npm run synth --all: npm's own config name, named as the likely cause of the refusal that follows", () => {
    assert.throws(
      () => parseSynthArgs([], underNpm(SYNTH, { npm_config_all: "true" })),
      (e: Error) =>
        e.message ===
        'give --stack <name> or --all (npm_config_all is "true": before `--` npm keeps --all for itself; write `npm run synth -- --all`)',
    );
    assert.throws(
      () => parseSynthArgs([], { npm_config_all: "true" }),
      (e: Error) => e.message === "give --stack <name> or --all",
    );
  });
});

describe("a hint's command, pasted into a shell, hands each word over unchanged (issue 51 item 2)", () => {
  it("npm kept a flag whose value holds a space, a $, a quote, a * or a ;: the command quotes it", () => {
    for (const v of AWKWARD.filter((w) => w !== "")) {
      const m = refusal(SYNTH, ["--stack", "staging"], underNpm(SYNTH, { npm_config_out: v }));
      const command = m.slice(m.indexOf("`npm run synth -- ") + 1, m.lastIndexOf("` ("));
      assert.deepEqual(pastedWords(command, "npm run synth -- "), ["--out", v, "--stack", "staging"], m);
    }
    // A bare word npm passed on as a kept flag's value, and the rest of the line, quoted too.
    const m = refusal(
      SYNTH,
      ["p q.json", "--stack", "st$x"],
      underNpm(SYNTH, { npm_config_policy_config: "true" }),
    );
    const command = /`(npm run synth -- [^`]*)`/.exec(m)?.[1];
    assert.ok(command, m);
    assert.deepEqual(pastedWords(command, "npm run synth -- "), [
      "--policy-config",
      "p q.json",
      "--stack",
      "st$x",
    ]);
  });

  it("pulumi config set and rm: the key and its --path each one word, quoted by the one function", () => {
    for (const name of AWKWARD.filter((w) => w !== "")) {
      const key = `${PROJECT}:receiverCredentials`;
      const path = ["team", name];
      const word = propertyPath("receiverCredentials", path);
      assert.deepEqual(pastedWords(setConfigCommand(key, path, PROJECT, true), "pulumi config set "), [
        "--secret",
        "--path",
        word,
      ]);
      assert.deepEqual(pastedWords(removePathCommand(key, path, PROJECT), "pulumi config rm "), [
        "--path",
        word,
      ]);
      assert.deepEqual(pastedWords(removeKeyCommand(`${PROJECT}:${name}`, PROJECT), "pulumi config rm "), [
        name,
      ]);
      assert.deepEqual(
        pastedWords(setConfigCommand(`${PROJECT}:${name}`, [], PROJECT, false), "pulumi config set "),
        [name],
      );
    }
  });
});
