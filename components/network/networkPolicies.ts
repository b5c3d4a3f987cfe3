import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { defaultDenyIngress, networkPolicy, type Guarded } from "../../builders/security/networkPolicies";

/** Arguments of {@link NetworkPolicies}. */
export interface NetworkPoliciesArgs {
  /** Namespaces whose every pod accepts nothing no other policy allows. Default none. */
  defaultDeny?: string[];
  /** One policy per guarded group of pods (plan/network.ts). Default none. */
  policies?: Guarded[];
  /** What every policy waits for besides what apply/ordering.ts adds. Default: none. */
  dependsOn?: pulumi.Resource[];
  /** Kubernetes provider; every child uses it. Required. */
  provider: k8s.Provider;
}

/**
 * The stack's NetworkPolicies: ingress to every pod is what the wiring needs and nothing else.
 * They take effect only where the cluster's network plugin enforces them (docs/explanation/security-model.md).
 */
export class NetworkPolicies extends pulumi.ComponentResource {
  constructor(name: string, args: NetworkPoliciesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:network:NetworkPolicies", name, {}, opts);
    const o = { parent: this, provider: args.provider, dependsOn: args.dependsOn ?? [] };
    for (const ns of args.defaultDeny ?? [])
      new k8s.networking.v1.NetworkPolicy(`${name}-${ns}-default-deny`, defaultDenyIngress(ns), o);
    for (const g of args.policies ?? [])
      new k8s.networking.v1.NetworkPolicy(`${name}-${g.namespace}-${g.name}`, networkPolicy(g), o);
    this.registerOutputs({});
  }
}
