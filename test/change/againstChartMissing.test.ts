import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { chartCacheDir } from "../../synth/render/helm";
import { synth, synthCli, tmpDir, withEnv } from "../support/helpers";
import { RELEASE_TYPE } from "../../model/names";

/**
 * `synth --against <export>` renders the previous export's releases with the chart versions it
 * records; an archive of one of them missing from the chart cache is --against's input, said as
 * --running says what runs lacks: which release of the export needs it, the command that fetches
 * it, and no `--no-render` (which --against refuses).
 */
describe("--against: the archive of a previous release's chart missing from the chart cache", function () {
  this.timeout(180000);

  it("names the export's release, the helm pull that fetches the archive, and no --no-render (exit 2)", async () => {
    const dir = tmpDir("against-chart-missing");
    const exp = JSON.parse(JSON.stringify((await synth("staging")).export));
    const loki = exp.deployment.resources.find(
      (r: { type: string; inputs?: { chart?: string } }) =>
        r.type === RELEASE_TYPE && r.inputs?.chart === "loki",
    );
    // A version no chart cache holds: the previous export was deployed with it.
    loki.inputs.version = "6.1.0";
    const previous = path.join(dir, "previous.json");
    fs.writeFileSync(previous, JSON.stringify(exp));
    // The cache with every archive the synthesis renders, none of loki 6.1.0.
    const cache = path.join(dir, "charts");
    fs.mkdirSync(cache);
    for (const f of fs.readdirSync(chartCacheDir()))
      if (f.endsWith(".tgz")) fs.symlinkSync(path.join(chartCacheDir(), f), path.join(cache, f));
    const r = await withEnv({ CI: "true", HOMELAB_CHART_CACHE: cache }, () =>
      synthCli("--stack", "staging", "--out", path.join(dir, "out"), "--quiet", "--against", previous),
    );
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.ok(
      r.stderr.includes(
        `staging: cannot render: --against ${previous}: the chart cache ${cache} lacks loki-6.1.0.tgz, the chart of the previous export's release monitoring/loki; the change check renders each release of the previous export with the chart version it records. Fill the cache with:\n` +
          `    helm pull --repo ${loki.inputs.repositoryOpts.repo} loki --version 6.1.0 -d ${cache}    # monitoring/loki; the chart cache holds loki `,
      ),
      r.stderr,
    );
    assert.match(
      r.stderr,
      /\n {2}or point HOMELAB_CHART_CACHE at a folder holding them \(--against needs the render, so --no-render is no way out\)\n/,
    );
    // Untrue here: the stack's own archives are all there, and --against refuses --no-render.
    assert.doesNotMatch(r.stderr, /this stack renders|synthesize with --no-render/);
    assert.match(
      r.stdout,
      /^staging: FAIL \(exit 2\): cannot render: 1 chart archive missing from the chart cache\n$/m,
    );
  });
});
