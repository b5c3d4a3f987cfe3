/** Objects and export resources the rendered-object check tests build their cases from. */
import type { ExportResource } from "../../synth/synthesize";
import type { K8sObject, Placed } from "../../checks/objects";
import { networkPolicy } from "../../builders/security/networkPolicies";
import { NS } from "./objects";

/** A CustomResourceDefinition of `names.kind` in `group`, named as the API server requires (`<plural>.<group>`). */
const crdOf = (
  group: string,
  names: { kind: string; plural: string },
  versions: unknown[],
  more: Record<string, unknown> = {},
): K8sObject => ({
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: `${names.plural}.${group}` },
  spec: { group, ...more, names, versions },
});

/** The part of the pinned Prometheus CRD the duration checks read: `spec.scrapeInterval`'s default (crd-prometheuses.yaml). */
export const PROMETHEUS_CRD = crdOf("monitoring.coreos.com", { kind: "Prometheus", plural: "prometheuses" }, [
  {
    name: "v1",
    schema: {
      openAPIV3Schema: { properties: { spec: { properties: { scrapeInterval: { default: "30s" } } } } },
    },
  },
]);

export const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));
/** The arguments kube-prometheus-stack 88.0.0 renders for production's operator (the v0.93.0 binary starts on them). */
export const KPS_OPERATOR_ARGS = [
  "--kubelet-service=kube-system/kps-kubelet",
  "--kubelet-endpoints=true",
  "--kubelet-endpointslice=false",
  "--localhost=127.0.0.1",
  "--prometheus-config-reloader=quay.io/prometheus-operator/prometheus-config-reloader:v0.93.0",
  "--config-reloader-cpu-request=5m",
  "--config-reloader-cpu-limit=0",
  "--config-reloader-memory-request=16Mi",
  "--config-reloader-memory-limit=64Mi",
  "--thanos-default-base-image=quay.io/thanos/thanos:v0.42.2",
  "--secret-field-selector=type!=kubernetes.io/dockercfg,type!=kubernetes.io/service-account-token,type!=helm.sh/release.v1",
  "--web.enable-tls=false",
  "--web.listen-address=:8080",
];

/**
 * A workload of `kind` in namespace monitoring with one container (`name`, `image`, `args` and
 * `command` when given), its pod labelled `app: <app>`, placed as release `source` at `urn`: the
 * process-args cases' pod.
 */
export function oneContainer(w: {
  kind: "Deployment" | "StatefulSet" | "DaemonSet";
  name: string;
  app: string;
  container: string;
  image: string;
  args: string[];
  command?: string[];
  urn: string;
  source: string;
}): Placed {
  return {
    obj: {
      apiVersion: "apps/v1",
      kind: w.kind,
      metadata: { name: w.name, namespace: "monitoring" },
      spec: {
        selector: { matchLabels: { app: w.app } },
        template: {
          metadata: { labels: { app: w.app } },
          spec: {
            containers: [
              {
                name: w.container,
                image: w.image,
                args: w.args,
                ...(w.command ? { command: w.command } : {}),
              },
            ],
          },
        },
      },
    },
    urn: w.urn,
    source: w.source,
  };
}
export const at = (obj: K8sObject, urn = "urn:rel-a", source = "release a"): Placed => ({ obj, urn, source });
export const res = (
  urn: string,
  dependencies: string[] = [],
  extra: Partial<ExportResource> = {},
): ExportResource => ({
  urn,
  custom: true,
  type: "kubernetes:helm.sh/v3:Release",
  inputs: {},
  outputs: {},
  ...(dependencies.length ? { dependencies } : {}),
  ...extra,
});

export function service(
  name: string,
  selector: Record<string, string>,
  port: number,
  targetPort: number | string,
): K8sObject {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace: NS },
    spec: { selector, ports: [{ name: "http", port, targetPort }] },
  };
}

/**
 * A Deployment in {@link NS} whose pods carry `labels` (and `podLabels` beside them, outside the
 * selector) and serve `http` on 9093.
 */
export function deployment(
  name: string,
  labels: Record<string, string>,
  podLabels: Record<string, string> = {},
): K8sObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: NS },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels: { ...labels, ...podLabels } },
        spec: { containers: [{ name: "main", ports: [{ name: "http", containerPort: 9093 }] }] },
      },
    },
  };
}

/**
 * A NetworkPolicy for `pods` with one edge: ingress from the pods `from` selects on port "http",
 * and, with `to`, egress to that peer on "http" (the rule shape the absent-pod and override cases
 * judge).
 */
export function edgePolicy(
  name: string,
  pods: Record<string, string>,
  from: Record<string, string>,
  to?: object,
): K8sObject {
  return networkPolicy({
    name,
    namespace: NS,
    pods,
    ingress: [{ from: [{ namespace: NS, pods: from }], ports: ["http"], why: "edge" }],
    egress: to ? [{ to: [to as any], ports: [{ port: "http" }], kind: "edge", why: "edge" }] : [],
  }) as K8sObject;
}

/** The pods of {@link serverAdmittingReader}'s server and of the one client its policy admits. */
export const SERVER_PODS = { "app.kubernetes.io/instance": "server" };
export const READER_PODS = { "app.kubernetes.io/instance": "reader" };

/**
 * A Deployment `server` serving `http` on 9093 behind its Service, a Deployment `reader`, and a
 * NetworkPolicy admitting `reader` alone to the server: any other pod's connection to
 * `server.<NS>.svc.cluster.local:9093` is refused ("no NetworkPolicy of <NS> lets it reach").
 */
export function serverAdmittingReader(): Placed[] {
  return [
    { obj: deployment("server", SERVER_PODS), urn: "urn:server", source: "release server" },
    { obj: service("server", SERVER_PODS, 9093, "http"), urn: "urn:server", source: "release server" },
    { obj: deployment("reader", READER_PODS), urn: "urn:reader", source: "release reader" },
    { obj: edgePolicy("server", SERVER_PODS, READER_PODS), urn: "urn:np", source: "resource np" },
  ];
}

export function configMap(name: string, data: Record<string, string>): K8sObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: NS }, data };
}

/**
 * Loki as the engine check reads it: a StatefulSet `loki` in {@link NS} running `image` as
 * `-target=all` with config.yaml from the ConfigMap `loki` (mounted at /etc/loki/config); `args`
 * follow those two, and `container` adds fields to its one container.
 */
export function lokiReadingConfig(
  image: string,
  args: string[] = [],
  container: Record<string, unknown> = {},
): K8sObject {
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: "loki", namespace: NS },
    spec: {
      selector: { matchLabels: { app: "loki" } },
      template: {
        metadata: { labels: { app: "loki" } },
        spec: {
          containers: [
            {
              name: "loki",
              image,
              args: ["-config.file=/etc/loki/config/config.yaml", "-target=all", ...args],
              ...container,
              volumeMounts: [{ name: "config", mountPath: "/etc/loki/config" }],
            },
          ],
          volumes: [{ name: "config", configMap: { name: "loki" } }],
        },
      },
    },
  };
}

export const crd: K8sObject = crdOf(
  "example.com",
  { kind: "Widget", plural: "widgets" },
  [
    {
      name: "v1",
      served: true,
      storage: true,
      schema: {
        openAPIV3Schema: {
          type: "object",
          properties: {
            apiVersion: { type: "string" },
            kind: { type: "string" },
            metadata: { type: "object" },
            spec: {
              type: "object",
              required: ["size"],
              properties: {
                size: { type: "integer", minimum: 1 },
                port: { "x-kubernetes-int-or-string": true },
                mode: { type: "string", pattern: "^(?i)(fast|slow)$" },
                extra: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
              },
            },
          },
        },
      },
    },
  ],
  { scope: "Namespaced" },
);
export const widget: K8sObject = {
  apiVersion: "example.com/v1",
  kind: "Widget",
  metadata: { name: "w", namespace: NS },
  spec: { size: 2, port: "http", mode: "FAST", extra: { anything: true } },
};

/**
 * kube-prometheus-stack's prometheus-operator Deployment (monitoring/kps-operator) with `args`, its
 * image prometheus-operator v0.93.0's unless `image` names another (a mirror).
 */
export const prometheusOperatorDeployment = (
  args: string[],
  image = "quay.io/prometheus-operator/prometheus-operator:v0.93.0",
): K8sObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "kps-operator", namespace: "monitoring" },
  spec: { template: { spec: { containers: [{ name: "kube-prometheus-stack", image, args }] } } },
});
