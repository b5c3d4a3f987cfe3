import { strict as assert } from "assert";
import { chartValueProblems } from "../../config/chartValueCheck";
import { PROJECT } from "../../config/resolve";
import { pinnedChart } from "../../model/versions";
import { pinnedChartKeys } from "../../synth/render/chartFacts";

/*
 * Text where the chart's default is a boolean is refused, and for most keys the reason is the
 * templates' (any text but "" is true). A key that is a subchart's Chart.yaml `condition`
 * (kube-prometheus-stack's `grafana.enabled`) is read by Helm itself, not by a template: Helm
 * v3.17.3 sets every dependency on (pkg/chartutil/dependencies.go:165-168), then passes over a
 * condition that is not a boolean with a warning (:56-63), so `""` or `"false"` leaves the subchart
 * rendered; `helm template` of the pinned archives shows it (the grafana subchart's 12 objects of
 * kube-prometheus-stack 88.0.0 with "", "false", 0 or null, none with false). The reason said for
 * such a key is Helm's, and the refusal stays.
 */

const P = (k: string) => `${PROJECT}:${k}`;
const KPS = "kube-prometheus-stack";
const VMKS = "victoria-metrics-k8s-stack";

const problems = (values: Record<string, Record<string, unknown>>) =>
  chartValueProblems(values, (chart) => pinnedChartKeys(chart), PROJECT);

describe("chartValues: text in a subchart's condition is refused with what Helm does with it", function () {
  this.timeout(30000);

  before(function () {
    if (!pinnedChartKeys(KPS) || !pinnedChartKeys(VMKS) || !pinnedChartKeys("loki"))
      throw new Error("pinned chart archives not in the chart cache");
  });

  it('"" in kube-prometheus-stack grafana.enabled: Helm renders the subchart, said so, not "any text but \\"\\" is true"', () => {
    const [p] = problems({ [KPS]: { grafana: { enabled: "" } } });
    assert.equal(
      p,
      `${P(`chartValues.${KPS}.grafana.enabled`)}: expected true or false, as the ${KPS} chart ${pinnedChart(KPS)?.version}'s default is (write true or false, without quotes), got string ""; ` +
        `Helm reads grafana.enabled as the grafana subchart's condition (the chart's Chart.yaml dependencies), takes only true or false there and passes over any other value with a warning, rendering the subchart: "" would not leave it out`,
    );
  });

  it('"false" in victoria-metrics-k8s-stack kube-state-metrics.enabled: the subchart is rendered, not "turned on" by a template', () => {
    const [p] = problems({ [VMKS]: { "kube-state-metrics": { enabled: "false" } } });
    assert.match(
      p,
      /got string "false"; Helm reads kube-state-metrics\.enabled as the kube-state-metrics subchart's condition /,
    );
    assert.match(p, /rendering the subchart: "false" would not leave it out$/);
    assert.doesNotMatch(p, /any text but/);
  });

  it("the conditions are read from every Chart.yaml of the archive, a subchart's under its key", () => {
    const paths = (pinnedChartKeys(VMKS)?.conditions ?? []).map(
      (c) => `${c.path.join(".")} ${c.subchart} ${c.alone}${c.within ? ` ${c.within}` : ""}`,
    );
    assert.deepEqual(paths.sort(), [
      "grafana.enabled grafana true",
      "kube-state-metrics.enabled kube-state-metrics true",
      "prometheus-node-exporter.enabled prometheus-node-exporter true",
      "victoria-metrics-operator.crds.plain crds true victoria-metrics-operator",
      "victoria-metrics-operator.enabled victoria-metrics-operator true",
    ]);
  });

  it('"" in loki rollout_operator.crds.enabled: a subchart\'s own condition, read only while that subchart renders', () => {
    // loki 18.11.0 leaves rollout_operator off (values.yaml `rollout_operator.enabled: false`);
    // Helm drops a disabled subchart before reading its own dependencies' conditions
    // (dependencies.go:176-206): `helm template` with rollout_operator.crds.enabled "" renders no
    // CRD and prints no warning, and with rollout_operator.enabled true the warning and both CRDs.
    const [p] = problems({ loki: { rollout_operator: { crds: { enabled: "" } } } });
    assert.match(
      p,
      /got string ""; while the rollout_operator subchart renders, Helm reads rollout_operator\.crds\.enabled as the crds subchart's condition \(the rollout_operator subchart's Chart\.yaml dependencies\), takes only true or false there and passes over any other value with a warning, rendering the subchart: "" would not leave it out$/,
    );
  });

  it("a key that is no condition keeps the templates' reason", () => {
    const [p] = problems({ [KPS]: { grafana: { defaultDashboardsEnabled: "false" } } });
    assert.match(p, /to the chart's templates any text but "" is true, so "false" would turn it on/);
  });
});
