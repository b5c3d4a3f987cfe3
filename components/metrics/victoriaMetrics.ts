import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { helmRelease } from "../helm";
import { versions } from "../../model/versions";
import type { PhaseCapabilities } from "../../model/phases";
import { VM_FULLNAME, vmValues, type VmInputs } from "../../builders/metrics/vmValues";
import { victoriaMetricsEndpoints } from "../../model/endpoints";
import { RELEASES } from "../../model/names";

/** VictoriaMetrics components Prometheus must scrape through a ServiceMonitor while it runs. */
export function prometheusScrapedVmComponents(
  caps: Pick<PhaseCapabilities, "kps" | "ruleEvaluator">,
): string[] {
  if (!caps.kps) return [];
  return ["vmsingle", ...(caps.ruleEvaluator === "vmalert" ? ["vmalert", "vmalertmanager"] : [])];
}

/** Arguments of {@link VictoriaMetrics}. */
export interface VictoriaMetricsArgs {
  namespace: string;
  /** Phase-dependent settings; see `vmValues`. */
  settings: VmInputs;
  /** Alertmanager Secrets (while vmalert evaluates the rules). */
  dependsOn?: pulumi.Resource[];
  /** Protect the release (production stacks): vmsingle's volume belongs to it. Default false. */
  protect?: boolean;
  /** Kubernetes provider; every child uses it. */
  provider: k8s.Provider;
}

/** victoria-metrics-k8s-stack: vmsingle, vmagent, vmalert and Alertmanager by phase. */
export class VictoriaMetrics extends pulumi.ComponentResource {
  readonly pushUrl: string;
  readonly queryUrl: string;
  constructor(name: string, args: VictoriaMetricsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:metrics:VictoriaMetrics", name, {}, opts);
    const release = helmRelease(
      name,
      {
        release: RELEASES.vm,
        chart: versions.charts.victoriaMetricsStack,
        namespace: args.namespace,
        values: vmValues(args.settings),
      },
      {
        parent: this,
        provider: args.provider,
        dependsOn: args.dependsOn ?? [],
        protect: args.protect ?? false,
      },
    );
    // While Prometheus still scrapes (while KPS runs) it reads ServiceMonitors only, not the
    // VMServiceScrapes the operator makes for its components: one ServiceMonitor per running
    // component keeps them (the Alertmanager above all) scraped. Once vmagent runs it scrapes them
    // itself, and these go (its converter would otherwise scrape each twice).
    for (const c of prometheusScrapedVmComponents(args.settings.caps)) {
      new k8s.apiextensions.CustomResource(
        `${name}-${c}-servicemonitor`,
        {
          apiVersion: "monitoring.coreos.com/v1",
          kind: "ServiceMonitor",
          metadata: { name: `${c}-${VM_FULLNAME}`, namespace: args.namespace },
          spec: {
            selector: {
              matchLabels: { "app.kubernetes.io/name": c, "app.kubernetes.io/instance": VM_FULLNAME },
            },
            endpoints: [{ port: "http", path: "/metrics" }],
          },
        },
        { parent: this, provider: args.provider, dependsOn: [release] },
      );
    }
    const ep = victoriaMetricsEndpoints(args.namespace);
    this.queryUrl = ep.query;
    this.pushUrl = ep.push;
    this.registerOutputs({ pushUrl: this.pushUrl, queryUrl: this.queryUrl });
  }
}
