import { strict as assert } from "assert";
import { formatChange, planChange } from "../../change/change";
import { describeChanges, summarizeChanges } from "../../change/describe";
import { closingLine } from "../../synth/report";
import type { StackObject } from "../../synth/render/types";
import type { ExportResource } from "../../synth/synthesize";
import { stackState } from "../support/changeStates";

/**
 * What the change check prints (`synth --against`): a line a person can read that still says what
 * changes, and a refusal that says what to run.
 */
const URN = "urn:pulumi:production::homelab-observability::";
const rule = (alert: string, expr = "up == 0") => ({
  alert,
  expr,
  for: "5m",
  labels: { severity: "warning" },
});
const group = (name: string, n: number) => ({
  name,
  rules: Array.from({ length: n }, (_, i) => rule(`${name}Alert${i}`)),
});
const prometheusRule = (groups: unknown[]): ExportResource => ({
  urn: `${URN}kubernetes:monitoring.coreos.com/v1:PrometheusRule::rules-kube-prometheus`,
  custom: true,
  type: "kubernetes:monitoring.coreos.com/v1:PrometheusRule",
  inputs: { metadata: { name: "homelab-kube-prometheus", namespace: "monitoring" }, spec: { groups } },
  outputs: {},
});

describe("change output: list changes said by item, long runs summed up", () => {
  it("a group inserted into a rule file is one change naming it, not every index after it", () => {
    const before = [group("alertmanager.rules", 9), group("etcd", 14), group("prometheus", 22)];
    const after = [before[0], group("config-reloaders", 1), before[1], before[2]];
    assert.deepEqual(describeChanges({ spec: { groups: before } }, { spec: { groups: after } }), [
      "spec.groups: 1 added (config-reloaders)",
    ]);
  });

  it("matches rules by alert or record (a repeated record by its occurrence), containers and env vars by name", () => {
    const rules = [rule("A"), { record: "r", expr: "1" }, { record: "r", expr: "2" }, rule("B")];
    const next = [rule("B", "up == 1"), { record: "r", expr: "1" }, { record: "r", expr: "3" }, rule("C")];
    assert.deepEqual(describeChanges({ rules }, { rules: next }), [
      "rules: 1 added (C), 1 removed (A), order changed",
      "rules[alert=B].expr",
      "rules[record=r#2].expr",
    ]);
    const pod = (env: { name: string; value: string }[]) => ({
      containers: [
        { name: "sidecar", image: "s:1" },
        { name: "app", image: "a:1", env },
      ],
    });
    assert.deepEqual(
      describeChanges(
        pod([
          { name: "A", value: "1" },
          { name: "B", value: "2" },
        ]),
        pod([
          { name: "X", value: "0" },
          { name: "A", value: "1" },
          { name: "B", value: "3" },
        ]),
      ),
      ["containers[name=app].env: 1 added (X)", "containers[name=app].env[name=B].value"],
    );
  });

  it("items without a key are compared by position; a list of plain values is one change", () => {
    const ingress = (n: number) => Array.from({ length: n }, (_, i) => ({ ports: [{ port: 9000 + i }] }));
    assert.deepEqual(describeChanges({ ingress: ingress(2) }, { ingress: ingress(4) }), [
      "ingress: 2 added ([2], [3])",
    ]);
    assert.deepEqual(describeChanges({ args: ["--a", "--b"] }, { args: ["--x", "--a", "--b"] }), ["args"]);
  });

  it("a long run of changes says the first few, then how many more and the path they share", () => {
    const changes = Array.from({ length: 12 }, (_, i) => `spec.groups[name=g${i}].rules[alert=A].expr`);
    assert.equal(
      summarizeChanges(["data.phase", ...changes]),
      "data.phase, spec.groups[name=g0].rules[alert=A].expr, spec.groups[name=g1].rules[alert=A].expr, and 10 more under spec.groups",
    );
    assert.equal(summarizeChanges(["a", "b"]), "a, b");
  });

  it("a rule file that drops one group and most of another: a readable line naming them (the kps-removed update)", () => {
    const groups = Array.from({ length: 35 }, (_, i) => group(`g${String(i).padStart(2, "0")}`, 10));
    const next = groups
      .filter((_, i) => i !== 1)
      .map((g, i) => (i === 33 ? { ...g, rules: g.rules.slice(0, 3) } : g));
    const report = planChange(stackState([prometheusRule(groups)]), stackState([prometheusRule(next)]));
    assert.deepEqual(
      report.entries.map((e) => [e.action, e.why]),
      [
        [
          "update",
          [
            "spec.groups: 1 removed (g01)",
            "spec.groups[name=g34].rules: 7 removed (g34Alert3, g34Alert4, g34Alert5 and 4 more)",
          ],
        ],
      ],
    );
    const line = formatChange(report).split("\n")[0];
    assert.ok(line.length < 300, `${line.length} characters: ${line}`);
  });

  it("what decides a replacement is unchanged: the provider's force-new paths", () => {
    const job = (image: string): ExportResource => ({
      urn: `${URN}kubernetes:batch/v1:Job::migrate`,
      custom: true,
      type: "kubernetes:batch/v1:Job",
      inputs: {
        metadata: { name: "migrate", namespace: "monitoring" },
        spec: { template: { spec: { containers: [{ name: "m", image }] } } },
      },
      outputs: {},
    });
    const [entry] = planChange(stackState([job("a:1")]), stackState([job("a:2")])).entries;
    assert.equal(entry.action, "replace");
    assert.deepEqual(entry.why, [
      "spec.template.spec.containers[0].image (pulumi-kubernetes diff.go force-new)",
    ]);
  });
});

describe("change output: a refused deletion of a protected resource says what to run and what goes", () => {
  const bucket = (retainOnDelete: boolean): ExportResource => ({
    urn: `${URN}homelab:objectstore:ObjectStore$minio:index/s3Bucket:S3Bucket::objectstore-production-mimir-blocks`,
    custom: true,
    type: "minio:index/s3Bucket:S3Bucket",
    inputs: { acl: "private", bucket: "production-mimir-blocks", forceDestroy: false },
    outputs: {},
    protect: true,
    retainOnDelete,
  });
  const refusal = (b: ExportResource, objects: StackObject[] = []) => {
    const [entry] = planChange(stackState([b], objects), stackState([])).refused;
    return entry.refused.find((r) => r.field === "protect")!.reason;
  };

  it("gives the exact unprotect command, the URN quoted for the shell, and what the update then keeps", () => {
    assert.equal(
      refusal(bucket(true)),
      "a protected resource cannot be deleted; once unprotected, the update drops it from the stack and keeps bucket production-mimir-blocks and the objects in it (retainOnDelete); if that is intended, first run: " +
        `pulumi state unprotect --stack production 'urn:pulumi:production::homelab-observability::homelab:objectstore:ObjectStore$minio:index/s3Bucket:S3Bucket::objectstore-production-mimir-blocks'`,
    );
    assert.match(
      refusal(bucket(false)),
      /once unprotected, the update deletes bucket production-mimir-blocks and the objects in it;/,
    );
  });

  it("a protected Release: it is uninstalled with every object it made, naming those that hold data", () => {
    const rel: ExportResource = {
      urn: `${URN}kubernetes:helm.sh/v3:Release::victoriametrics`,
      custom: true,
      type: "kubernetes:helm.sh/v3:Release",
      inputs: { name: "victoriametrics", namespace: "monitoring", chart: "vm", version: "1", values: {} },
      outputs: {},
      protect: true,
    };
    const vmsingle: StackObject = {
      resourceUrn: rel.urn,
      release: { name: "victoriametrics", namespace: "monitoring", chart: "vm", version: "1", source: "" },
      object: {
        apiVersion: "operator.victoriametrics.com/v1beta1",
        kind: "VMSingle",
        metadata: { name: "vm", namespace: "monitoring" },
        spec: { storage: { resources: { requests: { storage: "10Gi" } } } },
      },
    };
    assert.match(
      refusal(rel, [vmsingle]),
      /the update deletes release monitoring\/victoriametrics and every object it made, with the data of VMSingle monitoring\/vm; if that is intended, first run: pulumi state unprotect --stack production 'urn:pulumi:production::homelab-observability::kubernetes:helm\.sh\/v3:Release::victoriametrics'$/,
    );
  });

  it("a URN holding a quote stays one word for the shell", () => {
    const b = { ...bucket(true), urn: `${URN}minio:index/s3Bucket:S3Bucket::it's` };
    assert.match(refusal(b), /first run: pulumi state unprotect --stack production 'urn:[^']*::it'\\''s'$/);
  });

  it("the stack's closing line says why the change fails", () => {
    const o = { stack: "production", renderErrors: 0, checkProblems: 0, violations: [], change: 1 };
    assert.equal(
      closingLine({ ...o, changeWhy: "3 refused (above)" }),
      "production: FAIL (exit 1): the change: 3 refused (above)",
    );
  });
});

describe("change output: imports and retained deletions said as pulumi preview says them", () => {
  const minio: ExportResource = {
    urn: `${URN}homelab:objectstore:ObjectStore$minio:index/s3Bucket:S3Bucket::objectstore-production-loki-chunks`,
    custom: true,
    type: "minio:index/s3Bucket:S3Bucket",
    inputs: { acl: "private", bucket: "production-loki-chunks", forceDestroy: false },
    outputs: {},
    retainOnDelete: true,
  };
  const garage = (extra: Partial<ExportResource> = {}): ExportResource => ({
    urn: `${URN}homelab:objectstore:ObjectStore$pulumi-nodejs:dynamic/garage:Bucket::objectstore-production-loki-chunks`,
    custom: true,
    type: "pulumi-nodejs:dynamic/garage:Bucket",
    inputs: { name: "production-loki-chunks" },
    outputs: {},
    retainOnDelete: true,
    ...extra,
  });

  it("a new resource with an import ID is an import (OpImport, `= `), a retained one gone is delete[retain], each counted so", () => {
    const report = planChange(
      stackState([minio]),
      stackState([garage({ importId: "production-loki-chunks" })]),
    );
    assert.deepEqual(
      report.entries.map((e) => [e.action, e.retained ?? false]),
      [
        ["delete", true],
        ["import", false],
      ],
    );
    assert.deepEqual(formatChange(report).split("\n"), [
      "-  delete[retain] S3Bucket::objectstore-production-loki-chunks (objectstore-production-loki-chunks): drops it from the stack and keeps bucket production-loki-chunks and the objects in it (retainOnDelete)",
      "=  import  Bucket::objectstore-production-loki-chunks (objectstore-production-loki-chunks): import ID production-loki-chunks",
      "0 create, 1 import, 0 update, 0 replace, 1 delete (1 retained); 0 refused",
    ]);
  });

  it("the synthesis' side record of imports counts as the import ID", () => {
    const after = { ...stackState([garage()]), imports: { [garage().urn]: "production-loki-chunks" } };
    assert.deepEqual(
      planChange(stackState([]), after).entries.map((e) => e.action),
      ["import"],
    );
  });

  it("without imports or retained deletions the counts line reads as before", () => {
    const report = planChange(stackState([{ ...minio, retainOnDelete: false }]), stackState([garage()]));
    assert.equal(
      formatChange(report).split("\n").pop(),
      "1 create, 0 update, 0 replace, 1 delete; 0 refused",
    );
  });

  it("a protected retained resource is still refused, as the engine refuses deleting it first", () => {
    const report = planChange(stackState([{ ...minio, protect: true }]), stackState([]));
    assert.equal(report.refused.length, 1);
    assert.equal(report.refused[0].refused[0].field, "protect");
    assert.match(
      formatChange(report),
      /\n0 create, 0 update, 0 replace, 1 delete \(1 retained\); 1 refused$/,
    );
  });
});
