import { strict as assert } from "assert";
import { refusedUpdate } from "../../change/apiRules";
import { planChange } from "../../change/change";
import type { RenderedObject } from "../../synth/render/types";
import { lokiStatefulSet, prometheusClaim, stackState } from "../support/changeStates";

/*
 * The change check's restated API server rules against their upstream sources, Kubernetes 1.31
 * (read, not run: no API server here): a claim's class set where there was none, the defaults the
 * API server fills into claim templates, a Service's clusterIP set where there was none, a Job's
 * selector and completions; and one refusal per replacement or deletion (issue 51 item 3).
 */

const fields = (a: RenderedObject, b: RenderedObject) => refusedUpdate(a, b).map((r) => r.field);

const pvc = (spec: Record<string, any> = {}, annotations?: Record<string, string>): RenderedObject => ({
  apiVersion: "v1",
  kind: "PersistentVolumeClaim",
  metadata: { name: "grafana", namespace: "monitoring", ...(annotations ? { annotations } : {}) },
  spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "10Gi" } }, ...spec },
});

describe("change: a claim's class set where it had none (ValidatePersistentVolumeClaimUpdate, 1.31)", () => {
  it("lets an unset class be set to the one its beta annotation names, the annotation kept or dropped", () => {
    const ann = { "volume.beta.kubernetes.io/storage-class": "fast" };
    assert.deepEqual(fields(pvc({}, ann), pvc({ storageClassName: "fast" }, ann)), []);
    assert.deepEqual(fields(pvc({}, ann), pvc({ storageClassName: "fast" })), []);
  });

  it("refuses a class other than the annotated one, and a changed beta annotation", () => {
    const ann = { "volume.beta.kubernetes.io/storage-class": "fast" };
    const r = refusedUpdate(pvc({}, ann), pvc({ storageClassName: "slow" }, ann));
    assert.deepEqual(
      r.map((x) => x.field),
      ["spec.storageClassName"],
    );
    assert.match(r[0].reason, /set to slow but the claim's beta annotation names fast/);
    assert.deepEqual(fields(pvc({}, ann), pvc({}, { "volume.beta.kubernetes.io/storage-class": "slow" })), [
      "metadata.annotations.volume.beta.kubernetes.io/storage-class",
    ]);
  });

  it("says when a class set on a claim made without one is refused: a default class was written in at creation", () => {
    const r = refusedUpdate(pvc(), pvc({ storageClassName: "nvme" }));
    assert.deepEqual(
      r.map((x) => x.field),
      ["spec.storageClassName"],
    );
    // Not "only spec.resources.requests may change": the rule lets an unset class be set.
    assert.doesNotMatch(r[0].reason, /only spec\.resources\.requests may change/);
    assert.match(r[0].reason, /validateStorageClassUpgradeFromNil/);
    assert.match(
      r[0].reason,
      /where the DefaultStorageClass admission plugin \(on by default\) found a default StorageClass/,
    );
    assert.match(
      r[0].reason,
      /otherwise leave the class unset \(the claim keeps its own\), or move the data to a new claim of class nvme$/,
    );
  });
});

const sts = lokiStatefulSet;
const template = (extra: Record<string, any> = {}, spec: Record<string, any> = {}) => ({
  metadata: { name: "storage" },
  spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "10Gi" } }, ...spec },
  ...extra,
});

describe("change: claim templates compared as the API server stores them (core/v1 and apps/v1 defaults)", () => {
  it("is no change when a template spells out what the API server fills in", () => {
    const spelled = template(
      { apiVersion: "v1", kind: "PersistentVolumeClaim", status: { phase: "Pending" } },
      { volumeMode: "Filesystem", resources: { requests: { storage: "10240Mi" } } },
    );
    assert.deepEqual(fields(sts([template()]), sts([spelled])), []);
    assert.deepEqual(fields(sts([spelled]), sts([template()])), []);
  });

  it("still refuses a real change of a template: its size, its volumeMode", () => {
    assert.deepEqual(
      fields(sts([template()]), sts([template({}, { resources: { requests: { storage: "20Gi" } } })])),
      ["spec.volumeClaimTemplates"],
    );
    assert.deepEqual(fields(sts([template()]), sts([template({}, { volumeMode: "Block" })])), [
      "spec.volumeClaimTemplates",
    ]);
  });

  it("reads an operator's claim template the same way (its StatefulSet is defaulted)", () => {
    const prom = (vct: Record<string, any>): RenderedObject => ({
      apiVersion: "monitoring.coreos.com/v1",
      kind: "Prometheus",
      metadata: { name: "kps", namespace: "monitoring" },
      spec: { storage: { volumeClaimTemplate: vct } },
    });
    const plain = { spec: { resources: { requests: { storage: "50Gi" } } } };
    const spelled = {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      spec: { volumeMode: "Filesystem", resources: { requests: { storage: "50Gi" } } },
    };
    assert.deepEqual(fields(prom(plain), prom(spelled)), []);
  });
});

const svc = (spec: Record<string, any>): RenderedObject => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "grafana", namespace: "monitoring" },
  spec: { ports: [{ port: 80 }], ...spec },
});

describe("change: a Service's clusterIP (ValidateServiceUpdate, validateUpgradeDowngradeClusterIPs)", () => {
  it("refuses an address set where the manifest had none: the live Service keeps the allocated one", () => {
    const r = refusedUpdate(svc({}), svc({ clusterIP: "10.43.0.20" }));
    assert.deepEqual(
      r.map((x) => x.field),
      ["spec.clusterIP"],
    );
    assert.match(r[0].reason, /set to 10\.43\.0\.20 where the manifest had none.*may not change once set/);
  });

  it("lets an address be dropped (the allocated one stays), and checks nothing for ExternalName", () => {
    assert.deepEqual(fields(svc({ clusterIP: "10.43.0.20" }), svc({})), []);
    assert.deepEqual(fields(svc({ clusterIP: "" }), svc({})), []);
    assert.deepEqual(
      fields(svc({ type: "ExternalName", externalName: "a.example" }), svc({ clusterIP: "10.43.0.20" })),
      [],
    );
    // From ExternalName, even a headless one is made afresh: validateUpgradeDowngradeClusterIPs bails out.
    assert.deepEqual(
      fields(svc({ type: "ExternalName", externalName: "a.example" }), svc({ clusterIP: "None" })),
      [],
    );
  });
});

const job = (spec: Record<string, any>, hook = false): RenderedObject => ({
  apiVersion: "batch/v1",
  kind: "Job",
  metadata: {
    name: "migrate",
    namespace: "monitoring",
    ...(hook ? { annotations: { "helm.sh/hook": "pre-upgrade" } } : {}),
  },
  spec: { template: { spec: { containers: [{ name: "m", image: "a" }] } }, ...spec },
});

describe("change: a Job's selector and completions (ValidateJobSpecUpdate, 1.31)", () => {
  it("refuses a changed selector and changed completions", () => {
    const sel = (v: string) => ({ matchLabels: { app: v } });
    assert.deepEqual(
      fields(
        job({ selector: sel("a"), manualSelector: true }),
        job({ selector: sel("b"), manualSelector: true }),
      ),
      ["spec.selector"],
    );
    const r = refusedUpdate(job({ completions: 1 }), job({ completions: 3 }));
    assert.deepEqual(
      r.map((x) => x.field),
      ["spec.completions"],
    );
    assert.match(r[0].reason, /from 1 to 3.*ValidateJobSpecUpdate/);
  });

  it("is no change when completions spells the default (1 when neither it nor parallelism is set)", () => {
    assert.deepEqual(fields(job({}), job({ completions: 1 })), []);
    assert.deepEqual(fields(job({}), job({ completions: 1, parallelism: 1 })), []);
    assert.deepEqual(fields(job({}), job({ completionMode: "NonIndexed" })), []);
  });

  it("lets an Indexed Job change completions with parallelism (ElasticIndexedJob), and a hook change anything", () => {
    const indexed = (n: number) => ({ completionMode: "Indexed", completions: n, parallelism: n });
    assert.deepEqual(fields(job(indexed(2)), job(indexed(4))), []);
    assert.deepEqual(fields(job(indexed(2)), job({ ...indexed(4), parallelism: 2 })), ["spec.completions"]);
    assert.deepEqual(fields(job({ completions: 1 }, true), job({ completions: 3 }, true)), []);
  });
});

describe("change: one refusal per replacement and per deletion (change/change.ts, issue 51 item 3)", () => {
  it("a claim still imported whose replacement loses data: one refusal saying both", () => {
    const report = planChange(
      stackState([prometheusClaim("a", "50Gi")]),
      stackState([prometheusClaim("b", "50Gi", { importId: "monitoring/prometheus-db" })]),
    );
    const refused = report.refused.flatMap((e) => e.refused);
    assert.equal(refused.length, 1, JSON.stringify(refused));
    assert.equal(refused[0].field, "spec.storageClassName, import");
    assert.match(
      refused[0].reason,
      /holds the data.*; and it still carries its import ID: previously-imported resources/,
    );
  });

  it("a protected claim the new state drops, not retained: one refusal, the command last", () => {
    const report = planChange(stackState([prometheusClaim("a", "50Gi", { protect: true })]), stackState([]));
    const refused = report.refused.flatMap((e) => e.refused);
    assert.equal(refused.length, 1, JSON.stringify(refused));
    assert.equal(refused[0].field, "retainOnDelete, protect");
    assert.match(
      refused[0].reason,
      /deletes the data it holds.*; and a protected resource cannot be deleted/,
    );
    assert.match(refused[0].reason, /first run: pulumi state unprotect --stack production '[^']+'$/);
  });
});
