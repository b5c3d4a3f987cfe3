import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import { chartKeys, type ChartKeys } from "./chartKeys";
import type { ValuesKeysOf } from "../model/running";
import { pinnedChart } from "../model/versions";
import { projectRoot } from "./paths";

/*
 * The chart cache, as the chartValues check reads it: both ways in (the offline synthesis through
 * the renderer, `pulumi preview` through config/load.ts) look for the pinned archives here, and
 * keep the keys read from each archive in one store (below), so neither reads an archive twice.
 */
/**
 * The chart cache: `HOMELAB_CHART_CACHE`, else `../shared/charts` beside the checkout when it
 * exists, else `.charts/` (README.md). The renderer pulls into it (synth/render/helm.ts); the
 * chartValues check only reads it.
 */
export function chartCacheDir(root: string = projectRoot(__dirname)): string {
  if (process.env.HOMELAB_CHART_CACHE) return path.resolve(process.env.HOMELAB_CHART_CACHE);
  return defaultChartCacheDir(root);
}

/** The chart cache without `HOMELAB_CHART_CACHE`: `../shared/charts` beside the checkout when it exists, else `.charts/` in it. */
export function defaultChartCacheDir(root: string = projectRoot(__dirname)): string {
  const shared = path.resolve(root, "..", "shared", "charts");
  if (fs.existsSync(shared)) return shared;
  return path.join(root, ".charts");
}

/**
 * `<chart>-<version>.tgz`: the chart is what comes before the first `-` followed by a digit, or by a
 * `v` and `<digits>.` (a chart that publishes its versions as `v1.2.3`, which Helm names the archive by).
 */
const ARCHIVE = /^(.+?)-((?:v(?=\d+\.))?\d[^/]*)\.tgz$/;

/** The versions of each chart the cache folder holds (`<chart>-<version>.tgz`), in version order (numeric parts compared as numbers). */
export function cachedVersions(cache: string): Map<string, string[]> {
  const held = new Map<string, string[]>();
  let names: string[] = [];
  try {
    names = fs.readdirSync(cache);
  } catch {
    return held;
  }
  for (const name of names) {
    const m = ARCHIVE.exec(name);
    if (m) held.set(m[1], [...(held.get(m[1]) ?? []), m[2]]);
  }
  const order = new Intl.Collator("en", { numeric: true });
  for (const versions of held.values()) versions.sort(order.compare);
  return held;
}

/**
 * The render cache: `HOMELAB_RENDER_CACHE`, else `.cache/render` of the project (the checkout
 * holding Pulumi.yaml, found from this file, never the working directory; gitignored). The
 * renderer keeps its renders there (synth/render/chartFacts.ts); the chart keys store is its
 * `chart-keys/` folder, written by the synthesis and `pulumi preview` alike.
 */
export function renderCacheDir(root: string = projectRoot(__dirname)): string {
  // Empty is unset, as for HOMELAB_CHART_CACHE: "" would name the working directory.
  return process.env.HOMELAB_RENDER_CACHE || path.join(root, ".cache", "render");
}

/**
 * The keys of a chart from its archive in the chart cache (`<chart>-<version>.tgz`, at the pinned
 * version unless `version` names another), or undefined when the archive is not there or is no
 * chart archive: the check never pulls, so `pulumi preview` without the archives says the keys went
 * unchecked instead of reaching the network (config/load.ts). The one reader of an archive's keys:
 * the synthesis reads them here too (synth/render/chartFacts.ts chartKeysAt), handing the digest
 * its chart facts keep across processes (`digestOf`); by default the archive is hashed once per
 * process ({@link archiveDigest}).
 */
export function cachedChartKeys(
  chart: string,
  dir: string = chartCacheDir(),
  version: string | undefined = pinnedChart(chart)?.version,
  digestOf: (archive: string) => string = archiveDigest,
): ChartKeys | undefined {
  // The chart and version come from files a user hands in (helm-list.yaml, a previous export) and
  // name a file: nothing in them may lead out of the cache folder.
  const name = `${chart}-${version}.tgz`;
  if (version === undefined || !/^[\w.+-]+$/.test(name)) return undefined;
  const archive = path.join(dir, name);
  if (!fs.existsSync(archive)) return undefined;
  try {
    return storedChartKeys(archive, digestOf(archive));
  } catch (e) {
    // Unchecked, as a missing archive is: the render that needs it names the file and its fix.
    if (e instanceof NotChartArchiveError) return undefined;
    throw e;
  }
}

/**
 * The top-level keys of a chart's values at `version` from its archive in the chart cache
 * (model/running.ts reads a running release's values file by them), or undefined when it is not
 * there.
 */
export const cachedValuesKeys: ValuesKeysOf = (chart, version) => {
  const keys = cachedChartKeys(chart, chartCacheDir(), version);
  return keys && new Set(Object.keys(keys.values));
};

/**
 * A file in the chart cache named as a chart archive that is none (a failed download, an HTML
 * error page saved under the name, a truncated copy): `found` says what it holds instead.
 */
export class NotChartArchiveError extends Error {
  constructor(
    readonly archive: string,
    readonly found: string,
  ) {
    super(`${archive}: not a chart archive (a gzipped tar holding Chart.yaml); found ${found}`);
  }
}

/**
 * The tar inside a chart archive (`bytes`: the archive's, when already read), the one place an
 * archive is unzipped: a file that is no chart archive throws {@link NotChartArchiveError} saying
 * what it holds, never zlib's bare "incorrect header check".
 */
export function chartTar(archive: string, bytes: Buffer = fs.readFileSync(archive)): Buffer {
  let tar: Buffer;
  try {
    tar = zlib.gunzipSync(bytes);
  } catch (e) {
    throw new NotChartArchiveError(archive, notGzipFound(bytes, (e as Error).message));
  }
  if (!tar.includes("Chart.yaml")) throw new NotChartArchiveError(archive, "gzip data holding no Chart.yaml");
  return tar;
}

/** What a file that does not unzip holds: empty, text (its first line, as a saved error page shows it), other bytes. */
function notGzipFound(bytes: Buffer, zlibSaid: string): string {
  if (bytes.length === 0) return "an empty file";
  // gzip's magic number: the file is an archive cut short or damaged, not something else.
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return `a damaged or truncated gzip file, zlib: ${zlibSaid}`;
  const head = bytes.subarray(0, 200).toString("latin1");
  const line = head.split(/\r?\n/)[0];
  // Text a person can read (an error page, a note) is quoted; other bytes are only counted.
  if (/^[\x20-\x7e\t]+$/.test(line))
    return `${bytes.length} bytes of text, not gzip data, whose first line is ${JSON.stringify(line.length > 60 ? `${line.slice(0, 60)}…` : line)}`;
  return `${bytes.length} bytes that are not gzip data`;
}

/** A file's size, mtime, ctime and inode: unchanged, so are its bytes (the test git and make use). */
function statKey(st: fs.Stats): string {
  return `${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.ino}`;
}

/** {@link archiveDigest}'s hashes, by archive path, with the stat they were taken under. */
const digests = new Map<string, { stat: string; digest: string }>();

/**
 * The sha256 of an archive's bytes, hashed once per process while its stat is unchanged: the
 * offline synthesis judges a stack file, then runs the program, which judges its config again.
 */
export function archiveDigest(archive: string): string {
  const file = path.resolve(archive);
  const stat = statKey(fs.statSync(file));
  const hit = digests.get(file);
  if (hit?.stat === stat) return hit.digest;
  const digest = crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
  digests.set(file, { stat, digest });
  return digest;
}

/**
 * Where the store keeps the keys of the archive with `digest`. By digest: an archive's keys never
 * change, and a replaced archive has another digest. The suffix is how config/chartKeys.ts reads
 * them (v4: keys a variable picks by `index`; v5: values handed to named templates in a `dict`,
 * and variables holding a copy of a values map; v6: template text in values.yaml, which charts
 * render with `tpl`; v7: the kinds of the boolean and number defaults; v8: the subcharts'
 * conditions; v9: the subchart a nested condition is read within; v10: the types values.schema.json
 * allows; v11: its list items, required keys and `$ref`s, with a type at every level; v12:
 * the keys values.yaml holds among them; v13: its `additionalProperties`, `enum`, bounds and
 * `pattern`; v14: its `allOf`); bump it when that reading changes.
 */
export function chartKeysFile(digest: string, store: string = renderCacheDir()): string {
  return path.join(store, "chart-keys", `${digest}.v14.json`);
}

/** {@link storedChartKeys}'s reads, by store file, with the stat they were read under ("" unwritten). */
const keysRead = new Map<string, { stat: string; keys: ChartKeys }>();

/**
 * The keys of `archive` (whose bytes hash to `digest`) from the store, else read from the archive
 * and kept there, so the next process reads them without unzipping it: loki's archive costs
 * 0.53 s of CPU to read, kube-prometheus-stack's 0.3 s, in every process that judged chartValues.
 * A store file is parsed once per process while its stat is unchanged. Measured (one process,
 * CPU): an archive read against a store hit (its hash and the file's parse), grafana 96 -> 2.4 ms,
 * loki-6.49.0 285 -> 9.4 ms, kube-prometheus-stack 204 -> 1.7 ms. In the warm suite only
 * test/synth/userChoices reads an archive this way (grafana; traced): 2.41 -> 2.22 s CPU, medians
 * of 3 alternating; the other files calling loadStackConfig judge no chartValues.
 */
export function storedChartKeys(
  archive: string,
  digest: string,
  store: string = renderCacheDir(),
): ChartKeys {
  const file = chartKeysFile(digest, store);
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  const key = stat ? statKey(stat) : "";
  const hit = keysRead.get(file);
  if (hit?.stat === key) return hit.keys;
  const stored = stat ? readKeysFile(file) : undefined;
  const keys = stored ?? chartKeys(chartTar(archive));
  keysRead.set(file, { stat: stored ? key : writeKeysFile(file, keys), keys });
  return keys;
}

/** A store file's keys, or undefined when it is torn (a process stopped mid-write before rename). */
function readKeysFile(file: string): ChartKeys | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as ChartKeys;
  } catch {
    return undefined;
  }
}

/**
 * Keeps `keys` in `file` (a whole file or none: written aside, then renamed) and returns the stat
 * it was written under. A store that cannot be written (a read-only checkout) costs the next
 * process the read, never the run: "" keeps the keys for this process alone.
 */
function writeKeysFile(file: string, keys: ChartKeys): string {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(tmp, JSON.stringify(keys));
    fs.renameSync(tmp, file);
    return statKey(fs.statSync(file));
  } catch {
    // A tmp file left behind is harmless: no reader looks for it.
    return "";
  }
}
