import type { K8sObject } from "../../checks/objects";

/**
 * The grafana Deployment mounting `keys` of its ConfigMap `grafana` into Grafana's datasources
 * folder by subPath, as the grafana chart does (12.3.1 templates/_pod.tpl:1299-1311): what the
 * dashboard check reads the provisioned datasources from (checks/dashboards.ts datasourceFiles).
 */
export function grafanaMountingDatasources(keys: string[], namespace?: string): K8sObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "grafana", ...(namespace ? { namespace } : {}) },
    spec: {
      template: {
        spec: {
          volumes: [{ name: "config", configMap: { name: "grafana" } }],
          containers: [
            {
              name: "grafana",
              volumeMounts: keys.map((k) => ({
                name: "config",
                mountPath: `/etc/grafana/provisioning/datasources/${k}`,
                subPath: k,
              })),
            },
          ],
        },
      },
    },
  };
}
