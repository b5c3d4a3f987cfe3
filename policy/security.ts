import type { StackValidationPolicy } from "@pulumi/policy";
import {
  asksForHost,
  holdsHostPath,
  isParked,
  isStackInfoLabels,
  networkPoliciesDeferred,
  originOf,
  podSecurityDeferred,
  podSecurityLabel,
  privilegedNamespaceCause,
  refusedAgentsCause,
} from "@homelab-observability/contract";
import { reportCause, reportJudged } from "./lib/report";
import { configOf, schemaFor, type Level } from "./lib/config";
import { helmChartOf, helmOf, label, propAt, type Res, templateTrue, toRes } from "./lib/resources";

export interface PodSecurityConfig {
  /**
   * Charts whose pods may need the host (host paths, host network): node-exporter always, Alloy
   * and Vector as their values make them ({@link needsHost}); any other chart named here always.
   */
  agentCharts: string[];
}
export const POD_SECURITY_DEFAULTS: PodSecurityConfig = {
  agentCharts: ["prometheus-node-exporter", "alloy", "vector"],
};

const NAMESPACE = "kubernetes:core/v1:Namespace";
const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
/** Where a NetworkPolicy says its namespace: the one field of it network-policies-present reads. */
const NAMESPACE_PATH = ["metadata", "namespace"] as const;
const WORKLOADS = new Set(["Deployment", "StatefulSet", "DaemonSet"].map((k) => `kubernetes:apps/v1:${k}`));

/**
 * What the alloy chart renders from `values` (pinned 1.5.0; 1.11.1 the same), one pod template
 * for every controller kind, templates/controllers/_pod.yaml: `hostNetwork` from
 * controller.hostNetwork (:46-48), `hostPID` from controller.hostPID (:49-51), hostPath /var/log
 * for alloy.mounts.varlog (:76-80), /var/lib/docker/containers for alloy.mounts.dockercontainers
 * (:81-85), controller.volumes.extra as written (:86-88). `mounts` is alloy's merged with agent's,
 * the chart's old name (:2, mustMergeOverwrite, which leaves a true where the other says false).
 * The chart's defaults are all off (values.yaml), so a DaemonSet alone mounts nothing of the host.
 */
function alloyHostAsks(values: any): string[] {
  const c = values?.controller;
  return [
    ...(templateTrue(c?.hostNetwork) ? ["controller.hostNetwork"] : []),
    ...(templateTrue(c?.hostPID) ? ["controller.hostPID"] : []),
    ...["alloy", "agent"].flatMap((holder) =>
      ["varlog", "dockercontainers"]
        .filter((m) => templateTrue(values?.[holder]?.mounts?.[m]))
        .map((m) => `${holder}.mounts.${m}`),
    ),
    ...(holdsHostPath(c?.volumes?.extra) ? ["controller.volumes.extra"] : []),
  ];
}

/**
 * What the vector chart renders from `values` (pinned 0.56.0), templates/_pod.tpl: `hostNetwork`
 * from podHostNetwork in any role (:6-8), extraVolumes as written (:219-221), and in the Agent
 * role (a DaemonSet, templates/daemonset.yaml:1) the data volume as a hostPath unless
 * persistence.hostPath.enabled is false (:207-214; default true, values.yaml:464) and
 * defaultVolumes as written (:215-217; default /var/log, /var/lib, /proc and /sys as hostPaths,
 * values.yaml:365-377, replaced whole by a list the values give).
 */
function vectorHostAsks(values: any): string[] {
  const asks = [
    ...(templateTrue(values?.podHostNetwork) ? ["podHostNetwork"] : []),
    ...(holdsHostPath(values?.extraVolumes) ? ["extraVolumes"] : []),
  ];
  if (asks.length > 0 || values?.role !== "Agent") return asks;
  const hostData = values?.persistence?.hostPath?.enabled;
  const defaults = values?.defaultVolumes;
  const hostPaths =
    hostData === undefined || templateTrue(hostData) || defaults === undefined || holdsHostPath(defaults);
  // The Agent role's own host paths: the chart's defaults, or values that keep them.
  return hostPaths ? [HOST_ASKS_OF_CHART] : [];
}

/**
 * What {@link hostAsks} gives for pods that need the host by their chart's templates or defaults,
 * not by a values key the stack sets (node-exporter; vector's Agent role).
 */
const HOST_ASKS_OF_CHART = "";

/**
 * Whether a release runs pods that need the host, judged from its values (what a live preview
 * sees) as its chart's templates render them: not from the controller kind or role, since an
 * Alloy DaemonSet without host mounts passes baseline. node-exporter always: its DaemonSet mounts
 * /proc and /sys as hostPaths whatever its values (prometheus-node-exporter 4.49.1
 * templates/daemonset.yaml:288-294).
 */
export function needsHost(chart: string, values: any, agentCharts: string[]): boolean {
  return hostAsks(chart, values, agentCharts).length > 0;
}

/**
 * The values paths by which a release's pods ask for the host ({@link needsHost}), `""` for what
 * its chart asks by itself (node-exporter's mounts, vector's Agent role): pod-security-levels
 * names them, so that the synthesis traces a refusal to the override setting one
 * (synth/report.ts valuesPathsIn), the same mistake as the Pod Security refusal of the rendered
 * pods (checks/podSecurity.ts).
 */
function hostAsks(chart: string, values: any, agentCharts: string[]): string[] {
  if (!agentCharts.includes(chart)) return [];
  // A parked DaemonSet runs on no node (the agents' hand-over).
  const selectorHolder = chart === "alloy" ? values?.controller : values;
  if (isParked(selectorHolder)) return [];
  if (chart === "alloy") return alloyHostAsks(values);
  if (chart === "vector") return vectorHostAsks(values);
  return [HOST_ASKS_OF_CHART];
}

/**
 * What to do when node agents share the namespace: the privileged level is theirs, so they are
 * what moves out, not the rest. The stack's own agents (releases of the agent charts) in the
 * stack's namespace (`stackNs`, the stack-info ConfigMap's) are there because `agents.step` is
 * "stay", the one step at which that namespace enforces privileged (plan/foundation.ts): they move
 * with agents.step. In another namespace the program creates (agents.namespace, at handover and
 * moved) they already run apart: nothing is to be set or moved, the rest is what goes. A DaemonSet
 * of a user's own (a chart's `extraObjects`) is no agent that key moves, so the way is not named
 * for it. The key is in backquotes: synth and policy:check follow it with its line in the stack
 * file (placeStackKeys).
 */
export function agentsBeside(
  agents: Res[],
  ns: { name: string; renderedByChart: boolean },
  stackNs: string | undefined,
): string {
  if (agents.length === 0) return "";
  const stacks = agents.some((a) => helmChartOf(a) !== undefined);
  if (stacks && stackNs !== undefined && ns.name !== stackNs && !ns.renderedByChart)
    return ` (${ns.name} is the node agents' own namespace, agents.namespace)`;
  const how =
    stacks && ns.name === stackNs
      ? " (the stack's agents.namespace: set `agents.step` to handover for one update, then to moved; docs/how-to/move-node-agents.md)"
      : "";
  return `, or move the node agents that need privileged (${agents.map(label).join(", ")}) to a namespace of their own${how}`;
}

/** The stack's namespace: the stack-info ConfigMap's (plan/foundation.ts), undefined without one. */
function stackNamespaceOf(resources: Res[]): string | undefined {
  const info = resources.find(
    (r) => r.type === "kubernetes:core/v1:ConfigMap" && isStackInfoLabels(r.props.metadata?.labels),
  );
  const ns = info?.props.metadata?.namespace;
  return typeof ns === "string" && ns !== "" ? ns : undefined;
}

/**
 * Namespaces the stack declares, with their labels and annotations, and whether a chart rendered
 * them (offline, a chart's rendered objects stand beside its release: their URN names the release)
 * rather than the program creating them.
 */
function namespacesOf(resources: Res[]) {
  return resources
    .filter((r) => r.type === NAMESPACE && typeof r.props.metadata?.name === "string")
    .map((r) => ({
      res: r,
      name: r.props.metadata.name as string,
      labels: (r.props.metadata.labels ?? {}) as Record<string, string>,
      annotations: (r.props.metadata.annotations ?? {}) as Record<string, string>,
      renderedByChart: originOf(r.urn, r.opts?.parent) !== r.urn,
    }));
}

/** The namespace a release or raw workload lands in (undefined: none given, the provider's). */
function namespaceOf(r: Res): string | undefined {
  const ns = helmChartOf(r)
    ? r.props.namespace
    : WORKLOADS.has(r.type)
      ? r.props.metadata?.namespace
      : undefined;
  return typeof ns === "string" && ns !== "" ? ns : undefined;
}

/**
 * Whether a raw workload's pods need the host, judged from its pod spec: a DaemonSet (node agents
 * are) with host paths, the host's network, PID or IPC namespace, and not parked.
 */
function rawNeedsHost(r: Res): boolean {
  if (r.type !== "kubernetes:apps/v1:DaemonSet") return false;
  const pod = r.props.spec?.template?.spec;
  return !!pod && !isParked(pod) && asksForHost(pod);
}

/**
 * The pod fields by which a pod asks for the host (contract asksForHost: a volume's `hostPath`, the
 * host's network, PID or IPC namespace): what the refusal of pods that ask none of it in a
 * privileged namespace rests on. A volume's `hostPath`, not `volumes`: an override adding an
 * emptyDir (vector's `extraVolumes`) writes the pods' volumes yet asks nothing of the host, and is
 * no cause of the refusal.
 */
const HOST_FIELDS = ["hostPath", "hostNetwork", "hostPID", "hostIPC"];

/**
 * The pod fields by which a raw workload that is no node agent ({@link rawNeedsHost}) asks for the
 * host, as rules judging them name them (contract/privileges.ts hostPathProblems: `volumes`,
 * `volumeMounts`); none for a release, or a pod asking nothing of the host.
 */
function podHostJudged(r: Res): string[] {
  if (!WORKLOADS.has(r.type) || rawNeedsHost(r)) return [];
  const pod = r.props.spec?.template?.spec;
  if (!pod || !asksForHost(pod)) return [];
  return [
    ...(holdsHostPath(pod.volumes) ? ["volumes", "volumeMounts"] : []),
    ...(["hostNetwork", "hostPID", "hostIPC"] as const).filter((k) => pod[k] === true),
  ];
}

/**
 * What the refusal of a workload that is no node agent, yet asks for the host, rests on: its `kind`
 * (as a DaemonSet it would be one), and its pods' host fields ({@link podHostJudged}) only when
 * they ask for the host by one of them. Asked by two (the program's hostPath /var/log beside an
 * override's `hostNetwork`), removing either leaves the other asking and the refusal standing: no
 * one of them is its cause, the kind is, and the synthesis traces that to the key choosing it
 * (synth/report.ts kindChosen: alloy's `controller.type`).
 */
function hostingJudged(r: Res): string[] {
  const fields = podHostJudged(r);
  const asks = fields.filter((f) => f !== "volumeMounts").length;
  return asks === 1 ? ["kind", ...fields] : ["kind"];
}

/**
 * What a raw workload's pod asks of the host, as its spec says it (`hostPath /var/log as volume
 * varlog`, `hostNetwork`): what a message on it names, from the rendered pod rather than the
 * policy's notion of a node agent (a DaemonSet), which a Deployment mounting /var/log is not.
 */
function podHostAsks(r: Res): string[] {
  const pod = r.props.spec?.template?.spec ?? {};
  return [
    ...(Array.isArray(pod.volumes) ? pod.volumes : [])
      .filter((v: any) => !!v?.hostPath)
      .map((v: any) => `hostPath ${String(v.hostPath.path ?? "")} as volume ${String(v.name)}`),
    ...(["hostNetwork", "hostPID", "hostIPC"] as const).filter((k) => pod[k] === true),
  ];
}

/** Whether a release or raw workload needs the host (a node agent). */
function isAgent(r: Res, agentCharts: string[]): boolean {
  const helm = helmOf(r);
  return helm ? needsHost(helm.chart, helm.values, agentCharts) : rawNeedsHost(r);
}

/**
 * The values keys by which the node agents of a refused namespace ask for the host, for
 * pod-security-levels to name (`values.<key>`, the agent named too when there are several): the
 * synthesis traces the refusal to the override setting one (synth/report.ts valuesPathsIn).
 */
function hostKeysOf(agents: Res[], agentCharts: string[]): string {
  const keys = agents.flatMap((r) => {
    const helm = helmOf(r);
    const asks = helm
      ? hostAsks(helm.chart, helm.values, agentCharts).filter((k) => k !== HOST_ASKS_OF_CHART)
      : [];
    return asks.map((k) => ({ r, k }));
  });
  // The agent is named beside its key only when keys of two agents are: one is said plainly.
  const several = new Set(keys.map((x) => x.r)).size > 1;
  const said = keys.map(({ r, k }) => (several ? `${label(r)}'s values.${k}` : `values.${k}`));
  return said.length === 0 ? "" : `, asked for by ${said.join(", ")}`;
}

/**
 * What Pod Security admission enforces in a namespace without an enforce label: its defaults,
 * privileged at latest (kubernetes/kubernetes staging/src/k8s.io/pod-security-admission/admission/
 * api/v1/defaults.go `SetDefaults_PodSecurityDefaults`), unless the cluster's AdmissionConfiguration
 * (`PodSecurityConfiguration.defaults`) sets others, which the stack cannot see.
 */
const UNLABELLED_ENFORCE = "privileged";

/**
 * Every namespace the stack creates enforces the lowest Pod Security level its pods need, with a
 * pinned version: privileged only where node agents run, never a node agent where it is refused.
 * An unlabelled namespace is judged at admission's default, privileged; releases and raw
 * workloads (Deployments, StatefulSets, DaemonSets) both count.
 */
export function podSecurityLevels(level: Level = "mandatory"): StackValidationPolicy {
  return {
    name: "pod-security-levels",
    description:
      "Namespaces enforce privileged only for node agents (host paths, host network), baseline or stricter for the rest, with the policy version pinned; a namespace without an enforce label counts as privileged (Pod Security admission's default).",
    enforcementLevel: level,
    configSchema: schemaFor(
      POD_SECURITY_DEFAULTS as unknown as Record<string, unknown>,
      { agentCharts: "Charts whose pods need the host (privileged namespace)." },
      { agentCharts: { items: { type: "string", minLength: 1 } } },
    ),
    validateStack: (args, report) => {
      const cfg = configOf(args, POD_SECURITY_DEFAULTS);
      const resources: Res[] = args.resources.map(toRes);
      const stackNs = stackNamespaceOf(resources);
      // Each namespace's workloads, in resource order, from one pass: a filter over every resource
      // per namespace was quadratic in a large stack (the pack benchmark's 10,000 resources).
      const within = new Map<string, Res[]>();
      for (const r of resources) {
        const name = namespaceOf(r);
        // A release whose values are a secret the pack cannot read may or may not ask for the host:
        // judged neither way, not as the chart's defaults (no-plaintext-credentials says it).
        if (name === undefined || helmChartOf(r)?.valuesSecret) continue;
        const list = within.get(name);
        if (list) list.push(r);
        else within.set(name, [r]);
      }
      for (const ns of namespacesOf(resources)) {
        const labelled = ns.labels[podSecurityLabel("enforce")];
        const enforce = labelled || UNLABELLED_ENFORCE;
        const version = ns.labels[podSecurityLabel("enforce", true)];
        if (!labelled)
          report(
            `${label(ns.res)}: has no ${podSecurityLabel("enforce")} label, so Pod Security admission enforces its default, privileged at latest (unless the cluster's AdmissionConfiguration sets another); label it enforce baseline (privileged only for node agents) with ${podSecurityLabel("enforce", true)} pinned (v1.x).`,
            ns.res.urn,
          );
        else if (!version || version === "latest")
          report(
            `${label(ns.res)}: enforces ${enforce} at version ${version ?? "latest (unset)"}; pin ${podSecurityLabel("enforce", true)} (v1.x) so a cluster upgrade does not tighten it under running pods.`,
            ns.res.urn,
          );
        const inside = within.get(ns.name) ?? [];
        const agents = inside.filter((r) => isAgent(r, cfg.agentCharts));
        if (enforce === "privileged") {
          const isAgentHere = new Set(agents);
          const nonAgents = inside.filter((r) => !isAgentHere.has(r));
          // A workload whose pods ask for the host without being a node agent (a Deployment a chart
          // values key chose, mounting /var/log) is said on its own, with what its verdict rests on
          // (hostingJudged): the synthesis traces it to the override choosing the kind, or setting
          // the one host field its pods ask by (synth/report.ts overridesOn), not to every override
          // of its chart as "one of these".
          const hosting = nonAgents.filter((r) => podHostJudged(r).length > 0);
          const others = nonAgents.filter((r) => !hosting.includes(r));
          // The rendered-object checks see the same namespace in its pods (checks/podSecurity.ts):
          // one mistake, one message naming both places. A takeover's import step that adopts a
          // running node agent where it runs keeps privileged for that step (POD_SECURITY_DEFERRED),
          // only while a node agent is there, and only on a namespace the program creates.
          const deferred = podSecurityDeferred({ ...ns, nodeAgents: agents.length });
          if (others.length > 0 && !deferred)
            // Its verdict rests on those pods asking nothing of the host (HOST_FIELDS): an override
            // setting none of them (a pod annotation, whose key `a` is a word of the message) is
            // no cause of it; the key choosing the kind of a workload it names is (synth/report.ts).
            reportJudged(
              report,
              `${label(ns.res)}: enforces privileged${labelled ? "" : " (unlabelled)"}, but ${others.map(label).join(", ")} need${others.length === 1 ? "s" : ""} no host access; run ${others.length === 1 ? "it" : "them"} in a namespace enforcing baseline${agentsBeside(agents, ns, stackNs)}.`,
              HOST_FIELDS,
              ns.res.urn,
              privilegedNamespaceCause(ns.name),
            );
          if (!deferred)
            for (const r of hosting)
              reportJudged(
                report,
                `${label(ns.res)}: enforces privileged${labelled ? "" : " (unlabelled)"}, but ${label(r)} is no node agent (only DaemonSets are), though its pods ask for the host (${podHostAsks(r).join(", ")}), which baseline refuses; run it as a DaemonSet, or without host access in a namespace enforcing baseline${agentsBeside(agents, ns, stackNs)}.`,
                hostingJudged(r),
                ns.res.urn,
              );
        } else if (agents.length > 0) {
          // The rendered-object checks see the same refusal in the pods (checks/podSecurity.ts).
          reportCause(
            report,
            `${label(ns.res)}: enforces ${enforce}, which refuses the pods of ${agents.map(label).join(", ")} (host paths or host network${hostKeysOf(agents, cfg.agentCharts)}); run node agents in a namespace enforcing privileged.`,
            refusedAgentsCause(ns.name),
            ns.res.urn,
          );
        }
      }
    },
  };
}

/**
 * Every namespace the stack runs workloads in (releases' and raw workloads', created by the stack
 * or not) has NetworkPolicies.
 */
export function networkPoliciesPresent(level: Level = "mandatory"): StackValidationPolicy {
  return {
    name: "network-policies-present",
    description:
      "Every namespace the stack runs workloads in (releases and raw workloads, whether the stack creates the namespace or not) has NetworkPolicies, so no pod of the cluster reaches the stack's unauthenticated APIs (push, delete, silences).",
    enforcementLevel: level,
    validateStack: (args, report) => {
      const resources: Res[] = args.resources.map(toRes);
      const policies = new Set(
        resources.filter((r) => r.type === NETWORK_POLICY).map((r) => propAt(r, NAMESPACE_PATH)),
      );
      const declared = new Map(namespacesOf(resources).map((ns) => [ns.name, ns]));
      const running = new Map<string, Res[]>();
      for (const r of resources) {
        const name = namespaceOf(r);
        if (name === undefined) continue;
        // Appended, not copied: a copy per resource is quadratic in a namespace's resources.
        const list = running.get(name);
        if (list) list.push(r);
        else running.set(name, [r]);
      }
      for (const [name, workloads] of running) {
        const ns = declared.get(name);
        // Deferred on the program's own namespace alone (a takeover's import step), not on one a
        // chart renders from values a stack file writes.
        const deferred = !!ns && networkPoliciesDeferred(ns);
        if (deferred || policies.has(name)) continue;
        const where = ns ? label(ns.res) : `namespace ${name} (not created by the stack)`;
        report(
          `${where}: ${workloads.map(label).join(", ")} run${workloads.length === 1 ? "s" : ""} here without any NetworkPolicy: every pod of the cluster can reach them.`,
          ns?.res.urn ?? workloads[0].urn,
        );
      }
    },
  };
}
