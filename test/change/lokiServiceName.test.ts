import { strict as assert } from "assert";
import * as path from "path";
import { load as loadYaml } from "js-yaml";
import { stringify } from "yaml";
import { keepRunningValues, type RunningRelease } from "../../model/running";
import { versions } from "../../model/versions";
import { chartCacheDir, helmBinary, runHelm } from "../../synth/render/helm";
import { cached, cacheKey } from "../support/fixtureCache";
import { ROOT } from "../support/helpers";
import { SEED000_FLUX_VALUES } from "../support/runningSeed000";

/**
 * The loki chart names the write and backend StatefulSets' `serviceName` after the chart's name up
 * to 6.x and after the release's full name from 18.x; Kubernetes refuses to change it in place.
 * A running 6.x release whose name is not the chart's keeps it through the `fullnameOverride` the
 * takeover derives from the live StatefulSets (model/running.ts). Both charts render with the
 * real Helm, from the chart cache.
 */
type Obj = { kind: string; metadata: { name: string; labels?: Record<string, string> }; spec?: any };

async function render(release: string, chart: string, version: string, values: object): Promise<Obj[]> {
  const archive = path.join(chartCacheDir(ROOT), `${chart}-${version}.tgz`);
  const key = cacheKey("loki-service-name", { release, chart, version, values });
  return cached("loki-service-name", key, async () => {
    const r = await runHelm(
      helmBinary(ROOT),
      ["template", release, archive, "--namespace", "monitoring", "-f", "-"],
      stringify(values),
    );
    if (r.code !== 0) throw new Error(`helm template ${chart}-${version}: ${r.stderr}`);
    return r.stdout
      .split(/^---$/m)
      .map((d) => loadYaml(d) as Obj)
      .filter((o) => o?.kind === "StatefulSet");
  }).then((xs) =>
    xs.filter((o) => ["write", "backend"].includes(o.metadata.labels?.["app.kubernetes.io/component"] ?? "")),
  );
}

/** Seed 000's Loki (SimpleScalable on S3), as a Flux release of another name would run it. */
const SSD = SEED000_FLUX_VALUES.loki;
/** The same release moved to the pinned chart, its own values otherwise unchanged. */
const next = (v: Record<string, any>) => ({ ...v, read: { ...v.read, persistence: { enabled: false } } });

describe("change: the loki write/backend serviceName survives the move from chart 6.x to 18.x", function () {
  this.timeout(60000);
  const target = versions.charts.loki;

  for (const name of ["logs", "loki"]) {
    it(`a 6.x release named "${name}" keeps every StatefulSet's name, serviceName, selector and claim templates`, async () => {
      const running = await render(name, SSD.chart, SSD.version, SSD.values);
      const release: RunningRelease = {
        name,
        namespace: "monitoring",
        chart: "loki",
        version: SSD.version,
        values: SSD.values,
      };
      const { values, kept } = keepRunningValues(next(SSD.values), release, { statefulSets: running });
      const overrides = kept.filter((k) => k.path === "fullnameOverride");
      // Named "loki", the full name already is the chart's name: nothing to keep.
      assert.deepEqual(
        overrides.map((k) => k.running),
        name === "loki" ? [] : ["loki"],
      );
      const after = await render(name, target.chart, target.version, values);
      assert.deepEqual(
        running.map((s) => s.metadata.name).sort(),
        ["loki-backend", "loki-write"],
        "the 6.x render runs write and backend",
      );
      for (const s of running) {
        const n = after.find((x) => x.metadata.name === s.metadata.name);
        assert.ok(n, `StatefulSet ${s.metadata.name} keeps its name`);
        assert.equal(n.spec.serviceName, s.spec.serviceName, `${s.metadata.name} serviceName`);
        assert.deepEqual(n.spec.selector, s.spec.selector, `${s.metadata.name} selector`);
        assert.deepEqual(
          n.spec.volumeClaimTemplates.map((t: any) => [t.metadata.name, t.spec]),
          s.spec.volumeClaimTemplates.map((t: any) => [t.metadata.name, t.spec]),
          `${s.metadata.name} claim templates`,
        );
      }
    });
  }

  it('without the derived override, a release named "logs" would change serviceName (the check can fail)', async () => {
    const running = await render("logs", SSD.chart, SSD.version, SSD.values);
    const after = await render("logs", target.chart, target.version, next(SSD.values));
    const write = (xs: Obj[]) => xs.find((x) => x.metadata.name === "loki-write")!.spec.serviceName;
    assert.equal(write(running), "loki-write-headless");
    assert.equal(write(after), "logs-loki-write-headless");
  });
});
