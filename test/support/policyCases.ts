import { strict as assert } from "assert";
import type { SizedComponent } from "@homelab-observability/contract";
import {
  evaluateResources,
  type ExportedResource,
  type PackConfig,
  type Violation,
} from "../../policy/evaluate";

/**
 * Shapes of a real `pulumi stack export` / preview for policy tests: custom resources with inputs,
 * Pulumi secrets as ciphertext envelopes, v4 Charts as components without inputs whose rendered
 * objects are children, and raw Kubernetes objects.
 */
const STACK = "urn:pulumi:production::homelab-observability";
let n = 0;

/** A custom resource as an export lists it. */
export function res(
  type: string,
  inputs: Record<string, any>,
  extra: Partial<ExportedResource> & { name?: string } = {},
): ExportedResource {
  const { name, ...rest } = extra;
  const resName = name ?? `r${++n}`;
  return {
    urn: `${STACK}::${type}::${resName}`,
    type,
    custom: true,
    inputs,
    outputs: inputs,
    ...rest,
  };
}

/** A helm.sh/v3 Release (policies see its chart and values). */
export function release(
  chart: string,
  values: any,
  extra: Partial<ExportedResource> & { name?: string } = {},
) {
  return res(
    "kubernetes:helm.sh/v3:Release",
    { chart, version: "1.0.0", namespace: "monitoring", values },
    { name: chart, ...extra },
  );
}

/**
 * A helm.sh/v4 Chart as pulumi-kubernetes registers it (a component without inputs) with its
 * rendered objects as children: policies only ever see the children.
 */
export function v4Chart(
  name: string,
  children: { type: string; inputs: Record<string, any> }[],
): ExportedResource[] {
  const chart: ExportedResource = {
    urn: `${STACK}::kubernetes:helm.sh/v4:Chart::${name}`,
    type: "kubernetes:helm.sh/v4:Chart",
    custom: false,
    inputs: {},
    outputs: {},
  };
  return [
    chart,
    ...children.map((c, i) => ({
      urn: `${STACK}::kubernetes:helm.sh/v4:Chart$${c.type}::${name}:${c.inputs.metadata?.name ?? i}`,
      type: c.type,
      custom: true,
      parent: chart.urn,
      inputs: c.inputs,
      outputs: c.inputs,
    })),
  ];
}

/** A Pulumi secret as `pulumi stack export` writes it. */
export function secret(ciphertext = "v1:Zm9v:YmFy"): Record<string, string> {
  return { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext };
}

/** The program's stack-info ConfigMap (components/stackInfo.ts) with pools as it records them. */
export function stackInfo(
  pools: {
    name: string;
    arch: string;
    count?: number;
    labels?: Record<string, string>;
    taints?: { key: string; value?: string; effect: string }[];
  }[],
  production = true,
  sized?: SizedComponent[],
): ExportedResource {
  return res(
    "kubernetes:core/v1:ConfigMap",
    {
      metadata: { name: "stack-info", namespace: "monitoring", labels: { "homelab.dev/stack-info": "true" } },
      data: {
        // What each component is sized for, as the program records it (config/sizing.ts planSizing).
        ...(sized ? { sized: JSON.stringify(sized) } : {}),
        cluster: "lab",
        phase: "loki-fixed",
        production: String(production),
        nodePools: JSON.stringify(
          pools.map((p) => ({
            name: p.name,
            arch: p.arch,
            count: p.count ?? 1,
            cpu: 4,
            memoryBytes: 8 * 2 ** 30,
            labels: p.labels ?? { "kubernetes.io/arch": p.arch },
            taints: p.taints ?? [],
          })),
        ),
      },
    },
    { name: "stack-info" },
  );
}

/** A raw workload object (rendered by a chart or written by the program). */
export function workload(
  kind: "Deployment" | "StatefulSet" | "DaemonSet",
  name: string,
  podSpec: Record<string, any>,
): { type: string; inputs: Record<string, any> } {
  return {
    type: `kubernetes:apps/v1:${kind}`,
    inputs: {
      apiVersion: "apps/v1",
      kind,
      metadata: { name, namespace: "monitoring" },
      spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: { spec: podSpec } },
    },
  };
}

export const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));

export async function check(
  resources: ExportedResource[],
  policy: string,
  config: PackConfig = {},
): Promise<Violation[]> {
  return (await evaluateResources(resources, config)).filter((v) => v.policy === policy);
}

export async function passes(
  resources: ExportedResource[],
  policy: string,
  config?: PackConfig,
): Promise<void> {
  const v = await check(resources, policy, config);
  assert.deepEqual(
    v.map((x) => x.message),
    [],
    `${policy} should pass`,
  );
}

export async function fails(
  resources: ExportedResource[],
  policy: string,
  pattern: RegExp,
  config?: PackConfig,
): Promise<Violation[]> {
  const v = await check(resources, policy, config);
  assert.ok(v.length > 0, `${policy} should fail`);
  assert.ok(
    v.some((x) => pattern.test(x.message)),
    `no message matched ${pattern}:\n${v.map((x) => x.message).join("\n")}`,
  );
  return v;
}
