import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { helmRelease } from "../helm";
import { versions } from "../../model/versions";
import { kpsValues, prometheusUrl, type KpsInputs } from "../../builders/metrics/kpsValues";
import { RELEASES } from "../../model/names";

/** Arguments of {@link KubePrometheusStack}. */
export interface KubePrometheusStackArgs {
  namespace: string;
  /** Phase-dependent settings; see `kpsValues`. */
  settings: KpsInputs;
  /** CRDs, the Prometheus volume and the Alertmanager Secrets it needs first. */
  dependsOn?: pulumi.Resource[];
  /** Kubernetes provider; every child uses it. */
  provider: k8s.Provider;
}

/** kube-prometheus-stack without its CRDs and Grafana (those are separate releases). */
export class KubePrometheusStack extends pulumi.ComponentResource {
  readonly prometheusUrl: string;
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
    this.prometheusUrl = prometheusUrl(args.namespace, args.settings.fullname);
    this.registerOutputs({ prometheusUrl: this.prometheusUrl });
  }
}
