import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { spawn } from "child_process";
import { chartCacheDir, HELM_GOGC, helmBinary, runHelm } from "../../synth/render/helm";
import { renderExport } from "../../synth/render/render";
import type { StackExport } from "../../synth/synthesize";
import { compiled, freshCompiled, ROOT, tmpDir } from "../support/helpers";
import { PRUNE_MARKER, UNUSED_DAYS } from "../../config/cachePrune";

/**
 * The render cache (synth/render/template.ts): renders are kept on disk by chart digest, values and
 * Helm flags, and each chart archive's digest and capability tests in `charts.json` by the
 * archive's stat. Every render whose answer must come from the disk runs the compiled modules loaded
 * anew ({@link render}: nothing in memory from an earlier render, as in the fresh process `npm run
 * synth` is), so only the disk can serve it; one that only has to render and write (a new release,
 * new values) runs the sources this process loaded ({@link renderHere}), whose memory no later
 * {@link render} sees. Only the two processes racing for one render's lock are processes of their
 * own. A wrapper around the real Helm counts `helm template` runs.
 */
const CHART = "prometheus-node-exporter";
const OLD = "4.49.1";
const NEW = "4.56.1";

function exportWith(values: Record<string, unknown>): StackExport {
  return {
    version: 3,
    deployment: {
      manifest: { time: new Date(0).toISOString(), magic: "", version: "v3.0.0-test" },
      resources: [
        {
          urn: "urn:pulumi:cache::homelab-observability::kubernetes:helm.sh/v3:Release::ne",
          custom: true,
          type: "kubernetes:helm.sh/v3:Release",
          inputs: { name: "ne", namespace: "monitoring", chart: CHART, version: OLD, values },
          outputs: {},
        },
      ],
    },
  };
}

describe("the render cache (chart digest, values and flags; chart facts by stat)", function () {
  this.timeout(120000);
  let dir: string;
  let charts: string;
  let cache: string;
  let log: string;
  let helm: string;

  beforeEach(() => {
    dir = tmpDir("render-cache");
    charts = path.join(dir, "charts");
    cache = path.join(dir, "render");
    log = path.join(dir, "helm.log");
    fs.mkdirSync(charts);
    fs.copyFileSync(
      path.join(chartCacheDir(), `${CHART}-${OLD}.tgz`),
      path.join(charts, `${CHART}-${OLD}.tgz`),
    );
    helm = path.join(dir, "helm");
    fs.writeFileSync(
      helm,
      `#!/bin/sh\necho "$1" >> ${JSON.stringify(log)}\nexec ${JSON.stringify(path.resolve(helmBinary()))} "$@"\n`,
    );
    fs.chmodSync(helm, 0o755);
  });

  /**
   * Renders with the compiled modules loaded anew ({@link freshCompiled}: no render of this process
   * in their memory); returns the objects' chart labels, the release's error if Helm refused it, and
   * how many `helm template` ran. Measured warm, this file alone (`mocha --no-parallel`, mocha's
   * start-up and Helm included), three runs each alternating on this 2-core machine: 2.58-2.63 s of
   * CPU with each of these seven renders in a node of its own, 2.08-2.17 s.
   */
  async function render(
    values: Record<string, unknown>,
  ): Promise<{ charts: string[]; error?: string; templates: number }> {
    fs.writeFileSync(log, "");
    const fresh = freshCompiled<typeof import("../../synth/render/render")>("synth/render/render.ts");
    const opts = { helm, chartCache: charts, cacheDir: cache, pull: false };
    const [r] = await fresh.renderExport(exportWith(values), opts);
    return { ...labelled(r), templates: templates() };
  }

  /** The code of one render in a fresh process (the export of `values` written, the log emptied). */
  function renderCode(values: Record<string, unknown>): string {
    const file = path.join(dir, "export.json");
    fs.writeFileSync(file, JSON.stringify(exportWith(values)));
    fs.writeFileSync(log, "");
    return `
      const { renderExport } = require(${JSON.stringify(compiled("synth/render/render.ts"))});
      const exp = JSON.parse(require("fs").readFileSync(${JSON.stringify(file)}, "utf8"));
      renderExport(exp, { helm: ${JSON.stringify(helm)}, chartCache: ${JSON.stringify(charts)},
        cacheDir: ${JSON.stringify(cache)}, pull: false }).then((r) => {
        console.log(JSON.stringify({ error: r[0].error,
          charts: r[0].objects.map((o) => o.metadata.labels?.["helm.sh/chart"] ?? "") }));
      }).catch((e) => { console.error(e); process.exit(1); });`;
  }
  const parsed = (stdout: string) => {
    const out = JSON.parse(stdout) as { error?: string; charts: string[] };
    return { charts: [...new Set(out.charts)].filter(Boolean), error: out.error };
  };
  /**
   * {@link render} with the sources this process loaded, for a render that must run Helm and write
   * its result: what they keep in memory of it serves no {@link render}, which reads only the disk.
   */
  async function renderHere(
    values: Record<string, unknown>,
  ): Promise<{ charts: string[]; error?: string; templates: number }> {
    fs.writeFileSync(log, "");
    const opts = { helm, chartCache: charts, cacheDir: cache, pull: false };
    const [r] = await renderExport(exportWith(values), opts);
    return { ...labelled(r), templates: templates() };
  }
  /** A release's chart labels and error, as {@link parsed} reads them from a process's line. */
  const labelled = (r: Awaited<ReturnType<typeof renderExport>>[number]) => {
    const labels = r.objects.map((o) => o.metadata.labels?.["helm.sh/chart"] ?? "");
    return parsed(JSON.stringify({ error: r.error, charts: labels }));
  };
  /** How many `helm template` ran since the log was emptied. */
  const templates = () =>
    fs
      .readFileSync(log, "utf8")
      .split("\n")
      .filter((l) => l === "template").length;

  it("renders an unchanged release again from disk without Helm, and changed values with it", async () => {
    const first = await renderHere({ fullnameOverride: "ne" });
    assert.equal(first.error, undefined);
    assert.ok(first.templates >= 1, "the first render runs helm template");
    assert.deepEqual(first.charts, [`${CHART}-${OLD}`]);
    const again = await render({ fullnameOverride: "ne" });
    assert.equal(again.templates, 0, "an unchanged release is served from the render cache");
    assert.deepEqual(again.charts, first.charts);
    const changed = await renderHere({ fullnameOverride: "ne2" });
    assert.ok(changed.templates >= 1, "changed values render again");
  });

  it("takes a chart's digest from charts.json while the archive's stat is unchanged (the archive is not read again)", async () => {
    await renderHere({});
    const file = path.join(cache, "charts.json");
    const facts = JSON.parse(fs.readFileSync(file, "utf8"));
    const entry = facts.charts[path.join(charts, `${CHART}-${OLD}.tgz`)];
    assert.match(entry.facts.digest, /^[0-9a-f]{64}$/);
    // A digest that no archive has: served from charts.json, it keys a render never made before.
    entry.facts.digest = "0".repeat(64);
    fs.writeFileSync(file, JSON.stringify(facts));
    assert.ok((await render({})).templates >= 1, "the digest came from charts.json, not from the archive");
  });

  it("reads a replaced archive again: its new digest renders the new chart, never the stale render", async () => {
    const archive = path.join(charts, `${CHART}-${OLD}.tgz`);
    assert.deepEqual((await renderHere({})).charts, [`${CHART}-${OLD}`]);
    fs.copyFileSync(path.join(chartCacheDir(), `${CHART}-${NEW}.tgz`), archive);
    const after = await render({});
    assert.ok(after.templates >= 1, "a replaced archive renders again");
    assert.deepEqual(after.charts, [`${CHART}-${NEW}`]);
  });

  it("keeps Helm's refusal too (<key>.error): served from disk the second time, as that release's error, never an empty render", async () => {
    // A Helm that refuses every render, logging each run as the wrapper does.
    fs.writeFileSync(
      helm,
      `#!/bin/sh\necho "$1" >> ${JSON.stringify(log)}\necho "Error: values refused" >&2\nexit 1\n`,
    );
    const first = await renderHere({ fullnameOverride: "ne" });
    assert.ok(first.templates >= 1, "the first render runs helm template");
    assert.equal(first.error, "Error: values refused");
    assert.deepEqual(await render({ fullnameOverride: "ne" }), {
      charts: [],
      error: "Error: values refused",
      templates: 0,
    });
    assert.ok(
      (await renderHere({ fullnameOverride: "ne2" })).templates >= 1,
      "changed values run Helm again",
    );
  });

  it("sweeps, once a day by a process that rendered, the renders no process read for the kept days (config/cachePrune.ts)", async () => {
    const renders = () => fs.readdirSync(cache).filter((f) => /^[0-9a-f]{64}\.(json|error)$/.test(f));
    const old = (file: string, days: number) => {
      const t = new Date(Date.now() - days * 24 * 60 * 60 * 1000);
      fs.utimesSync(path.join(cache, file), t, t);
    };
    await renderHere({ fullnameOverride: "kept" });
    const [kept] = renders();
    await renderHere({ fullnameOverride: "unused" });
    const unused = renders().filter((f) => f !== kept);
    assert.equal(unused.length, 1, renders().join(", "));
    for (const f of [kept, ...unused]) old(f, UNUSED_DAYS + 1);
    old(PRUNE_MARKER, 2);
    // Read (from disk, no Helm): stamped as in use. A process that only read sweeps nothing.
    assert.equal((await render({ fullnameOverride: "kept" })).templates, 0);
    assert.deepEqual(renders().sort(), [kept, ...unused].sort());
    // A render written: that process sweeps the one no process read since.
    assert.ok((await render({ fullnameOverride: "new" })).templates >= 1);
    assert.ok(renders().includes(kept), "read a moment ago: kept");
    assert.ok(!renders().includes(unused[0]), "unread for the kept days: removed");
    assert.equal(renders().length, 2);
  });

  it("two processes rendering the same release at once run Helm once (<key>.lock): the second waits for the first's render", async () => {
    // A slow Helm, so the two overlap: the wrapper's log, a second's pause, then the real Helm.
    const real = fs.readFileSync(helm, "utf8").replace(/\nexec /, "\nsleep 1\nexec ");
    fs.writeFileSync(helm, real);
    const code = renderCode({ fullnameOverride: "both" });
    const run = () =>
      new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, ["-e", code], { cwd: ROOT });
        let out = "";
        let err = "";
        child.stdout.on("data", (b: Buffer) => (out += b.toString()));
        child.stderr.on("data", (b: Buffer) => (err += b.toString()));
        child.on("close", (status) =>
          status === 0 ? resolve(out) : reject(new Error(`exit ${status}: ${err}`)),
        );
      });
    const [a, b] = await Promise.all([run(), run()]);
    assert.equal(templates(), 1, "one helm template for both");
    assert.deepEqual(parsed(a), { charts: [`${CHART}-${OLD}`], error: undefined });
    assert.deepEqual(parsed(b), parsed(a));
    assert.deepEqual(
      fs.readdirSync(cache).filter((f) => f.endsWith(".lock")),
      [],
      "the lock is released",
    );
  });

  it("two stacks of one process rendering the same release at once run Helm once, with no render cache on disk (the render in flight is shared)", async () => {
    // What keeps a worker's concurrent stacks (test/support/rendered.ts renderAll) from rendering a
    // release they share twice before any file of it exists: the in-memory render in flight, the
    // disk not involved (cacheDir false). The values are this run's own, so no earlier render of
    // this process answers.
    const values = { fullnameOverride: `in-flight-${process.pid}-${Date.now()}` };
    const other = exportWith(values);
    other.deployment.resources[0].urn = other.deployment.resources[0].urn.replace("cache::", "other::");
    fs.writeFileSync(log, "");
    const opts = { helm, chartCache: charts, cacheDir: false as const, pull: false };
    const [a, b] = await Promise.all([renderExport(exportWith(values), opts), renderExport(other, opts)]);
    assert.equal(templates(), 1, "one helm template for both stacks");
    for (const r of [a, b]) {
      assert.equal(r[0].error, undefined);
      assert.ok(r[0].objects.length > 0, "each stack gets the release's objects");
    }
    assert.notEqual(a[0].objects[0], b[0].objects[0], "each stack gets its own copy of them");
  });

  it("runs Helm with Go's GC target at HELM_GOGC, or at the GOGC the environment sets", async () => {
    const env = path.join(dir, "env.sh");
    fs.writeFileSync(env, '#!/bin/sh\nprintf %s "$GOGC"\n');
    fs.chmodSync(env, 0o755);
    const before = process.env.GOGC;
    try {
      delete process.env.GOGC;
      assert.equal((await runHelm(env, [])).stdout, HELM_GOGC);
      assert.equal(HELM_GOGC, "400");
      process.env.GOGC = "150";
      assert.equal((await runHelm(env, [])).stdout, "150");
    } finally {
      if (before === undefined) delete process.env.GOGC;
      else process.env.GOGC = before;
    }
  });
});
