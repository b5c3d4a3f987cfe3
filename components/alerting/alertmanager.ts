import type { Profile } from "../../model/sizing";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { helmRelease } from "../helm";
import { versions } from "../../model/versions";
import type { AlertmanagerInputs } from "../../builders/alerting/alertmanagerConfig";
import { standaloneAlertmanagerValues } from "../../builders/metrics/exporterValues";
import { RELEASES } from "../../model/names";

/** Arguments of {@link Alertmanager}. */
export interface AlertmanagerArgs {
  /** Namespace of the release. Required. */
  namespace: string;
  /** Sizing profile (model/sizing.ts). Required. */
  profile: Profile;
  /** Receivers (Pushover, heartbeat). Required. */
  alerting: AlertmanagerInputs;
  /**
   * What the release waits for besides what apply/ordering.ts adds (which already orders the
   * receiver Secrets it mounts). Default: none.
   */
  dependsOn?: pulumi.Resource[];
  /** Kubernetes provider; every child uses it. Required. */
  provider: k8s.Provider;
}

/** Standalone Alertmanager that Mimir's ruler notifies once it evaluates the rules (caps.alertmanager "standalone"). */
export class Alertmanager extends pulumi.ComponentResource {
  constructor(name: string, args: AlertmanagerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:alerting:Alertmanager", name, {}, opts);
    helmRelease(
      name,
      {
        release: RELEASES.alertmanager,
        chart: versions.charts.alertmanager,
        namespace: args.namespace,
        values: standaloneAlertmanagerValues(args.profile, args.alerting),
      },
      {
        parent: this,
        provider: args.provider,
        dependsOn: args.dependsOn ?? [],
      },
    );
    this.registerOutputs({});
  }
}
