/**
 * Pod Security admission levels of the stack's namespaces
 * (https://kubernetes.io/docs/concepts/security/pod-security-admission/: the
 * `pod-security.kubernetes.io/<mode>` and `<mode>-version` labels).
 */

/** A Pod Security Standard level. */
export type PodSecurityLevel = "privileged" | "baseline" | "restricted";

/**
 * The policy version the labels pin: the Kubernetes minor the homelab clusters run (the render's
 * `--kube-version`, synth/render/types.ts). `latest` would tighten the rules under running pods at
 * the next cluster upgrade; a pinned version changes only when this line does.
 */
export const POD_SECURITY_VERSION = "v1.31";

/**
 * Labels of a namespace that enforces `enforce` and warns and audits at `warnAndAudit` (a stricter
 * level shows what would break under it without refusing anything).
 */
export function podSecurityLabels(
  enforce: PodSecurityLevel,
  warnAndAudit: PodSecurityLevel = enforce,
): Record<string, string> {
  const labels: Record<string, string> = {
    "pod-security.kubernetes.io/enforce": enforce,
    "pod-security.kubernetes.io/enforce-version": POD_SECURITY_VERSION,
  };
  if (warnAndAudit !== enforce)
    for (const mode of ["warn", "audit"]) {
      labels[`pod-security.kubernetes.io/${mode}`] = warnAndAudit;
      labels[`pod-security.kubernetes.io/${mode}-version`] = POD_SECURITY_VERSION;
    }
  return labels;
}

// The parked-DaemonSet and deferred-policies markers are shared with the pack and the checks.
export {
  isParked,
  NETWORK_POLICIES_DEFERRED,
  PARKED_NODE_SELECTOR,
  POD_SECURITY_DEFERRED,
} from "@homelab-observability/contract";

/**
 * Where a node agent's release runs. `moved`: it runs in the agents' namespace under its own
 * Pulumi name (a release that changes namespace would be replaced). `parkedIn`: the namespace of
 * the release it takes over from, kept for the hand-over update with its DaemonSet on no node; the
 * new release waits for that update, so the old pods are gone before the new ones start.
 */
export interface AgentPlacement {
  namespace: string;
  moved: boolean;
  parkedIn?: string;
}
