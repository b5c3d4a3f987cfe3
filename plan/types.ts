import type { ImageMirrors } from "@homelab-observability/contract";
import type { StackConfig } from "../config/resolve";
import type { BucketPlan, Consumer } from "../model/storage";
import type { AlertmanagerInputs } from "../builders/alerting/alertmanagerConfig";
import type { RuleGroup } from "../builders/alerting/rules";
import type { LokiInputs } from "../builders/logging/lokiValues";
import type { AlloyClusterInput, AlloyLogsInput } from "../builders/logging/alloyConfig";
import type { VectorInput } from "../builders/logging/vectorConfig";
import type { MimirInputs } from "../builders/metrics/mimirConfig";
import type { VmInputs } from "../builders/metrics/vmValues";
import type { KpsInputs } from "../builders/metrics/kpsValues";
import type { ScraperAccount } from "../builders/metrics/exporterValues";
import type { GrafanaInputs } from "../builders/grafana/grafanaValues";
import type { PhaseCapabilities } from "../model/phases";
import type { Endpoints } from "../model/endpoints";
import type { MinioScrape } from "../builders/objectstore/minioMetrics";
import type { Adoption } from "./takeover";
import type { Resources } from "../model/sizing";
import type { Sizing } from "../config/sizing";
import type { MimirTargetSpec } from "../builders/metrics/mimirValues";
import type { Guarded } from "../builders/security/networkPolicies";
import type { AgentPlacement } from "../builders/security/podSecurity";
import type { AgentScheduling, PriorityClassSpec } from "../builders/security/hardening";

/**
 * What a component must exist after, besides what apply/ordering.ts adds by itself (the
 * namespace for every Kubernetes object, the CRD release for every release and custom resource, a
 * Secret for everything that names it).
 */
export type WaitFor =
  | { kind: "crds" }
  | { kind: "storage"; consumer: Consumer }
  | { kind: "prometheus-volume" }
  | { kind: "kube-prometheus-stack" };

/**
 * One component's inputs (without providers and resources) and what it waits for: every entry
 * has the same shape, an empty `waitsFor` when it waits for nothing, and apply/stack.ts passes
 * the waits to every component as `dependsOn` the same way.
 */
export interface Planned<T> {
  inputs: T;
  waitsFor: WaitFor[];
}

/** A namespace the program creates (or adopts) with its Pod Security labels. */
export interface NamespaceInputs {
  name: string;
  protect: boolean;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/**
 * Every component of a stack with its inputs, from validated config alone: pure, no Pulumi. The
 * composition root (apply/stack.ts) creates exactly what this lists, in this order, and
 * decides nothing itself. Absent entries are components the phase does not run.
 */
export interface StackPlan {
  caps: PhaseCapabilities;
  endpoints: Endpoints;
  /** What each component is sized for (config/sizing.ts), for the budget. */
  sizing: Sizing;
  /** What already runs and is imported rather than created (takeover, retained buckets). */
  adoptions: Adoption[];
  /** The cluster the Kubernetes provider reaches: the stack's pinned context and its kubeconfig. */
  cluster: { context?: string; kubeconfig?: string };
  namespace: Planned<NamespaceInputs>;
  /** The node agents' namespace; absent while they stay in the stack's (agents.step stay). */
  agentsNamespace?: Planned<NamespaceInputs>;
  /** Default-deny namespaces and one policy per guarded group. */
  networkPolicies: Planned<{ defaultDeny: string[]; policies: Guarded[] }>;
  stackInfo: Planned<{ namespace: string; data: Record<string, string> }>;
  /** The priority classes node agents and stateful backends run at (cluster-scoped). */
  priorityClasses: Planned<{ classes: PriorityClassSpec[] }>;
  secrets: Planned<{
    backend: StackConfig["secrets"];
    namespace: string;
    needs: {
      minioAdmin: boolean;
      garageAdmin: boolean;
      pushover: boolean;
      heartbeat: boolean;
      receivers: { name: string; key: string; item: string }[];
    };
    existingGrafanaAdmin?: string;
  }>;
  objectStore: Planned<{
    plan: BucketPlan;
    store: StackConfig["objectStore"];
    namespace: string;
    /** MinIO's cluster metrics (minio store only). */
    metrics?: MinioScrape;
  }>;
  crds: Planned<{ namespace: string; protect: boolean }>;
  rules: Planned<{ namespace: string; ruleSets: Record<string, RuleGroup[]> }>;
  /** Loki, with the LogQL rules its ruler evaluates (sent to the phase's Alertmanager). */
  loki: Planned<{ namespace: string; protect: boolean; settings: LokiInputs; logRules: RuleGroup[] }>;
  mimir?: Planned<{
    namespace: string;
    profile: StackConfig["profile"];
    storageClass: string;
    volumeSize: string;
    resources?: Resources;
    settings: MimirInputs;
    /** The scaled-out shape's groups (config/sizing.ts `mimirReadWriteShape`); absent: monolithic. */
    readWrite?: { write: MimirTargetSpec; read: MimirTargetSpec; backend: MimirTargetSpec };
  }>;
  victoriaMetrics?: Planned<{ namespace: string; protect: boolean; settings: VmInputs }>;
  alertmanager?: Planned<{
    namespace: string;
    profile: StackConfig["profile"];
    alerting: AlertmanagerInputs;
    /** Class of its claim (silences, notification log): storageClasses.default. */
    storageClass: string;
  }>;
  prometheusVolume?: Planned<{
    namespace: string;
    storageClass: string;
    size: string;
    claimName: string;
    allowDeletion: boolean;
    protect: boolean;
  }>;
  kubePrometheusStack?: Planned<{ namespace: string; settings: KpsInputs }>;
  /** Absent only while a running KPS is being imported (its own node-exporter still runs). */
  exporters?: Planned<{
    namespace: string;
    nodeExporter: AgentPlacement;
    profile: StackConfig["profile"];
    kubeStateMetrics: boolean;
    scheduling: AgentScheduling;
    /** Who scrapes node-exporter through its kube-rbac-proxy: the phase's scraper's account. */
    scrapers: ScraperAccount[];
  }>;
  alloy?: Planned<{
    namespace: string;
    /** Where the per-node DaemonSet runs (the cluster replica stays in `namespace`). */
    nodePlacement: AgentPlacement;
    profile: StackConfig["profile"];
    scheduling: AgentScheduling;
    node?: AlloyLogsInput;
    cluster?: AlloyClusterInput;
  }>;
  vector?: Planned<{
    placement: AgentPlacement;
    profile: StackConfig["profile"];
    settings: VectorInput;
    scheduling: AgentScheduling;
  }>;
  grafana: Planned<{ namespace: string; protect: boolean; settings: GrafanaInputs }>;
  /** What the stack exports. */
  outputs: StackOutputs;
  /** `chartValues`: Helm values per chart name, merged last into that chart's releases (apply/chartValues.ts). */
  chartValues: Record<string, Record<string, unknown>>;
  /** `imageMirrors`: the registries whose pinned images are named through a mirror (apply/imageMirror.ts). */
  imageMirrors: ImageMirrors;
}

/** What the stack exports: where things are, never a credential. */
export interface StackOutputs {
  /** The migration phase this update deploys (the config's `phase`). */
  phase: string;
  /** Where people open Grafana (the config's `grafana.url`). */
  grafanaUrl: string;
  /** Where the log agents push (Loki's write path). */
  lokiPushUrl: string;
  /** Where metrics are written (Prometheus remote_write target, or the agents' target). */
  metricsRemoteWriteUrl?: string;
  /** The default Grafana metrics datasource's URL in this phase. */
  metricsQueryUrl: string;
  /** Every bucket the consumers read or write (referenced ones first), for the stack's outputs. */
  bucketNames: string[];
  /**
   * Deletions and replacements this update makes on purpose, by resource name, each with why:
   * the change check (`npm run synth -- --against`) lets them pass where it would refuse an
   * unplanned one (a planned Release move still must lose nothing).
   */
  plannedChanges: Record<string, string>;
  /** Every value `chartValues` sets, as `chart.path.to.key` (a key holding a dot quoted, `chart.podAnnotations["a.b/c"]`, as `pulumi config set --path` reads it); absent when none (builders/chartValues.ts). */
  chartValueOverrides?: string[];
}

/** Nothing to wait for. */
export const none = (): WaitFor[] => [];
/** Waits for the CRD release. */
export const crds: WaitFor = { kind: "crds" };
/** Resource name of the Prometheus claim (apply/stack.ts names its component so). */
export const PROMETHEUS_VOLUME_RESOURCE = "prometheus-volume";
