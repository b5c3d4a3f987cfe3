import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { STACK_INFO_LABEL, STACK_INFO_NAME } from "@homelab-observability/contract";

export { STACK_INFO_LABEL, STACK_INFO_NAME };

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
