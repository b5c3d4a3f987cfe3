import * as fs from "fs";
import * as path from "path";
import { chartCacheDir, chartTar } from "../config/chartCache";
import { chartDependencies, tarFiles, type ChartDependency } from "../config/chartKeys";
import { pinnedChart } from "../model/versions";

/*
 * The subcharts a pinned chart carries (its Chart.yaml `dependencies`), for a report on a component
 * the stack does not run (checks/emittedMetrics.ts releasesRunning): a release whose chart carries
 * it as a subchart would run it but for its values (kube-prometheus-stack 88.0.0's
 * `kube-state-metrics`, `condition: kubeStateMetrics.enabled`), so an override of that release is
 * what left it out, though no object of the release is named after it.
 */

/** The names a dependency is known by: its name and its alias. */
const namesOf = (d: ChartDependency) => [d.name, d.alias].filter((n): n is string => n !== undefined);

/** By chart: its subcharts, or undefined when not known. */
const known = new Map<string, ChartDependency[] | undefined>();

function subcharts(chart: string): ChartDependency[] | undefined {
  if (known.has(chart)) return known.get(chart);
  const found = read(chart);
  known.set(chart, found);
  return found;
}

/** The subcharts of the pinned `chart`, by name and alias; undefined with no archive in the chart cache. */
export function subchartsOf(chart: string): Set<string> | undefined {
  const found = subcharts(chart);
  return found && new Set(found.flatMap(namesOf));
}

/**
 * The names of the subcharts of the pinned `chart` that the values path `switchKey` turns on or off
 * (their Chart.yaml `condition`, a comma-separated list of paths: kube-prometheus-stack 88.0.0's
 * `nodeExporter.enabled` is prometheus-node-exporter's). Empty when none, or not known.
 */
export function subchartsSwitchedBy(chart: string, switchKey: string): string[] {
  return (subcharts(chart) ?? []).filter((d) => d.conditions.includes(switchKey)).flatMap(namesOf);
}

function read(chart: string): ChartDependency[] | undefined {
  const version = pinnedChart(chart)?.version;
  const archive = version && path.join(chartCacheDir(), `${chart}-${version}.tgz`);
  if (!archive || !fs.existsSync(archive)) return undefined;
  try {
    const own = tarFiles(chartTar(archive), (n) => /^[^/]+\/Chart\.yaml$/.test(n));
    return chartDependencies([...own.values()][0] ?? "");
  } catch {
    return undefined;
  }
}
