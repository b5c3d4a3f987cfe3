import { strict as assert } from "assert";
import { chartValueProblems } from "../../config/chartValueCheck";
import { PROJECT } from "../../config/resolve";
import { versions } from "../../model/versions";
import { pinnedChartKeys } from "../../synth/render/chartFacts";
import { CHART_TEXT_NUMBERS } from "../../upstream/chartTextNumbers";

/*
 * A whole number written as text at a chart's number key: refused as text "the chart's templates
 * would read", where a sweep with Helm saw the chart render it as the number
 * (synth/textNumbers.ts, into upstream/charts/data/text-numbers.json): grafana's
 * service.port "7" renders the Service's `port: 7`, the stack runs, and the check refused it
 * (exit 2). Text the chart renders otherwise stays refused.
 */

/** `v` at `path`, as nested maps. */
const at = (path: string, v: unknown): Record<string, unknown> =>
  path
    .split(".")
    .reverse()
    .reduce<unknown>((a, k) => ({ [k]: a }), v) as Record<string, unknown>;

const problems = (chart: string, path: string, v: unknown) =>
  chartValueProblems({ [chart]: at(path, v) }, (c) => pinnedChartKeys(c), PROJECT);

describe("chartValues: a number's text the chart renders as the number is accepted", function () {
  this.timeout(30000);

  it("was swept at the pinned chart versions, at keys whose default is a number", () => {
    for (const [chart, row] of Object.entries(CHART_TEXT_NUMBERS)) {
      const pinned = Object.values(versions.charts).find((c) => c.chart === chart);
      assert.equal(
        pinned?.version,
        row.version,
        `${chart}: its row in upstream/charts/data/text-numbers.json is of another version than the pinned one; sweep it again: npm run refresh-text-numbers -- --write --chart ${chart}`,
      );
      const keys = pinnedChartKeys(chart);
      assert.ok(keys, `the pinned ${chart} archive is not in the chart cache`);
      for (const path of [...row.any, ...row.nonzero]) {
        const kind: unknown = path
          .split(".")
          .reduce<unknown>((k, s) => (k as Record<string, unknown>)?.[s], keys.kinds);
        assert.equal(kind, "number", `${chart} ${path}`);
      }
    }
  });

  it('accepts a whole number\'s text at each key, "0" only where it renders as 0', () => {
    for (const [chart, row] of Object.entries(CHART_TEXT_NUMBERS)) {
      for (const path of [...row.any, ...row.nonzero])
        assert.deepEqual(problems(chart, path, "7"), [], `${chart} ${path}`);
      for (const path of row.any) assert.deepEqual(problems(chart, path, "0"), [], `${chart} ${path}`);
      for (const path of row.nonzero)
        assert.match(problems(chart, path, "0").join("\n"), /expected a number/, `${chart} ${path}`);
    }
  });

  it("still refuses text the chart renders otherwise, and text that is no whole number", () => {
    // toYaml'd into the pod's securityContext: the object holds "7", which the API server refuses
    // for an integer.
    assert.match(
      problems("kube-state-metrics", "securityContext.runAsUser", "7").join("\n"),
      /securityContext\.runAsUser: expected a number, .*got string "7"/,
    );
    // Printed as text into the PodDisruptionBudget (run: `maxUnavailable: "7"` where 7 renders 7).
    assert.match(
      problems("loki", "write.maxUnavailable", "1").join("\n"),
      /write\.maxUnavailable: expected a number/,
    );
    for (const v of ["07", "3000.0", " 3000"])
      assert.match(problems("grafana", "service.port", v).join("\n"), /service\.port: expected a number/, v);
  });
});
