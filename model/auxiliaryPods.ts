import { parseQuantity, VM_RELOADER_REQUESTS } from "@homelab-observability/contract";
import type { Backend, LogAgent, PhaseCapabilities } from "./phases";
import { lokiName } from "./services";
import { sizing, type Profile, type Resources, type Workload } from "./sizing";

/*
 * The pods a stack runs beside the ones its workload or the profile sizes (Loki, Prometheus,
 * Mimir, VictoriaMetrics' storage) and the DaemonSets: Grafana, the operators, the scrapers and
 * rule evaluators' pods, Alertmanager, kube-state-metrics, Loki's gateway and Alloy's cluster
 * replica. Which run, how many and what each requests are decided here once: the plan and the
 * builders read it (plan/agents.ts, builders/logging/lokiValues.ts, builders/metrics/kpsValues.ts),
 * and the config's check of the pools' share counts the same pods (config/sizing.ts sharePods), as
 * the pack's resource-budget counts the rendered ones (test/config/sharePods.test.ts holds the two
 * sums equal).
 */

/** Loki's gateway pods: two in production, so a drain or a node loss never stops every push. */
export function lokiGatewayReplicas(production: boolean): number {
  return production ? 2 : 1;
}

/**
 * The config reloader prometheus-operator injects into Prometheus and Alertmanager pods: without
 * requests set (kube-prometheus-stack `prometheusOperator.prometheusConfigReloader.resources`) the
 * operator runs it with --config-reloader-*-request=0, i.e. no requests.
 */
export function kpsConfigReloader(profile: Profile): Resources {
  return sizing(profile, "alloyReloader");
}

/**
 * Whether Alloy runs its cluster replica, which does what must happen once per cluster: events
 * (with Alloy as the log agent), scraping when Alloy is the scraper (with a backend to push to),
 * rule sync when Mimir's ruler evaluates the rules.
 */
export function runsAlloyCluster(logAgent: LogAgent, caps: PhaseCapabilities): boolean {
  return (
    logAgent === "alloy" || (caps.scraper === "alloy" && caps.backend) || caps.ruleEvaluator === "mimir-ruler"
  );
}

/** What of the resolved stack decides the auxiliary pods. */
export interface AuxiliaryInputs {
  profile: Profile;
  caps: PhaseCapabilities;
  metricsBackend: Backend;
  logAgent: LogAgent;
  production: boolean;
  /** loki.gateway, resolved. */
  lokiGateway: boolean;
  /** Whether the stack runs its exporters (config/sizing.ts runsExporters). */
  exporters: boolean;
}

/** One auxiliary workload: its pods and what each requests of memory, in bytes. */
export interface AuxiliaryPod {
  /** The workload as a message names it. */
  name: string;
  replicas: number;
  /** The memory one pod requests: its containers' and any sidecar an operator injects. */
  memory: number;
}

/** A pod whose containers the builders size from model/sizing.ts, plus what an operator injects beside them. */
function pod(
  profile: Profile,
  name: string,
  containers: Workload[],
  injected = 0,
  replicas = 1,
): AuxiliaryPod {
  const own = containers.reduce((n, w) => n + (parseQuantity(sizing(profile, w).requests.memory) ?? 0), 0);
  return { name, replicas, memory: own + injected };
}

/**
 * The auxiliary pods the stack runs, each at the requests the builders give it (model/sizing.ts,
 * at the cited builder) and the sidecar an operator injects:
 * - Grafana with its dashboards sidecar (builders/grafana/grafanaValues.ts `resources`, `sidecar`).
 * - With kube-prometheus-stack: its kube-state-metrics, prometheus-operator and, while it alerts,
 *   its Alertmanager with the operator's reloader (builders/metrics/kpsValues.ts).
 * - Without it: the standalone kube-state-metrics where the stack runs its exporters (plan/metrics.ts
 *   planExporters) and the standalone Alertmanager (builders/metrics/exporterValues.ts).
 * - VictoriaMetrics: its operator, and vmagent, vmalert and VMAlertmanager where the phase has them
 *   scrape and evaluate (builders/metrics/vmValues.ts), each with the operator's config reloader
 *   (contract VM_RELOADER_REQUESTS; the operator runs it in all three as the builders write them,
 *   contract runsVmReloader).
 * - Loki's gateway with its access-log exporter (builders/logging/lokiValues.ts `gateway`).
 * - Alloy's cluster replica with its config reloader (builders/logging/alloyValues.ts).
 * A `chartValues` override of these pods' resources or switches is not read: the pack's budget
 * judges the rendered pods.
 */
export function auxiliaryPods(x: AuxiliaryInputs): AuxiliaryPod[] {
  const { profile, caps } = x;
  const kpsReloader = parseQuantity(kpsConfigReloader(profile).requests.memory) ?? 0;
  const vmReloader = parseQuantity(VM_RELOADER_REQUESTS.memory) ?? 0;
  const vm = caps.backend && x.metricsBackend === "victoriametrics";
  const at = (on: boolean, ...pods: AuxiliaryPod[]) => (on ? pods : []);
  return [
    pod(profile, "grafana", ["grafana", "grafanaSidecar"]),
    ...at(
      caps.kps,
      pod(profile, "kube-state-metrics", ["kubeStateMetrics"]),
      pod(profile, "prometheus-operator", ["promOperator"]),
    ),
    ...at(
      caps.kps && caps.alertmanager === "kps",
      pod(profile, "alertmanager", ["alertmanager"], kpsReloader),
    ),
    ...at(!caps.kps && x.exporters, pod(profile, "kube-state-metrics", ["kubeStateMetrics"])),
    ...at(caps.alertmanager === "standalone", pod(profile, "alertmanager", ["alertmanager"])),
    ...at(vm, pod(profile, "victoria-metrics-operator", ["vmOperator"])),
    ...at(vm && caps.scraper === "vmagent", pod(profile, "vmagent", ["vmagent"], vmReloader)),
    ...at(
      vm && caps.ruleEvaluator === "vmalert",
      pod(profile, "vmalert", ["vmalert"], vmReloader),
      pod(profile, "vmalertmanager", ["alertmanager"], vmReloader),
    ),
    ...at(
      x.lokiGateway,
      pod(
        profile,
        lokiName("gateway"),
        ["lokiGateway", "lokiGatewayExporter"],
        0,
        lokiGatewayReplicas(x.production),
      ),
    ),
    ...at(
      runsAlloyCluster(x.logAgent, caps),
      pod(profile, "alloy-cluster", ["alloyCluster", "alloyReloader"]),
    ),
  ];
}
