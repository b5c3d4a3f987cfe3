import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";
import { PROJECT } from "../../model/names";
import { pinnedChartKeys } from "../../synth/render/chartFacts";
import { synthStack } from "../../synth/run";
import { versions } from "../../model/versions";
import { pinnedChartArchive, ROOT, tmpDir } from "../support/helpers";

/*
 * The offline synthesis judges a stack file's chartValues against the pinned charts' keys, then
 * runs the program, which judges its config again (config/load.ts). The program there is handed
 * the keys the synthesis judged with (the render cache's, synth/render/chartFacts.ts), not left to
 * read each archive a second time (0.2-0.5 s of CPU a chart, in every process that synthesized a
 * stack with chartValues). Seen here with keys the render cache holds that the archive lacks: the
 * program's judge reads the cache's keys, so it takes the key the stack-file judge took.
 */
describe("the program under the offline synthesis judges chartValues with the synthesis's chart keys", function () {
  this.timeout(60000);
  const saved = process.env.HOMELAB_RENDER_CACHE;
  // One edit from grafana 12.3.1's `revisionHistoryLimit`: a misspelling by the archive's own keys.
  const KEY = "revisionHistoryLimiz";

  after(() => {
    if (saved === undefined) delete process.env.HOMELAB_RENDER_CACHE;
    else process.env.HOMELAB_RENDER_CACHE = saved;
  });

  it("a key the render cache's keys hold passes both judges, though the archive's keys lack it", async function () {
    const cache = tmpDir("program-chart-keys-cache");
    process.env.HOMELAB_RENDER_CACHE = cache;
    // No grafana archive: skipped loudly, a failure under CI (a silent skip there would prove nothing).
    pinnedChartArchive(this, versions.charts.grafana);
    const real = pinnedChartKeys("grafana");
    assert.ok(real, "the grafana archive's keys are read");
    assert.ok(!(KEY in real.values), `the archive's keys already hold ${KEY}`);
    // The cache's entry for the archive, with KEY added at the top level.
    const dir = path.join(cache, "chart-keys");
    const [entry] = fs.readdirSync(dir);
    const file = path.join(dir, entry);
    fs.writeFileSync(file, JSON.stringify({ values: { ...real.values, [KEY]: 0 } }));

    const project = tmpDir("program-chart-keys");
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(project, "Pulumi.yaml"));
    const doc = parse(fs.readFileSync(path.join(ROOT, "Pulumi.staging.yaml"), "utf8"));
    doc.config[`${PROJECT}:chartValues`] = { grafana: { [KEY]: 3 } };
    fs.writeFileSync(path.join(project, "Pulumi.keys.yaml"), stringify(doc));

    // Reading the archive instead, the program refused: `unknown key of the grafana chart ... did
    // you mean chartValues.grafana.revisionHistoryLimit?`.
    const result = await synthStack(project, "keys");
    const release = result.export.deployment.resources.find(
      (r) => r.type === "kubernetes:helm.sh/v3:Release" && r.urn.endsWith("::grafana"),
    );
    assert.ok(release, "the grafana release was synthesized");
  });
});
