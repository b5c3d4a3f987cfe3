/**
 * The first of rendering's three caches: what rendering needs to know of each chart archive (its
 * digest and the API versions its templates test), read once and kept in
 * `<render cache>/charts.json`. Beside it, and only for the check of a stack's `chartValues`
 * (config/chartValueCheck.ts), the keys a chart reads, by digest in `<render cache>/chart-keys/`:
 * every render reads charts.json, and the keys are a hundred times its size. That store is the
 * foundation's (config/chartCache.ts storedChartKeys), so `pulumi preview` reads and writes the
 * same one.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { cachedChartKeys, chartTar, renderCacheDir } from "../../config/chartCache";
import type { ChartKeys } from "../../config/chartKeys";
import { pinnedChart } from "../../model/versions";
import { projectRoot } from "../../config/paths";
import { chartCacheDir } from "./helm";

/** What rendering needs to know of one chart archive. */
export interface ChartFacts {
  /** sha256 of the archive: renders are cached by it. */
  digest: string;
  /**
   * The API versions the chart's templates test, as literals (`.Capabilities.APIVersions.Has "x"`),
   * and whether any test is not a literal (then everything counts). Passing Helm only the versions
   * a chart tests renders the same objects and lets renders be shared across stacks and rounds.
   */
  literals: string[];
  dynamic: boolean;
}
/** Bumped when what {@link scanChart} learns changes, so facts from an older scan are never read. */
// 4: no longer holding the chart's keys (2 and 3 did; they are in chart-keys/ now).
const CHART_FACTS_FORMAT = 4;
/** Facts by archive path, each with the stat they were read under (size, mtime, ctime, inode). */
type ChartFactsFile = Record<string, { stat: string; facts: ChartFacts }>;
const chartFactsByDir = new Map<string, { entries: ChartFactsFile; dirty: boolean }>();

function statKey(file: string): string {
  const st = fs.statSync(file);
  return `${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.ino}`;
}

/** Reads the archive: its digest and, inside the gzipped tar, the capability tests of its templates. */
function scanChart(archive: string): ChartFacts {
  const bytes = fs.readFileSync(archive);
  const tar = chartTar(archive, bytes);
  const text = tar.toString("latin1");
  const uses = text.match(/APIVersions/g)?.length ?? 0;
  const literals = [...text.matchAll(/APIVersions\.Has\s+"([^"]+)"/g)].map((m) => m[1]);
  return {
    digest: crypto.createHash("sha256").update(bytes).digest("hex"),
    literals: [...new Set(literals)].sort(),
    dynamic: uses !== literals.length,
  };
}

/**
 * The facts of a chart archive, read once: kept in memory and in `<render cache>/charts.json` by
 * path, and trusted while the archive's size, mtime, ctime and inode are unchanged (the test git
 * and make use to skip re-reading a file). An unchanged stack thus renders again without reading
 * or unzipping its charts; a replaced archive is read again. Throws NotChartArchiveError for a
 * file that is no chart archive (config/chartCache.ts chartTar).
 */
export function chartFacts(archive: string, cacheDir: string | false): ChartFacts {
  const dir = cacheDir || "";
  let store = chartFactsByDir.get(dir);
  if (!store) {
    let entries: ChartFactsFile = {};
    if (cacheDir) {
      try {
        const disk = JSON.parse(fs.readFileSync(path.join(cacheDir, "charts.json"), "utf8"));
        if (disk?.format === CHART_FACTS_FORMAT && typeof disk.charts === "object") entries = disk.charts;
      } catch {
        entries = {};
      }
    }
    store = { entries, dirty: false };
    chartFactsByDir.set(dir, store);
  }
  const file = path.resolve(archive);
  const stat = statKey(file);
  const hit = store.entries[file];
  if (hit?.stat === stat) return hit.facts;
  const facts = scanChart(file);
  store.entries[file] = { stat, facts };
  store.dirty = true;
  return facts;
}

/** The render cache when none is given: `HOMELAB_RENDER_CACHE`, else `.cache/render` of the project. */
export function defaultRenderCacheDir(root: string): string {
  return renderCacheDir(root);
}

/** Writes what {@link chartFacts} learned to the render cache. */
export function saveChartFacts(cacheDir: string | false): void {
  const store = chartFactsByDir.get(cacheDir || "");
  if (!cacheDir || !store?.dirty) return;
  fs.mkdirSync(cacheDir, { recursive: true });
  const file = path.join(cacheDir, "charts.json");
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify({ format: CHART_FACTS_FORMAT, charts: store.entries }));
  fs.renameSync(tmp, file);
  store.dirty = false;
}

/** The API versions among `all` that the chart's templates can observe. */
export function relevantApiVersions(facts: ChartFacts, all: string[]): string[] {
  return facts.dynamic ? all : all.filter((a) => facts.literals.includes(a));
}

/**
 * The keys of a pinned chart from its archive in the chart cache, through these chart facts: an
 * unchanged archive is not read again, in this run or the next. Undefined when the archive is not
 * there (the check never pulls; the render names it). What the offline synthesis hands the stack
 * file's chartValues check (config/stackCheck.ts).
 */
export function pinnedChartKeys(chart: string): ChartKeys | undefined {
  const pin = pinnedChart(chart);
  return pin && chartKeysAt(chart, pin.version);
}

/**
 * The keys of `<chart>-<version>.tgz` in the chart cache, as {@link pinnedChartKeys} keeps them;
 * any version, for the change check's values read by one release of a chart and not the next
 * (change/valuesRead.ts). Undefined when the archive is not there or is no chart archive. Read by
 * config/chartCache.ts cachedChartKeys, with the digest from charts.json, trusted across processes
 * by the archive's stat: a render that judged this archive before reads neither it nor its hash.
 */
export function chartKeysAt(chart: string, version: string): ChartKeys | undefined {
  const root = projectRoot(__dirname);
  const cache = defaultRenderCacheDir(root);
  return cachedChartKeys(chart, chartCacheDir(root), version, (archive) => {
    const { digest } = chartFacts(archive, cache);
    saveChartFacts(cache);
    return digest;
  });
}
