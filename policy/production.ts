import type { StackValidationPolicy } from "@pulumi/policy";
import { configOf, schemaFor, type Level } from "./lib/config";
import { helmOf, label, type Res, toRes } from "./lib/resources";
import { stackFacts } from "./lib/budget";

export interface ProductionConfig {
  /** Treat the stack as production; null reads the program's stack-info ConfigMap. */
  production: boolean | null;
  /** Charts whose removal destroys data (CRDs take every custom resource with them; operators delete PVCs they own). */
  dataBearingCharts: string[];
}
export const PRODUCTION_DEFAULTS: ProductionConfig = {
  production: null,
  dataBearingCharts: ["prometheus-operator-crds"],
};

const DATA_TYPES = new Set([
  "minio:index/s3Bucket:S3Bucket",
  "kubernetes:core/v1:PersistentVolumeClaim",
  "kubernetes:core/v1:PersistentVolume",
  "kubernetes:objectbucket.io/v1alpha1:ObjectBucketClaim",
  "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition",
]);

/** Why a resource holds data, or undefined. */
export function dataBearing(r: Res, charts: string[]): string | undefined {
  if (DATA_TYPES.has(r.type)) return "it stores data";
  const helm = helmOf(r);
  if (helm && charts.includes(helm.chart)) return `chart ${helm.chart} owns data (CRDs or volumes)`;
  if (
    helm?.chart === "victoria-metrics-k8s-stack" &&
    helm.values.vmsingle?.spec?.removePvcAfterDelete === true
  ) {
    return "vmsingle.spec.removePvcAfterDelete deletes the TSDB volume with the release";
  }
  if (
    r.type === "kubernetes:apps/v1:StatefulSet" &&
    (r.props.spec?.volumeClaimTemplates ?? []).length > 0 &&
    r.props.spec?.persistentVolumeClaimRetentionPolicy?.whenDeleted === "Delete"
  ) {
    return "its persistentVolumeClaimRetentionPolicy deletes the volumes with it";
  }
  return undefined;
}

/** In production stacks, buckets and volumes are protected or retained on delete. */
export function productionDataProtected(level: Level = "mandatory"): StackValidationPolicy {
  return {
    name: "production-data-protected",
    description: "In production stacks, every bucket, volume and data-owning release is protected.",
    enforcementLevel: level,
    configSchema: schemaFor(
      PRODUCTION_DEFAULTS as unknown as Record<string, unknown>,
      {
        production: "Whether the stack is production (null: read the stack-info ConfigMap).",
        dataBearingCharts: "Charts whose deletion destroys data.",
      },
      { production: { type: ["boolean", "null"] } },
    ),
    validateStack: (args, report) => {
      const cfg = configOf(args, PRODUCTION_DEFAULTS);
      const resources: Res[] = args.resources.map(toRes);
      const production = cfg.production ?? stackFacts(resources).production ?? false;
      if (!production) return;
      for (const pr of args.resources) {
        const r = toRes(pr);
        const why = dataBearing(r, cfg.dataBearingCharts);
        // The engine hands policies `protect` but not `retainOnDelete` (@pulumi/policy 1.21
        // server.js getResourceOptions), so only `protect` can be judged, live and offline alike.
        if (why && !pr.opts.protect) {
          report(
            `${label(r)}: ${why}, but it is not protected in a production stack; a removed line or a replacement would delete it. Set protect: true (and retainOnDelete: true).`,
            r.urn,
          );
        }
      }
    },
  };
}
