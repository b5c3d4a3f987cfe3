/**
 * node_exporter v1.10.2's command lines as kingpin v2.4.0 reads them (upstream/kingpin.ts
 * kingpinRun with upstream/exporters/nodeExporter.ts nodeExporterApp), values included: each
 * flag's value judged by the Go type flags.tsv gives it (`int`: strconv.ParseFloat; `time.Duration`:
 * str2duration v2.1.0; promslog's Level and Format). data/nodeExporterArgs.jsonl holds what the
 * v1.10.2 binary (built from the module proxy with go1.26.8, `go install
 * github.com/prometheus/node_exporter@v1.10.2`) did with each command line, run as
 * `node_exporter --web.listen-address=127.0.0.1:0 <args>`: `starts` when it logged "Listening on",
 * `refused` with the text between `node_exporter: error: ` and `, try --help` when it exited 1
 * printing that line, `exits` 0 when it printed and exited 0 (--help, --version). One JSON line
 * per command line, `{args, answer}`; the real binary is not in CI, so its answers are kept here.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { kingpinRun } from "../../upstream/kingpin";
import { nodeExporterApp } from "../../upstream/exporters/nodeExporter";
import { kingpinDuration } from "../../upstream/goFlagValues";

type Answer = { starts: true } | { refused: string; exit: 1 } | { exits: 0 };
const cases: { args: string[]; answer: Answer }[] = fs
  .readFileSync(path.join(__dirname, "data", "nodeExporterArgs.jsonl"), "utf8")
  .split("\n")
  .filter((l) => l.trim() !== "")
  .map((l) => JSON.parse(l));

/** The model's answer in the recording's terms. */
function modelled(args: string[]): Answer | { unknown: string } {
  const r = kingpinRun(["--web.listen-address=127.0.0.1:0", ...args], nodeExporterApp());
  if ("refused" in r) return { refused: r.refused, exit: 1 };
  if ("exits" in r) return { exits: 0 };
  return "flags" in r ? { starts: true } : r;
}

describe("upstream/kingpin: node_exporter v1.10.2's command lines, values included, as its binary answered them", () => {
  it("answers each recorded command line as the binary did: starts, or its refusal word for word", () => {
    assert.ok(cases.length >= 200, `${cases.length} cases`);
    // Both outcomes are recorded, refusals of values among them.
    assert.ok(cases.filter((c) => "starts" in c.answer).length >= 80);
    assert.ok(
      cases.filter((c) => "refused" in c.answer && /^strconv|^time:/.test(c.answer.refused)).length >= 80,
    );
    const wrong = cases.filter((c) => JSON.stringify(modelled(c.args)) !== JSON.stringify(c.answer));
    assert.deepEqual(
      wrong.map((c) => ({ args: c.args, binary: c.answer, model: modelled(c.args) })),
      [],
    );
  });

  it("reads a duration as str2duration does, not as Go's time.ParseDuration: days and weeks taken, the value quoted bare", () => {
    assert.equal(kingpinDuration("2w3d"), undefined);
    assert.deepEqual(kingpinDuration("1y"), { error: 'time: unknown unit "y" in duration "1y"' });
    // Go's time.ParseDuration takes -1<<63 ns; str2duration's total refuses it (str2duration.go:115-119).
    assert.deepEqual(kingpinDuration("-9223372036854775808ns"), {
      error: 'time: invalid duration "-9223372036854775808ns"',
    });
  });
});
