import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { PriorityClassSpec } from "../../builders/security/hardening";

/** Arguments of {@link PriorityClasses}. */
export interface PriorityClassesArgs {
  /** The classes to create (builders/security/hardening.ts PRIORITY_CLASSES). */
  classes: PriorityClassSpec[];
  /** Kubernetes provider; every child uses it. */
  provider: k8s.Provider;
}

/**
 * The stack's PriorityClasses (cluster-scoped). A pod naming a class that does not exist is refused
 * at admission, so everything that names one waits for these (apply/ordering.ts). None is the
 * global default, and preemption stays the Kubernetes default: a higher class may evict ordinary
 * pods to get scheduled.
 */
export class PriorityClasses extends pulumi.ComponentResource {
  readonly resources: k8s.scheduling.v1.PriorityClass[];
  constructor(name: string, args: PriorityClassesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:scheduling:PriorityClasses", name, {}, opts);
    this.resources = args.classes.map(
      (c) =>
        new k8s.scheduling.v1.PriorityClass(
          `${name}-${c.name}`,
          {
            metadata: { name: c.name, labels: { "app.kubernetes.io/part-of": "homelab-observability" } },
            value: c.value,
            globalDefault: false,
            description: c.description,
          },
          { parent: this, provider: args.provider },
        ),
    );
    this.registerOutputs({});
  }
}
