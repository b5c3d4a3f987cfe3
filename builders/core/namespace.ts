import { PART_OF_LABEL } from "../metadata";

/** A namespace the program creates or adopts: its name, Pod Security labels and annotations. */
export interface NamespaceSpec {
  name: string;
  /** Pod Security labels (builders/security/podSecurity.ts). */
  labels: Record<string, string>;
  /** The deferred-NetworkPolicies marker of a takeover's import step; none otherwise. */
  annotations: Record<string, string>;
}

/** The Namespace object (no annotations key without annotations, so adopting one changes nothing). */
export function namespaceObject(spec: NamespaceSpec): { metadata: Record<string, any> } {
  return {
    metadata: {
      name: spec.name,
      labels: { ...spec.labels, ...PART_OF_LABEL },
      ...(Object.keys(spec.annotations).length > 0 ? { annotations: spec.annotations } : {}),
    },
  };
}
