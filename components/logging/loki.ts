import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { helmRelease } from "../helm";
import { versions } from "../../model/versions";
import { lokiRulesConfigMap, lokiValues, type LokiInputs } from "../../builders/logging/lokiValues";
import type { RuleGroup } from "../../builders/alerting/rules";
import { RELEASES } from "../../model/names";

/** Arguments of {@link Loki}. */
export interface LokiArgs {
  /** Namespace of the release. Required. */
  namespace: string;
  /** Validated settings, storage references and sizing; see `lokiValues`. Required. */
  settings: LokiInputs;
  /**
   * Protect the release (production), as the buckets are: a removed line or a replacement cannot
   * uninstall the store every agent pushes to. Default false.
   */
  protect?: boolean;
  /**
   * LogQL alerting rules for Loki's ruler, written to the ConfigMap the ruler's rule directory
   * mounts (needs `settings.ruler`). Default: none.
   */
  logRules?: RuleGroup[];
  /** Buckets, users and credential Secrets Loki must wait for. Default: none (filesystem). */
  dependsOn?: pulumi.Resource[];
  /** Kubernetes provider; every child uses it. Required. */
  provider: k8s.Provider;
}

/** Grafana Loki (the loki chart) in the stack's deployment mode (builders/logging/lokiModes.ts). */
export class Loki extends pulumi.ComponentResource {
  constructor(name: string, args: LokiArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:logging:Loki", name, {}, opts);
    if (args.logRules && !args.settings.ruler)
      throw new Error("Loki: logRules need settings.ruler (the ruler's tenant and Alertmanager)");
    const rules = args.logRules
      ? [
          // Only the release waits for `dependsOn` (its buckets): the rules need nothing of them.
          new k8s.core.v1.ConfigMap(`${name}-rules`, lokiRulesConfigMap(args.namespace, args.logRules), {
            parent: this,
            provider: args.provider,
          }),
        ]
      : [];
    helmRelease(
      name,
      {
        release: RELEASES.loki,
        chart: versions.charts.loki,
        namespace: args.namespace,
        values: lokiValues(args.settings),
      },
      {
        parent: this,
        provider: args.provider,
        protect: args.protect === true,
        // The pods mount the rule ConfigMap: it exists before they start.
        dependsOn: [...(args.dependsOn ?? []), ...rules],
      },
    );
    this.registerOutputs({});
  }
}
