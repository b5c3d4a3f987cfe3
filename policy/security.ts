import type { StackValidationPolicy } from "@pulumi/policy";
import { isParked, NETWORK_POLICIES_DEFERRED, podSecurityLabel } from "@homelab-observability/contract";
import { configOf, schemaFor, type Level } from "./lib/config";
import { helmOf, label, type Res, toRes } from "./lib/resources";

export interface PodSecurityConfig {
  /**
   * Charts whose pods need the host (host paths, host network): node-exporter always, Alloy as a
   * DaemonSet (its chart's default controller), Vector in the Agent role.
   */
  agentCharts: string[];
}
export const POD_SECURITY_DEFAULTS: PodSecurityConfig = {
  agentCharts: ["prometheus-node-exporter", "alloy", "vector"],
};

const NAMESPACE = "kubernetes:core/v1:Namespace";
const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const WORKLOADS = new Set(["Deployment", "StatefulSet", "DaemonSet"].map((k) => `kubernetes:apps/v1:${k}`));

/** Whether a release runs pods that need the host, judged from its values (what a live preview sees). */
export function needsHost(chart: string, values: any, agentCharts: string[]): boolean {
  if (!agentCharts.includes(chart)) return false;
  // A parked DaemonSet runs on no node (the agents' hand-over).
  const selectorHolder = chart === "alloy" ? values?.controller : values;
  if (isParked(selectorHolder)) return false;
  if (chart === "alloy") return (values?.controller?.type ?? "daemonset") === "daemonset";
  if (chart === "vector") return values?.role === "Agent";
  return true;
}

/** Namespaces the stack declares, with their labels and annotations. */
function namespacesOf(resources: Res[]) {
  return resources
    .filter((r) => r.type === NAMESPACE && typeof r.props.metadata?.name === "string")
    .map((r) => ({
      res: r,
      name: r.props.metadata.name as string,
      labels: (r.props.metadata.labels ?? {}) as Record<string, string>,
      annotations: (r.props.metadata.annotations ?? {}) as Record<string, string>,
    }));
}

/** The namespace a release or raw workload lands in. */
function namespaceOf(r: Res): string | undefined {
  if (helmOf(r)) return r.props.namespace;
  return WORKLOADS.has(r.type) ? r.props.metadata?.namespace : undefined;
}

/**
 * Every namespace the stack creates enforces the lowest Pod Security level its pods need, with a
 * pinned version: privileged only where node agents run, never a node agent where it is refused.
 */
export function podSecurityLevels(level: Level = "mandatory"): StackValidationPolicy {
  return {
    name: "pod-security-levels",
    description:
      "Namespaces enforce privileged only for node agents (host paths, host network), baseline or stricter for the rest, with the policy version pinned.",
    enforcementLevel: level,
    configSchema: schemaFor(POD_SECURITY_DEFAULTS as unknown as Record<string, unknown>, {
      agentCharts: "Charts whose pods need the host (privileged namespace).",
    }),
    validateStack: (args, report) => {
      const cfg = configOf(args, POD_SECURITY_DEFAULTS);
      const resources: Res[] = args.resources.map(toRes);
      for (const ns of namespacesOf(resources)) {
        const enforce = ns.labels[podSecurityLabel("enforce")];
        if (!enforce) continue;
        const version = ns.labels[podSecurityLabel("enforce", true)];
        if (!version || version === "latest")
          report(
            `${label(ns.res)}: enforces ${enforce} at version ${version ?? "latest (unset)"}; pin ${podSecurityLabel("enforce", true)} (v1.x) so a cluster upgrade does not tighten it under running pods.`,
            ns.res.urn,
          );
        const inside = resources.filter((r) => namespaceOf(r) === ns.name);
        const agents = inside.filter((r) => {
          const helm = helmOf(r);
          return helm ? needsHost(helm.chart, helm.values, cfg.agentCharts) : false;
        });
        if (enforce === "privileged") {
          const others = inside.filter((r) => helmOf(r) && !agents.includes(r));
          if (others.length > 0)
            report(
              `${label(ns.res)}: enforces privileged, but ${others.map(label).join(", ")} need${others.length === 1 ? "s" : ""} no host access; run ${others.length === 1 ? "it" : "them"} in a namespace enforcing baseline.`,
              ns.res.urn,
            );
        } else if (agents.length > 0) {
          report(
            `${label(ns.res)}: enforces ${enforce}, which refuses the pods of ${agents.map(label).join(", ")} (host paths or host network); run node agents in a namespace enforcing privileged.`,
            ns.res.urn,
          );
        }
      }
    },
  };
}

/** Every namespace the stack creates and runs workloads in has NetworkPolicies. */
export function networkPoliciesPresent(level: Level = "mandatory"): StackValidationPolicy {
  return {
    name: "network-policies-present",
    description:
      "Every namespace the stack runs workloads in has NetworkPolicies, so no pod of the cluster reaches the stack's unauthenticated APIs (push, delete, silences).",
    enforcementLevel: level,
    validateStack: (args, report) => {
      const resources: Res[] = args.resources.map(toRes);
      const policies = new Set(
        resources.filter((r) => r.type === NETWORK_POLICY).map((r) => r.props.metadata?.namespace),
      );
      for (const ns of namespacesOf(resources)) {
        if (ns.annotations[NETWORK_POLICIES_DEFERRED]) continue;
        const workloads = resources.filter((r) => namespaceOf(r) === ns.name);
        if (workloads.length > 0 && !policies.has(ns.name))
          report(
            `${label(ns.res)}: ${workloads.map(label).join(", ")} run${workloads.length === 1 ? "s" : ""} here without any NetworkPolicy: every pod of the cluster can reach them.`,
            ns.res.urn,
          );
      }
    },
  };
}
