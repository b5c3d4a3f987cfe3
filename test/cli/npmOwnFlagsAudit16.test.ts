/**
 * npm's own config names that are also the tools' flags (`--json` of verify, `--all` of synth):
 * `npm run verify --json -- --stack s` sets npm_config_json=true exactly as a `json=true` line in an
 * .npmrc does. Under `npm run <tool>` the tool refuses the run with the command written right when
 * no npmrc npm read sets the name (so it came from the command line), and runs as usual when one
 * does, or when npm's config files cannot be known (no npm_config_userconfig).
 */
import { strict as assert } from "assert";
import { writeFileSync } from "fs";
import { join } from "path";
import { parseArgs, SYNTH, VERIFY, type CliSpec } from "../../cli/spec";
import { argsRefusal } from "../support/argsRefusal";
import { parseVerifyArgs } from "../../cli/verifyRun";
import { tmpDir } from "../support/helpers";

/** npm's environment for `npm run <tool>`, its config files in a folder of their own. */
function npmEnv(spec: CliSpec, vars: Record<string, string>, npmrc: Record<string, string> = {}) {
  const dir = tmpDir("npmrc");
  for (const [name, text] of Object.entries(npmrc)) writeFileSync(join(dir, name), text);
  return {
    npm_lifecycle_event: spec.script,
    npm_config_userconfig: join(dir, "user.npmrc"),
    npm_config_globalconfig: join(dir, "global.npmrc"),
    npm_config_local_prefix: dir,
    ...vars,
  };
}

/** The message the tool refuses `argv` with (test/support/argsRefusal.ts). */
const refusal = argsRefusal;

describe("npm's own names among the tools' flags (--json, --all) written before `--`", () => {
  it("npm run verify --json -- --stack staging: refused, naming --json, npm_config_json and the command written right", () => {
    assert.equal(
      refusal(VERIFY, ["--stack", "staging"], npmEnv(VERIFY, { npm_config_json: "true" })),
      'npm kept --json for itself (npm_config_json="true" in the environment) and verify never saw it: through npm the flags go after `--`, `npm run verify -- --json --stack staging` (no .npmrc sets json to true; if your environment sets npm_config_json, unset it)',
    );
    // The whole parse says it once, not also "--stack is required".
    assert.throws(
      () => parseVerifyArgs(["--stack", "staging"], npmEnv(VERIFY, { npm_config_json: "true" })),
      (e: Error) => e.message.startsWith("npm kept --json") && !/--stack is required/.test(e.message),
    );
  });

  it("npm run synth --all: refused as a kept flag, `npm run synth -- --all`", () => {
    assert.match(
      refusal(SYNTH, [], npmEnv(SYNTH, { npm_config_all: "true" })),
      /^npm kept --all for itself \(npm_config_all="true" in the environment\).*`npm run synth -- --all` \(no \.npmrc sets all to true;/,
    );
  });

  for (const file of ["user.npmrc", "global.npmrc", ".npmrc"])
    it(`a ${file} that sets json: the run goes on (npm's own setting, not a kept flag)`, () => {
      const env = npmEnv(
        VERIFY,
        { npm_config_json: "true" },
        { [file]: "registry=https://r.example\n  json = true\n" },
      );
      const p = parseArgs(VERIFY, ["--stack", "s"], env);
      assert.deepEqual(p.values.get("--stack"), ["s"]);
      assert.ok(!p.switches.has("--json"));
    });

  it("not read without npm's config files known, outside `npm run <tool>`, or for a value that is no switch", () => {
    const argv = ["--stack", "s"];
    assert.doesNotThrow(() =>
      parseArgs(VERIFY, argv, { npm_lifecycle_event: "verify", npm_config_json: "true" }),
    );
    assert.doesNotThrow(() =>
      parseArgs(VERIFY, argv, {
        ...npmEnv(VERIFY, { npm_config_json: "true" }),
        npm_lifecycle_event: "test",
      }),
    );
    assert.doesNotThrow(() => parseArgs(VERIFY, argv, npmEnv(VERIFY, { npm_config_json: "" })));
  });
});
