/**
 * One mistake, one message. A mistake often shows in several places: Loki's compactor settings in
 * a release's values, in the ConfigMap the chart renders from them and in the config the Loki
 * container reads; a node pool's requests in the pool's row of the budget and in the total when
 * the pool is the only one. The pack and the rendered-object checks each see one place. A finding
 * that knows its cause gives it as a key made here, the same key on both sides, and the synthesis
 * prints every finding of one cause as one message naming every place (synth/report.ts
 * `mergeProblems`).
 */

/** The mistakes both the pack and the rendered-object checks report, by the key both use. */
export const MISTAKES = {
  /** Loki's compactor retention without a usable `delete_request_store`: Loki stops at start. */
  lokiDeleteStore: "loki-delete-store",
  /**
   * A workload whose pods run in the host's network: its namespace's Pod Security level may refuse
   * it, and no NetworkPolicy applies to such pods nor admits them by a pod selector, so the rules
   * written for its pods go unused and connections to it are refused.
   */
  hostNetwork: "host-network",
  /**
   * Pods a NetworkPolicy names (those it selects, or those every peer of one of its rules selects)
   * that the stack renders none of: every rule written for them goes unused, one mistake wherever
   * it shows (the values that leave the pods out, the selector that names pods no one labels so).
   * Its origin is the pods' namespace and selector.
   */
  absentPods: "absent-pods",
  /**
   * A component the stack's dashboards and rules read from that the stack does not run (scaled to
   * no pod, or left out): every query on its metrics shows no data or never fires, one mistake
   * however many panels and rules read it. Its origin is the components it needs.
   */
  notRunning: "not-running",
  /**
   * A NetworkPolicy rule admitting a named port that none of the pods it concerns declares (those
   * its policy selects, for an egress rule those its peers select): the rule admits nothing, so
   * nothing uses it either, one mistake whether the named ports or the rules nothing uses show it.
   * Its origin is the policy, the rule and the port.
   */
  undeclaredPort: "undeclared-port",
  /**
   * A stack's chartValues override (the keys a report names): what else goes wrong on the release
   * it changes, where nothing narrows the cause to another override, follows from it too.
   */
  chartValues: "chart-values",
  /** One rule of a Role or ClusterRole that grants too much ({@link rbacRuleCause}). */
  rbacRule: "rbac-rule",
  /**
   * A namespace enforcing Pod Security privileged that holds workloads baseline admits: the pack
   * sees it in the releases and raw workloads (`pod-security-levels`), the rendered-object checks
   * in the pods (`pod-security`), one mistake fixed at the namespace. Its origin is the namespace.
   */
  privilegedNamespace: "privileged-namespace",
  /**
   * A namespace enforcing baseline or stricter that holds pods asking for the host (host paths,
   * the host's network, PID or IPC): admission refuses them. The pack sees it in the releases'
   * values and raw workloads (`pod-security-levels`), the rendered-object checks in the pods
   * (`pod-security`), one mistake fixed at the namespace or in the values asking for the host.
   * Its origin is the namespace.
   */
  refusedAgents: "refused-agents",
  /**
   * Operator resources (VMAgent, VMSingle, VMAlert, VMAlertmanager) that no operator of the stack
   * reconciles: each operator is scaled to 0 or watches namespaces without theirs, so none of them
   * runs a pod. What follows (rules nothing evaluates, monitors nothing reads, NetworkPolicy rules
   * for pods that never run) is one mistake, fixed at the operators. Its origin is the operators
   * and, when a WATCH_NAMESPACE list is why, the resources' namespace.
   */
  unreconciled: "unreconciled",
  /**
   * An `agents` entry of the host-paths-for-agents-only config written without a registry, naming
   * Docker Hub's image where a node agent's image ends with its path (contract/privileges.ts
   * hostPathProblems): every host path of every DaemonSet it leaves without its agent's paths is
   * one mistake, fixed at that entry. Its origin is the entry as written.
   */
  agentEntry: "agent-entry",
} as const;

/** The key of a namespace enforcing privileged beside workloads baseline admits ({@link MISTAKES}). */
export function privilegedNamespaceCause(namespace: string): string {
  return causeKey(MISTAKES.privilegedNamespace, `Namespace ${namespace}`);
}

/** The key of a namespace whose level refuses the pods asking for the host there ({@link MISTAKES}). */
export function refusedAgentsCause(namespace: string): string {
  return causeKey(MISTAKES.refusedAgents, `Namespace ${namespace}`);
}

/**
 * The key of one mistake at one origin: the resource the mistake comes from (a Helm release's URN
 * for its values and for every object it renders; the resource itself otherwise) or, for a
 * mistake of the whole stack, what it is about (the node pools a budget row covers).
 */
export function causeKey(mistake: string, origin: string): string {
  return `${mistake}@${origin}`;
}

/**
 * The key of one rule of a Role or ClusterRole (`rules[i]`): every finding on that rule (the pack's
 * `no-nodes-proxy`, `no-cluster-secret-read`; the rendered-object checks' `secret-read`,
 * `nodes-proxy`, `rbac-escalation`, checks/privileges.ts) is one mistake, fixed by changing that one
 * rule, and printed as one message naming every place. The role is named as
 * checks/privileges.ts roleSubject names it (`Role <namespace>/<name>`, `ClusterRole <name>`).
 */
export function rbacRuleCause(
  kind: string,
  namespace: string | undefined,
  name: string,
  rule: number,
): string {
  const subject = kind === "Role" ? `Role ${namespace ?? "?"}/${name}` : `${kind} ${name}`;
  return causeKey(MISTAKES.rbacRule, `${subject} rules[${rule}]`);
}

/** A rendered object's URN, as the offline synthesis names it: `<release type>$<object type>::...`. */
const RENDERED_FROM_RELEASE = "kubernetes:helm.sh/v3:Release$";

/**
 * Where a resource's settings come from: the Helm release that rendered it (its parent, when its
 * URN says it is a rendered object of a release), else the resource itself.
 */
export function originOf(urn: string, parent: string | undefined): string {
  return parent && urn.includes(RENDERED_FROM_RELEASE) ? parent : urn;
}
