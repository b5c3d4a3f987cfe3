import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configOf, schemaFor, type Level } from "./lib/config";
import {
  at,
  HELM_AND_TEXT_TYPES,
  HELM_TYPES,
  helmOf,
  label,
  holdsDashboards,
  parseDoc,
  textDataOf,
  type Res,
  toRes,
} from "./lib/resources";
import { forTypes } from "./lib/typed";

/** Mimir configs in a resource: mimir-distributed structuredConfig, or raw Mimir YAML. */
function mimirConfigsIn(r: Res): { where: string; config: Record<string, any> }[] {
  const helm = helmOf(r);
  if (helm && helm.chart === "mimir-distributed") {
    return [
      { where: "values.mimir.structuredConfig", config: at(helm.values, "mimir.structuredConfig") ?? {} },
    ];
  }
  if (holdsDashboards(r)) return [];
  return (
    textDataOf(r)
      // A text that does not spell either key cannot hold it (the filter below): no parse for it.
      .filter(({ text }) => text.includes("blocks_storage") || text.includes("ruler_storage"))
      .map(({ key, text, field }) => ({ where: `${field}["${key}"]`, doc: parseDoc(text) }))
      .filter(
        (x) =>
          x.doc &&
          ("blocks_storage" in x.doc || "ruler_storage" in x.doc) &&
          ("common" in x.doc || "limits" in x.doc || "blocks_storage" in x.doc),
      )
      .map((x) => ({ where: x.where, config: x.doc! }))
  );
}

/** Where a Mimir store keeps objects: backend, bucket (or dir) and prefix. */
function location(
  config: Record<string, any>,
  store: string,
): { backend: string; bucket: string; prefix: string } {
  const s = config[store] ?? {};
  const common = config.common?.storage ?? {};
  const backend = s.backend ?? common.backend ?? "filesystem";
  const bucket =
    backend === "filesystem"
      ? (s.filesystem?.dir ??
        common.filesystem?.dir ??
        { blocks_storage: "blocks", ruler_storage: "ruler", alertmanager_storage: "alertmanager" }[store])
      : (s[backend]?.bucket_name ?? common[backend]?.bucket_name ?? "");
  return { backend, bucket: String(bucket), prefix: String(s.storage_prefix ?? "") };
}

/** Mimir refuses a ruler or alertmanager store equal to the blocks bucket and prefix. */
export function mimirDistinctStorage(level: Level = "mandatory"): ResourceValidationPolicy {
  return {
    name: "mimir-distinct-storage",
    description: "Mimir's blocks, ruler and alertmanager storage must not share a bucket and prefix.",
    enforcementLevel: level,
    validateResource: forTypes(HELM_AND_TEXT_TYPES, (args, report) => {
      const r = toRes(args);
      for (const { where, config } of mimirConfigsIn(r)) {
        const stores = ["blocks_storage", "ruler_storage", "alertmanager_storage"].map((s) => ({
          s,
          loc: location(config, s),
        }));
        for (let i = 0; i < stores.length; i++) {
          for (let j = i + 1; j < stores.length; j++) {
            const a = stores[i];
            const b = stores[j];
            if (
              a.loc.backend === b.loc.backend &&
              a.loc.bucket === b.loc.bucket &&
              a.loc.bucket !== "" &&
              a.loc.prefix === b.loc.prefix
            ) {
              report(
                `${label(r)}: ${where}: ${a.s} and ${b.s} both use ${a.loc.backend} bucket "${a.loc.bucket}" with prefix "${a.loc.prefix}"; Mimir fails with "S3 bucket name and storage prefix cannot be the same as the one used in blocks storage config". Give each its own bucket or storage_prefix.`,
              );
            }
          }
        }
      }
    }),
  };
}

export interface RemoteWriteLabelsConfig {
  /** The replica label Mimir's HA tracker expects. */
  replicaLabel: string;
}
const RW_DEFAULTS: RemoteWriteLabelsConfig = { replicaLabel: "__replica__" };

/** Where a Prometheus spec lives: kube-prometheus-stack values, or a Prometheus custom resource. */
const PROMETHEUS_TYPES: ReadonlySet<string> = new Set([
  ...HELM_TYPES,
  "kubernetes:monitoring.coreos.com/v1:Prometheus",
]);

const isMimirPush = (url: unknown) => typeof url === "string" && /\/api\/v1\/push\b/.test(url);

/** remote_write to Mimir without cluster and replica labels breaks HA dedup and per-cluster queries. */
export function mimirRemoteWriteLabels(level: Level = "advisory"): ResourceValidationPolicy {
  return {
    name: "mimir-remote-write-labels",
    description:
      "Prometheus remote_write to a Mimir push endpoint should carry the cluster external label and the HA replica label.",
    enforcementLevel: level,
    configSchema: schemaFor(RW_DEFAULTS as unknown as Record<string, unknown>, {
      replicaLabel: "Replica label Mimir deduplicates on.",
    }),
    validateResource: forTypes(PROMETHEUS_TYPES, (args, report) => {
      const cfg = configOf(args, RW_DEFAULTS);
      const r = toRes(args);
      const helm = helmOf(r);
      let spec: any;
      let where = "";
      if (helm && helm.chart === "kube-prometheus-stack") {
        spec = at(helm.values, "prometheus.prometheusSpec") ?? {};
        where = "values.prometheus.prometheusSpec";
      } else if (r.type === "kubernetes:monitoring.coreos.com/v1:Prometheus") {
        spec = r.props.spec ?? {};
        where = "spec";
      } else return;
      const targets = (spec.remoteWrite ?? []).filter((rw: any) => isMimirPush(rw?.url));
      if (targets.length === 0) return;
      if (!spec.externalLabels?.cluster) {
        report(
          `${label(r)}: remote_write to ${targets[0].url} without ${where}.externalLabels.cluster; series from different clusters collide and Mimir's HA tracker cannot group them. Set externalLabels.cluster.`,
        );
      }
      if (spec.replicaExternalLabelName !== cfg.replicaLabel) {
        report(
          `${label(r)}: remote_write to ${targets[0].url} with ${where}.replicaExternalLabelName ${spec.replicaExternalLabelName === undefined ? "unset (operator default prometheus_replica)" : `"${spec.replicaExternalLabelName}"`}; Mimir deduplicates HA pairs on "${cfg.replicaLabel}". Set replicaExternalLabelName: "${cfg.replicaLabel}".`,
        );
      }
    }),
  };
}
