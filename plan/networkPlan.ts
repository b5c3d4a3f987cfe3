import type { StackConfig } from "../config/resolve";
import type { PhaseCapabilities } from "../model/phases";
import { objectStoreReach } from "../model/endpoints";
import { GRAFANA_SIDECAR_ROLE, GRAFANA_SIDECAR_RULES } from "../builders/grafana/grafanaValues";
import {
  alloyClusterDeclarations,
  alloyNodeDeclarations,
  alloyRbac,
  KUBE_SCRAPES,
  type AlloyClusterInput,
  type AlloyLogsInput,
} from "../builders/logging/alloyConfig";
import { prometheusName } from "../model/services";
import { RELEASES } from "../model/names";
import {
  VM_OPERATOR_ACCOUNT,
  VMAGENT_ACCOUNT,
  vmagentRbacObjects,
  vmOperatorRbacObjects,
} from "../builders/metrics/vmRbac";
import type { PlanContext } from "./context";
import { planNetwork, type EgressInputs } from "./network";
import { none, type StackPlan } from "./types";
import { receiverEgressPorts } from "./alertingReceivers";
import { grafanaUiFrom } from "./grafanaExposure";

/**
 * The stack's NetworkPolicies, from what the other planners decided runs. None in an adopted
 * namespace while it is only imported (its running releases may have peers the program does not
 * know); a default-deny only where the program owns the namespace.
 */
export function planNetworkPolicies(
  ctx: PlanContext,
  runs: Pick<StackPlan, "mimir" | "victoriaMetrics" | "alertmanager" | "alloy" | "loki">,
): StackPlan["networkPolicies"] {
  const { cfg, ns, agentsNs, caps } = ctx;
  const alloyCluster = runs.alloy?.inputs.cluster;
  return {
    inputs: {
      defaultDeny: [...(ctx.adopted ? [] : [ns]), ...(agentsNs !== ns ? [agentsNs] : [])],
      policies: planNetwork({
        caps,
        namespace: ns,
        agentsNamespace: agentsNs,
        logAgent: cfg.logAgent,
        runs: {
          mimir: !!runs.mimir,
          mimirReadWrite: !!runs.mimir && !!ctx.mimirRw,
          victoriaMetrics: !!runs.victoriaMetrics,
          vmCluster: !!runs.victoriaMetrics && !!ctx.vmCluster,
          alertmanager: !!runs.alertmanager,
          alloyCluster: !!alloyCluster,
        },
        events: !!alloyCluster?.events,
        kpsFullname: ctx.kpsFullname ?? RELEASES.kps,
        lokiRulerAlerts: !!runs.loki.inputs.settings.ruler?.alertmanagerUrl,
        lokiGateway: runs.loki.inputs.settings.loki.gateway,
        egress: egressInputs(cfg, caps, runs.alloy?.inputs),
        grafanaFrom: grafanaUiFrom(cfg.grafana),
      }).filter((g) => !(ctx.importing && g.namespace === ns)),
    },
    waitsFor: none(),
  };
}

/** Host-network ports the scrapers dial: node-exporter's, the kubelet's and the control plane's. */
export const NODE_SCRAPE_PORTS = [
  // prometheus-node-exporter 4.49.1 values.yaml `service.port: 9100` ("Sets the port of the
  // exposed container as well"), with `hostNetwork: true`.
  9100,
  // The kubelet's default port (kubernetes/kubernetes pkg/cluster/ports/ports.go KubeletPort).
  10250,
  // The control plane's, as KPS scrapes them and Alloy keeps scraping them (alloyConfig.ts KUBE_SCRAPES).
  ...KUBE_SCRAPES.filter((k) => k.role === "pod" && k.port !== undefined && k.namespace === "kube-system")
    .filter((k) => !k.selector?.label?.startsWith("k8s-app=kube-dns"))
    .map((k) => k.port!),
];

/**
 * The egress inputs of a stack: config `network`, the object store, and who calls the API server.
 * Who calls it is read from the RBAC each group's pods are granted: the roles the program builds
 * itself (Alloy's from its config's components, upstream/alloy/apiNeeds.ts through `alloyRbac`;
 * Grafana's sidecar Role; the VictoriaMetrics operator's and vmagent's bindings, vmRbac.ts), and the
 * charts' own RBAC the program leaves on (kube-prometheus-stack 88.0.0 templates/prometheus-operator/
 * clusterrole.yaml and templates/prometheus/clusterrole.yaml, kube-state-metrics' role from its
 * `collectors`, vector 0.56.0 `rbac.create: true`). The rendered-object check (`network-egress`)
 * proves the result against the rendered RBAC both ways: a pod holding RBAC without the rule, or
 * the rule on pods holding none, fails.
 */
function egressInputs(
  cfg: StackConfig,
  caps: PhaseCapabilities,
  alloy: { node?: AlloyLogsInput; cluster?: AlloyClusterInput } | undefined,
): EgressInputs {
  const builtIn = cfg.alerting.pushover || cfg.alerting.heartbeat;
  const alerting = builtIn || cfg.alerting.receivers.length > 0;
  const grants = (r: { clusterRules: unknown[]; roles: unknown[] }) =>
    r.clusterRules.length + r.roles.length > 0;
  const vmBound = new Set(
    [...vmOperatorRbacObjects(), ...vmagentRbacObjects()].flatMap((o: any) =>
      (o.subjects ?? []).map((x: { name: string }) => x.name),
    ),
  );
  const vm = cfg.metricsBackend === "victoriametrics" && caps.backend;
  const apiCallers: Record<string, string> = {
    ...(GRAFANA_SIDECAR_RULES.length > 0
      ? {
          grafana: `its dashboard sidecar (${cfg.grafana.dashboardNamespaces === "all" ? "ClusterRole" : "Role"} ${GRAFANA_SIDECAR_ROLE})`,
        }
      : {}),
    ...(caps.kps
      ? {
          "kube-prometheus-stack": "prometheus-operator and kube-state-metrics (the chart's ClusterRoles)",
          [prometheusName()]: "service discovery (the chart's prometheus ClusterRole)",
        }
      : { "kube-state-metrics": "its collectors (the chart's ClusterRole)" }),
    ...(alloy?.node && grants(alloyRbac(alloyNodeDeclarations(alloy.node)))
      ? { alloy: "its config's components (alloyRbac)" }
      : {}),
    ...(cfg.logAgent === "vector" ? { vector: "the kubernetes_logs source (the chart's ClusterRole)" } : {}),
    ...(alloy?.cluster && grants(alloyRbac(alloyClusterDeclarations(alloy.cluster)))
      ? { "alloy-cluster": "its config's components (alloyRbac)" }
      : {}),
    ...(vm && vmBound.has(VM_OPERATOR_ACCOUNT)
      ? { "victoria-metrics-operator": `ServiceAccount ${VM_OPERATOR_ACCOUNT} (vmRbac.ts)` }
      : {}),
    ...(vm && caps.scraper === "vmagent" && vmBound.has(VMAGENT_ACCOUNT)
      ? { vmagent: `ServiceAccount ${VMAGENT_ACCOUNT} (vmRbac.ts)` }
      : {}),
  };
  const n = cfg.network;
  return {
    enforced: n.egress === "enforced",
    apiServer: { cidrs: n.apiServer.cidrs, port: n.apiServer.port },
    objectStore: objectStoreReach(cfg.objectStore, n.objectStore.cidrs),
    nodes: { cidrs: n.nodes, ports: NODE_SCRAPE_PORTS },
    ...(alerting
      ? { receivers: { cidrs: n.receivers, ports: receiverEgressPorts(cfg.alerting.receivers, builtIn) } }
      : {}),
    apiCallers,
  };
}
