import type { Profile } from "../../model/sizing";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { helmRelease } from "../helm";
import { versions } from "../../model/versions";
import type { AlertmanagerInputs } from "../../builders/alerting/alertmanagerConfig";
import {
  standaloneAlertmanagerUrl,
  standaloneAlertmanagerValues,
} from "../../builders/metrics/exporterValues";
import { RELEASES } from "../../model/names";

/** Arguments of {@link Alertmanager}. */
export interface AlertmanagerArgs {
  namespace: string;
  profile: Profile;
  /** Receivers (Pushover, heartbeat). */
  alerting: AlertmanagerInputs;
  /** The receiver Secrets it mounts. */
  dependsOn?: pulumi.Resource[];
  /** Kubernetes provider; every child uses it. */
  provider: k8s.Provider;
}

/** Standalone Alertmanager that Mimir's ruler notifies once it evaluates the rules (caps.alertmanager "standalone"). */
export class Alertmanager extends pulumi.ComponentResource {
  readonly url: string;
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
    this.url = standaloneAlertmanagerUrl(args.namespace);
    this.registerOutputs({ url: this.url });
  }
}
