import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { ROOT, tmpDir } from "../support/helpers";

/**
 * scripts/install-node.sh on a fresh machine, the first command the README gives: it fetches Node
 * with npm and checks it with openssl, so a machine without them must hear which one is missing.
 */
describe("scripts/install-node.sh on a machine without what it needs", () => {
  /** What the script runs besides npm and openssl, so the old script reached its npm pack. */
  const BASE = ["dirname", "uname", "mktemp", "rm", "tail", "tar", "base64", "mkdir", "mv"];

  /** A copy of the script in a project of its own, run with PATH holding only `tools`. */
  function runWithOnly(tools: string[]) {
    const project = tmpDir("install-node");
    fs.mkdirSync(path.join(project, "scripts"));
    fs.copyFileSync(
      path.join(ROOT, "scripts", "install-node.sh"),
      path.join(project, "scripts", "install-node.sh"),
    );
    const bin = tmpDir("install-node-bin");
    for (const tool of tools) {
      const found = spawnSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" }).stdout.trim();
      fs.symlinkSync(found, path.join(bin, tool));
    }
    const bash = spawnSync("sh", ["-c", "command -v bash"], { encoding: "utf8" }).stdout.trim();
    return spawnSync(bash, [path.join(project, "scripts", "install-node.sh"), "22"], {
      encoding: "utf8",
      env: { PATH: bin },
    });
  }

  it("without npm, exits 1 naming npm and the way around it, instead of 127 and no word", function () {
    if (process.platform !== "linux" || process.arch !== "x64") this.skip(); // it refuses other platforms first
    const r = runWithOnly([...BASE, "openssl"]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /install-node: needs npm on PATH/);
    assert.match(r.stderr, /install Node 22 from your distribution or nodejs\.org/);
    assert.equal(r.stdout, "", "no bin directory printed for PATH to take");
  });

  it("without openssl, exits 1 naming openssl", function () {
    if (process.platform !== "linux" || process.arch !== "x64") this.skip();
    const r = runWithOnly([...BASE, "npm"]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /install-node: needs openssl on PATH/);
  });
});

/**
 * The set-up command the README gives, `<Node 22 first on PATH> && npm ci ... && npm test`, and its
 * copies: `export PATH="$(install-node.sh 22):$PATH" && ...` went on when the script failed
 * (`export` returns 0 whatever its substitution did), on the system's Node with PATH led by `:`.
 */
describe("the README's set-up command when install-node.sh fails", () => {
  const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");
  /** The README's lines that put the pinned Node first on PATH, each a whole command. */
  const setUp = read("README.md")
    .split("\n")
    .filter((l) => l.includes("scripts/install-node.sh 22)"));
  const testCommand = setUp.find((l) => l.endsWith(" && npm test"))!;

  it("every document and .ci/run runs one of the README's commands, verbatim", () => {
    assert.equal(setUp.length, 2, setUp.join("\n"));
    assert.ok(testCommand, setUp.join("\n"));
    const docs = ["docs/tutorials/offline-first-run.md", "docs/how-to/ci-without-cluster.md"];
    for (const file of docs)
      for (const l of read(file)
        .split("\n")
        .filter((x) => x.includes("install-node.sh 22)")))
        assert.ok(setUp.includes(l.replace(/ \|\| exit$/, "")), `${file}: ${l}`);
    // set -e stops at no failure before a chain's last `&&`: CI ends itself there.
    assert.ok(read(".ci/run").split("\n").includes(`${testCommand} || exit`));
  });

  /**
   * The command as written, in a project whose install-node.sh fails (no openssl on PATH) and whose
   * `npm` only says it ran; then what PATH holds.
   */
  function runFailing(shell: string, line: string) {
    const project = tmpDir("set-up");
    fs.mkdirSync(path.join(project, "scripts"));
    fs.copyFileSync(
      path.join(ROOT, "scripts", "install-node.sh"),
      path.join(project, "scripts", "install-node.sh"),
    );
    const bin = tmpDir("set-up-bin");
    for (const tool of ["bash", "dirname", "uname", "mktemp", "rm", "tail", "cat"]) {
      const found = spawnSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" }).stdout.trim();
      fs.symlinkSync(found, path.join(bin, tool));
    }
    fs.writeFileSync(path.join(bin, "npm"), "#!/bin/sh\necho npm ran $1\n", { mode: 0o755 });
    const sh = spawnSync("sh", ["-c", `command -v ${shell}`], { encoding: "utf8" }).stdout.trim();
    return spawnSync(sh, ["-c", `${line}\necho "status $? PATH=$PATH"`], {
      cwd: project,
      encoding: "utf8",
      env: { PATH: bin },
    });
  }

  it("stops there, in bash and in sh, and leaves PATH as it was", () => {
    for (const shell of ["bash", "sh"])
      for (const line of setUp) {
        const r = runFailing(shell, line);
        assert.match(r.stderr, /install-node: /, `${shell}: ${line}`);
        assert.doesNotMatch(r.stdout, /npm ran/, `${shell}: ${line}`);
        const [, status, pathAfter] = /status (\d+) PATH=(.*)/.exec(r.stdout) ?? [];
        assert.notEqual(status, "0", `${shell}: ${line}`);
        assert.ok(pathAfter && !pathAfter.startsWith(":"), `${shell}: PATH=${pathAfter}`);
      }
  });

  it("ends .ci/run, under its set -euo pipefail", () => {
    const r = runFailing("bash", `set -euo pipefail\n${testCommand} || exit`);
    assert.notEqual(r.status, 0);
    assert.doesNotMatch(r.stdout, /npm ran|status/);
  });
});
