import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { onPath, ROOT, tmpDir } from "../support/helpers";
import { sourceFiles } from "../support/layout";

describe("the test helpers' look-ups without a spawned process", () => {
  it("onPath finds a program as `command -v` does: the first PATH directory with an executable file", () => {
    const [a, b] = [tmpDir("path-a"), tmpDir("path-b")];
    fs.writeFileSync(path.join(a, "tool"), "#!/bin/sh\n"); // not executable: passed over
    fs.mkdirSync(path.join(a, "dir-tool")); // a directory: passed over
    for (const d of [a, b]) fs.writeFileSync(path.join(d, "x"), "#!/bin/sh\n", { mode: 0o755 });
    fs.writeFileSync(path.join(b, "tool"), "#!/bin/sh\n", { mode: 0o755 });
    const PATH = [a, b].join(path.delimiter);
    assert.equal(onPath("tool", PATH), path.join(b, "tool"));
    assert.equal(onPath("x", PATH), path.join(a, "x"));
    assert.equal(onPath("dir-tool", PATH), undefined);
    assert.equal(onPath("absent", PATH), undefined);
    // The shell's answer for a real program on this machine's PATH.
    const sh = spawnSync("sh", ["-c", "command -v git"], { encoding: "utf8" }).stdout.trim();
    assert.equal(onPath("git"), sh);
  });

  it("sourceFiles lists a checkout once per process; each caller gets its own copy", () => {
    const first = sourceFiles(ROOT);
    assert.ok(first.includes("cli/synth.ts"), "the checkout's sources");
    first.length = 0;
    assert.ok(sourceFiles(ROOT).includes("cli/synth.ts"), "a caller's change never reaches the next");
  });
});
