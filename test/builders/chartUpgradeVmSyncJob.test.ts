import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as zlib from "zlib";
import { versions } from "../../model/versions";
import { tarFiles } from "../../config/chartKeys";
import { pinnedChartArchive } from "../support/helpers";
import communityData from "../../builders/grafana/data/community-dashboards.json";
import { communityDashboardsFile, type CommunityDashboardsData } from "../../builders/grafana/community";
import { renderCommunityDashboards } from "../../synth/render/dashboards";
import { chartCacheDir } from "../../synth/render/helm";
import { genDashboards } from "../../scripts/genDashboards";
import { cached, cacheKey } from "../support/fixtureCache";

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

describe("scripts/genDashboards.ts: a chart bump that drops a source's dashboards", function () {
  this.timeout(120000);
  const chart = versions.charts.victoriaMetricsStack;
  const bumped = { [chart.chart]: "0.91.2" };
  let dir = "";
  let target = "";
  let render: () => CommunityDashboardsData;

  before(async function () {
    pinnedChartArchive(this, { chart: chart.chart, version: "0.91.2" });
    // Helm renders three charts (about 3 s): kept in the fixture cache, keyed by every source file
    // and the chart archives. The bump is the render's, model/versions.ts stays at its pin.
    const data = await cached(
      "community-dashboards-bumped",
      cacheKey("community-dashboards-bumped", bumped),
      () => Promise.resolve(renderCommunityDashboards(undefined, bumped)),
    );
    render = () => structuredClone(data);
  });
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "gen-dashboards-"));
    target = path.join(dir, "community-dashboards.json");
    fs.copyFileSync(communityDashboardsFile(), target);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("fails naming the chart, both versions, the dashboards lost and what it found, and writes nothing", () => {
    const before = fs.readFileSync(target, "utf8");
    const run = genDashboards([], { target, bumped, render });
    assert.equal(run.code, 1);
    assert.equal(run.stdout, "");
    const archive = path.join(chartCacheDir(), `${chart.chart}-0.91.2.tgz`);
    assert.equal(
      run.stderr,
      `npx tsx scripts/genDashboards.ts: victoria-metrics-k8s-stack ${chart.version} -> 0.91.2: ${target} has 3 dashboard(s) of it, the render of 0.91.2 gives none; ` +
        `lost: victoriametrics-single-node, victoriametrics-vmagent and victoriametrics-vmalert; found: none. ` +
        `Written as it is, the next update would remove them from Grafana's VictoriaMetrics folder in every stack without a word. ` +
        `Read where victoria-metrics-k8s-stack 0.91.2 ships its dashboards (tar -tzf ${archive}; its templates and values.yaml) and take them in synth/render/dashboards.ts; ` +
        `or, to let them go, run: npx tsx scripts/genDashboards.ts --allow-dropped victoria-metrics-k8s-stack (docs/how-to/chart-upgrades.md)\n` +
        `npx tsx scripts/genDashboards.ts: ${target} not written\n`,
    );
    assert.equal(fs.readFileSync(target, "utf8"), before);
  });

  it("writes the data without them when told, and says what it let go", () => {
    const run = genDashboards(["--allow-dropped", chart.chart], { target, bumped, render });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(
      run.stdout,
      `wrote ${target}: 24 from kube-prometheus-stack, 4 from loki; 3 of victoria-metrics-k8s-stack dropped (${chart.version} -> 0.91.2, --allow-dropped): victoriametrics-single-node, victoriametrics-vmagent and victoriametrics-vmalert\n`,
    );
    const written = JSON.parse(fs.readFileSync(target, "utf8")) as CommunityDashboardsData;
    assert.deepEqual(
      written.dashboards.filter((d) => d.source === chart.chart),
      [],
    );
  });

  it("refuses a flag naming no chart of the data, with the charts it takes", () => {
    const run = genDashboards(["--allow-dropped", "victoria-metrics"], { target, bumped, render });
    assert.equal(run.code, 2);
    assert.equal(
      run.stderr,
      `npx tsx scripts/genDashboards.ts: --allow-dropped victoria-metrics: expected a chart ${target} has dashboards of (kube-prometheus-stack, loki or victoria-metrics-k8s-stack), found "victoria-metrics"\n`,
    );
  });
});
