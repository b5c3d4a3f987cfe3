import type { Profile } from "../../model/sizing";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { agentHelmReleases } from "../helm";
import { versions } from "../../model/versions";
import { agentReleases, parkedVectorValues } from "../../builders/security/parked";
import type { AgentPlacement } from "../../builders/security/podSecurity";
import type { VectorInput } from "../../builders/logging/vectorConfig";
import { vectorValues } from "../../builders/logging/vectorValues";
import type { AgentScheduling } from "../../builders/security/hardening";
import { RELEASES } from "../../model/names";

/** Arguments of {@link Vector}. */
export interface VectorArgs {
  /**
   * Where the DaemonSet runs; once moved its release has its own name (`<name>-agents`), and during
   * the hand-over the old release stays parked and the new one waits for it (checkpoints and the
   * disk buffer live on the host, /var/lib/vector). Required.
   */
  placement: AgentPlacement;
  /** Sizing profile (model/sizing.ts). Required. */
  profile: Profile;
  /** Pipeline settings; see `vectorConfig`. Required. */
  settings: VectorInput;
  /** Priority class and tolerations (every pool the config declares). Required. */
  scheduling: AgentScheduling;
  /** What every release waits for besides what apply/ordering.ts adds. Default: none. */
  dependsOn?: pulumi.Resource[];
  /** Kubernetes provider; every child uses it. Required. */
  provider: k8s.Provider;
}

/** Vector log agent for the lightweight profile. */
export class Vector extends pulumi.ComponentResource {
  constructor(name: string, args: VectorArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:logging:Vector", name, {}, opts);
    const o = { parent: this, provider: args.provider, dependsOn: args.dependsOn ?? [] };
    const values = vectorValues(args.profile, args.settings, args.scheduling);
    agentHelmReleases(
      agentReleases(name, args.placement, args.placement.namespace, values, parkedVectorValues),
      { release: RELEASES.vector, chart: versions.charts.vector },
      o,
    );
    this.registerOutputs({});
  }
}
