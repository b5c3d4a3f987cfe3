import { sizing, type Profile } from "../../model/sizing";
import { imageValues, versions, withoutRegistry } from "../../model/versions";
import { vectorConfig, type VectorInput } from "./vectorConfig";
import { PORTS } from "../../model/services";
import {
  containerHardening,
  logAgentCapabilities,
  rootLogAgentPod,
  VECTOR_HOST_DATA,
  type AgentScheduling,
} from "../security/hardening";
import { RELEASES } from "../../model/names";

/**
 * Values of the vector chart in the Agent role (a DaemonSet). Vector reads /var/log (pod logs and
 * the journal under it) and writes only its data_dir: the chart's default mounts of the host's
 * /var/lib (every pod's projected tokens, k3s' server token and datastore), /proc and /sys are
 * replaced by /var/log alone. Root without capabilities (the files are root's, mode 0640).
 */
export function vectorValues(
  profile: Profile,
  settings: VectorInput,
  scheduling: AgentScheduling,
): Record<string, any> {
  return {
    role: "Agent",
    fullnameOverride: RELEASES.vector,
    // The chart's image has no registry key (docker.io is the image's own).
    image: withoutRegistry(imageValues(versions.images.vector, "digest"), false),
    customConfig: vectorConfig(settings),
    resources: sizing(profile, "vector"),
    podSecurityContext: rootLogAgentPod(),
    securityContext: containerHardening({
      readOnlyRoot: true,
      add: logAgentCapabilities(settings.nodeLogs),
    }),
    podPriorityClassName: scheduling.priorityClassName,
    tolerations: scheduling.tolerations,
    defaultVolumes: [{ name: "var-log", hostPath: { path: "/var/log/" } }],
    defaultVolumeMounts: [{ name: "var-log", mountPath: "/var/log/", readOnly: true }],
    // The API's GET /health (vector chart 0.56.0 values.yaml readinessProbe; unchanged by the
    // 0.55 move of the observability API to gRPC, per Vector's 0.55 upgrade guide).
    readinessProbe: { httpGet: { path: "/health", port: PORTS.vector.api } },
    // The data_dir (checkpoints, the disk buffer) is a hostPath, so both survive restarts.
    persistence: { hostPath: { enabled: true, path: VECTOR_HOST_DATA } },
    service: { enabled: false },
    // Vector's own metrics (seed 001's internal_metrics), scraped like every agent.
    podMonitor: { enabled: true },
  };
}
