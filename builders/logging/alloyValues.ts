import { sizing, type Profile } from "../../model/sizing";
import { imageValues, versions } from "../../model/versions";
import {
  alloyChartRbac,
  alloyClusterDeclarations,
  alloyNodeDeclarations,
  alloyRbac,
  renderAlloy,
  alloyRoleObjects,
  type AlloyClusterInput,
  type AlloyLogsInput,
} from "./alloyConfig";
import {
  ALLOY_HOST_DATA,
  containerHardening,
  logAgentCapabilities,
  nonRootPod,
  rootLogAgentPod,
  type AgentScheduling,
} from "../security/hardening";
import { RELEASES } from "../../model/names";

// Functions, not constants: the values read model/versions.ts when a stack is built.
const image = () => imageValues(versions.images.alloy, "digest");

/** The reloader sidecar: it only watches the mounted config and calls Alloy on localhost. */
const reloaderValues = (profile: Profile) => ({
  image: imageValues(versions.images.configReloader, "digest"),
  resources: sizing(profile, "alloyReloader"),
  securityContext: containerHardening({ readOnlyRoot: true }),
});

/**
 * Values of the per-node DaemonSet: /var/log mounted read-only, positions on the host so restarts
 * resume. It stays root (the log files are root's, mode 0640) without capabilities, and its role
 * holds what its config's components call (`alloyRbac`) and nothing else.
 */
export function alloyNodeValues(
  profile: Profile,
  input: AlloyLogsInput,
  scheduling: AgentScheduling,
): Record<string, any> {
  const declarations = alloyNodeDeclarations(input);
  const config = renderAlloy(declarations);
  const rbac = alloyRbac(declarations);
  return {
    fullnameOverride: RELEASES.alloy,
    image: image(),
    // The chart's only CRD is PodLogs, which no pipeline here uses; two Alloy releases would both
    // install it (a duplicate object), so neither does.
    crds: { create: false },
    global: { podSecurityContext: rootLogAgentPod() },
    rbac: alloyChartRbac(rbac.clusterRules),
    extraObjects: alloyRoleObjects(RELEASES.alloy, rbac.roles),
    configReloader: reloaderValues(profile),
    controller: {
      type: "daemonset",
      priorityClassName: scheduling.priorityClassName,
      tolerations: scheduling.tolerations,
      volumes: {
        extra: [{ name: "alloy-data", hostPath: { path: ALLOY_HOST_DATA, type: "DirectoryOrCreate" } }],
      },
    },
    alloy: {
      configMap: { create: true, content: config },
      securityContext: containerHardening({
        readOnlyRoot: true,
        add: logAgentCapabilities(input.nodeLogs),
      }),
      // Positions live under storagePath; /tmp (the default) loses them on every restart.
      storagePath: "/var/lib/alloy/data",
      mounts: {
        varlog: true,
        dockercontainers: false,
        extra: [{ name: "alloy-data", mountPath: ALLOY_HOST_DATA }],
      },
      resources: sizing(profile, "alloyNode"),
    },
    // Every agent is scraped (by Prometheus, later by the cluster replica itself).
    serviceMonitor: { enabled: true },
  };
}

/** Alloy's user in the grafana/alloy image (its Dockerfile: `ARG UID=473`, `useradd --uid $UID alloy`). */
export const ALLOY_UID = 473;

/**
 * Values of the cluster-wide single replica: non-root, read-only root filesystem, its roles from
 * its config's components (`alloyRbac`: a ClusterRole, and a Role naming the one Secret it reads). Its storage path (the remote-write WAL, the events' positions)
 * is an emptyDir volume: it survives container restarts (an OOM kill, a crash); a new pod starts
 * a new WAL, as a Deployment's pod may land on any node.
 */
export function alloyClusterValues(profile: Profile, input: AlloyClusterInput): Record<string, any> {
  const declarations = alloyClusterDeclarations(input);
  const config = renderAlloy(declarations);
  const derived = alloyRbac(declarations);
  return {
    fullnameOverride: RELEASES.alloyCluster,
    image: image(),
    crds: { create: false },
    global: { podSecurityContext: nonRootPod(ALLOY_UID) },
    rbac: alloyChartRbac(derived.clusterRules),
    extraObjects: alloyRoleObjects(RELEASES.alloyCluster, derived.roles),
    configReloader: reloaderValues(profile),
    controller: {
      type: "deployment",
      replicas: 1,
      volumes: { extra: [{ name: "alloy-wal", emptyDir: { sizeLimit: "2Gi" } }] },
    },
    alloy: {
      configMap: { create: true, content: config },
      securityContext: containerHardening({ readOnlyRoot: true }),
      storagePath: "/var/lib/alloy/data",
      mounts: { extra: [{ name: "alloy-wal", mountPath: "/var/lib/alloy" }] },
      resources: sizing(profile, "alloyCluster"),
    },
    serviceMonitor: { enabled: true },
  };
}
