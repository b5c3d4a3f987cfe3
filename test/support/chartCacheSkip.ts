/**
 * Root hooks (.mocharc.cjs requires this file): a clone without the pinned chart archives (no
 * `../shared/charts`, no `HOMELAB_CHART_CACHE`, no chart repositories to pull from) runs the suite
 * with every render failing. Without CI, a test or `before` hook that fails because an archive is
 * missing is skipped with a loud line saying which archives and where they go, as a missing
 * validator is (helpers.ts requireTool); under CI (config/ci.ts underCi) it fails, as before. Run
 * as a new user would in a clone without `../shared`, 250 tests failed with Helm's and the
 * synthesis' own errors, each far from the one cause, and nothing said the suite needs the charts.
 */
import * as fs from "fs";
import * as path from "path";
import { chartCacheDir } from "../../config/chartCache";
import { underCi } from "../../config/ci";
import { versions } from "../../model/versions";

/** The pinned archives (`<chart>-<version>.tgz`, model/versions.ts) the chart cache `cache` lacks. */
export function missingPinnedArchives(cache: string): string[] {
  return Object.values(versions.charts)
    .map((c) => `${c.chart}-${c.version}.tgz`)
    .filter((a) => !fs.existsSync(path.join(cache, a)));
}

/** Every text an error carries: its message and stack, and its cause's, as a test's assertion nests them. */
function errorText(e: unknown, depth = 0): string {
  if (!(e instanceof Error) || depth > 3) return String(e);
  return `${e.message}\n${e.stack ?? ""}\n${e.cause === undefined ? "" : errorText(e.cause, depth + 1)}`;
}

/**
 * Whether a failure comes from an archive the cache lacks: its text names one of `missing` (the
 * synthesis' error names each archive it lacks, synth/render/helm.ts missingChartsError; a CLI's
 * stderr in an assertion's message does too), the cache folder itself (a `helm pull -d` into it),
 * or a chart archive or the chart cache in words (a test's own precondition, "the pinned grafana
 * archive is not in the chart cache").
 */
export function failedForMissingCharts(e: unknown, missing: string[], cache: string): boolean {
  const text = errorText(e);
  return (
    missing.some((a) => text.includes(a)) ||
    text.includes(cache) ||
    /\bchart cache\b|\bchart archives?\b|\bpinned \S+ archive\b/i.test(text)
  );
}

/**
 * Whether the running test looked in this process for an archive the cache lacks: a check that
 * finds no archive goes unchecked rather than failing (config/chartCache.ts cachedChartKeys: "the
 * check never pulls"), so a test of it fails on a value, with nothing in its error naming the
 * archive. Each lookup asks `fs.existsSync` of `<cache>/<chart>-<version>.tgz` first; the watch
 * sees those answers (installed once per process, only in a run that lacks archives, without CI).
 */
let lookedForMissing = false;
const watched = new Set<string>();
function watchArchiveLookups(missing: string[], cache: string): void {
  if (watched.size === 0) {
    // The module object itself (an `import * as` binding is a read-only copy of it).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const nodeFs = require("fs") as typeof fs;
    const real = nodeFs.existsSync;
    nodeFs.existsSync = (p: fs.PathLike) => {
      const found = real(p);
      if (!found && typeof p === "string" && watched.has(path.resolve(p))) lookedForMissing = true;
      return found;
    };
  }
  for (const a of missing) watched.add(path.resolve(cache, a));
}

type Body = (this: Mocha.Context) => unknown;

/**
 * `fn`, skipped (loudly, with its own error's first line) instead of failing when its failure
 * comes from an archive the cache lacks; any other failure passes through unchanged. A body that
 * takes mocha's `done` is left as it is (its arity decides how mocha runs it).
 */
export function skipOnMissingCharts(
  fn: Body,
  title: string,
  missing: string[],
  cache: string,
  file: { skipped?: string } = {},
): Body {
  if (fn.length > 0) return fn;
  watchArchiveLookups(missing, cache);
  return async function (this: Mocha.Context) {
    lookedForMissing = false;
    try {
      return await fn.call(this);
    } catch (e) {
      const why = failedForMissingCharts(e, missing, cache)
        ? "its error naming the chart cache or an archive"
        : lookedForMissing
          ? "after looking for one of them there"
          : file.skipped !== undefined
            ? `after "${file.skipped}" in its file was skipped for them (what it left undone)`
            : undefined;
      if (why === undefined) throw e;
      file.skipped ??= title;
      const first =
        errorText(e)
          .split("\n")
          .find((l) => l.trim() !== "") ?? "";
      console.warn(
        `\n  !!! SKIPPING: ${title}: the chart cache ${cache} lacks ${missing.length} pinned chart archive(s) ` +
          `(${missing.join(", ")}), and this failed, ${why}: ${first.trim().slice(0, 300)}\n` +
          `      put the archives there or set HOMELAB_CHART_CACHE (README.md "Set-up": where the charts come from); CI runs this test.\n`,
      );
      this.skip();
    }
  };
}

/** A test or hook: mocha sets `file` on each (bdd interface, Suite hooks) to the file it is in. */
type Wrapped = { title: string; fn?: Body; file?: string };
interface Runnables {
  tests: Wrapped[];
  suites: Runnables[];
  _beforeAll: Wrapped[];
  _beforeEach: Wrapped[];
}

/**
 * Wraps every test and `before`/`beforeEach` hook under `suite` (skip is refused in `after` hooks).
 * Those of one file share a state (`files`, by the file mocha set on each): a later test of the
 * file that fails once one was skipped for the archives often fails on what that one left undone
 * (a value a `before` hook never set, a list it never filled), and is skipped saying which. Not
 * across files: one mocha process running several (`--no-parallel a.test.ts b.test.ts`) wraps them
 * all under one root, and a failure of another file is its own.
 */
export function wrapForMissingCharts(
  suite: Runnables,
  missing: string[],
  cache: string,
  files = new Map<string | undefined, { skipped?: string }>(),
): void {
  for (const r of [...suite.tests, ...suite._beforeAll, ...suite._beforeEach]) {
    if (!r.fn) continue;
    const file = files.get(r.file) ?? {};
    files.set(r.file, file);
    r.fn = skipOnMissingCharts(r.fn, r.title, missing, cache, file);
  }
  for (const s of suite.suites) wrapForMissingCharts(s, missing, cache, files);
}

export const mochaHooks = {
  beforeAll(this: Mocha.Context) {
    if (underCi()) return;
    const cache = chartCacheDir();
    const missing = missingPinnedArchives(cache);
    const root = this.test?.parent as unknown as Runnables | undefined;
    if (missing.length > 0 && root) wrapForMissingCharts(root, missing, cache);
  },
};
