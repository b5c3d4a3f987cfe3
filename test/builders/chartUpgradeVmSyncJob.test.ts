import { strict as assert } from "assert";
import * as fs from "fs";
import * as zlib from "zlib";
import { versions } from "../../model/versions";
import { tarFiles } from "../../config/chartKeys";
import { pinnedChartArchive } from "../support/helpers";
import communityData from "../../builders/grafana/data/community-dashboards.json";

/*
 * victoria-metrics-k8s-stack after 0.80.0 (read in 0.91.2): its default dashboards and rules are
 * no longer templates of the chart but what a post-install Job, `vm-sync-job`
 * (templates/sync-job/job.yaml, config.yaml, rbac.yaml), fetches from raw.githubusercontent.com
 * at deploy time into ConfigMaps and VMRules, with an unpinned ghcr.io/victoriametrics/sync-job
 * image and no securityContext. Two facts the program relies on move with it, and nothing else
 * fails before the bump is live: the Job itself, and the dashboards scripts/genDashboards.ts
 * takes from the chart's files/dashboards/generated/.
 */

describe("victoria-metrics-k8s-stack: what a bump past 0.80.0 moves", () => {
  // The Job itself is turned off by the values: test/builders/builders.test.ts.
  it("every VictoriaMetrics dashboard the program ships is a file of the pinned chart archive", function () {
    const chart = versions.charts.victoriaMetricsStack;
    const archive = pinnedChartArchive(this, chart);
    const dir = `${chart.chart}/files/dashboards/generated/`;
    const files = tarFiles(zlib.gunzipSync(fs.readFileSync(archive)), (n) => n.startsWith(dir));
    const shipped = communityData.dashboards.filter((d) => d.source === chart.chart).map((d) => d.file);
    assert.ok(
      shipped.length > 0,
      `builders/grafana/data/community-dashboards.json holds no dashboard of ${chart.chart} ${chart.version}: ` +
        `past 0.80.0 the chart ships none (its sync-job fetches them), and scripts/genDashboards.ts dropped the VictoriaMetrics folder`,
    );
    const missing = shipped.filter((f) => !files.has(`${dir}${f}.yaml`));
    assert.deepEqual(
      missing,
      [],
      `${chart.chart} ${chart.version} has no ${missing.map((f) => `${dir}${f}.yaml`).join(", ")}: ` +
        `past 0.80.0 the chart fetches its dashboards at deploy time (templates/sync-job), so ` +
        `scripts/genDashboards.ts would drop the VictoriaMetrics folder; take them from where the ` +
        `chart's defaultDashboards.sources point (synth/render/dashboards.ts) before regenerating ` +
        `(docs/how-to/chart-upgrades.md)`,
    );
  });
});
