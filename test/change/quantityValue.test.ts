import { strict as assert } from "assert";
import { quantityBytes, refusedUpdate } from "../../change/apiRules";
import type { RenderedObject } from "../../synth/render/types";
import { lokiStatefulSet } from "../support/changeStates";

/*
 * A quantity read as the API server reads it (apimachinery pkg/api/resource suffix.go, read at
 * kubernetes/kubernetes 7125a5f, not run): `m` is milli (10^-3), not mega; `e<n>`/`E<n>` is a
 * decimal exponent; `K` alone and the lower-case `g`, `t`, `p` are no suffix at all. Claim
 * templates and claims are compared by these values, so a wrong reading hides a change or
 * invents one.
 */

describe("change: quantities read with Kubernetes' suffixes", () => {
  it("reads m as milli, e<n> as a decimal exponent, and refuses suffixes Kubernetes does not have", () => {
    assert.equal(quantityBytes("1500m"), 1.5);
    assert.equal(quantityBytes("1e9"), quantityBytes("1G"));
    assert.equal(quantityBytes("5E3"), 5000);
    assert.equal(quantityBytes("2E"), 2e18);
    assert.equal(quantityBytes("1Ki"), 1024);
    assert.equal(quantityBytes("1k"), 1000);
    for (const bad of ["1K", "1g", "1t", "1ki", "1 Gi"]) assert.ok(Number.isNaN(quantityBytes(bad)), bad);
    // A suffix without digits is zero to ParseQuantity (apimachinery v0.31.0 parseQuantityString
    // reads the missing number as "0"; checked by running it), so the change check reads it so.
    assert.equal(quantityBytes("Gi"), 0);
  });

  const sts = (storage: string) =>
    lokiStatefulSet([
      {
        metadata: { name: "storage" },
        spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage } } },
      },
    ]);

  it("refuses a claim template whose size goes from 10M to 10m (ten megabytes to a hundredth of a byte)", () => {
    assert.deepEqual(
      refusedUpdate(sts("10M"), sts("10m")).map((r) => r.field),
      ["spec.volumeClaimTemplates"],
    );
  });

  it("passes a claim template whose size is written as an exponent of the same value (1e9 for 1G)", () => {
    assert.deepEqual(refusedUpdate(sts("1G"), sts("1e9")), []);
  });
});

describe("change: a claim's other resources compared by value (ValidatePersistentVolumeClaimUpdate, apiequality.Semantic)", () => {
  const claim = (limits: Record<string, string>): RenderedObject => ({
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: { name: "grafana", namespace: "monitoring" },
    spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "10Gi" }, limits } },
  });

  it("passes a limit written another way, refuses a limit that changes", () => {
    assert.deepEqual(refusedUpdate(claim({ storage: "20Gi" }), claim({ storage: "20480Mi" })), []);
    assert.deepEqual(
      refusedUpdate(claim({ storage: "20Gi" }), claim({ storage: "30Gi" })).map((r) => r.field),
      ["spec.resources"],
    );
  });
});
