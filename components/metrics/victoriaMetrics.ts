import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { helmRelease } from "../helm";
import { versions } from "../versions";
import { vmsingleUrl, vmValues, type VmInputs } from "./vmValues";

/** Arguments of {@link VictoriaMetrics}. */
export interface VictoriaMetricsArgs {
  namespace: string;
  /** Phase-dependent settings; see `vmValues`. */
  settings: VmInputs;
  /** Alertmanager Secrets (from backend-primary). */
  dependsOn?: pulumi.Resource[];
  /** Protect the release (production stacks): vmsingle's volume belongs to it. Default false. */
  protect?: boolean;
  /** Kubernetes provider; every child uses it. */
  provider: k8s.Provider;
}

/** victoria-metrics-k8s-stack: vmsingle, vmagent, vmalert and Alertmanager by phase. */
export class VictoriaMetrics extends pulumi.ComponentResource {
  readonly pushUrl: string;
  readonly queryUrl: string;
  constructor(name: string, args: VictoriaMetricsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:metrics:VictoriaMetrics", name, {}, opts);
    helmRelease(name, "vm", versions.charts.victoriaMetricsStack, args.namespace, vmValues(args.settings), {
      parent: this,
      provider: args.provider,
      dependsOn: args.dependsOn ?? [],
      protect: args.protect ?? false,
    });
    this.queryUrl = vmsingleUrl(args.namespace);
    this.pushUrl = `${this.queryUrl}/api/v1/write`;
    this.registerOutputs({ pushUrl: this.pushUrl, queryUrl: this.queryUrl });
  }
}
