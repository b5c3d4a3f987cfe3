import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { PROMETHEUS_PVC } from "../../model/storage";

/** Arguments of {@link PrometheusVolume}. */
export interface PrometheusVolumeArgs {
  namespace: string;
  storageClass: string;
  size: string;
  /** Claim name. Default PROMETHEUS_PVC; a takeover keeps the running claim's name. */
  claimName?: string;
  /** Let Pulumi delete the claim when it leaves the program. Default false: retained. */
  allowDeletion?: boolean;
  /** Protect the claim (production stacks). Default false. */
  protect?: boolean;
  /** Kubernetes provider; every child uses it. */
  provider: k8s.Provider;
}

/**
 * Prometheus's PVC, created by the program under the name the operator's StatefulSet adopts, so
 * the TSDB is a resource with protect/retainOnDelete and survives kube-prometheus-stack's removal.
 */
export class PrometheusVolume extends pulumi.ComponentResource {
  constructor(name: string, args: PrometheusVolumeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:metrics:PrometheusVolume", name, {}, opts);
    new k8s.core.v1.PersistentVolumeClaim(
      name,
      {
        metadata: {
          name: args.claimName ?? PROMETHEUS_PVC,
          namespace: args.namespace,
          labels: { "app.kubernetes.io/part-of": "homelab-observability" },
        },
        spec: {
          storageClassName: args.storageClass,
          accessModes: ["ReadWriteOnce"],
          resources: { requests: { storage: args.size } },
        },
      },
      {
        parent: this,
        provider: args.provider,
        retainOnDelete: !(args.allowDeletion ?? false),
        protect: args.protect ?? false,
      },
    );
    this.registerOutputs({});
  }
}
