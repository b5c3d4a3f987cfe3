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
 * The folder Grafana provisions from when a container's env does not say: the grafana chart's
 * `grafana.ini.paths.provisioning` default (grafana 12.3.1 values.yaml:909-913), which the chart
 * passes to the grafana container as GF_PATHS_PROVISIONING (templates/_pod.tpl:1469-1470; the
 * image's run.sh hands that variable to Grafana as `cfg:default.paths.provisioning`, grafana/grafana
 * packaging/docker/run.sh, read, not run, at a stored commit, not the pinned tag). The chart mounts
 * each key of its `datasources` value into `datasources` below this folder by subPath
 * (templates/_pod.tpl:1299-1311), whatever the variable says.
 */
const PROVISIONING_DIR = "/etc/grafana/provisioning";

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
 * The folder a container's Grafana reads datasource files from: `datasources` in its
 * GF_PATHS_PROVISIONING (Grafana joins the two, grafana/grafana pkg/services/provisioning/provisioning.go
 * ProvisionDatasources; read, not run), so `grafana.ini.paths.provisioning` moves it. Undefined when
 * the render cannot tell: the variable from `valueFrom`, a relative path (Grafana resolves it
 * against its home), or set twice to two values.
 */
function datasourcesDir(container: any): string | undefined {
  const set = (container?.env ?? []).filter((e: any) => e?.name === "GF_PATHS_PROVISIONING");
  if (set.length === 0) return `${PROVISIONING_DIR}/datasources`;
  const values = new Set(
    set.map((e: any) =>
      e?.valueFrom === undefined && typeof e?.value === "string" ? e.value.replace(/\/+$/, "") : undefined,
    ),
  );
  const [only] = values;
  return values.size === 1 && typeof only === "string" && only.startsWith("/")
    ? `${only}/datasources`
    : undefined;
}

/**
 * Where each file of a ConfigMap volume lands in a container, with the key it holds: the volume
 * holds each key of the ConfigMap at its own name or, with `items`, only the keys listed, each at
 * its `path` (which may hold folders: `datasources/team.yaml`); a mount's `subPath` picks one file
 * or one folder of it (Kubernetes ConfigMapVolumeSource and VolumeMount; read, not run).
 */
function filesOfMount(mount: any, volume: any, cm: K8sObject): { at: string; key: string }[] {
  const items = volume?.configMap?.items;
  const held: { path: string; key: string }[] = Array.isArray(items)
    ? items.map((i: any) => ({ path: String(i?.path ?? ""), key: String(i?.key ?? "") }))
    : [...Object.keys(cm.data ?? {}), ...Object.keys(cm.binaryData ?? {})].map((k) => ({ path: k, key: k }));
  const base = String(mount?.mountPath ?? "").replace(/\/+$/, "");
  const sub = String(mount?.subPath ?? "").replace(/^\/+|\/+$/g, "");
  return held.flatMap(({ path, key }) => {
    if (!sub) return [{ at: `${base}/${path}`, key }];
    if (path === sub) return [{ at: base, key }];
    return path.startsWith(`${sub}/`) ? [{ at: `${base}/${path.slice(sub.length + 1)}`, key }] : [];
  });
}

/** Whether `at` names a file Grafana reads in the folder `dir`. */
function readIn(at: string, dir: string): boolean {
  const slash = at.lastIndexOf("/");
  return at.slice(0, slash) === dir && DATASOURCE_FILE_NAME.test(at.slice(slash + 1));
}

/**
 * The datasource provisioning files the rendered Grafana reads: each `.yaml`/`.yml` file a
 * container's mounts put into its datasources folder ({@link datasourcesDir}) from a ConfigMap of
 * its namespace: one key by subPath, every key (or every `items` path) of a ConfigMap mounted on
 * the folder or above it. Not a ConfigMap's `datasources.yaml` that no container mounts there
 * (another application's file of that name), and not a file of another name that one mounts there
 * (`loki.yaml`, which Grafana reads too). `complete` is false when a file there cannot be read from
 * the render (a Secret's, an emptyDir the datasource sidecar fills at run time, a ConfigMap the
 * render lacks, a folder the env names in a form the render cannot read). `moved` are the pods of
 * a Grafana container reading another folder than the one the chart mounts its files into, which
 * mounts files there all the same (`grafana.ini.paths.provisioning` set, the chart's files unread).
 */
function datasourceFiles(objects: readonly K8sObject[]): {
  files: DatasourceFile[];
  complete: boolean;
  moved: K8sObject[];
} {
  const files: DatasourceFile[] = [];
  let complete = true;
  const moved: K8sObject[] = [];
  for (const pod of objects) {
    const spec = podSpecOf(pod);
    if (!spec) continue;
    const volumes = new Map<string, any>((spec.volumes ?? []).map((v: any) => [String(v?.name), v]));
    for (const c of containersOf(spec)) {
      const dir = datasourcesDir(c);
      if (dir === undefined) {
        complete = false;
        continue;
      }
      // A container the chart renders as Grafana's sets the variable; one that does not is judged
      // by the default folder, as before the variable was read (the datasource sidecar's, a test's).
      const grafana = (c?.env ?? []).some((e: any) => e?.name === "GF_PATHS_PROVISIONING");
      const chartDir = `${PROVISIONING_DIR}/datasources`;
      if (
        grafana &&
        dir !== chartDir &&
        (c?.volumeMounts ?? []).some((m: any) => readIn(String(m?.mountPath ?? ""), chartDir))
      )
        moved.push(pod);
      for (const m of c?.volumeMounts ?? []) {
        const at = String(m?.mountPath ?? "").replace(/\/+$/, "");
        const above = at !== "" && dir.startsWith(`${at}/`);
        if (at !== dir && !above && !readIn(at, dir)) continue;
        const volume = volumes.get(String(m?.name));
        const cm = objects.find(
          (o) =>
            o.kind === "ConfigMap" &&
            o.metadata.name === volume?.configMap?.name &&
            o.metadata.namespace === pod.metadata.namespace,
        );
        if (!cm) {
          // Another volume on the folder or a file in it is not in the render; one above the folder
          // is judged so for Grafana's own container (another's, as before, only on or in it).
          if (grafana || !above) complete = false;
          continue;
        }
        const mounted = filesOfMount(m, volume, cm);
        // A subPath naming no file of the volume: what Grafana then finds there is not rendered.
        if (readIn(at, dir) && !mounted.some((f) => f.at === at)) complete = false;
        for (const { at: file, key } of mounted) {
          if (!readIn(file, dir)) continue;
          const text = cm.data?.[key];
          if (typeof text !== "string") complete = false;
          else if (!files.some((f) => f.from === cm && f.key === key)) files.push({ from: cm, key, text });
        }
      }
    }
  }
  return { files, complete, moved };
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
 * {@link datasourceFiles}); undefined when it reads none (unless its folder moved away from the
 * files the chart mounts: then it provisions none of them), when one cannot be read from the render,
 * or when Grafana also loads datasources at runtime (then one missing here may still be there).
 */
function provisionedDatasources(
  objects: readonly K8sObject[],
  { files, complete, moved }: ReturnType<typeof datasourceFiles>,
): { uids: string[]; names: string[] } | undefined {
  if (loadsDatasourcesAtRuntime(objects)) return undefined;
  const listed = complete ? (renderedDatasources(files) ?? (moved.length > 0 ? [] : undefined)) : undefined;
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
  // So is an override moving the folder Grafana reads them from away from the chart's mounts.
  const provisioning = releaseUrns(
    objects.filter((p) => read.files.some((f) => f.from === p.obj) || read.moved.includes(p.obj)),
  );
  const judged = [
    ...new Set(read.files.map((f) => `datasources[${JSON.stringify(f.key)}].datasources`)),
    ...(read.moved.length > 0 ? ['["grafana.ini"].paths.provisioning'] : []),
  ];
  const findings = dashboardProblems(files, provisioned?.uids, provisioned?.names).map((p): Finding => ({
    check: "dashboard",
    where: p.where,
    message: p.message,
    ...(p.datasource && provisioning.length > 0 ? { releases: provisioning, judged } : {}),
  }));
  // Judged as written, the files are loaded only if Grafana's dashboard sidecar picks their ConfigMaps.
  return { judged: files.length, findings: [...findings, ...unloadedDashboards(objects)] };
}
