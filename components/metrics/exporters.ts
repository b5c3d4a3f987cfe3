import type { Profile } from "../../model/sizing";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { agentHelmReleases, helmRelease } from "../helm";
import { versions } from "../../model/versions";
import { kubeStateMetricsValues, nodeExporterValues } from "../../builders/metrics/exporterValues";
import { agentReleases, parkedNodeExporterValues } from "../../builders/security/parked";
import type { AgentPlacement } from "../../builders/security/podSecurity";
import type { AgentScheduling } from "../../builders/security/hardening";
import type { ScraperAccount } from "../../builders/metrics/exporterValues";
import { RELEASES } from "../../model/names";

/** Arguments of {@link Exporters}. */
export interface ExportersArgs {
  /** Namespace of kube-state-metrics. Required. */
  namespace: string;
  /**
   * Where node-exporter runs; once moved to the agents' namespace its release has its own name
   * (`<name>-node-exporter-agents`), and during the hand-over the old release stays parked and the
   * new one waits for it. Default: `namespace`, not moved.
   */
  nodeExporter?: AgentPlacement;
  /** Sizing profile (model/sizing.ts). Required. */
  profile: Profile;
  /**
   * The ServiceAccounts that scrape node-exporter through its kube-rbac-proxy (the phase's scraper):
   * each is granted exactly the access the proxy asks (builders/metrics/exporterValues.ts
   * `nodeExporterScrapeGrant`). Default none: nothing can scrape it.
   */
  scrapers?: ScraperAccount[];
  /** Run the standalone kube-state-metrics (once KPS, which brings its own, is gone). Default true. */
  kubeStateMetrics?: boolean;
  /** node-exporter's priority class and tolerations (every pool the config declares). Required. */
  scheduling: AgentScheduling;
  /**
   * What the releases wait for besides what apply/ordering.ts adds (namespace, CRDs):
   * kube-prometheus-stack while it exists, so a KPS update that drops its own node-exporter
   * DaemonSet (stacks deployed before this plan) finishes before this one claims host port 9100.
   * Default: none.
   */
  dependsOn?: pulumi.Resource[];
  /** Kubernetes provider; every child uses it. Required. */
  provider: k8s.Provider;
}

/**
 * node-exporter as a standalone release in every phase (KPS's own is switched off: both bind host
 * port 9100, so handing over at KPS removal would clash while Pulumi still holds the old one), and
 * kube-state-metrics once kube-prometheus-stack is gone.
 */
export class Exporters extends pulumi.ComponentResource {
  constructor(name: string, args: ExportersArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:metrics:Exporters", name, {}, opts);
    const o = { parent: this, provider: args.provider, dependsOn: args.dependsOn ?? [] };
    const values = nodeExporterValues(args.profile, args.scheduling, args.scrapers ?? []);
    // Host port 9100 is free only once the parked release's update removed its pods: the new
    // release waits for it.
    agentHelmReleases(
      agentReleases(
        `${name}-node-exporter`,
        args.nodeExporter,
        args.namespace,
        values,
        parkedNodeExporterValues,
      ),
      { release: RELEASES.nodeExporter, chart: versions.charts.nodeExporter },
      o,
    );
    if (args.kubeStateMetrics ?? true) {
      helmRelease(
        `${name}-kube-state-metrics`,
        {
          release: RELEASES.kubeStateMetrics,
          chart: versions.charts.kubeStateMetrics,
          namespace: args.namespace,
          values: kubeStateMetricsValues(args.profile),
        },
        o,
      );
    }
    this.registerOutputs({});
  }
}
