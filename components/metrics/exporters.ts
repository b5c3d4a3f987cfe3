import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { helmRelease } from "../helm";
import { versions } from "../versions";
import { kubeStateMetricsValues, nodeExporterValues } from "../../builders/metrics/exporterValues";
import type { AgentScheduling } from "../../builders/security/hardening";

/** Arguments of {@link Exporters}. */
export interface ExportersArgs {
  namespace: string;
  profile: "standard" | "lightweight";
  /** Run the standalone kube-state-metrics (once KPS, which brings its own, is gone). Default true. */
  kubeStateMetrics?: boolean;
  /** node-exporter's priority class and tolerations (every pool the config declares). */
  scheduling: AgentScheduling;
  /**
   * What the releases wait for besides what components/ordering.ts adds (namespace, CRDs):
   * kube-prometheus-stack while it exists, so a KPS update that drops its own node-exporter
   * DaemonSet (stacks deployed before this plan) finishes before this one claims host port 9100.
   * Default: none.
   */
  dependsOn?: pulumi.Resource[];
  /** Kubernetes provider; every child uses it. */
  provider: k8s.Provider;
}

/**
 * node-exporter as a standalone release in every phase (KPS's own is switched off: both bind host
 * port 9100, so handing over at KPS removal would clash while Pulumi still holds the old one), and
 * kube-state-metrics once kube-prometheus-stack is gone.
 */
export class Exporters extends pulumi.ComponentResource {
  constructor(name: string, args: ExportersArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:metrics:Exporters", name, {}, opts);
    const o = { parent: this, provider: args.provider, dependsOn: args.dependsOn ?? [] };
    helmRelease(
      `${name}-node-exporter`,
      {
        release: "node-exporter",
        chart: versions.charts.nodeExporter,
        namespace: args.namespace,
        values: nodeExporterValues(args.profile, args.scheduling),
      },
      o,
    );
    if (args.kubeStateMetrics ?? true) {
      helmRelease(
        `${name}-kube-state-metrics`,
        {
          release: "kube-state-metrics",
          chart: versions.charts.kubeStateMetrics,
          namespace: args.namespace,
          values: kubeStateMetricsValues(args.profile),
        },
        o,
      );
    }
    this.registerOutputs({});
  }
}
