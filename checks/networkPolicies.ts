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
 * not allowed from every scraper of the stack; a policy rule nothing uses (one mistake with every
 * other rule written for the same pods when those pods are none the stack renders). A finding on a
 * rule names the releases whose pods it concerns, so that it is traced to their values.
 *
 * Egress (check `network-egress`), judged the same way from the client's side: a pod selected by
 * a policy with egress rules reaches only what one of them allows (`to` peers: pods by selector,
 * namespaces, or ipBlocks; no `to` or no `ports` means all). The rules are judged whether or not
 * `policyTypes` names Egress yet (network.egress: rendered), so the proof exists before enforcement;
 * a connection they refuse while no policy selecting the client enforces Egress is a warning, not a
 * finding, since no network plugin blocks it (the wiring's own edges are proven by the tests).
 * Findings: an address or scrape the client's egress does not admit (the cluster DNS and an
 * object store outside the stack included); an egress rule of kind `edge` or an in-cluster
 * `object-store` nothing uses; a DNS rule other than CoreDNS on 53 UDP+TCP; the API server
 * admitted to pods holding no RBAC, or refused to pods that hold some; receivers admitted to
 * anything but Alertmanager; in a namespace whose policies carry egress, a guarded pod without.
 */
import { causeKey, MISTAKES, networkPoliciesDeferred } from "@homelab-observability/contract";
import { isParked } from "../builders/security/podSecurity";
import {
  EGRESS_ANNOTATION,
  EGRESS_MODE_ANNOTATION,
  type EgressKind,
} from "../builders/security/networkPolicies";
import { CLUSTER_DNS } from "../model/endpoints";
import { boundAccounts } from "./privileges";
import { hostNetworkCause } from "./podSecurity";
import { addressesIn } from "./addresses";
import { dialersOf, readersOf } from "./readers";
import { mirrorsOf } from "./imageDigests";
import { splitMade, vmUnreconciled, type Unreconciled } from "./unreconciledResources";
import {
  declares,
  onPorts,
  onPortsOfAny,
  peerSelections,
  undeclaredPortCause,
  type Judged,
} from "./namedPorts";
import {
  fromRelease,
  containersOf,
  operatorPodName,
  describe,
  podTemplates,
  releaseNaming,
  releaseUrns,
  selectionOf,
  selects,
  type Finding,
  type K8sObject,
  type Placed,
  type PodTemplate,
  type Selection,
} from "./objects";

/** How a NetworkPolicy check reports a finding (checks/objects.ts Finding gives each field's meaning). */
type Fail = (where: string, message: string, cause?: string, releases?: string[], on?: Judged) => void;

interface Port {
  number: number;
  name?: string;
  /** Default TCP. */
  protocol?: "TCP" | "UDP";
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
  /** Connections proven allowed out of the client by its egress rules. */
  egressAllowed: number;
  egressAdmitted: AdmittedEdge[];
  /** Policies whose egress rules are rendered but not enforced (policyTypes without Egress). */
  egressNotEnforced: number;
  /**
   * Connections no egress rule admits out of a client whose policies do not enforce egress
   * (network.egress: rendered): nothing blocks them in a cluster, so they are said, never failed.
   */
  warnings: string[];
  /**
   * The warnings whose mistake is known, by their text: each as the finding it is. When a finding
   * of the same cause is reported (the Pod Security level that refuses a host-network pod), the
   * warning is one more place of it, not a line of its own (checks/index.ts).
   */
  warningFindings: Map<string, Finding>;
}

/**
 * The pod label keys the selectors of `objects` read (`reads`): a Service's `spec.selector`, and
 * every LabelSelector's `matchLabels` and `matchExpressions` keys wherever they sit (a
 * NetworkPolicy's podSelector and its peers', a monitor's selector, a workload's own); and those of
 * them an expression reads as `NotIn` or `DoesNotExist` (`unless`), which a pod stops matching
 * when it gains the label. Which pods each selection picks, and so every connection and rule this
 * check judges, is decided by these keys alone: a pod label of any other key changes none of it, and
 * one that only adds a key to the pods' own labels can make a selection pick fewer pods only by a key
 * of `unless` (synth/report.ts ruleOverrides).
 */
function labelKeysRead(objects: Placed[]): LabelKeys {
  const reads = new Set<string>();
  const unless = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === "object")
      for (const [k, x] of Object.entries(v)) {
        if (k === "matchLabels" && x !== null && typeof x === "object") {
          for (const l of Object.keys(x)) reads.add(l);
        } else if (k === "matchExpressions" && Array.isArray(x)) {
          for (const e of x as { key?: unknown; operator?: unknown }[]) {
            if (typeof e.key !== "string") continue;
            reads.add(e.key);
            if (e.operator === "NotIn" || e.operator === "DoesNotExist") unless.add(e.key);
          }
        } else walk(x);
      }
  };
  for (const { obj } of objects) {
    if (obj.kind === "Service" && obj.apiVersion === "v1")
      for (const l of Object.keys(obj.spec?.selector ?? {})) reads.add(l);
    walk(obj.spec);
  }
  return { reads: [...reads].sort(), unless: [...unless].sort() };
}

/** The label keys selectors read ({@link labelKeysRead}). */
type LabelKeys = { reads: string[]; unless: string[] };

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
/** Whether a policy says anything of egress: rules, or Egress among its types (judged either way). */
const hasEgress = (np: K8sObject) =>
  np.spec?.egress !== undefined || (np.spec?.policyTypes ?? []).includes("Egress");
/** Whether a policy's egress rules are enforced: policyTypes names Egress (network.egress: enforced). */
const egressEnforced = (np: K8sObject) => (np.spec?.policyTypes ?? []).includes("Egress");
/** Each egress rule's kind, from the annotation the builder writes; `edge` when absent. */
function egressKinds(np: K8sObject): EgressKind[] {
  try {
    const a = JSON.parse(np.metadata.annotations?.[EGRESS_ANNOTATION] ?? "[]");
    return (np.spec?.egress ?? []).map((_: unknown, i: number) => a[i]?.kind ?? "edge");
  } catch {
    return (np.spec?.egress ?? []).map(() => "edge");
  }
}
const emptySelector = (s: any) =>
  !s || (Object.keys(s.matchLabels ?? {}).length === 0 && !(s.matchExpressions ?? []).length);

/** Whether one NetworkPolicyPort list admits a port (no list: every port). */
function portAdmits(ports: any[] | undefined, port: Port): boolean {
  if (!ports || ports.length === 0) return true;
  return ports.some(
    (x) =>
      (x.protocol ?? "TCP") === (port.protocol ?? "TCP") &&
      (x.port === undefined ||
        x.port === port.number ||
        (port.name !== undefined && x.port === port.name) ||
        (typeof x.port === "number" &&
          x.endPort !== undefined &&
          port.number >= x.port &&
          port.number <= x.endPort)),
  );
}

/** Where a connection goes: pods (labels known), a namespace's unknown pods, or a host-network pod. */
interface Destination {
  ns: string;
  /** The pods' labels; undefined when the stack does not render them (an outside Service). */
  labels?: Record<string, string>;
  /** A pod in the host's network: only an ipBlock can admit it. */
  hostNetwork?: boolean;
  /** The mistake behind a refusal, when it is known (a host-network pod: its workload's). */
  cause?: string;
  /** For messages. */
  name: string;
}

/**
 * The egress rules (`<ns>/<policy>#egress<index>`) that let client out to a destination's port;
 * null when no policy with egress selects the client; `enforced` when one of those names Egress in
 * its policyTypes (otherwise the rules are only rendered and block nothing). A peer's pod selector admits a destination
 * whose labels are unknown only when it is empty; an ipBlock admits only a host-network pod (the
 * check cannot know a node's address) and only from a `node-scrape` rule.
 */
function egressAllowing(
  policies: Placed[],
  nsLabels: (ns: string) => Record<string, string>,
  client: { ns: string; labels: Record<string, string> },
  dest: Destination,
  port: Port,
): { rules: string[]; policies: string[]; enforced: boolean } | null {
  const selecting = policies.filter(
    (p) =>
      p.obj.metadata.namespace === client.ns &&
      hasEgress(p.obj) &&
      selectsAll(p.obj.spec?.podSelector, client.labels),
  );
  if (selecting.length === 0) return null;
  const rules: string[] = [];
  for (const p of selecting) {
    const kinds = egressKinds(p.obj);
    (p.obj.spec?.egress ?? []).forEach((r: any, i: number) => {
      if (!portAdmits(r.ports, port)) return;
      const to: any[] = r.to ?? [];
      const toOk =
        to.length === 0 ||
        to.some((peer) => {
          if (peer.ipBlock) return dest.hostNetwork === true && kinds[i] === "node-scrape";
          if (dest.hostNetwork) return false;
          const nsOk = peer.namespaceSelector
            ? selectsAll(peer.namespaceSelector, nsLabels(dest.ns))
            : dest.ns === client.ns;
          const podOk = !peer.podSelector
            ? true
            : dest.labels
              ? selectsAll(peer.podSelector, dest.labels)
              : emptySelector(peer.podSelector);
          return nsOk && podOk;
        });
      if (toOk) rules.push(`${p.obj.metadata.namespace}/${p.obj.metadata.name}#egress${i}`);
    });
  }
  return {
    rules,
    policies: selecting.map((p) => p.obj.metadata.name),
    enforced: selecting.some((p) => egressEnforced(p.obj)),
  };
}

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

/**
 * When a connection from `client` to `target` is refused though a rule admits the client there on
 * named ports, every one of which `target` does not declare: the first such rule's mistake
 * (checks/namedPorts.ts undeclaredPortCause, the named-port finding on that rule) and what it rests
 * on, the target's container ports. A port renamed by the target's values (Grafana's `podPortName`)
 * is one mistake wherever it shows: the rule that admits nothing and the connection it refuses.
 */
function undeclaredPortOf(
  policies: Placed[],
  nsLabels: (ns: string) => Record<string, string>,
  client: PodTemplate,
  target: PodTemplate,
): { cause: string; on: Pick<Finding, "judged" | "containers"> } | undefined {
  const tns = target.owner.obj.metadata.namespace!;
  const from = { ns: client.owner.obj.metadata.namespace!, labels: client.labels };
  for (const p of policies) {
    if (p.obj.metadata.namespace !== tns || !ingressTyped(p.obj)) continue;
    if (!selectsAll(p.obj.spec?.podSelector, target.labels)) continue;
    const rules: any[] = p.obj.spec?.ingress ?? [];
    for (let i = 0; i < rules.length; i++) {
      const ports: any[] = rules[i].ports ?? [];
      const undeclared = (x: any) => typeof x.port === "string" && !declares(target.spec, x.port);
      if (ports.length === 0 || !ports.every(undeclared)) continue;
      // The rule as it would be with its ports any: does it admit the client?
      const portless = {
        ...p,
        obj: { ...p.obj, spec: { ...p.obj.spec, ingress: [{ ...rules[i], ports: [] }] } },
      };
      const admits = allowingRules(
        [portless],
        nsLabels,
        from,
        { ns: tns, labels: target.labels },
        { number: 0 },
      );
      if (admits && admits.length > 0)
        return { cause: undeclaredPortCause(p, "ingress", i, ports[0].port), on: onPorts([target]) };
    }
  }
  return undefined;
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

/** Pods that scrape monitors, with the kinds they read: Prometheus (and a PrometheusAgent), vmagent, Alloy reading ServiceMonitors. */
function scrapersOf(objects: Placed[], pods: PodTemplate[]): { tpl: PodTemplate; reads: string[] }[] {
  const alloyConfigs = objects.filter(
    (p) =>
      p.obj.kind === "ConfigMap" &&
      /prometheus\.operator\.(servicemonitors|podmonitors)/.test(JSON.stringify(p.obj.data ?? {})),
  );
  const byOperator = (t: PodTemplate, prefix: string) =>
    t.owner.source.endsWith("by its operator") && t.owner.obj.metadata.name.startsWith(prefix);
  return [
    ...pods
      .filter((t) => byOperator(t, "prometheus-") || byOperator(t, "prom-agent-"))
      .map((tpl) => ({ tpl, reads: PROMETHEUS_MONITORS })),
    ...pods.filter((t) => byOperator(t, "vmagent-")).map((tpl) => ({ tpl, reads: VM_MONITORS })),
    ...alloyConfigs
      .flatMap((c) => readersOf(c, pods, objects))
      .map((tpl) => ({ tpl, reads: PROMETHEUS_MONITORS })),
  ];
}

/** What the NetworkPolicy checks share: the stack's policies, pods and Services, and how one connection is judged. */
interface NetworkJudge {
  report: NetworkReport;
  /** Every object, operators' included: which release renders what (releasesConcerned). */
  objects: Placed[];
  policies: Placed[];
  pods: PodTemplate[];
  services: Placed[];
  stackNs: Set<string>;
  /** Whether a namespace's ingress is judged: the stack's, not deferred. */
  judged: (ns: string | undefined) => boolean;
  /**
   * Reports a finding; `cause` when its mistake is known, `releases` whose pods it concerns, `on`
   * the fields (and containers) its verdict rests on when the check knows them (Finding).
   */
  fail: Fail;
  egressFail: Fail;
  /** The client's egress towards a destination's port: admitted, or a finding naming what is missing. */
  judgeEgress: (client: PodTemplate, dest: Destination, port: Port, what: string) => void;
  /** One connection from a client pod to a target pod's port, both ways (egress and ingress). */
  judge: (client: PodTemplate, tpl: PodTemplate, port: Port, what: string) => void;
  /** Ingress and egress rules some judged connection used. */
  used: Set<string>;
  usedEgress: Set<string>;
  /** A namespace's labels as a namespaceSelector sees them. */
  nsLabels: (ns: string) => Record<string, string>;
  /** Why pods a selector picks run not (no operator reconciles their resource), when that is why ({@link Unmade}). */
  unmade: Unmade;
  /** The label keys the stack's selectors read ({@link labelKeysRead}). */
  labelKeys: LabelKeys;
}

/**
 * Why the pods selector `selector` picks in namespace `ns` are none: the VictoriaMetrics resource
 * that would run them is one no operator of the stack reconciles (checks/unreconciledResources.ts).
 * Undefined when no such resource's pods are among them.
 */
type Unmade = (ns: string, selector: any) => Unreconciled | undefined;

/**
 * The NetworkPolicy checks. `generated`: what operators create (Services and pods), so addresses of
 * operator Services resolve and the pods they run are judged.
 */
export function checkNetworkPolicies(objects: Placed[], generated: Placed[] = []): NetworkReport {
  // A VictoriaMetrics resource no operator of the stack reconciles runs no pod: none of its made
  // objects scrapes or is scraped (upstream/ruleSelection.ts vmReconciledByNone).
  const { made, unmade } = splitMade(objects, generated);
  const all = [...objects, ...made];
  // The pods those resources would run: a rule written for them is unused for that one reason.
  const unmadePods = podTemplates(unmade);
  const left = vmUnreconciled(objects.map((p) => p.obj));
  const j = networkJudge(objects, all, (ns, selector) =>
    podsSelected(unmadePods, ns, selector).length > 0 ? left(ns) : undefined,
  );
  checkServicesSelected(j);
  judgeConfigAddresses(j, objects);
  judgeVmClusterEdges(j, objects);
  judgeRouteBackends(j, objects);
  // Every scrape target, from every scraper of the stack.
  const scrapers = scrapersOf(objects, j.pods);
  for (const s of scrapeTargets(all, j.services, j.pods))
    for (const client of scrapers)
      if (client.reads.includes(s.monitor.obj.kind))
        j.judge(client.tpl, s.tpl, s.port, `scrape of ${describe(s.monitor)}`);
  checkUnusedIngressRules(j);
  checkEgressRules(objects, j, scrapers);
  return j.report;
}

function networkJudge(objects: Placed[], all: Placed[], unmade: Unmade): NetworkJudge {
  const report: NetworkReport = {
    findings: [],
    allowed: 0,
    admitted: [],
    deferred: [],
    egressAllowed: 0,
    egressAdmitted: [],
    egressNotEnforced: 0,
    warnings: [],
    warningFindings: new Map(),
  };
  const namespaceObjs = objects.filter((p) => p.obj.kind === "Namespace");
  const stackNs = new Set(objects.map((p) => p.obj.metadata.namespace).filter(Boolean) as string[]);
  for (const n of namespaceObjs)
    if (
      networkPoliciesDeferred({
        annotations: n.obj.metadata.annotations,
        renderedByChart: fromRelease(n),
      })
    )
      report.deferred.push(n.obj.metadata.name);
  const judged = (ns: string | undefined) => !!ns && stackNs.has(ns) && !report.deferred.includes(ns);
  const nsLabels = (ns: string) => ({
    ...(namespaceObjs.find((n) => n.obj.metadata.name === ns)?.obj.metadata.labels ?? {}),
    "kubernetes.io/metadata.name": ns,
  });
  const policies = objects.filter(isPolicy);
  const pods = podTemplates(all.filter((p) => !p.hook)).filter((t) => !isParked(t.spec));
  const services = all.filter((p) => p.obj.kind === "Service" && p.obj.spec?.selector);
  const used = new Set<string>();
  // What a finding knows beyond its place and message: its mistake, the releases whose pods it concerns.
  const about = (cause?: string, releases?: string[]) => ({
    ...(cause ? { cause } : {}),
    ...(releases?.length ? { releases } : {}),
  });
  const fail: Fail = (where, message, cause, releases, on) =>
    report.findings.push({ check: "network-policy", where, message, ...about(cause, releases), ...on });

  const usedEgress = new Set<string>();
  const egressFail: Fail = (where, message, cause, releases, on) =>
    report.findings.push({ check: "network-egress", where, message, ...about(cause, releases), ...on });
  // One warning per connection (an address, its Service and port), naming every client that makes
  // it: one config text several releases hold (an override of `alloy.configMap.content` reaches
  // every Alloy release) is one mistake, not one warning per release.
  const unenforced = new Map<string, { text: string; clients: string[] }>();
  const unenforcedEgress = (
    key: string,
    w: { refused: string; client: string; many: (clients: string) => string; where: string; cause?: string },
  ) => {
    const seen = unenforced.get(key);
    // A client whose config dials the address in several places makes the one connection.
    if (seen?.clients.includes(w.client)) return;
    const clients = [...(seen?.clients ?? []), w.client];
    const refused = seen ? w.many(clients.join(", ")) : w.refused;
    const text = `[network-egress] ${refused}; nothing blocks it while egress is rendered, not enforced (network.egress: rendered), but network.egress: enforced would`;
    const where = (seen && report.warningFindings.get(seen.text)?.where) ?? w.where;
    if (seen) {
      report.warnings[report.warnings.indexOf(seen.text)] = text;
      report.warningFindings.delete(seen.text);
    } else report.warnings.push(text);
    unenforced.set(key, { text, clients });
    if (w.cause) {
      report.warningFindings.set(text, {
        check: "network-egress",
        where,
        message: refused,
        cause: w.cause,
      });
    }
  };
  const id = (t: PodTemplate) =>
    `${t.owner.obj.kind} ${t.owner.obj.metadata.namespace}/${t.owner.obj.metadata.name}`;
  const judgeEgress = (client: PodTemplate, dest: Destination, port: Port, what: string) => {
    const cns = client.owner.obj.metadata.namespace!;
    if (!judged(cns) || client.spec.hostNetwork === true) return;
    const r = egressAllowing(policies, nsLabels, { ns: cns, labels: client.labels }, dest, port);
    if (!r) return;
    const where = `port ${port.number}${port.name ? ` (${port.name})` : ""}${port.protocol === "UDP" ? "/UDP" : ""}`;
    if (r.rules.length === 0) {
      const refused = `${what}: no egress rule of ${cns}/${r.policies.join(", ")} lets ${describe(client.owner)} out to ${dest.name} on ${where}`;
      if (r.enforced) egressFail(describe(client.owner), refused, dest.cause);
      // Only rendered: the connection works in a cluster today; enforcing egress would cut it.
      else
        unenforcedEgress(`${what}\0${dest.name}\0${where}`, {
          refused,
          client: `${describe(client.owner)} under ${cns}/${r.policies.join(", ")}`,
          many: (clients) => `${what}: no egress rule lets ${clients} out to ${dest.name} on ${where}`,
          where: describe(client.owner),
          cause: dest.cause,
        });
      return;
    }
    for (const x of r.rules) usedEgress.add(x);
    report.egressAllowed++;
    report.egressAdmitted.push({
      client: id(client),
      target: dest.name,
      port: port.number,
      ...(port.name ? { portName: port.name } : {}),
      what,
    });
  };

  const judge = (client: PodTemplate, tpl: PodTemplate, port: Port, what: string) => {
    const tns = tpl.owner.obj.metadata.namespace!;
    if (client === tpl) return;
    judgeEgress(
      client,
      {
        ns: tns,
        labels: tpl.labels,
        hostNetwork: tpl.spec.hostNetwork === true,
        name: id(tpl),
        ...(tpl.spec.hostNetwork === true ? { cause: hostNetworkCause(tpl) } : {}),
      },
      port,
      what,
    );
    if (!judged(tns) || tpl.spec.hostNetwork === true) return;
    const rules = allowingRules(
      policies,
      nsLabels,
      { ns: client.owner.obj.metadata.namespace!, labels: client.labels },
      { ns: tns, labels: tpl.labels },
      port,
    );
    if (rules?.length === 0) {
      const named = undeclaredPortOf(policies, nsLabels, client, tpl);
      fail(
        describe(client.owner),
        `${what}: no NetworkPolicy of ${tns} lets it reach ${describe(tpl.owner)} on port ${port.number}${port.name ? ` (${port.name})` : ""}`,
        named?.cause,
        // The target's values decide which ports it declares (synth/report.ts).
        named ? releaseUrns([tpl.owner]) : undefined,
        named?.on,
      );
    } else {
      for (const r of rules ?? []) used.add(r);
      report.allowed++;
      report.admitted.push({
        client: id(client),
        target: id(tpl),
        port: port.number,
        ...(port.name ? { portName: port.name } : {}),
        what,
      });
    }
  };

  return {
    report,
    objects: all,
    policies,
    pods,
    services,
    stackNs,
    judged,
    fail,
    egressFail,
    judgeEgress,
    judge,
    used,
    usedEgress,
    nsLabels,
    unmade,
    labelKeys: labelKeysRead(all),
  };
}

/** Every Service's pods are selected by a policy (host-network pods are outside every policy). */
function checkServicesSelected({ services, pods, policies, judged, fail }: NetworkJudge): void {
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
}

/**
 * Every address a config dials, from the pods that read that config and dial the file holding it
 * (checks/readers.ts: not an Alertmanager's notification template, not a key the pod is not given).
 */
function judgeConfigAddresses(
  { pods, services, stackNs, judge, judgeEgress }: NetworkJudge,
  objects: Placed[],
): void {
  const mirrors = mirrorsOf(objects);
  for (const p of objects) {
    const all = addressesIn(p);
    if (all.length === 0) continue;
    const byFile = new Map<string | undefined, PodTemplate[]>();
    const dialers = (file: string | undefined) => {
      if (!byFile.has(file)) byFile.set(file, dialersOf(p, file, pods, objects, mirrors));
      return byFile.get(file)!;
    };
    // Addresses outside the stack's namespaces (the cluster DNS, an in-cluster object store): only
    // the client's egress can be judged. CoreDNS's pods are known by their labels and serve DNS on
    // 53 over UDP and TCP; another namespace's pods are unknown, reached on the address's port.
    const outside = all.filter((a) => !stackNs.has(a.namespace));
    if (outside.length) {
      for (const a of outside) {
        const dns = a.service === "kube-dns" && a.namespace === CLUSTER_DNS.namespace;
        const dest: Destination = {
          ns: a.namespace,
          ...(dns ? { labels: { ...CLUSTER_DNS.pods } } : {}),
          name: `Service ${a.namespace}/${a.service}`,
        };
        const ports: Port[] = dns
          ? [
              { number: CLUSTER_DNS.port, protocol: "UDP" },
              { number: CLUSTER_DNS.port, protocol: "TCP" },
            ]
          : typeof a.port === "number"
            ? [{ number: a.port }]
            : [];
        for (const client of dialers(a.file))
          for (const port of ports) judgeEgress(client, dest, port, a.text);
      }
    }
    // The stack's own namespaces, deferred ones too: their pods' ingress is not judged, but the
    // client's egress towards them is.
    const addresses = all.filter((a) => stackNs.has(a.namespace));
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
      for (const client of dialers(a.file))
        for (const sp of sps)
          for (const tpl of backing)
            for (const port of portsBehind(tpl, sp.targetPort ?? sp.port)) judge(client, tpl, port, a.text);
    }
  }
}

/**
 * A VMCluster's inner edges, which no rendered string names: the operator gives vminsert and
 * vmselect a `-storageNode` flag per vmstorage pod, on vmstorage's vminsert (8400) and vmselect
 * (8401) ports (objects.ts operatorObjects models the pods).
 */
function judgeVmClusterEdges({ pods, judge }: NetworkJudge, objects: Placed[]): void {
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
}

/**
 * People through an Ingress controller or a Gateway (an Ingress's or HTTPRoute's backends): the
 * traffic comes from pods the stack does not render, in a namespace a rule names whole (or from
 * anywhere). Every backend's pods must admit one; a rule admitting a whole namespace outside the
 * stack is used only by such a backend.
 */
function judgeRouteBackends(
  { pods, services, policies, stackNs, judged, fail, used, nsLabels, report }: NetworkJudge,
  objects: Placed[],
): void {
  for (const route of objects.filter((p) => isRouteToService(p.obj))) {
    const rns = route.obj.metadata.namespace!;
    for (const b of routeBackends(route.obj)) {
      const svc = services.find((x) => x.obj.metadata.name === b.service && x.obj.metadata.namespace === rns);
      if (!svc) {
        fail(describe(route), `its backend Service ${rns}/${b.service} is not in the stack`);
        continue;
      }
      const sps = ((svc.obj.spec?.ports ?? []) as any[]).filter(
        (x) => x.port === b.port || x.name === b.port,
      );
      const backing = pods.filter(
        (t) => t.owner.obj.metadata.namespace === rns && selects(svc.obj.spec.selector, t.labels),
      );
      const outside = [...outsideNamespacesIn(policies, rns, stackNs), "(anywhere)"];
      for (const sp of sps)
        for (const tpl of backing)
          for (const port of portsBehind(tpl, sp.targetPort ?? sp.port)) {
            if (!judged(rns) || tpl.spec.hostNetwork === true) continue;
            const rules = outside.flatMap(
              (ns) =>
                allowingRules(
                  policies,
                  nsLabels,
                  { ns, labels: {} },
                  { ns: rns, labels: tpl.labels },
                  port,
                ) ?? [],
            );
            if (rules.length === 0)
              fail(
                describe(route),
                `no NetworkPolicy of ${rns} admits the ingress controller's (or gateway's) namespace to ${describe(tpl.owner)} on port ${port.number}`,
              );
            for (const r of rules) used.add(r);
            if (rules.length) report.allowed++;
          }
    }
  }
}

/** An Ingress (networking.k8s.io/v1) or a Gateway API HTTPRoute: people's way in to a Service. */
function isRouteToService(o: K8sObject): boolean {
  return (
    (o.kind === "Ingress" && o.apiVersion === "networking.k8s.io/v1") ||
    (o.kind === "HTTPRoute" && o.apiVersion.startsWith("gateway.networking.k8s.io/"))
  );
}

/**
 * The Services (and their port, by number or name) an Ingress's rules or an HTTPRoute's rules send
 * to (networking.k8s.io/v1 IngressBackend `service.name`/`service.port`; gateway.networking.k8s.io/v1
 * HTTPBackendRef `name`/`port`, kind Service when unset).
 */
function routeBackends(o: K8sObject): { service: string; port: number | string }[] {
  if (o.kind === "Ingress")
    return ((o.spec?.rules ?? []) as any[]).flatMap((r) =>
      ((r.http?.paths ?? []) as any[])
        .map((p) => p.backend?.service)
        .filter(Boolean)
        .map((s: any) => ({ service: s.name, port: s.port?.number ?? s.port?.name })),
    );
  return ((o.spec?.rules ?? []) as any[]).flatMap((r) =>
    ((r.backendRefs ?? []) as any[])
      .filter((b) => (b.kind ?? "Service") === "Service" && (b.group ?? "") === "")
      .map((b) => ({ service: b.name, port: b.port })),
  );
}

/** Namespaces outside the stack that the policies of `ns` name in an ingress peer (kubernetes.io/metadata.name). */
function outsideNamespacesIn(policies: Placed[], ns: string, stackNs: Set<string>): string[] {
  const names = policies
    .filter((p) => p.obj.metadata.namespace === ns)
    .flatMap((p) => ((p.obj.spec?.ingress ?? []) as any[]).flatMap((r) => (r.from ?? []) as any[]))
    .map((peer) => peer.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"] as string | undefined)
    .filter((n): n is string => !!n && !stackNs.has(n));
  return [...new Set(names)];
}

/**
 * Peers of one group (memberlist, gossip, gRPC among replicas) use rules without ports; rules open
 * to anywhere serve people or the API server. Every other rule must carry a connection seen above.
 */
function checkUnusedIngressRules(j: NetworkJudge): void {
  const { policies, pods, judged, used, fail } = j;
  for (const p of policies) {
    if (!judged(p.obj.metadata.namespace)) continue;
    const own = policyGroup(p, pods);
    (p.obj.spec?.ingress ?? []).forEach((r: any, i: number) => {
      if (!r.from || !r.ports) return;
      const id = `${p.obj.metadata.namespace}/${p.obj.metadata.name}#${i}`;
      if (used.has(id)) return;
      const peers = (r.from as any[]).map((peer) => peerGroup(peer, own.ns, j));
      // Pods in the host's network are outside every policy: whoever the peers are, the rule waits.
      const host = hostNetworkCauseOf(own.pods);
      const absent = host ? undefined : absentPods(own, peers, j.unmade);
      const cause = host ?? absent?.cause;
      const nothing =
        cause === undefined
          ? admitsNothing(p, "ingress", i, r.ports, own.pods, [selectionOf(own.ns, own.selector)])
          : undefined;
      fail(
        describe(p),
        `ingress rule ${i} (${JSON.stringify(r.ports.map((x: any) => x.port))} from ${r.from.length} peer(s)) allows what no address or scrape of the stack uses${host ? hostNetworkWhy(own.pods) : absent ? absent.why : ""}`,
        cause ?? nothing?.cause ?? unusedEdgeCause(own.pods, peers, r.ports),
        releasesConcerned(p, [own, ...peers], j.objects),
        (host && HOST_JUDGED) ||
          nothing?.on || {
            connects: {
              serves: [selectionOf(own.ns, own.selector)],
              dials: peerSelections(r.from, own.ns),
              ...j.labelKeys,
            },
          },
      );
    });
  }
}

/** Why a rule whose pods all run in the host's network is unused ({@link hostNetworkCauseOf}). */
function hostNetworkWhy(pods: PodTemplate[]): string {
  const o = pods[0].owner.obj;
  return `: the pods the policy selects run in the host's network (${o.kind} ${o.metadata.namespace}/${o.metadata.name}: hostNetwork true), where no NetworkPolicy applies`;
}

/**
 * Such a rule rests on the pods' host network: the override setting it (Alloy's
 * `controller.hostNetwork`, vector's `podHostNetwork`) is its cause (synth/report.ts overridesOn).
 */
const HOST_JUDGED = { judged: ["hostNetwork"] };

/**
 * The cause of a rule nothing uses when the pods it concerns (those a policy selects, or those an
 * egress rule's peers select) all run in the host's network: no NetworkPolicy applies to such a
 * pod nor admits it by a pod selector, so the rule is unused because of the workload's
 * hostNetwork, one mistake with the Pod Security level refusing it. Undefined otherwise.
 */
function hostNetworkCauseOf(concerned: PodTemplate[]): string | undefined {
  return concerned.length > 0 && concerned.every((t) => t.spec.hostNetwork === true)
    ? hostNetworkCause(concerned[0])
    : undefined;
}

/**
 * The cause of a rule nothing uses that admits nothing: every port it names is a named port none of
 * `pods` (those its policy selects; for an egress rule, those its peers select: `picked`) declares. Nothing
 * can use it, so it is one mistake with the named-port finding on it (checks/namedPorts.ts
 * undeclaredPortCause): the pods' values that dropped the port, the rule that names another. With
 * it what the verdict rests on, as the named-port finding says it (namedPorts.ts onPortsOfAny): the
 * pods' container ports, so that the message leading that mistake names the override setting them,
 * not one whose value is a word of it, or the switch that took away pods `picked` would select.
 * Undefined otherwise.
 */
function admitsNothing(
  p: Placed,
  direction: "ingress" | "egress",
  rule: number,
  ports: any[],
  pods: PodTemplate[],
  picked: Selection[],
): { cause: string; on: Judged } | undefined {
  const undeclared = (x: any) => typeof x.port === "string" && !pods.some((t) => declares(t.spec, x.port));
  return pods.length > 0 && ports.length > 0 && ports.every(undeclared)
    ? { cause: undeclaredPortCause(p, direction, rule, ports[0].port), on: onPortsOfAny(pods, picked) }
    : undefined;
}

/** Pods a policy or a peer of its rules names: a namespace and a selector, and the stack's pods it selects. */
interface PodGroup {
  ns: string;
  /** A label selector; absent or `{}`: every pod of the namespace. */
  selector: any;
  /** The stack's pods it selects, host-network ones included (they exist, policies aside). */
  pods: PodTemplate[];
}

/** The pods a policy selects. */
function policyGroup(p: Placed, pods: PodTemplate[]): PodGroup {
  const ns = p.obj.metadata.namespace!;
  const selector = p.obj.spec?.podSelector;
  return { ns, selector, pods: podsSelected(pods, ns, selector) };
}

/** The stack's pods in namespace `ns` that `selector` selects. */
function podsSelected(pods: PodTemplate[], ns: string, selector: any): PodTemplate[] {
  return pods.filter((t) => t.owner.obj.metadata.namespace === ns && selectsAll(selector, t.labels));
}

/**
 * The pods a rule's peer selects, when the stack renders every pod it could: pods of the policy's
 * namespace, or of one namespace of the stack named by `kubernetes.io/metadata.name` (the builders'
 * form). Undefined for an ipBlock or a namespace selector that may reach beyond the stack: whose
 * pods those are is not known here.
 */
function peerGroup(
  peer: any,
  policyNs: string,
  { pods, stackNs }: Pick<NetworkJudge, "pods" | "stackNs">,
): PodGroup | undefined {
  if (peer.ipBlock) return undefined;
  const nsSel = peer.namespaceSelector;
  const named: unknown = nsSel?.matchLabels?.["kubernetes.io/metadata.name"];
  const one =
    typeof named === "string" &&
    Object.keys(nsSel.matchLabels).length === 1 &&
    !(nsSel.matchExpressions ?? []).length;
  const ns = !nsSel ? policyNs : one ? named : undefined;
  if (ns === undefined || !stackNs.has(ns)) return undefined;
  return { ns, selector: peer.podSelector, pods: podsSelected(pods, ns, peer.podSelector) };
}

/** A selector as a message and a cause key say it: `k=v,…` and its expressions; `every pod` when empty. */
function selectorText(selector: any): string {
  const labels = Object.entries((selector?.matchLabels ?? {}) as Record<string, string>)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`);
  const exprs = ((selector?.matchExpressions ?? []) as any[]).map(
    (e) => `${e.key} ${e.operator}${e.values ? ` (${[...e.values].sort().join(", ")})` : ""}`,
  );
  return [...labels, ...exprs].join(",") || "every pod";
}

/**
 * Why a rule nothing uses is unused, when the pods it is written for are none the stack renders:
 * those its policy selects, else those every peer of the rule selects (each peer's pods known to
 * the stack). The rule is not wrong; the pods are missing (a release's values that render none of
 * them, a selector no pod's labels meet), and every rule naming them says so: one mistake, keyed by
 * the pods' namespace and selector (MISTAKES.absentPods), with the clause the message ends with.
 * When they are those of a VictoriaMetrics resource no operator reconciles (`unmade`), that is
 * the mistake, one with every other finding that follows from it (MISTAKES.unreconciled).
 * Undefined when the pods exist: then the rule's own finding.
 */
function absentPods(
  own: PodGroup,
  peers: (PodGroup | undefined)[],
  unmade: Unmade,
): { cause: string; why: string } | undefined {
  const none =
    own.pods.length === 0
      ? own
      : peers.length > 0 && peers.every((g) => g !== undefined && g.pods.length === 0)
        ? peers[0]
        : undefined;
  if (!none) return undefined;
  const pods = `${none.ns} ${selectorText(none.selector)}`;
  const why = `: the stack renders no pod of ${pods} (the pods ${none === own ? "the policy selects" : "its peers select"})`;
  const left = unmade(none.ns, none.selector);
  if (left)
    return {
      cause: left.cause,
      why: `${why}: no VictoriaMetrics operator reconciles the resource that would run them (${left.why})`,
    };
  return { cause: causeKey(MISTAKES.absentPods, pods), why };
}

/**
 * The cause of a rule nothing uses while the pods it is written for run: the connection it admits,
 * as the pods that would serve it, those that would dial it (each peer's pods known to the stack)
 * and its ports. The servers' ingress rule from the dialers and the dialers' egress rule to the
 * servers are written for one connection that no address or scrape makes: one mistake (make the
 * connection, or remove both rules), said once naming both policies. Undefined when a side's pods
 * are not all known (an ipBlock, a namespace beyond the stack) or none run (absentPods' case).
 */
function unusedEdgeCause(
  serving: PodTemplate[],
  dialing: (PodGroup | undefined)[],
  ports: any[],
): string | undefined {
  if (
    serving.length === 0 ||
    dialing.length === 0 ||
    dialing.some((g) => g === undefined || g.pods.length === 0)
  )
    return undefined;
  const ids = (pods: PodTemplate[]) =>
    [
      ...new Set(
        pods.map((t) => `${t.owner.obj.kind} ${t.owner.obj.metadata.namespace}/${t.owner.obj.metadata.name}`),
      ),
    ].sort();
  const portIds = [
    ...new Set(ports.map((x: any) => `${x.protocol ?? "TCP"}/${x.port}${x.endPort ? `-${x.endPort}` : ""}`)),
  ].sort();
  const edge = [ids(serving), ids(dialing.flatMap((g) => g!.pods)), portIds];
  return causeKey("unused-edge", JSON.stringify(edge));
}

/**
 * The Helm releases (URNs) a finding on a policy concerns, so that it is traced to their values
 * (synth/report.ts): the release that rendered the policy, and the releases that render the pods of
 * each group; for a group of no pod, the release its selector names by the label charts give their
 * pods (`app.kubernetes.io/instance`, else `release`: the release's name) that renders objects in
 * the group's namespace (the values that no longer render the pods still render the rest).
 */
function releasesConcerned(p: Placed, groups: (PodGroup | undefined)[], objects: Placed[]): string[] {
  const ofRelease = (x: { urn: string; source: string }) => (fromRelease(x) ? [x.urn] : []);
  const urns = ofRelease(p);
  for (const g of groups) {
    if (!g) continue;
    if (g.pods.length > 0) {
      urns.push(...g.pods.flatMap((t) => ofRelease(t.owner)));
      continue;
    }
    const labels = g.selector?.matchLabels ?? {};
    const name: unknown = labels["app.kubernetes.io/instance"] ?? labels.release;
    const rendered =
      typeof name === "string"
        ? objects.find((o) => o.source === `release ${name}` && o.obj.metadata.namespace === g.ns)
        : undefined;
    if (rendered) {
      urns.push(rendered.urn);
      continue;
    }
    // Else a label value naming the object its pods would be of (`alertmanager: kps-alertmanager`,
    // the Alertmanager an operator runs them for), as checks/objects.ts releaseNaming places a
    // missing name: the release whose naming gives it, when exactly one does.
    const naming = new Set(
      Object.values(labels).flatMap((v) =>
        typeof v === "string" ? [releaseNaming(objects, v, g.ns) ?? []].flat() : [],
      ),
    );
    if (naming.size === 1) urns.push(...naming);
  }
  return [...new Set(urns)];
}

/**
 * The ServiceAccount (`namespace/name`) a pod runs as, and whether the pod itself says it mounts
 * the token (undefined: its ServiceAccount decides). For an operator's pod, from its CR:
 * prometheus-operator runs it as spec.serviceAccountName ("default" without it) with the CR's
 * automountServiceAccountToken; the VictoriaMetrics operator as spec.serviceAccountName or the
 * `<kind>-<name>` account it makes.
 */
function accountOf(t: PodTemplate, objects: Placed[]): { account: string; token?: boolean } {
  const ns = t.owner.obj.metadata.namespace;
  if (t.owner.source.endsWith("by its operator")) {
    const cr = objects.find(
      (p) =>
        p.obj.metadata.namespace === ns &&
        p.urn === t.owner.urn &&
        operatorPodName(p.obj) === t.owner.obj.metadata.name,
    );
    const spec = cr?.obj.spec ?? {};
    const vm = !!cr?.obj.apiVersion.startsWith("operator.victoriametrics.com/");
    return {
      account: `${ns}/${spec.serviceAccountName ?? (vm ? t.owner.obj.metadata.name : "default")}`,
      // With disableAutomountServiceAccountToken the VM operator still mounts a token into the
      // containers that call the API (VictoriaMetrics/operator docs/security.md, as
      // builders/metrics/vmValues.ts reads it): the RBAC decides.
      token: vm ? true : spec.automountServiceAccountToken,
    };
  }
  return {
    account: `${ns}/${t.spec.serviceAccountName ?? t.spec.serviceAccount ?? "default"}`,
    token: t.spec.automountServiceAccountToken,
  };
}

/** Whether a pod runs Alertmanager: an operator's Alertmanager or VMAlertmanager, or the image. */
const runsAlertmanager = (t: PodTemplate) =>
  (t.owner.source.endsWith("by its operator") && /^(vm)?alertmanager-/.test(t.owner.obj.metadata.name)) ||
  containersOf(t.spec).some((c: any) => typeof c.image === "string" && /\/alertmanager[:@]/.test(c.image));

/**
 * Each egress rule by its kind: edges and an in-cluster object store must carry a connection judged
 * above; DNS is CoreDNS on 53 UDP and TCP and nothing more; the API server only for pods that hold
 * RBAC (and every such pod reaches it); receivers only for Alertmanager; node scrapes only for
 * scrapers. In a namespace whose policies carry egress, every guarded pod has some.
 */
function checkEgressRules(
  objects: Placed[],
  {
    policies,
    pods,
    stackNs,
    judged,
    usedEgress: used,
    egressFail: fail,
    report,
    nsLabels,
    unmade,
    labelKeys,
  }: NetworkJudge,
  scrapers: { tpl: PodTemplate }[],
): void {
  const bound = boundAccounts(objects);
  // Whether the pod mounts its token: the pod's own field, else its ServiceAccount's ("Pod-level
  // automount setting takes precedence", ServiceAccount.automountServiceAccountToken,
  // kubernetes-models 4.5.1 v1/ServiceAccount.d.ts), else true.
  const token = (t: PodTemplate) => {
    const own = accountOf(t, objects);
    if (own.token !== undefined) return own.token;
    const [ns, name] = own.account.split("/");
    const sa = objects.find(
      (p) =>
        p.obj.kind === "ServiceAccount" && p.obj.metadata.namespace === ns && p.obj.metadata.name === name,
    );
    return sa?.obj.automountServiceAccountToken !== false;
  };
  const egressPolicies = policies.filter((p) => judged(p.obj.metadata.namespace) && hasEgress(p.obj));
  const selected = (p: Placed) =>
    pods.filter(
      (t) =>
        t.owner.obj.metadata.namespace === p.obj.metadata.namespace &&
        t.spec.hostNetwork !== true &&
        selectsAll(p.obj.spec?.podSelector, t.labels),
    );
  for (const p of egressPolicies) {
    const enforced = egressEnforced(p.obj);
    if (!enforced) report.egressNotEnforced++;
    const kinds = egressKinds(p.obj);
    const mode = p.obj.metadata.annotations?.[EGRESS_MODE_ANNOTATION];
    if (mode !== undefined && (mode === "enforced") !== enforced)
      fail(
        describe(p),
        `says egress is "${mode}" but its policyTypes are ${JSON.stringify(p.obj.spec?.policyTypes)}`,
      );
    const mine = selected(p);
    (p.obj.spec?.egress ?? []).forEach((r: any, i: number) =>
      egressRuleFindings(
        { objects, used, scrapers, fail, bound, token, pods, stackNs, nsLabels, unmade, labelKeys },
        p,
        r,
        i,
        kinds[i],
        mine,
      ),
    );
  }
  checkApiCallersAdmitted(objects, pods, egressPolicies, judged, bound, token, fail);
  checkEgressHeld(pods, policies, egressPolicies, fail);
}

/** What judging one egress rule reads. */
interface EgressRuleJudge {
  objects: Placed[];
  /** Egress rules some judged connection used. */
  used: Set<string>;
  scrapers: { tpl: PodTemplate }[];
  /**
   * Reports a finding; `cause` (contract/mistakes.ts causeKey) when other findings share its
   * mistake, `releases` whose pods it concerns (checks/objects.ts Finding).
   */
  fail: Fail;
  /** Accounts the stack's RBAC binds, with what each may do. */
  bound: Map<string, string>;
  /** Whether a pod mounts its ServiceAccount token. */
  token: (t: PodTemplate) => boolean;
  /** The stack's pods, its namespaces and a namespace's labels: whom a rule's peers select. */
  pods: PodTemplate[];
  stackNs: Set<string>;
  nsLabels: (ns: string) => Record<string, string>;
  /** Why pods a selector picks run not, when no operator reconciles their resource. */
  unmade: Unmade;
  /** The label keys the stack's selectors read ({@link labelKeysRead}). */
  labelKeys: LabelKeys;
}

/** The stack's pods an egress rule's pod peers select (ipBlocks select none), from namespace `ns`. */
function peerPods(to: any[], ns: string, { pods, nsLabels }: EgressRuleJudge): PodTemplate[] {
  return pods.filter((t) =>
    to.some((peer) => {
      if (peer.ipBlock) return false;
      const tns = t.owner.obj.metadata.namespace!;
      const nsOk = peer.namespaceSelector ? selectsAll(peer.namespaceSelector, nsLabels(tns)) : tns === ns;
      return nsOk && (!peer.podSelector || selectsAll(peer.podSelector, t.labels));
    }),
  );
}

/** An egress rule admitting the API server to pods none of which holds RBAC of the stack or mounts its token. */
function apiRuleFinding(judge: EgressRuleJudge, p: Placed, rule: string, mine: PodTemplate[]): void {
  const { objects, fail, bound, token } = judge;
  const without = mine.filter((t) => !token(t) || !bound.has(accountOf(t, objects).account));
  if (mine.length === 0 || without.length < mine.length) return;
  // Whose pods they are: what follows from their values (a rename leaving the stack's bindings
  // on the old ServiceAccount) is their release's override (synth/report.ts). When each mounts
  // its token, the verdict is their accounts' missing bindings alone.
  fail(
    describe(p),
    `${rule} admits the Kubernetes API to ${without.map((t) => describe(t.owner)).join(", ")}, which hold no RBAC of the stack (or mount no token)`,
    undefined,
    releaseUrns([p, ...without.map((t) => t.owner)]),
    without.every(token)
      ? { ungranted: [...new Set(without.map((t) => accountOf(t, objects).account))] }
      : undefined,
  );
}

/** One egress rule of a policy, judged by its kind (edge, object store, DNS, API server, receivers, node scrape). */
function egressRuleFindings(
  judge: EgressRuleJudge,
  p: Placed,
  r: any,
  i: number,
  kind: string,
  mine: PodTemplate[],
): void {
  const { objects, used, scrapers, fail } = judge;
  const id = `${p.obj.metadata.namespace}/${p.obj.metadata.name}#egress${i}`;
  const rule = `egress rule ${i} (${kind})`;
  const to: any[] = r.to ?? [];
  const blocks = to.filter((x) => x.ipBlock);
  if (to.length === 0) fail(describe(p), `${rule} admits every destination`);
  // An unused rule: whose pods it concerns, whether they run in the host's network (first) or not at all.
  const unused = () => {
    const own = policyGroup(p, judge.pods);
    const peers = to.map((peer) => peerGroup(peer, own.ns, judge));
    const host = hostNetworkCauseOf(own.pods);
    const absent = host ? undefined : absentPods(own, peers, judge.unmade);
    const why = host ? hostNetworkWhy(own.pods) : (absent?.why ?? "");
    return { host, absent, why, releases: releasesConcerned(p, [own, ...peers], objects) };
  };
  switch (kind) {
    case "edge":
      if (r.ports && !used.has(id)) {
        const { host, absent, why, releases } = unused();
        const dest = peerPods(to, p.obj.metadata.namespace!, judge);
        const cause = host ?? absent?.cause ?? hostNetworkCauseOf(dest);
        const nothing =
          cause === undefined
            ? admitsNothing(p, "egress", i, r.ports, dest, peerSelections(to, p.obj.metadata.namespace))
            : undefined;
        fail(
          describe(p),
          `${rule} (${JSON.stringify(r.ports.map((x: any) => x.port))} to ${to.length} peer(s)) admits what no address or scrape of the stack uses${why}`,
          cause ?? nothing?.cause ?? unusedEdgeCause(dest, [policyGroup(p, judge.pods)], r.ports),
          releases,
          (host && HOST_JUDGED) ||
            nothing?.on || {
              connects: {
                serves: peerSelections(to, p.obj.metadata.namespace),
                dials: [selectionOf(p.obj.metadata.namespace, p.obj.spec?.podSelector)],
                ...judge.labelKeys,
              },
            },
        );
      }
      if (blocks.length) fail(describe(p), `${rule} admits addresses (ipBlock): an edge goes to pods`);
      break;
    case "object-store":
      if (blocks.length === 0 && !used.has(id)) {
        const { host, absent, why, releases } = unused();
        // Rules that admit the same object store no config dials: one mistake (the configs dial
        // another address, or the rules name the wrong store), said once; unless the pods that
        // would dial it are absent or in the host's network, which is the mistake then.
        fail(
          describe(p),
          `${rule} admits an object store no config of its pods dials${why}`,
          host ?? absent?.cause ?? causeKey("egress-object-store-undialed", JSON.stringify(to)),
          releases,
          // What the configs dial, or which pods render: no pod's size or place decides it.
          { wiring: true },
        );
      }
      break;
    case "dns": {
      const ok =
        to.length === 1 &&
        to[0].namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"] === CLUSTER_DNS.namespace &&
        JSON.stringify(to[0].podSelector?.matchLabels) === JSON.stringify(CLUSTER_DNS.pods) &&
        JSON.stringify((r.ports ?? []).map((x: any) => `${x.protocol ?? "TCP"}/${x.port}`).sort()) ===
          JSON.stringify([`TCP/${CLUSTER_DNS.port}`, `UDP/${CLUSTER_DNS.port}`]);
      if (!ok)
        fail(
          describe(p),
          `${rule} admits more or other than CoreDNS (kube-system, k8s-app: kube-dns) on 53 UDP and TCP`,
        );
      break;
    }
    case "api":
      if (blocks.length !== to.length) fail(describe(p), `${rule} admits pods: the API server is an address`);
      apiRuleFinding(judge, p, rule, mine);
      break;
    case "receivers": {
      const others = mine.filter((t) => !runsAlertmanager(t));
      if (others.length)
        fail(
          describe(p),
          `${rule} admits Alertmanager's receivers to ${others.map((t) => describe(t.owner)).join(", ")}`,
        );
      break;
    }
    case "node-scrape": {
      const others = mine.filter((t) => !scrapers.some((s) => s.tpl === t));
      // Whether pods scrape is their config's doing: the finding names their releases (and the
      // policy's), so that synth/report.ts traces it to an override of their values.
      if (mine.length > 0 && others.length === mine.length)
        fail(
          describe(p),
          `${rule} admits the nodes' scrape ports to ${others.map((t) => describe(t.owner)).join(", ")}, which scrape nothing`,
          undefined,
          releaseUrns([p, ...others.map((t) => t.owner)]),
          { wiring: true },
        );
      break;
    }
  }
}

/** Every pod that holds RBAC and mounts its token calls the API server: its egress must admit it. */
function checkApiCallersAdmitted(
  objects: Placed[],
  pods: PodTemplate[],
  egressPolicies: Placed[],
  judged: (ns: string | undefined) => boolean,
  bound: Map<string, string>,
  token: (t: PodTemplate) => boolean,
  fail: (where: string, message: string) => void,
): void {
  for (const t of pods) {
    const ns = t.owner.obj.metadata.namespace;
    if (!judged(ns) || t.spec.hostNetwork === true || !token(t)) continue;
    const grant = bound.get(accountOf(t, objects).account);
    if (!grant) continue;
    const mine = egressPolicies.filter(
      (p) => p.obj.metadata.namespace === ns && selectsAll(p.obj.spec?.podSelector, t.labels),
    );
    if (mine.length === 0) continue;
    const api = mine.some((p) => egressKinds(p.obj).includes("api"));
    if (!api)
      fail(
        describe(t.owner),
        `calls the Kubernetes API (ServiceAccount ${accountOf(t, objects).account}: ${grant}) but no egress rule of ${ns}/${mine.map((p) => p.obj.metadata.name).join(", ")} admits the API server`,
      );
  }
}

/** Where policies carry egress, every pod an ingress policy guards is held to egress rules too. */
function checkEgressHeld(
  pods: PodTemplate[],
  policies: Placed[],
  egressPolicies: Placed[],
  fail: (where: string, message: string) => void,
): void {
  const egressNs = new Set(egressPolicies.map((p) => p.obj.metadata.namespace));
  for (const t of pods) {
    const ns = t.owner.obj.metadata.namespace;
    if (!egressNs.has(ns) || t.spec.hostNetwork === true) continue;
    const inNs = policies.filter((p) => p.obj.metadata.namespace === ns);
    const guarded = inNs.some(
      (p) =>
        ingressTyped(p.obj) &&
        !emptySelector(p.obj.spec?.podSelector) &&
        selectsAll(p.obj.spec?.podSelector, t.labels),
    );
    const held = inNs.some((p) => hasEgress(p.obj) && selectsAll(p.obj.spec?.podSelector, t.labels));
    if (guarded && !held)
      fail(
        describe(t.owner),
        `its pods are guarded on ingress but no policy of ${ns} carries egress rules for them`,
      );
  }
}
