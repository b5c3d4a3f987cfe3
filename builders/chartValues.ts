/*
 * `chartValues.<chart>`: the user's Helm values merged last over the program's own, the way Helm
 * merges a later values file over an earlier one (helm.sh/helm/v3 pkg/chartutil coalesce: maps
 * merge key by key, anything else, lists included, is replaced; a null deletes the key).
 */

import { leafPaths } from "../config/tree";

/** A plain map (not a list, not a class instance such as a Pulumi Output, which is replaced whole). */
const isMap = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" &&
  v !== null &&
  !Array.isArray(v) &&
  [Object.prototype, null].includes(Object.getPrototypeOf(v));

/** `override` merged over `base`: maps key by key, lists and scalars replaced, null removes the key. */
export function mergeValues(
  base: Record<string, unknown>,
  override: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(override)) {
    if (v === null) delete out[k];
    else if (isMap(v) && isMap(out[k])) out[k] = mergeValues(out[k], v);
    else out[k] = v;
  }
  return out;
}

/**
 * Every leaf an override sets, as `chart.path.to.key` (lists are leaves), a key holding a dot or a
 * bracket quoted (`chart.podAnnotations["prometheus.io/scrape"]`, config/tree.ts leafPaths), for
 * the synthesis summary.
 */
export function overridePaths(chartValues: Record<string, Record<string, unknown> | undefined>): string[] {
  return Object.entries(chartValues)
    .filter(([, v]) => v !== undefined && Object.keys(v).length > 0)
    .flatMap(([chart, v]) => leafPaths(chart, v));
}
