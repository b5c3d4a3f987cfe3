import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { helmRelease } from "../helm";
import { versions } from "../../model/versions";
import {
  dashboardFiles,
  DASHBOARD_LABEL,
  FOLDER_ANNOTATION,
  GRAFANA_SIDECAR_ROLE,
  GRAFANA_SIDECAR_RULES,
  grafanaValues,
  type GrafanaInputs,
} from "../../builders/grafana/grafanaValues";
import { RELEASES } from "../../model/names";

/** Arguments of {@link Grafana}. */
export interface GrafanaArgs {
  namespace: string;
  settings: GrafanaInputs;
  /**
   * Protect the release (production): its chart-rendered PVC holds Grafana's database (users,
   * API keys, dashboards made in the UI), deleted with the release. Default false.
   */
  protect?: boolean;
  /** The admin Secret; Grafana waits for it. */
  dependsOn?: pulumi.Resource[];
  /** Kubernetes provider; every child uses it. */
  provider: k8s.Provider;
}

/** Standalone Grafana: its own release from the first phase, so removing KPS never takes it along. */
export class Grafana extends pulumi.ComponentResource {
  readonly url: string;
  constructor(name: string, args: GrafanaArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:grafana:Grafana", name, {}, opts);
    helmRelease(
      name,
      {
        release: RELEASES.grafana,
        chart: versions.charts.grafana,
        namespace: args.namespace,
        values: grafanaValues(args.settings, args.namespace),
      },
      {
        parent: this,
        provider: args.provider,
        protect: args.protect === true,
        dependsOn: args.dependsOn ?? [],
      },
    );
    new k8s.rbac.v1.Role(
      `${name}-dashboard-reader`,
      {
        metadata: {
          name: GRAFANA_SIDECAR_ROLE,
          namespace: args.namespace,
          labels: { "app.kubernetes.io/part-of": "homelab-observability" },
        },
        rules: GRAFANA_SIDECAR_RULES,
      },
      { parent: this, provider: args.provider },
    );
    new k8s.rbac.v1.RoleBinding(
      `${name}-dashboard-reader`,
      {
        metadata: {
          name: GRAFANA_SIDECAR_ROLE,
          namespace: args.namespace,
          labels: { "app.kubernetes.io/part-of": "homelab-observability" },
        },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: GRAFANA_SIDECAR_ROLE },
        // The chart's ServiceAccount (named after fullnameOverride).
        subjects: [{ kind: "ServiceAccount", name: RELEASES.grafana, namespace: args.namespace }],
      },
      { parent: this, provider: args.provider },
    );
    new k8s.core.v1.ConfigMap(
      `${name}-dashboards`,
      {
        metadata: {
          name: "homelab-dashboards",
          namespace: args.namespace,
          labels: { [DASHBOARD_LABEL]: "1", "app.kubernetes.io/part-of": "homelab-observability" },
          annotations: { [FOLDER_ANNOTATION]: "Homelab" },
        },
        data: dashboardFiles(args.settings.dashboards),
      },
      { parent: this, provider: args.provider },
    );
    this.url = args.settings.url;
    this.registerOutputs({ url: this.url });
  }
}
