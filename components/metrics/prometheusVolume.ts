import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { PROMETHEUS_PVC, PROMETHEUS_VOLUME_TYPE } from "../../model/storage";
import { prometheusVolumeClaim } from "../../builders/metrics/prometheusVolume";

/** Arguments of {@link PrometheusVolume}. */
export interface PrometheusVolumeArgs {
  /** Namespace of the claim (Prometheus's). Required. */
  namespace: string;
  /** Storage class of the claim. Required. */
  storageClass: string;
  /** Requested size (a Kubernetes quantity). Required. */
  size: string;
  /** Claim name. Default PROMETHEUS_PVC; a takeover keeps the running claim's name. */
  claimName?: string;
  /** Let Pulumi delete the claim when it leaves the program. Default false: retained. */
  allowDeletion?: boolean;
  /** Protect the claim (production stacks). Default false. */
  protect?: boolean;
  /** What the claim waits for besides what apply/ordering.ts adds. Default: none. */
  dependsOn?: pulumi.Resource[];
  /** Kubernetes provider; every child uses it. Required. */
  provider: k8s.Provider;
}

/**
 * Prometheus's PVC, created by the program under the name the operator's StatefulSet adopts, so
 * the TSDB is a resource with protect/retainOnDelete and survives kube-prometheus-stack's removal.
 */
export class PrometheusVolume extends pulumi.ComponentResource {
  constructor(name: string, args: PrometheusVolumeArgs, opts?: pulumi.ComponentResourceOptions) {
    super(PROMETHEUS_VOLUME_TYPE, name, {}, opts);
    new k8s.core.v1.PersistentVolumeClaim(
      name,
      prometheusVolumeClaim({
        claimName: args.claimName ?? PROMETHEUS_PVC,
        namespace: args.namespace,
        storageClass: args.storageClass,
        size: args.size,
      }),
      {
        parent: this,
        provider: args.provider,
        dependsOn: args.dependsOn ?? [],
        retainOnDelete: !(args.allowDeletion ?? false),
        protect: args.protect ?? false,
      },
    );
    this.registerOutputs({});
  }
}
