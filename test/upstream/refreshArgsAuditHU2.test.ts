/**
 * The refreshers' command lines (`npm run refresh-reference`, `npm run refresh-metrics`): every
 * bad option of a run, each once and true (a known option given twice is not "unknown"), a file
 * where a folder is expected said as a file, --help describing every option and the exit codes
 * at 80 columns, and a last line saying the exit status.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parseRefreshArgs } from "../../upstream/refresh/args";
import { HELP, main as referenceMain, refreshReference } from "../../upstream/refresh/cli";
import { badArgs, main as metricsMain, USAGE as METRICS_USAGE } from "../../upstream/refresh/metrics";
import { parseArgsAll, SYNTH } from "../../cli/spec";
import { inProcess, ROOT, tmpDir } from "../support/helpers";

const OPTIONS = { valued: { "--out": "<file>" }, switches: ["--check"], maxPositional: 1 };

/** A file that is not a folder. */
function file(): string {
  const f = path.join(tmpDir("refresh-args"), "plain");
  fs.writeFileSync(f, "");
  return f;
}

describe("the refreshers' command lines: every mistake once, and true", function () {
  this.timeout(60_000);

  it("the parser: each unknown option, one given twice, one without its value, a value on a switch", () => {
    const a = parseRefreshArgs(
      ["--chek", "--outt", "--out", "a", "--out=b", "--check", "--check=yes", "--out="],
      OPTIONS,
    );
    assert.deepEqual(a.problems, [
      "unknown flag --chek; did you mean --check?",
      "unknown flag --outt; did you mean --out?",
      '--out is given twice: "a" and "b"; keep one',
      '--check takes no value, got "yes"',
      '--out needs a value (<file>), got nothing after "="',
    ]);
    // Neither value is read: which was meant is the user's to say.
    assert.equal(a.values.get("--out"), undefined);
    // What stood where the value goes, and every value of an option given three times, in order.
    assert.deepEqual(parseRefreshArgs(["--out", "--check"], OPTIONS).problems, [
      "--out needs a value (<file>), got the flag --check after it",
    ]);
    assert.deepEqual(parseRefreshArgs(["--check", "--out"], OPTIONS).problems, [
      "--out needs a value (<file>), got nothing after it",
    ]);
    assert.deepEqual(parseRefreshArgs(["--out", ""], OPTIONS).problems, [
      "--out needs a value (<file>), got an empty word",
    ]);
    assert.deepEqual(parseRefreshArgs(["--out=a", "--out", "b", "--out", "c"], OPTIONS).problems, [
      '--out is given 3 times: "a", "b" and "c"; keep one',
    ]);
    // A word after an unknown option is its value when the words are otherwise too many.
    assert.deepEqual(parseRefreshArgs(["--outt", "x", "src"], OPTIONS).positional, ["src"]);
    assert.deepEqual([...parseRefreshArgs(["--outt", "x"], OPTIONS).unsure], ["x"]);
  });

  it("words each mistake as the program's commands do (cli/spec.ts): one wording, the contract's", () => {
    // Options named as synth's: the same mistake gets the same message from either parser.
    const asSynth = { valued: { "--out": "<dir>" }, switches: ["--quiet"], maxPositional: 0 };
    for (const argv of [
      ["--out", "--quiet"],
      ["--out="],
      ["--out", ""],
      ["--out"],
      ["--quiet=yes"],
      ["--out", "a", "--out", "b"],
      ["--outt"],
    ])
      assert.deepEqual(
        parseRefreshArgs(argv, asSynth).problems,
        parseArgsAll(SYNTH, argv, {}).problems,
        argv.join(" "),
      );
  });

  it("refresh-metrics: --out twice is given twice (not an unknown flag); a file is no sources directory; --outt x is one mistake", () => {
    assert.deepEqual(badArgs(["--out", "a", "--out", "b"]), ['--out is given twice: "a" and "b"; keep one']);
    const f = file();
    assert.deepEqual(badArgs([f]), [
      `${f}: a file, not a sources directory (leave it out to read every source from the Go module proxy)`,
    ]);
    assert.deepEqual(badArgs(["--outt", "x"]), ["unknown flag --outt; did you mean --out?"]);
    assert.deepEqual(badArgs(["--out", "x", "--check"]), []);
  });

  it("refresh-reference: a file for a checkout is a file; every unknown option named; --tagg v1 is one mistake", () => {
    const f = file();
    assert.throws(
      () => refreshReference(["loki", f]),
      (e: Error) =>
        e.message.startsWith(`${f}: expected a checkout of grafana/loki (a directory), found a file\n`),
    );
    assert.throws(
      () => refreshReference(["loki", tmpDir("ck"), "--tagg", "v1", "--outt", "x"]),
      (e: { problems?: string[] }) =>
        JSON.stringify(e.problems) ===
        JSON.stringify([
          "unknown flag --tagg; did you mean --tag?",
          "unknown flag --outt; did you mean --out?",
        ]),
    );
    assert.throws(
      () => refreshReference(["loki", "--tagg", "v1"]),
      (e: { problems?: string[] }) =>
        e.problems?.length === 1 && /^unknown flag --tagg; did you mean --tag\?$/.test(e.problems[0]),
    );
  });

  it("--help describes every option and the exit codes, within 80 columns", () => {
    for (const [help, options] of [
      [HELP, ["<component>", "<checkout>", "--tag <tag>", "--commit <sha>", "--out <dir>", "exit codes: "]],
      [METRICS_USAGE, ["<sources-root>", "--check", "--out <file>", "exit codes: "]],
    ] as const) {
      for (const o of options) assert.ok(help.includes(`${o}`), `${o} in\n${help}`);
      for (const line of help.split("\n")) assert.ok(line.length <= 80, `wider than 80: ${line}`);
    }
  });

  it("each command's --help prints that help whole, exit 0 (each main in process)", async () => {
    const r = await inProcess((argv, io) => Promise.resolve(referenceMain(argv, io)), ["--help"]);
    assert.deepEqual(r, { status: 0, stdout: `${HELP}\n`, stderr: "" });
    const m = await inProcess(metricsMain, ["--help"]);
    assert.deepEqual(m, { status: 0, stdout: `${METRICS_USAGE}\n`, stderr: "" });
  });

  it("docs/reference/cli.md shows each refresher's --help as it is", () => {
    const doc = fs.readFileSync(path.join(ROOT, "docs", "reference", "cli.md"), "utf8");
    for (const help of [HELP, METRICS_USAGE])
      assert.ok(doc.includes("```\n" + help + "\n```"), help.split("\n")[0]);
  });

  it("the last line says the exit status: refresh-reference and refresh-metrics, each in process", async () => {
    // Each main as its process wrapper runs it (that wiring: test/cli/refreshArgsAudit16.test.ts).
    const r = await inProcess(
      (argv, io) => Promise.resolve(referenceMain(argv, io)),
      ["lokii", tmpDir("ck")],
    );
    assert.equal(r.status, 2);
    assert.match(
      r.stderr,
      /^refresh-reference: "lokii" is not a component with reference data \(the components: alloy, loki, mimir, prometheus-operator, node-exporter, garage\)\nusage: /,
    );
    assert.equal(r.stdout, "refresh-reference: FAIL (exit 2): bad arguments (above)\n");
    const m = await inProcess(metricsMain, ["--chek"]);
    assert.equal(m.status, 2, m.stderr);
    assert.equal(m.stdout, "refresh-metrics: FAIL (exit 2): bad arguments (above)\n");
  });
});
