import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { helmRelease } from "../helm";
import { sizing } from "../sizing";
import { imageValues, versions } from "../versions";
import {
  alloyClusterConfig,
  alloyNodeConfig,
  type AlloyClusterInput,
  type AlloyLogsInput,
} from "../../builders/logging/alloyConfig";
import { parkedAlloyValues } from "../../builders/security/parked";
import type { AgentPlacement } from "../../builders/security/podSecurity";

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
  profile: "standard" | "lightweight";
  /** Per-node log collection; omit to run only the cluster replica (e.g. with Vector for logs). */
  node?: AlloyLogsInput;
  /** The single cluster-wide replica (events, scraping, rule sync); omit when nothing needs it. */
  cluster?: AlloyClusterInput;
  /** Kubernetes provider; every child uses it. */
  provider: k8s.Provider;
}

const image = imageValues(versions.images.alloy);
const reloader = {
  image: imageValues(versions.images.configReloader),
};

/** Values of the per-node DaemonSet: /var/log mounted read-only, positions on the host so restarts resume. */
export function alloyNodeValues(profile: AlloyArgs["profile"], config: string): Record<string, any> {
  return {
    fullnameOverride: "alloy",
    image,
    // The chart's only CRD is PodLogs, which no pipeline here uses; two Alloy releases would both
    // install it (a duplicate object), so neither does.
    crds: { create: false },
    configReloader: { ...reloader, resources: sizing(profile, "alloyReloader") },
    controller: {
      type: "daemonset",
      volumes: {
        extra: [{ name: "alloy-data", hostPath: { path: "/var/lib/alloy", type: "DirectoryOrCreate" } }],
      },
    },
    alloy: {
      configMap: { create: true, content: config },
      // Positions live under storagePath; /tmp (the default) loses them on every restart.
      storagePath: "/var/lib/alloy/data",
      mounts: {
        varlog: true,
        dockercontainers: false,
        extra: [{ name: "alloy-data", mountPath: "/var/lib/alloy" }],
      },
      resources: sizing(profile, "alloyNode"),
    },
    // Every agent is scraped (by Prometheus, later by the cluster replica itself).
    serviceMonitor: { enabled: true },
  };
}

/** Values of the cluster-wide single replica. */
export function alloyClusterValues(profile: AlloyArgs["profile"], config: string): Record<string, any> {
  return {
    fullnameOverride: "alloy-cluster",
    image,
    crds: { create: false },
    configReloader: { ...reloader, resources: sizing(profile, "alloyReloader") },
    controller: { type: "deployment", replicas: 1 },
    alloy: { configMap: { create: true, content: config }, resources: sizing(profile, "alloyCluster") },
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
      const values = alloyNodeValues(args.profile, alloyNodeConfig(args.node));
      const parked = at.parkedIn
        ? helmRelease(
            name,
            {
              release: "alloy",
              chart: versions.charts.alloy,
              namespace: at.parkedIn,
              values: parkedAlloyValues(values),
            },
            o,
          )
        : undefined;
      helmRelease(
        at.moved ? `${name}-agents` : name,
        { release: "alloy", chart: versions.charts.alloy, namespace: at.namespace, values },
        { ...o, dependsOn: parked ? [parked] : [] },
      );
    }
    if (args.cluster) {
      helmRelease(
        `${name}-cluster`,
        {
          release: "alloy-cluster",
          chart: versions.charts.alloy,
          namespace: args.namespace,
          values: alloyClusterValues(args.profile, alloyClusterConfig(args.cluster)),
        },
        o,
      );
    }
    this.registerOutputs({});
  }
}
