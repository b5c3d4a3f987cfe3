/** Objects of a stack the VictoriaMetrics operator runs, for the pack's tests of what it writes into its pods. */
import type { Res } from "../../policy/lib/resources";
import type { K8sObject } from "../../checks/objects";

const VM = "kubernetes:operator.victoriametrics.com/v1beta1";

/** A VictoriaMetrics custom resource of `kind` named vm. */
export const vmCr = (kind: string, spec: Record<string, unknown>): Res => ({
  type: `${VM}:${kind}`,
  urn: `urn:pulumi:s::p::${VM}:${kind}::vm`,
  name: "vm",
  props: { metadata: { name: "vm" }, spec },
});

/** The operator's rendered Deployment, its container's `env` (and image) as given. */
export const vmOperatorDeployment = (
  env: { name: string; value: string }[],
  image = "victoriametrics/operator:v0.66.0",
): Res => ({
  type: "kubernetes:apps/v1:Deployment",
  urn: "urn:pulumi:s::p::kubernetes:apps/v1:Deployment::op",
  name: "op",
  props: {
    metadata: { name: "op" },
    spec: {
      template: {
        spec: { containers: [{ name: "manager", image, env }] },
      },
    },
  },
});

/** The operator's Deployment as the render holds it (monitoring/vm-victoria-metrics-operator), its container's `env` as given. */
export const vmOperatorObject = (env: { name: string; value: string }[] = []): K8sObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "vm-victoria-metrics-operator", namespace: "monitoring" },
  spec: {
    template: {
      spec: {
        containers: [{ name: "operator", image: "docker.io/victoriametrics/operator:v0.66.0", env }],
      },
    },
  },
});

/** victoria-metrics-k8s-stack's release with `values` (vmsingle off unless `values` says), opaque (a live preview). */
export const vmStackRelease = (values: Record<string, unknown>): Res => ({
  type: "kubernetes:helm.sh/v3:Release",
  urn: "urn:pulumi:s::p::kubernetes:helm.sh/v3:Release::vm",
  name: "vm",
  props: {
    chart: "victoria-metrics-k8s-stack",
    name: "vm",
    values: { vmsingle: { enabled: false }, ...values },
  },
});
