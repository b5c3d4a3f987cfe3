import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { RULE_LABEL, type RuleGroup } from "../../builders/alerting/rules";

/** Arguments of {@link AlertRules}. */
export interface AlertRulesArgs {
  namespace: string;
  /** Rule sets by name; each becomes one PrometheusRule. */
  ruleSets: Record<string, RuleGroup[]>;
  /** The CRDs must exist first. */
  dependsOn?: pulumi.Resource[];
  /** Kubernetes provider; every child uses it. */
  provider: k8s.Provider;
}

/**
 * Our rules as PrometheusRule objects with one label. Which engine evaluates them is chosen by
 * selectors elsewhere (Prometheus until the backend takes the rules; Mimir's ruler via Alloy, or vmalert via
 * the VictoriaMetrics operator, after), so each rule has exactly one evaluator in every phase.
 */
export class AlertRules extends pulumi.ComponentResource {
  constructor(name: string, args: AlertRulesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:alerting:AlertRules", name, {}, opts);
    for (const [set, groups] of Object.entries(args.ruleSets)) {
      new k8s.apiextensions.CustomResource(
        `${name}-${set}`,
        {
          apiVersion: "monitoring.coreos.com/v1",
          kind: "PrometheusRule",
          metadata: {
            name: `homelab-${set}`,
            namespace: args.namespace,
            labels: { [RULE_LABEL.key]: RULE_LABEL.value },
          },
          spec: { groups },
        },
        { parent: this, provider: args.provider, dependsOn: args.dependsOn ?? [] },
      );
    }
    this.registerOutputs({});
  }
}
