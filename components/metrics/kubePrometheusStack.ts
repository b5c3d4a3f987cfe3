import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { helmRelease } from "../helm";
import { versions } from "../../model/versions";
import { kpsValues, type KpsInputs } from "../../builders/metrics/kpsValues";
import { RELEASES } from "../../model/names";

/** Arguments of {@link KubePrometheusStack}. */
export interface KubePrometheusStackArgs {
  /** Namespace of the release. Required. */
  namespace: string;
  /** Phase-dependent settings; see `kpsValues`. Required. */
  settings: KpsInputs;
  /**
   * What the release waits for besides what apply/ordering.ts adds (the Prometheus volume).
   * Default: none.
   */
  dependsOn?: pulumi.Resource[];
  /** Kubernetes provider; every child uses it. Required. */
  provider: k8s.Provider;
}

/** kube-prometheus-stack without its CRDs and Grafana (those are separate releases). */
export class KubePrometheusStack extends pulumi.ComponentResource {
  constructor(name: string, args: KubePrometheusStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:metrics:KubePrometheusStack", name, {}, opts);
    helmRelease(
      name,
      {
        release: RELEASES.kubePrometheusStack,
        chart: versions.charts.kubePrometheusStack,
        namespace: args.namespace,
        values: kpsValues(args.settings),
      },
      {
        parent: this,
        provider: args.provider,
        dependsOn: args.dependsOn ?? [],
      },
    );
    this.registerOutputs({});
  }
}
