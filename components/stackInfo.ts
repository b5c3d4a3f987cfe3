import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { parseQuantity, type NodePool, type Phase } from "./config";

/** Name of the ConfigMap the policy pack reads the stack's facts from. */
export const STACK_INFO_NAME = "homelab-observability-stack";
export const STACK_INFO_LABEL = { key: "homelab.dev/stack-info", value: "true" } as const;

/** What the policy pack needs to know about a stack that resources alone do not say. */
export function stackInfoData(input: {
  cluster: string;
  phase: Phase;
  production: boolean;
  nodePools: NodePool[];
}): Record<string, string> {
  return {
    cluster: input.cluster,
    phase: input.phase,
    production: String(input.production),
    nodePools: JSON.stringify(
      input.nodePools.map((p) => ({
        name: p.name,
        arch: p.arch,
        count: p.count,
        cpu: parseQuantity(p.cpu),
        memoryBytes: parseQuantity(p.memory),
        labels: p.labels,
        taints: p.taints,
      })),
    ),
  };
}

/** Arguments of {@link StackInfo}. */
export interface StackInfoArgs {
  namespace: string;
  data: Record<string, string>;
  /** Kubernetes provider; every child uses it. */
  provider: k8s.Provider;
}

/**
 * A ConfigMap recording the stack's phase, production flag and node pools (capacity). The policy
 * pack reads it, in `pulumi preview` and offline alike, for the budget and protection policies.
 */
export class StackInfo extends pulumi.ComponentResource {
  constructor(name: string, args: StackInfoArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:core:StackInfo", name, {}, opts);
    new k8s.core.v1.ConfigMap(
      name,
      {
        metadata: {
          name: STACK_INFO_NAME,
          namespace: args.namespace,
          labels: { [STACK_INFO_LABEL.key]: STACK_INFO_LABEL.value },
        },
        data: args.data,
      },
      { parent: this, provider: args.provider },
    );
    this.registerOutputs({});
  }
}
