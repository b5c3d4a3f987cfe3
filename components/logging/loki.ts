import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { helmRelease } from "../helm";
import { versions } from "../../model/versions";
import { stringify } from "yaml";
import {
  LOKI_RULES_CONFIGMAP,
  LOKI_RULES_FILE,
  lokiValues,
  type LokiInputs,
} from "../../builders/logging/lokiValues";
import type { RuleGroup } from "../../builders/alerting/rules";
import { lokiEndpoints } from "../../model/endpoints";
import { RELEASES } from "../../model/names";

/** Arguments of {@link Loki}. */
export interface LokiArgs {
  /** Namespace of the release. */
  namespace: string;
  /** Validated settings, storage references and sizing; see `lokiValues`. */
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
  /** Kubernetes provider; every child uses it. */
  provider: k8s.Provider;
}

/** Grafana Loki (grafana/loki chart) in SingleBinary or SimpleScalable mode. */
export class Loki extends pulumi.ComponentResource {
  /** Where agents push (`.../loki/api/v1/push`). */
  readonly pushUrl: string;
  /** Base URL Grafana queries. */
  readonly queryUrl: string;
  readonly release: k8s.helm.v3.Release;

  constructor(name: string, args: LokiArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:logging:Loki", name, {}, opts);
    if (args.logRules && !args.settings.ruler)
      throw new Error("Loki: logRules need settings.ruler (the ruler's tenant and Alertmanager)");
    const rules = args.logRules
      ? [
          new k8s.core.v1.ConfigMap(
            `${name}-rules`,
            {
              metadata: {
                name: LOKI_RULES_CONFIGMAP,
                namespace: args.namespace,
                labels: { "app.kubernetes.io/part-of": "homelab-observability" },
              },
              data: { [LOKI_RULES_FILE]: stringify({ groups: args.logRules }) },
            },
            { parent: this, provider: args.provider },
          ),
        ]
      : [];
    this.release = helmRelease(
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
    const ep = lokiEndpoints(args.namespace, args.settings.loki);
    this.pushUrl = ep.push;
    this.queryUrl = ep.query;
    this.registerOutputs({ pushUrl: this.pushUrl, queryUrl: this.queryUrl });
  }
}
