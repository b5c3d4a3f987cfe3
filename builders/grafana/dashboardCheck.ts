import { closestMatch } from "../../config/errors";
import { notJsonMessage } from "../../config/jsonText";
import { panelsOf } from "./community";
import { FOLDER_ANNOTATION } from "./grafanaValues";

/*
 * The dashboards Grafana's sidecar loads from the stack's ConfigMaps (the program's own, and any a
 * chart renders from values, such as the grafana chart's `extraObjects`), judged as Grafana takes
 * them: a file that is no JSON is skipped by the sidecar's provisioning with an error in Grafana's
 * log only; a panel naming a datasource uid the stack does not provision shows "Datasource ...
 * was not found"; two dashboards of one `uid` replace each other (Grafana keeps one per uid); a
 * folder annotation under another key files the dashboard in the sidecar's default folder. The
 * metric names the queries read are judged by checks/emittedMetrics.ts. The rendered ConfigMaps
 * are found by checks/dashboards.ts.
 */

/** One `.json` entry of a ConfigMap labelled for the sidecar. */
export interface DashboardFile {
  /** How a message names it: `ConfigMap <ns>/<name> (<source>) <file>`. */
  where: string;
  text: string;
  /** The ConfigMap's annotations and labels, for its folder. */
  annotations: Record<string, string>;
  labels: Record<string, string>;
}

/** One problem of one dashboard file. */
export interface DashboardProblem {
  where: string;
  message: string;
}

/**
 * Datasource references Grafana resolves itself, not by a provisioned uid: a template variable
 * (`$ds`, `${ds}`), the built-in Grafana, Mixed and Dashboard datasources, and server-side
 * expressions (a math, reduce or threshold query: grafana/grafana pkg/expr/service.go
 * DatasourceUID "__expr__", and OldDatasourceUID "-100" kept for older dashboards).
 */
const BUILT_IN = /^\$|^-- .* --$|^grafana$|^__expr__$|^-100$/;

/** The datasource uids a dashboard names, each with the panel or variable naming it. */
function datasourceUids(json: any): { uid: string; at: string }[] {
  const out: { uid: string; at: string }[] = [];
  const take = (ds: unknown, at: string) => {
    const uid = ds && typeof ds === "object" ? (ds as { uid?: unknown }).uid : undefined;
    if (typeof uid === "string" && uid !== "" && !BUILT_IN.test(uid)) out.push({ uid, at });
  };
  for (const p of panelsOf(json)) {
    const at = `panel "${p?.title ?? p?.id ?? "?"}"`;
    take(p?.datasource, at);
    for (const t of Array.isArray(p?.targets) ? p.targets : []) take(t?.datasource, at);
  }
  for (const v of Array.isArray(json?.templating?.list) ? json.templating.list : [])
    take(v?.datasource, `variable "${v?.name ?? "?"}"`);
  return out;
}

/** The folder annotation written under a near key (a typo, `-` for `_`) or as a label: the dashboard lands in the default folder. */
function folderProblem(f: DashboardFile): string | undefined {
  if (f.annotations[FOLDER_ANNOTATION] !== undefined) return undefined;
  if (f.labels[FOLDER_ANNOTATION] !== undefined)
    return `expected the folder as the annotation ${FOLDER_ANNOTATION} (the sidecar reads annotations only), got it as a label: the dashboard lands in the sidecar's default folder; move it to metadata.annotations`;
  const near = Object.keys(f.annotations).find(
    (k) => closestMatch(k, [FOLDER_ANNOTATION]) === FOLDER_ANNOTATION,
  );
  return near
    ? `expected the folder under the annotation ${FOLDER_ANNOTATION}, got "${near}"; did you mean ${FOLDER_ANNOTATION}? (the dashboard lands in the sidecar's default folder)`
    : undefined;
}

/**
 * What is wrong with the dashboards of one stack. `provisioned` are the datasource uids its
 * Grafana provisions (undefined: no Grafana config rendered, the uids are not judged).
 */
export function dashboardProblems(
  files: DashboardFile[],
  provisioned: string[] | undefined,
): DashboardProblem[] {
  const out: DashboardProblem[] = [];
  const uids = new Map<string, string>();
  const folderSaid = new Set<string>();
  for (const f of files) {
    const cm = f.where.replace(/ [^ ]+$/, "");
    const folder = folderProblem(f);
    if (folder && !folderSaid.has(cm)) {
      folderSaid.add(cm);
      out.push({ where: cm, message: folder });
    }
    let json: any;
    try {
      json = JSON.parse(f.text);
    } catch {
      // Placed in the file and said in words (config/jsonText.ts): V8's message quotes the text.
      const file = f.where.slice(cm.length + 1);
      out.push({
        where: f.where,
        message: `${notJsonMessage(file, f.text, "dashboard JSON")}: the sidecar's provisioning skips the file and only Grafana's log says so`,
      });
      continue;
    }
    if (typeof json?.uid === "string" && json.uid !== "") {
      const first = uids.get(json.uid);
      if (first)
        out.push({
          where: f.where,
          message: `expected a dashboard uid no other dashboard has, got "${json.uid}", which ${first} has too: Grafana keeps one of them (give this one a uid of its own)`,
        });
      else uids.set(json.uid, f.where);
    }
    if (!provisioned) continue;
    // One message per unknown uid in a file, naming where it is used.
    const unknown = new Map<string, string[]>();
    for (const { uid, at } of datasourceUids(json))
      if (!provisioned.includes(uid)) unknown.set(uid, [...(unknown.get(uid) ?? []), at]);
    for (const [uid, at] of unknown) {
      const near = closestMatch(uid, provisioned);
      const places = [...new Set(at)];
      out.push({
        where: f.where,
        message: `expected a datasource uid the stack provisions (${provisioned.join(", ")}), got "${uid}" in ${places.slice(0, 3).join(", ")}${places.length > 3 ? ` and ${places.length - 3} more` : ""}${near ? `; did you mean "${near}"?` : ""} (Grafana shows "Datasource ${uid} was not found")`,
      });
    }
  }
  return out;
}
