import { strict as assert } from "assert";
import { refusedUpdate } from "../../change/apiRules";
import type { RenderedObject } from "../../synth/render/types";

/*
 * Updates a kube-apiserver v1.31.0 judged in a session run (docs/reference/checks.md, "Judged by a
 * real API server"): the earlier object applied, the later one applied with server-side dry-run,
 * through client-side (Helm's three-way patch) and server-side apply. Where the change check said
 * otherwise, these hold it to the server's verdict.
 */

const fields = (a: RenderedObject, b: RenderedObject) => refusedUpdate(a, b).map((r) => r.field);
const labels = { "app.kubernetes.io/name": "alloy" };

const workload = (kind: string, spec: Record<string, any> = {}): RenderedObject => ({
  apiVersion: "apps/v1",
  kind,
  metadata: { name: "w", namespace: "monitoring" },
  spec: {
    selector: { matchLabels: labels },
    template: { metadata: { labels }, spec: { containers: [{ name: "c", image: "i" }] } },
    ...spec,
  },
});

describe("change: rules a kube-apiserver v1.31.0 showed in a session run", () => {
  it("takes a selector that only spells out an empty matchExpressions, refuses one that selects otherwise", () => {
    for (const kind of ["Deployment", "DaemonSet", "StatefulSet"]) {
      const before = workload(kind, kind === "StatefulSet" ? { serviceName: "w" } : {});
      const same = structuredClone(before);
      same.spec!.selector.matchExpressions = [];
      assert.deepEqual(fields(before, same), [], kind);
      const nulled = structuredClone(before);
      nulled.spec!.selector.matchExpressions = null;
      assert.deepEqual(fields(before, nulled), [], kind);
      // The same labels as an expression select the same pods, but the field changes: refused.
      const expressed = structuredClone(before);
      expressed.spec!.selector = {
        matchExpressions: [{ key: "app.kubernetes.io/name", operator: "In", values: ["alloy"] }],
      };
      assert.deepEqual(fields(before, expressed), ["spec.selector"], kind);
    }
  });

  it("refuses a StatefulSet moving to OnDelete while the live object keeps its defaulted rollingUpdate", () => {
    const sts = (updateStrategy?: Record<string, unknown>) =>
      workload("StatefulSet", { serviceName: "w", ...(updateStrategy ? { updateStrategy } : {}) });
    const r = refusedUpdate(sts(), sts({ type: "OnDelete" }));
    assert.deepEqual(
      r.map((x) => x.field),
      ["spec.updateStrategy.rollingUpdate"],
    );
    assert.match(r[0].reason, /only allowed for updateStrategy 'RollingUpdate'/);
    assert.match(r[0].reason, /set updateStrategy\.rollingUpdate to null beside type OnDelete$/);
    // Taken: rollingUpdate nulled; a type written before (no rollingUpdate defaulted in); a
    // rollingUpdate the previous manifest had (the patch deletes it).
    assert.deepEqual(fields(sts(), sts({ type: "OnDelete", rollingUpdate: null })), []);
    assert.deepEqual(fields(sts({ type: "RollingUpdate" }), sts({ type: "OnDelete" })), []);
    assert.deepEqual(
      fields(sts({ type: "RollingUpdate", rollingUpdate: { partition: 0 } }), sts({ type: "OnDelete" })),
      [],
    );
    // Refused whatever came before: rollingUpdate written beside OnDelete.
    assert.deepEqual(
      fields(sts({ type: "RollingUpdate" }), sts({ type: "OnDelete", rollingUpdate: { partition: 1 } })),
      ["spec.updateStrategy.rollingUpdate"],
    );
  });

  it("takes a Job's parallelism set where neither it nor completions was: the live completions 1 stays", () => {
    const job = (spec: Record<string, unknown>): RenderedObject => ({
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: "j", namespace: "monitoring" },
      spec: { template: { spec: { containers: [{ name: "c", image: "i" }] } }, ...spec },
    });
    assert.deepEqual(fields(job({}), job({ parallelism: 3 })), []);
    // Completions the previous manifest set and the next drops: removed, so changed.
    assert.deepEqual(fields(job({ completions: 3 }), job({ parallelism: 3 })), ["spec.completions"]);
    assert.deepEqual(fields(job({}), job({ completions: 3 })), ["spec.completions"]);
  });

  it("says that a headless Service whose manifest drops clusterIP None stays headless, the update taken", () => {
    const svc = (clusterIP?: string): RenderedObject => ({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "loki-headless", namespace: "monitoring" },
      spec: { ports: [{ port: 3100 }], ...(clusterIP ? { clusterIP } : {}) },
    });
    const r = refusedUpdate(svc("None"), svc());
    assert.deepEqual(
      r.map((x) => x.field),
      ["spec.clusterIP"],
    );
    assert.match(r[0].reason, /the update is taken and the Service stays headless/);
    assert.match(r[0].reason, /storage\.go:594-597 patchAllocatedValues/);
    assert.match(r[0].reason, /kubectl delete service loki-headless -n monitoring/);
    // Turning a Service headless is refused outright.
    assert.match(refusedUpdate(svc(), svc("None"))[0].reason, /may not change once set/);
  });
});
