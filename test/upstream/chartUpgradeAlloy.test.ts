import { strict as assert } from "assert";
import * as fs from "fs";
import * as zlib from "zlib";
import { parse } from "yaml";
import { versions } from "../../model/versions";
import { tarFiles } from "../../config/chartKeys";
import { pinnedChartArchive } from "../support/helpers";

/*
 * The Alloy reference (upstream/alloy: registry.json, components.json, the parser corpus, apiNeeds.ts) is read at
 * the pinned Alloy image, and test/upstream/reference.test.ts holds it to that pin. The chart is
 * bumped on its own: alloy 1.11.1 deploys Alloy v1.18.1 (Chart.yaml appVersion; 1.5.0: v1.12.0), and
 * its templates pass what that version reads. Nothing failed when the chart moved past the image and
 * the reference it was read at.
 */
describe("alloy chart: the Alloy it deploys is the pinned image the reference was read at", () => {
  it("images.alloy is the pinned chart's appVersion (Chart.yaml)", function () {
    const chart = versions.charts.alloy;
    const archive = pinnedChartArchive(this, chart);
    const file = `${chart.chart}/Chart.yaml`;
    const meta = parse(
      tarFiles(zlib.gunzipSync(fs.readFileSync(archive)), (n) => n === file).get(file) ?? "{}",
    );
    assert.equal(
      versions.images.alloy.tag,
      meta.appVersion,
      `${chart.chart} ${chart.version} deploys Alloy ${meta.appVersion} (${file} appVersion), the image pin is ` +
        `${versions.images.alloy.tag}: move images.alloy in model/versions.ts to it and refresh the reference read ` +
        `at that tag (upstream/alloy/data, components.ts ALLOY_REFERENCE, apiNeeds.ts; docs/how-to/chart-upgrades.md)`,
    );
  });
});
