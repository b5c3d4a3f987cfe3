import type { StackConfig } from "../config/resolve";
import { grafanaExposure } from "../config/grafanaExposure";
import type { GrafanaInputs } from "../builders/grafana/grafanaValues";

/*
 * `grafana.ingress` / `grafana.httpRoute` into what the Grafana release and the NetworkPolicies
 * get: the chart's Ingress or HTTPRoute, and the namespace admitted to Grafana's port.
 */

/** The Ingress or HTTPRoute inputs of Grafana's release (none when neither key is set). */
export function grafanaExposureInputs(
  g: StackConfig["grafana"],
): Pick<GrafanaInputs, "ingress" | "httpRoute"> {
  if (g.ingress)
    return {
      ingress: {
        host: g.ingress.host,
        className: g.ingress.className,
        tlsSecret: g.ingress.tls?.secretName,
        clusterIssuer: g.ingress.tls?.clusterIssuer,
      },
    };
  if (g.httpRoute) return { httpRoute: { host: g.httpRoute.host, parentRef: g.httpRoute.parentRef } };
  return {};
}

/** The namespace whose pods carry people's traffic to Grafana (the controller's or the Gateway's); undefined: anywhere. */
export function grafanaUiFrom(g: StackConfig["grafana"]): string | undefined {
  return grafanaExposure(g)?.fromNamespace;
}
