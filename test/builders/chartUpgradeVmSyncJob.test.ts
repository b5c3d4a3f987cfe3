import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import { vmValues } from "../../builders/metrics/vmValues";
import { capabilities } from "../../model/phases";
import { PHASES } from "../../config/resolve";
import { versions } from "../../model/versions";
import { tarFiles } from "../../config/chartKeys";
import { chartCacheDir } from "../../synth/render/helm";
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

const alerting = { pushover: true, pushoverPriority: 0, heartbeat: true, heartbeatInterval: "1m" };

describe("victoria-metrics-k8s-stack: what a bump past 0.80.0 moves", () => {
  it("the values turn the chart's sync-job off in every phase (0.91.2 templates/sync-job/job.yaml: `syncJob.enabled`)", () => {
    for (const phase of PHASES) {
      const v = vmValues({
        caps: capabilities(phase, "victoriametrics"),
        cluster: "pi",
        profile: "lightweight",
        retention: "14d",
        volumeSize: "20Gi",
        storageClass: "nvme",
        scrapeInterval: "30s",
        bufferBytes: 1 << 30,
        alerting,
      });
      assert.deepEqual(v.syncJob, { enabled: false }, `${phase}: syncJob`);
    }
  });

  it("every VictoriaMetrics dashboard the program ships is a file of the pinned chart archive", () => {
    const chart = versions.charts.victoriaMetricsStack;
    const archive = path.join(chartCacheDir(), `${chart.chart}-${chart.version}.tgz`);
    if (!fs.existsSync(archive)) {
      const why = `no chart archive ${archive} (set HOMELAB_CHART_CACHE)`;
      if (process.env.CI === "true") throw new Error(`${why}; CI needs it`);
      return console.warn(`\n  !!! ${why}\n`);
    }
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
