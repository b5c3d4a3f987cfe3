import { withStackKeys } from "../../config/stackKeyPaths";
import { claimSpec } from "../core/claim";
import type { PhaseCapabilities } from "../../model/phases";
import { RELEASES, type Endpoints } from "../../model/endpoints";
import { VM_ALERTMANAGER_PORT_NAME, vmName } from "../../model/services";
import { VMAGENT_QUEUE_VOLUME } from "../../model/storage";
import type { VmClusterShape } from "../../config/sizing";
import { sizing, type Resources, type Workload, type Profile } from "../../model/sizing";
import { imageString, imageTag, versions } from "../../model/versions";
import { alertmanagerClaim } from "./kpsValues";
import { EVERY_RULE } from "../alerting/rules";
import { containerHardening, PRIORITY_CLASSES, RUNTIME_DEFAULT } from "../security/hardening";
import { VM_OPERATOR_ACCOUNT, VMAGENT_ACCOUNT, vmagentRbacObjects, vmOperatorRbacObjects } from "./vmRbac";
import {
  alertmanagerConfig,
  alertmanagerSecrets,
  type AlertmanagerInputs,
} from "../alerting/alertmanagerConfig";

export interface VmInputs {
  /** What the phase runs (model/phases.ts): rule evaluator and scraper. */
  caps: Pick<PhaseCapabilities, "kps" | "ruleEvaluator" | "scraper">;
  cluster: string;
  profile: Profile;
  retention: string;
  volumeSize: string;
  storageClass: string;
  scrapeInterval: string;
  /** vmagent disk buffer per remote write, bytes. */
  bufferBytes: number;
  alerting: AlertmanagerInputs;
  /** Sizes from the declared workload (config/sizing.ts) that replace the profile's. Default none. */
  sized?: Partial<Record<Workload, Resources>>;
  /** The cluster version instead of vmsingle (config/sizing.ts `vmClusterShape`). Default none: vmsingle. */
  vmCluster?: VmClusterShape;
  /** Where the backend is written and read (model/endpoints.ts); set with `vmCluster`. Default the chart's wiring. */
  endpoints?: Endpoints["victoriametrics"];
}

/** The release fullname, which names vmsingle's CR and Service (model/endpoints.ts owns it). */
/** The tag a VictoriaMetrics chart value or custom resource takes: the operator and the chart join
 * `repository:tag`, so a digest rides on the tag (model/versions.ts DigestForm `tag`). */
const tag = imageTag;

/**
 * The user VictoriaMetrics pods run as: the operator's strict-security user, `nobody` in the
 * images (VictoriaMetrics/operator v0.66.0 internal/controller/operator/factory/build/security.go:16-40).
 */
export const VM_USER = { uid: 65534, gid: 65534 } as const;

/** The user the VMAlertmanager runs as instead (its claim's files are its; see vmValues). */
const ALERTMANAGER_USER = { uid: 1000, gid: 1000 } as const;

/** A volume the operator mounts that may hold data written as root by an earlier version. */
export interface DataVolume {
  /** The volume's name in the pod the operator makes. */
  volume: string;
  /** An image with a shell, `stat` and `chown`: the component's own (alpine-based). */
  image: string;
}

/**
 * The one-off ownership fix for a data volume written as root before the pods ran as {@link VM_USER}:
 * fsGroup with `OnRootMismatch` re-owns volumes whose plugin supports it, but not hostPath-backed
 * claims (the local-path provisioner of k3s), where vmsingle's and vmagent's existing files stay
 * root's and the new user could not write them. This init container runs as root with only
 * CAP_CHOWN, stats the volume's top directory and, only when it is not yet the user's, hands the
 * tree to the user: ownership changes, contents do not; it reaches nothing but that volume (no
 * token, no network use), and after the first start it is a single stat. The operator merges it
 * after applying its strict settings, so its context stays as written (vmsingle.go:298-299,
 * vmagent.go:703-707 at v0.66.0).
 */
export function ownershipFix(data: DataVolume): Record<string, any> {
  const dir = "/data";
  const { uid, gid } = VM_USER;
  return {
    name: "fix-data-ownership",
    image: data.image,
    command: ["sh", "-c", `[ "$(stat -c %u:%g ${dir})" = "${uid}:${gid}" ] || chown -R ${uid}:${gid} ${dir}`],
    securityContext: {
      runAsNonRoot: false,
      runAsUser: 0,
      runAsGroup: 0,
      ...containerHardening({ readOnlyRoot: true, add: ["CHOWN"] }),
    },
    resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "64Mi" } },
    volumeMounts: [{ name: data.volume, mountPath: dir }],
  };
}

/**
 * What every VictoriaMetrics custom resource gets: a non-root user ({@link VM_USER} unless the CR
 * has its own) with fsGroup and `OnRootMismatch`; seccomp RuntimeDefault on the pod; no privilege
 * escalation, every capability dropped and a read-only root filesystem on each container the
 * operator makes, its reloaders included (`securityContext` holds the pod's and the containers'
 * fields inline, and `useStrictSecurity` applies the container part to every container); a token
 * mounted only into containers that call the API (VictoriaMetrics/operator docs/security.md,
 * `disableAutomountServiceAccountToken` from operator v0.54.0; read, not run here). A pod with a
 * volume that may hold root-owned data gets {@link ownershipFix}.
 */
function vmPodHardening(
  stateful: boolean,
  user: { uid: number; gid: number } = VM_USER,
  data?: DataVolume,
): Record<string, any> {
  return {
    useStrictSecurity: true,
    securityContext: {
      runAsNonRoot: true,
      runAsUser: user.uid,
      runAsGroup: user.gid,
      fsGroup: user.gid,
      fsGroupChangePolicy: "OnRootMismatch",
      seccompProfile: { ...RUNTIME_DEFAULT },
      ...containerHardening({ readOnlyRoot: true }),
    },
    disableAutomountServiceAccountToken: true,
    ...(data ? { initContainers: [ownershipFix(data)] } : {}),
    ...(stateful ? { priorityClassName: PRIORITY_CLASSES.stateful.name } : {}),
  };
}

const imageOf = imageString;

/**
 * The operator's environment: the config-reloader image it gives the VMAgent, VMAlert,
 * VMAlertmanager and VMAuth pods, the pinned one (versions.images.vmConfigReloader), so that the pin (its
 * digest, Renovate's bumps) is what runs. Unset, the operator writes its own default, built from
 * the version compiled into it (VictoriaMetrics/operator v0.66.0 internal/config/config.go:118; the
 * contract's vmReloaderImage); the chart's `configReloader.image` would write VM_CONFIG_RELOADER_IMAGE,
 * which this operator does not read (upstream/operators/victoriaMetrics.ts). Written as the
 * operator's own image is, the repository without its registry (docker.io): while the pin has no
 * digest, the same string as that default at the pinned version, so running reloaders do not change.
 */
function vmOperatorEnv(): { name: string; value: string }[] {
  const reloader = versions.images.vmConfigReloader;
  return [{ name: "VM_CUSTOMCONFIGRELOADERIMAGE", value: `${reloader.repository}:${tag(reloader)}` }];
}

/**
 * Where {@link vmValues} writes {@link vmOperatorEnv}: a user's `chartValues` list there keeps the
 * program's variables beside its own (builders/chartValues.ts LISTS_BY_NAME).
 */
export const VM_OPERATOR_ENV = ["victoria-metrics-operator", "env"] as const;

/**
 * victoria-metrics-k8s-stack values. vmsingle whenever the backend runs (Prometheus remote-writes
 * to it); vmalert and Alertmanager when vmalert evaluates the rules (they leave Prometheus in the
 * same update); vmagent only when it is the scraper (Prometheus gone), so samples are never
 * scraped twice. One literal that mirrors the chart's values.yaml tree, kept whole (over 120 lines)
 * so it reads side by side with the chart's own keys.
 */
export function vmValues(input: VmInputs): Record<string, any> {
  const p = input.profile;
  const primary = input.caps.ruleEvaluator === "vmalert";
  const scraping = input.caps.scraper === "vmagent";
  const values = {
    fullnameOverride: RELEASES.vm,
    grafana: { enabled: false },
    defaultDashboards: { enabled: false },
    defaultRules: { create: false },
    // After 0.80.0 the chart's default dashboards and rules leave its templates for a post-install
    // Job (0.91.2 templates/sync-job/job.yaml, config.yaml: `syncJob.enabled`, default true) that
    // fetches them from raw.githubusercontent.com into ConfigMaps and VMRules, with an unpinned
    // ghcr.io/victoriametrics/sync-job image. The program ships its own dashboards and rules; and
    // 0.91.2 syncs rules while `defaultRules.enabled` (its new default true) OR `create` is set, so
    // `create: false` alone would no longer stop them. The pinned 0.80.0 reads no `syncJob` (no
    // template names it, no values schema): Helm ignores the key until the bump.
    syncJob: { enabled: false },
    "kube-state-metrics": { enabled: false },
    // Control-plane scrapes with the job names kube-prometheus-stack gave them, so its rules (shipped
    // as ours) keep matching after KPS: the chart's CoreDNS job would be "core-dns" (jobLabel
    // app.kubernetes.io/component); KPS's is "coredns". KPS scraped kube-proxy over plain HTTP.
    coreDns: { service: { labels: { jobLabel: "coredns" } }, vmScrape: { spec: { jobLabel: "jobLabel" } } },
    kubeProxy: {
      enabled: true,
      service: { labels: { jobLabel: "kube-proxy" } },
      vmScrape: { spec: { jobLabel: "jobLabel", endpoints: [{ port: "http-metrics" }] } },
    },
    "prometheus-node-exporter": { enabled: false },
    // vmagent's account and roles (builders/metrics/vmRbac.ts), while vmagent runs.
    extraObjects: scraping ? vmagentRbacObjects() : [],
    "victoria-metrics-operator": {
      enabled: true,
      // The program's role for the operator instead of the chart's (builders/metrics/vmRbac.ts).
      rbac: { create: false },
      serviceAccount: { create: true, name: VM_OPERATOR_ACCOUNT },
      extraObjects: vmOperatorRbacObjects(),
      image: { repository: versions.images.vmOperator.repository, tag: tag(versions.images.vmOperator) },
      resources: sizing(p, "vmOperator"),
      env: vmOperatorEnv(),
      // The chart's pod context (uid 1000) plus seccomp. The container context also reaches the
      // chart's CRD cleanup hook Job (templates/cleanup.yaml:36-38), which has no pod context of its own.
      podSecurityContext: {
        enabled: true,
        fsGroup: 2000,
        runAsNonRoot: true,
        runAsUser: 1000,
        seccompProfile: { ...RUNTIME_DEFAULT },
      },
      // The hook's pod has no securityContext value, only this container one: the user goes here too,
      // the chart's operator user (1000), so neither container runs as the image's root.
      securityContext: {
        enabled: true,
        runAsNonRoot: true,
        runAsUser: 1000,
        runAsGroup: 1000,
        ...containerHardening({ readOnlyRoot: true }),
      },
      crds: {
        cleanup: {
          image: {
            repository: `${versions.images.kubectl.registry}/${versions.images.kubectl.repository}`,
            tag: tag(versions.images.kubectl),
          },
        },
      },
      // Converts PrometheusRules/ServiceMonitors into VMRules/VMServiceScrapes: the same CRs serve both.
      operator: { disable_prometheus_converter: false },
    },
    vmsingle: {
      enabled: !input.vmCluster,
      spec: {
        image: {
          repository: versions.images.victoriaMetrics.repository,
          tag: tag(versions.images.victoriaMetrics),
        },
        // The data volume the operator mounts (vmsingle.go:27-28, 455-478 at v0.66.0).
        ...vmPodHardening(true, VM_USER, { volume: "data", image: imageOf(versions.images.victoriaMetrics) }),
        // Without an owner reference the PVC outlives the VMSingle CR: removing the release keeps the data.
        removePvcAfterDelete: false,
        resources: sizing(p, "vmsingle", input.sized),
        extraArgs: { "dedup.minScrapeInterval": input.scrapeInterval },
        storage: claimSpec(input.storageClass, input.volumeSize),
      },
    },
    ...(input.vmCluster ? { vmcluster: vmClusterValues(input, input.vmCluster) } : {}),
    vmagent: {
      enabled: scraping,
      spec: {
        image: { repository: versions.images.vmagent.repository, tag: tag(versions.images.vmagent) },
        // The persistent queue's volume (vmagent.go:34-36, 522-534 at v0.66.0).
        ...vmPodHardening(true, VM_USER, {
          volume: "persistent-queue-data",
          image: imageOf(versions.images.vmagent),
        }),
        // Its own account and roles: the operator makes none (builders/metrics/vmRbac.ts).
        serviceAccountName: VMAGENT_ACCOUNT,
        externalLabels: { cluster: input.cluster },
        resources: sizing(p, "vmagent"),
        // The remote-write queue lives on a PVC, so a vmsingle restart or a reboot loses nothing.
        statefulMode: true,
        statefulStorage: {
          volumeClaimTemplate: {
            spec: claimSpec(input.storageClass, VMAGENT_QUEUE_VOLUME),
          },
        },
        extraArgs: {
          "remoteWrite.maxDiskUsagePerURL": String(input.bufferBytes),
          "promscrape.streamParse": "true",
        },
      },
    },
    vmalert: {
      enabled: primary,
      spec: {
        image: { repository: versions.images.vmalert.repository, tag: tag(versions.images.vmalert) },
        // vmalert keeps nothing on disk: it runs as the strict-security user (nobody).
        ...vmPodHardening(false),
        evaluationInterval: "30s",
        resources: sizing(p, "vmalert"),
        selectAllByDefault: true,
        // The operator turns every PrometheusRule into a VMRule with the same labels
        // (converter/apis.go ConvertPromRule at v0.66.0); vmalert takes all of them in every
        // namespace (an empty namespace selector; a nil one would mean vmalert's own namespace,
        // k8stools/selectors.go) but those opted out (builders/alerting/rules.ts).
        ruleSelector: EVERY_RULE,
        ruleNamespaceSelector: {},
        // The cluster's addresses from model/endpoints.ts (the chart derives the same ones; vmsingle's
        // stay the chart's, as running stacks have them).
        ...(input.vmCluster && input.endpoints
          ? {
              datasource: { url: input.endpoints.query },
              remoteRead: { url: input.endpoints.query },
              remoteWrite: { url: input.endpoints.push },
            }
          : {}),
      },
    },
    alertmanager: {
      enabled: primary,
      useManagedConfig: false,
      config: alertmanagerConfig(input.alerting, "/etc/vm/secrets"),
      spec: {
        // The operator takes repository as the whole reference: without the registry,
        // "prometheus/alertmanager" would be pulled from Docker Hub.
        image: {
          repository: `${versions.images.alertmanager.registry}/${versions.images.alertmanager.repository}`,
          tag: tag(versions.images.alertmanager),
        },
        // The container port's name, which the NetworkPolicies admit (model/services.ts).
        portName: VM_ALERTMANAGER_PORT_NAME,
        // Not VM_USER: 1000 is the user the chart gives a VMAlertmanager with a claim and no
        // securityContext of its own (victoria-metrics-k8s-stack 0.80.0 templates/_helpers.tpl:276,
        // 0.91.2's :317), which it ran as before the program set one, so the silences and
        // notification log on its claim are 1000's. fsGroup does not re-own a local-path
        // (hostPath) claim, so another user could not write them; docs/explanation/security-model.md.
        ...vmPodHardening(true, ALERTMANAGER_USER),
        secrets: alertmanagerSecrets(input.alerting),
        resources: sizing(p, "alertmanager"),
        // Silences and the notification log survive restarts (the operator's default is an emptyDir).
        storage: { volumeClaimTemplate: { spec: alertmanagerClaim(input.storageClass) } },
      },
    },
  };
  // Where each stack key's value goes is config/stackKeyPaths.ts' table, read by the config check too.
  return withStackKeys("victoria-metrics-k8s-stack", values, {
    "victoriametrics.retention": input.retention,
    "victoriametrics.scrapeInterval": input.scrapeInterval,
    "victoriametrics.volumeSize": input.volumeSize,
  });
}

/**
 * The chart's `vmcluster` values (a VMCluster CR, victoria-metrics-k8s-stack 0.80.0 values.yaml):
 * vmstorage sized from the series, vminsert and vmselect at the profile's size, the hardening every
 * VictoriaMetrics CR gets. Deduplication as vmsingle had it, on vmselect and vmstorage both
 * (Cluster-VictoriaMetrics.md "Deduplication": the same flag on both).
 */
function vmClusterValues(input: VmInputs, shape: VmClusterShape): Record<string, any> {
  const p = input.profile;
  const dedup = { "dedup.minScrapeInterval": input.scrapeInterval };
  return {
    enabled: true,
    spec: {
      replicationFactor: shape.replicationFactor,
      vmstorage: {
        image: { repository: versions.images.vmstorage.repository, tag: tag(versions.images.vmstorage) },
        replicaCount: shape.storageReplicas,
        // The storage claim (vmcluster_types.go:609 and vmcluster.go:903 at v0.66.0).
        ...vmPodHardening(true, VM_USER, {
          volume: "vmstorage-db",
          image: imageOf(versions.images.vmstorage),
        }),
        resources: sizing(p, "vmstorage", input.sized),
        extraArgs: dedup,
        storage: {
          volumeClaimTemplate: {
            spec: claimSpec(input.storageClass, shape.storageVolume),
          },
        },
      },
      vminsert: {
        image: { repository: versions.images.vminsert.repository, tag: tag(versions.images.vminsert) },
        replicaCount: shape.frontReplicas,
        ...vmPodHardening(false),
        resources: sizing(p, "vminsert"),
      },
      vmselect: {
        image: { repository: versions.images.vmselect.repository, tag: tag(versions.images.vmselect) },
        replicaCount: shape.frontReplicas,
        // The cache claim (vmcluster_types.go:621 and vmcluster.go:475 at v0.66.0).
        ...vmPodHardening(false, VM_USER, {
          volume: "vmselect-cachedir",
          image: imageOf(versions.images.vmselect),
        }),
        resources: sizing(p, "vmselect"),
        extraArgs: dedup,
        storage: {
          volumeClaimTemplate: {
            spec: claimSpec(input.storageClass, VMAGENT_QUEUE_VOLUME),
          },
        },
      },
    },
  };
}

/** VictoriaMetrics components Prometheus must scrape through a ServiceMonitor while it runs. */
export function prometheusScrapedVmComponents(
  caps: Pick<PhaseCapabilities, "kps" | "ruleEvaluator">,
): string[] {
  if (!caps.kps) return [];
  return ["vmsingle", ...(caps.ruleEvaluator === "vmalert" ? ["vmalert", "vmalertmanager"] : [])];
}

/**
 * The ServiceMonitor that keeps one VictoriaMetrics component scraped while Prometheus scrapes:
 * Prometheus reads ServiceMonitors only, not the VMServiceScrapes the operator makes. Once vmagent
 * runs it scrapes the components itself, and these go (its converter would scrape each twice).
 */
export function vmServiceMonitor(component: string, namespace: string) {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "ServiceMonitor",
    metadata: { name: vmName(component), namespace },
    spec: {
      selector: {
        matchLabels: { "app.kubernetes.io/name": component, "app.kubernetes.io/instance": RELEASES.vm },
      },
      endpoints: [{ port: "http", path: "/metrics" }],
    },
  };
}
