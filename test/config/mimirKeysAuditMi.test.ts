/**
 * Audit hMi: `mimir.blocksRetention` below a day is refused at its file:line. The compactor deletes
 * every block older than `limits.compactor_blocks_retention_period`, and the ingesters keep the last
 * 13h themselves (upstream/engines/data/mimir-3.0/config-fields.tsv, blocks_storage.tsdb.retention_period):
 * Mimir starts with "3m" (minutes, meant as months) and deletes all history at the compactor's next
 * run. Every wrong value gets the one form, in one message.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { config, ROOT } from "../support/helpers";
import { P, refusal } from "../support/stackText";

const production = fs.readFileSync(path.join(ROOT, "Pulumi.production.yaml"), "utf8");
const FORM =
  'expected a duration of at least 1d like "90d" (number + h|d|w|y; "m" is minutes, not months): the compactor deletes every block older than this, and below a day the bucket keeps no history';
const withRetention = (value: string) =>
  `${production}  ${P("mimir")}:\n    blocksRetention: ${JSON.stringify(value)}\n`;

describe("config: mimir.blocksRetention of at least a day, at its line (audit hMi)", () => {
  // The unit spelled out ("90days") gets the nearest value the key takes.
  const hint: Record<string, string> = { "90days": '; did you mean "90d"?' };
  for (const value of ["3m", "12h", "90days", "0"])
    it(`${value}: one message, the form, with file:line`, () => {
      const e = refusal(withRetention(value));
      const lines = e.problems.filter((p) => p.startsWith(`${P("mimir.blocksRetention")}:`));
      assert.deepEqual(
        lines,
        [`${P("mimir.blocksRetention")}: ${FORM}, got string "${value}"${hint[value] ?? ""}`],
        e.message,
      );
      assert.match(e.message, /Pulumi\.s\.yaml:\d+:\d+\n\s+\d+ \|\s+blocksRetention: /);
    });
  for (const value of ["1d", "24h", "90d", "1y"])
    it(`${value} is taken`, () => {
      assert.equal(config({ mimir: { blocksRetention: value } }).mimir.blocksRetention, value);
    });
});

/*
 * `mimir.ingestionRate` against the declared series: Mimir's distributor refuses every sample a
 * second beyond it (HTTP 429), so a set rate below what workload.activeSeries sends every 30s lost
 * samples while the synthesis passed, and the default (100000) stayed put for a workload that sends
 * more (6000000 series: 200000 a second).
 */
describe("config: mimir.ingestionRate takes what the declared series send (audit hMi)", () => {
  const workload = (series: number, rate?: number) =>
    `${production}  ${P("workload")}:\n    activeSeries: ${series}\n` +
    (rate === undefined ? "" : `  ${P("mimir")}:\n    ingestionRate: ${rate}\n`);

  it("a set rate below what the series send is refused at its line, one message", () => {
    const e = refusal(workload(500000, 10));
    const lines = e.problems.filter((p) => p.startsWith(`${P("mimir.ingestionRate")}:`));
    assert.deepEqual(
      lines,
      [
        `${P("mimir.ingestionRate")}: expected at least 16667 samples a second (workload.activeSeries 500000 scraped every 30s), or Mimir's distributor refuses the samples beyond it; got 10`,
      ],
      e.message,
    );
    assert.match(e.message, /Pulumi\.s\.yaml:\d+:\d+\n\s+\d+ \|\s+ingestionRate: 10/);
  });

  it("a set rate that takes them is kept", () => {
    assert.equal(
      config({ workload: { activeSeries: 500000 }, mimir: { ingestionRate: 16667 } }).mimir.ingestionRate,
      16667,
    );
  });

  it("the default follows the series cap past 100000 a second, and stays 100000 below", () => {
    assert.equal(config({}).mimir.ingestionRate, 100000);
    assert.equal(config({ mimir: { maxGlobalSeriesPerUser: 6000000 } }).mimir.ingestionRate, 200000);
  });
});
