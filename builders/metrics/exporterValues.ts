import { sizing, type Profile } from "../../model/sizing";
import { imageTag, imageValues, versions } from "../../model/versions";
import {
  alertmanagerConfig,
  alertmanagerSecrets,
  type AlertmanagerInputs,
} from "../alerting/alertmanagerConfig";
import { alertmanagerUrl } from "../../model/endpoints";
import {
  containerHardening,
  nonRootPod,
  PRIORITY_CLASSES,
  RUNTIME_DEFAULT,
  type AgentScheduling,
} from "../security/hardening";
import { RELEASES } from "../../model/names";
import { prometheusName } from "../../model/services";
import type { PhaseCapabilities } from "../../model/phases";
import { SA_TOKEN_FILE } from "../../upstream/serviceMonitorAuth";
import { ruleFor, nodeExporterProxyAccess } from "../../upstream/kubeRbacProxy";
import { VMAGENT_ACCOUNT } from "./vmRbac";
import { PART_OF_LABEL } from "../metadata";
import { ALERTMANAGER_VOLUME } from "../core/claim";
import { stringify as stringifyYaml } from "yaml";

/**
 * The collectors node_exporter registers defaultDisabled that the stack turns on (each a
 * `--collector.<name>` flag; collector/sysctl_linux.go registers sysctl defaultDisabled).
 */
export const NODE_EXPORTER_EXTRA_COLLECTORS = ["sysctl"] as const;

/** The sysctls node-exporter exports for the inotify alerts. */
export const INOTIFY_SYSCTLS = ["fs.inotify.max_user_watches", "fs.inotify.max_user_instances"] as const;

/** A ServiceAccount that scrapes node-exporter with its token. */
export interface ScraperAccount {
  name: string;
  namespace: string;
}

/**
 * The ServiceAccount of the phase's scraper (model/phases.ts `scraper`), which reads node-exporter's
 * ServiceMonitor and presents its own token: kube-prometheus-stack 88.0.0's Prometheus
 * (`<fullname>-prometheus`, templates/_helpers.tpl:108-114, the same name as the Prometheus),
 * the Alloy cluster replica (the alloy 1.5.0 chart's `alloy.serviceAccountName`, its fullname,
 * templates/_helpers.tpl:78-84), or vmagent (its own account, builders/metrics/vmRbac.ts).
 */
export function scraperAccount(
  scraper: PhaseCapabilities["scraper"],
  namespace: string,
  kpsFullname: string = RELEASES.kps,
): ScraperAccount {
  const name = {
    prometheus: prometheusName(kpsFullname),
    alloy: RELEASES.alloyCluster,
    vmagent: VMAGENT_ACCOUNT,
  }[scraper];
  return { name, namespace };
}

/** The chart's fullname and namespace helpers, as its `extraManifests` (rendered through `tpl`) write them. */
const CHART_FULLNAME = '{{ include "prometheus-node-exporter.fullname" . }}';
const CHART_NAMESPACE = '{{ include "prometheus-node-exporter.namespace" . }}';

/**
 * The Role and RoleBinding that let the scrapers through node-exporter's kube-rbac-proxy: exactly
 * the access its config asks of every scrape (upstream/kubeRbacProxy.ts `nodeExporterProxyAccess`:
 * `get` on `services/<fullname>` named `<fullname>` in the release's namespace, prometheus-node-exporter
 * 4.49.1 templates/rbac-configmap.yaml), in that namespace only, bound to each scraper's account.
 * As the chart's `extraManifests` (templates/extra-manifests.yaml: each string through `tpl`), so the
 * names follow the chart's own helpers wherever the release runs (the agents' namespace once moved).
 */
export function nodeExporterScrapeGrant(scrapers: ScraperAccount[]): string[] {
  if (scrapers.length === 0) return [];
  const name = `${CHART_FULLNAME}-scrape`;
  const metadata = { name, namespace: CHART_NAMESPACE, labels: { ...PART_OF_LABEL } };
  const role = {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "Role",
    metadata,
    rules: [ruleFor(nodeExporterProxyAccess(CHART_NAMESPACE, CHART_FULLNAME))],
  };
  const binding = {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "RoleBinding",
    metadata,
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name },
    subjects: scrapers.map((s) => ({ kind: "ServiceAccount", name: s.name, namespace: s.namespace })),
  };
  // Single-quoted YAML: `tpl` sees the helpers' double quotes as written and fills them in.
  const text = (o: object) =>
    stringifyYaml(o, { defaultStringType: "QUOTE_SINGLE", defaultKeyType: "PLAIN" });
  return [text(role), text(binding)];
}

/**
 * kube-rbac-proxy in front of node-exporter (issue 36): node-exporter runs in the host's network,
 * where no NetworkPolicy applies, so without it every node served its metrics unauthenticated on
 * <host IP>:9100. With the chart's `kubeRBACProxy` (prometheus-node-exporter 4.49.1
 * templates/daemonset.yaml, upstream/kubeRbacProxy.ts) node_exporter listens on 127.0.0.1 only and
 * the proxy serves HTTPS on the node's port 9100, letting through a request whose bearer token
 * passes a TokenReview and whose user is granted the access its config asks (a
 * SubjectAccessReview). Only `/metrics` is proxied (`--allow-paths`); the proxy container is
 * hardened like every other (non-root, read-only root, no capabilities).
 */
export function kubeRbacProxyValues(profile: Profile): Record<string, any> {
  return {
    enabled: true,
    image: imageValues(versions.images.kubeRbacProxy, "sha"),
    // Before the chart's own flags (daemonset.yaml); node_exporter's `/` (its landing page) and
    // anything else get 404 before authentication.
    extraArgs: ["--allow-paths=/metrics"],
    resources: sizing(profile, "kubeRbacProxy"),
    // The pod's user (65534) applies; the image's own is 65532 (its Dockerfile at v0.20.0). It
    // writes nothing: its serving certificate is generated in memory.
    containerSecurityContext: {
      runAsNonRoot: true,
      ...containerHardening({ readOnlyRoot: true }),
    },
  };
}

/**
 * The ServiceMonitor endpoint every scraper reads (upstream/serviceMonitorAuth.ts: Prometheus via
 * prometheus-operator v0.93.0, Alloy v1.12.0's prometheus.operator.servicemonitors, vmagent via the
 * VictoriaMetrics operator v0.66.0's converter): HTTPS, the scraper's own ServiceAccount token from
 * `bearerTokenFile` (deprecated in prometheus-operator but honoured by all three; its replacement
 * `authorization` reads a Secret, and no Secret holds each scraper's own token), and no certificate
 * verification: the proxy's certificate is self-signed at start (kube-rbac-proxy.go:321-342 at
 * v0.20.0), so the token is what keeps the endpoint closed.
 */
export const NODE_EXPORTER_MONITOR_AUTH = {
  scheme: "https",
  bearerTokenFile: SA_TOKEN_FILE,
  tlsConfig: { insecureSkipVerify: true },
} as const;

/**
 * Standalone prometheus-node-exporter (every phase). The job label and filesystem filters are the
 * ones kube-prometheus-stack 88 gives its subchart (its values.yaml, `prometheus-node-exporter:`),
 * so rules and dashboards written for `job="node-exporter"` keep matching. Behind kube-rbac-proxy
 * ({@link kubeRbacProxyValues}), scraped by `scrapers` ({@link nodeExporterScrapeGrant}).
 */
export function nodeExporterValues(
  profile: Profile,
  scheduling: AgentScheduling,
  scrapers: ScraperAccount[] = [],
): Record<string, any> {
  return {
    fullnameOverride: RELEASES.nodeExporter,
    image: imageValues(versions.images.nodeExporter, "digest"),
    resources: sizing(profile, "nodeExporter"),
    // The chart's own user (65534) plus seccomp; the container reads /proc, /sys and / read-only.
    securityContext: nonRootPod(65534),
    containerSecurityContext: containerHardening({ readOnlyRoot: true }),
    priorityClassName: scheduling.priorityClassName,
    // The chart's default (every NoSchedule taint: control-plane nodes too) and the pools' taints.
    tolerations: [{ effect: "NoSchedule", operator: "Exists" }, ...scheduling.tolerations],
    podLabels: { jobLabel: "node-exporter" },
    service: { labels: { jobLabel: "node-exporter" } },
    kubeRBACProxy: kubeRbacProxyValues(profile),
    extraManifests: nodeExporterScrapeGrant(scrapers),
    extraArgs: [
      // The sysctl collector is off by default (node_exporter collector/sysctl_linux.go registers it
      // defaultDisabled); each --collector.sysctl.include becomes node_sysctl_<name> (the inotify
      // alerts in builders/alerting/rules.ts read these two).
      ...NODE_EXPORTER_EXTRA_COLLECTORS.map((c) => `--collector.${c}`),
      ...INOTIFY_SYSCTLS.map((s) => `--collector.sysctl.include=${s}`),
      "--collector.filesystem.mount-points-exclude=^/(dev|proc|sys|run/containerd/.+|var/lib/docker/.+|var/lib/kubelet/.+)($|/)",
      "--collector.filesystem.fs-types-exclude=^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs|erofs)$",
    ],
    prometheus: { monitor: { enabled: true, jobLabel: "jobLabel", ...NODE_EXPORTER_MONITOR_AUTH } },
  };
}

/**
 * Collectors of the kube-state-metrics chart's default list (values.yaml `collectors`) the stack
 * leaves out: each needs list/watch on every object of its kind in the cluster (the chart generates
 * its ClusterRole from the list) for kube_<kind>_* series no rule or dashboard of the stack reads
 * (test/builders/privileges.test.ts reads the rules and dashboards). `secrets` would read every
 * Secret; `configmaps` every ConfigMap (the KPS 88.0.0 rules name no kube_configmap_* series).
 */
export const KSM_DROPPED_COLLECTORS = ["configmaps", "secrets"] as const;

/**
 * The collectors of the kube-state-metrics chart's default list without KSM_DROPPED_COLLECTORS.
 * The standalone chart 6.4.1 lists `endpoints`, KPS 88.0.0's subchart `endpointslices`.
 */
export function ksmCollectors(endpoints: "endpoints" | "endpointslices"): string[] {
  return [
    "certificatesigningrequests",
    "cronjobs",
    "daemonsets",
    "deployments",
    endpoints,
    "horizontalpodautoscalers",
    "ingresses",
    "jobs",
    "leases",
    "limitranges",
    "mutatingwebhookconfigurations",
    "namespaces",
    "networkpolicies",
    "nodes",
    "persistentvolumeclaims",
    "persistentvolumes",
    "poddisruptionbudgets",
    "pods",
    "replicasets",
    "replicationcontrollers",
    "resourcequotas",
    "services",
    "statefulsets",
    "storageclasses",
    "validatingwebhookconfigurations",
    "volumeattachments",
  ];
}

/** Standalone kube-state-metrics (after KPS removal), with the seeds' label allowlist. */
export function kubeStateMetricsValues(profile: Profile): Record<string, any> {
  return {
    fullnameOverride: RELEASES.kubeStateMetrics,
    image: imageValues(versions.images.kubeStateMetrics, "sha-prefixed"),
    resources: sizing(profile, "kubeStateMetrics"),
    collectors: ksmCollectors("endpoints"),
    metricLabelsAllowlist: ["pods=[*]", "deployments=[*]", "persistentvolumeclaims=[*]"],
    prometheus: { monitor: { enabled: true } },
  };
}

/**
 * Standalone Alertmanager (prometheus-community chart) that Mimir's ruler notifies. Its claim is
 * the size every Alertmanager's is, from `storageClass` (the chart writes `storageClassName` only
 * when `persistence.storageClass` is set, alertmanager 1.42.0 templates/statefulset.yaml: unset,
 * the claim waits for a cluster default class that may not exist).
 */
export function standaloneAlertmanagerValues(
  profile: Profile,
  alerting: AlertmanagerInputs,
  storageClass: string,
): Record<string, any> {
  return {
    fullnameOverride: RELEASES.alertmanager,
    image: {
      repository: `${versions.images.alertmanager.registry}/${versions.images.alertmanager.repository}`,
      tag: imageTag(versions.images.alertmanager),
    },
    config: alertmanagerConfig(alerting, "/etc/alertmanager/secrets"),
    extraSecretMounts: standaloneSecretMounts(alertmanagerSecrets(alerting)),
    resources: sizing(profile, "alertmanager"),
    // The chart's user (65534) with seccomp; Alertmanager writes only its volume. It never calls
    // the Kubernetes API, so no token is mounted.
    podSecurityContext: { fsGroup: 65534, seccompProfile: { ...RUNTIME_DEFAULT } },
    securityContext: {
      runAsNonRoot: true,
      runAsUser: 65534,
      runAsGroup: 65534,
      ...containerHardening({ readOnlyRoot: true }),
    },
    automountServiceAccountToken: false,
    priorityClassName: PRIORITY_CLASSES.stateful.name,
    persistence: { enabled: true, size: ALERTMANAGER_VOLUME, storageClass },
    serviceMonitor: { enabled: true },
  };
}

/**
 * The chart's `extraSecretMounts` for the Secrets `names`, each where prometheus-operator mounts an
 * Alertmanager's `secrets` (/etc/alertmanager/secrets/<name>), the folder the configuration's
 * `*_file` fields name for either Alertmanager.
 */
export function standaloneSecretMounts(names: readonly string[]): Record<string, unknown>[] {
  return names.map((name) => ({
    name,
    secretName: name,
    mountPath: `/etc/alertmanager/secrets/${name}`,
    readOnly: true,
  }));
}

/** The standalone Alertmanager's URL (model/endpoints.ts owns it). */
export const standaloneAlertmanagerUrl = alertmanagerUrl;
