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

/** The sysctls node-exporter exports for the inotify alerts. */
export const INOTIFY_SYSCTLS = ["fs.inotify.max_user_watches", "fs.inotify.max_user_instances"] as const;

/**
 * Standalone prometheus-node-exporter (every phase). The job label and filesystem filters are the
 * ones kube-prometheus-stack 88 gives its subchart (its values.yaml, `prometheus-node-exporter:`),
 * so rules and dashboards written for `job="node-exporter"` keep matching.
 */
export function nodeExporterValues(profile: Profile, scheduling: AgentScheduling): Record<string, any> {
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
    extraArgs: [
      // The sysctl collector is off by default (node_exporter collector/sysctl_linux.go registers it
      // defaultDisabled); each --collector.sysctl.include becomes node_sysctl_<name> (the inotify
      // alerts in builders/alerting/rules.ts read these two).
      "--collector.sysctl",
      ...INOTIFY_SYSCTLS.map((s) => `--collector.sysctl.include=${s}`),
      "--collector.filesystem.mount-points-exclude=^/(dev|proc|sys|run/containerd/.+|var/lib/docker/.+|var/lib/kubelet/.+)($|/)",
      "--collector.filesystem.fs-types-exclude=^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs|erofs)$",
    ],
    prometheus: { monitor: { enabled: true, jobLabel: "jobLabel" } },
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

/** Standalone Alertmanager (prometheus-community chart) that Mimir's ruler notifies. */
export function standaloneAlertmanagerValues(
  profile: Profile,
  alerting: AlertmanagerInputs,
): Record<string, any> {
  return {
    fullnameOverride: RELEASES.alertmanager,
    image: {
      repository: `${versions.images.alertmanager.registry}/${versions.images.alertmanager.repository}`,
      tag: imageTag(versions.images.alertmanager),
    },
    config: alertmanagerConfig(alerting, "/etc/alertmanager/secrets"),
    extraSecretMounts: alertmanagerSecrets(alerting).map((name) => ({
      name,
      secretName: name,
      mountPath: `/etc/alertmanager/secrets/${name}`,
      readOnly: true,
    })),
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
    persistence: { enabled: true, size: "1Gi" },
    serviceMonitor: { enabled: true },
  };
}

/** The standalone Alertmanager's URL (model/endpoints.ts owns it). */
export const standaloneAlertmanagerUrl = alertmanagerUrl;
