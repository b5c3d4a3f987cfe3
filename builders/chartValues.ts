/*
 * `chartValues.<chart>`: the user's Helm values merged last over the program's own, the way Helm
 * merges a later values file over an earlier one (helm.sh/helm/v3 pkg/chartutil coalesce: maps
 * merge key by key, anything else, lists included, is replaced; a null deletes the key), but for
 * the lists of {@link LISTS_BY_NAME}.
 */

import { isPlainMap, leafPaths } from "../config/tree";
import { versions } from "../model/versions";
import { VM_OPERATOR_ENV } from "./metrics/vmValues";

/** A path of keys into a chart's values. */
type KeyPath = readonly string[];

/**
 * Per chart, the lists of `{name, ...}` entries the program writes that an override's list at the
 * same path extends by name instead of replacing: the program's entries stay, the user's follow,
 * and an entry of the user's replaces the program's of the same name. Replaced as Helm
 * replaces it (checked with helm v3.17.3 on victoria-metrics-k8s-stack 0.80.0: a second values
 * file's `victoria-metrics-operator.env` leaves only its own variables in the operator's
 * container), a user's own operator variable dropped the program's `VM_CUSTOMCONFIGRELOADERIMAGE`
 * in silence, and with it the reloader's pin (builders/metrics/vmValues.ts).
 */
export const LISTS_BY_NAME: Readonly<Record<string, readonly KeyPath[]>> = {
  [versions.charts.victoriaMetricsStack.chart]: [VM_OPERATOR_ENV],
};

const entryName = (e: unknown): unknown =>
  e && typeof e === "object" ? (e as { name?: unknown }).name : undefined;

/** `over` after the entries of `base` whose name no entry of `over` has. */
function byName(base: unknown[], over: unknown[]): unknown[] {
  const names = new Set<unknown>(over.map(entryName).filter((n) => n !== undefined));
  return [...base.filter((e) => !names.has(entryName(e))), ...over];
}

/**
 * `override` merged over `base`: maps key by key, lists and scalars replaced, null removes the key;
 * a list at one of `named` (paths from the top of the values, as {@link LISTS_BY_NAME} holds them)
 * extended by name.
 */
export function mergeValues(
  base: Record<string, unknown>,
  override: Record<string, unknown>,
  named: readonly KeyPath[] = [],
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(override)) {
    const below = named.filter((p) => p[0] === k);
    if (v === null) delete out[k];
    else if (isPlainMap(v) && isPlainMap(out[k]))
      out[k] = mergeValues(
        out[k],
        v,
        below.map((p) => p.slice(1)),
      );
    else if (Array.isArray(v) && Array.isArray(out[k]) && below.some((p) => p.length === 1))
      out[k] = byName(out[k], v);
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
