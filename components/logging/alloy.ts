import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { helmRelease } from "../helm";
import { sizing, type Profile } from "../../model/sizing";
import { imageValues, versions } from "../../model/versions";
import {
  alloyChartRbac,
  alloyClusterConfig,
  alloyClusterRules,
  alloyNodeConfig,
  alloyNodeRules,
  type AlloyClusterInput,
  type AlloyLogsInput,
} from "../../builders/logging/alloyConfig";
import { parkedAlloyValues } from "../../builders/security/parked";
import type { AgentPlacement } from "../../builders/security/podSecurity";
import {
  ALLOY_HOST_DATA,
  containerHardening,
  logAgentCapabilities,
  nonRootPod,
  rootLogAgentPod,
  type AgentScheduling,
} from "../../builders/security/hardening";
import { RELEASES } from "../../model/names";

/** Arguments of {@link Alloy}. */
export interface AlloyArgs {
  /** Namespace of the cluster replica. */
  namespace: string;
  /**
   * Where the per-node DaemonSet runs; once moved its release has its own name (`<name>-agents`),
   * and during the hand-over the old release stays parked and the new one waits for it. The
   * positions live on the host (/var/lib/alloy), so the new DaemonSet resumes where the old one
   * stopped. Default: `namespace`, not moved.
   */
  nodePlacement?: AgentPlacement;
  profile: Profile;
  /** Per-node log collection; omit to run only the cluster replica (e.g. with Vector for logs). */
  node?: AlloyLogsInput;
  /** The single cluster-wide replica (events, scraping, rule sync); omit when nothing needs it. */
  cluster?: AlloyClusterInput;
  /** Priority class and tolerations of the node DaemonSet (every pool the config declares). */
  scheduling: AgentScheduling;
  /** Kubernetes provider; every child uses it. */
  provider: k8s.Provider;
}

const image = imageValues(versions.images.alloy);
const reloader = {
  image: imageValues(versions.images.configReloader),
};

/** The reloader sidecar: it only watches the mounted config and calls Alloy on localhost. */
const reloaderValues = (profile: AlloyArgs["profile"]) => ({
  ...reloader,
  resources: sizing(profile, "alloyReloader"),
  securityContext: containerHardening({ readOnlyRoot: true }),
});

/**
 * Values of the per-node DaemonSet: /var/log mounted read-only, positions on the host so restarts
 * resume. It stays root (the log files are root's, mode 0640) without capabilities, and its role
 * holds what its pipeline reads (`alloyNodeRules`) and nothing else.
 */
export function alloyNodeValues(
  profile: AlloyArgs["profile"],
  input: AlloyLogsInput,
  scheduling: AgentScheduling,
): Record<string, any> {
  return {
    fullnameOverride: RELEASES.alloy,
    image,
    // The chart's only CRD is PodLogs, which no pipeline here uses; two Alloy releases would both
    // install it (a duplicate object), so neither does.
    crds: { create: false },
    global: { podSecurityContext: rootLogAgentPod() },
    rbac: alloyChartRbac(alloyNodeRules(input)),
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
      configMap: { create: true, content: alloyNodeConfig(input) },
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
 * Values of the cluster-wide single replica: non-root, read-only root filesystem, its role from
 * its config (`alloyClusterRules`). Its storage path (the remote-write WAL, the events' positions)
 * is an emptyDir volume: it survives container restarts (an OOM kill, a crash); a new pod starts
 * a new WAL, as a Deployment's pod may land on any node.
 */
export function alloyClusterValues(
  profile: AlloyArgs["profile"],
  input: AlloyClusterInput,
): Record<string, any> {
  const rbac = alloyChartRbac(alloyClusterRules(input));
  return {
    fullnameOverride: RELEASES.alloyCluster,
    image,
    crds: { create: false },
    global: { podSecurityContext: nonRootPod(ALLOY_UID) },
    rbac,
    configReloader: reloaderValues(profile),
    controller: {
      type: "deployment",
      replicas: 1,
      volumes: { extra: [{ name: "alloy-wal", emptyDir: { sizeLimit: "2Gi" } }] },
    },
    alloy: {
      configMap: { create: true, content: alloyClusterConfig(input) },
      securityContext: containerHardening({ readOnlyRoot: true }),
      storagePath: "/var/lib/alloy/data",
      mounts: { extra: [{ name: "alloy-wal", mountPath: "/var/lib/alloy" }] },
      resources: sizing(profile, "alloyCluster"),
    },
    serviceMonitor: { enabled: true },
  };
}

/** Grafana Alloy: a DaemonSet for node logs and one replica for cluster-scoped work. */
export class Alloy extends pulumi.ComponentResource {
  constructor(name: string, args: AlloyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:logging:Alloy", name, {}, opts);
    const o = { parent: this, provider: args.provider };
    if (args.node) {
      const at = args.nodePlacement ?? { namespace: args.namespace, moved: false };
      const values = alloyNodeValues(args.profile, args.node, args.scheduling);
      const parked = at.parkedIn
        ? helmRelease(
            name,
            {
              release: RELEASES.alloy,
              chart: versions.charts.alloy,
              namespace: at.parkedIn,
              values: parkedAlloyValues(values),
            },
            o,
          )
        : undefined;
      helmRelease(
        at.moved ? `${name}-agents` : name,
        { release: RELEASES.alloy, chart: versions.charts.alloy, namespace: at.namespace, values },
        { ...o, dependsOn: parked ? [parked] : [] },
      );
    }
    if (args.cluster) {
      helmRelease(
        `${name}-cluster`,
        {
          release: RELEASES.alloyCluster,
          chart: versions.charts.alloy,
          namespace: args.namespace,
          values: alloyClusterValues(args.profile, args.cluster),
        },
        o,
      );
    }
    this.registerOutputs({});
  }
}
