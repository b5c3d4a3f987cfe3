/**
 * The `--against` warning of Grafana dashboards the update removes: a dashboards ConfigMap (the
 * sidecar loads those labelled grafana_dashboard, builders/grafana/grafanaValues.ts) the previous
 * export had that the new one deletes, or dashboards gone from one it keeps. The objects' list
 * shows only `- delete ConfigMap::grafana-dashboards-victoriametrics`, and a chart bump whose
 * chart stopped shipping its dashboards (victoria-metrics-k8s-stack past 0.80.0) reached it with
 * nothing else said.
 *
 * Warned, not refused, as the change check treats every deletion that loses nothing for good: it
 * refuses what the API server, Helm or the engine refuses and what deletes data
 * (change/change.ts resourceDeletion: protected, holds data, renamed), and says without refusing
 * what only leaves Grafana and comes back with the setting that brings it (a tenant no longer
 * read, change/tenantMove.ts). A dashboard is the program's data, provisioned again by the update
 * that ships it, and a stack that stops running what a dashboard reads drops it on purpose.
 */
import {
  ALLOW_DROPPED,
  communityDashboardsData,
  dashboardFile,
  DASHBOARDS_GENERATOR,
  type CommunityDashboardsData,
} from "../builders/grafana/community";
import { DASHBOARD_LABEL, FOLDER_ANNOTATION } from "../builders/grafana/grafanaValues";
import { versions } from "../model/versions";
import { listed } from "../model/words";
import type { ExportResource, StackExport } from "../synth/synthesize";
import { plainValue } from "./describe";

const CONFIGMAP = "kubernetes:core/v1:ConfigMap";

/** The program's dashboards ConfigMaps of an export. */
const dashboardMaps = (exp: StackExport): ExportResource[] =>
  exp.deployment.resources.filter(
    (r) => r.type === CONFIGMAP && plainValue(r.inputs?.metadata)?.labels?.[DASHBOARD_LABEL] !== undefined,
  );

/** A ConfigMap's dashboard files (its data keys). */
const filesOf = (r: ExportResource): string[] => Object.keys(plainValue(r.inputs?.data) ?? {});

/**
 * Why the new state lacks a dashboard file: a community dashboard (`<chart>-<file>.json`,
 * builders/grafana/community.ts) the data still has is one the stack's fit leaves out; one it no
 * longer has is one scripts/genDashboards.ts no longer took from its chart; any other is the
 * program's own.
 */
function whyGone(file: string, data: CommunityDashboardsData["dashboards"]): string {
  if (data.some((d) => dashboardFile(d) === file))
    return "this stack leaves them out (nothing it runs emits what they read: synth's `left out` list says which panels and why)";
  const chart = Object.values(versions.charts)
    .filter((c) => file.startsWith(`${c.chart}-`))
    .sort((a, b) => b.chart.length - a.chart.length)[0];
  if (!chart) return "the program no longer builds them (builders/grafana/dashboards.ts)";
  const left = data.filter((d) => d.source === chart.chart).length;
  return (
    `builders/grafana/data/community-dashboards.json no longer has them: ${DASHBOARDS_GENERATOR} took ${left || "none"} from ${chart.chart} ${chart.version} ` +
    `(it refuses to drop a chart's dashboards unless run with ${ALLOW_DROPPED} ${chart.chart}; a chart that moved its dashboards out of its archive needs another source first: docs/how-to/chart-upgrades.md)`
  );
}

/**
 * One warning per dashboards ConfigMap of the previous export whose dashboards the new export has
 * in none of its own (a dashboard moved to another folder's ConfigMap is kept), naming them and
 * why they are gone. Nothing when none is lost. `data`: the community dashboards the new export
 * was built from (the shipped data).
 */
export function dashboardsVerdicts(
  previous: StackExport,
  next: StackExport,
  data: CommunityDashboardsData = communityDashboardsData(),
): { line: string; refused: false }[] {
  const after = dashboardMaps(next);
  const kept = new Set(after.map((r) => r.urn));
  const shown = new Set(after.flatMap(filesOf));
  const out: { line: string; refused: false }[] = [];
  for (const r of dashboardMaps(previous)) {
    const lost = filesOf(r).filter((f) => !shown.has(f));
    if (lost.length === 0) continue;
    const meta = plainValue(r.inputs?.metadata) ?? {};
    const name = `${meta.namespace ? `${meta.namespace}/` : ""}${meta.name ?? r.urn.split("::").pop()}`;
    const folder = meta.annotations?.[FOLDER_ANNOTATION];
    const byWhy = new Map<string, string[]>();
    for (const f of lost) {
      const why = whyGone(f, data.dashboards);
      byWhy.set(why, [...(byWhy.get(why) ?? []), f]);
    }
    const whys = [...byWhy].map(([why, files]) => `${listed(files)}: ${why}`);
    const what = kept.has(r.urn)
      ? `ConfigMap ${name}${folder ? ` (folder ${folder})` : ""} loses ${lost.length} dashboard(s)`
      : `the update deletes ConfigMap ${name}${folder ? ` (folder ${folder})` : ""} and its ${lost.length} dashboard(s)`;
    out.push({
      line: `WARNING Grafana dashboards removed: ${what}, which Grafana stops showing: ${whys.join("; ")}. Passed: the dashboards hold no data, and the update that ships them again brings them back`,
      refused: false,
    });
  }
  return out;
}
