import type { Profile } from "../../model/sizing";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { agentHelmReleases, helmRelease } from "../helm";
import { versions } from "../../model/versions";
import type { AlloyClusterInput, AlloyLogsInput } from "../../builders/logging/alloyConfig";
import { alloyClusterValues, alloyNodeValues } from "../../builders/logging/alloyValues";
import { agentReleases, parkedAlloyValues } from "../../builders/security/parked";
import type { AgentPlacement } from "../../builders/security/podSecurity";
import type { AgentScheduling } from "../../builders/security/hardening";
import { RELEASES } from "../../model/names";

/** Arguments of {@link Alloy}. */
export interface AlloyArgs {
  /** Namespace of the cluster replica. Required. */
  namespace: string;
  /**
   * Where the per-node DaemonSet runs; once moved its release has its own name (`<name>-agents`),
   * and during the hand-over the old release stays parked and the new one waits for it. The
   * positions live on the host (/var/lib/alloy), so the new DaemonSet resumes where the old one
   * stopped. Default: `namespace`, not moved.
   */
  nodePlacement?: AgentPlacement;
  /** Sizing profile of both releases (model/sizing.ts). Required. */
  profile: Profile;
  /**
   * Per-node log collection. Default: none, only the cluster replica runs (e.g. with Vector for
   * logs).
   */
  node?: AlloyLogsInput;
  /** The single cluster-wide replica (events, scraping, rule sync). Default: none, nothing needs it. */
  cluster?: AlloyClusterInput;
  /** Priority class and tolerations of the node DaemonSet (every pool the config declares). Required. */
  scheduling: AgentScheduling;
  /** What every release waits for besides what apply/ordering.ts adds. Default: none. */
  dependsOn?: pulumi.Resource[];
  /** Kubernetes provider; every child uses it. Required. */
  provider: k8s.Provider;
}

/** Grafana Alloy: a DaemonSet for node logs and one replica for cluster-scoped work. */
export class Alloy extends pulumi.ComponentResource {
  constructor(name: string, args: AlloyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:logging:Alloy", name, {}, opts);
    const o = { parent: this, provider: args.provider, dependsOn: args.dependsOn ?? [] };
    if (args.node) {
      const values = alloyNodeValues(args.profile, args.node, args.scheduling);
      agentHelmReleases(
        agentReleases(name, args.nodePlacement, args.namespace, values, parkedAlloyValues),
        { release: RELEASES.alloy, chart: versions.charts.alloy },
        o,
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
