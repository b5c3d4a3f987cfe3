/**
 * The old agent releases during the agents' hand-over to their own namespace: each keeps its
 * values but its DaemonSet runs on no node (PARKED_NODE_SELECTOR), renders no cluster-wide RBAC
 * (ClusterRole names are cluster-wide: the new release in the agents' namespace creates the same
 * ones once this update removed them) and no monitor (nothing to scrape).
 */
import { PARKED_NODE_SELECTOR, type AgentPlacement } from "./podSecurity";

const selector = { ...PARKED_NODE_SELECTOR };

/**
 * prometheus-node-exporter 4.x values, parked (`nodeSelector`, `rbac.create`, `prometheus.monitor`),
 * and without the scrapers' Role and RoleBinding (`extraManifests`): nothing scrapes it.
 */
export function parkedNodeExporterValues(values: Record<string, any>): Record<string, any> {
  return {
    ...values,
    nodeSelector: selector,
    rbac: { ...values.rbac, create: false },
    extraManifests: [],
    prometheus: { ...values.prometheus, monitor: { ...values.prometheus?.monitor, enabled: false } },
  };
}

/** grafana/alloy values, parked (`controller.nodeSelector`, `rbac.create`, `serviceMonitor`). */
export function parkedAlloyValues(values: Record<string, any>): Record<string, any> {
  return {
    ...values,
    controller: { ...values.controller, nodeSelector: selector },
    rbac: { ...values.rbac, create: false },
    serviceMonitor: { ...values.serviceMonitor, enabled: false },
  };
}

/** vector (Agent role) values, parked (`nodeSelector`, `rbac.create`, `podMonitor`). */
export function parkedVectorValues(values: Record<string, any>): Record<string, any> {
  return {
    ...values,
    nodeSelector: selector,
    rbac: { ...values.rbac, create: false },
    podMonitor: { ...values.podMonitor, enabled: false },
  };
}

/** One Helm release of a node agent: its Pulumi resource name, its namespace and its values. */
export interface AgentRelease {
  resourceName: string;
  namespace: string;
  values: Record<string, any>;
}

/**
 * Where a node agent's releases run, from its placement (default: `namespace`, not moved): the
 * running release, under `<name>-agents` once moved (a release that changes namespace would be
 * replaced), and during the hand-over the parked one, which keeps `name` and the old namespace
 * with `park`'s values. The running release waits for the parked one (components/helm.ts
 * `agentHelmReleases`): the old pods are gone before the new ones start.
 */
export function agentReleases(
  name: string,
  placement: AgentPlacement | undefined,
  namespace: string,
  values: Record<string, any>,
  park: (values: Record<string, any>) => Record<string, any>,
): { parked?: AgentRelease; running: AgentRelease } {
  const at = placement ?? { namespace, moved: false };
  return {
    ...(at.parkedIn ? { parked: { resourceName: name, namespace: at.parkedIn, values: park(values) } } : {}),
    running: { resourceName: at.moved ? `${name}-agents` : name, namespace: at.namespace, values },
  };
}
