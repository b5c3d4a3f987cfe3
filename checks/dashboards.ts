/**
 * The dashboards of the rendered stack's ConfigMaps labelled for Grafana's sidecar, judged by
 * builders/grafana/dashboardCheck.ts against the datasources (uids and names) the rendered Grafana provisions
 * (the provisioning files the grafana container mounts: datasourceFiles).
 */
import { DASHBOARD_LABEL } from "../builders/grafana/grafanaValues";
import { parseUserYaml } from "../model/yamlText";
import { dashboardProblems, type DashboardFile } from "../builders/grafana/dashboardCheck";
import {
  containersOf,
  describe,
  podSpecOf,
  releaseUrns,
  type Finding,
  type K8sObject,
  type Placed,
} from "./objects";
import { unloadedDashboards } from "./dashboardSidecar";

/**
 * Whether a rendered pod runs Grafana's datasource sidecar: its volume `sc-datasources-volume` is
 * there exactly when `sidecar.datasources.enabled` (grafana 12.3.1 templates/_pod.tpl:1646-1647).
 * The sidecar loads datasources from labelled ConfigMaps and Secrets anywhere in the cluster, so
 * their uids cannot be known from the render.
 */
function loadsDatasourcesAtRuntime(objects: readonly K8sObject[]): boolean {
  return objects.some((obj) =>
    (obj.spec?.template?.spec?.volumes ?? []).some(
      (v: { name?: string }) => v?.name === "sc-datasources-volume",
    ),
  );
}

/**
 * The folder Grafana provisions datasources from, where the grafana chart mounts each key of its
 * `datasources` value as a file of that name, by subPath from its ConfigMap (grafana 12.3.1
 * templates/_pod.tpl:1299-1311; the keys written by templates/_config.tpl:42-47).
 */
const DATASOURCES_DIR = "/etc/grafana/provisioning/datasources";

/**
 * Grafana reads every file of that folder (not of a folder in it) whose name ends in `.yaml` or
 * `.yml`, and only those (grafana/grafana pkg/services/provisioning/datasources/config_reader.go
 * readConfig; read, not run, and at an older commit than the pinned 12.3.1, which the stored
 * sources do not hold).
 */
const DATASOURCE_FILE_NAME = /^[^/]+\.ya?ml$/;

/** One datasource provisioning file Grafana reads, as rendered. */
interface DatasourceFile {
  /** The ConfigMap holding it. */
  from: K8sObject;
  /** Its key there (the chart's `datasources` key it came from). */
  key: string;
  text: string;
}

/**
 * The datasource provisioning files the rendered Grafana reads: each `.yaml`/`.yml` file a
 * container mounts into {@link DATASOURCES_DIR} from a ConfigMap of its namespace (one key by
 * subPath, or every key of a ConfigMap mounted on the folder). Not a ConfigMap's `datasources.yaml`
 * that no container mounts there (another application's file of that name), and not a file of
 * another name that one mounts there (`loki.yaml`, which Grafana reads too). `complete` is false
 * when a file there cannot be read from the render (a Secret's, an emptyDir the datasource sidecar
 * fills at run time, a ConfigMap the render lacks).
 */
function datasourceFiles(objects: readonly K8sObject[]): { files: DatasourceFile[]; complete: boolean } {
  const files: DatasourceFile[] = [];
  let complete = true;
  for (const pod of objects) {
    const spec = podSpecOf(pod);
    if (!spec) continue;
    const volumes = new Map<string, any>((spec.volumes ?? []).map((v: any) => [String(v?.name), v]));
    for (const c of containersOf(spec))
      for (const m of c?.volumeMounts ?? []) {
        const at = String(m?.mountPath ?? "").replace(/\/+$/, "");
        const whole = at === DATASOURCES_DIR;
        if (!whole && !(at.startsWith(`${DATASOURCES_DIR}/`) && m?.subPath)) continue;
        const name = volumes.get(String(m?.name))?.configMap?.name;
        const cm = objects.find(
          (o) =>
            o.kind === "ConfigMap" &&
            o.metadata.name === name &&
            o.metadata.namespace === pod.metadata.namespace,
        );
        if (!cm) {
          complete = false;
          continue;
        }
        const keys = whole ? Object.keys(cm.data ?? {}) : [String(m.subPath)];
        const fileName = (k: string) => (whole ? k : at.slice(DATASOURCES_DIR.length + 1));
        for (const key of keys) {
          const text = cm.data?.[key];
          if (!DATASOURCE_FILE_NAME.test(fileName(key))) continue;
          if (typeof text !== "string") complete = false;
          else if (!files.some((f) => f.from === cm && f.key === key)) files.push({ from: cm, key, text });
        }
      }
  }
  return { files, complete };
}

/** The datasources of the provisioning files Grafana reads; undefined when it reads none. */
function renderedDatasources(files: readonly DatasourceFile[]): any[] | undefined {
  let found: any[] | undefined;
  for (const { text } of files) {
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
 * The uids and names of the datasources of the provisioning files Grafana reads (`read`, from
 * {@link datasourceFiles}); undefined when it reads none, when one cannot be read from the render,
 * or when Grafana also loads datasources at runtime (then one missing here may still be there).
 */
function provisionedDatasources(
  objects: readonly K8sObject[],
  { files, complete }: ReturnType<typeof datasourceFiles>,
): { uids: string[]; names: string[] } | undefined {
  if (loadsDatasourcesAtRuntime(objects)) return undefined;
  const listed = complete ? renderedDatasources(files) : undefined;
  if (!listed) return undefined;
  const field = (k: string) => listed.map((d) => String(d?.[k] ?? "")).filter(Boolean);
  return { uids: field("uid"), names: field("name") };
}

/**
 * The uids and names of the Loki datasources the rendered Grafana may provision: a target naming one
 * of them (by uid, or by a string, the older form) reads LogQL, not PromQL. Those of the files it
 * mounts, and, when those are not all it reads (its datasource sidecar fills the folder at run time
 * from labelled ConfigMaps, or a mounted file is not in the render), those of every `.yaml`/`.yml`
 * file of a rendered ConfigMap too: a LogQL query judged as PromQL is refused as a syntax error, so
 * where the render cannot tell, a Loki datasource any ConfigMap lists is taken as provisioned.
 */
export function provisionedLogsDatasources(objects: readonly K8sObject[]): Set<string> {
  const { files, complete } = datasourceFiles(objects);
  const mayRead =
    complete && !loadsDatasourcesAtRuntime(objects)
      ? files
      : objects.flatMap((from) =>
          from.kind !== "ConfigMap"
            ? []
            : Object.entries(from.data ?? {}).flatMap(([key, text]) =>
                DATASOURCE_FILE_NAME.test(key) && typeof text === "string" ? [{ from, key, text }] : [],
              ),
        );
  const loki = (renderedDatasources(mayRead) ?? []).filter((d) => d?.type === "loki");
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
  // The provisioning files, found once: both the verdict and what it rests on read them.
  const objs = objects.map((p) => p.obj);
  const read = datasourceFiles(objs);
  const provisioned = provisionedDatasources(objs, read);
  // A reference to a datasource none provisions rests on the releases rendering the provisioning
  // files (the grafana chart's, from its `datasources` value): a chartValues override replacing a
  // file's list is the cause of every such reference, which synth/report.ts then says as one
  // mistake. What it rests on is each file's `datasources` list alone, not its other keys
  // (`apiVersion`), which change nothing of what Grafana provisions (synth/report.ts overridesOn).
  const provisioning = releaseUrns(objects.filter((p) => read.files.some((f) => f.from === p.obj)));
  const judged = [...new Set(read.files.map((f) => `datasources[${JSON.stringify(f.key)}].datasources`))];
  const findings = dashboardProblems(files, provisioned?.uids, provisioned?.names).map((p): Finding => ({
    check: "dashboard",
    where: p.where,
    message: p.message,
    ...(p.datasource && provisioning.length > 0 ? { releases: provisioning, judged } : {}),
  }));
  // Judged as written, the files are loaded only if Grafana's dashboard sidecar picks their ConfigMaps.
  return { judged: files.length, findings: [...findings, ...unloadedDashboards(objects)] };
}
