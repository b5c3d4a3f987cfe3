/**
 * Audit hL: npm's own switch written before `--` (`npm run verify --json -- --stack s`) is seen
 * when an .npmrc sets it false too: npm 11 puts the command line (and the environment) over every
 * config file, and of the files the project's over the user's, the user's over the global one
 * (@npmcli/config's layers), so npm_config_json=true with the deciding npmrc line `json=false`
 * came from the command line. Before, any npmrc line naming `json` hid the kept flag, and verify
 * ran without its --json, silently.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { readFileSync, writeFileSync } from "fs";
import { join } from "path";
import { parseArgs, VERIFY } from "../../cli/spec";
import { argsRefusal } from "../support/argsRefusal";
import { tmpDir } from "../support/helpers";

/** npm's environment for `npm run verify`, its config files (`.npmrc`, `user.npmrc`, `global.npmrc`) in a folder. */
function npmEnv(vars: Record<string, string>, npmrc: Record<string, string>) {
  const dir = tmpDir("npmrc-false");
  for (const [name, text] of Object.entries(npmrc)) writeFileSync(join(dir, name), text);
  return {
    npm_lifecycle_event: VERIFY.script,
    npm_config_userconfig: join(dir, "user.npmrc"),
    npm_config_globalconfig: join(dir, "global.npmrc"),
    npm_config_local_prefix: dir,
    ...vars,
  };
}

const KEPT =
  /^npm kept --json for itself \(npm_config_json="true" in the environment\).*`npm run verify -- --json --stack s` \(no \.npmrc sets json to true;/;
const ARGV = ["--stack", "s"];

/** Whether verify read `--json` as kept (refused) or ran on (npm's own setting) under `env`. */
function kept(env: NodeJS.ProcessEnv): boolean {
  try {
    parseArgs(VERIFY, ARGV, env);
    return false;
  } catch {
    assert.match(argsRefusal(VERIFY, ARGV, env), KEPT);
    return true;
  }
}

describe("npm's own --json before `--` beside an .npmrc that sets json false (audit hL)", function () {
  this.timeout(30000);

  it("an .npmrc `json=false` (any of the files) does not hide npm run verify --json", () => {
    for (const file of [".npmrc", "user.npmrc", "global.npmrc"])
      assert.ok(kept(npmEnv({ npm_config_json: "true" }, { [file]: "json=false\n" })), file);
  });

  it("the file npm puts first decides: the project's over the user's over the global one", () => {
    const on = { npm_config_json: "true" };
    assert.ok(kept(npmEnv(on, { ".npmrc": "json=false\n", "user.npmrc": "json=true\n" })));
    assert.ok(!kept(npmEnv(on, { ".npmrc": "json=true\n", "user.npmrc": "json=false\n" })));
    assert.ok(kept(npmEnv(on, { "user.npmrc": "json=false\n", "global.npmrc": "json=true\n" })));
    // The last line of one file wins, as ini reads it.
    assert.ok(kept(npmEnv(on, { ".npmrc": "json=true\njson=false\n" })));
  });

  it("reads a line as npm does: true when bare, empty or true (or a ${VAR} it expands); else not", () => {
    const on = { npm_config_json: "true" };
    for (const line of ["json", "json =", "json = true", 'json="true"', "json=${X}"])
      assert.ok(!kept(npmEnv(on, { ".npmrc": `${line}\r\n` })), line);
    for (const line of ["json=false", 'json = "false"', "json=false ; not now", "json=0"])
      assert.ok(kept(npmEnv(on, { ".npmrc": `${line}\n` })), line);
  });

  it("with the real npm: a project .npmrc `json=false` and `npm run verify --json -- --stack s`", () => {
    const dir = tmpDir("npmrc-real");
    writeFileSync(
      join(dir, "package.json"),
      JSON.stringify({ name: "scratch", version: "1.0.0", scripts: { verify: "node env.js" } }),
    );
    // The script writes the environment and arguments npm gave it, for the tool's own parse.
    writeFileSync(
      join(dir, "env.js"),
      'require("fs").writeFileSync("env.json", JSON.stringify({ env: process.env, argv: process.argv.slice(2) }));\n',
    );
    writeFileSync(join(dir, ".npmrc"), "json=false\n");
    writeFileSync(join(dir, "user.npmrc"), "");
    writeFileSync(join(dir, "global.npmrc"), "");
    const run = (npmArgs: string[]) => {
      const r = spawnSync("npm", ["run", "verify", ...npmArgs, "--", ...ARGV], {
        cwd: dir,
        encoding: "utf8",
        env: {
          ...process.env,
          npm_config_userconfig: join(dir, "user.npmrc"),
          npm_config_globalconfig: join(dir, "global.npmrc"),
        },
      });
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(readFileSync(join(dir, "env.json"), "utf8")) as {
        env: NodeJS.ProcessEnv;
        argv: string[];
      };
    };
    const withFlag = run(["--json"]);
    assert.deepEqual(withFlag.argv, ARGV);
    assert.equal(withFlag.env.npm_config_json, "true", "npm puts the command line over the .npmrc");
    assert.ok(kept(withFlag.env));
    const without = run([]);
    assert.equal(without.env.npm_config_json, undefined, "json=false is npm's default, not exported");
    assert.ok(!kept(without.env));
  });
});
