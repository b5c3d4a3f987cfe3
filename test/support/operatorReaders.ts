/**
 * A CR of prometheus-operator or of the VictoriaMetrics operator beside a Secret or ConfigMap that
 * dials a server admitting one reader alone (checkCases.ts serverAdmittingReader), and how many
 * refusals the CR's pod gets: the cases of which objects those pods read (checks/readers.ts
 * readersOf).
 */
import { checkNetworkPolicies } from "../../checks/networkPolicies";
import { operatorObjects, type K8sObject, type Placed } from "../../checks/objects";
import { configMap, serverAdmittingReader } from "./checkCases";
import { SERVERS, type OperatorServer } from "../../upstream/operators/prometheusOperator";

export const NS = "monitoring";
export const ADDRESS = `server.${NS}.svc.cluster.local:9093`;

/** A CR `kind` named `kps` with `spec`: prometheus-operator's, or the VictoriaMetrics operator's (VM*). */
export function cr(kind: string, spec: Record<string, unknown>, namespace = NS): K8sObject {
  const apiVersion = kind.startsWith("VM")
    ? "operator.victoriametrics.com/v1beta1"
    : (SERVERS[kind as OperatorServer]?.apiVersion ?? "monitoring.coreos.com/v1");
  return { apiVersion, kind, metadata: { name: "kps", namespace }, spec };
}

/** The object `name` of `kind` holding a config that dials the server (or `files`). */
export function holding(
  kind: "Secret" | "ConfigMap",
  name: string,
  files: Record<string, string> = { "config.yaml": `targets: ["${ADDRESS}"]\n` },
): K8sObject {
  const cm = configMap(name, files);
  if (kind === "ConfigMap") return cm;
  return { apiVersion: "v1", kind: "Secret", metadata: cm.metadata, stringData: cm.data };
}

/**
 * How many refusals the operator's pod of `custom` (`<kind>-kps`, `prom-agent-kps` for a
 * PrometheusAgent, or `pod`) gets for its connection to the server, `object` beside it.
 */
export function refusals(
  custom: K8sObject,
  object: K8sObject,
  pod = `${SERVERS[custom.kind as OperatorServer]?.prefix ?? custom.kind.toLowerCase()}-kps`,
): number {
  return podRefusals([custom, object], pod);
}

/** How many refusals pod `pod` gets for its connection to the server, `objects` (of release kps) beside it. */
export function podRefusals(objects: K8sObject[], pod: string): number {
  const placed: Placed[] = [
    ...serverAdmittingReader(),
    ...objects.map((obj) => ({ obj, urn: "urn:kps", source: "release kps" })),
  ];
  return checkNetworkPolicies(placed, operatorObjects(placed)).findings.filter(
    (f) =>
      f.where.includes(` ${NS}/${pod} `) && /no NetworkPolicy of monitoring lets it reach/.test(f.message),
  ).length;
}

export const ref = (name: string) => ({ name, key: "config.yaml" });

/** A notification template linking to the server: text Alertmanager sends, no address it dials. */
export const LINK = `{{ define "link" }}http://${ADDRESS}/explore{{ end }}`;

/** An Alertmanager configuration whose `templates` glob is the chart's default, with `extra` YAML appended. */
export const alertmanagerConfig = (extra = "") =>
  `templates:\n- /etc/alertmanager/*.tmpl\nreceivers:\n- name: "null"\n${extra}`;

/**
 * The alertmanager chart's pod: its ConfigMap `alertmanager` mounted at /etc/alertmanager (`volume`
 * and `mount` add to the volume and its mount), running `image` with `args`.
 */
export function alertmanagerPod(
  o: {
    volume?: Record<string, unknown>;
    mount?: Record<string, unknown>;
    args?: string[];
    image?: string;
  } = {},
): K8sObject {
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: "alertmanager", namespace: NS },
    spec: {
      selector: { matchLabels: { app: "alertmanager" } },
      template: {
        metadata: { labels: { app: "alertmanager" } },
        spec: {
          containers: [
            {
              name: "alertmanager",
              image: o.image ?? "quay.io/prometheus/alertmanager:v0.28.1",
              args: o.args ?? [
                "--storage.path=/alertmanager",
                "--config.file=/etc/alertmanager/alertmanager.yml",
              ],
              volumeMounts: [{ name: "config", mountPath: "/etc/alertmanager", ...o.mount }],
            },
          ],
          volumes: [{ name: "config", configMap: { name: "alertmanager", ...o.volume } }],
        },
      },
    },
  };
}
