import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { prometheusRule, type RuleGroup } from "../../builders/alerting/rules";

/** Arguments of {@link AlertRules}. */
export interface AlertRulesArgs {
  /** Namespace of the PrometheusRules. Required. */
  namespace: string;
  /** Rule sets by name; each becomes one PrometheusRule. Required. */
  ruleSets: Record<string, RuleGroup[]>;
  /** What every rule waits for besides what apply/ordering.ts adds (the CRDs). Default: none. */
  dependsOn?: pulumi.Resource[];
  /** Kubernetes provider; every child uses it. Required. */
  provider: k8s.Provider;
}

/** Our rules as PrometheusRule objects with one label (`prometheusRule`), one per rule set. */
export class AlertRules extends pulumi.ComponentResource {
  constructor(name: string, args: AlertRulesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:alerting:AlertRules", name, {}, opts);
    for (const [set, groups] of Object.entries(args.ruleSets))
      new k8s.apiextensions.CustomResource(`${name}-${set}`, prometheusRule(set, args.namespace, groups), {
        parent: this,
        provider: args.provider,
        dependsOn: args.dependsOn ?? [],
      });
    this.registerOutputs({});
  }
}
