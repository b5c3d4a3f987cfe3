import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { ChartRef } from "../model/versions";
import type { AgentRelease } from "../builders/security/parked";

/** Revisions Helm keeps per release (Flux's helm-controller default, which a takeover continues). */
export const MAX_HISTORY = 5;

/** What {@link helmRelease} installs. */
export interface HelmReleaseOptions {
  /** Helm release name; fixed, so Service names (model/endpoints.ts) are predictable. */
  release: string;
  /** The pinned chart (model/versions.ts). */
  chart: ChartRef;
  /** Namespace of the release. */
  namespace: string;
  /** Chart values, from the component's pure builder. */
  values: Record<string, any>;
}

/**
 * A Helm release with a fixed release name from a pinned chart. Every component uses this, so chart
 * source, version and namespace are set the same way everywhere.
 */
export function helmRelease(
  resourceName: string,
  release: HelmReleaseOptions,
  opts: pulumi.CustomResourceOptions,
): k8s.helm.v3.Release {
  return new k8s.helm.v3.Release(
    resourceName,
    {
      name: release.release,
      chart: release.chart.chart,
      version: release.chart.version,
      repositoryOpts: { repo: release.chart.repo },
      namespace: release.namespace,
      values: release.values,
      // Roll back a failed upgrade instead of leaving a half-applied release.
      atomic: true,
      timeout: 600,
      // Helm keeps every revision's manifest as a Secret unless capped (helm_release.go sets the
      // upgrade's MaxHistory from this, 0 = unlimited); Flux's helm-controller kept 5.
      maxHistory: MAX_HISTORY,
    },
    opts,
  );
}

/**
 * A node agent's releases as builders/security/parked.ts `agentReleases` places them: the parked
 * one during the hand-over, then the running one, which waits for it besides `opts.dependsOn`.
 * Returns the running release.
 */
export function agentHelmReleases(
  agent: { parked?: AgentRelease; running: AgentRelease },
  release: Omit<HelmReleaseOptions, "namespace" | "values">,
  opts: { parent: pulumi.Resource; provider: pulumi.ProviderResource; dependsOn: pulumi.Resource[] },
): k8s.helm.v3.Release {
  const at = (r: AgentRelease) => ({ ...release, namespace: r.namespace, values: r.values });
  const parked = agent.parked ? helmRelease(agent.parked.resourceName, at(agent.parked), opts) : undefined;
  return helmRelease(agent.running.resourceName, at(agent.running), {
    ...opts,
    dependsOn: [...opts.dependsOn, ...(parked ? [parked] : [])],
  });
}
