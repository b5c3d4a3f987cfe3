/**
 * The dashboards of the rendered stack's ConfigMaps labelled for Grafana's sidecar, judged by
 * builders/grafana/dashboardCheck.ts against the datasources (uids and names) the rendered Grafana provisions
 * (the grafana chart's `datasources.yaml`, grafana 12.3.1 templates/_config.tpl).
 */
import { DASHBOARD_LABEL } from "../builders/grafana/grafanaValues";
import { parseUserYaml } from "../model/yamlText";
import { dashboardProblems, type DashboardFile } from "../builders/grafana/dashboardCheck";
import { describe, releaseUrns, type Finding, type K8sObject, type Placed } from "./objects";
import { unloadedDashboards } from "./dashboardSidecar";

/**
 * Whether a rendered pod runs Grafana's datasource sidecar: its volume `sc-datasources-volume` is
 * there exactly when `sidecar.datasources.enabled` (grafana 12.3.1 templates/_pod.tpl:1646-1647).
 * The sidecar loads datasources from labelled ConfigMaps and Secrets anywhere in the cluster, so
 * their uids cannot be known from the render.
 */
function loadsDatasourcesAtRuntime(objects: Placed[]): boolean {
  return objects.some(({ obj }) =>
    (obj.spec?.template?.spec?.volumes ?? []).some(
      (v: { name?: string }) => v?.name === "sc-datasources-volume",
    ),
  );
}

/**
 * The file of the grafana chart's ConfigMap whose `datasources` list this check reads: the chart
 * writes each key of its `datasources` value as a file of that name (grafana 12.3.1
 * templates/_config.tpl:42-47), the program's under this one.
 */
const DATASOURCES_FILE = "datasources.yaml";

/**
 * What a verdict on the provisioned datasources rests on, as a values path of the grafana chart:
 * that file's `datasources` list alone, not its other keys (`apiVersion`), which change nothing
 * of what Grafana provisions (synth/report.ts overridesOn names the override setting it).
 */
const DATASOURCES_JUDGED = `datasources[${JSON.stringify(DATASOURCES_FILE)}].datasources`;

/** The datasources of every rendered `datasources.yaml`; undefined when none is rendered. */
function renderedDatasources(objects: readonly K8sObject[]): any[] | undefined {
  let found: any[] | undefined;
  for (const obj of objects) {
    if (obj.kind !== "ConfigMap") continue;
    const text = obj.data?.[DATASOURCES_FILE];
    if (typeof text !== "string") continue;
    let doc: any;
    try {
      doc = parseUserYaml(text);
    } catch {
      continue;
    }
    found = [...(found ?? []), ...(Array.isArray(doc?.datasources) ? doc.datasources : [])];
  }
  return found;
}

/**
 * The uids and names of the datasources of every rendered `datasources.yaml`; undefined when none
 * is rendered, or when Grafana also loads datasources at runtime (then one missing here may still
 * be there).
 */
function provisionedDatasources(objects: Placed[]): { uids: string[]; names: string[] } | undefined {
  if (loadsDatasourcesAtRuntime(objects)) return undefined;
  const listed = renderedDatasources(objects.map((p) => p.obj));
  if (!listed) return undefined;
  const field = (k: string) => listed.map((d) => String(d?.[k] ?? "")).filter(Boolean);
  return { uids: field("uid"), names: field("name") };
}

/**
 * The uids and names of the Loki datasources the rendered Grafana provisions: a target naming one
 * of them (by uid, or by a string, the older form) reads LogQL, not PromQL.
 */
export function provisionedLogsDatasources(objects: readonly K8sObject[]): Set<string> {
  const loki = (renderedDatasources(objects) ?? []).filter((d) => d?.type === "loki");
  return new Set(
    loki.flatMap((d) => [d?.uid, d?.name]).filter((v): v is string => typeof v === "string" && v !== ""),
  );
}

/** Judges every dashboard file of the rendered stack. */
export function checkDashboards(objects: Placed[]): { judged: number; findings: Finding[] } {
  const files: DashboardFile[] = [];
  for (const p of objects) {
    const o = p.obj;
    if (o.kind !== "ConfigMap" || o.metadata.labels?.[DASHBOARD_LABEL] === undefined) continue;
    for (const [file, text] of Object.entries<unknown>(o.data ?? {}))
      if (typeof text === "string")
        files.push({
          where: `${describe(p)} ${file}`,
          text,
          annotations: o.metadata.annotations ?? {},
          labels: o.metadata.labels ?? {},
        });
  }
  // The program's own first: of two dashboards sharing a uid, the one added later is told to change.
  files.sort((a, b) => Number(!a.where.includes("(resource ")) - Number(!b.where.includes("(resource ")));
  const provisioned = provisionedDatasources(objects);
  // A reference to a datasource none provisions rests on the releases rendering `datasources.yaml`
  // (the grafana chart's, from its `datasources` value): a chartValues override replacing that
  // list is the cause of every such reference, which synth/report.ts then says as one mistake.
  const provisioning = releaseUrns(
    objects.filter((p) => p.obj.kind === "ConfigMap" && typeof p.obj.data?.[DATASOURCES_FILE] === "string"),
  );
  const findings = dashboardProblems(files, provisioned?.uids, provisioned?.names).map((p): Finding => ({
    check: "dashboard",
    where: p.where,
    message: p.message,
    ...(p.datasource && provisioning.length > 0
      ? { releases: provisioning, judged: [DATASOURCES_JUDGED] }
      : {}),
  }));
  // Judged as written, the files are loaded only if Grafana's dashboard sidecar picks their ConfigMaps.
  return { judged: files.length, findings: [...findings, ...unloadedDashboards(objects)] };
}
