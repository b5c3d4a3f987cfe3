/**
 * An Alertmanager running more than one replica is a cluster whose members share silences and the
 * notification log, not alerts (the only states v0.28.1 gossips are "nfl" and "sil",
 * cmd/alertmanager/main.go:281, 310): every sender must send every alert to every replica. Alertmanager's
 * own documentation (prometheus/alertmanager v0.28.1, the image the stack pins, docs/alertmanager.md
 * "High Availability", line 76): "It's important not to load balance traffic between Prometheus and
 * its Alertmanagers, but instead, point Prometheus to a list of all Alertmanagers." A sender that
 * dials one Service name in front of the replicas reaches one of them per request: a ClusterIP
 * Service balances each connection to one pod, and a headless one answers with every pod's
 * address, of which the sender's Go dialer connects to the first that answers (net/dial.go
 * `dialSerial`: "returning either the first successful connection, or the first error", read in
 * this machine's Go 1.26.8 source). What reaches them all is DNS discovery, which the senders
 * offer: Loki's `ruler.enable_alertmanager_discovery` ("Multiple Alertmanagers in HA per group can
 * be supported by using DNS resolution via -ruler.alertmanager-discovery", its flag's help), and
 * Mimir's service-discovery URL forms `dns+`, `dnssrv+`, `dnssrvnoa+` ("by using DNS service
 * discovery format, comprehensive of the scheme"); or a URL per pod. So, for each Alertmanager with
 * more than one replica, every alert sender configured in the rendered objects that addresses it
 * through one Service name is reported, once per Alertmanager.
 *
 * The Alertmanagers and the field that sets their replicas, read in the charts the stack pins:
 * - the alertmanager chart's StatefulSet (a workload running the Alertmanager image): `spec.replicas`
 *   from the chart's `replicaCount` (alertmanager 1.42.0 templates/statefulset.yaml:14, values.yaml:6);
 * - kube-prometheus-stack's `Alertmanager` (monitoring.coreos.com/v1): `spec.replicas` (88.0.0
 *   charts/crds/crds/crd-alertmanagers.yaml, "replicas defines the expected size of the alertmanager
 *   cluster"), from `alertmanager.alertmanagerSpec.replicas` (templates/alertmanager/alertmanager.yaml:35);
 * - victoria-metrics-k8s-stack's `VMAlertmanager` (operator.victoriametrics.com/v1beta1):
 *   `spec.replicaCount` (0.80.0 values.yaml:668-670 `alertmanager.spec.replicaCount`; the chart's
 *   CRD leaves `spec` unchecked, preserve-unknown-fields).
 * Unset, each runs one replica.
 *
 * The senders are the keys that name the Alertmanagers alerts are posted to: Loki's and Mimir's
 * `alertmanager_url` (`ruler.alertmanager_url`, Mimir's `ruler_alertmanager_client_config`) and
 * their flag `-ruler.alertmanager-url`, vmalert's `-notifier.url` (a VMAlert's `spec.notifier.url`,
 * `spec.notifiers[].url`, `spec.extraArgs["notifier.url"]`), and a Prometheus config's
 * `alerting.alertmanagers[].static_configs[].targets`. A Prometheus under the operator names its
 * Alertmanagers by Service (`spec.alerting.alertmanagers`), and the operator discovers every pod
 * behind it: not a sender through a load balancer. Readers (a Grafana datasource) are not senders.
 */
import { serverPodLabels } from "../upstream/operators/prometheusOperator";
import { parseUserYaml } from "../model/yamlText";
import { vmPodLabels } from "../upstream/operators/victoriaMetrics";
import { addressesInText } from "./addresses";
import {
  chartOf,
  fromRelease,
  describe,
  filesOf,
  podTemplates,
  selects,
  type Finding,
  type Placed,
} from "./objects";

/** One Alertmanager the stack runs, with its replicas and its pods' labels. */
interface Alertmanager {
  at: Placed;
  replicas: number;
  podLabels: Record<string, string>;
  /** The field its replicas are read from, for the message. */
  field: string;
}

/** One place that posts alerts to an address. */
interface Sender {
  /** The object and the key, as the message names them. */
  who: string;
  url: string;
}

/** Mimir's (and Thanos') DNS service-discovery forms of a URL: a sender that finds every replica. */
const DISCOVERY_URL = /^\s*(dns|dnssrv|dnssrvnoa)\+/;

/**
 * The values key of each pinned chart that sets its Alertmanager's replicas (see the header), by
 * the chart's name as `chartValues` takes it.
 */
const REPLICAS_VALUE: Record<string, string> = {
  alertmanager: "replicaCount",
  "kube-prometheus-stack": "alertmanager.alertmanagerSpec.replicas",
  "victoria-metrics-k8s-stack": "alertmanager.spec.replicaCount",
};

/** An Alertmanager image (`quay.io/prometheus/alertmanager:v0.28.1`), not an operator's or a reloader's. */
const ALERTMANAGER_IMAGE = /(^|\/)alertmanager(:|@|$)/;

const count = (v: unknown): number => (typeof v === "number" && Number.isInteger(v) ? v : 1);

/** The Alertmanagers of the rendered objects: chart workloads by image, the operators' resources. */
function alertmanagersIn(objects: Placed[]): Alertmanager[] {
  const out: Alertmanager[] = [];
  for (const t of podTemplates(objects)) {
    const { kind, spec } = t.owner.obj;
    if (kind !== "StatefulSet" && kind !== "Deployment") continue;
    if (!(t.spec.containers ?? []).some((c: any) => ALERTMANAGER_IMAGE.test(String(c.image ?? "")))) continue;
    out.push({ at: t.owner, replicas: count(spec?.replicas), podLabels: t.labels, field: "spec.replicas" });
  }
  for (const p of objects) {
    const { apiVersion, kind, metadata, spec } = p.obj;
    if (apiVersion.startsWith("monitoring.coreos.com/") && kind === "Alertmanager")
      out.push({
        at: p,
        replicas: count(spec?.replicas),
        podLabels: serverPodLabels("Alertmanager", metadata.name, spec?.podMetadata),
        field: "spec.replicas",
      });
    if (apiVersion.startsWith("operator.victoriametrics.com/") && kind === "VMAlertmanager")
      out.push({
        at: p,
        replicas: count(spec?.replicaCount),
        podLabels: vmPodLabels("vmalertmanager", metadata.name, spec?.podMetadata),
        field: "spec.replicaCount",
      });
  }
  return out;
}

/** Whether a config path names where alerts are posted (Loki, Mimir, a Prometheus config). */
function sendsAlerts(path: (string | number)[]): boolean {
  const last = path[path.length - 1];
  if (last === "alertmanager_url") return true;
  const keys = path.filter((k): k is string => typeof k === "string");
  return keys.join(".").endsWith("alerting.alertmanagers.static_configs.targets");
}

/** The strings of a parsed config at the keys that post alerts, with their dotted path. */
function sendersInConfig(config: unknown, path: (string | number)[] = []): { key: string; url: string }[] {
  if (typeof config === "string")
    return sendsAlerts(path)
      ? config.split(",").map((url) => ({ key: path.filter((k) => typeof k === "string").join("."), url }))
      : [];
  if (Array.isArray(config)) return config.flatMap((v, i) => sendersInConfig(v, [...path, i]));
  if (config && typeof config === "object")
    return Object.entries(config).flatMap(([k, v]) => sendersInConfig(v, [...path, k]));
  return [];
}

/** The flags that post alerts: Loki's and Mimir's ruler, vmalert. */
const SENDER_FLAG = /^--?(ruler\.alertmanager-url|notifier\.url)=(.*)$/;

/** Every place of one object that posts alerts, and the URL it posts to. */
function sendersOf(p: Placed): Sender[] {
  const out: Sender[] = [];
  const where = describe(p);
  for (const [file, text] of filesOf(p.obj)) {
    // A file naming no Service address sends nothing in the cluster: not parsed.
    if (!text.includes(".svc")) continue;
    let config: unknown;
    try {
      config = parseUserYaml(text);
    } catch {
      continue; // not YAML: the schema and engine checks say so
    }
    // Loki's ruler with DNS SRV discovery looks every Alertmanager up behind its URL.
    const discovers = (config as { ruler?: { enable_alertmanager_discovery?: unknown } } | null)?.ruler
      ?.enable_alertmanager_discovery;
    for (const s of sendersInConfig(config))
      if (!(discovers === true && s.key === "ruler.alertmanager_url"))
        out.push({ who: `${where} ${file} ${s.key}`, url: s.url });
  }
  const spec = p.obj.spec ?? {};
  if (p.obj.apiVersion.startsWith("operator.victoriametrics.com/") && p.obj.kind === "VMAlert") {
    if (typeof spec.notifier?.url === "string")
      out.push({ who: `${where} spec.notifier.url`, url: spec.notifier.url });
    (Array.isArray(spec.notifiers) ? spec.notifiers : []).forEach((n: any, i: number) => {
      if (typeof n?.url === "string") out.push({ who: `${where} spec.notifiers[${i}].url`, url: n.url });
    });
    const arg = spec.extraArgs?.["notifier.url"];
    if (typeof arg === "string")
      arg.split(",").forEach((url) => out.push({ who: `${where} spec.extraArgs["notifier.url"]`, url }));
  }
  for (const t of podTemplates([p]))
    for (const c of t.spec.containers ?? [])
      for (const a of [...(c.command ?? []), ...(c.args ?? [])]) {
        const m = typeof a === "string" ? SENDER_FLAG.exec(a) : null;
        if (m)
          m[2].split(",").forEach((url) => out.push({ who: `${where} container ${c.name} -${m[1]}`, url }));
      }
  return out;
}

export interface AlertmanagerReplicasReport {
  /** Alertmanagers with more than one replica whose senders were judged. */
  judged: number;
  findings: Finding[];
}

/**
 * Reports each Alertmanager running more than one replica that an alert sender reaches through a
 * load-balanced Service (`generated`: the objects operators make, their Services among them).
 */
export function checkAlertmanagerReplicas(
  objects: Placed[],
  generated: Placed[] = [],
): AlertmanagerReplicasReport {
  const report: AlertmanagerReplicasReport = { judged: 0, findings: [] };
  const clustered = alertmanagersIn(objects).filter((a) => a.replicas > 1);
  if (clustered.length === 0) return report;
  const services = [...objects, ...generated].filter((p) => p.obj.kind === "Service");
  const senders = objects.flatMap(sendersOf);
  for (const am of clustered) {
    report.judged++;
    const ns = am.at.obj.metadata.namespace;
    // Services whose one name stands for every replica: ClusterIP or headless, selecting them.
    const fronting = services.filter(
      (s) =>
        s.obj.metadata.namespace === ns &&
        s.obj.spec?.type !== "ExternalName" &&
        selects(s.obj.spec?.selector, am.podLabels),
    );
    const through = new Map<string, string[]>();
    for (const s of senders.filter((x) => !DISCOVERY_URL.test(x.url)))
      for (const a of addressesInText(s.url)) {
        // `<pod>.<service>.<namespace>.svc`: one replica's own name, which reaches that replica.
        if (!a.text.replace(/^[a-z][a-z0-9+.-]*:\/\//, "").startsWith(`${a.service}.`)) continue;
        const svc = fronting.find(
          (b) => b.obj.metadata.name === a.service && b.obj.metadata.namespace === a.namespace,
        );
        if (!svc) continue;
        const name = `${svc.obj.spec?.clusterIP === "None" ? "headless " : ""}Service ${a.namespace}/${a.service}`;
        through.set(name, [...new Set([...(through.get(name) ?? []), s.who])]);
      }
    if (through.size === 0) continue;
    report.findings.push(finding(am, through));
  }
  return report;
}

function finding(am: Alertmanager, through: Map<string, string[]>): Finding {
  const chart = chartOf(am.at.obj);
  const key = chart ? REPLICAS_VALUE[chart] : undefined;
  const setting = key ? `chartValues.${chart}.${key}` : am.field;
  const via = [...through].map(([svc, who]) => `through the one name of the ${svc}: ${who.join("; ")}`);
  return {
    check: "alertmanager-replicas",
    where: describe(am.at),
    message:
      `runs ${am.replicas} clustered replicas (${am.field}${key ? `, set by ${setting}` : ""}), but its alert senders reach it ${via.join("; and ")}. ` +
      `Each alert so reaches one replica per request (a Service balances each connection to one pod; a headless name's client connects to the first pod that answers), and the replicas share silences and notifications, not alerts. ` +
      `Alertmanager's documentation (docs/alertmanager.md, "High Availability"): "It's important not to load balance traffic between Prometheus and its Alertmanagers, but instead, point Prometheus to a list of all Alertmanagers." ` +
      `Keep one replica (${key ? `remove ${setting} or set it to 1` : `${am.field}: 1`}): the program's senders reach it through its Service`,
    releases: fromRelease(am.at) ? [am.at.urn] : [],
  };
}
