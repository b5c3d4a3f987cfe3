/**
 * What one `kubernetes:helm.sh/v3:Release` of an export asks Helm to render: release name,
 * namespace, chart, version, repository and values (secrets replaced by placeholders), or why it
 * cannot be rendered offline.
 */
import { isSecretEnvelope } from "@homelab-observability/contract";
import type { ExportResource } from "../synthesize";
import { placeholderSecrets } from "./secrets";
import type { ReleaseRender } from "./types";

/** The Pulumi resource type of a Helm release. */

/** One release to render. */
export interface ReleaseJob {
  res: ExportResource;
  releaseName: string;
  namespace: string;
  chart: string;
  version: string;
  repo?: string;
  values: Record<string, any>;
  includeCrds: boolean;
}

/** The chart a Release's `chart` input names: "repo/chart" and "oci://host/path/chart" name it by their last segment. */
export function chartName(chart: string | undefined): string {
  return String(chart ?? "")
    .split("/")
    .pop()!;
}

/** The job of a Release resource, or why it cannot render (with what is known of it). */
export function releaseJob(
  res: ExportResource,
): ReleaseJob | { error: string; base: Omit<ReleaseRender, "objects" | "sources"> } {
  const i = res.inputs ?? {};
  const resourceName = res.urn.split("::").pop()!;
  const base = {
    resourceUrn: res.urn,
    releaseName: String(i.name ?? resourceName),
    namespace: String(i.namespace ?? "default"),
    chart: String(i.chart ?? ""),
    version: String(i.version ?? ""),
  };
  if (!base.chart || !base.version)
    return {
      error: `release ${base.releaseName}: chart and version must be set (got chart "${base.chart}", version "${base.version}")`,
      base,
    };
  if (Array.isArray(i.valueYamlFiles) && i.valueYamlFiles.length > 0)
    return {
      error: `release ${base.releaseName}: valueYamlFiles cannot be rendered offline; pass values instead`,
      base,
    };
  if (isSecretEnvelope(i.values))
    return {
      error: `release ${base.releaseName}: its whole values are a secret, so nothing can be rendered offline`,
      base,
    };
  const chart = chartName(base.chart);
  return {
    res,
    ...base,
    chart,
    repo: i.repositoryOpts?.repo,
    values: placeholderSecrets(i.values ?? {}),
    includeCrds: i.skipCrds !== true,
  };
}
