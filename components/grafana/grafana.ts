import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { helmRelease } from "../helm";
import { versions } from "../../model/versions";
import {
  communityDashboardConfigMaps,
  grafanaDashboardsConfigMap,
  grafanaSidecarRbac,
  grafanaValues,
  type GrafanaInputs,
} from "../../builders/grafana/grafanaValues";
import { RELEASES } from "../../model/names";

/** Arguments of {@link Grafana}. */
export interface GrafanaArgs {
  /** Namespace of the release and its dashboards. Required. */
  namespace: string;
  /** Settings, datasources and dashboards; see `grafanaValues`. Required. */
  settings: GrafanaInputs;
  /**
   * Protect the release (production): its chart-rendered PVC holds Grafana's database (users,
   * API keys, dashboards made in the UI), deleted with the release. Default false.
   */
  protect?: boolean;
  /**
   * What every child waits for besides what apply/ordering.ts adds (which already orders the
   * admin Secret). Default: none.
   */
  dependsOn?: pulumi.Resource[];
  /** Kubernetes provider; every child uses it. Required. */
  provider: k8s.Provider;
}

/** Standalone Grafana: its own release from the first phase, so removing KPS never takes it along. */
export class Grafana extends pulumi.ComponentResource {
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
    const o = { parent: this, provider: args.provider, dependsOn: args.dependsOn ?? [] };
    const rbac = grafanaSidecarRbac(args.namespace, args.settings.dashboardNamespaces);
    if (rbac.clusterRole) {
      new k8s.rbac.v1.ClusterRole(`${name}-dashboard-reader-cluster`, rbac.clusterRole, o);
      new k8s.rbac.v1.ClusterRoleBinding(`${name}-dashboard-reader-cluster`, rbac.clusterRoleBinding, o);
    }
    // Grafana's own namespace keeps the names it always had, so no Role is replaced.
    rbac.roles.forEach((r, i) => {
      const suffix = r.metadata.namespace === args.namespace ? "" : `-${r.metadata.namespace}`;
      new k8s.rbac.v1.Role(`${name}-dashboard-reader${suffix}`, r, o);
      new k8s.rbac.v1.RoleBinding(`${name}-dashboard-reader${suffix}`, rbac.roleBindings[i], o);
    });
    new k8s.core.v1.ConfigMap(
      `${name}-dashboards`,
      grafanaDashboardsConfigMap(args.namespace, args.settings.dashboards),
      o,
    );
    // The community dashboards, one ConfigMap per Grafana folder, named after it.
    for (const cm of communityDashboardConfigMaps(args.namespace, args.settings.dashboards))
      new k8s.core.v1.ConfigMap(`${name}-${cm.metadata.name.replace(/^homelab-/, "")}`, cm, o);
    this.registerOutputs({});
  }
}
