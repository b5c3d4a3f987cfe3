import type { K8sObject } from "../../checks/objects";
import { versions } from "../../model/versions";

const PIN = versions.images.nodeExporter;

/** The namespace the check tests place their objects in. */
export const NS = "monitoring";

/**
 * A node-exporter-like DaemonSet serving `port` (on the host network unless told otherwise), with
 * the seccomp profile and non-root user every pod of the stack has (the privilege checks pass it).
 */
export function daemonSet(name: string, port: number, hostNetwork = true): K8sObject {
  return {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name, namespace: NS },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          hostNetwork,
          securityContext: {
            seccompProfile: { type: "RuntimeDefault" },
            runAsNonRoot: true,
            runAsUser: 65534,
          },
          containers: [
            {
              name: "main",
              // The pinned image: image-pins finds any other tag of a pinned repository.
              image: `${PIN.registry}/${PIN.repository}:${PIN.tag}`,
              ports: [{ name: "metrics", containerPort: port }],
            },
          ],
        },
      },
    },
  };
}
