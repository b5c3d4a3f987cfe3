import { sizing } from "../../components/sizing";
import { imageValues, versions } from "../../components/versions";
import {
  alertmanagerConfig,
  alertmanagerSecrets,
  type AlertmanagerInputs,
} from "../alerting/alertmanagerConfig";
import { alertmanagerUrl } from "../../plan/endpoints";

/** The sysctls node-exporter exports for the inotify alerts. */
export const INOTIFY_SYSCTLS = ["fs.inotify.max_user_watches", "fs.inotify.max_user_instances"] as const;

type Profile = "standard" | "lightweight";

/**
 * Standalone prometheus-node-exporter (every phase). The job label and filesystem filters are the
 * ones kube-prometheus-stack 88 gives its subchart (its values.yaml, `prometheus-node-exporter:`),
 * so rules and dashboards written for `job="node-exporter"` keep matching.
 */
export function nodeExporterValues(profile: Profile): Record<string, any> {
  return {
    fullnameOverride: "node-exporter",
    image: imageValues(versions.images.nodeExporter),
    resources: sizing(profile, "nodeExporter"),
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

/** Standalone kube-state-metrics (after KPS removal), with the seeds' label allowlist. */
export function kubeStateMetricsValues(profile: Profile): Record<string, any> {
  return {
    fullnameOverride: "kube-state-metrics",
    image: imageValues(versions.images.kubeStateMetrics),
    resources: sizing(profile, "kubeStateMetrics"),
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
    fullnameOverride: "alertmanager",
    image: {
      repository: `${versions.images.alertmanager.registry}/${versions.images.alertmanager.repository}`,
      tag: versions.images.alertmanager.tag,
    },
    config: alertmanagerConfig(alerting, "/etc/alertmanager/secrets"),
    extraSecretMounts: alertmanagerSecrets(alerting).map((name) => ({
      name,
      secretName: name,
      mountPath: `/etc/alertmanager/secrets/${name}`,
      readOnly: true,
    })),
    resources: sizing(profile, "alertmanager"),
    persistence: { enabled: true, size: "1Gi" },
    serviceMonitor: { enabled: true },
  };
}

/** The standalone Alertmanager's URL (plan/endpoints.ts owns it). */
export const standaloneAlertmanagerUrl = alertmanagerUrl;
