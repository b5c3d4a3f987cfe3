import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { versions } from "../../model/versions";
import { missingChartsError } from "../../synth/render/helm";
import { tmpDir, withEnv } from "../support/helpers";
import {
  failedForMissingCharts,
  missingPinnedArchives,
  mochaHooks,
  skipOnMissingCharts,
  wrapForMissingCharts,
} from "../support/chartCacheSkip";

/*
 * A clone without the chart archives (no ../shared/charts, nothing to pull from): without CI the
 * tests that need an archive are skipped, loudly, naming the archives and where they go; under CI
 * they fail. Everything else fails as it would.
 */

const PINNED = Object.values(versions.charts).map((c) => `${c.chart}-${c.version}.tgz`);

/** A stand-in for mocha's context: skip() throws, as mocha's does, and is counted. */
function context() {
  const ctx = {
    skipped: 0,
    skip: () => (
      (ctx.skipped += 1),
      (() => {
        throw new Error("skipped");
      })()
    ),
  };
  return ctx;
}

/** Runs `fn` with console.warn captured. */
async function warned(fn: () => Promise<unknown>): Promise<{ warnings: string[]; error?: Error }> {
  const warnings: string[] = [];
  const saved = console.warn;
  console.warn = (...a: unknown[]) => void warnings.push(a.join(" "));
  try {
    await fn();
    return { warnings };
  } catch (e) {
    return { warnings, error: e as Error };
  } finally {
    console.warn = saved;
  }
}

describe("tests in a clone without the chart archives", () => {
  it("lists every pinned archive an empty chart cache lacks, and none it holds", () => {
    const cache = tmpDir("charts");
    assert.deepEqual(missingPinnedArchives(cache), PINNED);
    fs.writeFileSync(path.join(cache, PINNED[0]), "");
    assert.deepEqual(missingPinnedArchives(cache), PINNED.slice(1));
  });

  it("tells a failure from a missing archive (the synthesis' error, a CLI's stderr in an assertion) from any other", () => {
    const cache = "/nowhere/.charts";
    const missing = [PINNED[0]];
    const fix = `helm pull --repo https://x ${PINNED[0]} -d ${cache}`;
    assert.ok(
      failedForMissingCharts(
        missingChartsError([{ archive: PINNED[0], fix }], missing, cache),
        missing,
        cache,
      ),
    );
    const stderr = new assert.AssertionError({
      message: `exit 2\nstaging: cannot render: ... ${PINNED[0]} ...`,
      actual: 2,
      expected: 0,
    });
    assert.ok(failedForMissingCharts(stderr, missing, cache));
    assert.ok(
      failedForMissingCharts(
        new Error("outer", { cause: new Error(`helm pull -d ${cache}`) }),
        missing,
        cache,
      ),
    );
    assert.equal(
      failedForMissingCharts(new assert.AssertionError({ actual: 1, expected: 0 }), missing, cache),
      false,
    );
  });

  it("skips such a test with a loud line naming the archives and where they go, and rethrows any other failure", async () => {
    const cache = "/nowhere/.charts";
    const missing = PINNED.slice(0, 2);
    const ctx = context();
    const missingBody = skipOnMissingCharts(
      () => Promise.reject(new Error(`cannot render: the chart cache ${cache} lacks ${missing[1]}`)),
      "renders staging",
      missing,
      cache,
    );
    const r = await warned(() => missingBody.call(ctx as never) as Promise<unknown>);
    assert.equal(ctx.skipped, 1);
    assert.equal(r.error?.message, "skipped");
    assert.match(
      r.warnings.join("\n"),
      /!!! SKIPPING: renders staging: the chart cache \/nowhere\/\.charts lacks 2 pinned chart archive/,
    );
    assert.match(
      r.warnings.join("\n"),
      new RegExp(`${missing[0].replace(/\./g, "\\.")}, ${missing[1].replace(/\./g, "\\.")}`),
    );
    assert.match(
      r.warnings.join("\n"),
      /and this failed, its error naming the chart cache or an archive: cannot render/,
    );
    assert.match(r.warnings.join("\n"), /HOMELAB_CHART_CACHE .*CI runs this test/);

    const other = skipOnMissingCharts(
      () => Promise.reject(new Error("expected 3 replicas, got 2")),
      "counts replicas",
      missing,
      cache,
    );
    const o = await warned(() => other.call(ctx as never) as Promise<unknown>);
    assert.equal(o.error?.message, "expected 3 replicas, got 2");
    assert.equal(ctx.skipped, 1);
    assert.deepEqual(o.warnings, []);
  });

  it("skips a test that looked for a missing archive and then failed on a value (a check left unchecked without it)", async () => {
    const cache = tmpDir("charts");
    const missing = PINNED.slice(0, 1);
    const ctx = context();
    const unchecked = skipOnMissingCharts(
      () => {
        // As config/chartCache.ts cachedChartKeys looks: the archive absent, the check runs without it.
        const keys = fs.existsSync(path.join(cache, missing[0])) ? 1 : 0;
        return Promise.reject(
          new assert.AssertionError({ actual: keys, expected: 3, operator: "strictEqual" }),
        );
      },
      "names each misspelt key",
      missing,
      cache,
    );
    const r = await warned(() => unchecked.call(ctx as never) as Promise<unknown>);
    assert.equal(ctx.skipped, 1);
    assert.match(
      r.warnings.join("\n"),
      /names each misspelt key: .*and this failed, after looking for one of them there: /,
    );
    // The same failure without that lookup is the test's own.
    const own = skipOnMissingCharts(
      () => Promise.reject(new assert.AssertionError({ actual: 0, expected: 3, operator: "strictEqual" })),
      "counts",
      missing,
      cache,
    );
    const o = await warned(() => own.call(ctx as never) as Promise<unknown>);
    assert.ok(o.error instanceof assert.AssertionError);
    assert.equal(ctx.skipped, 1);
  });

  it("skips a later failure of a file where a test was skipped for the archives, naming that test; not one of another file", async () => {
    const cache = "/nowhere/.charts";
    const missing = PINNED.slice(0, 1);
    const ctx = context();
    const file = {};
    const first = skipOnMissingCharts(
      () => Promise.reject(new Error(`cannot render: ${missing[0]}`)),
      "renders every stack",
      missing,
      cache,
      file,
    );
    const later = (f: object) =>
      skipOnMissingCharts(
        () => Promise.reject(new Error("no stack file's render has a gateway nginx.conf")),
        "some stack runs the gateway",
        missing,
        cache,
        f,
      );
    await warned(() => first.call(ctx as never) as Promise<unknown>);
    const r = await warned(() => later(file).call(ctx as never) as Promise<unknown>);
    assert.equal(ctx.skipped, 2);
    assert.match(r.warnings.join("\n"), /after "renders every stack" in its file was skipped for them/);
    const other = await warned(() => later({}).call(ctx as never) as Promise<unknown>);
    assert.equal(other.error?.message, "no stack file's render has a gateway nginx.conf");
    assert.equal(ctx.skipped, 2);
  });

  it("keeps each file's skip to that file when one mocha process runs several (--no-parallel a.test.ts b.test.ts)", async () => {
    // Serially, mocha puts every file's suites under one root, which the root hook wraps once.
    const missing = PINNED.slice(0, 1);
    const fail = (message: string) => () => Promise.reject(new Error(message));
    const suite = (file: string, title: string, fn: () => Promise<unknown>) => ({
      file,
      tests: [{ title, file, fn }],
      suites: [],
      _beforeAll: [],
      _beforeEach: [],
    });
    const a = suite("/t/a.test.ts", "renders every stack", fail(`cannot render: ${missing[0]}`));
    const b = suite("/t/b.test.ts", "parses a duration", fail("expected 5m, got 300s"));
    const root = { tests: [], suites: [a, b], _beforeAll: [], _beforeEach: [] };
    wrapForMissingCharts(root, missing, "/nowhere/.charts");
    const ctx = context();
    await warned(() => a.tests[0].fn.call(ctx as never));
    assert.equal(ctx.skipped, 1);
    const r = await warned(() => b.tests[0].fn.call(ctx as never));
    assert.equal(r.error?.message, "expected 5m, got 300s");
    assert.equal(ctx.skipped, 1);
  });

  it("wraps the tests and before hooks only without CI and only when an archive is missing", async () => {
    const suite = () => {
      const body = () => Promise.resolve();
      return {
        tests: [{ title: "t", fn: body }],
        suites: [],
        _beforeAll: [{ title: "b", fn: body }],
        _beforeEach: [],
        body,
      };
    };
    const run = async (env: Record<string, string>) => {
      const s = suite();
      await withEnv(env, () => Promise.resolve(mochaHooks.beforeAll.call({ test: { parent: s } } as never)));
      return s.tests[0].fn !== s.body && s._beforeAll[0].fn !== s.body;
    };
    const empty = tmpDir("charts");
    assert.equal(await run({ CI: "", HOMELAB_CHART_CACHE: empty }), true);
    assert.equal(await run({ CI: "true", HOMELAB_CHART_CACHE: empty }), false);
    const full = tmpDir("charts");
    for (const a of PINNED) fs.writeFileSync(path.join(full, a), "");
    assert.equal(await run({ CI: "", HOMELAB_CHART_CACHE: full }), false);
  });

  it("is among the root hooks mocha loads", () => {
    const rc = fs.readFileSync(path.join(__dirname, "../../.mocharc.cjs"), "utf8");
    assert.match(rc, /"\.\/test\/support\/chartCacheSkip\.ts"/);
  });
});
