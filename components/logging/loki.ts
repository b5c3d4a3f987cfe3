import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { helmRelease } from "../helm";
import { versions } from "../versions";
import { lokiValues, type LokiInputs } from "../../builders/logging/lokiValues";
import { lokiEndpoints } from "../../plan/endpoints";

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
    this.release = helmRelease(
      name,
      {
        release: "loki",
        chart: versions.charts.loki,
        namespace: args.namespace,
        values: lokiValues(args.settings),
      },
      {
        parent: this,
        provider: args.provider,
        protect: args.protect === true,
        dependsOn: args.dependsOn ?? [],
      },
    );
    const ep = lokiEndpoints(args.namespace, args.settings.loki);
    this.pushUrl = ep.push;
    this.queryUrl = ep.query;
    this.registerOutputs({ pushUrl: this.pushUrl, queryUrl: this.queryUrl });
  }
}
