import { RENDERED_KEY } from "@homelab-observability/contract";
import type { Placed } from "../../checks/objects";
import type { ExportedResource } from "../../policy/evaluate";
import { attributeOverrides } from "../../synth/report";

/**
 * Cases for the tests of which chartValues override a finding names (test/synth/judgedOverrides
 * and the files split from it): a release with its rendered objects beside it, and the overrides
 * synth/report.ts attributeOverrides names for a list of findings.
 */
const STACK = "urn:pulumi:production::homelab-observability";

/** A release `name` of `chart` in `namespace` with `values`, rendered (its objects stand beside it). */
export function helmRelease(
  chart: string,
  name: string,
  namespace: string,
  values: Record<string, unknown>,
): ExportedResource & { inputs: Record<string, unknown> } {
  return {
    urn: `${STACK}::kubernetes:helm.sh/v3:Release::${name}-${namespace}`,
    type: "kubernetes:helm.sh/v3:Release",
    custom: true,
    inputs: { name, namespace, chart, values, [RENDERED_KEY]: 1 },
  };
}

/** A Deployment (or another workload kind) `rel` rendered, with pod spec `pod`. */
export function renderedBy(
  rel: ReturnType<typeof helmRelease>,
  kind: string,
  name: string,
  pod: Record<string, unknown>,
) {
  const namespace = rel.inputs.namespace as string;
  const obj = {
    apiVersion: "apps/v1",
    kind,
    metadata: { name, namespace },
    spec: { selector: { matchLabels: { app: name } }, template: { metadata: {}, spec: pod } },
  };
  const cut = rel.urn.lastIndexOf("::");
  const urn = `${rel.urn.slice(0, cut)}$kubernetes:apps/v1:${kind}::${rel.urn.slice(cut + 2)}/${namespace}/${name}`;
  const resource: ExportedResource = {
    urn,
    type: `kubernetes:apps/v1:${kind}`,
    custom: true,
    inputs: obj,
    parent: rel.urn,
  };
  return { obj, urn, resource, placed: { obj, urn, source: `release ${rel.inputs.name as string}` } };
}

/** Each report's named overrides and whether they are "one of these", as attributeOverrides gives them. */
export function tracedOverrides<
  T extends { message: string; overrides?: string[]; overridesUnsure?: boolean },
>(reports: T[], resources: ExportedResource[], overrides: string[]) {
  return attributeOverrides(
    reports.map((r) => ({ ...r, alsoAt: [] })),
    resources,
    overrides,
  ).map((r) => [r.overrides, r.overridesUnsure]);
}

/** The stack's NetworkPolicy `loki` in `monitoring`, admitting `port` to the pods `matchLabels` picks. */
export function lokiIngress(port: string, matchLabels: Record<string, string>): Placed {
  return {
    obj: {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "loki", namespace: "monitoring" },
      spec: { podSelector: { matchLabels }, ingress: [{ ports: [{ port }] }] },
    },
    urn: `${STACK}::kubernetes:networking.k8s.io/v1:NetworkPolicy::loki`,
    source: "resource loki",
  };
}
