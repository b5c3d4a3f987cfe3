/**
 * The one table of cluster-scoped kinds (synth/render/kinds.ts), shared by rendering (which
 * namespace an object gets) and the checks (what the API server keys an object by), against
 * Kubernetes' own discovery documents, kubernetes-models, and the CRDs the charts install.
 */
import { strict as assert } from "assert";
import { clusterScoped, identity } from "../../checks/objects";
import { CLUSTER_SCOPED_KINDS, isClusterScoped, isNamespaced, kindKey } from "../../synth/render/kinds";
import { rawObjects } from "../../synth/render/objects";
import type { RenderedObject } from "../../synth/render/types";
import { rendered, stackFileVariants, VM_CLUSTER_VARIANT } from "../support/rendered";

/**
 * Kubernetes' discovery documents, ported as data (read, not run: no API server here):
 * kubernetes/kubernetes api/discovery/api__v1.json and apis__<group>__v1.json, top-level resources
 * only (subresources such as `nodes/status` aside), split by their `"namespaced"` field. Files read
 * at these commits: api__v1 4d817e79, admissionregistration 121460de, apiextensions 6732d913,
 * apiregistration 7c66d0f8, authentication 2e090810, authorization 95f08499, certificates 32d5969f,
 * flowcontrol 6f137b77, networking 7c66d0f8 (IPAddress and ServiceCIDR, GA in 1.33, are
 * `+genclient:nonNamespaced` in k8s.io/api networking types.go), node 7c66d0f8, rbac 025f2834,
 * resource 4e592f6c, scheduling 78fc8e44, storage 7c66d0f8. apps, batch, autoscaling, policy,
 * coordination, discovery and events serve namespaced kinds only.
 */
const DISCOVERY: Record<string, { cluster: string[]; namespaced: string[] }> = {
  v1: {
    cluster: ["ComponentStatus", "Namespace", "Node", "PersistentVolume"],
    namespaced: [
      "Binding",
      "ConfigMap",
      "Endpoints",
      "Event",
      "LimitRange",
      "PersistentVolumeClaim",
      "Pod",
      "PodTemplate",
      "ReplicationController",
      "ResourceQuota",
      "Secret",
      "ServiceAccount",
      "Service",
    ],
  },
  "admissionregistration.k8s.io/v1": {
    cluster: [
      "MutatingAdmissionPolicy",
      "MutatingAdmissionPolicyBinding",
      "MutatingWebhookConfiguration",
      "ValidatingAdmissionPolicy",
      "ValidatingAdmissionPolicyBinding",
      "ValidatingWebhookConfiguration",
    ],
    namespaced: [],
  },
  "apiextensions.k8s.io/v1": { cluster: ["CustomResourceDefinition"], namespaced: [] },
  "apiregistration.k8s.io/v1": { cluster: ["APIService"], namespaced: [] },
  "authentication.k8s.io/v1": { cluster: ["SelfSubjectReview", "TokenReview"], namespaced: [] },
  "authorization.k8s.io/v1": {
    cluster: ["SelfSubjectAccessReview", "SelfSubjectRulesReview", "SubjectAccessReview"],
    namespaced: ["LocalSubjectAccessReview"],
  },
  "certificates.k8s.io/v1": { cluster: ["CertificateSigningRequest"], namespaced: ["PodCertificateRequest"] },
  "flowcontrol.apiserver.k8s.io/v1": {
    cluster: ["FlowSchema", "PriorityLevelConfiguration"],
    namespaced: [],
  },
  "networking.k8s.io/v1": {
    cluster: ["IngressClass", "IPAddress", "ServiceCIDR"],
    namespaced: ["Ingress", "NetworkPolicy"],
  },
  "node.k8s.io/v1": { cluster: ["RuntimeClass"], namespaced: [] },
  "rbac.authorization.k8s.io/v1": {
    cluster: ["ClusterRole", "ClusterRoleBinding"],
    namespaced: ["Role", "RoleBinding"],
  },
  "resource.k8s.io/v1": {
    cluster: ["DeviceClass", "ResourceSlice"],
    namespaced: ["ResourceClaim", "ResourceClaimTemplate"],
  },
  "scheduling.k8s.io/v1": { cluster: ["PriorityClass"], namespaced: [] },
  "storage.k8s.io/v1": {
    cluster: ["CSIDriver", "CSINode", "StorageClass", "VolumeAttachment"],
    namespaced: ["CSIStorageCapacity"],
  },
  "apps/v1": {
    cluster: [],
    namespaced: ["ControllerRevision", "DaemonSet", "Deployment", "ReplicaSet", "StatefulSet"],
  },
  "batch/v1": { cluster: [], namespaced: ["CronJob", "Job"] },
  "autoscaling/v2": { cluster: [], namespaced: ["HorizontalPodAutoscaler"] },
  "policy/v1": { cluster: [], namespaced: ["PodDisruptionBudget"] },
  "coordination.k8s.io/v1": { cluster: [], namespaced: ["Lease"] },
  "discovery.k8s.io/v1": { cluster: [], namespaced: ["EndpointSlice"] },
  "events.k8s.io/v1": { cluster: [], namespaced: ["Event"] },
};

/** Kinds newer than the kubernetes-models release the project pins (4.5.1, Kubernetes 1.33). */
const NEWER_THAN_MODELS = new Set([
  "MutatingAdmissionPolicy.admissionregistration.k8s.io",
  "MutatingAdmissionPolicyBinding.admissionregistration.k8s.io",
  "DeviceClass.resource.k8s.io",
  "ResourceSlice.resource.k8s.io",
]);

/** kubernetes-models' class for a built-in apiVersion/kind, or undefined. */
function model(apiVersion: string, kind: string): unknown {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(`kubernetes-models/${apiVersion}/${kind}`)[kind];
  } catch {
    return undefined;
  }
}

const obj = (apiVersion: string, kind: string, namespace?: string): RenderedObject => ({
  apiVersion,
  kind,
  metadata: { name: "x", ...(namespace ? { namespace } : {}) },
});

describe("cluster-scoped kinds: one table for rendering and the checks", () => {
  it("matches Kubernetes' discovery documents: every cluster-scoped kind in the table, no namespaced one", () => {
    const fromDiscovery = Object.entries(DISCOVERY).flatMap(([gv, d]) =>
      d.cluster.map((k) => kindKey(gv, k)),
    );
    assert.deepEqual([...CLUSTER_SCOPED_KINDS].sort(), [...new Set(fromDiscovery)].sort());
    for (const [gv, d] of Object.entries(DISCOVERY)) {
      for (const k of d.cluster) assert.ok(isClusterScoped(gv, k) && !isNamespaced(gv, k), `${gv} ${k}`);
      for (const k of d.namespaced) assert.ok(isNamespaced(gv, k) && !isClusterScoped(gv, k), `${gv} ${k}`);
    }
  });

  it("names kinds kubernetes-models knows at v1 (the newer ones it lacks are listed and truly absent)", () => {
    for (const key of CLUSTER_SCOPED_KINDS) {
      const [kind, ...group] = key.split(".");
      const apiVersion = group.length ? `${group.join(".")}/v1` : "v1";
      if (NEWER_THAN_MODELS.has(key))
        assert.equal(model(apiVersion, kind), undefined, `${key} is in kubernetes-models now`);
      else
        assert.equal(
          typeof model(apiVersion, kind),
          "function",
          `kubernetes-models has no ${apiVersion} ${kind}`,
        );
    }
  });

  it("goes by group as well as kind: a CRD's own scope decides, even for a built-in kind name", () => {
    const crd = {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "clusterroles.example.com" },
      spec: { group: "example.com", scope: "Namespaced", names: { kind: "ClusterRole" } },
    };
    assert.equal(isClusterScoped("example.com/v1", "ClusterRole", [crd]), false);
    assert.equal(isClusterScoped("example.com/v1", "ClusterRole"), false);
    assert.equal(isClusterScoped("rbac.authorization.k8s.io/v1", "ClusterRole", [crd]), true);
    const cluster = { ...crd, spec: { ...crd.spec, scope: "Cluster", names: { kind: "Widget" } } };
    assert.equal(isClusterScoped("example.com/v1", "Widget", [cluster]), true);
  });

  it("the checks and rendering agree: identity drops the namespace Helm stamps on any cluster-scoped kind", () => {
    // FlowSchema and CertificateSigningRequest were missing from the checks' own table before.
    const fs = obj("flowcontrol.apiserver.k8s.io/v1", "FlowSchema", "monitoring");
    assert.equal(identity(fs), "FlowSchema.flowcontrol.apiserver.k8s.io x");
    assert.equal(clusterScoped(obj("certificates.k8s.io/v1", "CertificateSigningRequest", "ns")), true);
    assert.equal(identity(obj("v1", "ConfigMap", "ns")), "ConfigMap ns/x");
  });

  it("raw resources get a namespace only when namespaced", () => {
    const exp = {
      deployment: {
        resources: [
          {
            urn: "urn:pulumi:s::p::kubernetes:scheduling.k8s.io/v1:PriorityClass::pc",
            custom: true,
            type: "kubernetes:scheduling.k8s.io/v1:PriorityClass",
            inputs: { metadata: { name: "pc" } },
          },
          {
            urn: "urn:pulumi:s::p::kubernetes:core/v1:ConfigMap::cm",
            custom: true,
            type: "kubernetes:core/v1:ConfigMap",
            inputs: { metadata: { name: "cm" } },
          },
        ],
      },
    } as any;
    const [pc, cm] = rawObjects(exp).map((r) => r.object.metadata.namespace);
    assert.equal(pc, undefined);
    assert.equal(cm, "default");
  });

  it("the CRDs the charts install: none reuses a built-in cluster-scoped kind, and each is judged by its spec.scope", async function () {
    this.timeout(600_000);
    const crds: RenderedObject[] = [];
    for (const v of [...stackFileVariants(), VM_CLUSTER_VARIANT]) {
      const r = await rendered(v);
      for (const rel of r.renders)
        crds.push(...rel.objects.filter((o) => o.kind === "CustomResourceDefinition"));
    }
    assert.ok(crds.length >= 30, `${crds.length} CRDs rendered`);
    for (const c of crds) {
      const { group, scope, names, versions } = c.spec;
      assert.ok(!CLUSTER_SCOPED_KINDS.has(`${names.kind}.${group}`), `${names.kind}.${group}`);
      assert.ok(scope === "Namespaced" || scope === "Cluster", `${c.metadata.name}: scope ${scope}`);
      for (const v of versions) {
        const o = obj(`${group}/${v.name}`, names.kind, "ns");
        assert.equal(isClusterScoped(o.apiVersion, o.kind, crds), scope === "Cluster", c.metadata.name);
        assert.equal(clusterScoped(o, crds), scope === "Cluster", c.metadata.name);
      }
    }
  });
});
