/**
 * The chart values keys that write a field a finding judged under a name of their own, read in the
 * pinned charts' templates (model/versions.ts). A key named like the field (`ports`, `extraPorts`,
 * `readinessProbe`) is found by its name (synth/report.ts setsField); a key that writes the field
 * through a template is listed here: Grafana's container port names are its `podPortName` and
 * `gossipPortName`, so a probe or a NetworkPolicy naming a port none of its containers declares is
 * the consequence of an override of those, and not of an annotation whose value is that port's name.
 * Port numbers are not listed: the named-port findings judge names.
 */

import { KIND_KEYS } from "../model/chartKinds";

/**
 * The fields, as findings name what they judged: `ports` the containers' (their names), `service.ports`
 * a Service's (their names, what a ServiceMonitor's endpoint `port` looks up), `targetPort` a Service
 * port's, `endpoints.port` the port a ServiceMonitor's endpoint names, `podMetricsEndpoints.port` the
 * container port a PodMonitor's endpoint names (checks/namedPorts.ts podMonitorPorts).
 */
type Field = "ports" | "service.ports" | "targetPort" | "endpoints.port" | "podMetricsEndpoints.port";

/**
 * grafana 12.3.1: the grafana container's ports are named `podPortName` and `gossipPortName`
 * (`-tcp`, `-udp`; templates/_pod.tpl:1394-1401), the image renderer's
 * `imageRenderer.service.portName` (templates/image-renderer-deployment.yaml:87). The Service's
 * port is `service.portName` (templates/service.yaml:58, with the `extraExposePorts` list, :68)
 * and targets `podPortName` (:61); the headless Service's `gossipPortName` (templates/headless-service.yaml:20-22);
 * the image renderer's Service port and target `imageRenderer.service.portName`
 * (templates/image-renderer-service.yaml:22-25). The chart's ServiceMonitors scrape `service.portName`
 * (templates/servicemonitor.yaml:20) and `imageRenderer.service.portName`
 * (templates/image-renderer-servicemonitor.yaml:19). loki 18.11.0 names every port in its
 * templates: no values key writes one. vector 0.56.0: its PodMonitor scrapes `podMonitor.port`
 * (templates/podmonitor.yaml:25, default `prom-exporter`, values.yaml:537), so a renamed scrape
 * port is that key's, and with it the NetworkPolicy rules written for the port the scrape no longer
 * uses (synth/report.ts overrideCauses joins them to the finding that names the key).
 */
const FIELD_KEYS: Record<string, Partial<Record<Field, string[]>>> = {
  vector: { "podMetricsEndpoints.port": ["podMonitor.port"] },
  grafana: {
    ports: ["podPortName", "gossipPortName", "imageRenderer.service.portName"],
    "service.ports": [
      "service.portName",
      "extraExposePorts",
      "gossipPortName",
      "imageRenderer.service.portName",
    ],
    targetPort: ["podPortName", "gossipPortName", "imageRenderer.service.portName"],
    "endpoints.port": ["service.portName", "imageRenderer.service.portName"],
  },
};

/**
 * Whether `override` (a path under `chart`'s values) writes one of the fields `judged` through a key
 * listed for it: at the key, under it, or a map holding it (`imageRenderer.service` holds
 * `imageRenderer.service.portName`).
 */
export function writesJudgedField(chart: string, override: string, judged: readonly string[]): boolean {
  const fields = FIELD_KEYS[chart] ?? {};
  return judged.some((j) =>
    (fields[j as Field] ?? []).some(
      (k) =>
        override === k ||
        override.startsWith(`${k}.`) ||
        override.startsWith(`${k}[`) ||
        k.startsWith(`${override}.`),
    ),
  );
}

/** The workload kind `override` (a path under `chart`'s values) chooses with `value`, when it is a key choosing one. */
export function chosenKind(chart: string, override: string, value: unknown): string | undefined {
  const kinds = KIND_KEYS[chart]?.[override];
  return kinds && typeof value === "string" && Object.hasOwn(kinds, value) ? kinds[value] : undefined;
}
