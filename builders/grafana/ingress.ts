/*
 * How people reach Grafana from outside the cluster (`grafana.ingress`, `grafana.httpRoute`): the
 * grafana chart's own `ingress` and `route` values (grafana 12.3.1 values.yaml `ingress`,
 * `route.main`; templates/ingress.yaml renders a networking.k8s.io/v1 Ingress with one rule per
 * `hosts` entry to the chart's Service, templates/route.yaml a gateway.networking.k8s.io/v1
 * HTTPRoute with `hostnames`, `parentRefs` and one rule to that Service). Off by default.
 */

/** An Ingress through the cluster's controller. */
export interface GrafanaIngressInputs {
  host: string;
  className?: string;
  /** Secret with the host's certificate; without it the Ingress serves plain HTTP. */
  tlsSecret?: string;
  /** cert-manager ClusterIssuer that fills `tlsSecret`. */
  clusterIssuer?: string;
}

/** An HTTPRoute attached to a Gateway. */
export interface GrafanaRouteInputs {
  host: string;
  parentRef: { name: string; namespace: string; sectionName?: string };
}

/** cert-manager's annotation naming the ClusterIssuer of an Ingress's TLS Secrets (ingress-shim). */
export const CLUSTER_ISSUER_ANNOTATION = "cert-manager.io/cluster-issuer";

/** The chart values that expose Grafana (nothing when neither is given). */
export function grafanaExposureValues(
  ingress: GrafanaIngressInputs | undefined,
  route: GrafanaRouteInputs | undefined,
): Record<string, any> {
  if (ingress)
    return {
      ingress: {
        enabled: true,
        ...(ingress.className ? { ingressClassName: ingress.className } : {}),
        annotations: ingress.clusterIssuer ? { [CLUSTER_ISSUER_ANNOTATION]: ingress.clusterIssuer } : {},
        path: "/",
        pathType: "Prefix",
        hosts: [ingress.host],
        tls: ingress.tlsSecret ? [{ secretName: ingress.tlsSecret, hosts: [ingress.host] }] : [],
      },
    };
  if (route)
    return {
      route: {
        main: {
          enabled: true,
          apiVersion: "gateway.networking.k8s.io/v1",
          kind: "HTTPRoute",
          hostnames: [route.host],
          parentRefs: [
            {
              name: route.parentRef.name,
              namespace: route.parentRef.namespace,
              ...(route.parentRef.sectionName ? { sectionName: route.parentRef.sectionName } : {}),
            },
          ],
        },
      },
    };
  return {};
}
