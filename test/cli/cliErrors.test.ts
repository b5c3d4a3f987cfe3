/**
 * What the commands print when something goes wrong that is not a finding: a stack file that is not
 * YAML reads like a config error (file, line, column, the line itself; exit 2; no stack trace), and
 * an error nothing expected is one line saying where its full trace went.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parseYamlText, YamlFileError } from "../../config/stackFile";
import { internalErrorText } from "../../cli/internalError";
import { policyCheckCli, ROOT, synthCli, tmpDir, writeTooDeepExport } from "../support/helpers";

/** A stack frame as Node prints one. */
const FRAME = /^\s+at /m;

/** A project folder: this project's Pulumi.yaml and its staging stack file, edited by `edit`. */
function projectWith(edit: (stackFile: string) => string = (t) => t): string {
  const dir = tmpDir("yaml-slip");
  fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  const text = fs.readFileSync(path.join(ROOT, "Pulumi.staging.yaml"), "utf8");
  fs.writeFileSync(path.join(dir, "Pulumi.staging.yaml"), edit(text));
  return dir;
}

describe("errors read like config errors, never a stack trace", function () {
  this.timeout(60_000);

  it("synth: a stack file with an indentation slip names the file, line and column, shows the line, exits 2", async () => {
    // One key of the object store indented one space short of its siblings.
    const dir = projectWith((t) => t.replace(/^ {4}endpoint: /m, "   endpoint: "));
    assert.match(fs.readFileSync(path.join(dir, "Pulumi.staging.yaml"), "utf8"), /^ {3}endpoint: /m);
    const line = fs
      .readFileSync(path.join(dir, "Pulumi.staging.yaml"), "utf8")
      .split("\n")
      .findIndex((l) => l.startsWith("   endpoint: "));
    const r = await synthCli("--stack", "staging", "--dir", dir, "--out", tmpDir("out"), "--no-render");
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.doesNotMatch(r.stderr, FRAME);
    const file = path.join(dir, "Pulumi.staging.yaml");
    const at = new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:(\\d+):(\\d+): not valid YAML: `);
    const m = at.exec(r.stderr);
    assert.ok(m, `file:line:column in ${r.stderr}`);
    // At the under-indented key itself, not at column 1 of its line.
    assert.deepEqual([Number(m[1]), Number(m[2])], [line + 1, 4], r.stderr);
    assert.match(r.stderr, /\|\s+endpoint: http:\/\/minio/, "the offending line is shown");
    assert.match(r.stderr, /\|\s+\^/, "a caret under the column");
    assert.match(r.stderr, /check the indentation/);
  });

  it("synth: a tab in Pulumi.yaml's indentation is named the same way", async () => {
    const dir = projectWith();
    const project = path.join(dir, "Pulumi.yaml");
    const text = fs.readFileSync(project, "utf8");
    const slipped = text.replace(/^ {2}(\S)/m, "\t$1");
    assert.notEqual(slipped, text, "a line indented by two spaces now starts with a tab");
    fs.writeFileSync(project, slipped);
    const r = await synthCli("--stack", "staging", "--dir", dir, "--out", tmpDir("out"), "--no-render");
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.doesNotMatch(r.stderr, FRAME);
    assert.match(
      r.stderr,
      new RegExp(`Pulumi\\.yaml:\\d+:\\d+: not valid YAML: Tabs are not allowed as indentation`),
    );
  });

  it("names the line and column of the slip, with the lines around it", () => {
    const text = "config:\n  a: 1\n   b: 2\n  c: 3\n";
    assert.throws(
      () => parseYamlText("Pulumi.x.yaml", text),
      (e: unknown) =>
        e instanceof YamlFileError &&
        e.line === 3 &&
        e.column === 4 &&
        e.message.startsWith("Pulumi.x.yaml:3:4:") &&
        e.message.includes("  2 |   a: 1\n  3 |    b: 2\n    |    ^\n  4 |   c: 3"),
    );
    assert.deepEqual(parseYamlText("Pulumi.x.yaml", "config:\n  a: 1\n"), { config: { a: 1 } });
  });

  it("policy:check: an unexpected error is one line naming the file its full trace went to; HOMELAB_DEBUG=1 prints the trace", async () => {
    const dir = tmpDir("policy-crash");
    const file = path.join(dir, "broken.json");
    writeTooDeepExport(file);
    const r = await policyCheckCli([file], { ...process.env, TMPDIR: dir, HOMELAB_DEBUG: "" });
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.doesNotMatch(r.stderr, FRAME);
    const lines = r.stderr.trim().split("\n");
    assert.equal(lines.length, 1, r.stderr);
    const m =
      /^policy:check: unexpected error \(please report it\): RangeError: .* \(full trace in (\S+); HOMELAB_DEBUG=1 prints it here\)$/.exec(
        lines[0],
      );
    assert.ok(m, lines[0]);
    assert.equal(path.dirname(m[1]), dir, "in the temporary folder ($TMPDIR)");
    assert.match(fs.readFileSync(m[1], "utf8"), FRAME, "the trace file holds the frames");
    const debug = await policyCheckCli([file], { ...process.env, HOMELAB_DEBUG: "1" });
    assert.equal(debug.status, 2);
    assert.match(debug.stderr, FRAME, "HOMELAB_DEBUG=1 prints the frames");
  });

  it("says where the trace went, or how to see it when it cannot be written", () => {
    const e = new Error("boom\nsecond line");
    const missing = path.join(tmpDir("no-trace"), "absent", "deeper");
    assert.equal(
      internalErrorText("synth", e, false, missing),
      "synth: unexpected error (please report it): Error: boom (HOMELAB_DEBUG=1 prints the full trace)",
    );
    assert.match(
      internalErrorText("synth", e, true),
      /^synth: unexpected error \(please report it\): Error: boom\nsecond line\n\s+at /,
    );
  });
});
