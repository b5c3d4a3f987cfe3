import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import { chartKeys, type ChartKeys } from "./chartKeys";
import { pinnedChart } from "./chartValueCheck";
import { projectRoot } from "./paths";

/*
 * The chart cache, as the chartValues check reads it: both ways in (the offline synthesis through
 * the renderer, `pulumi preview` through config/load.ts) look for the pinned archives here.
 */
/**
 * The chart cache: `HOMELAB_CHART_CACHE`, else `../shared/charts` beside the checkout when it
 * exists, else `.charts/` (README.md). The renderer pulls into it (synth/render/helm.ts); the
 * chartValues check only reads it.
 */
export function chartCacheDir(root: string = projectRoot(__dirname)): string {
  if (process.env.HOMELAB_CHART_CACHE) return path.resolve(process.env.HOMELAB_CHART_CACHE);
  const shared = path.resolve(root, "..", "shared", "charts");
  if (fs.existsSync(shared)) return shared;
  return path.join(root, ".charts");
}

/**
 * A pinned chart's keys from its archive in the chart cache (`<chart>-<version>.tgz`), or
 * undefined when the archive is not there: the check never pulls, so `pulumi preview` without the
 * archives says the keys went unchecked instead of reaching the network (config/load.ts).
 */
export function cachedChartKeys(chart: string, dir: string = chartCacheDir()): ChartKeys | undefined {
  const pin = pinnedChart(chart);
  const archive = pin && path.join(dir, `${chart}-${pin.version}.tgz`);
  if (!archive || !fs.existsSync(archive)) return undefined;
  // Read once per process while the archive is unchanged: the offline synthesis judges a stack
  // file, then runs the program, which judges its config again.
  const st = fs.statSync(archive);
  const stat = `${st.size}:${st.mtimeMs}:${st.ino}`;
  const hit = keysRead.get(archive);
  if (hit?.stat === stat) return hit.keys;
  const keys = chartKeys(zlib.gunzipSync(fs.readFileSync(archive)));
  keysRead.set(archive, { stat, keys });
  return keys;
}

/** {@link cachedChartKeys}'s reads, by archive path, with the stat they were read under. */
const keysRead = new Map<string, { stat: string; keys: ChartKeys }>();
