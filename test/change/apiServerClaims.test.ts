import { strict as assert } from "assert";
import { claimGrowth, refusedUpdate } from "../../change/apiRules";
import { planChange } from "../../change/change";
import type { RenderedObject } from "../../synth/render/types";
import { prometheusClaim, stackState } from "../support/changeStates";

/*
 * A claim's growth and a class set on a claim made without one, as a kube-apiserver v1.31.0
 * judged them in a session run (docs/reference/checks.md, "Judged by a real API server"): claims
 * created as Helm (client-side) and the provider (server-side apply) would, some marked Bound
 * through the status subresource, then updated through Helm's three-way patch and server-side
 * apply (the same verdict on both paths), against StorageClasses local-path (the default, no
 * allowVolumeExpansion), expandable (allowVolumeExpansion: true) and fixed (false); once with the
 * DefaultStorageClass admission plugin on (the default) and once with it off. The export holds
 * neither the claim's phase nor the class it was given, so the check says the conditions the
 * server's verdicts turned on; these hold its words to them.
 */

/** What the server answered, word for word. */
const UNBOUND =
  'PersistentVolumeClaim "c0" is invalid: spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims';
const NOT_EXPANDABLE =
  'persistentvolumeclaims "c2" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize';

/** Growth 1Gi -> 2Gi: [class, phase, verdict] (16 updates: each row through Helm's patch and server-side apply). */
const GROWTH: [string, "Pending" | "Bound", string][] = [
  ["unset (local-path written in)", "Pending", UNBOUND],
  ["unset (local-path written in)", "Bound", NOT_EXPANDABLE],
  ["local-path", "Pending", UNBOUND],
  ["local-path", "Bound", NOT_EXPANDABLE],
  ["expandable", "Pending", UNBOUND],
  ["expandable", "Bound", "taken"],
  ["fixed", "Pending", UNBOUND],
  ["fixed", "Bound", NOT_EXPANDABLE],
];

/** A class set on a claim created without one: [plugin, the class written in at creation, set to, verdict] (Pending and Bound alike, both paths). */
const CLASS_FROM_UNSET: [string, string | null, string, "taken" | "refused"][] = [
  ["on, default local-path", "local-path", "local-path", "taken"],
  ["on, default local-path", "local-path", "expandable", "refused"],
  ["on, no default class", null, "local-path", "taken"],
  ["on, no default class", null, "expandable", "taken"],
  ["off", null, "local-path", "taken"],
  ["off", null, "expandable", "taken"],
];

const pvc = (spec: Record<string, any> = {}): RenderedObject => ({
  apiVersion: "v1",
  kind: "PersistentVolumeClaim",
  metadata: { name: "grafana", namespace: "monitoring" },
  spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } }, ...spec },
});

describe("change: a claim's growth and class, as a kube-apiserver v1.31.0 judged them", () => {
  it("says a growth with both conditions the server refused it on: unbound, and a class without allowVolumeExpansion", () => {
    assert.equal(GROWTH.filter(([, , v]) => v === "taken").length, 1);
    const said = claimGrowth(
      pvc({ storageClassName: "local-path" }),
      pvc({ storageClassName: "local-path", resources: { requests: { storage: "2Gi" } } }),
    )!;
    // Each refusal the server gave, in its words, and the one case it took.
    for (const [, , verdict] of GROWTH)
      if (verdict !== "taken")
        assert.ok(said.includes(verdict.replace(/^.*?(spec is|only dynamically)/, "$1")), verdict);
    assert.match(said, /takes only for a Bound claim whose StorageClass sets allowVolumeExpansion: true/);
    assert.match(
      said,
      /kubectl get pvc grafana -n monitoring shows its STATUS, kubectl get storageclass local-path its ALLOWVOLUMEEXPANSION$/,
    );
    // A claim whose manifest names no class: the class to look at is the one it was given.
    assert.match(
      claimGrowth(pvc(), pvc({ resources: { requests: { storage: "2Gi" } } }))!,
      /kubectl get storageclass <its STORAGECLASS> whether that allows expansion$/,
    );
  });

  it("keeps a growth no refusal (the export holds neither condition), said beside the program's claim", () => {
    const report = planChange(
      stackState([prometheusClaim("local-path", "50Gi")]),
      stackState([prometheusClaim("local-path", "60Gi")]),
    );
    assert.equal(report.refused.length, 0);
    assert.match(
      report.entries[0].why[0],
      /^spec\.resources\.requests\.storage: grows from 50Gi to 60Gi, .*allowVolumeExpansion: true/,
    );
  });

  it("says a VMSingle's larger spec.storage size as the growth of the claim the operator made from it, under the same conditions", () => {
    // vmsingle runs as a Deployment beside the operator's claim `vmsingle-<CR name>`, to which the
    // operator sends a larger size in place (reconcile/pvc.go): the claim's growth, not a plain
    // VMSingle update, and no StatefulSet's frozen template either.
    const vmsingle = (size: string): RenderedObject => ({
      apiVersion: "operator.victoriametrics.com/v1beta1",
      kind: "VMSingle",
      metadata: { name: "vm", namespace: "monitoring" },
      spec: { storage: { storageClassName: "local-path", resources: { requests: { storage: size } } } },
    });
    const said = claimGrowth(vmsingle("10Gi"), vmsingle("44Gi"))!;
    assert.match(
      said,
      /^spec\.storage\.resources\.requests\.storage: grows from 10Gi to 44Gi; the operator sends the larger size to its claim vmsingle-vm in place \(VictoriaMetrics\/operator internal\/controller\/operator\/factory\/reconcile\/pvc\.go PersistentVolumeClaim, commit 17df84a3\), which the API server takes only for a Bound claim whose StorageClass sets allowVolumeExpansion: true /,
    );
    assert.match(
      said,
      /kubectl get pvc vmsingle-vm -n monitoring shows its STATUS, kubectl get storageclass local-path its ALLOWVOLUMEEXPANSION$/,
    );
    assert.equal(claimGrowth(vmsingle("44Gi"), vmsingle("44Gi")), undefined);
  });

  it("says a class set where the claim had none is taken only where the claim has no class or that one", () => {
    for (const [plugin, given, to, verdict] of CLASS_FROM_UNSET) {
      const r = refusedUpdate(pvc(), pvc({ storageClassName: to }));
      // Counted as refused, as the server refuses it where another default was written in.
      assert.deepEqual(
        r.map((x) => x.field),
        ["spec.storageClassName"],
        plugin,
      );
      // The condition it states decides each of the server's verdicts.
      const takenBy = given === null || given === to;
      assert.equal(takenBy, verdict === "taken", `${plugin}: ${given} -> ${to}`);
      assert.match(
        r[0].reason,
        new RegExp(`takes it only if the live claim still has no class or has ${to} already`),
      );
      assert.match(
        r[0].reason,
        new RegExp(`if it prints ${to}, or nothing \\(no class\\), the update is taken`),
      );
    }
    const [r] = refusedUpdate(pvc(), pvc({ storageClassName: "expandable" }));
    // Where the plugin wrote a default in: the server's words for the class it refused.
    assert.ok(r.reason.includes(UNBOUND.replace(/^.*?spec: Forbidden: /, "spec: Forbidden: ")));
    assert.match(
      r.reason,
      /where the DefaultStorageClass admission plugin \(on by default\) found a default StorageClass/,
    );
    assert.match(r.reason, /kubectl get pvc grafana -n monitoring -o jsonpath=\{\.spec\.storageClassName\}/);
    // No longer said as if every claim made without a class had been given one.
    assert.doesNotMatch(
      r.reason,
      /a claim created without one was given the cluster's default StorageClass then/,
    );
  });
});

describe('change: a claim written with no class (storageClassName: "") never grows', () => {
  const classless = (storage: string, annotations?: Record<string, string>): RenderedObject => ({
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: { name: "data", namespace: "monitoring", ...(annotations ? { annotations } : {}) },
    spec: { accessModes: ["ReadWriteOnce"], storageClassName: "", resources: { requests: { storage } } },
  });

  it("refuses its growth, in the resize plugin's words, whatever the claim's phase", () => {
    const r = refusedUpdate(classless("1Gi"), classless("2Gi"));
    assert.deepEqual(
      r.map((x) => x.field),
      ["spec.resources.requests.storage"],
    );
    assert.match(r[0].reason, /grows from 1Gi to 2Gi on a claim with no class \(storageClassName: ""\)/);
    assert.match(r[0].reason, /only dynamically provisioned pvc can be resized/);
    assert.match(r[0].reason, /resize\/admission\.go:117-121 allowResize/);
    // Refused, so not also said as a growth with conditions.
    assert.equal(claimGrowth(classless("1Gi"), classless("2Gi")), undefined);
  });

  it("leaves the same size, and a claim whose beta annotation names a class, to the other rules", () => {
    assert.deepEqual(refusedUpdate(classless("1Gi"), classless("1Gi")), []);
    const annotated = { "volume.beta.kubernetes.io/storage-class": "local-path" };
    assert.deepEqual(refusedUpdate(classless("1Gi", annotated), classless("2Gi", annotated)), []);
    assert.ok(claimGrowth(classless("1Gi", annotated), classless("2Gi", annotated)));
  });
});
