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
  /** StorageClass of its claim (silences, notification log). Required. */
  storageClass: string;
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
        values: standaloneAlertmanagerValues(args.profile, args.alerting, args.storageClass),
      },
      {
        parent: this,
        provider: args.provider,
        dependsOn: args.dependsOn ?? [],
        // The claim's class only where the StatefulSet is created: the API server refuses any
        // change to a running one's volumeClaimTemplates (ValidateStatefulSetUpdate), and an
        // Alertmanager created before its claim took storageClasses.default has a template without
        // a class and a claim already bound. Its update keeps the class it was created with
        // (none), as the engine keeps an ignored input; the change check compares the same
        // (change/against.ts engineInputs).
        ignoreChanges: ["values.persistence.storageClass"],
      },
    );
    this.registerOutputs({});
  }
}
