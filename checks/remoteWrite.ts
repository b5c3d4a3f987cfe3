/**
 * While kube-prometheus-stack's Prometheus and Mimir both run (dual-write, backend-primary:
 * model/phases.ts `prometheusRemoteWrite`), Prometheus must remote-write to Mimir's push endpoint:
 * that copy is the history Mimir has when it becomes the default datasource and when KPS goes. The
 * program writes its entry to the chart's `prometheus.prometheusSpec.remoteWrite`
 * (builders/metrics/remoteWrite.ts); Helm replaces a list it is given rather than merging it, so a
 * `chartValues` override of that list drops the entry, and nothing refuses it: Prometheus runs,
 * Mimir runs, and Mimir's history has a gap from that update on. Judged on the rendered Prometheus
 * object, whatever removed the entry.
 *
 * The same holds for VictoriaMetrics: the victoria-metrics-k8s-stack chart gives its VMAgent the
 * stack's own write endpoint (vmsingle's, or a VMCluster's vminsert) as the first `remoteWrite`
 * entry, and an override's first `vmagent.spec.remoteWrite` entry is merged over it, its `url`
 * winning (0.80.0 templates/_helpers.tpl `vm.agent.remote.write`: `mergeOverwrite (fromYaml .)
 * (deepCopy (first $rws))`). The VMAgent then writes elsewhere only, and vmsingle, which every
 * dashboard and rule of the stack reads, gets no samples from that update on; nothing else refuses it.
 * The entry is judged against the address the storage serves: with its `extraArgs.tls` or
 * `http.pathPrefix` set the chart's own entry follows them (so no merge is blamed), and what still
 * reaches the storage at the program's address (Grafana's datasources) is the mistake, told at the storage.
 */
import { mimirEndpoints, victoriaMetricsEndpoints } from "../model/endpoints";
import { mimirName } from "../model/services";
import { versions } from "../model/versions";
import { GO_BOOL } from "../upstream/goStrconv";
import { chartOf, describe, type Finding, type Placed } from "./objects";

/** Where the program's entry is, as the kube-prometheus-stack chart's values name it. */
export const KPS_REMOTE_WRITE_VALUES = "prometheus.prometheusSpec.remoteWrite";
/** Where the chart takes entries of one's own, appended after `remoteWrite`'s (kube-prometheus-stack 88.0.0 templates/prometheus/prometheus.yaml:250-258). */
export const KPS_ADDITIONAL_REMOTE_WRITE_VALUES = "prometheus.prometheusSpec.additionalRemoteWrite";

/** Where the victoria-metrics-k8s-stack chart takes targets of one's own, before its own entry (0.80.0 templates/_helpers.tpl `vm.agent.remote.write`). */
export const VM_REMOTE_WRITE_VALUES = "vmagent.spec.remoteWrite";
export const VM_ADDITIONAL_REMOTE_WRITE_VALUES = "vmagent.additionalRemoteWrites";

/** Whether the objects hold Mimir's workload (monolithic, or the scaled-out write group) in `ns`, and which. */
function mimirIn(objects: Placed[], ns: string): { readWrite: boolean } | undefined {
  const sts = (name: string) =>
    objects.some(
      (p) => p.obj.kind === "StatefulSet" && p.obj.metadata.namespace === ns && p.obj.metadata.name === name,
    );
  if (sts(mimirName("write"))) return { readWrite: true };
  if (sts(mimirName("all"))) return { readWrite: false };
  return undefined;
}

/** The URLs of an operator resource's `spec.remoteWrite` entries (an entry without one as undefined). */
function remoteWriteUrls(p: Placed): unknown[] {
  const entries: unknown[] = Array.isArray(p.obj.spec?.remoteWrite) ? p.obj.spec.remoteWrite : [];
  return entries.map((e) => (e && typeof e === "object" ? (e as { url?: unknown }).url : undefined));
}

function found(urls: unknown[]): string {
  return urls.length === 0
    ? "no remote_write entry"
    : `remote_write to ${urls.map((u) => JSON.stringify(u)).join(", ")} only`;
}

/**
 * Whether `url` reaches the same write handler as `push` (a URL of model/endpoints.ts
 * `victoriaMetricsEndpoints`), in any form a VMAgent beside the storage may be given:
 * - the host: the Service's short name, with its namespace, with `.svc`, or fully qualified with
 *   any cluster domain and its root dot (the chart writes `vmsingle-vm.monitoring.svc.cluster.local.`:
 *   victoria-metrics-common `vm.fqdn`, 0.80.0 values.yaml `global.cluster.dnsDomain: cluster.local.`);
 *   the VMAgent runs in the storage's namespace, so the short forms resolve to the same Service;
 * - the port written or the scheme's default, the same as `push`'s;
 * - the path: vmsingle takes remote writes at `/api/v1/write` and `/prometheus/api/v1/write`
 *   (VictoriaMetrics app/vminsert/main.go), vminsert at `/insert/<tenant>/prometheus`,
 *   `.../prometheus/` and `.../prometheus/api/v1/write` (cluster app/vminsert/main.go), tenant 0
 *   being `0` or `0:0` (accountID:projectID); a query string is the client's own.
 */
function sameEndpoint(url: unknown, push: string, cluster: boolean): boolean {
  if (typeof url !== "string") return false;
  let u: URL;
  let want: URL;
  try {
    u = new URL(url);
    want = new URL(push);
  } catch {
    return false;
  }
  if (u.protocol !== want.protocol || u.port !== want.port) return false;
  const [service, namespace] = want.hostname.split(".");
  const host = u.hostname.replace(/\.$/, "");
  const hosts = [service, `${service}.${namespace}`, `${service}.${namespace}.svc`];
  if (!hosts.includes(host) && !host.startsWith(`${service}.${namespace}.svc.`)) return false;
  if (!cluster) {
    const base = want.pathname.replace(/\/api\/v1\/write$/, "");
    return [`${base}/api/v1/write`, `${base}/prometheus/api/v1/write`].includes(u.pathname);
  }
  const m = /^(.*\/insert\/)([^/]+)(\/prometheus)(?:\/api\/v1\/write|\/)?$/.exec(u.pathname);
  const w = /^(.*\/insert\/)([^/]+)(\/prometheus)\/api\/v1\/write$/.exec(want.pathname);
  if (!m || !w || m[1] !== w[1]) return false;
  const tenant = (t: string) => (t.includes(":") ? t : `${t}:0`);
  return tenant(m[2]) === tenant(w[2]);
}

/**
 * Whether `p` is a custom resource of `kind` that the victoria-metrics-k8s-stack chart renders from
 * its own templates (labelled with the chart, 0.80.0 templates/victoria-metrics-operator/*): a
 * VMAgent or VMSingle of one's own (any chart's `extraObjects`) is no part of the chart's wiring,
 * and may write elsewhere on purpose.
 */
function vmChartResource(p: Placed, kind: string): boolean {
  return (
    p.obj.kind === kind &&
    !p.hook &&
    !!p.obj.apiVersion?.startsWith("operator.victoriametrics.com/") &&
    chartOf(p.obj) === versions.charts.victoriaMetricsStack.chart
  );
}

/**
 * The VictoriaMetrics storage the chart renders beside its VMAgent in `ns`, and the port its
 * Service exposes: the custom resource's `spec.port` (a VMCluster's `spec.vminsert.port`), which
 * the operator's Service exposes and the chart writes its own entry with (victoria-metrics-common
 * `vm.host`); unset, the operator's default, model/services.ts PORTS.
 */
function vmStorageIn(objects: Placed[], ns: string): VmStorage | undefined {
  const of = (kind: string) =>
    objects.find((p) => vmChartResource(p, kind) && (p.obj.metadata.namespace ?? "default") === ns);
  const port = (v: unknown) => (typeof v === "string" || typeof v === "number" ? String(v) : undefined);
  const args = (v: unknown) => (v && typeof v === "object" ? (v as Record<string, unknown>) : {});
  const single = of("VMSingle");
  if (single)
    return {
      cluster: false,
      at: single,
      port: port(single.obj.spec?.port),
      args: args(single.obj.spec?.extraArgs),
    };
  const cluster = of("VMCluster");
  if (cluster) {
    const vminsert = cluster.obj.spec?.vminsert;
    return { cluster: true, at: cluster, port: port(vminsert?.port), args: args(vminsert?.extraArgs) };
  }
  return undefined;
}

/** The stack's VictoriaMetrics storage: its custom resource, its Service port and its (vminsert's) flags. */
interface VmStorage {
  cluster: boolean;
  at: Placed;
  port?: string;
  args: Record<string, unknown>;
}

/**
 * How the storage serves HTTP, from its flags as VictoriaMetrics v1.144.0 reads them (`tls` by
 * strconv.ParseBool, lib/flagutil/array.go:253-259: TLS only, lib/httpserver/httpserver.go:122-143;
 * `http.pathPrefix` given its leading and trailing `/` if missing, :735-746, on every path, :340-356),
 * and whether victoria-metrics-common 0.3.0 (in victoria-metrics-k8s-stack 0.80.0) `vm.url` writes
 * that address (templates/_service.tpl:81-87): https only for `tls` "true", and the prefix as given
 * right after the port, so one without its leading `/` is not followed.
 */
function servedAs(storage: VmStorage): { tls: boolean; prefix?: string; followed: boolean } {
  const raw = storage.args["http.pathPrefix"];
  let prefix = typeof raw === "string" ? raw : "";
  if (prefix !== "" && !prefix.startsWith("/")) prefix = `/${prefix}`;
  if (prefix !== "" && !prefix.endsWith("/")) prefix += "/";
  const tls = GO_BOOL.true.has(String(storage.args.tls));
  const followed =
    tls === (String(storage.args.tls) === "true") && (prefix === "" || String(raw).startsWith("/"));
  return { tls, followed, ...(prefix !== "" && prefix !== "/" ? { prefix } : {}) };
}

/**
 * The storage's write endpoint (model/endpoints.ts), on the port its custom resource gives; `served`,
 * as the storage serves it (its scheme and path prefix, which the chart's own entry follows when
 * `servedAs(...).followed`).
 */
function pushOf(ns: string, storage: VmStorage, served = false): string {
  const url = new URL(victoriaMetricsEndpoints(ns, storage.cluster).push);
  if (storage.port !== undefined && /^\d+$/.test(storage.port)) url.port = storage.port;
  if (served) {
    const { tls, prefix } = servedAs(storage);
    if (tls) url.protocol = "https:";
    if (prefix) url.pathname = `${prefix.slice(0, -1)}${url.pathname}`;
  }
  return url.toString();
}

/**
 * A storage served over TLS or under a path prefix (a `chartValues` override of its `extraArgs`)
 * while objects of the stack still reach it at the address the program writes (model/endpoints.ts:
 * Grafana's datasources, say): the chart follows the flags in its own VMAgent's and vmalert's URLs
 * (unless spelt otherwise than it reads them: then its VMAgent `agent` is named too), the program
 * does not, and VictoriaMetrics answers none of those requests.
 */
function checkServed(objects: Placed[], storage: VmStorage, agent: Placed): Finding | undefined {
  const { tls, prefix, followed } = servedAs(storage);
  if (!tls && !prefix) return undefined;
  const ns = storage.at.obj.metadata.namespace ?? "default";
  const base = new URL(pushOf(ns, storage)).origin;
  const esc = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  // In the object's JSON, the address ends at a quote, a backslash (an escaped newline of a config
  // text), a slash, a query or the end; under a prefix alone, one that goes on with it is served.
  const rest = !tls && prefix ? `(?!${esc(prefix.slice(0, -1))}(?:[/"?\\\\]|$))` : "";
  const old = new RegExp(`${esc(base)}(?![0-9])${rest}`);
  const clients = objects.filter((p) => p !== storage.at && old.test(JSON.stringify(p.obj)));
  const push = pushOf(agent.obj.metadata.namespace ?? "default", storage, true);
  const missed = followed
    ? undefined
    : remoteWriteUrls(agent).find((u) => !sameEndpoint(u, push, storage.cluster));
  if (clients.length === 0 && followed) return undefined;
  const target = storage.cluster ? "VMCluster's vminsert" : "vmsingle";
  const at = storage.cluster ? "vmcluster.spec.vminsert.extraArgs" : "vmsingle.spec.extraArgs";
  const keys = [
    ...(tls ? [`values.${at}.tls ${JSON.stringify(storage.args.tls)}`] : []),
    ...(prefix ? [`values.${at}["http.pathPrefix"] ${JSON.stringify(storage.args["http.pathPrefix"])}`] : []),
  ];
  const how = [...(tls ? ["HTTPS only"] : []), ...(prefix ? [`under the path prefix ${prefix}`] : [])].join(
    ", ",
  );
  const refuses = [
    ...(tls ? ["takes TLS connections only"] : []),
    ...(prefix ? [`answers "missing -http.pathPrefix" to any path outside ${prefix}`] : []),
  ].join(" and ");
  const chart = followed
    ? "and the chart follows it in the URLs it writes for its own VMAgent and vmalert"
    : `and the chart does not follow it as written in the URLs it writes for its own VMAgent and vmalert ` +
      `(victoria-metrics-common's vm.url: https only for tls "true", the prefix put right after the port as given)` +
      (missed === undefined
        ? ""
        : `: ${describe(agent)} writes to ${JSON.stringify(missed)}, which reaches no ${target}`);
  const reach =
    clients.length === 0
      ? ""
      : `${followed ? ", but" : ";"} ${clients.map(describe).join(", ")} ${clients.length > 1 ? "reach" : "reaches"} ${target} at ${base} ` +
        `(the address the program writes, with no TLS and no prefix), where it ${refuses}`;
  return {
    check: "vm-remote-write",
    where: `${storage.at.obj.kind} ${ns}/${storage.at.obj.metadata.name} (${storage.at.source})`,
    message:
      `${target} serves ${how} (${keys.join(", ")}), ${chart}${reach}: those requests fail. The program has ` +
      `no setting for a ${target} served so: leave ${keys.map((k) => k.split(" ")[0]).join(" and ")} out`,
  };
}

/** A VMAgent beside the stack's VMSingle or VMCluster that writes none of its samples there. */
function checkVmAgent(p: Placed, storage: VmStorage): Finding | undefined {
  const ns = p.obj.metadata.namespace ?? "default";
  const push = pushOf(ns, storage, true);
  const urls = remoteWriteUrls(p);
  if (urls.some((u) => sameEndpoint(u, push, storage.cluster))) return undefined;
  const target = storage.cluster ? "VMCluster's vminsert" : "vmsingle";
  return {
    check: "vm-remote-write",
    where: `VMAgent ${ns}/${p.obj.metadata.name} (${p.source})`,
    message:
      `the stack's metrics are stored in ${target}, so this VMAgent must remote-write to ${push}; found ` +
      `${found(urls)} (values.${VM_REMOTE_WRITE_VALUES}: the chart merges its first entry over its own ` +
      `entry to ${target}, so that entry's url replaces ${target}'s). ${target} would get no samples from ` +
      `this update on, and every dashboard and rule of the stack reads it. Put your own targets under ` +
      `${VM_ADDITIONAL_REMOTE_WRITE_VALUES}, which the chart writes beside its entry to ${target}, and leave ` +
      `${VM_REMOTE_WRITE_VALUES} out`,
  };
}

export function checkRemoteWrite(objects: Placed[]): { judged: number; findings: Finding[] } {
  const findings: Finding[] = [];
  let judged = 0;
  for (const p of objects) {
    if (vmChartResource(p, "VMAgent")) {
      const storage = vmStorageIn(objects, p.obj.metadata.namespace ?? "default");
      if (!storage) continue;
      judged++;
      // A flag spelt so the chart does not follow it: the VMAgent's URL is the chart's, told at the storage.
      const finding = servedAs(storage).followed ? checkVmAgent(p, storage) : undefined;
      if (finding) findings.push(finding);
      const served = checkServed(objects, storage, p);
      if (served && !findings.some((f) => f.where === served.where)) findings.push(served);
      continue;
    }
    if (p.obj.kind !== "Prometheus" || p.hook) continue;
    const ns = p.obj.metadata.namespace ?? "default";
    const mimir = mimirIn(objects, ns);
    if (!mimir) continue;
    judged++;
    const push = mimirEndpoints(ns, mimir.readWrite).push;
    const urls = remoteWriteUrls(p);
    if (urls.includes(push)) continue;
    findings.push({
      check: "mimir-remote-write",
      where: `Prometheus ${ns}/${p.obj.metadata.name} (${p.source})`,
      message:
        `Mimir runs beside this Prometheus, so Prometheus must remote-write to ${push}; found ` +
        `${found(urls)} ` +
        `(values.${KPS_REMOTE_WRITE_VALUES}: Helm replaces that list, dropping the program's entry). ` +
        `Mimir would get no samples from this update on, a gap in the history it serves once it is the ` +
        `default datasource. Put your own targets under ${KPS_ADDITIONAL_REMOTE_WRITE_VALUES}, which the chart appends, ` +
        `and leave ${KPS_REMOTE_WRITE_VALUES} to the program`,
    });
  }
  return { judged, findings };
}
