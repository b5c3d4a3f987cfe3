import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { ConfigError } from "../../config/errors";
import { PROJECT } from "../../config/resolve";
import { checkedStackConfig } from "../../config/stackCheck";
import { ROOT, tmpDir } from "../support/helpers";

/*
 * One misplaced line, one message (issue 51): a top-level key written between a component's map
 * and its keys (`prometheus:`, then `grafana:`, then prometheus' keepVolume) leaves that map empty
 * and its keys under the other. Said once, at the keys, naming the map they belong to and where it
 * is, not as an empty map and, apart, unknown keys with no key meant.
 */
const P = (k: string) => `${PROJECT}:${k}`;

/** The problems of one run over staging's stack file with its prometheus map replaced by `lines`. */
function problems(lines: string): { problems: string[]; file: string } {
  const dir = tmpDir("emptied-map");
  fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  const text = fs
    .readFileSync(path.join(ROOT, "Pulumi.staging.yaml"), "utf8")
    .replace(`  ${P("prometheus")}:\n    keepVolume: true\n`, lines);
  assert.ok(text.includes(lines), "staging's prometheus map is where the test expects it");
  const file = path.join(dir, "Pulumi.s.yaml");
  fs.writeFileSync(file, text);
  try {
    checkedStackConfig(dir, "s", {}, { allowAbsentSecrets: true });
    return { problems: [], file };
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return { problems: e.problems, file };
  }
}

const lineOf = (file: string, text: string) => fs.readFileSync(file, "utf8").split("\n").indexOf(text) + 1;

describe("config: a map left empty by a line put before its keys is one message (config/errors.ts levelHint)", function () {
  this.timeout(30000);

  it("names the key meant and the empty map's line, and says nothing apart of the empty map", () => {
    const r = problems(`  ${P("prometheus")}:\n  ${P("grafana")}:\n    keepVolume: true\n`);
    const at = `${r.file}:${lineOf(r.file, `  ${P("prometheus")}:`)}`;
    assert.deepEqual(r.problems, [
      `${P("grafana.keepVolume")}: unknown key; did you mean "${P("prometheus.keepVolume")}"? (a key of ${P("prometheus")}, which the stack file writes with nothing under it (${at}), not of ${P("grafana")}: move it there)`,
    ]);
  });

  it("the keys one such line moved are one message naming each key's line; a key of both maps stays the other's, named as such", () => {
    const r = problems(
      `  ${P("prometheus")}:\n  ${P("grafana")}:\n    volumeSize: 5Gi\n    keepVolume: true\n    retention: 10d\n`,
    );
    const at = `${r.file}:${lineOf(r.file, `  ${P("prometheus")}:`)}`;
    const retention = `${r.file}:${lineOf(r.file, "    retention: 10d")}`;
    // volumeSize, a key of both maps, stays grafana's, and is named: moving only the keys refused
    // would leave prometheus' size (if it was) on grafana's volume without a word.
    const size = `${r.file}:${lineOf(r.file, "    volumeSize: 5Gi")}`;
    assert.deepEqual(r.problems, [
      `${P("grafana.keepVolume")}: unknown key, as is ${P("grafana.retention")} (${retention}); did you mean "${P("prometheus.keepVolume")}" and "${P("prometheus.retention")}"? (keys of ${P("prometheus")}, which the stack file writes with nothing under it (${at}), not of ${P("grafana")}: move them there)` +
        `; of the keys under ${P("grafana")}, ${P("grafana.volumeSize")} (${size}) is ${P("prometheus")}'s too, read as ${P("grafana")}'s: move it too if it is meant for ${P("prometheus")}`,
    ]);
  });

  it("an empty map whose keys are nowhere else is refused as empty; a key of a map written with keys is not sent there", () => {
    const empty = problems(`  ${P("prometheus")}:\n  ${P("grafana")}:\n    volumeSize: 5Gi\n`);
    assert.equal(empty.problems.length, 1, empty.problems.join("\n"));
    assert.match(empty.problems[0], /^homelab-observability:prometheus: expected an object .*, got null$/);
    // A component's own setting is never offered as another's (loki.replicas for grafana.replicas).
    const written = problems(
      `  ${P("prometheus")}:\n    keepVolume: true\n  ${P("grafana")}:\n    retention: 10d\n`,
    );
    assert.equal(written.problems.length, 1, written.problems.join("\n"));
    assert.ok(!written.problems[0].includes("did you mean"), written.problems[0]);
  });
});
