/**
 * Kinds and types: which kinds are cluster-scoped, and how a Pulumi resource type maps to an
 * object's apiVersion and kind and back. Shared by rendering and the checks on rendered objects.
 */
import type { RenderedObject } from "./types";

/**
 * Kinds Kubernetes 1.31 serves cluster-scoped (everything else built in is namespaced). Objects
 * of these kinds keep no namespace; CRDs add their own `spec.scope`.
 */
export const CLUSTER_SCOPED = new Set([
  "Namespace",
  "Node",
  "PersistentVolume",
  "ClusterRole",
  "ClusterRoleBinding",
  "CustomResourceDefinition",
  "StorageClass",
  "PriorityClass",
  "RuntimeClass",
  "IngressClass",
  "CSIDriver",
  "CSINode",
  "VolumeAttachment",
  "ValidatingWebhookConfiguration",
  "MutatingWebhookConfiguration",
  "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding",
  "APIService",
  "CertificateSigningRequest",
  "FlowSchema",
  "PriorityLevelConfiguration",
  "ComponentStatus",
]);

/** Whether objects of this apiVersion/kind are namespaced, given the CRDs the stack installs. */
export function isNamespaced(apiVersion: string, kind: string, crds: RenderedObject[] = []): boolean {
  const group = apiVersion.includes("/") ? apiVersion.split("/")[0] : "";
  const crd = crds.find((c) => c.spec?.group === group && c.spec?.names?.kind === kind);
  if (crd) return crd.spec?.scope !== "Cluster";
  return !CLUSTER_SCOPED.has(kind);
}

/** `apiVersion` and kind of a `kubernetes:<group>/<version>:<Kind>` resource type. */
export function apiOfType(type: string): { apiVersion: string; kind: string } | undefined {
  const m = /^kubernetes:([^:]+)\/([^/:]+):([A-Za-z0-9]+)$/.exec(type);
  if (!m) return undefined;
  const [, group, version, kind] = m;
  if (group === "helm.sh" || group === "yaml" || group === "kustomize") return undefined;
  return { apiVersion: group === "core" ? version : `${group}/${version}`, kind };
}

/** The `kubernetes:<group>/<version>:<Kind>` resource type of an object. */
export function typeOfObject(o: Pick<RenderedObject, "apiVersion" | "kind">): string {
  const [group, version] = o.apiVersion.includes("/") ? o.apiVersion.split("/") : ["core", o.apiVersion];
  return `kubernetes:${group}/${version}:${o.kind}`;
}
