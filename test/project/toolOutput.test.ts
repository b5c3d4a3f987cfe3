/**
 * test/support/toolOutput.ts: a program's answer on a file a test wrote is asked once per content,
 * whatever temporary path the file has this run, and what it printed names this run's path.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { toolRun } from "../support/toolOutput";
import { tmpDir } from "../support/helpers";

describe("toolRun (test/support/toolOutput.ts) on files a test writes", () => {
  let dir: string;
  let log: string;
  let bin: string;

  beforeEach(() => {
    dir = tmpDir("tool-output");
    log = path.join(dir, "runs.log");
    // A new program file per test (its identity is in the key): the first question is never cached.
    bin = path.join(dir, "tool");
    fs.writeFileSync(
      bin,
      `#!/bin/sh\necho run >> ${JSON.stringify(log)}\necho "checking $1: $(cat "$1")"\necho "on $1" >&2\n`,
    );
    fs.chmodSync(bin, 0o755);
  });
  const runs = () =>
    fs.existsSync(log) ? fs.readFileSync(log, "utf8").split("\n").filter(Boolean).length : 0;
  const write = (name: string, text: string) => {
    const file = path.join(tmpDir(name), "rules.yaml");
    fs.writeFileSync(file, text);
    return file;
  };

  it("the same content at another path is answered from the cache, naming the new path", () => {
    const a = write("first", "groups: []\n");
    assert.deepEqual(toolRun(bin, [a], { inputs: [a] }), {
      status: 0,
      stdout: `checking ${a}: groups: []\n`,
      stderr: `on ${a}\n`,
    });
    assert.equal(runs(), 1);
    const b = write("second", "groups: []\n");
    assert.deepEqual(toolRun(bin, [b], { inputs: [b] }), {
      status: 0,
      stdout: `checking ${b}: groups: []\n`,
      stderr: `on ${b}\n`,
    });
    // HOMELAB_TEST_CACHE=off asks every time, as a cold run does.
    assert.equal(runs(), process.env.HOMELAB_TEST_CACHE === "off" ? 2 : 1, "asked once for one content");
  });

  it("another content at the same path asks the program again", () => {
    const a = write("first", "groups: []\n");
    toolRun(bin, [a], { inputs: [a] });
    fs.writeFileSync(a, "groups: [x]\n");
    assert.equal(toolRun(bin, [a], { inputs: [a] }).stdout, `checking ${a}: groups: [x]\n`);
    assert.equal(runs(), 2);
  });

  it("a folder input, run from it: the same files elsewhere are answered from the cache; a changed file asks again", () => {
    // The program reads a file named relative to its working folder.
    const folder = (name: string, text: string) => {
      const d = tmpDir(name);
      fs.mkdirSync(path.join(d, "sub"));
      fs.writeFileSync(path.join(d, "sub", "rules.yaml"), text);
      return d;
    };
    const a = folder("first", "groups: []\n");
    assert.equal(
      toolRun(bin, ["sub/rules.yaml"], { inputs: [a], cwd: a }).stdout,
      "checking sub/rules.yaml: groups: []\n",
    );
    const b = folder("second", "groups: []\n");
    assert.equal(
      toolRun(bin, ["sub/rules.yaml"], { inputs: [b], cwd: b }).stdout,
      "checking sub/rules.yaml: groups: []\n",
    );
    assert.equal(
      runs(),
      process.env.HOMELAB_TEST_CACHE === "off" ? 2 : 1,
      "asked once for one folder's content",
    );
    fs.writeFileSync(path.join(b, "sub", "rules.yaml"), "groups: [x]\n");
    assert.equal(
      toolRun(bin, ["sub/rules.yaml"], { inputs: [b], cwd: b }).stdout,
      "checking sub/rules.yaml: groups: [x]\n",
    );
  });

  it("a run a signal ended (no exit status: killed under load) is no answer: the next run asks again", () => {
    // The program kills itself the first time it runs, then answers.
    const once = path.join(dir, "killed");
    fs.writeFileSync(
      bin,
      `#!/bin/sh
echo run >> ${JSON.stringify(log)}
if [ ! -e ${JSON.stringify(once)} ]; then : > ${JSON.stringify(once)}; kill -9 $$; fi
echo answered
`,
    );
    const a = write("first", "groups: []\n");
    assert.equal(toolRun(bin, [a], { inputs: [a] }).status, null);
    assert.deepEqual(toolRun(bin, [a], { inputs: [a] }), { status: 0, stdout: "answered\n", stderr: "" });
    assert.equal(runs(), 2);
  });
});
