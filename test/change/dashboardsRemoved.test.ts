import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { communityDashboardsData } from "../../builders/grafana/community";
import { checkChange } from "../../change/check";
import { dashboardsVerdicts } from "../../change/dashboards";
import { versions } from "../../model/versions";
import type { ExportResource, StackExport } from "../../synth/synthesize";
import { ROOT, synth, tmpDir } from "../support/helpers";

/*
 * A chart bump whose chart stopped shipping its dashboards (victoria-metrics-k8s-stack 0.80.0 ->
 * 0.91.2): regenerated with --allow-dropped, the data has none of the chart's, and the synthesis
 * deletes the folder's ConfigMap. The change check said only `- delete ConfigMap::...` and passed.
 */

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;
const VM = versions.charts.victoriaMetricsStack;
const isVmMap = (r: ExportResource) => r.urn.endsWith("::grafana-dashboards-victoriametrics");

describe("change check: Grafana dashboards the update removes (change/dashboards.ts)", function () {
  this.timeout(120000);
  let previous: StackExport;
  before(async () => {
    previous = clone((await synth("pi")).export);
  });

  it("warns of a dashboards ConfigMap the update deletes, naming its dashboards and the generator step", () => {
    assert.ok(previous.deployment.resources.some(isVmMap), "pi provisions the VictoriaMetrics folder");
    // The export after the bump: the folder's ConfigMap gone, as the data without the chart's dashboards builds it.
    const next = clone(previous);
    next.deployment.resources = next.deployment.resources.filter((r) => !isVmMap(r));
    const data = communityDashboardsData();
    const regenerated = { ...data, dashboards: data.dashboards.filter((d) => d.source !== VM.chart) };
    assert.deepEqual(dashboardsVerdicts(previous, next, regenerated), [
      {
        line:
          `WARNING Grafana dashboards removed: the update deletes ConfigMap monitoring/homelab-dashboards-victoriametrics (folder VictoriaMetrics) and its 3 dashboard(s), which Grafana stops showing: ` +
          `victoria-metrics-k8s-stack-victoriametrics-single-node.json, victoria-metrics-k8s-stack-victoriametrics-vmagent.json and victoria-metrics-k8s-stack-victoriametrics-vmalert.json: ` +
          `builders/grafana/data/community-dashboards.json no longer has them: npx tsx scripts/genDashboards.ts took none from victoria-metrics-k8s-stack ${VM.version} ` +
          `(it refuses to drop a chart's dashboards unless run with --allow-dropped victoria-metrics-k8s-stack; a chart that moved its dashboards out of its archive needs another source first: docs/how-to/chart-upgrades.md). ` +
          `Passed: the dashboards hold no data, and the update that ships them again brings them back`,
        refused: false,
      },
    ]);
  });

  it("says nothing when every dashboard stays, even moved to another folder's ConfigMap", () => {
    assert.deepEqual(dashboardsVerdicts(previous, previous), []);
    const next = clone(previous);
    const vm = next.deployment.resources.find(isVmMap)!;
    const loki = next.deployment.resources.find((r) => r.urn.endsWith("::grafana-dashboards-loki"))!;
    loki.inputs = { ...loki.inputs, data: { ...loki.inputs.data, ...vm.inputs.data } };
    next.deployment.resources = next.deployment.resources.filter((r) => r !== vm);
    assert.deepEqual(dashboardsVerdicts(previous, next), []);
  });

  it("--against prints the warning above the objects and passes (exit 0, nothing refused)", async () => {
    // The previous export had a folder this synthesis no longer provisions.
    const before = clone(previous);
    const vm = before.deployment.resources.find(isVmMap)!;
    before.deployment.resources.push({
      ...clone(vm),
      urn: vm.urn.replace(/grafana-dashboards-victoriametrics$/, "grafana-dashboards-old"),
      inputs: {
        ...clone(vm.inputs),
        metadata: {
          ...vm.inputs.metadata,
          name: "homelab-dashboards-old",
          annotations: { grafana_folder: "Old" },
        },
        data: { "homelab-old.json": "{}" },
      },
    });
    const file = path.join(tmpDir("dashboards-removed"), "pi.json");
    fs.writeFileSync(file, JSON.stringify(before));
    const c = await checkChange(ROOT, "pi", await synth("pi"), { against: file });
    assert.equal(c.code, 0, c.text);
    assert.equal(c.refused, 0, c.text);
    const lines = c.text.split("\n");
    assert.equal(
      lines[1],
      "WARNING Grafana dashboards removed: the update deletes ConfigMap monitoring/homelab-dashboards-old (folder Old) and its 1 dashboard(s), which Grafana stops showing: " +
        "homelab-old.json: the program no longer builds them (builders/grafana/dashboards.ts). Passed: the dashboards hold no data, and the update that ships them again brings them back",
      c.text,
    );
    assert.ok(
      lines.includes("-  delete  ConfigMap::grafana-dashboards-old (grafana-dashboards-old)"),
      c.text,
    );
  });
});
