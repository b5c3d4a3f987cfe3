/**
 * NetworkPolicies (networking.k8s.io/v1) from the stack's wiring: a default-deny of ingress in the
 * namespaces the program creates, and for every group of pods that serves something one policy
 * naming who may connect on which ports. Pure data; plan/network.ts decides the groups.
 */

/** Pods of one namespace, selected by labels (`matchLabels`). */
export interface PodGroup {
  namespace: string;
  pods: Record<string, string>;
}

/** One allowed kind of connection into a group. */
export interface IngressRule {
  /** Who may connect: pod groups, or "anywhere" (a UI, the API server calling a webhook). */
  from: PodGroup[] | "anywhere";
  /**
   * Container ports (numbers, or the pods' port names), or "all" (peers of one group: memberlist,
   * gossip and gRPC among the replicas).
   */
  ports: (number | string)[] | "all";
  /** Why: the edge this rule allows, for the object's annotation and the README. */
  why: string;
}

/** A group of pods that accepts connections, and from whom. */
export interface Guarded extends PodGroup {
  /** The policy's name (one per group and namespace). */
  name: string;
  ingress: IngressRule[];
}

/** Annotation that carries each rule's reason on the rendered policy. */
export const WHY_ANNOTATION = "homelab-observability/allows";

const peer = (g: PodGroup) => ({
  namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": g.namespace } },
  podSelector: { matchLabels: g.pods },
});

/** One NetworkPolicy object per group (Ingress only: egress stays open). */
export function networkPolicy(g: Guarded): Record<string, any> {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: {
      name: g.name,
      namespace: g.namespace,
      annotations: { [WHY_ANNOTATION]: g.ingress.map((r) => r.why).join("; ") },
    },
    spec: {
      podSelector: { matchLabels: g.pods },
      policyTypes: ["Ingress"],
      ingress: g.ingress.map((r) => ({
        ...(r.from === "anywhere" ? {} : { from: r.from.map(peer) }),
        ...(r.ports === "all" ? {} : { ports: r.ports.map((port) => ({ protocol: "TCP", port })) }),
      })),
    },
  };
}

/**
 * Default-deny of ingress for every pod of a namespace: a pod no other policy selects accepts
 * nothing. Only for namespaces the program creates; an adopted namespace may hold pods of others.
 */
export function defaultDenyIngress(namespace: string): Record<string, any> {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: "default-deny-ingress", namespace },
    spec: { podSelector: {}, policyTypes: ["Ingress"] },
  };
}
