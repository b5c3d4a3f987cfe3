import { strict as assert } from "assert";
import { chartProblems } from "../support/chartSchema";
import { PROJECT } from "../../config/resolve";
import { pinnedChart } from "../../model/versions";

/*
 * A number or null in a chart boolean key, judged by what Helm v3.17.3 does with it. Run: `helm
 * template` of kube-prometheus-stack 88.0.0 with `grafana.enabled` (its grafana subchart's
 * Chart.yaml condition) 0, 1 or null renders the subchart's 12 objects and prints
 * `dependencies.go:63: Warning: Condition path 'grafana.enabled' for chart grafana returned non-bool
 * value` (pkg/chartutil/dependencies.go:56-63 passes over a condition that is no boolean, and
 * every dependency starts on, :165-168), as with "" or "false"; with false none. So 0 keeps on
 * what it was written to leave out: refused as text is. In a key only templates read, `{{ if }}`
 * takes 0 as false and 1 as true, and null deletes Helm's default (false to `if`): `helm template`
 * of grafana 12.3.1 with persistence.enabled, rbac.create or serviceMonitor.enabled 1 renders what
 * true does, with 0 or null what false does. There the value does what it says, and is kept.
 */

const KPS = "kube-prometheus-stack";

describe("chartValues: a number or null in a chart boolean key, as Helm reads it", function () {
  this.timeout(30000);
  const problems = chartProblems;

  const head = `${PROJECT}:chartValues.${KPS}.grafana.enabled: expected true or false, as the ${KPS} chart ${pinnedChart(KPS)?.version}'s default is`;
  const helm =
    "Helm reads grafana.enabled as the grafana subchart's condition (the chart's Chart.yaml dependencies), takes only true or false there and passes over any other value with a warning, rendering the subchart";

  it("0 in a subchart's condition is refused: Helm renders the subchart it was written to leave out", () => {
    assert.deepEqual(problems({ [KPS]: { grafana: { enabled: 0 } } }), [
      `${head} (write false), got the number 0; ${helm}: 0 would not leave it out`,
    ]);
  });

  it("1 in a subchart's condition is refused: Helm passes it over with a warning", () => {
    assert.deepEqual(problems({ [KPS]: { grafana: { enabled: 1 } } }), [
      `${head} (write true), got the number 1; ${helm}: 1 would not leave it out`,
    ]);
  });

  it("null in a subchart's condition is refused: Helm passes it over too, whatever the chart's default", () => {
    assert.deepEqual(problems({ [KPS]: { grafana: { enabled: null } } }), [
      `${head} (write true or false), got null; ${helm}: null would not leave it out`,
    ]);
  });

  it("0, 1 and null in a key only templates read are kept: `if` reads them as false, true and false", () => {
    for (const v of [0, 1, null]) {
      assert.deepEqual(
        problems({ grafana: { persistence: { enabled: v }, rbac: { create: v } } }),
        [],
        String(v),
      );
      assert.deepEqual(problems({ [KPS]: { grafana: { defaultDashboardsEnabled: v } } }), [], String(v));
    }
  });
});
