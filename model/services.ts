import { RELEASES } from "./names";

/*
 * The stack's Service names and ports: the one place each is written. URLs (model/endpoints.ts),
 * the objects the builders write (Mimir's Services and containers, Vector's listeners), the network
 * policies' pod groups (plan/network.ts), the sizing rows' workload names (config/sizing.ts) and
 * the rules' Alertmanager jobs read them here. Every name follows from a release name
 * (model/names.ts) by the naming rule of whoever creates the object: the program itself (Mimir),
 * a chart (Loki, kube-prometheus-stack) or an operator (VictoriaMetrics, prometheus-operator).
 */

/** The ports the stack's Services (and the containers behind them) listen on. */
export const PORTS = {
  /**
   * Mimir's HTTP (`-server.http-listen-port`), gRPC (`-server.grpc-listen-port`) and memberlist
   * (`-memberlist.bind-port`) ports: the image's defaults, which the program's config also sets.
   */
  mimir: { http: 8080, grpc: 9095, memberlist: 7946 },
  /** Loki's HTTP port without the gateway (SingleBinary and the write/read targets; the gateway serves 80). */
  loki: 3100,
  /** The operator's Prometheus Service (named {@link KPS_PORT_NAME}). */
  prometheus: 9090,
  /** Every Alertmanager's Service: KPS's, the standalone chart's and VictoriaMetrics'. */
  alertmanager: 9093,
  /** VictoriaMetrics' HTTP ports: vmsingle, and the cluster's vminsert and vmselect. */
  vm: { vmsingle: 8428, vminsert: 8480, vmselect: 8481 },
  /** Grafana's Service (the grafana chart's default `service.port`). */
  grafana: 80,
  /**
   * Vector's own listeners: its metrics (internal_metrics through prometheus_exporter; seed 001)
   * and its API (GET /health for the readiness probe; the chart names the container port `api`).
   */
  vector: { metrics: 9090, api: 8686 },
} as const;

/**
 * The `spec.portName` the program sets on kube-prometheus-stack's Prometheus and Alertmanager
 * (`prometheus.prometheusSpec.portName`, `alertmanager.alertmanagerSpec.portName`; the chart's own
 * default at 88.0.0, values.yaml). prometheus-operator names the pods' container port and the
 * Services' ports after it (upstream/operators/prometheusOperator.ts), so NetworkPolicies admit it by
 * this name: the CRD's default `web` matches no port of these pods.
 */
export const KPS_PORT_NAME = "http-web";

/**
 * The `spec.portName` the program sets on the VMAlertmanager (victoria-metrics-k8s-stack's
 * `alertmanager.spec.portName`): the VictoriaMetrics operator names the pod's container port after
 * it and points its Service's `http` port there (upstream/operators/victoriaMetrics.ts). The
 * operator's own default, so setting it changes no pod; NetworkPolicies admit vmalertmanager by this
 * name, never by the Service's port name `http`, which no container declares.
 */
export const VM_ALERTMANAGER_PORT_NAME = "web";

/**
 * One of Mimir's workload groups: monolithic `all`, or one group of the scaled-out shape, each a
 * `-target` list of Mimir 3.0 modules (builders/metrics/mimirValues.ts MIMIR_GROUP_MODULES; the
 * group names are the program's, not Mimir targets: 3.0 has no `write`, `read` or `backend`).
 */
export type MimirTarget = "all" | "write" | "read" | "backend";

/**
 * The Service (and the StatefulSet or Deployment) of one Mimir target: `mimir` when monolithic,
 * `mimir-write`, `mimir-read`, `mimir-backend` when scaled out (the program's own objects,
 * builders/metrics/mimirValues.ts).
 */
export function mimirName(target: MimirTarget = "all"): string {
  return target === "all" ? RELEASES.mimir : `${RELEASES.mimir}-${target}`;
}

/** The headless Service every Mimir pod joins the memberlist through (and the StatefulSets' `serviceName`). */
export const MIMIR_GOSSIP = `${RELEASES.mimir}-gossip`;

/**
 * Loki's Service (and workload) of one target, for a release (default the program's): the gateway,
 * or SimpleScalable's write, read and backend targets (loki chart 6.49.0
 * templates/write/service-write.yaml, statefulset-write.yaml: both `<fullname>-write`).
 */
export function lokiName(
  target: "gateway" | "write" | "read" | "backend",
  release: string = RELEASES.loki,
): string {
  return `${release}-${target}`;
}

/**
 * The workload of one of Distributed Loki's components (a values key of the loki chart): the
 * chart names each `<fullname>-<target>` with the target in kebab case (grafana-community loki
 * 18.11.0 templates/_helpers.tpl `loki.resourceName`; templates/<target>/workload.yaml).
 */
export function lokiComponentName(component: string, release: string = RELEASES.loki): string {
  return `${release}-${lokiTargetName(component)}`;
}

/** A Loki target's values key as the chart writes it in names (`queryFrontend`: `query-frontend`). */
export function lokiTargetName(component: string): string {
  return component.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/**
 * kube-prometheus-stack's Prometheus for a fullname (default the program's, a takeover keeps the
 * running one's): the Prometheus resource, the chart's Service and the operator's
 * `operator.prometheus.io/name` pod label all carry this name.
 */
export function prometheusName(kpsFullname: string = RELEASES.kps): string {
  return `${kpsFullname}-prometheus`;
}

/** kube-prometheus-stack's Alertmanager for a fullname: the resource, the Service and the `alertmanager` pod label. */
export function kpsAlertmanagerName(kpsFullname: string = RELEASES.kps): string {
  return `${kpsFullname}-alertmanager`;
}

/**
 * A VictoriaMetrics component's objects: the operator names a CR's workload and Service
 * `<component>-<CR name>`, and victoria-metrics-k8s-stack names the CRs after its fullname
 * (`vmsingle-vm`, `vminsert-vm`, `vmalertmanager-vm`, ...).
 */
export function vmName(component: string): string {
  return `${component}-${RELEASES.vm}`;
}

/**
 * Every Alertmanager's Service, by the phase table's `alertmanager` field (model/phases.ts):
 * kube-prometheus-stack's, the standalone chart's (named after its release) and VictoriaMetrics'.
 */
export function alertmanagerServices(kpsFullname: string = RELEASES.kps): {
  kps: string;
  standalone: string;
  vm: string;
} {
  return {
    kps: kpsAlertmanagerName(kpsFullname),
    standalone: RELEASES.alertmanager,
    vm: vmName("vmalertmanager"),
  };
}
