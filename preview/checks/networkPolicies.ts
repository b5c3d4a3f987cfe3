/**
 * NetworkPolicies against the wiring they must allow, judged the way the API documents them
 * (networking.k8s.io/v1 NetworkPolicySpec; https://kubernetes.io/docs/concepts/services-networking/
 * network-policies/): a pod selected by a policy with the Ingress type accepts only what one of its
 * rules allows; a peer without namespaceSelector is in the policy's namespace; no `from` or no
 * `ports` means all. Host-network pods are outside every policy, and traffic from the pod's own node
 * (kubelet probes) is always allowed, so neither is judged.
 *
 * Findings: a Service whose pods no policy selects; an address a rendered config dials (the same
 * addresses the address check resolves) that the target's policies do not allow from the pods
 * reading that config; a scrape (ServiceMonitor, PodMonitor, VMServiceScrape, VMPodScrape target)
 * not allowed from every scraper of the stack; a policy rule nothing uses.
 */
import { isParked, NETWORK_POLICIES_DEFERRED } from "../../builders/security/podSecurity";
import { addressesIn } from "./addresses";
import {
  containersOf,
  describe,
  podTemplates,
  selects,
  type Finding,
  type K8sObject,
  type Placed,
  type PodTemplate,
} from "./objects";

interface Port {
  number: number;
  name?: string;
}

/** One connection judged allowed: a client pod template to a target pod template's port. */
export interface AdmittedEdge {
  /** `Kind namespace/name` of the client's and the target's workloads. */
  client: string;
  target: string;
  port: number;
  portName?: string;
  /** What makes it: the address dialed, or the scrape. */
  what: string;
}

export interface NetworkReport {
  findings: Finding[];
  /** Connections proven allowed (client pods -> target pods:port). */
  allowed: number;
  /** The allowed connections themselves, so a test can ask for the edges the stack must have. */
  admitted: AdmittedEdge[];
  /** Namespaces whose policies are deliberately deferred (a takeover's import step). */
  deferred: string[];
}

/** A label selector where `{}` (or absent matchLabels and matchExpressions) selects everything. */
function selectsAll(selector: any, labels: Record<string, string>): boolean {
  if (
    !selector ||
    (Object.keys(selector.matchLabels ?? {}).length === 0 && !(selector.matchExpressions ?? []).length)
  )
    return true;
  return selects(selector, labels);
}

const isPolicy = (p: Placed) => p.obj.kind === "NetworkPolicy" && p.obj.apiVersion === "networking.k8s.io/v1";
const ingressTyped = (np: K8sObject) => (np.spec?.policyTypes ?? ["Ingress"]).includes("Ingress");

/** The rules (`<ns>/<policy>#<index>`) that allow client -> target:port; null when no policy isolates the target. */
function allowingRules(
  policies: Placed[],
  nsLabels: (ns: string) => Record<string, string>,
  client: { ns: string; labels: Record<string, string> },
  target: { ns: string; labels: Record<string, string> },
  port: Port,
): string[] | null {
  const selecting = policies.filter(
    (p) =>
      p.obj.metadata.namespace === target.ns &&
      ingressTyped(p.obj) &&
      selectsAll(p.obj.spec?.podSelector, target.labels),
  );
  if (selecting.length === 0) return null;
  const out: string[] = [];
  for (const p of selecting) {
    const rules: any[] = p.obj.spec?.ingress ?? [];
    for (let i = 0; i < rules.length; i++) {
      const r = rules[i];
      const ports: any[] = r.ports ?? [];
      const portOk =
        ports.length === 0 ||
        ports.some(
          (x) =>
            (x.protocol ?? "TCP") === "TCP" &&
            (x.port === undefined ||
              x.port === port.number ||
              (port.name !== undefined && x.port === port.name) ||
              (typeof x.port === "number" &&
                x.endPort !== undefined &&
                port.number >= x.port &&
                port.number <= x.endPort)),
        );
      if (!portOk) continue;
      const from: any[] = r.from ?? [];
      const fromOk =
        from.length === 0 ||
        from.some((peer) => {
          if (peer.ipBlock) return false;
          const nsOk = peer.namespaceSelector
            ? selectsAll(peer.namespaceSelector, nsLabels(client.ns))
            : client.ns === target.ns;
          return nsOk && (peer.podSelector ? selectsAll(peer.podSelector, client.labels) : true);
        });
      if (fromOk) out.push(`${p.obj.metadata.namespace}/${p.obj.metadata.name}#${i}`);
    }
  }
  return out;
}

/** Container ports of a pod template that a Service port (or a name/number) leads to. */
function portsBehind(t: PodTemplate, target: number | string): Port[] {
  const out: Port[] = [];
  for (const c of containersOf(t.spec))
    for (const cp of c.ports ?? [])
      if (cp.containerPort === target || cp.name === target)
        out.push({ number: cp.containerPort, name: cp.name });
  return out;
}

/** Pod templates that read an object: itself if a workload, the mounters of a ConfigMap or Secret, an operator's pods for a CR. */
function readersOf(p: Placed, pods: PodTemplate[]): PodTemplate[] {
  const self = pods.filter((t) => t.owner === p);
  if (self.length) return self;
  const { kind, name, namespace } = {
    kind: p.obj.kind,
    name: p.obj.metadata.name,
    namespace: p.obj.metadata.namespace,
  };
  if (kind === "ConfigMap" || kind === "Secret") {
    return pods.filter((t) => {
      if (t.owner.obj.metadata.namespace !== namespace) return false;
      const refs = JSON.stringify([
        t.spec.volumes ?? [],
        containersOf(t.spec).map((c) => [c.env, c.envFrom]),
      ]);
      return refs.includes(`"${name}"`);
    });
  }
  // A VMCluster's own addresses (the chart's `vmalert.proxyURL`) are vmselect's flags.
  if (kind === "VMCluster" && p.obj.apiVersion.startsWith("operator.victoriametrics.com/"))
    return pods.filter(
      (t) => t.owner.obj.metadata.name === `vmselect-${name}` && t.owner.obj.metadata.namespace === namespace,
    );
  // Operators name a CR's workload `<kind>-<name>` (objects.ts operatorObjects).
  return pods.filter(
    (t) =>
      t.owner.urn === p.urn &&
      t.owner.obj.metadata.name === `${kind.toLowerCase()}-${name}` &&
      t.owner.obj.metadata.namespace === namespace,
  );
}

/** Scrape targets of the monitors in the stack: pod templates and the port each is scraped on. */
function scrapeTargets(objects: Placed[], services: Placed[], pods: PodTemplate[]) {
  const out: { monitor: Placed; tpl: PodTemplate; port: Port }[] = [];
  const inNs = (m: Placed, ns: string | undefined) => {
    const sel = m.obj.spec?.namespaceSelector;
    if (sel?.any) return true;
    if (sel?.matchNames?.length) return sel.matchNames.includes(ns);
    return ns === m.obj.metadata.namespace;
  };
  for (const m of objects) {
    const kind = m.obj.kind;
    if (kind === "ServiceMonitor" || kind === "VMServiceScrape") {
      for (const svc of services) {
        if (
          !inNs(m, svc.obj.metadata.namespace) ||
          !selects(m.obj.spec?.selector, svc.obj.metadata.labels ?? {})
        )
          continue;
        const backing = pods.filter(
          (t) =>
            t.owner.obj.metadata.namespace === svc.obj.metadata.namespace &&
            selects(svc.obj.spec?.selector, t.labels),
        );
        for (const ep of m.obj.spec?.endpoints ?? []) {
          const sp = (svc.obj.spec?.ports ?? []).find((x: any) => x.name === ep.port);
          const target = ep.targetPort ?? sp?.targetPort ?? sp?.port;
          if (target === undefined) continue;
          for (const tpl of backing)
            for (const port of portsBehind(tpl, target)) out.push({ monitor: m, tpl, port });
        }
      }
    }
    if (kind === "PodMonitor" || kind === "VMPodScrape") {
      for (const tpl of pods) {
        if (!inNs(m, tpl.owner.obj.metadata.namespace) || !selects(m.obj.spec?.selector, tpl.labels))
          continue;
        for (const ep of m.obj.spec?.podMetricsEndpoints ?? [])
          for (const port of portsBehind(tpl, ep.port ?? ep.portNumber)) out.push({ monitor: m, tpl, port });
      }
    }
  }
  return out;
}

/** Monitor kinds each scraper reads (vmagent converts ServiceMonitors and PodMonitors too). */
const PROMETHEUS_MONITORS = ["ServiceMonitor", "PodMonitor"];
const VM_MONITORS = [...PROMETHEUS_MONITORS, "VMServiceScrape", "VMPodScrape"];

/** Pods that scrape monitors, with the kinds they read: Prometheus, vmagent, Alloy reading ServiceMonitors. */
function scrapersOf(objects: Placed[], pods: PodTemplate[]): { tpl: PodTemplate; reads: string[] }[] {
  const alloyConfigs = objects.filter(
    (p) =>
      p.obj.kind === "ConfigMap" &&
      /prometheus\.operator\.(servicemonitors|podmonitors)/.test(JSON.stringify(p.obj.data ?? {})),
  );
  const byOperator = (t: PodTemplate, prefix: string) =>
    t.owner.source.endsWith("by its operator") && t.owner.obj.metadata.name.startsWith(prefix);
  return [
    ...pods.filter((t) => byOperator(t, "prometheus-")).map((tpl) => ({ tpl, reads: PROMETHEUS_MONITORS })),
    ...pods.filter((t) => byOperator(t, "vmagent-")).map((tpl) => ({ tpl, reads: VM_MONITORS })),
    ...alloyConfigs.flatMap((c) => readersOf(c, pods)).map((tpl) => ({ tpl, reads: PROMETHEUS_MONITORS })),
  ];
}

/**
 * The NetworkPolicy checks. `generated`: what operators create (Services and pods), so addresses of
 * operator Services resolve and the pods they run are judged.
 */
export function checkNetworkPolicies(objects: Placed[], generated: Placed[] = []): NetworkReport {
  const all = [...objects, ...generated];
  const report: NetworkReport = { findings: [], allowed: 0, admitted: [], deferred: [] };
  const namespaceObjs = objects.filter((p) => p.obj.kind === "Namespace");
  const stackNs = new Set(objects.map((p) => p.obj.metadata.namespace).filter(Boolean) as string[]);
  for (const n of namespaceObjs)
    if (n.obj.metadata.annotations?.[NETWORK_POLICIES_DEFERRED]) report.deferred.push(n.obj.metadata.name);
  const judged = (ns: string | undefined) => !!ns && stackNs.has(ns) && !report.deferred.includes(ns);
  const nsLabels = (ns: string) => ({
    ...(namespaceObjs.find((n) => n.obj.metadata.name === ns)?.obj.metadata.labels ?? {}),
    "kubernetes.io/metadata.name": ns,
  });
  const policies = objects.filter(isPolicy);
  const pods = podTemplates(all.filter((p) => !p.hook)).filter((t) => !isParked(t.spec));
  const services = all.filter((p) => p.obj.kind === "Service" && p.obj.spec?.selector);
  const used = new Set<string>();
  const fail = (where: string, message: string) =>
    report.findings.push({ check: "network-policy", where, message });

  // Every Service's pods are selected by a policy (host-network pods are outside every policy).
  for (const svc of services) {
    const ns = svc.obj.metadata.namespace;
    if (!judged(ns)) continue;
    for (const t of pods) {
      if (t.owner.obj.metadata.namespace !== ns || !selects(svc.obj.spec.selector, t.labels)) continue;
      if (t.spec.hostNetwork === true) continue;
      const selected = policies.some(
        (p) =>
          p.obj.metadata.namespace === ns &&
          ingressTyped(p.obj) &&
          selectsAll(p.obj.spec?.podSelector, t.labels),
      );
      if (!selected)
        fail(
          describe(svc),
          `its pods (${describe(t.owner)}) are selected by no NetworkPolicy: every pod in the cluster can reach them`,
        );
    }
  }

  const judge = (client: PodTemplate, tpl: PodTemplate, port: Port, what: string) => {
    const tns = tpl.owner.obj.metadata.namespace!;
    if (!judged(tns) || tpl.spec.hostNetwork === true || client === tpl) return;
    const rules = allowingRules(
      policies,
      nsLabels,
      { ns: client.owner.obj.metadata.namespace!, labels: client.labels },
      { ns: tns, labels: tpl.labels },
      port,
    );
    if (rules?.length === 0)
      fail(
        describe(client.owner),
        `${what}: no NetworkPolicy of ${tns} lets it reach ${describe(tpl.owner)} on port ${port.number}${port.name ? ` (${port.name})` : ""}`,
      );
    else {
      for (const r of rules ?? []) used.add(r);
      report.allowed++;
      const id = (t: PodTemplate) =>
        `${t.owner.obj.kind} ${t.owner.obj.metadata.namespace}/${t.owner.obj.metadata.name}`;
      report.admitted.push({
        client: id(client),
        target: id(tpl),
        port: port.number,
        ...(port.name ? { portName: port.name } : {}),
        what,
      });
    }
  };

  // Every address a config dials, from the pods that read that config.
  for (const p of objects) {
    const addresses = addressesIn(p).filter((a) => judged(a.namespace));
    if (addresses.length === 0) continue;
    const clients = readersOf(p, pods);
    for (const a of addresses) {
      const svc = services.find(
        (s) => s.obj.metadata.name === a.service && s.obj.metadata.namespace === a.namespace,
      );
      if (!svc) continue; // the address check reports it
      const ports: any[] = svc.obj.spec?.ports ?? [];
      const sps = a.port === undefined ? ports : ports.filter((x) => x.port === a.port || x.name === a.port);
      const backing = pods.filter(
        (t) => t.owner.obj.metadata.namespace === a.namespace && selects(svc.obj.spec.selector, t.labels),
      );
      for (const client of clients)
        for (const sp of sps)
          for (const tpl of backing)
            for (const port of portsBehind(tpl, sp.targetPort ?? sp.port)) judge(client, tpl, port, a.text);
    }
  }

  // A VMCluster's inner edges, which no rendered string names: the operator gives vminsert and
  // vmselect a `-storageNode` flag per vmstorage pod, on vmstorage's vminsert (8400) and vmselect
  // (8401) ports (objects.ts operatorObjects models the pods).
  for (const cr of objects.filter(
    (p) => p.obj.kind === "VMCluster" && p.obj.apiVersion.startsWith("operator.victoriametrics.com/"),
  )) {
    const of = (app: string) =>
      pods.filter(
        (t) =>
          t.owner.obj.metadata.name === `${app}-${cr.obj.metadata.name}` &&
          t.owner.obj.metadata.namespace === cr.obj.metadata.namespace,
      );
    for (const storage of of("vmstorage"))
      for (const client of ["vminsert", "vmselect"])
        for (const c of of(client))
          for (const port of portsBehind(storage, client)) judge(c, storage, port, `${client} -storageNode`);
  }

  // Every scrape target, from every scraper of the stack.
  const scrapers = scrapersOf(objects, pods);
  for (const s of scrapeTargets(all, services, pods))
    for (const client of scrapers)
      if (client.reads.includes(s.monitor.obj.kind))
        judge(client.tpl, s.tpl, s.port, `scrape of ${describe(s.monitor)}`);

  // Peers of one group (memberlist, gossip, gRPC among replicas) use rules without ports; rules open
  // to anywhere serve people or the API server. Every other rule must carry a connection seen above.
  for (const p of policies) {
    if (!judged(p.obj.metadata.namespace)) continue;
    (p.obj.spec?.ingress ?? []).forEach((r: any, i: number) => {
      if (!r.from || !r.ports) return;
      const id = `${p.obj.metadata.namespace}/${p.obj.metadata.name}#${i}`;
      if (!used.has(id))
        fail(
          describe(p),
          `ingress rule ${i} (${JSON.stringify(r.ports.map((x: any) => x.port))} from ${r.from.length} peer(s)) allows what no address or scrape of the stack uses`,
        );
    });
  }
  return report;
}
