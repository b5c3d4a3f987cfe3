/**
 * The dashboards of the rendered stack's ConfigMaps labelled for Grafana's sidecar, judged by
 * builders/grafana/dashboardCheck.ts against the datasources (uids and names) the rendered Grafana provisions
 * (the grafana chart's `datasources.yaml`, grafana 12.3.1 templates/_config.tpl).
 */
import { DASHBOARD_LABEL } from "../builders/grafana/grafanaValues";
import { parseUserYaml } from "../model/yamlText";
import { dashboardProblems, type DashboardFile } from "../builders/grafana/dashboardCheck";
import { describe, type Finding, type Placed } from "./objects";

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
 * The uids and names of the datasources of every rendered `datasources.yaml`; undefined when none
 * is rendered, or when Grafana also loads datasources at runtime (then one missing here may still
 * be there).
 */
function provisionedDatasources(objects: Placed[]): { uids: string[]; names: string[] } | undefined {
  if (loadsDatasourcesAtRuntime(objects)) return undefined;
  let found: { uids: string[]; names: string[] } | undefined;
  for (const { obj } of objects) {
    if (obj.kind !== "ConfigMap") continue;
    const text = obj.data?.["datasources.yaml"];
    if (typeof text !== "string") continue;
    let doc: any;
    try {
      doc = parseUserYaml(text);
    } catch {
      continue;
    }
    const listed: any[] = doc?.datasources ?? [];
    const field = (k: string) => listed.map((d) => String(d?.[k] ?? "")).filter(Boolean);
    found = {
      uids: [...(found?.uids ?? []), ...field("uid")],
      names: [...(found?.names ?? []), ...field("name")],
    };
  }
  return found;
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
  const findings = dashboardProblems(files, provisioned?.uids, provisioned?.names).map((p) => ({
    check: "dashboard",
    where: p.where,
    message: p.message,
  }));
  return { judged: files.length, findings };
}
