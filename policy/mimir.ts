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

/**
 * The Mimir modules a config is run as (`-target`), which decide the stores Mimir compares. The
 * mimir-distributed chart runs each component with its own target: its ruler and alertmanager
 * unless disabled. A raw config is run as its `target` (comma-separated), Mimir's default "all"
 * when it has none: a `-target` flag on a container's command line is not seen here.
 */
function chartTargets(values: any): string[] {
  return [
    ...(at(values, "ruler.enabled") === false ? [] : ["ruler"]),
    ...(at(values, "alertmanager.enabled") === false ? [] : ["alertmanager"]),
  ];
}
const targetsOf = (config: Record<string, any>): string[] =>
  (Array.isArray(config.target) ? config.target : String(config.target ?? "all").split(","))
    .map((t: unknown) => String(t).trim())
    .filter(Boolean);

/** Mimir configs in a resource: mimir-distributed structuredConfig, or raw Mimir YAML. */
function mimirConfigsIn(r: Res): { where: string; config: Record<string, any>; targets: string[] }[] {
  const helm = helmOf(r);
  if (helm && helm.chart === "mimir-distributed") {
    return [
      {
        where: "values.mimir.structuredConfig",
        config: at(helm.values, "mimir.structuredConfig") ?? {},
        targets: chartTargets(helm.values),
      },
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
      .map((x) => ({ where: x.where, config: x.doc!, targets: targetsOf(x.doc!) }))
  );
}

/**
 * The fields naming a store's bucket per backend, and what Mimir says when a store's equal the blocks
 * store's: grafana/mimir pkg/mimir/mimir.go validateBucketConfig at tag mimir-3.0.0 (commit
 * 3e9aeb4323, the version model/versions.ts pins). Other backends (filesystem, and the ruler's and
 * alertmanager's `local`) are not compared there; overlapping filesystem directories are another
 * check of Mimir's (validateFilesystemPaths), not this policy's.
 */
const BUCKET_CHECKS: Record<string, { fields: string[]; error: string }> = {
  s3: {
    fields: ["bucket_name"],
    error: "S3 bucket name and storage prefix cannot be the same as the one used in blocks storage config",
  },
  gcs: {
    fields: ["bucket_name"],
    error: "GCS bucket name and storage prefix cannot be the same as the one used in blocks storage config",
  },
  azure: {
    fields: ["container_name", "account_name"],
    error:
      "Azure container and account names and storage prefix cannot be the same as the ones used in blocks storage config",
  },
  swift: {
    fields: ["container_name", "project_name"],
    error:
      "Swift container and project names and storage prefix cannot be the same as the ones used in blocks storage config",
  },
};

/** One setting of a store as Mimir resolves it: its value and the key that set it. */
interface Setting {
  value: string;
  key: string;
}

/** Where a Mimir store keeps objects: backend, the bucket fields of that backend, and prefix. */
interface Location {
  backend: string;
  fields: Setting[];
  prefix: string;
}

/**
 * A store's location as Mimir resolves it: its own setting, else `common.storage`'s (which Mimir
 * copies into every store that does not set it), else Mimir's default (backend filesystem, no
 * bucket, no prefix). `storage_prefix` is a store's own: common.storage has none.
 */
function location(config: Record<string, any>, store: string): Location {
  const s = at(config, store) ?? {};
  const common = config.common?.storage ?? {};
  const backend = String(s.backend ?? common.backend ?? "filesystem");
  const fields = (BUCKET_CHECKS[backend]?.fields ?? []).map((f): Setting => {
    const own = s[backend]?.[f];
    if (own !== undefined) return { value: String(own), key: `${store}.${backend}.${f}` };
    const shared = common[backend]?.[f];
    return { value: String(shared ?? ""), key: `common.storage.${backend}.${f}` };
  });
  return { backend, fields, prefix: String(s.storage_prefix ?? "") };
}

/**
 * Whether Mimir refuses `store` beside the blocks store: same backend, same prefix and the same
 * bucket fields (validateBucketConfig). A field neither the store nor common.storage sets is not
 * known here (a chart's own config may set it), so it refuses nothing.
 */
function clashes(store: Location, blocks: Location): boolean {
  return (
    BUCKET_CHECKS[store.backend] !== undefined &&
    store.backend === blocks.backend &&
    store.prefix === blocks.prefix &&
    store.fields.every((f, i) => f.value !== "" && f.value === blocks.fields[i].value)
  );
}

/**
 * The stores Mimir compares with the blocks store (validateBucketConfigs), never with each other,
 * each when its module is targeted: ruler storage (targets all or ruler, isRulerEnabled),
 * alertmanager storage (alertmanager only, isAlertManagerEnabled: "all" runs no check of it) and
 * the experimental usage tracker's snapshots storage (usage-tracker).
 */
const comparedFor = (targets: string[]) => [
  ...(targets.includes("all") || targets.includes("ruler") ? ["ruler_storage"] : []),
  ...(targets.includes("alertmanager") ? ["alertmanager_storage"] : []),
  ...(targets.includes("usage-tracker") ? ["usage_tracker.snapshots_storage"] : []),
];

/**
 * Mimir refuses a ruler or alertmanager store in the blocks store's bucket with the same prefix
 * (grafana/mimir pkg/mimir/mimir.go validateBucketConfigs, tag mimir-3.0.0): each against the
 * blocks store only, so ruler and alertmanager may share a bucket (mimir-distributed's own MinIO
 * default puts both in "mimir-ruler"). Each component checks its own store when it starts; the
 * chart runs ruler and alertmanager as components of their own, so both are judged.
 */
export function mimirDistinctStorage(level: Level = "mandatory"): ResourceValidationPolicy {
  return {
    name: "mimir-distinct-storage",
    description:
      "Mimir's ruler and alertmanager storage must not share the blocks storage's bucket and prefix.",
    enforcementLevel: level,
    validateResource: forTypes(HELM_AND_TEXT_TYPES, (args, report) => {
      const r = toRes(args);
      for (const { where, config, targets } of mimirConfigsIn(r)) {
        const blocks = location(config, "blocks_storage");
        const clashing = comparedFor(targets).filter((s) => clashes(location(config, s), blocks));
        // Stores whose clash comes from the same keys (common.storage setting one bucket for all)
        // are one mistake: one message naming the key the user set.
        const byKeys = new Map<string, string[]>();
        for (const s of clashing) {
          const keys = [...new Set([...location(config, s).fields, ...blocks.fields].map((f) => f.key))];
          const k = keys.join(", ");
          byKeys.set(k, [...(byKeys.get(k) ?? []), s]);
        }
        for (const [keys, stores] of byKeys) {
          const named = blocks.fields.map((f) => `"${f.value}"`).join("/");
          const them = stores.join(stores.length > 2 ? ", " : " and ").replace(/, ([^,]*)$/, " and $1");
          report(
            `${label(r)}: ${where}: ${them} ${stores.length > 1 ? "use" : "uses"} blocks_storage's ${blocks.backend} bucket ${named} (${keys}) with storage_prefix "${blocks.prefix}"; Mimir refuses to start: "${BUCKET_CHECKS[blocks.backend].error}" (pkg/mimir/mimir.go validateBucketConfig). Give ${them} ${stores.length > 1 ? "their" : "its"} own ${BUCKET_CHECKS[blocks.backend].fields.join("/")} or a storage_prefix.`,
          );
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
