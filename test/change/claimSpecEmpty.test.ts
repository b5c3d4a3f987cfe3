import { strict as assert } from "assert";
import { refusedUpdate } from "../../change/apiRules";
import type { RenderedObject } from "../../synth/render/types";

// A plain claim's update, compared as the API server does (read, not run: kubernetes/kubernetes
// pkg/apis/core/validation/validation.go ValidatePersistentVolumeClaimUpdate, commit a7264f95):
// apiequality.Semantic.DeepEqual on the old and new spec, which holds an empty map or slice equal
// to a nil one and a JSON null equal to absent; a pointer member (selector, dataSource) set to `{}`
// is no nil pointer. The metadata is checked by ValidateObjectMetaUpdate, which lets labels change.

const claim = (over: { metadata?: any; spec?: any } = {}): RenderedObject => ({
  apiVersion: "v1",
  kind: "PersistentVolumeClaim",
  metadata: { name: "data", namespace: "monitoring", ...(over.metadata ?? {}) },
  spec: {
    accessModes: ["ReadWriteOnce"],
    storageClassName: "local-path",
    resources: { requests: { storage: "10Gi" } },
    ...(over.spec ?? {}),
  },
});
const bareResources = { requests: { storage: "10Gi" } };

/** No refusal either way: upstream's verdict is "no change". */
function noChange(a: RenderedObject, b: RenderedObject): void {
  assert.deepEqual(refusedUpdate(a, b), [], `${JSON.stringify(a.spec)} -> ${JSON.stringify(b.spec)}`);
  assert.deepEqual(refusedUpdate(b, a), [], `${JSON.stringify(b.spec)} -> ${JSON.stringify(a.spec)}`);
}

describe("change: a plain claim's empty map or list is no change from a missing one (ValidatePersistentVolumeClaimUpdate, Semantic.DeepEqual)", () => {
  it("resources.limits: {} or null against none is no change (an empty or nil map equals a missing one)", () => {
    noChange(claim(), claim({ spec: { resources: { ...bareResources, limits: {} } } }));
    noChange(claim(), claim({ spec: { resources: { ...bareResources, limits: null } } }));
  });

  it("selector: null or dataSource: null against none is no change (JSON null is a nil pointer)", () => {
    noChange(claim(), claim({ spec: { selector: null, dataSource: null, dataSourceRef: null } }));
  });

  it("selector: {} against selector: { matchLabels: {} } is no change (the empty map inside the selector)", () => {
    noChange(
      claim({ spec: { selector: {} } }),
      claim({ spec: { selector: { matchLabels: {}, matchExpressions: [] } } }),
    );
  });

  it("metadata.labels: {} against none is no change (metadata is not the spec; labels may change)", () => {
    noChange(claim(), claim({ metadata: { labels: {}, annotations: {} } }));
  });

  it("selector: {} against none is refused (a pointer to an empty selector is no nil one)", () => {
    const got = refusedUpdate(claim(), claim({ spec: { selector: {} } }));
    assert.deepEqual(
      got.map((r) => r.field),
      ["spec.selector"],
    );
    assert.match(got[0].reason, /ValidatePersistentVolumeClaimUpdate/);
  });

  it("a real change next to an empty map is one refusal, for the real change only", () => {
    const got = refusedUpdate(
      claim(),
      claim({ spec: { storageClassName: "fast", resources: { ...bareResources, limits: {} } } }),
    );
    assert.deepEqual(
      got.map((r) => r.field),
      ["spec.storageClassName"],
    );
  });
});

describe("change: a VMSingle's storage compares as the claim the operator sends (its resources, Semantic.DeepEqual)", () => {
  const vmsingle = (storage: Record<string, any>): RenderedObject => ({
    apiVersion: "operator.victoriametrics.com/v1beta1",
    kind: "VMSingle",
    metadata: { name: "vm", namespace: "monitoring" },
    spec: { storage },
  });
  const storage = { accessModes: ["ReadWriteOnce"], resources: bareResources };

  it("resources.limits: {} or selector: null against none is no change", () => {
    for (const other of [
      { ...storage, resources: { ...bareResources, limits: {} } },
      { ...storage, selector: null },
    ]) {
      assert.deepEqual(refusedUpdate(vmsingle(storage), vmsingle(other)), [], JSON.stringify(other));
      assert.deepEqual(refusedUpdate(vmsingle(other), vmsingle(storage)), [], JSON.stringify(other));
    }
  });

  it("a storage limit set where there was none is still refused (the operator sends the new resources)", () => {
    const got = refusedUpdate(
      vmsingle(storage),
      vmsingle({ ...storage, resources: { ...bareResources, limits: { storage: "20Gi" } } }),
    );
    assert.deepEqual(
      got.map((r) => r.field),
      ["spec.storage.resources"],
    );
  });
});
