import type { PhaseCapabilities, LogAgent } from "../model/phases";
import { CLUSTER_DNS, RELEASES, type ObjectStoreReach } from "../model/endpoints";
import {
  KPS_PORT_NAME,
  kpsAlertmanagerName,
  prometheusName,
  VM_ALERTMANAGER_PORT_NAME,
} from "../model/services";
import { RELOADER_PORT } from "../upstream/operators/prometheusOperator";
import type {
  EgressPort,
  EgressRule,
  Guarded,
  IngressRule,
  PodGroup,
} from "../builders/security/networkPolicies";
import { mimirPodLabels } from "../builders/metrics/mimirValues";

/**
 * Egress beyond the edges among the stack's own pods (config `network`, resolved in plan/plan.ts):
 * the addresses no pod label names.
 */
export interface EgressInputs {
  /** `network.egress: enforced`: policyTypes names Egress. Otherwise the rules are rendered only. */
  enforced: boolean;
  /** The API server's endpoints (`network.apiServer`): CIDRs and the port they serve on. */
  apiServer: { cidrs: string[]; port: number };
  /** The object store; absent without one (the filesystem store). */
  objectStore?: ObjectStoreReach;
  /** Where host-network targets listen (`network.nodes`), and their ports. */
  nodes: { cidrs: string[]; ports: number[] };
  /**
   * Alertmanager's receivers: where they answer (`network.receivers`) and on which ports (443 for
   * Pushover and the heartbeat, each of `alerting.receivers` its own: plan/alertingReceivers.ts);
   * absent when no receiver is on.
   */
  receivers?: { cidrs: string[]; ports: number[] };
  /**
   * The groups (policy names) whose pods call the Kubernetes API, each with the RBAC that lets
   * them (plan/plan.ts derives the list from the grants the program makes or turns on; the
   * rendered-object check proves it against the rendered RBAC, both ways).
   */
  apiCallers: Record<string, string>;
}

/**
 * Who talks to whom, as pod groups: the edges model/endpoints.ts's URLs stand for (agents -> Loki,
 * writers -> the metrics backend, the rule evaluator -> its Alertmanager, Grafana -> datasources),
 * scrapers -> every metrics port, and peers among their own replicas (memberlist, gossip, gRPC).
 * Pods are selected by the labels the charts (and the operators, for the pods they create) put on
 * them; the rendered-object checks prove each policy selects the pods behind every Service and
 * allows every address the rendered configs dial (checks/networkPolicies.ts).
 */
export interface NetworkInputs {
  caps: PhaseCapabilities;
  /** The stack's namespace. */
  namespace: string;
  /** Where the node agents run. */
  agentsNamespace: string;
  logAgent: LogAgent;
  /** Which parts run in this phase. */
  runs: {
    mimir: boolean;
    /** Mimir runs scaled out (write, read, backend groups) instead of monolithic. */
    mimirReadWrite?: boolean;
    victoriaMetrics: boolean;
    /** VictoriaMetrics runs as a VMCluster (vmstorage, vminsert, vmselect) instead of vmsingle. */
    vmCluster?: boolean;
    alertmanager: boolean;
    alloyCluster: boolean;
  };
  /** The cluster replica of Alloy pushes Kubernetes events to Loki. */
  events: boolean;
  /** kube-prometheus-stack's fullname (its Prometheus is `<fullname>-prometheus`). */
  kpsFullname: string;
  /** Loki's ruler sends its alerts to the phase's Alertmanager. */
  lokiRulerAlerts: boolean;
  /**
   * Writers and Grafana reach Loki through its gateway (nginx, container port `http`) rather than
   * the targets' `http-metrics` port. Default false.
   */
  lokiGateway?: boolean;
  /** Egress rules; absent: the policies say nothing of egress. */
  egress?: EgressInputs;
  /**
   * The namespace people's traffic to Grafana comes from (the Ingress controller's or the
   * Gateway's: `grafana.ingress`, `grafana.httpRoute`); absent: Grafana's UI port is open to anywhere.
   */
  grafanaFrom?: string;
}

/** Release names the charts label their pods with (`app.kubernetes.io/instance`). */
const INSTANCE = {
  loki: RELEASES.loki,
  grafana: RELEASES.grafana,
  alertmanager: RELEASES.alertmanager,
  vm: RELEASES.vm,
  kps: RELEASES.kubePrometheusStack,
  alloy: RELEASES.alloy,
  alloyCluster: RELEASES.alloyCluster,
  vector: RELEASES.vector,
  kubeStateMetrics: RELEASES.kubeStateMetrics,
} as const;

const instance = (v: string) => ({ "app.kubernetes.io/instance": v });

/** The pod groups of one phase and the rule shapes every guard is written with. */
interface Groups {
  at: (pods: Record<string, string>, namespace?: string) => PodGroup;
  prometheus: PodGroup;
  alloyCluster: PodGroup;
  vmagent: PodGroup;
  vmalert: PodGroup;
  vmsingle: PodGroup;
  grafana: PodGroup;
  mimir: PodGroup;
  loki: PodGroup;
  /** Whoever scrapes ServiceMonitors/PodMonitors in this phase. */
  scrapers: PodGroup[];
  scraped: (ports: (number | string)[]) => IngressRule;
  peers: (g: PodGroup) => IngressRule;
  logWriters: PodGroup[];
  same: (a: PodGroup, b: PodGroup) => boolean;
  guard: (name: string, g: PodGroup, ingress: IngressRule[]) => Guarded;
  lokiAlerts: (ports: string[]) => IngressRule[];
}

/** The groups to guard and the rules into each, for one phase. */
export function planNetwork(n: NetworkInputs): Guarded[] {
  const g = groups(n);
  const { at, alloyCluster, guard, grafana, scraped, scrapers, same } = g;
  const out: Guarded[] = [];
  // Loki: every target answers on its `http-metrics` port (push, query, metrics). The gateway's
  // nginx serves on `http`, and its access-log-exporter sidecar on `http-metrics` (loki chart
  // 18.11.0 templates/gateway/deployment.yaml), so with the gateway the clients dial `http`.
  const lokiApi = n.lokiGateway ? "http" : "http-metrics";
  out.push(
    guard("loki", g.loki, [
      g.peers(g.loki),
      { from: g.logWriters, ports: [lokiApi], why: "log agents -> Loki push" },
      { from: [grafana], ports: [lokiApi], why: "Grafana -> Loki query" },
      scraped(["http-metrics"]),
    ]),
  );
  // Grafana's UI is for people, through whatever Ingress or port-forward the cluster uses.
  // Its metrics port is the same, open to anywhere; the scrapers' rule is the edge their egress is
  // derived from.
  out.push(
    guard("grafana", grafana, [
      n.grafanaFrom
        ? {
            // Every pod of that namespace: the controller's (or the Gateway's) labels are its own.
            from: [{ namespace: n.grafanaFrom, pods: {} }],
            ports: ["grafana"],
            why: `ingress (namespace ${n.grafanaFrom}) -> Grafana UI`,
          }
        : { from: "anywhere", ports: ["grafana"], why: "users -> Grafana UI" },
      scraped(["grafana"]),
    ]),
  );
  out.push(...kpsGuards(n, g), ...mimirGuards(n, g), ...vmGuards(n, g));
  if (n.runs.alloyCluster) out.push(guard("alloy-cluster", alloyCluster, [scraped(["http-metrics"])]));
  if (n.logAgent === "alloy")
    out.push(guard("alloy", at(instance(INSTANCE.alloy), n.agentsNamespace), [scraped(["http-metrics"])]));
  else
    out.push(guard("vector", at(instance(INSTANCE.vector), n.agentsNamespace), [scraped(["prom-exporter"])]));
  // node-exporter runs in the host's network, where no NetworkPolicy applies.
  if (!n.egress) return out;
  return withEgress(out, n.egress, {
    scrapers: out.filter((g) => scrapers.some((s) => same(s, g))).map((g) => g.name),
    objectStoreUsers: [
      "loki",
      ...(n.runs.mimir ? ["mimir"] : []),
      // MinIO's cluster metrics are scraped by Prometheus and vmagent (the program's ScrapeConfig)
      // or Alloy (its own prometheus.scrape block): builders/objectstore/minioMetrics.ts.
      ...out.filter((g) => scrapers.some((s) => same(s, g))).map((g) => g.name),
    ],
    alertmanagers: out
      .filter((g) => [kpsAlertmanagerName(), "alertmanager", "vmalertmanager"].includes(g.name))
      .map((g) => g.name),
  });
}

function groups(n: NetworkInputs): Groups {
  const ns = n.namespace;
  const at = (pods: Record<string, string>, namespace = ns): PodGroup => ({ namespace, pods });
  const prometheus = at({ "operator.prometheus.io/name": prometheusName(n.kpsFullname) });
  const alloyCluster = at(instance(INSTANCE.alloyCluster));
  const vmagent = at({ "app.kubernetes.io/name": "vmagent", ...instance(INSTANCE.vm) });
  const vmalert = at({ "app.kubernetes.io/name": "vmalert", ...instance(INSTANCE.vm) });
  const vmsingle = at({ "app.kubernetes.io/name": "vmsingle", ...instance(INSTANCE.vm) });
  const grafana = at(instance(INSTANCE.grafana));
  // The labels builders/metrics/mimirValues.ts gives Mimir's pods: the monolithic ones, or every
  // scaled-out group's (writers reach write, Grafana read, Alloy's rule sync and the targets'
  // own gRPC and memberlist one another: one group, whose peers rule covers the targets' traffic).
  const mimir = at(mimirPodLabels(!!n.runs.mimirReadWrite));

  // Whoever scrapes ServiceMonitors/PodMonitors in this phase (Prometheus scrapes while KPS runs).
  const scrapers: PodGroup[] = [
    ...(n.caps.kps ? [prometheus] : []),
    ...(n.caps.scraper === "alloy" ? [alloyCluster] : []),
    ...(n.caps.scraper === "vmagent" ? [vmagent] : []),
  ];
  const scraped = (ports: (number | string)[]): IngressRule => ({
    from: scrapers,
    ports,
    why: "scrapers -> metrics",
  });
  const peers = (g: PodGroup): IngressRule => ({
    from: [g],
    ports: "all",
    why: "peers (memberlist, gossip, gRPC)",
  });
  const logWriters: PodGroup[] = [
    n.logAgent === "alloy"
      ? at(instance(INSTANCE.alloy), n.agentsNamespace)
      : at(instance(INSTANCE.vector), n.agentsNamespace),
    ...(n.runs.alloyCluster && n.events ? [alloyCluster] : []),
  ];
  const same = (a: PodGroup, b: PodGroup) =>
    a.namespace === b.namespace && JSON.stringify(a.pods) === JSON.stringify(b.pods);
  // A scraper reaching its own metrics port is a pod talking to itself, which no policy can block:
  // it needs no rule (and a rule for it would allow nothing the stack uses).
  const guard = (name: string, g: PodGroup, ingress: IngressRule[]): Guarded => ({
    name,
    ...g,
    ingress: ingress
      .map((r) =>
        r.why === "scrapers -> metrics" && r.from !== "anywhere"
          ? { ...r, from: r.from.filter((f) => !same(f, g)) }
          : r,
      )
      .filter((r) => r.from === "anywhere" || r.from.length > 0),
  });

  // Loki's ruler notifies the phase's Alertmanager; every Loki pod reads the config that names it.
  const lokiAlerts = (ports: string[]): IngressRule[] =>
    n.lokiRulerAlerts
      ? [{ from: [at(instance(INSTANCE.loki))], ports, why: "Loki ruler -> Alertmanager" }]
      : [];

  return {
    at,
    prometheus,
    alloyCluster,
    vmagent,
    vmalert,
    vmsingle,
    grafana,
    mimir,
    loki: at(instance(INSTANCE.loki)),
    scrapers,
    scraped,
    peers,
    logWriters,
    same,
    guard,
    lokiAlerts,
  };
}

/** kube-prometheus-stack's groups while it runs; kube-state-metrics of its own once it is gone. */
function kpsGuards(
  n: NetworkInputs,
  { at, guard, grafana, prometheus, peers, scraped, lokiAlerts }: Groups,
): Guarded[] {
  const out: Guarded[] = [];
  // The two policies are named after the program's own Prometheus and Alertmanager (the default
  // fullname), whatever fullname a takeover keeps: the name stays put across a takeover's steps.
  if (n.caps.kps) {
    out.push(
      guard(prometheusName(), prometheus, [
        { from: [grafana], ports: [KPS_PORT_NAME], why: "Grafana -> Prometheus query" },
        scraped([KPS_PORT_NAME, RELOADER_PORT.name]),
      ]),
      // The operator and KPS's kube-state-metrics; the admission webhook is off (kpsValues.ts).
      guard("kube-prometheus-stack", at(instance(INSTANCE.kps)), [scraped(["http"])]),
    );
    // KPS's Alertmanager runs while it receives the rules' alerts.
    if (n.caps.alertmanager === "kps") {
      const am = at({ alertmanager: kpsAlertmanagerName(n.kpsFullname) });
      out.push(
        guard(kpsAlertmanagerName(), am, [
          peers(am),
          { from: [prometheus], ports: [KPS_PORT_NAME], why: "Prometheus -> Alertmanager" },
          ...lokiAlerts([KPS_PORT_NAME]),
          scraped([KPS_PORT_NAME, RELOADER_PORT.name]),
        ]),
      );
    }
  } else {
    out.push(guard("kube-state-metrics", at(instance(INSTANCE.kubeStateMetrics)), [scraped(["http"])]));
  }

  return out;
}

/** Mimir and the standalone Alertmanager, in the phases that run them. */
function mimirGuards(
  n: NetworkInputs,
  { at, guard, grafana, prometheus, alloyCluster, mimir, peers, scraped, lokiAlerts }: Groups,
): Guarded[] {
  const out: Guarded[] = [];
  if (n.runs.mimir) {
    const writers = [
      ...(n.caps.prometheusRemoteWrite ? [prometheus] : []),
      // Alloy remote-writes what it scrapes and syncs PrometheusRules to the ruler's API.
      ...(n.runs.alloyCluster && (n.caps.scraper === "alloy" || n.caps.ruleEvaluator === "mimir-ruler")
        ? [alloyCluster]
        : []),
    ];
    out.push(
      guard("mimir", mimir, [
        peers(mimir),
        { from: writers, ports: ["http"], why: "writers -> Mimir push, Alloy -> ruler API" },
        { from: [grafana], ports: ["http"], why: "Grafana -> Mimir query" },
        scraped(["http"]),
      ]),
    );
  }
  if (n.runs.alertmanager) {
    const am = at(instance(INSTANCE.alertmanager));
    out.push(
      guard("alertmanager", am, [
        peers(am),
        // Mimir's ruler notifies it once it evaluates the rules (mimirConfig's alertmanager URL).
        ...(n.runs.mimir ? [{ from: [mimir], ports: ["http"], why: "Mimir ruler -> Alertmanager" }] : []),
        ...lokiAlerts(["http"]),
        scraped(["http"]),
      ]),
    );
  }
  return out;
}

/** VictoriaMetrics: vmsingle or a VMCluster, vmagent, the operator, vmalert and its Alertmanager. */
function vmGuards(
  n: NetworkInputs,
  { at, guard, grafana, prometheus, vmagent, vmalert, vmsingle, peers, scraped, lokiAlerts }: Groups,
): Guarded[] {
  if (!n.runs.victoriaMetrics) return [];
  const out: Guarded[] = [];
  const vmalertmanager = at({ "app.kubernetes.io/name": "vmalertmanager", ...instance(INSTANCE.vm) });
  const operator = at({ "app.kubernetes.io/name": "victoria-metrics-operator", ...instance(INSTANCE.vm) });
  const writers = [
    ...(n.caps.prometheusRemoteWrite ? [prometheus] : []),
    ...(n.caps.scraper === "vmagent" ? [vmagent] : []),
    vmalert,
  ];
  // The operator labels each cluster component's pods `app.kubernetes.io/name: <component>`.
  const vmstorage = at({ "app.kubernetes.io/name": "vmstorage", ...instance(INSTANCE.vm) });
  const vminsert = at({ "app.kubernetes.io/name": "vminsert", ...instance(INSTANCE.vm) });
  const vmselect = at({ "app.kubernetes.io/name": "vmselect", ...instance(INSTANCE.vm) });
  const backend = n.runs.vmCluster
    ? [
        guard("vminsert", vminsert, [
          { from: writers, ports: ["http"], why: "writers -> vminsert" },
          scraped(["http"]),
        ]),
        guard("vmselect", vmselect, [
          { from: [vmalert, grafana], ports: ["http"], why: "vmalert, Grafana -> vmselect query" },
          scraped(["http"]),
        ]),
        guard("vmstorage", vmstorage, [
          { from: [vminsert], ports: ["vminsert"], why: "vminsert -> vmstorage" },
          { from: [vmselect], ports: ["vmselect"], why: "vmselect -> vmstorage" },
          scraped(["http"]),
        ]),
      ]
    : [
        guard("vmsingle", vmsingle, [
          { from: writers, ports: ["http"], why: "writers -> vmsingle, vmalert -> vmsingle query" },
          { from: [grafana], ports: ["http"], why: "Grafana -> vmsingle query" },
          scraped(["http"]),
        ]),
      ];
  out.push(
    ...backend,
    ...(n.caps.scraper === "vmagent" ? [guard("vmagent", vmagent, [scraped(["http"])])] : []),
    // The API server calls the operator's validating webhook from outside any pod network.
    guard("victoria-metrics-operator", operator, [
      { from: "anywhere", ports: ["webhook"], why: "API server -> admission webhook" },
      // Only vmagent reads the operator's own VMServiceScrape; Prometheus does not scrape it.
      ...(n.caps.scraper === "vmagent"
        ? [{ from: [vmagent], ports: ["http"], why: "scrapers -> metrics" }]
        : []),
    ]),
  );
  // vmalert and its Alertmanager run once vmalert evaluates the rules.
  if (n.caps.ruleEvaluator === "vmalert")
    out.push(
      // vmsingle proxies /vmalert/ requests to vmalert (the VMSingle's vmalert URL).
      guard("vmalert", vmalert, [
        n.runs.vmCluster
          ? { from: [vmselect], ports: ["http"], why: "vmselect -> vmalert proxy" }
          : { from: [vmsingle], ports: ["http"], why: "vmsingle -> vmalert proxy" },
        scraped(["http"]),
      ]),
      guard("vmalertmanager", vmalertmanager, [
        peers(vmalertmanager),
        // The pods' port is named after the CR's portName; `http` is only the Service's port.
        { from: [vmalert], ports: [VM_ALERTMANAGER_PORT_NAME], why: "vmalert -> Alertmanager" },
        ...lokiAlerts([VM_ALERTMANAGER_PORT_NAME]),
        scraped([VM_ALERTMANAGER_PORT_NAME]),
      ]),
    );
  return out;
}

/**
 * Every group's egress, from the SAME rules its ingress side is: a group is a client of each
 * ingress rule whose `from` names it (the edge list is the ingress rules; egress is never written
 * apart), plus the cluster DNS for every group, and only for the groups that use them the API
 * server, the object store, the nodes' host-network ports and Alertmanager's receivers.
 */
function withEgress(
  out: Guarded[],
  e: EgressInputs,
  who: { scrapers: string[]; objectStoreUsers: string[]; alertmanagers: string[] },
): Guarded[] {
  const same = (a: PodGroup, b: PodGroup) =>
    a.namespace === b.namespace && JSON.stringify(a.pods) === JSON.stringify(b.pods);
  const tcp = (ports: number[]): EgressPort[] => ports.map((port) => ({ port }));
  const block = (cidrs: string[]) => (cidrs.length ? cidrs : ["0.0.0.0/0"]).map((cidr) => ({ cidr }));
  const unknown = "0.0.0.0/0 until it is set";
  for (const g of out) {
    const rules: EgressRule[] = [
      {
        to: [{ namespace: CLUSTER_DNS.namespace, pods: { ...CLUSTER_DNS.pods } }],
        ports: [
          { port: CLUSTER_DNS.port, protocol: "UDP" },
          { port: CLUSTER_DNS.port, protocol: "TCP" },
        ],
        kind: "dns",
        why: "-> cluster DNS",
      },
    ];
    for (const h of out)
      for (const r of h.ingress)
        if (r.from !== "anywhere" && r.from.some((f) => same(f, g)))
          rules.push({
            to: [{ namespace: h.namespace, pods: h.pods }],
            ports: r.ports === "all" ? "all" : r.ports.map((port) => ({ port })),
            kind: "edge",
            why: r.why,
          });
    const api = e.apiCallers[g.name];
    if (api)
      rules.push({
        to: block(e.apiServer.cidrs),
        ports: tcp([e.apiServer.port]),
        kind: "api",
        why: `-> Kubernetes API (${api})${e.apiServer.cidrs.length ? "" : `; network.apiServer: ${unknown}`}`,
      });
    if (e.objectStore && who.objectStoreUsers.includes(g.name)) {
      const os = e.objectStore;
      rules.push(
        os.in === "cluster"
          ? {
              to: [{ namespace: os.namespace }],
              ports: tcp([os.port]),
              kind: "object-store",
              why: "-> object store",
            }
          : {
              to: block(os.cidrs),
              ports: os.ports === "all" ? "all" : tcp(os.ports),
              kind: "object-store",
              why: `-> object store${os.cidrs.length ? "" : `; network.objectStore.cidrs: ${unknown}`}`,
            },
      );
    }
    if (who.scrapers.includes(g.name))
      rules.push(
        {
          to: block(e.nodes.cidrs),
          ports: tcp(e.nodes.ports),
          kind: "node-scrape",
          why: `scrapers -> host-network targets (node-exporter, kubelet, control plane)${e.nodes.cidrs.length ? "" : `; network.nodes: ${unknown}`}`,
        },
        {
          to: [{ namespace: CLUSTER_DNS.namespace, pods: { ...CLUSTER_DNS.pods } }],
          ports: tcp([CLUSTER_DNS.metricsPort]),
          kind: "node-scrape",
          why: "scrapers -> CoreDNS metrics",
        },
      );
    if (e.receivers && who.alertmanagers.includes(g.name))
      rules.push({
        to: block(e.receivers.cidrs),
        // Pushover's API is https://api.pushover.net/1/messages.json, fixed in Alertmanager
        // (prometheus/alertmanager v0.28.1 notify/pushover/pushover.go:65, apiURL): 443. The
        // heartbeat URL comes from a Secret, unknown here: one on another port needs its own rule.
        // The user's receivers add their own ports (an SMTP smarthost's, a webhook's `port`).
        ports: tcp(e.receivers.ports),
        kind: "receivers",
        why:
          e.receivers.ports.length === 1 && e.receivers.ports[0] === 443
            ? "Alertmanager -> receivers (Pushover, heartbeat) over HTTPS"
            : `Alertmanager -> receivers on ports ${e.receivers.ports.join(", ")}`,
      });
    g.egress = rules;
    g.egressEnforced = e.enforced;
  }
  return out;
}
