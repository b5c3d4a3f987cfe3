import { strict as assert } from "assert";
import { chartValueProblems } from "../../config/chartValueCheck";
import { PROJECT } from "../../config/resolve";
import { pinnedChartKeys } from "../../synth/render/chartFacts";

/*
 * chartValues.kube-prometheus-stack.grafana.enabled: null was refused with "(write true or false,
 * or remove the key for the chart's default)". Removing the key does not give the chart's default
 * (true, kube-prometheus-stack 88.0.0 values.yaml): the program's own value stands, and the program
 * sets grafana.enabled false (builders/metrics/kpsValues.ts:51), so the subchart stays out. The hint
 * names only what is true wherever it is printed: write true or false.
 */

const KPS = "kube-prometheus-stack";

describe("chartValues: null in a subchart's condition is told what to write, nothing untrue", function () {
  this.timeout(30000);

  it("null at grafana.enabled is refused with 'write true or false', not 'remove the key for the chart's default'", () => {
    assert.ok(pinnedChartKeys(KPS), `the pinned ${KPS} archive is not in the chart cache`);
    const [problem, ...rest] = chartValueProblems(
      { [KPS]: { grafana: { enabled: null } } },
      (chart) => pinnedChartKeys(chart),
      PROJECT,
    );
    assert.deepEqual(rest, []);
    assert.match(problem, /'s default is \(write true or false\), got null; /);
    assert.doesNotMatch(problem, /remove the key/);
  });
});
