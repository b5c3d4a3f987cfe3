import { isIP } from "net";
import { RELEASES } from "./names";
import {
  alertmanagerServices,
  lokiComponentName,
  lokiName,
  MIMIR_GOSSIP,
  mimirName,
  PORTS,
  prometheusName,
  vmName,
} from "./services";
import { runsMonolithic, type LokiMode } from "./sizing";

/** What the Loki URLs depend on: its gateway and its deployment mode. */
export interface LokiShape {
  gateway: boolean;
  mode: LokiMode;
}

// Release names (model/names.ts): every Service name, and with it every URL here, follows from them.
export { RELEASES };

/**
 * Every in-cluster URL the stack's parts dial, from release names and Loki's shape. Writers and
 * readers are named apart: a push URL is where samples or lines are sent, a query URL is what
 * Grafana reads. The composition root and the components read them here and build none.
 */
export interface Endpoints {
  loki: {
    /** Full push URL (Alloy's `loki.write` endpoint url). */
    push: string;
    /**
     * Base of the write path without the API path: Vector's loki sink appends its `path` option,
     * default `/loki/api/v1/push` (vector src/sinks/loki/config.rs).
     */
    pushBase: string;
    /** Base URL Grafana queries (the read path). */
    query: string;
    /**
     * Loki's own HTTP server on pods that hold ingesters, never the gateway (which proxies only
     * the API): the ring pages, /ready and /config that `npm run verify -- --gate loki-*` reads.
     */
    ring: string;
  };
  prometheus: { query: string };
  mimir: {
    /** Base URL of the ruler's API (the backend group when scaled out); Alloy's mimir.rules.kubernetes takes it as `address`. */
    base: string;
    /** Remote-write target (`/api/v1/push`). */
    push: string;
    /** PromQL API under `/prometheus` (Grafana datasource URL). */
    query: string;
    /** Base URL of the query path (the read group's Service when scaled out), without `/prometheus`. */
    queryBase: string;
    /** memberlist join address (the headless `<mimir>-gossip` Service, port 7946). */
    gossip: string;
  };
  victoriametrics: {
    /** vmsingle's (or the cluster's vminsert's) Prometheus remote-write API. */
    push: string;
    /** vmsingle's (or the cluster's vmselect's) PromQL API. */
    query: string;
  };
  /** The standalone Alertmanager (Mimir's ruler sends here). */
  alertmanager: string;
  /**
   * Every Alertmanager a phase can run, by the table's `alertmanager` field (model/phases.ts):
   * kube-prometheus-stack's, the standalone one, VictoriaMetrics'. `npm run verify` reaches the
   * phase's one through it.
   */
  alertmanagers: { kps: string; standalone: string; vm: string };
  /** Grafana's Service (the grafana chart's `service.port` 80), for `npm run verify`. */
  grafana: string;
}

const svc = (name: string, namespace: string) => `${name}.${namespace}.svc.cluster.local`;

/**
 * Loki's Service for one direction. The gateway (nginx, port 80) routes both; without it the
 * monolithic pods serve both on `<release>:3100` (in Monolithic and, already, in the transitional
 * mode: the chart's gateway sends everything to them once `loki.deployment.isMonolithic`, loki
 * 18.11.0 templates/_helpers.tpl), SimpleScalable splits them: pushes go to `<release>-write`,
 * queries to `<release>-read`; Distributed to `<release>-distributor` and `<release>-query-frontend`.
 */
function lokiBase(namespace: string, loki: LokiShape, path: "write" | "read") {
  if (loki.gateway) return `http://${svc(lokiName("gateway"), namespace)}`;
  if (runsMonolithic(loki.mode)) return `http://${svc(RELEASES.loki, namespace)}:${PORTS.loki}`;
  if (loki.mode === "Distributed")
    return `http://${svc(lokiComponentName(path === "write" ? "distributor" : "queryFrontend"), namespace)}:${PORTS.loki}`;
  return `http://${svc(lokiName(path), namespace)}:${PORTS.loki}`;
}

/** Loki's write and read endpoints. */
export function lokiEndpoints(namespace: string, loki: LokiShape): Endpoints["loki"] {
  const pushBase = lokiBase(namespace, loki, "write");
  // The monolithic pods once they run (they serve the ring's pages as every Loki does:
  // grafana/loki v3.7.6 pkg/loki/modules.go initRing `/ring`), else the write pods', else the ingesters'.
  const ring = runsMonolithic(loki.mode)
    ? `http://${svc(RELEASES.loki, namespace)}:${PORTS.loki}`
    : loki.mode === "Distributed"
      ? `http://${svc(lokiComponentName("ingester"), namespace)}:${PORTS.loki}`
      : `http://${svc(lokiName("write"), namespace)}:${PORTS.loki}`;
  return { push: `${pushBase}/loki/api/v1/push`, pushBase, query: lokiBase(namespace, loki, "read"), ring };
}

/** Prometheus's query URL (the operator's Service `<fullname>-prometheus`). */
export function prometheusQueryUrl(namespace: string, kpsFullname: string = RELEASES.kps): string {
  return `http://${svc(prometheusName(kpsFullname), namespace)}:${PORTS.prometheus}`;
}

/**
 * Mimir's monolithic Service, or with `readWrite` the scaled-out groups': pushes go to the write
 * group's Service (the distributor's `/api/v1/push`), queries to the read group's (the
 * query-frontend's `/prometheus` API), the ruler's API that Alloy syncs rules to to the backend
 * group's (the ruler runs there: builders/metrics/mimirValues.ts MIMIR_GROUP_MODULES). Every group
 * joins the one memberlist through the same headless gossip Service.
 */
export function mimirEndpoints(namespace: string, readWrite = false): Endpoints["mimir"] {
  const at = (target?: "write" | "read" | "backend") =>
    `http://${svc(mimirName(target && readWrite ? target : "all"), namespace)}:${PORTS.mimir.http}`;
  return {
    base: at("backend"),
    push: `${at("write")}/api/v1/push`,
    query: `${at("read")}/prometheus`,
    queryBase: at("read"),
    gossip: `${svc(MIMIR_GOSSIP, namespace)}:${PORTS.mimir.memberlist}`,
  };
}

/**
 * vmsingle's Service (the operator names it `vmsingle-<CR name>`; the CR is the release fullname),
 * or with `cluster` the VMCluster's: writes to vminsert (`vminsert-<CR name>:8480`), queries to
 * vmselect (`vmselect-<CR name>:8481`), both under tenant 0's paths (VictoriaMetrics
 * docs/Cluster-VictoriaMetrics.md "URL format": `/insert/<accountID>/prometheus/api/v1/write`,
 * `/select/<accountID>/prometheus`; victoria-metrics-k8s-stack 0.80.0 wires its own vmagent and
 * vmalert to the same addresses, checked with its render).
 */
export function victoriaMetricsEndpoints(namespace: string, cluster = false): Endpoints["victoriametrics"] {
  if (cluster) {
    const insert = `http://${svc(vmName("vminsert"), namespace)}:${PORTS.vm.vminsert}`;
    const select = `http://${svc(vmName("vmselect"), namespace)}:${PORTS.vm.vmselect}`;
    return { push: `${insert}/insert/0/prometheus/api/v1/write`, query: `${select}/select/0/prometheus` };
  }
  const vmsingle = `http://${svc(vmName("vmsingle"), namespace)}:${PORTS.vm.vmsingle}`;
  return { push: `${vmsingle}/api/v1/write`, query: vmsingle };
}

/** The standalone Alertmanager's Service. */
export function alertmanagerUrl(namespace: string): string {
  return `http://${svc(alertmanagerServices().standalone, namespace)}:${PORTS.alertmanager}`;
}

/**
 * The Alertmanager a phase's rule evaluators send to (model/phases.ts `alertmanager`): KPS's
 * (`<fullname>-alertmanager`, the chart's Service), the standalone one, or the VictoriaMetrics
 * operator's `vmalertmanager-<CR name>` (victoria-metrics-k8s-stack 0.80.0 names the CR after the
 * fullname; its vmalert notifier renders `vmalertmanager-vm-0.vmalertmanager-vm...:9093`).
 * Loki's ruler reads it here, so log alerts follow the metric alerts from phase to phase.
 */
export function phaseAlertmanagerUrl(
  namespace: string,
  which: "kps" | "standalone" | "vm",
  kpsFullname: string = RELEASES.kps,
): string {
  if (which === "standalone") return alertmanagerUrl(namespace);
  return `http://${svc(alertmanagerServices(kpsFullname)[which], namespace)}:${PORTS.alertmanager}`;
}

/**
 * MinIO's cluster metrics, from the store's in-cluster endpoint: the path `mc admin prometheus
 * generate` writes (minio/mc cmd/admin-prometheus-generate.go `defaultMetricsPath`), the endpoint's
 * scheme and host:port as the scrape target. A NetworkPolicy that lets the scraper out reads the
 * target here too.
 */
export function minioMetricsEndpoint(endpoint: string): {
  scheme: "http" | "https";
  target: string;
  path: string;
} {
  const u = new URL(endpoint);
  const scheme = u.protocol === "https:" ? "https" : "http";
  const port = u.port || (scheme === "https" ? "443" : "80");
  return { scheme, target: `${u.hostname}:${port}`, path: "/minio/v2/metrics/cluster" };
}

/**
 * The cluster's DNS: CoreDNS's pods, labelled `k8s-app: kube-dns` in kube-system and listening on 53
 * over UDP and TCP (kubernetes/kubernetes cmd/kubeadm/app/phases/addons/dns/manifests.go
 * CoreDNSDeployment; k3s-io/k3s manifests/coredns.yaml: the same labels and container ports).
 * NetworkPolicies see the pod behind the kube-dns Service, so the rule selects the pods.
 */
export const CLUSTER_DNS = {
  namespace: "kube-system",
  pods: { "k8s-app": "kube-dns" },
  port: 53,
  /** CoreDNS's `prometheus :9153` (the same manifests' Corefile and `metrics` container port). */
  metricsPort: 9153,
} as const;

/** Where the object store's pods or addresses are, for the pods that read and write buckets. */
export type ObjectStoreReach =
  /** A Service of the cluster (`<svc>.<ns>.svc`): every pod of its namespace, on the URL's port. */
  | { in: "cluster"; namespace: string; port: number }
  /** Addresses outside the pod network: the CIDRs, on these ports. */
  | { in: "addresses"; cidrs: string[]; ports: number[] | "all" };

/**
 * Where an object store endpoint is: a Service of the cluster (`<svc>.<ns>.svc[.cluster.local]`,
 * reached at its namespace's pods on the URL's port: the stack does not render that Service, so
 * its pods' labels are unknown and the port is taken to be the pods' own), or an address outside
 * the pod network: an IP address is its own /32 (/128), a hostname only `cidrs` (config
 * `network.objectStore.cidrs`): NetworkPolicy peers are pods, namespaces or ipBlocks, no
 * hostnames (networking.k8s.io/v1 NetworkPolicyPeer), and a name the program resolved at deploy
 * time would go stale without anyone seeing it.
 */
export function objectStoreReach(
  store: { type: "minio"; endpoint: string } | { type: "ceph-rgw" } | { type: "filesystem" },
  cidrs: string[],
): ObjectStoreReach | undefined {
  if (store.type === "filesystem") return undefined;
  // Ceph RGW's endpoint is in each ObjectBucketClaim's ConfigMap (BUCKET_HOST, BUCKET_PORT), known
  // only once Rook has bound it: its addresses are the configured ones, on every port.
  if (store.type === "ceph-rgw") return { in: "addresses", cidrs, ports: "all" };
  const u = new URL(store.endpoint);
  const port = Number(u.port || (u.protocol === "https:" ? 443 : 80));
  const inCluster =
    /^([a-z0-9]([a-z0-9-]*[a-z0-9])?)\.([a-z0-9]([a-z0-9-]*[a-z0-9])?)\.svc(\.cluster\.local)?\.?$/.exec(
      u.hostname,
    );
  if (inCluster) return { in: "cluster", namespace: inCluster[3], port };
  const host = u.hostname.replace(/^\[|\]$/g, "");
  const own = isIP(host) === 4 ? [`${host}/32`] : isIP(host) === 6 ? [`${host}/128`] : [];
  return { in: "addresses", cidrs: [...own, ...cidrs.filter((c) => !own.includes(c))], ports: [port] };
}

/** Grafana's Service (release `grafana`, the chart's default `service.port` 80). */
export function grafanaServiceUrl(namespace: string): string {
  return `http://${svc(RELEASES.grafana, namespace)}:${PORTS.grafana}`;
}

/**
 * The stack's endpoints in `namespace`. `kpsFullname` is kube-prometheus-stack's fullname (a
 * takeover keeps the running release's; default RELEASES.kps). `vmCluster`: VictoriaMetrics runs
 * as a VMCluster (config/sizing.ts `vmClusterShape`); default false (vmsingle). `mimirReadWrite`:
 * Mimir runs scaled out (config/sizing.ts `mimirReadWriteShape`); default false (monolithic).
 */
export function endpoints(
  namespace: string,
  loki: LokiShape,
  kpsFullname: string = RELEASES.kps,
  vmCluster = false,
  mimirReadWrite = false,
): Endpoints {
  return {
    loki: lokiEndpoints(namespace, loki),
    prometheus: { query: prometheusQueryUrl(namespace, kpsFullname) },
    mimir: mimirEndpoints(namespace, mimirReadWrite),
    victoriametrics: victoriaMetricsEndpoints(namespace, vmCluster),
    alertmanager: alertmanagerUrl(namespace),
    alertmanagers: {
      kps: phaseAlertmanagerUrl(namespace, "kps", kpsFullname),
      standalone: phaseAlertmanagerUrl(namespace, "standalone", kpsFullname),
      vm: phaseAlertmanagerUrl(namespace, "vm", kpsFullname),
    },
    grafana: grafanaServiceUrl(namespace),
  };
}
