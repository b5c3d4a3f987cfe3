/**
 * Every port the stack names must exist where Kubernetes (or the operator) looks it up, on the pods
 * it is meant for, operator-made pods included (objects.ts operatorObjects). A named port nothing
 * declares matches nothing, silently: a NetworkPolicy rule admits no traffic, a Service has no
 * endpoint, a probe fails, a monitor yields no target. This check shares no assumption with the
 * objects that name the ports; it looks the names up in the pods' own container ports.
 *
 * Lookups, as the APIs document them:
 * - NetworkPolicyPort `port` (string): "a named port on a pod", matched against the selected pods'
 *   container ports (networking.k8s.io/v1 NetworkPolicyPort). Judged: at least one pod the policy
 *   selects declares it (a policy over pods of several kinds may name a port only some declare).
 *   In an egress rule the name is the destination's: judged against the pods its `to` peers select
 *   (a peer's namespace by its `kubernetes.io/metadata.name`), at least one of which declares it.
 * - ServicePort `targetPort` (string): "the name of the port on the backend Pods" (core/v1
 *   ServicePort); a pod without it is not an endpoint for that port. Judged: every selected pod,
 *   one finding naming every pod that lacks it (one selector, or one name, is one mistake).
 * - Probe `httpGet.port` / `tcpSocket.port` / `grpc.port` (string): "Name must be an IANA_SVC_NAME",
 *   resolved against the probed container's own ports (core/v1 HTTPGetAction). Judged: that container.
 * - ServiceMonitor / VMServiceScrape endpoint `port`: the name of a port of a selected Service;
 *   `targetPort` a container port of their pods (judged: at least one has it, the Services a monitor
 *   selects may differ). PodMonitor / VMPodScrape `port`: a container port of
 *   the selected pods. Judged: every selected pod, in one finding naming those that lack it (CRDs
 *   in prometheus-operator-crds and the VictoriaMetrics operator chart describe these fields).
 */
import { causeKey, MISTAKES } from "@homelab-observability/contract";
import {
  containersOf,
  describe,
  podTemplates,
  releaseUrns,
  selectionOf,
  selects,
  type Finding,
  type Placed,
  type PodTemplate,
  type Selection,
} from "./objects";

export interface NamedPortsReport {
  findings: Finding[];
  /**
   * What is found only once the pods of `unmade` ({@link checkNamedPorts}) run: a judgement that
   * passes, or judges nothing, on the pods that do run (checks/index.ts latentFindings says these
   * in the message of the cause that keeps them from running).
   */
  latent: Finding[];
  /** Named-port references looked up (and found) on the pods that run. */
  resolved: number;
}

export const declares = (spec: Record<string, any>, name: string) =>
  containersOf(spec).some((c) => (c.ports ?? []).some((p: any) => p.name === name));

/**
 * The cause of a NetworkPolicy rule's named port none of the pods it concerns declares
 * (MISTAKES.undeclaredPort): the rule admits nothing, and checks/networkPolicies.ts gives the rule
 * nothing uses the same key.
 */
export function undeclaredPortCause(
  policy: Placed,
  direction: "ingress" | "egress",
  rule: number,
  port: string,
): string {
  const { namespace, name } = policy.obj.metadata;
  return causeKey(MISTAKES.undeclaredPort, `${namespace}/${name} ${direction} rule ${rule} port ${port}`);
}

const nsOf = (p: Placed) => p.obj.metadata.namespace;

/** The namespaces a monitor looks in: `namespaceSelector.any`, `matchNames`, else its own. */
function monitorSeesNs(m: Placed, ns: string | undefined): boolean {
  const sel = m.obj.spec?.namespaceSelector;
  if (sel?.any) return true;
  if (sel?.matchNames?.length) return sel.matchNames.includes(ns);
  return ns === nsOf(m);
}

/**
 * The containers of `pods`, each as `<workload>/<name>` (synth/containerKeys.ts): a finding on a
 * NetworkPolicy or a monitor judges the ports of pods of several workloads.
 */
export const containersOfPods = (pods: PodTemplate[]): string[] => [
  ...new Set(pods.flatMap((t) => containersOf(t.spec).map((c) => `${t.owner.obj.metadata.name}/${c.name}`))),
];

/**
 * What a finding on a port name no pod declares rests on: the ports of `pods`' containers (their
 * names: a values key setting them, not a word of the message, is its cause, synth/report.ts), and
 * the fields of the referring object named in `also` (a Service's `targetPort`).
 */
export const onPorts = (pods: PodTemplate[], ...also: string[]): Pick<Finding, "judged" | "containers"> => ({
  judged: [...also, "ports"],
  containers: containersOfPods(pods),
});

/** What a finding judges: the fields, their containers, whether none of a selection has them (Finding). */
export type Judged = Pick<
  Finding,
  "judged" | "containers" | "noneOf" | "selectedBy" | "connects" | "wiring" | "ungranted" | "lacking"
>;

/**
 * What a finding that none of `pods` (those the selections pick) declares a port rests on: as
 * {@link onPorts}, and `noneOf`: a pod the chart no longer renders is missing from them, so the
 * switch that turned off a component they pick is a cause of it too (synth/report.ts).
 */
export const onPortsOfAny = (pods: PodTemplate[], picked: Selection[], ...also: string[]): Judged => ({
  ...onPorts(pods, ...also),
  noneOf: picked,
});

/** The selections of an egress rule's peers `to` of a policy in `ns` (those selecting pods). */
export const peerSelections = (to: any[], ns: string | undefined): Selection[] =>
  to
    .filter((peer) => peer.podSelector)
    .map((peer) =>
      selectionOf(
        peer.namespaceSelector ? peer.namespaceSelector.matchLabels?.["kubernetes.io/metadata.name"] : ns,
        peer.podSelector,
      ),
    );

/** Pods of a namespace that a selector (`{k: v}` or a LabelSelector) picks. */
function podsSelected(pods: PodTemplate[], ns: string | undefined, selector: any): PodTemplate[] {
  return pods.filter((t) => nsOf(t.owner) === ns && selects(selector, t.labels));
}

/** A LabelSelector where `{}` selects every pod (a NetworkPolicy's podSelector). */
function podsOfPolicy(pods: PodTemplate[], ns: string | undefined, selector: any): PodTemplate[] {
  const empty =
    !selector ||
    (Object.keys(selector.matchLabels ?? {}).length === 0 && !(selector.matchExpressions ?? []).length);
  return empty ? pods.filter((t) => nsOf(t.owner) === ns) : podsSelected(pods, ns, selector);
}

/** What every named-port judgement reads and where it reports. */
interface PortJudge {
  /** Every pod template, those of `unmade` ({@link checkNamedPorts}) included. */
  pods: PodTemplate[];
  /** Services with a selector. */
  services: Placed[];
  report: NamedPortsReport;
  /** Whether an object is of those no operator makes yet (`unmade`). */
  unmade: (p: Placed) => boolean;
  /**
   * Reports a finding; `cause` and `releases` as checks/objects.ts Finding says, `on` the fields
   * (and containers) its verdict rests on when the check knows them; `later`: it holds only once
   * the pods no operator makes yet run (report.latent).
   */
  fail: (
    where: Placed,
    message: string,
    cause?: string,
    releases?: string[],
    on?: Judged,
    later?: boolean,
  ) => void;
  podList: (ts: PodTemplate[]) => string;
}

/**
 * `objects` and `generated` (what the operators make of them, objects.ts operatorObjects) judged;
 * `unmade`, those of `generated` no operator of the stack makes (unreconciledResources.ts
 * splitMade): what is found only with them is `latent`, and a judgement over pods of both that
 * fails on both is one finding, naming every pod it judged (a NetworkPolicy rule's port none of
 * the pods it selects declares, those running and those that would: one mistake, one message).
 */
export function checkNamedPorts(
  objects: Placed[],
  generated: Placed[] = [],
  unmade: Placed[] = [],
): NamedPortsReport {
  const all = [...objects, ...generated];
  const report: NamedPortsReport = { findings: [], latent: [], resolved: 0 };
  const waiting = new Set(unmade);
  const j: PortJudge = {
    pods: podTemplates(all.filter((p) => !p.hook)),
    services: all.filter((p) => p.obj.kind === "Service" && p.obj.spec?.selector),
    report,
    unmade: (p) => waiting.has(p),
    fail: (where, message, cause, releases, on, later) =>
      (later ? report.latent : report.findings).push({
        check: "named-port",
        where: describe(where),
        message,
        ...(cause ? { cause } : {}),
        ...(releases?.length ? { releases } : {}),
        ...on,
      }),
    podList: (ts) => ts.map((t) => describe(t.owner)).join(", "),
  };
  for (const p of all) {
    const { kind, apiVersion } = p.obj;
    if (kind === "NetworkPolicy" && apiVersion === "networking.k8s.io/v1") policyPorts(j, p);
    if (kind === "Service" && apiVersion === "v1" && p.obj.spec?.selector) servicePorts(j, p);
    if (kind === "ServiceMonitor" || kind === "VMServiceScrape") serviceMonitorPorts(j, p);
    if (kind === "PodMonitor" || kind === "VMPodScrape") podMonitorPorts(j, p);
  }
  probePorts(j);
  return report;
}

/** What a judgement that one of several objects has a port finds failing, and on which of them. */
interface NoneHas<T> {
  /** Those that run, none of which has it. */
  running: T[];
  /** Those no operator makes yet that lack it too: said with them, in one message. */
  lacking: T[];
  /** It holds only once what no operator makes yet runs (report.latent). */
  later: boolean;
}

/**
 * The judgement that at least one of `ts` (pods, or Services) has a port, `subject` naming it,
 * where some of them no operator makes yet. One that runs having it resolves it. Else it fails
 * now when some run (the rule admits nothing today, whatever the others will declare), naming
 * those that run and those that would that lack it too: one mistake, one message; or, when none
 * runs (or `subject` itself is not made yet), only once they run (`later`), when none of them has
 * it. Undefined when it does not fail.
 */
function noneHas<T>(
  j: PortJudge,
  subject: Placed,
  ts: T[],
  owner: (t: T) => Placed,
  has: (t: T) => boolean,
): NoneHas<T> | undefined {
  const running = ts.filter((t) => !j.unmade(owner(t)));
  const waiting = ts.filter((t) => j.unmade(owner(t)));
  if (j.unmade(subject)) return ts.some(has) ? undefined : { running: [], lacking: ts, later: true };
  if (running.some(has)) {
    j.report.resolved++;
    return undefined;
  }
  const lacking = waiting.some(has) ? [] : waiting;
  if (running.length === 0) return lacking.length ? { running, lacking, later: true } : undefined;
  return { running, lacking, later: false };
}

/**
 * What a {@link noneHas} finding rests on: those that run, when some do (the verdict is today's:
 * the values of those no operator makes yet, or the key that stops their operator, are no cause
 * of it); else those that would.
 */
const restsOn = <T>(v: NoneHas<T>): T[] => (v.running.length ? v.running : v.lacking);

/** Those a {@link noneHas} finding names: those that run, then those no operator makes yet. */
function noneHasList<T>(v: NoneHas<T>, list: (ts: T[]) => string): string {
  if (v.running.length === 0) return list(v.lacking);
  if (v.lacking.length === 0) return list(v.running);
  return `${list(v.running)}, and those no operator of the stack makes yet: ${list(v.lacking)}`;
}

/** A NetworkPolicy's named ports: each ingress port on the pods it selects, each egress port on the pods it leads to. */
function policyPorts(j: PortJudge, p: Placed): void {
  const { pods, fail, podList } = j;
  const spec = p.obj.spec ?? {};
  const selected = podsOfPolicy(pods, nsOf(p), spec.podSelector);
  if (selected.length === 0) return;
  const owner = (t: PodTemplate) => t.owner;
  (spec.ingress ?? []).forEach((rule: any, i: number) => {
    for (const port of rule.ports ?? []) {
      if (typeof port.port !== "string") continue;
      const v = noneHas(j, p, selected, owner, (t) => declares(t.spec, port.port));
      if (!v) continue;
      const judged = restsOn(v);
      fail(
        p,
        `ingress rule ${i} admits port "${port.port}", which none of the pods it selects declares (${noneHasList(v, podList)}): the rule admits nothing`,
        undeclaredPortCause(p, "ingress", i, port.port),
        // The pods' values decide which ports they declare (synth/report.ts).
        releaseUrns([p, ...judged.map(owner)]),
        onPortsOfAny(judged, [selectionOf(nsOf(p), spec.podSelector)]),
        v.later,
      );
    }
  });
  (spec.egress ?? []).forEach((rule: any, i: number) => {
    const dest = (rule.to ?? []).flatMap((peer: any) =>
      peer.podSelector
        ? podsOfPolicy(
            pods,
            peer.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"] ?? nsOf(p),
            peer.podSelector,
          )
        : [],
    );
    if (dest.length === 0) return;
    for (const port of rule.ports ?? []) {
      if (typeof port.port !== "string") continue;
      const v = noneHas(j, p, dest, owner, (t: PodTemplate) => declares(t.spec, port.port));
      if (!v) continue;
      const judged = restsOn(v);
      fail(
        p,
        `egress rule ${i} admits port "${port.port}", which none of the pods it leads to declares (${noneHasList(v, podList)}): the rule admits nothing`,
        undeclaredPortCause(p, "egress", i, port.port),
        releaseUrns([p, ...judged.map(owner)]),
        onPortsOfAny(judged, peerSelections(rule.to ?? [], nsOf(p))),
        v.later,
      );
    }
  });
}

/**
 * The judgement that every one of `ts` (the pods a Service or a pod monitor selects) declares a
 * port, `subject` naming it: each pod that lacks it is silently left out (no endpoint, no target),
 * so one selector or one port name missing on several pods is one mistake, said once, naming every
 * pod that lacks it: those that run (the finding is today's), then those no operator makes yet;
 * when only those lack it (or `subject` itself is not made yet), it holds once they run (`later`).
 * Undefined when every pod declares it.
 */
function everyHas(
  j: PortJudge,
  subject: Placed,
  ts: PodTemplate[],
  has: (t: PodTemplate) => boolean,
): NoneHas<PodTemplate> | undefined {
  const waits = (t: PodTemplate) => j.unmade(subject) || j.unmade(t.owner);
  const lacking: PodTemplate[] = [];
  for (const t of ts) {
    if (!has(t)) lacking.push(t);
    // Each running pod that declares it is one reference resolved (checks/index.ts namedPortsResolved).
    else if (!waits(t)) j.report.resolved++;
  }
  if (lacking.length === 0) return undefined;
  const running = lacking.filter((t) => !waits(t));
  return { running, lacking: lacking.filter(waits), later: running.length === 0 };
}

/**
 * The one finding on `subject` of an {@link everyHas} judgement: `say` writes its message from the
 * one pod that lacks the port, when one does, else from the list of those that do; its releases
 * and the fields it rests on (`field` on the pods' side) are those of the pods it names first, and
 * `picked` the selection that made them judged (a label on them is why: Finding `selectedBy`).
 */
function failLacking(
  j: PortJudge,
  subject: Placed,
  v: NoneHas<PodTemplate>,
  field: string,
  picked: Selection,
  say: (one: PodTemplate | undefined, list: string) => string,
): void {
  const judged = restsOn(v);
  const one = v.running.length + v.lacking.length === 1 ? [...v.running, ...v.lacking][0] : undefined;
  j.fail(
    subject,
    say(one, noneHasList(v, j.podList)),
    undefined,
    releaseUrns([subject, ...judged.map((t) => t.owner)]),
    { ...onPorts(judged, field), selectedBy: [picked] },
    v.later,
  );
}

/**
 * A Service's named targetPorts on the pods behind it. Kubernetes resolves a named targetPort pod
 * by pod and leaves the port out of the endpoints of a pod it finds none on (kubernetes/kubernetes
 * at 115584ee, staging/src/k8s.io/endpointslice/utils.go:76-93 getEndpointPorts: FindPort's error
 * is logged at V(4) and skipped), so every pod the selector picks is judged: one it picks that
 * lacks the name takes no traffic on that port, with nothing said. Unlike a ServiceMonitor's
 * `port` (judged: at least one Service has it), the selector names the pods the Service is for; a
 * monitor's selector picks Services of several ports by design (the stack's own mimir
 * ServiceMonitor selects mimir and mimir-gossip, which has no `http`).
 */
function servicePorts(j: PortJudge, p: Placed): void {
  const spec = p.obj.spec;
  const backing = podsSelected(j.pods, nsOf(p), spec.selector);
  for (const sp of spec.ports ?? []) {
    if (typeof sp.targetPort !== "string") continue;
    const v = everyHas(j, p, backing, (t) => declares(t.spec, sp.targetPort));
    if (v)
      failLacking(j, p, v, "targetPort", selectionOf(nsOf(p), spec.selector), (one, list) =>
        one
          ? `port ${sp.name ?? sp.port} targets "${sp.targetPort}", which ${describe(one.owner)} does not declare: that pod is no endpoint of it`
          : `port ${sp.name ?? sp.port} targets "${sp.targetPort}", which these pods it selects do not declare (${list}): none of them is an endpoint of it`,
      );
  }
}

/** A ServiceMonitor's (or VMServiceScrape's) endpoint ports on the Services it selects and their pods. */
function serviceMonitorPorts(j: PortJudge, p: Placed): void {
  const { pods, services, fail, podList } = j;
  const spec = p.obj.spec ?? {};
  const selected = services.filter(
    (s) => monitorSeesNs(p, nsOf(s)) && selects(spec.selector, s.obj.metadata.labels ?? {}),
  );
  const portsOf = (s: Placed) => (s.obj.spec?.ports ?? []).map((x: any) => x.name ?? x.port);
  const serviceList = (ss: Placed[]) =>
    ss.map((s) => `${describe(s)} has ${JSON.stringify(portsOf(s))}`).join("; ");
  // Prometheus-operator keeps, per endpoint, the selected Services' ports of that name (a monitor
  // over several Services finds the port on some of them): an endpoint none of them has is dead.
  for (const ep of spec.endpoints ?? []) {
    if (selected.length === 0) continue;
    if (typeof ep.port === "string") {
      const v = noneHas(
        j,
        p,
        selected,
        (s) => s,
        (s) => portsOf(s).includes(ep.port),
      );
      if (v)
        fail(
          p,
          `endpoint port "${ep.port}" is no port of the Services it selects (${noneHasList(v, serviceList)}): no target`,
          undefined,
          // The Services' values decide which ports they have (synth/report.ts).
          releaseUrns([p, ...restsOn(v)]),
          // The monitor's endpoint and the Services' port names: no container's. None of the
          // Services has it: one the chart no longer renders may have had it.
          { judged: ["endpoints.port", "service.ports"], noneOf: [selectionOf(undefined, spec.selector)] },
          v.later,
        );
    }
    if (typeof ep.targetPort === "string") {
      const behind = selected.flatMap((s) => podsSelected(pods, nsOf(s), s.obj.spec.selector));
      const v = noneHas(
        j,
        p,
        behind,
        (t) => t.owner,
        (t) => declares(t.spec, ep.targetPort),
      );
      if (!v) continue;
      const judged = restsOn(v);
      fail(
        p,
        `endpoint targetPort "${ep.targetPort}" is no port of the pods behind the Services it selects (${noneHasList(v, podList)}): no target`,
        undefined,
        releaseUrns([p, ...judged.map((t) => t.owner)]),
        onPortsOfAny(judged, [selectionOf(undefined, spec.selector)], "endpoints.targetPort"),
        v.later,
      );
    }
  }
}

/**
 * A PodMonitor's (or VMPodScrape's) endpoint ports on the pods it selects. prometheus-operator
 * keeps, per endpoint, the targets whose container port has the name (v0.93.0
 * pkg/prometheus/promcfg.go:1569-1575 generatePodMonitorConfig: a `keep` on
 * `__meta_kubernetes_pod_container_port_name`), pod by pod: a selected pod without it is dropped,
 * with nothing said. Judged, as a Service's targetPort is, on every pod the selector picks.
 */
function podMonitorPorts(j: PortJudge, p: Placed): void {
  const spec = p.obj.spec ?? {};
  const selected = j.pods.filter((t) => monitorSeesNs(p, nsOf(t.owner)) && selects(spec.selector, t.labels));
  for (const ep of spec.podMetricsEndpoints ?? []) {
    if (typeof ep.port !== "string") continue;
    const v = everyHas(j, p, selected, (t) => declares(t.spec, ep.port));
    if (v)
      // The namespaces it looks in are told apart by monitorSeesNs, not by the selection.
      failLacking(j, p, v, "podMetricsEndpoints.port", selectionOf(undefined, spec.selector), (one, list) =>
        one
          ? `podMetricsEndpoint port "${ep.port}" is no container port of ${describe(one.owner)}: no target`
          : `podMetricsEndpoint port "${ep.port}" is no container port of these pods it selects (${list}): no target of them`,
      );
  }
}

/** Probes resolve a named port in the probed container's own ports. */
function probePorts({ pods, report, fail, unmade }: PortJudge): void {
  for (const t of pods) {
    for (const c of containersOf(t.spec)) {
      for (const probe of ["livenessProbe", "readinessProbe", "startupProbe"]) {
        const pr = c[probe];
        if (!pr) continue;
        const port = pr.httpGet?.port ?? pr.tcpSocket?.port ?? pr.grpc?.port;
        if (typeof port !== "string") continue;
        if ((c.ports ?? []).some((x: any) => x.name === port)) report.resolved += unmade(t.owner) ? 0 : 1;
        else
          fail(
            t.owner,
            `container ${c.name}'s ${probe} names port "${port}", which the container does not declare (it has ${JSON.stringify((c.ports ?? []).map((x: any) => x.name ?? x.containerPort))})`,
            undefined,
            undefined,
            // The probe and the container's own ports decide: an override setting neither (a pod
            // annotation whose value is a word of the message, another container's probe) is no cause.
            { judged: [probe, "ports"], containers: [c.name] },
            unmade(t.owner),
          );
      }
    }
  }
}
