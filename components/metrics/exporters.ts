import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { helmRelease } from "../helm";
import { versions } from "../versions";
import { kubeStateMetricsValues, nodeExporterValues } from "./exporterValues";

/** Arguments of {@link Exporters}. */
export interface ExportersArgs {
  namespace: string;
  profile: "standard" | "lightweight";
  /** Kubernetes provider; every child uses it. */
  provider: k8s.Provider;
}

/** node-exporter and kube-state-metrics as standalone releases once kube-prometheus-stack is gone. */
export class Exporters extends pulumi.ComponentResource {
  constructor(name: string, args: ExportersArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:metrics:Exporters", name, {}, opts);
    const o = { parent: this, provider: args.provider };
    helmRelease(
      `${name}-node-exporter`,
      "node-exporter",
      versions.charts.nodeExporter,
      args.namespace,
      nodeExporterValues(args.profile),
      o,
    );
    helmRelease(
      `${name}-kube-state-metrics`,
      "kube-state-metrics",
      versions.charts.kubeStateMetrics,
      args.namespace,
      kubeStateMetricsValues(args.profile),
      o,
    );
    this.registerOutputs({});
  }
}
