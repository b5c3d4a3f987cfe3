import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { ChartRef } from "./versions";

/**
 * A Helm release with a fixed release name (so Service names are predictable) from a pinned chart.
 * Every component uses this, so chart source, version and namespace are set the same way everywhere.
 */
export function helmRelease(
  resourceName: string,
  releaseName: string,
  chart: ChartRef,
  namespace: string,
  values: Record<string, any>,
  opts: pulumi.CustomResourceOptions,
): k8s.helm.v3.Release {
  return new k8s.helm.v3.Release(
    resourceName,
    {
      name: releaseName,
      chart: chart.chart,
      version: chart.version,
      repositoryOpts: { repo: chart.repo },
      namespace,
      values,
      // Roll back a failed upgrade instead of leaving a half-applied release.
      atomic: true,
      timeout: 600,
    },
    opts,
  );
}
