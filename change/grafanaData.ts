/**
 * Grafana's own database at a takeover. The grafana chart mounts the volume `storage` at
 * `/var/lib/grafana` (grafana 12.3.1 templates/_pod.tpl lines 1275-1276), Grafana's data path
 * (values.yaml lines 909-910, `grafana.ini` paths.data), where its SQLite database `grafana.db`
 * lives (Grafana conf/defaults.ini [database] type sqlite3, path grafana.db). That volume is a
 * claim only with `persistence.enabled` (values.yaml lines 445-447, default false); else an
 * emptyDir (_pod.tpl lines 1599-1614), which goes with the pod. A Flux Grafana left at the default
 * keeps the dashboards, users, API keys and alert state made in its UI there, and the program's
 * values turn persistence on: the update creates the claim and the new pod starts on an empty
 * database. So the change check refuses it, with the steps that keep the database, until the
 * stack says it is copied out (takeover.grafanaDatabaseSaved).
 */
import { inContext, type RunningRelease, type RunningState } from "../model/running";
import type { StackObject } from "../synth/render/types";
import type { Refusal } from "./apiRules";

export const ACK_KEY = "takeover.grafanaDatabaseSaved";

/** What the check says about Grafana's database: a refusal on its workload, or a note. */
export interface GrafanaDataVerdict {
  /** `Kind namespace/name` of Grafana's workload. */
  subject: string;
  refusal?: Refusal;
  /** Said under the change, not refused: what to do after the update, or what could not be told. */
  note?: string;
}

const WORKLOADS = new Set(["Deployment", "StatefulSet"]);
const podSpec = (o: StackObject) => o.object.spec?.template?.spec ?? {};
const volumeNamed = (o: StackObject, name: string) =>
  (podSpec(o).volumes ?? []).find((v: any) => v?.name === name);

/** Where Grafana keeps its database, as the running values say; `unknown` when the pod's environment may set it. */
function databaseOf(rel: RunningRelease): { file: string } | { elsewhere: string } | { unknown: string } {
  const v = rel.values ?? {};
  const ini = v["grafana.ini"] ?? {};
  // Grafana reads GF_<SECTION>_<KEY> over grafana.ini: set from a Secret or ConfigMap, it is not in the values.
  const env = (v.env ?? {}) as Record<string, unknown>;
  const fromEnv = (k: string) => (typeof env[k] === "string" ? env[k] : undefined);
  const type = fromEnv("GF_DATABASE_TYPE") ?? ini.database?.type ?? "sqlite3";
  const url = fromEnv("GF_DATABASE_URL") ?? ini.database?.url;
  if (type !== "sqlite3" || (typeof url === "string" && !url.startsWith("sqlite3")))
    return { elsewhere: `grafana.ini database.type ${type}` };
  const hidden = ["envFromSecret", "envFromSecrets", "envFromConfigMaps", "envValueFrom"].filter((k) => {
    const x = v[k];
    return Array.isArray(x) ? x.length > 0 : x && typeof x === "object" ? Object.keys(x).length > 0 : !!x;
  });
  if (hidden.length > 0 && !fromEnv("GF_DATABASE_TYPE"))
    return { unknown: `its environment comes from ${hidden.join(", ")}, which may set GF_DATABASE_TYPE` };
  const data = String(fromEnv("GF_PATHS_DATA") ?? ini.paths?.data ?? "/var/lib/grafana/").replace(/\/+$/, "");
  const file = String(fromEnv("GF_DATABASE_PATH") ?? ini.database?.path ?? "grafana.db");
  return { file: file.startsWith("/") ? file : `${data}/${file}` };
}

/**
 * `kubectl` words that find the running pod of a workload (its selector) and its Grafana
 * container, in the stack's kube `context` when it pins one.
 */
function podCommand(w: StackObject, context: string | undefined): string {
  const ns = w.object.metadata.namespace;
  const labels = Object.entries(w.object.spec?.selector?.matchLabels ?? {})
    .map(([k, val]) => `${k}=${String(val)}`)
    .join(",");
  return `POD=$(${inContext(`kubectl -n ${ns} get pod -l ${labels} -o jsonpath='{.items[0].metadata.name}'`, context)})`;
}

/**
 * Per adopted Grafana workload whose data volume is an emptyDir in what runs (`before`, the running
 * release rendered with its values) and a claim after the update: refused with what is lost and
 * the copy to make, or, acknowledged, a note with the restore; a note when the running values
 * cannot tell where the database is. Its kubectl commands name `context`, the stack's pinned kube
 * context, when it has one: pasted, they copy from the stack's cluster, not the selected one.
 */
export function grafanaDataVerdicts(
  before: StackObject[],
  after: StackObject[],
  running: RunningState,
  acknowledged: boolean,
  context?: string,
): GrafanaDataVerdict[] {
  const out: GrafanaDataVerdict[] = [];
  for (const a of after) {
    if (a.release?.chart !== "grafana" || !WORKLOADS.has(a.object.kind)) continue;
    const { kind, metadata } = a.object;
    const b = before.find(
      (x) =>
        x.object.kind === kind &&
        x.object.metadata.name === metadata.name &&
        x.object.metadata.namespace === metadata.namespace,
    );
    if (!b) continue;
    const claimed = (podSpec(a).volumes ?? []).filter((v: any) => v?.persistentVolumeClaim);
    for (const vol of claimed) {
      if (!volumeNamed(b, vol.name)?.emptyDir) continue;
      const rel = running.releases.find(
        (r) => r.namespace === metadata.namespace && r.name === b.release?.name,
      );
      if (!rel) continue;
      const verdict = verdictOf(b, vol, rel, running, acknowledged, context);
      if (verdict) out.push(verdict);
    }
  }
  return out;
}

function verdictOf(
  b: StackObject,
  vol: { name: string; persistentVolumeClaim: { claimName: string } },
  rel: RunningRelease,
  running: RunningState,
  acknowledged: boolean,
  context: string | undefined,
): GrafanaDataVerdict | undefined {
  const ns = b.object.metadata.namespace;
  const subject = `${b.object.kind} ${ns}/${b.object.metadata.name}`;
  const container = (podSpec(b).containers ?? []).find((c: any) =>
    (c.volumeMounts ?? []).some((m: any) => m.name === vol.name),
  );
  const mount =
    container?.volumeMounts.find((m: any) => m.name === vol.name)?.mountPath ?? "/var/lib/grafana";
  const values = `${running.dir}/${rel.namespace}.${rel.name}.values.yaml`;
  // `--all` values hold the chart's defaults too; a file without the key (empty, `null`, collected
  // without --all) renders the chart's default, which is no value the file sets.
  const enabled = rel.values?.persistence?.enabled;
  const why =
    enabled === undefined
      ? `${values} does not set persistence.enabled: the chart's default, false`
      : `${values}: persistence.enabled ${String(enabled)}`;
  const where = `its volume ${vol.name} (${mount}) is an emptyDir in what runs (${why}) and the update mounts the new PersistentVolumeClaim ${ns}/${vol.persistentVolumeClaim.claimName} there instead`;
  const db = databaseOf(rel);
  if ("elsewhere" in db) return undefined;
  if ("unknown" in db)
    return {
      subject,
      note: `${subject}: ${where}; the running values cannot tell where Grafana keeps its database (${db.unknown}): if it is SQLite (the default, ${mount}/grafana.db), the pod restarts on an empty one and what was made in the UI is lost; copy it out first (docs/how-to/take-over-flux.md step 8, "Grafana's database")`,
    };
  const pod = podCommand(b, context);
  const kubectl = (args: string) => inContext(`kubectl -n ${ns} ${args}`, context);
  const c = container?.name ? ` -c ${container.name}` : "";
  const lost = `the pod restarts on an empty database: the dashboards, folders, users, API keys and alert state made in Grafana's UI, kept in its SQLite database ${db.file}, are lost (provisioned dashboards and datasources come back)`;
  if (acknowledged)
    return {
      subject,
      note: `${subject}: ${where}; ${ACK_KEY} says ${db.file} is copied out; once the update is done, restore it: ${pod} && ${kubectl(`cp${c} grafana.db "$POD:${db.file}"`)} && ${kubectl(`delete pod "$POD"`)}`,
    };
  return {
    subject,
    refusal: {
      field: `spec.template.spec.volumes[${vol.name}]`,
      reason: `${where}: ${lost}; before the update copy it out: ${pod} && ${kubectl(`cp${c} "$POD:${db.file}" grafana.db`)}; restore it after the update (docs/how-to/take-over-flux.md step 8, "Grafana's database"); once copied, set ${ACK_KEY}: true`,
    },
  };
}
