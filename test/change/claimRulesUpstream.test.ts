import { strict as assert } from "assert";
import { refusedUpdate } from "../../change/apiRules";
import { planChange } from "../../change/change";
import type { RenderedObject } from "../../synth/render/types";
import { prometheusClaim, stackState } from "../support/changeStates";

/*
 * The change check's claim and Job rules against their upstream sources (read, not run: no API
 * server here): a claim's volumeAttributesClassName and its growth (kubernetes
 * ValidatePersistentVolumeClaimUpdate), what a VMSingle's storage does to its existing claim
 * (VictoriaMetrics/operator reconcile/pvc.go), and the defaults a Job's podFailurePolicy is
 * compared with (SetDefaults_Job).
 */

const pvc = (spec: Record<string, any> = {}): RenderedObject => ({
  apiVersion: "v1",
  kind: "PersistentVolumeClaim",
  metadata: { name: "grafana", namespace: "monitoring" },
  spec: {
    accessModes: ["ReadWriteOnce"],
    storageClassName: "local-path",
    resources: { requests: { storage: "10Gi" } },
    ...spec,
  },
});

describe("change: a claim's volumeAttributesClassName (ValidatePersistentVolumeClaimUpdate, 1.31)", () => {
  it("lets a class be set, or changed to another, as the API server does (never the generic spec refusal)", () => {
    assert.deepEqual(refusedUpdate(pvc(), pvc({ volumeAttributesClassName: "gold" })), []);
    assert.deepEqual(
      refusedUpdate(pvc({ volumeAttributesClassName: "silver" }), pvc({ volumeAttributesClassName: "gold" })),
      [],
    );
  });

  it("refuses a class dropped or emptied, naming the field, the API server's words and the way out", () => {
    const dropped = refusedUpdate(pvc({ volumeAttributesClassName: "gold" }), pvc());
    assert.deepEqual(
      dropped.map((r) => r.field),
      ["spec.volumeAttributesClassName"],
    );
    assert.equal(
      dropped[0].reason,
      'volumeAttributesClassName is unset where the claim has gold; the API server refuses it: "spec.volumeAttributesClassName: Forbidden: update from non-nil value to nil is forbidden" (kubernetes pkg/apis/core/validation ValidatePersistentVolumeClaimUpdate): keep gold, or set the class the claim should move to (a VolumeAttributesClass name)',
    );
    const emptied = refusedUpdate(
      pvc({ volumeAttributesClassName: "gold" }),
      pvc({ volumeAttributesClassName: "" }),
    );
    assert.deepEqual(
      emptied.map((r) => r.field),
      ["spec.volumeAttributesClassName"],
    );
    assert.match(emptied[0].reason, /update from non-nil value to an empty string is forbidden/);
    // null is nil, as JSON decodes it.
    assert.deepEqual(
      refusedUpdate(pvc({ volumeAttributesClassName: "gold" }), pvc({ volumeAttributesClassName: null })).map(
        (r) => r.field,
      ),
      ["spec.volumeAttributesClassName"],
    );
  });

  it("still refuses another frozen field with the API server's own words", () => {
    const r = refusedUpdate(pvc(), pvc({ accessModes: ["ReadWriteMany"] }));
    assert.deepEqual(
      r.map((x) => x.field),
      ["spec.accessModes"],
    );
    assert.match(
      r[0].reason,
      /^accessModes changes from \["ReadWriteOnce"\] to \["ReadWriteMany"\]; the API server refuses it: "spec: Forbidden: spec is immutable after creation except resources\.requests and volumeAttributesClassName for bound claims"/,
    );
  });
});

describe("change: a claim that grows (only a Bound claim of an expandable class takes a new size)", () => {
  it("is not refused, and the update says it applies to a Bound claim of such a class only", () => {
    const report = planChange(
      stackState([prometheusClaim("local-path", "50Gi")]),
      stackState([prometheusClaim("local-path", "60Gi")]),
    );
    assert.equal(report.refused.length, 0);
    assert.deepEqual(report.entries[0].why, [
      'spec.resources.requests.storage: grows from 50Gi to 60Gi, which the API server takes only for a Bound claim whose StorageClass sets allowVolumeExpansion: true (an unbound one refuses it: "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims", kubernetes pkg/apis/core/validation ValidatePersistentVolumeClaimUpdate; a bound one of a class without it: "only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize", kubernetes v1.31.0 plugin/pkg/admission/storage/persistentvolume/resize/admission.go:97-110, the PersistentVolumeClaimResize admission plugin); kubectl get pvc prometheus-db -n monitoring shows its STATUS, kubectl get storageclass local-path its ALLOWVOLUMEEXPANSION',
    ]);
  });

  it("says a shrink in the API server's words, not as a promise that requests may change", () => {
    const r = refusedUpdate(pvc(), pvc({ resources: { requests: { storage: "5Gi" } } }));
    assert.deepEqual(
      r.map((x) => x.field),
      ["spec.resources.requests.storage"],
    );
    assert.match(
      r[0].reason,
      /^storage shrinks from 10Gi to 5Gi; the API server refuses it: "spec\.resources\.requests\.storage: Forbidden: field can not be less than previous value"/,
    );
    assert.doesNotMatch(r[0].reason, /may change/);
  });
});

const vmsingle = (storage: Record<string, any>): RenderedObject => ({
  apiVersion: "operator.victoriametrics.com/v1beta1",
  kind: "VMSingle",
  metadata: { name: "vm", namespace: "monitoring" },
  spec: { storage },
});
const storage = (extra: Record<string, any> = {}, size = "10Gi") => ({
  accessModes: ["ReadWriteOnce"],
  resources: { requests: { storage: size } },
  ...extra,
});

describe("change: a VMSingle's storage against its existing claim (VictoriaMetrics/operator reconcile/pvc.go)", () => {
  it("says a changed class never reaches the claim (the operator sends only resources), not that only its size may grow", () => {
    const r = refusedUpdate(
      vmsingle(storage({ storageClassName: "a" })),
      vmsingle(storage({ storageClassName: "b" })),
    );
    assert.deepEqual(
      r.map((x) => x.field),
      ["spec.storage.storageClassName"],
    );
    assert.equal(
      r[0].reason,
      'storageClassName changes from "a" to "b", but the operator sends an existing claim only spec.storage.resources (VictoriaMetrics/operator internal/controller/operator/factory/reconcile/pvc.go PersistentVolumeClaim, commit 17df84a3: other fields are ignored): the running claim keeps "a"; set storageClassName back, or move the data to a new claim',
    );
    const vac = refusedUpdate(vmsingle(storage()), vmsingle(storage({ volumeAttributesClassName: "gold" })));
    assert.deepEqual(
      vac.map((x) => x.field),
      ["spec.storage.volumeAttributesClassName"],
    );
    assert.match(vac[0].reason, /the running claim keeps unset/);
  });

  it("says a smaller size is sent only beside a label or annotation change (and then refused), lets a larger one through, and says other resources are refused once sent", () => {
    const shrink = refusedUpdate(vmsingle(storage()), vmsingle(storage({}, "5Gi")));
    assert.deepEqual(
      shrink.map((x) => x.field),
      ["spec.storage.resources.requests.storage"],
    );
    assert.match(
      shrink[0].reason,
      /^storage shrinks from 10Gi to 5Gi, but the operator does not send a smaller size on its own .*beside a change of the claim's labels or annotations it sends it and the API server refuses it .*the running claim keeps 10Gi/,
    );
    assert.deepEqual(refusedUpdate(vmsingle(storage()), vmsingle(storage({}, "20Gi"))), []);
    const limits = refusedUpdate(
      vmsingle(storage()),
      vmsingle(storage({ resources: { requests: { storage: "10Gi" }, limits: { storage: "20Gi" } } })),
    );
    assert.deepEqual(
      limits.map((x) => x.field),
      ["spec.storage.resources"],
    );
    // reconcile/pvc.go sends nothing while the size stays and labels and annotations do not change.
    assert.match(
      limits[0].reason,
      /the operator sends them to the claim only with a larger size or a change of the claim's labels or annotations .*, and then the API server refuses it: "spec: Forbidden: spec is immutable after creation.*; until then the running claim keeps its own/,
    );
  });

  it("says resources beyond the storage request changed with a growth make the API server refuse the growth too", () => {
    const both = refusedUpdate(
      vmsingle(storage()),
      vmsingle(storage({ resources: { requests: { storage: "20Gi" }, limits: { storage: "30Gi" } } })),
    );
    assert.deepEqual(
      both.map((x) => x.field),
      ["spec.storage.resources"],
    );
    assert.match(
      both[0].reason,
      /while the size grows; the operator sends both to the claim .* the API server refuses it: .*, so the claim does not grow either/,
    );
  });
});

const job = (spec: Record<string, any>): RenderedObject => ({
  apiVersion: "batch/v1",
  kind: "Job",
  metadata: { name: "migrate", namespace: "monitoring" },
  spec: { template: { spec: { containers: [{ name: "m", image: "a" }] } }, ...spec },
});
const policy = (status?: string) => ({
  podFailurePolicy: {
    rules: [
      { action: "Ignore", onPodConditions: [{ type: "DisruptionTarget", ...(status ? { status } : {}) }] },
    ],
  },
});

describe("change: a Job compared with SetDefaults_Job's defaults (1.31)", () => {
  it("is no change when a podFailurePolicy spells out the status True an empty one defaults to", () => {
    assert.deepEqual(refusedUpdate(job(policy()), job(policy("True"))), []);
    assert.deepEqual(refusedUpdate(job(policy("True")), job(policy())), []);
  });

  it("still refuses another status: podFailurePolicy is immutable", () => {
    assert.deepEqual(
      refusedUpdate(job(policy()), job(policy("False"))).map((r) => r.field),
      ["spec.podFailurePolicy"],
    );
  });

  it("lets an Indexed Job's completions change only to its new parallelism, an unset parallelism being 1", () => {
    const indexed = (c: number, p?: number) => ({
      completionMode: "Indexed",
      completions: c,
      ...(p === undefined ? {} : { parallelism: p }),
    });
    assert.deepEqual(refusedUpdate(job(indexed(2, 2)), job(indexed(4, 4))), []);
    assert.deepEqual(refusedUpdate(job(indexed(2, 2)), job(indexed(1))), []);
    const r = refusedUpdate(job(indexed(2, 2)), job(indexed(4)));
    assert.deepEqual(
      r.map((x) => x.field),
      ["spec.completions"],
    );
    assert.match(r[0].reason, /can only be modified in tandem with spec\.parallelism/);
  });
});
