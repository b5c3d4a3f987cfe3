import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { spawnSync } from "child_process";
import { chartCacheDir } from "../../synth/render/helm";
import { compiled, ROOT, tmpDir } from "../support/helpers";

/**
 * The render cache keeps Helm's refusals too (synth/render/template.ts: `<key>.error` beside the
 * renders' `<key>.json`): a release whose values Helm refuses is not rendered again while nothing
 * changed, and it still comes back as that release's error, never as an empty render. A stand-in
 * for Helm refuses every render and logs each run; each render here runs in a fresh process, so
 * only the disk can serve it.
 */
describe("the render cache keeps a refused render (fresh processes, a Helm that refuses)", function () {
  this.timeout(60000);
  const CHART = "prometheus-node-exporter";
  const VERSION = "4.49.1";

  it("serves Helm's error from disk the second time, without running Helm, and renders changed values again", () => {
    const dir = tmpDir("render-cache-errors");
    const charts = path.join(dir, "charts");
    fs.mkdirSync(charts);
    fs.copyFileSync(
      path.join(chartCacheDir(), `${CHART}-${VERSION}.tgz`),
      path.join(charts, `${CHART}-${VERSION}.tgz`),
    );
    const log = path.join(dir, "helm.log");
    const helm = path.join(dir, "helm");
    fs.writeFileSync(
      helm,
      `#!/bin/sh\necho "$1" >> ${JSON.stringify(log)}\necho "Error: values refused" >&2\nexit 1\n`,
    );
    fs.chmodSync(helm, 0o755);

    const render = (values: Record<string, unknown>) => {
      const file = path.join(dir, "export.json");
      fs.writeFileSync(
        file,
        JSON.stringify({
          version: 3,
          deployment: {
            manifest: { time: new Date(0).toISOString(), magic: "", version: "v3.0.0-test" },
            resources: [
              {
                urn: "urn:pulumi:cache::homelab-observability::kubernetes:helm.sh/v3:Release::ne",
                custom: true,
                type: "kubernetes:helm.sh/v3:Release",
                inputs: { name: "ne", namespace: "monitoring", chart: CHART, version: VERSION, values },
                outputs: {},
              },
            ],
          },
        }),
      );
      fs.writeFileSync(log, "");
      const code = `
        const { renderExport } = require(${JSON.stringify(compiled("synth/render/render.ts"))});
        const exp = JSON.parse(require("fs").readFileSync(${JSON.stringify(file)}, "utf8"));
        renderExport(exp, { helm: ${JSON.stringify(helm)}, chartCache: ${JSON.stringify(charts)},
          cacheDir: ${JSON.stringify(path.join(dir, "render"))}, pull: false })
          .then((r) => console.log(JSON.stringify({ error: r[0].error, objects: r[0].objects.length })))
          .catch((e) => { console.error(e); process.exit(1); });`;
      const r = spawnSync(process.execPath, ["-e", code], { cwd: ROOT, encoding: "utf8" });
      assert.equal(r.status, 0, r.stderr);
      const runs = fs
        .readFileSync(log, "utf8")
        .split("\n")
        .filter((l) => l === "template").length;
      return { ...(JSON.parse(r.stdout) as { error?: string; objects: number }), runs };
    };

    const first = render({ fullnameOverride: "ne" });
    assert.ok(first.runs >= 1, "the first render runs helm template");
    assert.equal(first.error, "Error: values refused");
    const again = render({ fullnameOverride: "ne" });
    assert.deepEqual(again, { error: "Error: values refused", objects: 0, runs: 0 });
    assert.ok(render({ fullnameOverride: "ne2" }).runs >= 1, "changed values run Helm again");
  });
});
