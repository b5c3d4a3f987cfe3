import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { namespaceObject } from "../builders/core/namespace";

/** Arguments of {@link StackNamespace}. */
export interface StackNamespaceArgs {
  /** Name of the namespace. Required. */
  name: string;
  /** Protect it from deletion (production stacks). Default false. */
  protect?: boolean;
  /**
   * Pod Security labels (builders/security/podSecurity.ts): the stack's namespace enforces
   * baseline, the agents' privileged. Default none.
   */
  labels?: Record<string, string>;
  /** Annotations (the deferred-NetworkPolicies marker of a takeover's import step). Default none. */
  annotations?: Record<string, string>;
  /** What the namespace waits for. Default: none. */
  dependsOn?: pulumi.Resource[];
  /** Kubernetes provider of the namespace. Required. */
  provider: k8s.Provider;
}

/**
 * A namespace of the stack, owned by the program (the one place namespaces are created, so
 * adopting an existing one is one `import` option here). Retained on delete: deleting a namespace
 * deletes every PersistentVolumeClaim in it.
 */
export class StackNamespace extends pulumi.ComponentResource {
  readonly namespace: k8s.core.v1.Namespace;
  constructor(name: string, args: StackNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:core:Namespace", name, {}, opts);
    // An adopted namespace also gets `pulumi.com/patchForce` from the takeover's adoption
    // (apply/takeover.ts adoptedProps): its Pod Security labels may be Flux's fields.
    this.namespace = new k8s.core.v1.Namespace(
      name,
      namespaceObject({ name: args.name, labels: args.labels ?? {}, annotations: args.annotations ?? {} }),
      {
        parent: this,
        provider: args.provider,
        dependsOn: args.dependsOn ?? [],
        retainOnDelete: true,
        protect: args.protect ?? false,
      },
    );
    this.registerOutputs({});
  }
}
