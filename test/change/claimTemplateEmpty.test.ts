import { strict as assert } from "assert";
import { refusedUpdate } from "../../change/apiRules";
import type { RenderedObject } from "../../synth/render/types";

// The API server compares a StatefulSet's spec with apiequality.Semantic.DeepEqual
// (ValidateStatefulSetUpdate), which holds an empty map or slice equal to a nil one (apimachinery
// third_party/forked/golang/reflect/deep_equal.go, equateNilAndEmpty); `{}` for a struct member
// decodes to the same zero struct as none. A pointer member (spec.selector) set to `{}` is no nil
// pointer, and stays a change.

const template = (over: { metadata?: any; spec?: any } = {}) => ({
  metadata: { name: "storage", ...(over.metadata ?? {}) },
  spec: {
    accessModes: ["ReadWriteOnce"],
    resources: { requests: { storage: "10Gi" } },
    ...(over.spec ?? {}),
  },
});
const sts = (t: Record<string, any>): RenderedObject => ({
  apiVersion: "apps/v1",
  kind: "StatefulSet",
  metadata: { name: "loki", namespace: "monitoring" },
  spec: { selector: { matchLabels: { app: "loki" } }, volumeClaimTemplates: [t] },
});
const refused = (a: Record<string, any>, b: Record<string, any>) => refusedUpdate(sts(a), sts(b));

describe("change: an empty map or list in a claim template is no change from a missing one (upstream Semantic.DeepEqual)", () => {
  it("lets labels: {}, annotations: {}, limits: {}, resources: {} and null members come and go", () => {
    const bare = template();
    for (const other of [
      template({ metadata: { labels: {} } }),
      template({ metadata: { annotations: {}, labels: null } }),
      template({ spec: { resources: { requests: { storage: "10Gi" }, limits: {} } } }),
      template({ spec: { selector: null, dataSource: null } }),
    ]) {
      assert.deepEqual(refused(bare, other), [], JSON.stringify(other));
      assert.deepEqual(refused(other, bare), [], JSON.stringify(other));
    }
    const noSpecMaps = { metadata: { name: "storage" }, spec: { accessModes: ["ReadWriteOnce"] } };
    assert.deepEqual(refused(noSpecMaps, { ...noSpecMaps, spec: { ...noSpecMaps.spec, resources: {} } }), []);
    assert.deepEqual(refused(noSpecMaps, { ...noSpecMaps, status: {} }), []);
  });

  it("still refuses an empty selector (a pointer: {} is no nil one) and a real change, saying only the real one", () => {
    const selector = refused(template(), template({ spec: { selector: {} } }));
    assert.equal(selector.length, 1);
    assert.match(selector[0].reason, /storage: selector unset -> \{\}/);
    const bigger = refused(
      template(),
      template({ metadata: { labels: {} }, spec: { resources: { requests: { storage: "20Gi" } } } }),
    );
    assert.equal(bigger.length, 1);
    assert.equal(bigger[0].field, "spec.volumeClaimTemplates");
    assert.match(bigger[0].reason, /storage: size 10Gi -> 20Gi\)/);
    assert.doesNotMatch(bigger[0].reason, /metadata/);
  });

  it("lets an operator's claim template gain an empty labels map (Prometheus's storage)", () => {
    const prom = (t: Record<string, any>): RenderedObject => ({
      apiVersion: "monitoring.coreos.com/v1",
      kind: "Prometheus",
      metadata: { name: "k8s", namespace: "monitoring" },
      spec: { storage: { volumeClaimTemplate: t } },
    });
    const t = { spec: { resources: { requests: { storage: "10Gi" } } } };
    assert.deepEqual(refusedUpdate(prom(t), prom({ ...t, metadata: { labels: {}, annotations: {} } })), []);
  });
});
