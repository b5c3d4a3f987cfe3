/**
 * Kinds and types: which kinds are cluster-scoped, and how a Pulumi resource type maps to an
 * object's apiVersion and kind and back. Shared by rendering and the checks on rendered objects.
 */
import type { RenderedObject } from "./types";

/**
 * Built-in kinds the API server serves cluster-scoped, as `Kind.group` (core group: `Kind`), the
 * form `kubectl api-resources` prints. Every other built-in kind is namespaced; a CRD states its
 * own `spec.scope`. The list is Kubernetes' own discovery documents (kubernetes/kubernetes
 * api/discovery/api__v1.json and apis__<group>__v1.json, the resources with `"namespaced": false`,
 * subresources aside) for every GA group, plus networking.k8s.io's IPAddress and ServiceCIDR (GA in
 * 1.33, `+genclient:nonNamespaced` in k8s.io/api networking types.go). Keyed by group as well as
 * kind so that a CRD reusing a built-in kind name in its own group is judged by its own scope.
 * test/synth/kinds.test.ts checks it against those documents and kubernetes-models.
 */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  // core (api/v1)
  "ComponentStatus",
  "Namespace",
  "Node",
  "PersistentVolume",
  "MutatingAdmissionPolicy.admissionregistration.k8s.io",
  "MutatingAdmissionPolicyBinding.admissionregistration.k8s.io",
  "MutatingWebhookConfiguration.admissionregistration.k8s.io",
  "ValidatingAdmissionPolicy.admissionregistration.k8s.io",
  "ValidatingAdmissionPolicyBinding.admissionregistration.k8s.io",
  "ValidatingWebhookConfiguration.admissionregistration.k8s.io",
  "CustomResourceDefinition.apiextensions.k8s.io",
  "APIService.apiregistration.k8s.io",
  "SelfSubjectReview.authentication.k8s.io",
  "TokenReview.authentication.k8s.io",
  "SelfSubjectAccessReview.authorization.k8s.io",
  "SelfSubjectRulesReview.authorization.k8s.io",
  "SubjectAccessReview.authorization.k8s.io",
  "CertificateSigningRequest.certificates.k8s.io",
  "FlowSchema.flowcontrol.apiserver.k8s.io",
  "PriorityLevelConfiguration.flowcontrol.apiserver.k8s.io",
  "IngressClass.networking.k8s.io",
  "IPAddress.networking.k8s.io",
  "ServiceCIDR.networking.k8s.io",
  "RuntimeClass.node.k8s.io",
  "ClusterRole.rbac.authorization.k8s.io",
  "ClusterRoleBinding.rbac.authorization.k8s.io",
  "DeviceClass.resource.k8s.io",
  "ResourceSlice.resource.k8s.io",
  "PriorityClass.scheduling.k8s.io",
  "CSIDriver.storage.k8s.io",
  "CSINode.storage.k8s.io",
  "StorageClass.storage.k8s.io",
  "VolumeAttachment.storage.k8s.io",
]);

/** The group of an apiVersion (`""` for the core group). */
export function groupOf(apiVersion: string): string {
  return apiVersion.includes("/") ? apiVersion.split("/")[0] : "";
}

/** `Kind.group` (core group: `Kind`): how {@link CLUSTER_SCOPED_KINDS} names a kind. */
export function kindKey(apiVersion: string, kind: string): string {
  const group = groupOf(apiVersion);
  return group ? `${kind}.${group}` : kind;
}

/**
 * Whether objects of this apiVersion/kind are cluster-scoped: a CRD the stack installs decides by
 * its `spec.scope`, a built-in kind by {@link CLUSTER_SCOPED_KINDS}.
 */
export function isClusterScoped(apiVersion: string, kind: string, crds: RenderedObject[] = []): boolean {
  const group = groupOf(apiVersion);
  const crd = crds.find((c) => c.spec?.group === group && c.spec?.names?.kind === kind);
  if (crd) return crd.spec?.scope === "Cluster";
  return CLUSTER_SCOPED_KINDS.has(kindKey(apiVersion, kind));
}

/** Whether objects of this apiVersion/kind are namespaced, given the CRDs the stack installs. */
export function isNamespaced(apiVersion: string, kind: string, crds: RenderedObject[] = []): boolean {
  return !isClusterScoped(apiVersion, kind, crds);
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
