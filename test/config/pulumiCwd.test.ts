import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { pulumiCommandsFor } from "../../config/errors";
import { projectRoot } from "../../config/paths";
import { TOOLS } from "../support/cliSpecs";
import { ROOT, synthCli, tmpDir } from "../support/helpers";
import { resolve, simpleCommands } from "../support/readmeCommands";

/*
 * A `pulumi` command a message prints is pasted where `npm run` runs, in the checkout; the Pulumi
 * CLI reads Pulumi.yaml and the stack file from its working folder. For a project given with
 * `--dir`, each command carries the CLI's global `--cwd <folder>`, else it would change the
 * checkout's stack file, not the one refused. For the checkout's own stacks it stays as it was.
 */
describe("config: a printed pulumi command runs in the project folder it is about", function () {
  this.timeout(30000);

  it("synth --dir: the hints of a refused key name the project folder, shell-quoted", async () => {
    // A folder whose name the shell would split, as a user's may be.
    const dir = path.join(tmpDir("pulumi-cwd"), "home lab");
    fs.mkdirSync(dir);
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    const staging = fs.readFileSync(path.join(ROOT, "Pulumi.staging.yaml"), "utf8");
    // One key whose name holds a path, as `pulumi config set` writes it without --path.
    fs.writeFileSync(
      path.join(dir, "Pulumi.staging.yaml"),
      `${staging.trimEnd()}\n  homelab-observability:prometheus.retention: 7d\n`,
    );
    const r = await synthCli(
      "--dir",
      dir,
      "--stack",
      "staging",
      "--no-render",
      "--quiet",
      "--out",
      tmpDir("out"),
    );
    assert.equal(r.status, 2, r.stdout + r.stderr);
    const cwd = `pulumi --cwd '${dir}'`;
    assert.ok(
      r.stderr.includes(
        `or run \`${cwd} config rm --stack staging 'prometheus.retention'\` then \`${cwd} config set --stack staging --path 'prometheus.retention'\` (it prompts for the value)`,
      ),
      r.stderr,
    );
    // As the Pulumi CLI reads them (its flags: test/support/cliSpecs.ts): run in that folder.
    const commands = (r.stderr.match(/`pulumi [^`]*`/g) ?? []).map((c) => simpleCommands(c.slice(1, -1))[0]);
    assert.equal(commands.length, 2, r.stderr);
    for (const words of commands) {
      const read = resolve("pulumi", TOOLS.pulumi, words.slice(1));
      assert.deepEqual(read.problems, [], words.join(" "));
      assert.equal(read.flags.get("--cwd"), dir, words.join(" "));
    }
  });

  it("a hint about a stack of the checkout stays as it is pasted there; one about another folder names it", () => {
    const text = "run `pulumi config rm x` then `pulumi config set --stack p --path 'a.b'`";
    assert.equal(
      pulumiCommandsFor(text, "s", projectRoot()),
      "run `pulumi config rm --stack s x` then `pulumi config set --stack p --path 'a.b'`",
    );
    assert.equal(
      pulumiCommandsFor(text, "s", "/srv/lab"),
      "run `pulumi --cwd /srv/lab config rm --stack s x` then `pulumi --cwd /srv/lab config set --stack p --path 'a.b'`",
    );
  });
});
