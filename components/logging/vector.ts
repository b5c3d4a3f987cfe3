import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { helmRelease } from "../helm";
import { sizing } from "../sizing";
import { versions } from "../versions";
import { vectorConfig, type VectorInput } from "../../builders/logging/vectorConfig";
import { parkedVectorValues } from "../../builders/security/parked";
import type { AgentPlacement } from "../../builders/security/podSecurity";

/** Arguments of {@link Vector}. */
export interface VectorArgs {
  /**
   * Where the DaemonSet runs; once moved its release has its own name (`<name>-agents`), and during
   * the hand-over the old release stays parked and the new one waits for it (checkpoints and the
   * disk buffer live on the host, /var/lib/vector).
   */
  placement: AgentPlacement;
  profile: "standard" | "lightweight";
  /** Pipeline settings; see `vectorConfig`. */
  settings: VectorInput;
  /** Kubernetes provider; every child uses it. */
  provider: k8s.Provider;
}

/** Values of the vector chart in the Agent role (a DaemonSet). */
export function vectorValues(profile: VectorArgs["profile"], settings: VectorInput): Record<string, any> {
  return {
    role: "Agent",
    fullnameOverride: "vector",
    image: { repository: versions.images.vector.repository, tag: versions.images.vector.tag },
    customConfig: vectorConfig(settings),
    resources: sizing(profile, "vector"),
    // The chart mounts /var/log, /var/lib and a hostPath data_dir, so checkpoints and the disk
    // buffer survive restarts.
    persistence: { hostPath: { enabled: true, path: "/var/lib/vector" } },
    service: { enabled: false },
    // Vector's own metrics (seed 001's internal_metrics), scraped like every agent.
    podMonitor: { enabled: true },
  };
}

/** Vector log agent for the lightweight profile. */
export class Vector extends pulumi.ComponentResource {
  constructor(name: string, args: VectorArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:logging:Vector", name, {}, opts);
    const o = { parent: this, provider: args.provider };
    const at = args.placement;
    const values = vectorValues(args.profile, args.settings);
    const chart = versions.charts.vector;
    const parked = at.parkedIn
      ? helmRelease(
          name,
          { release: "vector", chart, namespace: at.parkedIn, values: parkedVectorValues(values) },
          o,
        )
      : undefined;
    helmRelease(
      at.moved ? `${name}-agents` : name,
      { release: "vector", chart, namespace: at.namespace, values },
      { ...o, dependsOn: parked ? [parked] : [] },
    );
    this.registerOutputs({});
  }
}
