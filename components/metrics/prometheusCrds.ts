import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { helmRelease } from "../helm";
import { versions } from "../../model/versions";
import { RELEASES } from "../../model/names";

/** Arguments of {@link PrometheusCrds}. */
export interface PrometheusCrdsArgs {
  /** Namespace of the release. Required. */
  namespace: string;
  /** Protect the release from deletion (production stacks). Default false. */
  protect?: boolean;
  /** What the release waits for. Default: none. */
  dependsOn?: pulumi.Resource[];
  /** Kubernetes provider; every child uses it. Required. */
  provider: k8s.Provider;
}

/**
 * The Prometheus Operator CRDs as their own release from the first phase, retained on delete:
 * ServiceMonitors and PrometheusRules (and the data they describe) outlive kube-prometheus-stack.
 */
export class PrometheusCrds extends pulumi.ComponentResource {
  readonly release: k8s.helm.v3.Release;
  constructor(name: string, args: PrometheusCrdsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:metrics:PrometheusCrds", name, {}, opts);
    this.release = helmRelease(
      name,
      {
        release: RELEASES.prometheusOperatorCrds,
        chart: versions.charts.prometheusOperatorCrds,
        namespace: args.namespace,
        values: {},
      },
      {
        parent: this,
        provider: args.provider,
        dependsOn: args.dependsOn ?? [],
        retainOnDelete: true,
        protect: args.protect ?? false,
      },
    );
    this.registerOutputs({});
  }
}
