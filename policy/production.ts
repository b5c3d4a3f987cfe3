import type { StackValidationPolicy } from "@pulumi/policy";
import { configOf, schemaFor, type Level } from "./lib/config";
import { at, helmChartOf, helmOf, label, type Res, toRes } from "./lib/resources";
import { lokiChartConfig } from "./lib/loki";
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
  // The chart owns data whatever its values, even values the pack cannot read (helmOf gives none).
  const release = helmChartOf(r);
  if (release && charts.includes(release.chart)) return `chart ${release.chart} owns data (CRDs or volumes)`;
  const helm = helmOf(r);
  if (
    helm?.chart === "victoria-metrics-k8s-stack" &&
    helm.values.vmsingle?.spec?.removePvcAfterDelete === true
  ) {
    return "vmsingle.spec.removePvcAfterDelete deletes the TSDB volume with the release";
  }
  const loki = helm?.chart === "loki" ? lokiFilesystemData(helm.values) : undefined;
  if (loki) return loki;
  if (
    r.type === "kubernetes:apps/v1:StatefulSet" &&
    (r.props.spec?.volumeClaimTemplates ?? []).length > 0 &&
    r.props.spec?.persistentVolumeClaimRetentionPolicy?.whenDeleted === "Delete"
  ) {
    return "its persistentVolumeClaimRetentionPolicy deletes the volumes with it";
  }
  return undefined;
}

/**
 * Why a loki release's logs go with it: with a filesystem object store (`loki.storage.type`
 * filesystem, or a filesystem common storage / schema object_store in structuredConfig) every chunk
 * and index lives on the single binary's PVC, and the chart sets the StatefulSet's
 * persistentVolumeClaimRetentionPolicy from `singleBinary.persistence.whenDeleted` (default Delete)
 * whenever `enableStatefulSetAutoDeletePVC` (default true) and persistence are on (loki 6.49
 * templates/single-binary/statefulset.yaml): uninstalling the release deletes the claim.
 */
export function lokiFilesystemData(values: any): string | undefined {
  const config = lokiChartConfig(values);
  const objectStores = (config.schema_config?.configs ?? []).map((c: any) => c?.object_store);
  const filesystem =
    String(at(values, "loki.storage.type") ?? "s3") === "filesystem" ||
    (objectStores.length > 0 && objectStores.every((o: unknown) => o === "filesystem"));
  if (!filesystem) return undefined;
  const p = values.singleBinary?.persistence ?? {};
  const claimDeleted =
    (p.enabled ?? true) !== false &&
    (p.enableStatefulSetAutoDeletePVC ?? true) !== false &&
    String(p.whenDeleted ?? "Delete") === "Delete";
  if (!claimDeleted) return undefined;
  return "with the filesystem object store every log lives on the single binary's PVC, which the chart deletes with the release (singleBinary.persistence.whenDeleted Delete with enableStatefulSetAutoDeletePVC); retain the claim (whenDeleted: Retain) or protect the release";
}

/** Whether a resource or one of its ancestors is protected (children inherit `protect` from their parent). */
function protectedByAncestry(
  urn: string,
  byUrn: Map<string, { opts: { protect?: boolean; parent?: string } }>,
): boolean {
  const seen = new Set<string>();
  let cur = byUrn.get(urn);
  while (cur && !seen.has(urn)) {
    if (cur.opts.protect) return true;
    seen.add(urn);
    urn = cur.opts.parent ?? "";
    cur = byUrn.get(urn);
  }
  return false;
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
      {
        production: { type: ["boolean", "null"] },
        dataBearingCharts: { items: { type: "string", minLength: 1 } },
      },
    ),
    validateStack: (args, report) => {
      const cfg = configOf(args, PRODUCTION_DEFAULTS);
      const resources: Res[] = args.resources.map(toRes);
      const facts = stackFacts(resources);
      const production = cfg.production ?? facts.production ?? false;
      if (!production) return;
      // What the stack leaves unprotected on purpose (prometheus.cleanupVolumeOnRemoval, the update
      // before its deletion) is the stack's choice, which the change check says: not refused here.
      const released = new Set(Object.keys(facts.unprotected ?? {}));
      const byUrn = new Map(args.resources.map((pr) => [pr.urn, pr as any]));
      for (const pr of args.resources) {
        const r = toRes(pr);
        const why = dataBearing(r, cfg.dataBearingCharts);
        // The engine hands policies `protect` but not `retainOnDelete` (@pulumi/policy 1.21
        // server.js getResourceOptions), so only `protect` can be judged, live and offline alike.
        // Rendered objects of a release (and v4 Chart children) are protected with their parent.
        if (why && !protectedByAncestry(pr.urn, byUrn) && !released.has(pr.urn.split("::").pop() ?? "")) {
          report(
            `${label(r)}: ${why}, but it is not protected in a production stack; a removed line or a replacement would delete it. Set protect: true (and retainOnDelete: true).`,
            r.urn,
          );
        }
      }
    },
  };
}
