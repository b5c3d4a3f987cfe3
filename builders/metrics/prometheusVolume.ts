import { claimSpec } from "../core/claim";
import { PART_OF_LABEL } from "../metadata";

/** Prometheus's TSDB claim as the program creates it. */
export interface PrometheusVolumeSpec {
  /** The claim name the operator's StatefulSet adopts (`prometheusClaim` in model/storage.ts). */
  claimName: string;
  namespace: string;
  storageClass: string;
  size: string;
}

/**
 * The PersistentVolumeClaim the Prometheus StatefulSet adopts by name, so the TSDB is the program's
 * resource (protect, retainOnDelete) and survives kube-prometheus-stack's removal.
 */
export function prometheusVolumeClaim(spec: PrometheusVolumeSpec) {
  return {
    metadata: { name: spec.claimName, namespace: spec.namespace, labels: { ...PART_OF_LABEL } },
    spec: claimSpec(spec.storageClass, spec.size),
  };
}
