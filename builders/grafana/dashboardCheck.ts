import { closestMatch } from "../../config/errors";
import { notJsonMessage } from "../../config/jsonText";
import { panelsOf } from "./community";
import { FOLDER_ANNOTATION } from "./grafanaValues";

/*
 * The dashboards Grafana's sidecar loads from the stack's ConfigMaps (the program's own, and any a
 * chart renders from values, such as the grafana chart's `extraObjects`), judged as Grafana takes
 * them: a key not ending in `.json` is never loaded; a file that is no JSON is skipped by the sidecar's provisioning with an error in Grafana's
 * log only; a panel naming a datasource uid the stack does not provision shows "Datasource ...
 * was not found"; two dashboards of one `uid` replace each other (Grafana keeps one per uid); a
 * folder annotation under another key files the dashboard in the sidecar's default folder. The
 * metric names the queries read are judged by checks/emittedMetrics.ts. The rendered ConfigMaps
 * are found by checks/dashboards.ts.
 */

/** One entry of a ConfigMap labelled for the sidecar (each is a file Grafana may load). */
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
  /** Set on a reference to a datasource the provisioned ones lack: what the datasources provision decides it. */
  datasource?: true;
}

/**
 * Datasource references Grafana resolves itself, not by a provisioned uid: a template variable
 * (`$ds`, `${ds}`), the built-in Grafana, Mixed and Dashboard datasources, and server-side
 * expressions (a math, reduce or threshold query: grafana/grafana pkg/expr/service.go
 * DatasourceUID "__expr__", and OldDatasourceUID "-100" kept for older dashboards).
 */
const BUILT_IN = /^\$|^-- .* --$|^grafana$|^__expr__$|^-100$/;

/**
 * The datasources a dashboard names, each with the panel or variable naming it: by uid (`{"uid":
 * "metrics"}`), or, in the form older dashboards keep, by a string Grafana resolves as a name or a
 * uid (grafana/grafana public/app/features/dashboard/state/DashboardMigrator.ts
 * migrateDatasourceNameToRef: `getInstanceSettings(nameOrRef)`, and `{ uid: nameOrRef }` when none
 * is found); `default` is the default datasource.
 */
function datasourceRefs(json: any): { ref: string; at: string; byString: boolean }[] {
  const out: { ref: string; at: string; byString: boolean }[] = [];
  const take = (ds: unknown, at: string) => {
    if (typeof ds === "string") {
      if (ds !== "" && ds !== "default" && !BUILT_IN.test(ds)) out.push({ ref: ds, at, byString: true });
      return;
    }
    const uid = ds && typeof ds === "object" ? (ds as { uid?: unknown }).uid : undefined;
    if (typeof uid === "string" && uid !== "" && !BUILT_IN.test(uid))
      out.push({ ref: uid, at, byString: false });
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
 * Grafana provisions (undefined: no Grafana config rendered, the uids are not judged), `names`
 * their names (a datasource named by a string may give either).
 */
/** The uids or names provisioned, as a message lists them: `none` rather than an empty `()`. */
const listed = (xs: readonly string[]) => (xs.length > 0 ? xs.join(", ") : "none");

export function dashboardProblems(
  files: DashboardFile[],
  provisioned: string[] | undefined,
  names: readonly string[] = [],
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
    const file = f.where.slice(cm.length + 1);
    // The sidecar writes every key as a file, a key ending in `.url` under its name without `.url`
    // and with what its URL serves (kiwigrid/k8s-sidecar src/resources.py
    // _get_file_data_and_name), but Grafana's provisioning loads only `*.json`
    // (grafana/grafana pkg/services/provisioning/dashboards/file_reader.go validateWalkablePath).
    const url = file.endsWith(".url");
    const written = url ? file.slice(0, -".url".length) : file;
    if (!written.endsWith(".json")) {
      out.push({
        where: f.where,
        message: `expected a key ending in .json (Grafana loads only those files), got "${file}": the sidecar writes it and Grafana never loads the dashboard; name the key ${written.replace(/\.json$/i, "")}.json${url ? ".url" : ""}`,
      });
      continue;
    }
    // The dashboard is what the URL serves: nothing here to judge.
    if (url) continue;
    let json: any;
    try {
      json = JSON.parse(f.text);
    } catch {
      // Placed in the file and said in words (config/jsonText.ts): V8's message quotes the text.
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
    // One message per unknown datasource in a file, naming where it is used.
    const unknown = new Map<string, { ref: string; byString: boolean; at: string[] }>();
    for (const { ref, at, byString } of datasourceRefs(json)) {
      if (provisioned.includes(ref) || (byString && names.includes(ref))) continue;
      const key = `${byString ? "string" : "uid"} ${ref}`;
      unknown.set(key, { ref, byString, at: [...(unknown.get(key)?.at ?? []), at] });
    }
    for (const { ref, byString, at } of unknown.values()) {
      const near = closestMatch(ref, byString ? [...provisioned, ...names] : provisioned);
      const places = [...new Set(at)];
      const expected = byString
        ? `a datasource the stack provisions, by uid (${listed(provisioned)}) or by name (${listed(names)})`
        : `a datasource uid the stack provisions (${listed(provisioned)})`;
      out.push({
        datasource: true,
        where: f.where,
        message: `expected ${expected}, got ${byString ? "the string " : ""}"${ref}" in ${places.slice(0, 3).join(", ")}${places.length > 3 ? ` and ${places.length - 3} more` : ""}${near ? `; did you mean "${near}"?` : ""} (Grafana shows "Datasource ${ref} was not found")`,
      });
    }
  }
  return out;
}
