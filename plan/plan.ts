import type { StackConfig } from "../config/resolve";
import { parseQuantity } from "../config/resolve";
import { planBuckets } from "../config/buckets";
import { prometheusClaim, type BucketPlan, type Consumer, type ConsumerStorage } from "../model/storage";
import { stackInfoData } from "../builders/stackInfo";
import type { AlertmanagerInputs } from "../builders/alerting/alertmanagerConfig";
import { programRuleSets, RULE_LABEL, type RuleGroup } from "../builders/alerting/rules";
import type { LokiInputs } from "../builders/logging/lokiValues";
import type { AlloyClusterInput, AlloyLogsInput } from "../builders/logging/alloyConfig";
import type { VectorInput } from "../builders/logging/vectorConfig";
import type { MimirInputs } from "../builders/metrics/mimirConfig";
import type { VmInputs } from "../builders/metrics/vmValues";
import type { KpsInputs } from "../builders/metrics/kpsValues";
import { scraperAccount, type ScraperAccount } from "../builders/metrics/exporterValues";
import { replicaLabelFor } from "../builders/metrics/remoteWrite";
import type { GrafanaInputs } from "../builders/grafana/grafanaValues";
import { capabilities, type PhaseCapabilities } from "../model/phases";
import {
  endpoints,
  minioMetricsEndpoint,
  objectStoreReach,
  phaseAlertmanagerUrl,
  RELEASES,
  type Endpoints,
} from "../model/endpoints";
import type { MinioScrape } from "../builders/objectstore/minioMetrics";
import { logRules } from "../builders/alerting/logRules";
import { LOKI_SINGLE_TENANT } from "../builders/logging/lokiValues";
import { consumerStorage } from "./storage";
import { planAdoptions, type Adoption } from "./takeover";
import type { Resources } from "../model/sizing";
import {
  mimirReadWriteShape,
  planSizing,
  vmClusterShape,
  type MimirTargetShape,
  type Sizing,
} from "../config/sizing";
import type { MimirTargetSpec } from "../builders/metrics/mimirValues";
import { planNetwork, type EgressInputs } from "./network";
import { stackEmitters } from "./emitters";
import type { Guarded } from "../builders/security/networkPolicies";
import { GRAFANA_SIDECAR_ROLE, GRAFANA_SIDECAR_RULES } from "../builders/grafana/grafanaValues";
import {
  alloyClusterDeclarations,
  alloyNodeDeclarations,
  alloyRbac,
  KUBE_SCRAPES,
} from "../builders/logging/alloyConfig";
import { prometheusName } from "../model/services";
import {
  VM_OPERATOR_ACCOUNT,
  VMAGENT_ACCOUNT,
  vmagentRbacObjects,
  vmOperatorRbacObjects,
} from "../builders/metrics/vmRbac";
import {
  NETWORK_POLICIES_DEFERRED,
  podSecurityLabels,
  type AgentPlacement,
  type PodSecurityLevel,
} from "../builders/security/podSecurity";
import {
  agentScheduling,
  PRIORITY_CLASSES,
  type AgentScheduling,
  type PriorityClassSpec,
} from "../builders/security/hardening";

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

/** Vector's disk buffer: its minimum is 268435488 bytes (just above 256 MiB); 512 MiB leaves room. */
export const VECTOR_BUFFER_BYTES = 512 * 2 ** 20;

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
    needs: { minioAdmin: boolean; pushover: boolean; heartbeat: boolean };
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
  outputs: {
    phase: string;
    /** Where people open Grafana (the config's `grafana.url`). */
    grafanaUrl: string;
    lokiPushUrl: string;
    metricsRemoteWriteUrl?: string;
    metricsQueryUrl: string;
    /** Every bucket the consumers read or write (referenced ones first), for the stack's outputs. */
    bucketNames: string[];
    /**
     * Deletions and replacements this update makes on purpose, by resource name, each with why:
     * the change check (`npm run synth -- --against`) lets them pass where it would refuse an
     * unplanned one (a planned Release move still must lose nothing).
     */
    plannedChanges: Record<string, string>;
  };
}

const none = (): WaitFor[] => [];
/** Resource name of the Prometheus claim (apply/stack.ts names its component so). */
export const PROMETHEUS_VOLUME_RESOURCE = "prometheus-volume";
const crds: WaitFor = { kind: "crds" };

/** The stack's plan: every component's inputs from the phase table, the endpoints and the config. */
export function planStack(cfg: StackConfig): StackPlan {
  const ns = cfg.namespace;
  const caps = capabilities(cfg.phase, cfg.metricsBackend);
  const kpsFullname = cfg.takeover?.kpsFullname;
  const promClaim = prometheusClaim(kpsFullname ?? RELEASES.kps, cfg.takeover?.prometheusVolume);
  // The VictoriaMetrics cluster version only for a declared workload one vmsingle cannot hold.
  const vmCluster = caps.backend ? vmClusterShape(cfg) : undefined;
  // Mimir scaled out only for a declared workload one monolithic Mimir cannot hold.
  const mimirRw = caps.backend ? mimirReadWriteShape(cfg) : undefined;
  const ep = endpoints(ns, cfg.loki, kpsFullname, !!vmCluster, !!mimirRw);
  const mimirBackend = cfg.metricsBackend === "mimir";
  const buckets = planBuckets(cfg);
  const storage = (c: Consumer): ConsumerStorage => consumerStorage(buckets, cfg.objectStore, c);
  const storageWait = (c: Consumer): WaitFor[] =>
    buckets.consumers.some((p) => p.consumer === c) ? [{ kind: "storage", consumer: c }] : [];

  const alerting: AlertmanagerInputs = {
    pushover: cfg.alerting.pushover,
    pushoverPriority: cfg.alerting.pushoverPriority,
    heartbeat: cfg.alerting.heartbeat,
    heartbeatInterval: cfg.alerting.heartbeatInterval,
  };
  const tenant = mimirBackend && cfg.mimir.multitenancy ? cfg.mimir.tenant : undefined;
  const backendEp = mimirBackend ? ep.mimir : ep.victoriametrics;
  const backendPushUrl = caps.backend ? backendEp.push : undefined;
  const lokiTenant = cfg.loki.authEnabled ? cfg.loki.tenant : undefined;
  const sized = planSizing(cfg);
  // Node agents run on every pool the config declares, first.
  const scheduling = agentScheduling(cfg.nodePools);
  // MinIO's capacity: scraped from the address pods use (objectStore.endpoint).
  const minioScrape =
    cfg.objectStore.type === "minio" ? minioMetricsEndpoint(cfg.objectStore.endpoint) : undefined;

  // Pod Security: the agents need privileged (host paths, host network); the rest passes baseline
  // and is warned about at restricted. While the agents stay, the stack's namespace keeps privileged.
  const step = cfg.agents.step;
  const agentsNs = step === "stay" ? ns : cfg.agents.namespace;
  const placement: AgentPlacement = {
    namespace: agentsNs,
    moved: step !== "stay",
    ...(step === "handover" ? { parkedIn: ns } : {}),
  };
  const stackLevel: PodSecurityLevel = step === "stay" ? "privileged" : "baseline";
  const adopted = cfg.takeover?.namespace === true;
  const importing = adopted && cfg.takeover?.step === "import";
  const nsInputs = (
    name: string,
    labels: Record<string, string>,
    annotations: Record<string, string> = {},
  ) => ({
    name,
    protect: cfg.production,
    labels,
    annotations,
  });

  const plan: StackPlan = {
    caps,
    endpoints: ep,
    sizing: sized,
    adoptions: planAdoptions(cfg),
    cluster: { context: cfg.kubeContext, kubeconfig: cfg.kubeconfig },
    namespace: {
      inputs: {
        ...nsInputs(
          ns,
          podSecurityLabels(stackLevel, "restricted"),
          importing ? { [NETWORK_POLICIES_DEFERRED]: "deferred until takeover.step update" } : {},
        ),
      },
      waitsFor: none(),
    },
    ...(step === "stay"
      ? {}
      : {
          agentsNamespace: { inputs: nsInputs(agentsNs, podSecurityLabels("privileged")), waitsFor: none() },
        }),
    networkPolicies: { inputs: { defaultDeny: [], policies: [] }, waitsFor: none() },
    stackInfo: {
      inputs: { namespace: ns, data: stackInfoData({ ...cfg, sized: sized.components }) },
      waitsFor: none(),
    },
    priorityClasses: { inputs: { classes: Object.values(PRIORITY_CLASSES) }, waitsFor: none() },
    secrets: {
      inputs: {
        backend: cfg.secrets,
        namespace: ns,
        needs: {
          minioAdmin: cfg.objectStore.type === "minio",
          pushover: cfg.alerting.pushover,
          heartbeat: cfg.alerting.heartbeat,
        },
        existingGrafanaAdmin: cfg.takeover?.secrets.grafanaAdmin,
      },
      waitsFor: none(),
    },
    objectStore: {
      inputs: { plan: buckets, store: cfg.objectStore, namespace: ns, metrics: minioScrape },
      waitsFor: none(),
    },
    crds: { inputs: { namespace: ns, protect: cfg.production }, waitsFor: none() },
    rules: {
      inputs: {
        namespace: ns,
        ruleSets: programRuleSets({
          namespace: ns,
          canary: cfg.loki.canary,
          store: cfg.objectStore.type,
          mimir: cfg.metricsBackend === "mimir" && caps.backend,
        }),
      },
      waitsFor: [crds],
    },
    loki: {
      inputs: {
        namespace: ns,
        protect: cfg.production,
        settings: {
          loki: cfg.loki,
          storage: storage("loki"),
          production: cfg.production,
          profile: cfg.profile,
          storageClass: cfg.storageClasses.default,
          serviceMonitor: true,
          sized: sized.resources,
          ruler: {
            alertmanagerUrl: phaseAlertmanagerUrl(ns, caps.alertmanager, kpsFullname),
            tenant: lokiTenant ?? LOKI_SINGLE_TENANT,
          },
        },
        logRules: logRules({ errorsPerSecond: cfg.alerting.logErrorsPerSecond }),
      },
      waitsFor: [...storageWait("loki"), crds],
    },
    grafana: {
      inputs: {
        namespace: ns,
        // Production: its PVC holds Grafana's database.
        protect: cfg.production,
        settings: {
          profile: cfg.profile,
          url: cfg.grafana.url,
          volumeSize: cfg.grafana.volumeSize,
          dashboardNamespaces: cfg.grafana.dashboardNamespaces,
          storageClass: cfg.storageClasses.default,
          adminSecret: cfg.takeover?.secrets.grafanaAdmin,
          datasources: {
            caps,
            backend: cfg.metricsBackend,
            prometheusUrl: ep.prometheus.query,
            backendUrl: backendEp.query,
            lokiUrl: ep.loki.query,
            backendTenant: tenant,
            lokiTenant,
          },
          dashboards: {
            backend: cfg.metricsBackend,
            logAgent: cfg.logAgent,
            backendUp: caps.backend,
            emitters: stackEmitters({
              caps,
              backend: cfg.metricsBackend,
              logAgent: cfg.logAgent,
              lokiCanary: cfg.loki.canary,
              minio: cfg.objectStore.type === "minio",
            }),
          },
        },
      },
      waitsFor: none(),
    },
    outputs: {
      phase: cfg.phase,
      grafanaUrl: cfg.grafana.url,
      lokiPushUrl: ep.loki.push,
      metricsRemoteWriteUrl: backendPushUrl,
      metricsQueryUrl: caps.defaultDatasource === "backend" ? backendEp.query : ep.prometheus.query,
      bucketNames: buckets.consumers.flatMap((c) => [...c.referenced, ...c.buckets]),
      plannedChanges: {},
    },
  };

  if (caps.backend && mimirBackend) {
    const target = (t: MimirTargetShape, r: Resources | undefined): MimirTargetSpec => ({
      replicas: t.replicas,
      // planSizing sizes every target of the shape it returns; absent would be a bug here.
      resources:
        r ??
        (() => {
          throw new Error("planStack: Mimir's scaled-out groups were not sized (config/sizing.ts)");
        })(),
      ...(t.volume === undefined ? {} : { volumeSize: t.volume }),
    });
    plan.mimir = {
      inputs: {
        namespace: ns,
        profile: cfg.profile,
        storageClass: cfg.storageClasses.metrics,
        volumeSize: cfg.mimir.volumeSize,
        resources: sized.resources.mimir,
        settings: {
          namespace: ns,
          replicas: cfg.mimir.replicas,
          maxGlobalSeriesPerUser: cfg.mimir.maxGlobalSeriesPerUser,
          blocksRetention: cfg.mimir.blocksRetention,
          ingestionRate: cfg.mimir.ingestionRate,
          multitenancy: cfg.mimir.multitenancy,
          storage: storage("mimir"),
          // The ruler notifies an Alertmanager only once it holds the rules.
          alertmanagerUrl: caps.ruleEvaluator === "mimir-ruler" ? ep.alertmanager : "",
          ...(mimirRw
            ? { readWrite: { write: mimirRw.write.replicas, backend: mimirRw.backend.replicas } }
            : {}),
        },
        ...(mimirRw
          ? {
              readWrite: {
                write: target(mimirRw.write, sized.resources.mimirWrite),
                read: target(mimirRw.read, sized.resources.mimirRead),
                backend: target(mimirRw.backend, sized.resources.mimirBackend),
              },
            }
          : {}),
      },
      waitsFor: [...storageWait("mimir"), crds],
    };
    if (mimirRw)
      // Reported, never silent: the monolithic StatefulSet goes; its claim stays (Retain), and the
      // blocks it uploaded are in the bucket the backend's store-gateways read.
      plan.outputs.plannedChanges[RELEASES.mimir] =
        `workload.activeSeries: ${cfg.workload.activeSeries} series need more memory than one Mimir on the largest node; Mimir runs scaled out in groups of Mimir 3.0 modules (${mimirRw.write.replicas} write x ${mimirRw.write.memory}, ${mimirRw.read.replicas} read x ${mimirRw.read.memory}, ${mimirRw.backend.replicas} backend x ${mimirRw.backend.memory}); the monolithic StatefulSet is deleted, its volume retained: flush its ingester to the bucket first (docs/how-to/sizing.md)`;
  }
  if (caps.alertmanager === "standalone") {
    plan.alertmanager = { inputs: { namespace: ns, profile: cfg.profile, alerting }, waitsFor: none() };
  }
  if (caps.backend && !mimirBackend) {
    plan.victoriaMetrics = {
      inputs: {
        namespace: ns,
        protect: cfg.production,
        settings: {
          caps,
          cluster: cfg.cluster,
          profile: cfg.profile,
          retention: cfg.victoriametrics.retention,
          volumeSize: cfg.victoriametrics.volumeSize,
          storageClass: cfg.storageClasses.metrics,
          scrapeInterval: cfg.victoriametrics.scrapeInterval,
          bufferBytes: bytes(cfg.victoriametrics.bufferSize),
          alerting,
          sized: sized.resources,
          ...(vmCluster ? { vmCluster, endpoints: ep.victoriametrics } : {}),
        },
      },
      waitsFor: [crds],
    };
    if (vmCluster)
      // Reported, never silent: a running vmsingle's data stays on its claim but is not read.
      plan.outputs.plannedChanges["victoriametrics-vmcluster"] =
        `workload.activeSeries: ${cfg.workload.activeSeries} series need more memory than one vmsingle on the largest node; VictoriaMetrics runs as a VMCluster (${vmCluster.storageReplicas} vmstorage x ${vmCluster.storageMemory}); a running vmsingle's data stays on its volume and is carried over with vmctl (docs/how-to/sizing.md)`;
  }

  // The Prometheus TSDB claim outlives KPS unless the stack asked for its cleanup.
  if (!caps.kps && cfg.prometheus.cleanupVolumeOnRemoval)
    plan.outputs.plannedChanges[PROMETHEUS_VOLUME_RESOURCE] =
      "prometheus.cleanupVolumeOnRemoval: the Prometheus volume is deleted once kube-prometheus-stack is gone";
  if (caps.kps || !cfg.prometheus.cleanupVolumeOnRemoval) {
    plan.prometheusVolume = {
      inputs: {
        namespace: ns,
        storageClass: cfg.storageClasses.metrics,
        size: cfg.prometheus.volumeSize,
        claimName: promClaim.claim,
        allowDeletion: cfg.prometheus.cleanupVolumeOnRemoval,
        protect: cfg.production && !cfg.prometheus.cleanupVolumeOnRemoval,
      },
      waitsFor: none(),
    };
  }
  if (caps.kps) {
    plan.kubePrometheusStack = {
      inputs: {
        namespace: ns,
        settings: {
          caps,
          cluster: cfg.cluster,
          profile: cfg.profile,
          backend: cfg.metricsBackend,
          retention: cfg.prometheus.retention,
          retentionSize: cfg.prometheus.retentionSize,
          volumeSize: cfg.prometheus.volumeSize,
          storageClass: cfg.storageClasses.metrics,
          remoteWrite: { backend: cfg.metricsBackend, url: backendPushUrl ?? "", tenant },
          alerting,
          fullname: kpsFullname,
          claimTemplate: promClaim.template,
          sized: sized.resources,
        },
      },
      waitsFor: [crds, ...(plan.prometheusVolume ? [{ kind: "prometheus-volume" } as const] : [])],
    };
  }

  // node-exporter in every phase; kube-state-metrics once KPS (which brings its own) is gone. Not
  // while a running KPS is only being imported: its values (and its node-exporter) stay until the
  // update step, and a second DaemonSet on host port 9100 would never become ready.
  const kpsOnlyImported = cfg.takeover?.step === "import" && !!cfg.takeover.releases.kubePrometheusStack;
  if (!(caps.kps && kpsOnlyImported)) {
    plan.exporters = {
      inputs: {
        namespace: ns,
        nodeExporter: placement,
        profile: cfg.profile,
        kubeStateMetrics: !caps.kps,
        scheduling,
        scrapers: [scraperAccount(caps.scraper, ns, kpsFullname)],
      },
      // It waits for KPS, whose update may drop KPS's own DaemonSet on host port 9100.
      waitsFor: caps.kps ? [{ kind: "kube-prometheus-stack" }] : [],
    };
  }

  // Agents. Alloy's cluster replica does what must happen once per cluster: events (with Alloy as
  // the log agent), scraping when Alloy is the scraper, rule sync when Mimir's ruler evaluates.
  const logs: AlloyLogsInput = {
    cluster: cfg.cluster,
    lokiPushUrl: ep.loki.push,
    tenant: lokiTenant,
    nodeLogs: cfg.nodeLogs,
  };
  const events = cfg.logAgent === "alloy";
  const scrape =
    caps.scraper === "alloy" && backendPushUrl
      ? {
          remoteWriteUrl: backendPushUrl,
          tenant,
          replicaLabel: replicaLabelFor("mimir"),
          minio: minioScrape && { ...minioScrape, secretNamespace: ns },
        }
      : undefined;
  const rules =
    caps.ruleEvaluator === "mimir-ruler"
      ? { mimirAddress: ep.mimir.base, tenant, selector: RULE_LABEL }
      : undefined;
  const needsCluster = events || scrape !== undefined || rules !== undefined;
  if (cfg.logAgent === "alloy" || needsCluster) {
    plan.alloy = {
      inputs: {
        namespace: ns,
        nodePlacement: placement,
        profile: cfg.profile,
        scheduling,
        node: cfg.logAgent === "alloy" ? logs : undefined,
        cluster: needsCluster ? { ...logs, events, scrape, rules } : undefined,
      },
      waitsFor: none(),
    };
  }
  if (cfg.logAgent === "vector") {
    plan.vector = {
      inputs: {
        placement,
        profile: cfg.profile,
        scheduling,
        settings: {
          cluster: cfg.cluster,
          // The write path: Vector pushes (its loki sink appends /loki/api/v1/push).
          lokiBaseUrl: ep.loki.pushBase,
          tenant: lokiTenant,
          bufferBytes: VECTOR_BUFFER_BYTES,
          nodeLogs: cfg.nodeLogs,
        },
      },
      waitsFor: none(),
    };
  }
  // NetworkPolicies: none in an adopted namespace while it is only imported (its running releases
  // may have peers the program does not know); a default-deny only where the program owns the namespace.
  plan.networkPolicies.inputs = {
    defaultDeny: [...(adopted ? [] : [ns]), ...(agentsNs !== ns ? [agentsNs] : [])],
    policies: planNetwork({
      caps,
      namespace: ns,
      agentsNamespace: agentsNs,
      logAgent: cfg.logAgent,
      runs: {
        mimir: !!plan.mimir,
        mimirReadWrite: !!plan.mimir && !!mimirRw,
        victoriaMetrics: !!plan.victoriaMetrics,
        vmCluster: !!plan.victoriaMetrics && !!vmCluster,
        alertmanager: !!plan.alertmanager,
        alloyCluster: !!plan.alloy?.inputs.cluster,
      },
      events,
      kpsFullname: kpsFullname ?? RELEASES.kps,
      lokiRulerAlerts: !!plan.loki.inputs.settings.ruler?.alertmanagerUrl,
      egress: egressInputs(cfg, caps, plan.alloy?.inputs),
    }).filter((g) => !(importing && g.namespace === ns)),
  };
  return plan;
}

/** Host-network ports the scrapers dial: node-exporter's, the kubelet's and the control plane's. */
export const NODE_SCRAPE_PORTS = [
  // prometheus-node-exporter 4.49.1 values.yaml `service.port: 9100` ("Sets the port of the
  // exposed container as well"), with `hostNetwork: true`.
  9100,
  // The kubelet's default port (kubernetes/kubernetes pkg/cluster/ports/ports.go KubeletPort).
  10250,
  // The control plane's, as KPS scrapes them and Alloy keeps scraping them (alloyConfig.ts KUBE_SCRAPES).
  ...KUBE_SCRAPES.filter((k) => k.role === "pod" && k.port !== undefined && k.namespace === "kube-system")
    .filter((k) => !k.selector?.label?.startsWith("k8s-app=kube-dns"))
    .map((k) => k.port!),
];

/**
 * The egress inputs of a stack: config `network`, the object store, and who calls the API server.
 * Who calls it is read from the RBAC each group's pods are granted: the roles the program builds
 * itself (Alloy's from its config's components, upstream/alloy/apiNeeds.ts through `alloyRbac`;
 * Grafana's sidecar Role; the VictoriaMetrics operator's and vmagent's bindings, vmRbac.ts), and the
 * charts' own RBAC the program leaves on (kube-prometheus-stack 88.0.0 templates/prometheus-operator/
 * clusterrole.yaml and templates/prometheus/clusterrole.yaml, kube-state-metrics' role from its
 * `collectors`, vector 0.56.0 `rbac.create: true`). The rendered-object check (`network-egress`)
 * proves the result against the rendered RBAC both ways: a pod holding RBAC without the rule, or
 * the rule on pods holding none, fails.
 */
function egressInputs(
  cfg: StackConfig,
  caps: PhaseCapabilities,
  alloy: { node?: AlloyLogsInput; cluster?: AlloyClusterInput } | undefined,
): EgressInputs {
  const alerting = cfg.alerting.pushover || cfg.alerting.heartbeat;
  const grants = (r: { clusterRules: unknown[]; roles: unknown[] }) =>
    r.clusterRules.length + r.roles.length > 0;
  const vmBound = new Set(
    [...vmOperatorRbacObjects(), ...vmagentRbacObjects()].flatMap((o: any) =>
      (o.subjects ?? []).map((x: { name: string }) => x.name),
    ),
  );
  const vm = cfg.metricsBackend === "victoriametrics" && caps.backend;
  const apiCallers: Record<string, string> = {
    ...(GRAFANA_SIDECAR_RULES.length > 0
      ? {
          grafana: `its dashboard sidecar (${cfg.grafana.dashboardNamespaces === "all" ? "ClusterRole" : "Role"} ${GRAFANA_SIDECAR_ROLE})`,
        }
      : {}),
    ...(caps.kps
      ? {
          "kube-prometheus-stack": "prometheus-operator and kube-state-metrics (the chart's ClusterRoles)",
          [prometheusName()]: "service discovery (the chart's prometheus ClusterRole)",
        }
      : { "kube-state-metrics": "its collectors (the chart's ClusterRole)" }),
    ...(alloy?.node && grants(alloyRbac(alloyNodeDeclarations(alloy.node)))
      ? { alloy: "its config's components (alloyRbac)" }
      : {}),
    ...(cfg.logAgent === "vector" ? { vector: "the kubernetes_logs source (the chart's ClusterRole)" } : {}),
    ...(alloy?.cluster && grants(alloyRbac(alloyClusterDeclarations(alloy.cluster)))
      ? { "alloy-cluster": "its config's components (alloyRbac)" }
      : {}),
    ...(vm && vmBound.has(VM_OPERATOR_ACCOUNT)
      ? { "victoria-metrics-operator": `ServiceAccount ${VM_OPERATOR_ACCOUNT} (vmRbac.ts)` }
      : {}),
    ...(vm && caps.scraper === "vmagent" && vmBound.has(VMAGENT_ACCOUNT)
      ? { vmagent: `ServiceAccount ${VMAGENT_ACCOUNT} (vmRbac.ts)` }
      : {}),
  };
  const n = cfg.network;
  return {
    enforced: n.egress === "enforced",
    apiServer: { cidrs: n.apiServer.cidrs, port: n.apiServer.port },
    objectStore: objectStoreReach(cfg.objectStore, n.objectStore.cidrs),
    nodes: { cidrs: n.nodes, ports: NODE_SCRAPE_PORTS },
    ...(alerting ? { receivers: n.receivers } : {}),
    apiCallers,
  };
}

/** Bytes of a size the schema has already validated (config.ts `size`). */
function bytes(size: string): number {
  const n = parseQuantity(size);
  if (n === undefined)
    throw new Error(`planStack: "${size}" is not a quantity; the config schema should have refused it`);
  return n;
}
