import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import { parse } from "yaml";
import { cachedChartKeys, chartCacheDir, chartKeysFile } from "../../config/chartCache";
import { chartKeys } from "../../config/chartKeys";
import { pinnedChart } from "../../model/versions";
import { ConfigError, PROJECT } from "../../config/resolve";
import { loadStackConfig } from "../../config/load";
import { chartKeysAt, pinnedChartKeys } from "../../synth/render/chartFacts";
import { ROOT, tmpDir, withEnv } from "../support/helpers";
import { withRuntimeConfig } from "../support/runtimeConfig";

/*
 * The chart keys store (config/chartCache.ts): the keys read from a chart archive, kept in
 * `<render cache>/chart-keys/` by the sha256 of the archive's bytes. `pulumi preview`
 * (config/load.ts through cachedChartKeys) and the offline synthesis (synth/render/chartFacts.ts
 * chartKeysAt) read and write the one store, so a process whose store holds an archive's keys
 * never unzips the archive (loki's costs 0.53 s of CPU), and a replaced archive is read anew.
 * Seen through keys the store holds that the archive lacks: a process that read the archive would
 * refuse them.
 */

// One edit from grafana 12.3.1's `revisionHistoryLimit`: a misspelling by the archive's own keys.
const KEY = "revisionHistoryLimiz";
const GRAFANA = pinnedChart("grafana");

/** A chart cache of its own holding a copy of the pinned grafana archive, or undefined without one. */
function chartCacheWithGrafana(): { dir: string; archive: string } | undefined {
  const source = GRAFANA && path.join(chartCacheDir(), `grafana-${GRAFANA.version}.tgz`);
  if (!source || !fs.existsSync(source)) return undefined;
  const dir = tmpDir("store-charts");
  const archive = path.join(dir, path.basename(source));
  fs.copyFileSync(source, archive);
  fs.chmodSync(archive, 0o644);
  return { dir, archive };
}

/** Runs `fn` with `vars` set in the environment, then sets it back. */
function inEnv(vars: Record<string, string>, fn: () => void): Promise<void> {
  return withEnv(vars, () => Promise.resolve(fn()));
}

/** The sha256 of the archive's bytes, as the store names it. */
function digestOf(archive: string): string {
  return crypto.createHash("sha256").update(fs.readFileSync(archive)).digest("hex");
}

/** Puts into `store` the archive's real keys with KEY added at the top level. */
function storeWithKey(store: string, archive: string): void {
  const real = chartKeys(zlib.gunzipSync(fs.readFileSync(archive)));
  assert.ok(!(KEY in real.values), `the archive's keys already hold ${KEY}`);
  const file = chartKeysFile(digestOf(archive), store);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ ...real, values: { ...real.values, [KEY]: 0 } }));
}

/** Staging's secrets, as the CLI hands them over (test values). */
const SECRETS: Record<string, string> = {
  minioAdminUser: "admin",
  minioAdminPassword: "test-password-7f3a",
  pushoverToken: "test-token-7f3a",
  pushoverUserKey: "test-user-7f3a",
  heartbeatUrl: "https://heartbeat.test/ping/7f3a",
};

/** Staging's stack file as `s` in a project of its own, and its config as the CLI hands it over. */
function stagingWith(chartValues: unknown): { dir: string; config: Record<string, string> } {
  const dir = tmpDir("store-project");
  fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  fs.copyFileSync(path.join(ROOT, "Pulumi.staging.yaml"), path.join(dir, "Pulumi.s.yaml"));
  const doc = parse(fs.readFileSync(path.join(ROOT, "Pulumi.staging.yaml"), "utf8"));
  const config: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...doc.config, [`${PROJECT}:chartValues`]: chartValues }))
    config[k] = typeof v === "string" ? v : JSON.stringify(v);
  for (const [k, v] of Object.entries(SECRETS)) config[`${PROJECT}:${k}`] = v;
  return { dir, config };
}

/** loadStackConfig under the Pulumi runtime holding `config`, the secrets passed as secrets. */
function loadWith(dir: string, config: Record<string, string>) {
  return withRuntimeConfig("s", config, () => {
    pulumi.runtime.setAllConfig(
      config,
      Object.keys(SECRETS).map((k) => `${PROJECT}:${k}`),
    );
    return loadStackConfig(dir, false);
  });
}

describe("config: the chart keys store, one for pulumi preview and the offline synthesis (config/chartCache.ts)", function () {
  this.timeout(60000);

  it("loadStackConfig (pulumi preview) judges chartValues with the store's keys, without reading the archive", async function () {
    const charts = chartCacheWithGrafana();
    if (!charts) this.skip(); // No grafana archive in the chart cache: nothing is checked.
    const { dir, config } = stagingWith({ grafana: { [KEY]: 3 } });
    const load = () => loadWith(dir, config);
    // The archive read: refused, as a misspelling of the chart's own key.
    await withEnv({ HOMELAB_CHART_CACHE: charts.dir, HOMELAB_RENDER_CACHE: tmpDir("store-empty") }, () =>
      assert.rejects(load(), (e: unknown) => {
        assert.ok(e instanceof ConfigError, String(e));
        assert.match(
          e.message,
          /chartValues\.grafana\.revisionHistoryLimiz: unknown key of the grafana chart/,
        );
        return true;
      }),
    );
    // The store's keys, which hold it: taken, so the archive was not read.
    const store = tmpDir("store-held");
    storeWithKey(store, charts.archive);
    const cfg = await withEnv({ HOMELAB_CHART_CACHE: charts.dir, HOMELAB_RENDER_CACHE: store }, load);
    assert.equal(cfg.chartValues?.grafana?.[KEY], 3);
  });

  it("keeps what it reads from an archive where the synthesis reads it (chartKeysAt), by the archive's digest", async function () {
    const charts = chartCacheWithGrafana();
    if (!charts) this.skip();
    const store = tmpDir("store-shared");
    await inEnv({ HOMELAB_CHART_CACHE: charts.dir, HOMELAB_RENDER_CACHE: store }, () => {
      const read = cachedChartKeys("grafana");
      const file = chartKeysFile(digestOf(charts.archive), store);
      assert.deepEqual(JSON.parse(fs.readFileSync(file, "utf8")), read, "written by pulumi preview's path");
      storeWithKey(store, charts.archive);
      assert.ok(KEY in (pinnedChartKeys("grafana")?.values ?? {}), "the synthesis reads the same entry");
    });
  });

  it("reads a replaced archive anew: new bytes, another digest, another entry", async function () {
    const charts = chartCacheWithGrafana();
    if (!charts) this.skip();
    const store = tmpDir("store-replaced");
    storeWithKey(store, charts.archive);
    const first = digestOf(charts.archive);
    await inEnv({ HOMELAB_RENDER_CACHE: store }, () => {
      assert.ok(KEY in (cachedChartKeys("grafana", charts.dir)?.values ?? {}), "the stored keys, first");
      // The same chart gzipped anew and written over the archive in place (same path and inode).
      const tar = zlib.gunzipSync(fs.readFileSync(charts.archive));
      fs.writeFileSync(charts.archive, zlib.gzipSync(tar, { level: 1 }));
      const keys = cachedChartKeys("grafana", charts.dir);
      assert.ok(keys && !(KEY in keys.values) && "replicas" in keys.values, "the new archive's own keys");
      const second = digestOf(charts.archive);
      assert.notEqual(second, first);
      assert.deepEqual(
        fs.readdirSync(path.join(store, "chart-keys")).sort(),
        [first, second].map((d) => `${d}.v14.json`).sort(),
      );
    });
  });

  it("still gives the keys when the store cannot be written (the next process reads the archive again)", async function () {
    const charts = chartCacheWithGrafana();
    if (!charts) this.skip();
    const notADir = path.join(tmpDir("store-unwritable"), "file");
    fs.writeFileSync(notADir, "");
    await inEnv({ HOMELAB_RENDER_CACHE: notADir }, () => {
      assert.ok("replicas" in (cachedChartKeys("grafana", charts.dir)?.values ?? {}));
      assert.equal(fs.readFileSync(notADir, "utf8"), "");
    });
  });

  // An empty HOMELAB_RENDER_CACHE (`HOMELAB_RENDER_CACHE= npm run synth`) named the working
  // directory: a stack with chartValues wrote chart-keys/<digest>.v10.json wherever the command ran.
  it("reads an empty HOMELAB_RENDER_CACHE as unset: the store is the project's .cache/render, never the working directory", async function () {
    await inEnv({ HOMELAB_RENDER_CACHE: "" }, () =>
      assert.equal(chartKeysFile("d"), path.join(ROOT, ".cache", "render", "chart-keys", "d.v14.json")),
    );
  });

  it("reads no archive outside the chart cache, whichever way in: a version from a user's file (helm-list.yaml, a previous export) names a file in it alone", async function () {
    const charts = chartCacheWithGrafana();
    if (!charts || !GRAFANA) this.skip();
    // The archive one folder above an empty chart cache, which a version holding ../ would reach.
    const cache = path.join(path.dirname(charts.dir), "cache");
    fs.mkdirSync(cache, { recursive: true });
    const version = `x/../../${path.basename(charts.dir)}/grafana-${GRAFANA.version}`;
    await inEnv({ HOMELAB_CHART_CACHE: cache, HOMELAB_RENDER_CACHE: tmpDir("store-outside") }, () => {
      assert.equal(
        cachedChartKeys("grafana", cache, version),
        undefined,
        "pulumi preview's and --running's way",
      );
      assert.equal(chartKeysAt("grafana", version), undefined, "the change check's way");
      assert.equal(
        chartKeysAt("grafana", GRAFANA.version),
        undefined,
        "the chart cache holds no grafana archive",
      );
    });
  });
});
