/**
 * Pod Security and NetworkPolicy markers the program writes and the pack (and the offline checks)
 * read.
 */

/**
 * Node selector of a parked DaemonSet: no node carries this label, so the DaemonSet controller runs
 * no pod (a DaemonSet has no replica count to scale to zero). The agents' hand-over to their own
 * namespace parks the old DaemonSets so host port 9100 and Alloy's positions are free before the
 * new ones start.
 */
export const PARKED_NODE_SELECTOR: Readonly<Record<string, string>> = {
  "homelab-observability/parked": "true",
};

/** Whether a pod spec (or chart values' nodeSelector holder) is parked: it runs on no node. */
export function isParked(spec: { nodeSelector?: Record<string, string> } | undefined): boolean {
  return Object.entries(PARKED_NODE_SELECTOR).every(([k, v]) => spec?.nodeSelector?.[k] === v);
}

/** Whether a list of volumes (a pod's, or one a chart renders as written) holds a hostPath. */
export function holdsHostPath(volumes: unknown): boolean {
  return Array.isArray(volumes) && volumes.some((v: any) => !!v?.hostPath);
}

/**
 * Whether a pod spec asks for the host: host paths, the host's network, PID or IPC namespace,
 * what makes a node agent and what Pod Security's baseline refuses of it (k8s.io/pod-security-admission
 * policy/check_hostNamespaces.go, check_hostPathVolumes.go). The pack judges raw workloads by it, the
 * rendered-object checks which refused pods are the node agents the pack names.
 */
export function asksForHost(spec: Record<string, any>): boolean {
  return (
    spec.hostNetwork === true || spec.hostPID === true || spec.hostIPC === true || holdsHostPath(spec.volumes)
  );
}

/**
 * Annotation on a namespace whose NetworkPolicies are deliberately absent: an adopted namespace
 * during a takeover's import step, where the running releases may have peers the program does not
 * know.
 */
export const NETWORK_POLICIES_DEFERRED = "homelab-observability/network-policies";

/**
 * Annotation on the stack's namespace while a takeover's import step adopts a running node agent
 * (takeover.releases.alloy or .vector, with agents.step "stay"): the release is imported where it
 * runs, so the namespace keeps privileged beside the other workloads for that one step (the same
 * level the unlabelled namespace admitted under Flux, Pod Security admission's default). The
 * update step moves the agents out (agents.step handover); a namespace with this annotation and no
 * node agent in it is judged as any other.
 */
export const POD_SECURITY_DEFERRED = "homelab-observability/pod-security";

/**
 * Whether a namespace enforcing privileged beside workloads baseline admits is deferred
 * ({@link POD_SECURITY_DEFERRED}): the namespace carries the annotation, a node agent runs in it,
 * and the program wrote it itself. A Namespace a chart renders (a release's `extraObjects`) takes
 * its annotations from chart values a stack file writes, so the annotation there defers nothing:
 * otherwise any namespace of a user's own, written through `chartValues`, would escape the rule.
 * The pack (pod-security-levels) and the rendered-object checks (pod-security) both ask this.
 */
export function podSecurityDeferred(ns: {
  annotations: Record<string, string> | undefined;
  /** Rendered by a Helm release, not created by the program itself. */
  renderedByChart: boolean;
  /** Node agents (pods that need privileged) running in it. */
  nodeAgents: number;
}): boolean {
  return ns.nodeAgents > 0 && deferredOnOwn(ns, POD_SECURITY_DEFERRED);
}

/**
 * Whether a namespace's NetworkPolicies are deferred ({@link NETWORK_POLICIES_DEFERRED}): the
 * annotation, on a namespace the program writes itself. As with {@link podSecurityDeferred}, a
 * Namespace a chart renders takes its annotations from chart values a stack file writes, so the
 * annotation there defers nothing. The pack (network-policies-present) and the rendered-object
 * checks (network-policy) both ask this.
 */
export function networkPoliciesDeferred(ns: {
  annotations: Record<string, string> | undefined;
  /** Rendered by a Helm release, not created by the program itself. */
  renderedByChart: boolean;
}): boolean {
  return deferredOnOwn(ns, NETWORK_POLICIES_DEFERRED);
}

/** Both deferrals' shared rule: the annotation `key`, on a Namespace the program writes itself. */
function deferredOnOwn(
  ns: { annotations: Record<string, string> | undefined; renderedByChart: boolean },
  key: string,
): boolean {
  return !ns.renderedByChart && !!ns.annotations?.[key];
}

/** The Pod Security admission label of `mode` (enforce, warn, audit). */
export const podSecurityLabel = (mode: "enforce" | "warn" | "audit", version = false): string =>
  `pod-security.kubernetes.io/${mode}${version ? "-version" : ""}`;
