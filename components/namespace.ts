import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";

/**
 * Pod Security admission labels of the stack's namespace. Alloy and Vector mount hostPath
 * (/var/log), node-exporter uses hostNetwork, hostPID and hostPath: only the `privileged` level
 * admits them (https://kubernetes.io/docs/concepts/security/pod-security-standards/).
 */
export const POD_SECURITY_LABELS = {
  "pod-security.kubernetes.io/enforce": "privileged",
  "pod-security.kubernetes.io/enforce-version": "latest",
} as const;

/** Arguments of {@link StackNamespace}. */
export interface StackNamespaceArgs {
  /** Name of the namespace every namespaced resource of the stack lives in. */
  name: string;
  /** Protect it from deletion (production stacks). Default false. */
  protect?: boolean;
  /** Kubernetes provider of the namespace. */
  provider: k8s.Provider;
}

/**
 * The stack's namespace, owned by the program (the one place it is created, so adopting an
 * existing namespace is one `import` option here). Retained on delete: deleting a namespace
 * deletes every PersistentVolumeClaim in it.
 */
export class StackNamespace extends pulumi.ComponentResource {
  readonly namespace: k8s.core.v1.Namespace;
  constructor(name: string, args: StackNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:core:Namespace", name, {}, opts);
    this.namespace = new k8s.core.v1.Namespace(
      name,
      {
        metadata: {
          name: args.name,
          labels: { ...POD_SECURITY_LABELS, "app.kubernetes.io/part-of": "homelab-observability" },
        },
      },
      { parent: this, provider: args.provider, retainOnDelete: true, protect: args.protect ?? false },
    );
    this.registerOutputs({});
  }
}
