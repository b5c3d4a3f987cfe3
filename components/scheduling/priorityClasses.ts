import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { priorityClassObject, type PriorityClassSpec } from "../../builders/security/hardening";

/** Arguments of {@link PriorityClasses}. */
export interface PriorityClassesArgs {
  /** The classes to create (builders/security/hardening.ts PRIORITY_CLASSES). Required. */
  classes: PriorityClassSpec[];
  /** What every class waits for. Default: none. */
  dependsOn?: pulumi.Resource[];
  /** Kubernetes provider; every child uses it. Required. */
  provider: k8s.Provider;
}

/**
 * The stack's PriorityClasses (cluster-scoped). A pod naming a class that does not exist is refused
 * at admission, so everything that names one waits for these (apply/ordering.ts).
 */
export class PriorityClasses extends pulumi.ComponentResource {
  readonly resources: k8s.scheduling.v1.PriorityClass[];
  constructor(name: string, args: PriorityClassesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:scheduling:PriorityClasses", name, {}, opts);
    this.resources = args.classes.map(
      (c) =>
        new k8s.scheduling.v1.PriorityClass(`${name}-${c.name}`, priorityClassObject(c), {
          parent: this,
          provider: args.provider,
          dependsOn: args.dependsOn ?? [],
        }),
    );
    this.registerOutputs({});
  }
}
