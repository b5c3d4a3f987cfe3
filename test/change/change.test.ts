import { strict as assert } from "assert";
import { forceNewProperties, mergePatch, patchToDiff, providerDiff } from "../../change/providerDiff";
import { holdsData, quantityBytes, refusedUpdate, STATEFULSET_MUTABLE } from "../../change/apiRules";
import { planChange } from "../../change/change";
import type { RenderedObject, StackObject } from "../../synth/render/types";
import type { ExportResource } from "../../synth/synthesize";
import { PROVIDER_DIFF_CASES } from "../support/providerDiffCases";
import { stackState } from "../support/changeStates";

describe("change: the provider's replace rules (pulumi-kubernetes diff_test.go TestPatchToDiff, ported)", () => {
  for (const c of PROVIDER_DIFF_CASES) {
    it(c.name, () => {
      const patch = mergePatch(c.old, c.new);
      const apiVersion = c.group === "" || c.group === "core" ? c.version : `${c.group}/${c.version}`;
      // Upstream computes the force-new set from the old object with the case's group/version/kind.
      const forceNew = forceNewProperties({ ...c.old, apiVersion, kind: c.kind }, c.flags);
      const diff = patchToDiff(patch, c.old, c.inputs ?? c.new, c.oldInputs ?? c.old, forceNew);
      assert.deepEqual(diff, c.expected);
    });
  }

  it("replaces a bound claim the program declares without spec.volumeName, unless the field is ignored", () => {
    const live = {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: { name: "c", namespace: "m", finalizers: ["kubernetes.io/pvc-protection"] },
      spec: {
        accessModes: ["ReadWriteOnce"],
        volumeName: "pvc-1",
        volumeMode: "Filesystem",
        resources: { requests: { storage: "70Gi" } },
      },
    };
    const program = {
      ...live,
      metadata: { name: "c", namespace: "m" },
      spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "70Gi" } } },
    };
    assert.deepEqual(providerDiff(live, program).replaces, ["spec.volumeName"]);
    const ignored = providerDiff(live, program, {
      ignoreChanges: ["spec.volumeName", "spec.volumeMode", "metadata.finalizers"],
    });
    assert.deepEqual(ignored, { diff: {}, replaces: [] });
  });
});

const sts = (over: Record<string, any> = {}): RenderedObject => ({
  apiVersion: "apps/v1",
  kind: "StatefulSet",
  metadata: { name: "loki-write", namespace: "monitoring" },
  spec: {
    replicas: 3,
    serviceName: "loki-write-headless",
    selector: { matchLabels: { app: "loki" } },
    template: { metadata: { labels: { app: "loki" } }, spec: { containers: [{ name: "loki", image: "a" }] } },
    volumeClaimTemplates: [
      {
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        metadata: { name: "data" },
        spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "10Gi" } } },
      },
    ],
    ...over,
  },
});
const fields = (a: RenderedObject, b: RenderedObject) => refusedUpdate(a, b).map((r) => r.field);

describe("change: what the API server refuses in a Helm upgrade", () => {
  it("lets a StatefulSet change only its mutable fields", () => {
    const b = sts({
      replicas: 1,
      template: {
        metadata: { labels: { app: "loki" } },
        spec: { containers: [{ name: "loki", image: "b" }] },
      },
      updateStrategy: { type: "RollingUpdate" },
      minReadySeconds: 5,
      persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain" },
      ordinals: { start: 0 },
    });
    assert.deepEqual(fields(sts(), b), []);
    // Kubernetes 1.31: revisionHistoryLimit is not among them (test/change/providerDiffUpstream18.test.ts).
    assert.equal(STATEFULSET_MUTABLE.length, 6);
  });
  it("refuses any change of volumeClaimTemplates, naming the template and what changed", () => {
    const bigger = sts();
    bigger.spec.volumeClaimTemplates[0].spec.resources.requests.storage = "20Gi";
    const r = refusedUpdate(sts(), bigger);
    assert.deepEqual(
      r.map((x) => x.field),
      ["spec.volumeClaimTemplates"],
    );
    assert.match(r[0].reason, /data: size 10Gi -> 20Gi/);
    const classed = sts();
    classed.spec.volumeClaimTemplates[0].spec.storageClassName = "openebs-hostpath";
    assert.match(refusedUpdate(sts(), classed)[0].reason, /storageClassName unset -> "openebs-hostpath"/);
    const labelled = sts();
    labelled.spec.volumeClaimTemplates[0].metadata.labels = { "helm.sh/chart": "x-2" };
    assert.deepEqual(fields(sts(), labelled), ["spec.volumeClaimTemplates"]);
  });
  it("refuses a StatefulSet's selector, serviceName and podManagementPolicy, but not its default spelled out", () => {
    assert.deepEqual(fields(sts(), sts({ selector: { matchLabels: { app: "x" } } })), ["spec.selector"]);
    assert.deepEqual(fields(sts(), sts({ serviceName: "other" })), ["spec.serviceName"]);
    assert.deepEqual(fields(sts(), sts({ podManagementPolicy: "Parallel" })), ["spec.podManagementPolicy"]);
    assert.deepEqual(fields(sts(), sts({ podManagementPolicy: "OrderedReady" })), []);
  });
  it("refuses a Deployment's or DaemonSet's selector", () => {
    for (const kind of ["Deployment", "DaemonSet"]) {
      const a = {
        apiVersion: "apps/v1",
        kind,
        metadata: { name: "d" },
        spec: { selector: { matchLabels: { a: "1" } } },
      };
      assert.deepEqual(fields(a, { ...a, spec: { selector: { matchLabels: { a: "2" } } } }), [
        "spec.selector",
      ]);
      assert.deepEqual(fields(a, { ...a, spec: { ...a.spec, replicas: 2 } }), []);
    }
  });
  it("refuses a Service's clusterIP change and a change of headlessness", () => {
    const svc = (spec: Record<string, any>) => ({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "s" },
      spec,
    });
    assert.deepEqual(fields(svc({ ports: [] }), svc({ clusterIP: "None", ports: [] })), ["spec.clusterIP"]);
    assert.deepEqual(fields(svc({ clusterIP: "None" }), svc({})), ["spec.clusterIP"]);
    assert.deepEqual(fields(svc({ clusterIP: "10.0.0.1" }), svc({ clusterIP: "10.0.0.2" })), [
      "spec.clusterIP",
    ]);
    assert.deepEqual(fields(svc({ type: "ClusterIP" }), svc({ type: "NodePort" })), []);
  });
  it("lets a claim grow, refuses it shrinking or changing anything else", () => {
    const pvc = (storage: string, extra: Record<string, any> = {}) => ({
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: { name: "p" },
      spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage } }, ...extra },
    });
    assert.deepEqual(fields(pvc("10Gi"), pvc("20Gi")), []);
    assert.deepEqual(fields(pvc("20Gi"), pvc("10Gi")), ["spec.resources.requests.storage"]);
    assert.deepEqual(fields(pvc("10Gi"), pvc("10Gi", { storageClassName: "x" })), ["spec.storageClassName"]);
    assert.equal(quantityBytes("1Gi"), 2 ** 30);
    assert.equal(quantityBytes("70G"), 70e9);
  });
  it("refuses a Job's template unless the Job is a Helm hook", () => {
    const job = (image: string, hook = false) => ({
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: "j", ...(hook ? { annotations: { "helm.sh/hook": "post-install" } } : {}) },
      spec: { template: { spec: { containers: [{ name: "j", image }] } } },
    });
    assert.deepEqual(fields(job("a"), job("b")), ["spec.template"]);
    assert.deepEqual(fields(job("a", true), job("b", true)), []);
  });
  it("refuses data changes of an immutable ConfigMap or Secret, not of a mutable one", () => {
    const cm = (v: string, immutable?: boolean) => ({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "c" },
      data: { k: v },
      ...(immutable ? { immutable } : {}),
    });
    assert.deepEqual(fields(cm("a", true), cm("b", true)), ["data"]);
    assert.deepEqual(fields(cm("a"), cm("b")), []);
    const secret = { ...cm("a", true), kind: "Secret" };
    assert.deepEqual(fields(secret, { ...secret, data: { k: "b" } }), ["data"]);
  });
  it("refuses the storage claim template of operator-made StatefulSets (Prometheus, Alertmanager, VMAgent)", () => {
    const prom = (storage: string) => ({
      apiVersion: "monitoring.coreos.com/v1",
      kind: "Prometheus",
      metadata: { name: "p" },
      spec: {
        retention: "14d",
        storage: { volumeClaimTemplate: { spec: { resources: { requests: { storage } } } } },
      },
    });
    assert.deepEqual(fields(prom("70Gi"), prom("80Gi")), ["spec.storage.volumeClaimTemplate"]);
    assert.deepEqual(
      fields(prom("70Gi"), { ...prom("70Gi"), spec: { ...prom("70Gi").spec, retention: "30d" } }),
      [],
    );
    const am = {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "Alertmanager",
      metadata: { name: "a" },
      spec: {},
    };
    assert.deepEqual(fields(am, { ...am, spec: prom("1Gi").spec }), ["spec.storage.volumeClaimTemplate"]);
    const agent = {
      apiVersion: "operator.victoriametrics.com/v1beta1",
      kind: "VMAgent",
      metadata: { name: "v" },
      spec: {},
    };
    assert.deepEqual(fields(agent, { ...agent, spec: { statefulStorage: prom("1Gi").spec.storage } }), [
      "spec.statefulStorage.volumeClaimTemplate",
    ]);
  });
  it("lets a VMSingle's claim grow, refuses a new class", () => {
    const vm = (storage: Record<string, any>) => ({
      apiVersion: "operator.victoriametrics.com/v1beta1",
      kind: "VMSingle",
      metadata: { name: "v" },
      spec: { storage },
    });
    const s = (size: string, cls?: string) => ({
      resources: { requests: { storage: size } },
      ...(cls ? { storageClassName: cls } : {}),
    });
    assert.deepEqual(fields(vm(s("10Gi")), vm(s("20Gi"))), []);
    assert.deepEqual(fields(vm(s("10Gi")), vm(s("10Gi", "x"))), ["spec.storage.storageClassName"]);
  });
});

// Minimal states: resources by URN and rendered objects per release.
const URN = "urn:pulumi:s::homelab-observability::";
const release = (
  name: string,
  namespace = "monitoring",
  extra: Partial<ExportResource> = {},
): ExportResource => ({
  urn: `${URN}kubernetes:helm.sh/v3:Release::${name}`,
  custom: true,
  type: "kubernetes:helm.sh/v3:Release",
  inputs: { name, namespace, chart: name, version: "1.0.0", values: {} },
  outputs: {},
  ...extra,
});
const placed = (rel: ExportResource, object: RenderedObject): StackObject => ({
  object,
  resourceUrn: rel.urn,
  release: {
    name: rel.inputs.name,
    namespace: rel.inputs.namespace,
    chart: rel.inputs.chart,
    version: "1.0.0",
    source: "",
  },
});

describe("change: the engine's steps and what loses data", () => {
  it("reports nothing for an unchanged state", () => {
    const r = release("loki");
    const s = stackState([r], [placed(r, sts())]);
    assert.deepEqual(planChange(s, s), { entries: [], refused: [] });
  });
  it("refuses a Release whose namespace changes (uninstall and install), naming the field", () => {
    const report = planChange(stackState([release("alloy")]), stackState([release("alloy", "agents")]));
    assert.equal(report.refused.length, 1);
    assert.equal(report.refused[0].action, "replace");
    assert.match(report.refused[0].refused[0].field, /namespace/);
  });
  it("refuses replacing a protected or still-importing raw resource and a claim, and lets a mutable ConfigMap update", () => {
    const pvc = (cls: string, extra: Partial<ExportResource> = {}): ExportResource => ({
      urn: `${URN}kubernetes:core/v1:PersistentVolumeClaim::vol`,
      custom: true,
      type: "kubernetes:core/v1:PersistentVolumeClaim",
      inputs: { metadata: { name: "vol", namespace: "m" }, spec: { storageClassName: cls } },
      outputs: {},
      ...extra,
    });
    const report = planChange(
      stackState([pvc("a", { protect: true })]),
      stackState([pvc("b", { protect: true, importId: "m/vol" })]),
    );
    const reasons = report.refused[0].refused.map((r) => r.field);
    // The protection, the import and the lost data are one replacement's: one refusal saying all.
    assert.deepEqual(reasons, ["spec.storageClassName, protect, import"]);
    const cm = (v: string): ExportResource => ({
      urn: `${URN}kubernetes:core/v1:ConfigMap::cm`,
      custom: true,
      type: "kubernetes:core/v1:ConfigMap",
      inputs: { metadata: { name: "cm" }, data: { k: v } },
      outputs: {},
    });
    const provider = (on: boolean): ExportResource => ({
      urn: `${URN}pulumi:providers:kubernetes::k8s`,
      custom: true,
      type: "pulumi:providers:kubernetes",
      inputs: on ? { enableConfigMapMutable: "true" } : {},
      outputs: {},
    });
    assert.equal(
      planChange(stackState([provider(true), cm("a")]), stackState([provider(true), cm("b")])).entries[0]
        .action,
      "update",
    );
    assert.equal(
      planChange(stackState([provider(false), cm("a")]), stackState([provider(false), cm("b")])).entries[0]
        .action,
      "replace",
    );
  });
  it("refuses deleting a protected resource and a data-holding one that is not retained", () => {
    const pvc: ExportResource = {
      urn: `${URN}kubernetes:core/v1:PersistentVolumeClaim::vol`,
      custom: true,
      type: "kubernetes:core/v1:PersistentVolumeClaim",
      inputs: { metadata: { name: "vol" } },
      outputs: {},
    };
    assert.deepEqual(
      planChange(stackState([pvc]), stackState([])).refused[0].refused.map((r) => r.field),
      ["retainOnDelete"],
    );
    assert.equal(
      planChange(stackState([{ ...pvc, retainOnDelete: true }]), stackState([])).refused.length,
      0,
    );
    assert.deepEqual(
      planChange(
        stackState([{ ...pvc, protect: true, retainOnDelete: true }]),
        stackState([]),
      ).refused[0].refused.map((r) => r.field),
      ["protect"],
    );
  });
  // Pasted where `npm run` runs (the checkout), the command must reach the project given with
  // --dir: the Pulumi CLI reads the stack from its working folder.
  it("names the project folder in the command that lifts a protection, when it is not the checkout", () => {
    const pvc: ExportResource = {
      urn: `${URN}kubernetes:core/v1:PersistentVolumeClaim::vol`,
      custom: true,
      protect: true,
      retainOnDelete: true,
      type: "kubernetes:core/v1:PersistentVolumeClaim",
      inputs: { metadata: { name: "vol" } },
      outputs: {},
    };
    const reason = (dir?: string) =>
      planChange(stackState([pvc]), stackState([]), undefined, dir).refused[0].refused[0].reason;
    assert.ok(
      reason("/srv/home lab").endsWith(
        `first run: pulumi --cwd '/srv/home lab' state unprotect --stack s '${pvc.urn}'`,
      ),
      reason("/srv/home lab"),
    );
    assert.ok(reason().endsWith(`first run: pulumi state unprotect --stack s '${pvc.urn}'`), reason());
  });
  it("refuses a renamed StatefulSet with claims (the data stays behind) and one whose deletion deletes its claims", () => {
    const r = release("loki");
    const renamed = sts();
    renamed.metadata = { name: "loki-writer", namespace: "monitoring" };
    const report = planChange(stackState([r], [placed(r, sts())]), stackState([r], [placed(r, renamed)]));
    assert.match(report.refused[0].refused[0].reason, /renamed to StatefulSet monitoring\/loki-writer/);
    const deleting = sts({ persistentVolumeClaimRetentionPolicy: { whenDeleted: "Delete" } });
    assert.deepEqual(
      planChange(stackState([r], [placed(r, deleting)]), stackState([r])).refused[0].refused.map(
        (x) => x.field,
      ),
      ["spec.persistentVolumeClaimRetentionPolicy.whenDeleted"],
    );
    assert.equal(holdsData(sts({ volumeClaimTemplates: [] })), false);
  });
  it("refuses a Helm upgrade that changes a claim template, naming object and field", () => {
    const r = release("loki");
    const bigger = sts();
    bigger.spec.volumeClaimTemplates[0].spec.resources.requests.storage = "20Gi";
    const report = planChange(stackState([r], [placed(r, sts())]), stackState([r], [placed(r, bigger)]));
    assert.equal(report.refused[0].subject, "StatefulSet monitoring/loki-write");
    assert.equal(report.refused[0].refused[0].field, "spec.volumeClaimTemplates");
  });
});

describe("change: ignoreChanges as the engine applies it", () => {
  it("carries an ignored live field over, and adds nothing when neither side has it", () => {
    const ns = (extra: Record<string, any> = {}) => ({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "m" },
      ...extra,
    });
    const ignore = ["spec.finalizers", "metadata.finalizers"];
    assert.deepEqual(providerDiff(ns(), ns(), { ignoreChanges: ignore }), { diff: {}, replaces: [] });
    assert.deepEqual(
      providerDiff(ns({ spec: { finalizers: ["kubernetes"] } }), ns(), { ignoreChanges: ignore }),
      {
        diff: {},
        replaces: [],
      },
    );
    assert.deepEqual(Object.keys(providerDiff(ns({ spec: { finalizers: ["kubernetes"] } }), ns()).diff), [
      "spec",
    ]);
  });
});

describe("change: raw stateful resources renamed", () => {
  const raw = (name: string, objName: string): ExportResource => ({
    urn: `${URN}kubernetes:apps/v1:StatefulSet::${name}`,
    custom: true,
    type: "kubernetes:apps/v1:StatefulSet",
    inputs: { metadata: { name: objName, namespace: "m" }, spec: sts().spec },
    outputs: {},
  });
  it("refuses a StatefulSet with claims that moves to another resource name (no alias)", () => {
    const report = planChange(stackState([raw("mimir", "mimir")]), stackState([raw("mimir-store", "mimir")]));
    assert.deepEqual(
      report.refused.map((e) => `${e.action} ${e.subject}: ${e.refused.map((r) => r.field).join(", ")}`),
      ["delete StatefulSet::mimir: metadata.name"],
    );
  });
  it("lets one go away when nothing takes its place (its claims are retained by Kubernetes)", () => {
    assert.equal(planChange(stackState([raw("mimir", "mimir")]), stackState([])).refused.length, 0);
  });
});
