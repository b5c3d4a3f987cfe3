import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { stackInfoConfigMap } from "../builders/stackInfo";

/** Arguments of {@link StackInfo}. */
export interface StackInfoArgs {
  /** Namespace of the ConfigMap (the stack's). Required. */
  namespace: string;
  /** The ConfigMap's data, from `stackInfoData` (the contract's encoding). Required. */
  data: Record<string, string>;
  /** What the ConfigMap waits for besides what apply/ordering.ts adds. Default: none. */
  dependsOn?: pulumi.Resource[];
  /** Kubernetes provider; every child uses it. Required. */
  provider: k8s.Provider;
}

/**
 * A ConfigMap recording the stack's phase, production flag and node pools (capacity). The policy
 * pack reads it, in `pulumi preview` and offline alike, for the budget and protection policies.
 */
export class StackInfo extends pulumi.ComponentResource {
  constructor(name: string, args: StackInfoArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:core:StackInfo", name, {}, opts);
    new k8s.core.v1.ConfigMap(name, stackInfoConfigMap(args.namespace, args.data), {
      parent: this,
      provider: args.provider,
      dependsOn: args.dependsOn ?? [],
    });
    this.registerOutputs({});
  }
}
