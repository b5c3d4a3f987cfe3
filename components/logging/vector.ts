import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { helmRelease } from "../helm";
import { sizing, type Profile } from "../../model/sizing";
import { versions } from "../../model/versions";
import { parkedVectorValues } from "../../builders/security/parked";
import type { AgentPlacement } from "../../builders/security/podSecurity";
import { VECTOR_API_PORT, vectorConfig, type VectorInput } from "../../builders/logging/vectorConfig";
import {
  containerHardening,
  logAgentCapabilities,
  rootLogAgentPod,
  VECTOR_HOST_DATA,
  type AgentScheduling,
} from "../../builders/security/hardening";
import { RELEASES } from "../../model/names";

/** Arguments of {@link Vector}. */
export interface VectorArgs {
  /**
   * Where the DaemonSet runs; once moved its release has its own name (`<name>-agents`), and during
   * the hand-over the old release stays parked and the new one waits for it (checkpoints and the
   * disk buffer live on the host, /var/lib/vector).
   */
  placement: AgentPlacement;
  profile: Profile;
  /** Pipeline settings; see `vectorConfig`. */
  settings: VectorInput;
  /** Priority class and tolerations (every pool the config declares). */
  scheduling: AgentScheduling;
  /** Kubernetes provider; every child uses it. */
  provider: k8s.Provider;
}

/**
 * Values of the vector chart in the Agent role (a DaemonSet). Vector reads /var/log (pod logs and
 * the journal under it) and writes only its data_dir: the chart's default mounts of the host's
 * /var/lib (every pod's projected tokens, k3s' server token and datastore), /proc and /sys are
 * replaced by /var/log alone. Root without capabilities (the files are root's, mode 0640).
 */
export function vectorValues(
  profile: VectorArgs["profile"],
  settings: VectorInput,
  scheduling: AgentScheduling,
): Record<string, any> {
  return {
    role: "Agent",
    fullnameOverride: RELEASES.vector,
    image: { repository: versions.images.vector.repository, tag: versions.images.vector.tag },
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
    readinessProbe: { httpGet: { path: "/health", port: VECTOR_API_PORT } },
    // The data_dir (checkpoints, the disk buffer) is a hostPath, so both survive restarts.
    persistence: { hostPath: { enabled: true, path: VECTOR_HOST_DATA } },
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
    const values = vectorValues(args.profile, args.settings, args.scheduling);
    const chart = versions.charts.vector;
    const parked = at.parkedIn
      ? helmRelease(
          name,
          { release: RELEASES.vector, chart, namespace: at.parkedIn, values: parkedVectorValues(values) },
          o,
        )
      : undefined;
    helmRelease(
      at.moved ? `${name}-agents` : name,
      { release: RELEASES.vector, chart, namespace: at.namespace, values },
      { ...o, dependsOn: parked ? [parked] : [] },
    );
    this.registerOutputs({});
  }
}
