import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { helmRelease } from "../helm";
import { versions } from "../../model/versions";
import {
  prometheusScrapedVmComponents,
  vmServiceMonitor,
  vmValues,
  type VmInputs,
} from "../../builders/metrics/vmValues";
import { RELEASES } from "../../model/names";

/** Arguments of {@link VictoriaMetrics}. */
export interface VictoriaMetricsArgs {
  /** Namespace of the release. Required. */
  namespace: string;
  /** Phase-dependent settings; see `vmValues`. Required. */
  settings: VmInputs;
  /** What every child waits for besides what apply/ordering.ts adds. Default: none. */
  dependsOn?: pulumi.Resource[];
  /** Protect the release (production stacks): vmsingle's volume belongs to it. Default false. */
  protect?: boolean;
  /** Kubernetes provider; every child uses it. Required. */
  provider: k8s.Provider;
}

/** victoria-metrics-k8s-stack: vmsingle, vmagent, vmalert and Alertmanager by phase. */
export class VictoriaMetrics extends pulumi.ComponentResource {
  constructor(name: string, args: VictoriaMetricsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:metrics:VictoriaMetrics", name, {}, opts);
    const release = helmRelease(
      name,
      {
        release: RELEASES.vm,
        chart: versions.charts.victoriaMetricsStack,
        namespace: args.namespace,
        values: vmValues(args.settings),
      },
      {
        parent: this,
        provider: args.provider,
        dependsOn: args.dependsOn ?? [],
        protect: args.protect ?? false,
      },
    );
    // While KPS runs, one ServiceMonitor per running component keeps it (the Alertmanager above
    // all) scraped by Prometheus (vmServiceMonitor).
    for (const c of prometheusScrapedVmComponents(args.settings.caps))
      new k8s.apiextensions.CustomResource(
        `${name}-${c}-servicemonitor`,
        vmServiceMonitor(c, args.namespace),
        {
          parent: this,
          provider: args.provider,
          dependsOn: [release],
        },
      );
    this.registerOutputs({});
  }
}
