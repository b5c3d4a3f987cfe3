/**
 * A stack refused for chartValues overrides is judged twice in one run: once as the file stands,
 * where the rules between keys read a misspelt chart name as the chart it is closest to, then
 * again without the refused overrides, for what only the rendered objects show. The second
 * judgement's line said "judged without the refused overrides chartValues.lokii" right under the
 * note that the rules "read chartValues.lokii as chartValues.loki": read as one judgement, the two
 * lines contradicted each other. Each line now says which judgement it speaks of.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { stackCopy, synthCli } from "../support/helpers";

/** synth of staging with `chartValues` (YAML lines under the key, indented four spaces). */
async function stagingWith(chartValues: string) {
  const { dir, file } = stackCopy("judged-again", "staging");
  const text = fs.readFileSync(file, "utf8").trimEnd();
  fs.writeFileSync(file, `${text}\n  homelab-observability:chartValues:\n${chartValues}`);
  return synthCli("--dir", dir, "--stack", "staging", "--out", path.join(dir, "out"), "--quiet");
}

describe("synth: a refused override's second judgement says it is a second one", function () {
  this.timeout(120_000);

  it("lokii: and lok: under chartValues: the rules read lokii as loki, the stack is then judged again without both", async () => {
    const r = await stagingWith(
      "    lokii:\n      loki:\n        limits_config:\n          max_query_series: 1000\n" +
        "    lok:\n      gateway:\n        replicas: 2\n",
    );
    assert.equal(r.status, 2, r.stdout + r.stderr);
    const lines = r.stderr.split("\n");
    const read = lines.findIndex((l) =>
      l.includes(
        "(the rules between keys (which keys need which) read homelab-observability:chartValues.lokii as homelab-observability:chartValues.loki, the key it is closest to)",
      ),
    );
    assert.ok(read >= 0, r.stderr);
    assert.equal(
      lines[read + 1],
      "staging: judged again, this time without the refused overrides chartValues.lokii, chartValues.lok (the refusal above stands; nothing is written), for the stack's other problems:",
    );
    assert.equal(
      lines[read + 2],
      "staging: without chartValues.lokii, chartValues.lok, the stack has no other problem",
    );
    assert.doesNotMatch(r.stderr, /judged without/);
  });

  it("one override set twice with a stack key: the second judgement is said as such", async () => {
    const r = await stagingWith(
      "    loki:\n      loki:\n        limits_config:\n          retention_period: 3d\n",
    );
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.ok(
      r.stderr.includes(
        "\nstaging: judged again, this time without the refused override chartValues.loki.loki.limits_config.retention_period (the refusal above stands; nothing is written), for the stack's other problems:\n",
      ),
      r.stderr,
    );
  });
});
