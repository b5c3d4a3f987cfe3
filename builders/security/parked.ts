/**
 * The old agent releases during the agents' hand-over to their own namespace: each keeps its
 * values but its DaemonSet runs on no node (PARKED_NODE_SELECTOR), renders no cluster-wide RBAC
 * (ClusterRole names are cluster-wide: the new release in the agents' namespace creates the same
 * ones once this update removed them) and no monitor (nothing to scrape).
 */
import { PARKED_NODE_SELECTOR } from "./podSecurity";

const selector = { ...PARKED_NODE_SELECTOR };

/** prometheus-node-exporter 4.x values, parked (`nodeSelector`, `rbac.create`, `prometheus.monitor`). */
export function parkedNodeExporterValues(values: Record<string, any>): Record<string, any> {
  return {
    ...values,
    nodeSelector: selector,
    rbac: { ...values.rbac, create: false },
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
