/**
 * NetworkPolicies (networking.k8s.io/v1) from the stack's wiring: a default-deny of ingress in the
 * namespaces the program creates, and for every group of pods that serves something one policy
 * naming who may connect on which ports and where those pods may connect to. Pure data;
 * plan/network.ts decides the groups and derives both directions from one edge list.
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

/**
 * Where one egress rule lets a group out to: pods (a group), every pod of a namespace (a Service
 * the stack does not render, whose pods' labels it cannot know: an in-cluster MinIO), or addresses
 * (`ipBlock`: the API server, an external object store, the nodes, the receivers' internet).
 */
export type EgressPeer = PodGroup | { namespace: string; pods?: undefined } | { cidr: string };

/** One egress port: a container port of the destination (a number, or the destination pods' port name). */
export interface EgressPort {
  port: number | string;
  /** Default TCP (NetworkPolicyPort's own default). */
  protocol?: "TCP" | "UDP";
}

/**
 * What an egress rule is for. `edge`: the client side of an ingress rule's edge (plan/network.ts
 * derives it from that rule); the rest reach what no pod label names.
 */
export const EGRESS_KINDS = ["edge", "dns", "api", "object-store", "receivers", "node-scrape"] as const;
export type EgressKind = (typeof EGRESS_KINDS)[number];

/** One allowed kind of connection out of a group. */
export interface EgressRule {
  to: EgressPeer[];
  /** Destination ports, or "all" (peers of one group: memberlist, gossip and gRPC among the replicas). */
  ports: EgressPort[] | "all";
  kind: EgressKind;
  why: string;
}

/** A group of pods that accepts connections, and from whom. */
export interface Guarded extends PodGroup {
  /** The policy's name (one per group and namespace). */
  name: string;
  ingress: IngressRule[];
  /** Where the group may connect to; absent: the policy says nothing of egress. */
  egress?: EgressRule[];
  /**
   * Whether the policy's `policyTypes` names Egress, i.e. the network plugin enforces `egress`.
   * Without it the rules are rendered (and checked) but affect nothing: policyTypes is "a list of
   * rule types that the NetworkPolicy relates to" (networking.k8s.io/v1 NetworkPolicySpec,
   * kubernetes-models 4.5.1 networking.k8s.io/v1/NetworkPolicySpec.d.ts). Default false.
   */
  egressEnforced?: boolean;
}

/** Annotation that carries each rule's reason on the rendered policy. */
export const WHY_ANNOTATION = "homelab-observability/allows";
/** Annotation with each egress rule's kind and reason, in rule order (JSON: [{kind, why}]). */
export const EGRESS_ANNOTATION = "homelab-observability/egress-allows";
/** Annotation saying whether the egress rules are enforced (`enforced`) or only rendered. */
export const EGRESS_MODE_ANNOTATION = "homelab-observability/egress";
export const EGRESS_RENDERED = "rendered, not enforced (network.egress: rendered)";

const peer = (g: PodGroup) => ({
  namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": g.namespace } },
  podSelector: { matchLabels: g.pods },
});

const egressPeer = (p: EgressPeer) =>
  "cidr" in p
    ? { ipBlock: { cidr: p.cidr } }
    : p.pods === undefined
      ? { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": p.namespace } } }
      : peer(p);

/**
 * One NetworkPolicy object per group: its ingress rules and, when the group has them, its egress
 * rules. `policyTypes` names Egress only when the egress rules are enforced (see
 * {@link Guarded.egressEnforced}); the rules are in the object either way, so `kubectl get
 * networkpolicy -o yaml` shows what enforcing them would allow.
 */
export function networkPolicy(g: Guarded): Record<string, any> {
  const egress = g.egress;
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: {
      name: g.name,
      namespace: g.namespace,
      annotations: {
        [WHY_ANNOTATION]: g.ingress.map((r) => r.why).join("; "),
        ...(egress
          ? {
              [EGRESS_ANNOTATION]: JSON.stringify(egress.map((r) => ({ kind: r.kind, why: r.why }))),
              [EGRESS_MODE_ANNOTATION]: g.egressEnforced ? "enforced" : EGRESS_RENDERED,
            }
          : {}),
      },
    },
    spec: {
      podSelector: { matchLabels: g.pods },
      policyTypes: egress && g.egressEnforced ? ["Ingress", "Egress"] : ["Ingress"],
      ingress: g.ingress.map((r) => ({
        ...(r.from === "anywhere" ? {} : { from: r.from.map(peer) }),
        ...(r.ports === "all" ? {} : { ports: r.ports.map((port) => ({ protocol: "TCP", port })) }),
      })),
      ...(egress
        ? {
            egress: egress.map((r) => ({
              to: r.to.map(egressPeer),
              ...(r.ports === "all"
                ? {}
                : { ports: r.ports.map((p) => ({ protocol: p.protocol ?? "TCP", port: p.port })) }),
            })),
          }
        : {}),
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
