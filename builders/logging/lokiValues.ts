import type { LokiConfig } from "../../config/resolve";
import { sizing, type Resources, type Workload, type Profile } from "../../model/sizing";
import { lokiGatewayReplicas } from "../../model/auxiliaryPods";
import { S3_ENV, type ConsumerStorage } from "../../model/storage";
import { imageValues, versions } from "../../model/versions";
import { containerHardening, nonRootPod, PRIORITY_CLASSES } from "../security/hardening";
import { PART_OF_LABEL } from "../metadata";
import type { RuleGroup } from "../alerting/ruleGroup";
import { stringify } from "yaml";
import { withStackKeys } from "../../config/stackKeyPaths";
import { LOKI_SCHEMA_PERIOD } from "../../config/lokiValueCheck";
import {
  LOKI_DISTRIBUTED_CLAIMS,
  LOKI_DISTRIBUTED_WORKLOADS,
  type LokiDistributedComponent,
} from "../../config/sizing";
import {
  chartDeploymentMode,
  LOKI_TERMINATION_GRACE_SECONDS,
  lokiDistributedConfig,
  lokiDistributedValues,
  lokiIngesterConfig,
  lokiTargetReplicas,
} from "./lokiModes";

/** Inputs of {@link lokiValues}: validated Loki settings plus what the stack decided around them. */
export interface LokiInputs {
  loki: LokiConfig;
  storage: ConsumerStorage;
  /** Production: the gateway runs 2 replicas (the chart then adds a PodDisruptionBudget). Default false. */
  production?: boolean;
  profile: Profile;
  storageClass: string;
  /** Render ServiceMonitors (only when the Prometheus Operator CRDs exist). */
  serviceMonitor: boolean;
  /** Sizes from the declared workload (config/sizing.ts) that replace the profile's. Default none. */
  sized?: Partial<Record<Workload, Resources>>;
  /** The declared logs a day (workload.logsPerDay), which Distributed's replicas follow. Default none (its floors). */
  logsPerDayBytes?: number;
  /**
   * Loki's ruler: the Alertmanager it sends to (the phase's, model/endpoints.ts) and the tenant whose
   * rule directory holds the program's LogQL rules (ConfigMap {@link LOKI_RULES_CONFIGMAP}).
   * Default: the ruler's local directory is empty and it sends nowhere.
   */
  ruler?: { alertmanagerUrl: string; tenant: string };
  /**
   * Tolerations of every pool's taints (builders/security/hardening.ts `tolerationsFor`, the node
   * agents' own): the canary is a DaemonSet, so it runs on every node like them. Default none.
   */
  tolerations?: Record<string, any>[];
}

/** The ConfigMap holding the program's LogQL rule file (components/logging/loki.ts creates it). */
export const LOKI_RULES_CONFIGMAP = "loki-homelab-rules";
/** The key (file name, and the rule namespace Loki shows) of the rule file in that ConfigMap. */
export const LOKI_RULES_FILE = "homelab-logs.yaml";
/** Where the ruler's local rule store reads `<dir>/<tenant>/<file>` (pkg/ruler/rulestore/local/local.go). */
export const LOKI_RULES_DIR = "/etc/loki/rules";
/** The tenant Loki uses when auth_enabled is false (the rule directory is per tenant). */
export const LOKI_SINGLE_TENANT = "fake";

/** The object store Loki's schema writes to; the compactor's delete store must name the same. */
export function lokiObjectStore(storage: ConsumerStorage): "s3" | "filesystem" {
  return storage.kind === "s3" ? "s3" : "filesystem";
}

/**
 * How the loki chart takes a digest: on the tag. Its `loki.image` helper renders `@<digest>` in
 * place of the tag when `digest` (or `sha`) is set (loki 18.11.0 templates/_helpers.tpl
 * `$ref := ternary $tagRef $digestRef (empty $digestRef)`), so the reference would lose the tag.
 */
const LOKI_DIGEST_FORM = "tag";

/** `-config.expand-env=true` makes Loki expand `${AWS_ACCESS_KEY_ID}` from the pod environment. */
const EXPAND_ENV = ["-config.expand-env=true"];

/** The chart's `loki.storage`: S3 with its credentials as `${VAR}` references, or the filesystem. */
function lokiStorageValues(storage: LokiInputs["storage"]): Record<string, unknown> {
  return storage.kind === "s3"
    ? {
        type: "s3",
        // Chunks only: the ruler reads a local directory (rulerConfig below), and the admin
        // bucket serves only Enterprise Logs (model/storage.ts UNUSED_PURPOSES).
        bucketNames: { chunks: storage.locations.chunks!.bucket },
        s3: {
          endpoint: storage.endpoint,
          region: storage.region,
          accessKeyId: `\${${S3_ENV.accessKey}}`,
          secretAccessKey: `\${${S3_ENV.secretKey}}`,
          s3ForcePathStyle: storage.pathStyle,
          insecure: storage.plainHttp,
          ...(storage.skipVerify ? { http_config: { insecure_skip_verify: true } } : {}),
        },
      }
    : { type: "filesystem" };
}

/**
 * Values for the loki chart (grafana-community 18.x). Retention always comes with the compactor's
 * delete_request_store (Loki 3 crash-loops without it); credentials only as `${VAR}` references.
 * One literal that mirrors the chart's values.yaml tree, kept whole (over 120 lines) so it reads
 * side by side with the chart's own keys.
 */
export function lokiValues(input: LokiInputs): Record<string, any> {
  const { loki, storage, profile } = input;
  const replicas = lokiTargetReplicas(loki);
  const store = lokiObjectStore(storage);
  const envFrom = storage.kind === "s3" ? storage.envFrom : [];
  // Claims outlive the StatefulSet in every stack: with the flag on, the chart sets
  // persistentVolumeClaimRetentionPolicy from `<target>.persistence.whenDeleted|whenScaled`, default
  // Delete (loki 18.11.0 templates/_workload.tpl; the flag defaults to false for singleBinary and
  // write but true for backend, values.yaml), so
  // removing the release, or scaling down, deletes the logs (filesystem store) and the WAL and
  // compactor state (object store). Off, the chart renders no policy and Kubernetes retains them;
  // a reinstall reattaches the claims by name. The claim's size is loki.volumeSize, placed below
  // (withStackKeys) on every target and component with a claim.
  const persistence = {
    enabled: true,
    storageClass: input.storageClass,
    enableStatefulSetAutoDeletePVC: false,
  };
  // The rule file is mounted where the ruler runs: the single binary, or the backend target
  // (SimpleScalable; the read and write targets run no ruler).
  // Without rules the directory is an empty volume: the local rule store lists it and finds no
  // tenant (grafana/loki pkg/ruler/rulestore/local/local.go `ListAllUsers` reads the directory, and
  // fails when it is missing).
  const rules = input.ruler
    ? {
        extraVolumes: [{ name: "homelab-rules", configMap: { name: LOKI_RULES_CONFIGMAP } }],
        extraVolumeMounts: [
          { name: "homelab-rules", mountPath: `${LOKI_RULES_DIR}/${input.ruler.tenant}`, readOnly: true },
        ],
      }
    : {
        extraVolumes: [{ name: "homelab-rules", emptyDir: {} }],
        extraVolumeMounts: [{ name: "homelab-rules", mountPath: LOKI_RULES_DIR, readOnly: true }],
      };
  // Targets with a claim (all but read) are stateful: they preempt ordinary pods. Those holding
  // an ingester (monolithic, write) get the grace their flush needs (lokiModes.ts).
  // Each target's replicas come from its stack key, placed below (withStackKeys).
  const target = (workload: Parameters<typeof sizing>[1], ruler = false) => ({
    ...(workload !== "lokiRead" ? { priorityClassName: PRIORITY_CLASSES.stateful.name } : {}),
    ...(workload === "lokiSingleBinary" || workload === "lokiWrite"
      ? { terminationGracePeriodSeconds: LOKI_TERMINATION_GRACE_SECONDS }
      : {}),
    extraArgs: EXPAND_ENV,
    // Each target's own switch wins over `defaults` (loki 18.11.0 templates/_pod.tpl).
    automountServiceAccountToken: false,
    extraEnvFrom: envFrom,
    resources: sizing(profile, workload, input.sized),
    persistence,
    ...(ruler ? rules : {}),
  });
  // Distributed's components: the same shell, each sized as its own workload.
  const component = (c: LokiDistributedComponent) => ({
    ...(LOKI_DISTRIBUTED_CLAIMS.includes(c) ? { priorityClassName: PRIORITY_CLASSES.stateful.name } : {}),
    extraArgs: EXPAND_ENV,
    extraEnvFrom: envFrom,
    resources: sizing(profile, LOKI_DISTRIBUTED_WORKLOADS[c], input.sized),
    ...(c === "ruler" ? rules : {}),
  });

  const values = {
    // Chart 18 mounts the ServiceAccount token into every Loki pod by default
    // (`defaults.automountServiceAccountToken: true`, loki 18.11.0 values.yaml, templates/_pod.tpl);
    // Loki calls no Kubernetes API (the rules sidecar is off below).
    defaults: { automountServiceAccountToken: false },
    loki: {
      image: imageValues(versions.images.loki, LOKI_DIGEST_FORM),
      // The chart's user (10001) and container context plus seccomp RuntimeDefault, for every
      // Loki pod (loki.podSecurityContext / loki.containerSecurityContext, loki 18.11.0 values.yaml).
      podSecurityContext: { ...nonRootPod(10001), fsGroupChangePolicy: "OnRootMismatch" },
      containerSecurityContext: containerHardening({ readOnlyRoot: true }),
      schemaConfig: {
        configs: [
          // Never changed once written: the logs since `from` are read by it (config/lokiValueCheck.ts).
          {
            from: LOKI_SCHEMA_PERIOD.from,
            store: LOKI_SCHEMA_PERIOD.store,
            object_store: store,
            schema: LOKI_SCHEMA_PERIOD.schema,
            index: { ...LOKI_SCHEMA_PERIOD.index },
          },
        ],
      },
      storage: lokiStorageValues(storage),
      limits_config: {
        allow_structured_metadata: true,
        volume_enabled: true,
        // The level of every line as structured metadata `detected_level` (Loki 3's default, kept
        // explicit: the log error-rate rule reads it).
        discover_log_levels: true,
      },
      // The ruler always reads its rules from a local directory, never a bucket: the chart's ruler
      // storage helper yields `type: local` when rulerConfig says so and then needs no ruler bucket
      // (loki 18.11.0 templates/_helpers.tpl:254-256 loki.rulerStorageConfig), merged with this.
      rulerConfig: {
        storage: { type: "local", local: { directory: LOKI_RULES_DIR } },
        rule_path: "/var/loki/rules-tmp",
        ...(input.ruler ? { alertmanager_url: input.ruler.alertmanagerUrl, enable_api: true } : {}),
      },
      compactor: {
        working_directory: "/var/loki/compactor",
        compaction_interval: "10m",
        retention_enabled: true,
        retention_delete_worker_count: 150,
        delete_request_store: store,
      },
      // Reads naming the previous tenants beside loki.tenant (loki.previousTenants, only with
      // auth_enabled): the querier is wrapped by the multi-tenant one, which queries each tenant and
      // labels its lines and series __tenant_id__ (grafana/loki v3.7.6 pkg/loki/modules.go:567-569,
      // pkg/querier/multi_tenant_querier.go:30, 503-505). Written only then, so other stacks'
      // config is unchanged.
      ...(loki.authEnabled && loki.previousTenants.length > 0
        ? { querier: { multi_tenant_queries_enabled: true } }
        : {}),
      pattern_ingester: { enabled: true },
      ingester: lokiIngesterConfig(),
      ...lokiDistributedConfig(loki.mode),
    },
    singleBinary: target("lokiSingleBinary", true),
    write: target("lokiWrite"),
    // The read target is a Deployment without claims: chart 18 refuses a claim on a Deployment of
    // more than one replica (loki 18.11.0 templates/_workload.tpl, "Persistence with PVC is not
    // supported for Deployment"), and 6.x never gave it one either.
    read: { ...target("lokiRead"), persistence: { enabled: false } },
    backend: target("lokiBackend", true),
    ...lokiDistributedValues(loki, input.logsPerDayBytes, component, input.storageClass),
    // The chart's caches ask for ~9.8 GiB (chunks) and ~1.2 GiB (results) even in SingleBinary.
    chunksCache: { enabled: false },
    resultsCache: { enabled: false },
    // Neither Loki nor the canary calls the Kubernetes API (the rules sidecar is off below): no token.
    serviceAccount: { automountServiceAccountToken: false },
    gateway: {
      // Two in production, so a drain or a node loss never stops every push. From 2 replicas the
      // chart renders a PodDisruptionBudget, but since chart 18 only with a budget to put in it
      // (loki 18.11.0 templates/_pdb.tpl: no PDB when `maxUnavailable` and
      // `podDisruptionBudget.*` are all unset, and the gateway sets none): the 6.x one, kept.
      replicas: lokiGatewayReplicas(input.production === true),
      podDisruptionBudget: { maxUnavailable: 1 },
      podSecurityContext: nonRootPod(101),
      containerSecurityContext: containerHardening({ readOnlyRoot: true }),
      image: imageValues(versions.images.lokiGateway, LOKI_DIGEST_FORM),
      resources: sizing(profile, "lokiGateway"),
      // Chart 18 runs an access-log-exporter beside nginx for the gateway's metrics
      // (`gateway.metrics.enabled: true`, loki 18.11.0 values.yaml, templates/gateway/deployment.yaml):
      // pinned here so the arm64 policy and Renovate know the image.
      metrics: {
        image: imageValues(versions.images.lokiGatewayExporter, LOKI_DIGEST_FORM),
        resources: sizing(profile, "lokiGatewayExporter"),
      },
    },
    lokiCanary: {
      image: imageValues(versions.images.lokiCanary, LOKI_DIGEST_FORM),
      resources: sizing(profile, "lokiCanary"),
      // A DaemonSet: without the pools' taints tolerated it runs on no node of a tainted pool, and
      // the policy node-agents-on-every-pool refuses it (loki 18.11.0
      // templates/loki-canary/daemonset.yaml:138 writes `lokiCanary.tolerations` as they are).
      tolerations: input.tolerations ?? [],
    },
    // Loads rules from labelled ConfigMaps; pinned so the arm64 check knows the image.
    sidecar: {
      // With its registry: since chart 14.0 the chart puts `image.registry` (default docker.io) in
      // front of any repository (loki 18.11.0 README "From 13.x to 14.0.0").
      image: imageValues(versions.images.k8sSidecar, LOKI_DIGEST_FORM),
      resources: sizing(profile, "grafanaSidecar"),
      // The rules sidecar copies loki_rule ConfigMaps into /rules, which only a ruler with local
      // storage in that directory reads; ours reads LOKI_RULES_DIR (the program's own rule file),
      // so the sidecar would be a pod container doing nothing. Alerts on Loki live in PrometheusRules.
      rules: { enabled: false },
    },
    // The chart's helm test needs the canary and a Prometheus to query; CI here is our own.
    test: { enabled: false },
    monitoring: {
      serviceMonitor: { enabled: input.serviceMonitor, labels: { release: "homelab" } },
    },
    minio: { enabled: false },
  };
  // Where each stack key's value goes is config/stackKeyPaths.ts' table, which the config check
  // of chartValues overrides reads too.
  return withStackKeys("loki", values, {
    // The chart's own names (Monolithic since chart 12.0; builders/logging/lokiModes.ts).
    "loki.mode": chartDeploymentMode(loki.mode),
    "loki.replicas": replicas.singleBinary,
    "loki.write": replicas.write,
    "loki.read": replicas.read,
    "loki.backend": replicas.backend,
    "loki.replicationFactor": loki.replicationFactor,
    "loki.retention": loki.retention,
    "loki.deleteDelay": loki.deleteDelay,
    "loki.authEnabled": loki.authEnabled,
    "loki.canary": loki.canary,
    "loki.volumeSize": loki.volumeSize,
    "loki.gateway": loki.gateway,
  });
}

/** The ConfigMap the ruler's rule directory mounts: LogQL alerting rules for Loki's ruler. */
export function lokiRulesConfigMap(namespace: string, groups: RuleGroup[]) {
  return {
    metadata: { name: LOKI_RULES_CONFIGMAP, namespace, labels: { ...PART_OF_LABEL } },
    data: { [LOKI_RULES_FILE]: stringify({ groups }) },
  };
}
