import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import {
  backendMoveVerdict,
  BACKEND_MOVE_DOC,
  foldBackendRemoval,
  removedWithBackend,
} from "../../change/backendMove";
import { STACK_INFO_NAME } from "@homelab-observability/contract";
import { checkChange } from "../../change/check";
import { backendOfExport } from "../../change/phaseMove";
import type { ChangeEntry } from "../../change/change";
import { BACKENDS, type Backend } from "../../model/phases";
import type { ExportResource, StackExport } from "../../synth/synthesize";
import { refusedLines } from "../support/changeStates";
import { onBackend, ROOT, synth, tmpDir } from "../support/helpers";

const exportOf = (phase: string, ...types: string[]): StackExport =>
  ({
    deployment: {
      resources: [
        { urn: "urn:pulumi:s::p::pulumi:pulumi:Stack::p-s", type: "pulumi:pulumi:Stack", outputs: { phase } },
        ...types.map((type) => ({ urn: `urn:pulumi:s::p::${type}::x`, type })),
      ] as ExportResource[],
    },
  }) as unknown as StackExport;
const MIMIR = "homelab:metrics:Mimir";
const VM = "homelab:metrics:VictoriaMetrics";
const at = (key: string) => (key === "metricsBackend" ? "Pulumi.staging.yaml:9" : undefined);

describe("change check: the metrics backend changed under a stack that runs one", () => {
  it("reads the backend an export runs from its component, none before dual-write", () => {
    assert.equal(backendOfExport(exportOf("kps-removed", MIMIR)), "mimir");
    assert.equal(backendOfExport(exportOf("dual-write", VM)), "victoriametrics");
    assert.equal(backendOfExport(exportOf("loki-fixed")), undefined);
  });

  it("refuses mimir -> victoriametrics at kps-removed, naming the key at its line, what is left behind and the way to keep it", () => {
    const v = backendMoveVerdict(exportOf("kps-removed", MIMIR), exportOf("kps-removed", VM), at);
    assert.equal(v?.refused, true);
    assert.match(
      v.line,
      /^REFUSED metrics backend mimir -> victoriametrics: metricsBackend \(Pulumi\.staging\.yaml:9\) changed from mimir to victoriametrics, where the export ran mimir at kps-removed\. The update removes mimir and starts victoriametrics empty: .* no longer shows in Grafana, and the program copies none of it to victoriametrics\. With kube-prometheus-stack gone, that is every metric the stack has\. Keep the backend: set metricsBackend back to mimir\. To change it, do so at loki-fixed, /,
    );
    assert.ok(v.line.endsWith(`(${BACKEND_MOVE_DOC})`), v.line);
  });

  it("a key the stack file leaves out is named as its default; at dual-write it says what Prometheus still holds", () => {
    const v = backendMoveVerdict(exportOf("dual-write", VM), exportOf("dual-write", MIMIR));
    assert.match(
      v?.line ?? "",
      /metricsBackend \(not set in the stack file, so its default\) changed from victoriametrics to mimir, .* Prometheus still holds what its retention keeps/,
    );
  });

  it("a default the profile changed names profile at its line and both ways to keep the backend, not metricsBackend as set before", () => {
    // The stack-info ConfigMap records the profile (components/stackInfo.ts).
    const withProfile = (exp: StackExport, profile: string): StackExport => {
      const info = {
        type: "kubernetes:core/v1:ConfigMap",
        inputs: { metadata: { name: STACK_INFO_NAME }, data: { profile } },
      };
      exp.deployment.resources.push({
        urn: "urn:pulumi:s::p::kubernetes:core/v1:ConfigMap::stack-info",
        ...info,
      } as unknown as ExportResource);
      return exp;
    };
    const placed = (key: string) => (key === "profile" ? "Pulumi.production.yaml:60" : undefined);
    const v = backendMoveVerdict(
      withProfile(exportOf("dual-write", MIMIR), "standard"),
      withProfile(exportOf("dual-write", VM), "lightweight"),
      placed,
    );
    assert.match(
      v?.line ?? "",
      /^REFUSED metrics backend mimir -> victoriametrics: metricsBackend \(not set in the stack file, so its default, victoriametrics in the lightweight profile: profile \(Pulumi\.production\.yaml:60\) changed from standard to lightweight\) changed from mimir to victoriametrics, /,
    );
    assert.match(
      v?.line ?? "",
      / Keep the backend: set metricsBackend: mimir in the stack file \(the lightweight profile's default is victoriametrics\), or profile back to standard\. To change it, /,
    );
    assert.doesNotMatch(v?.line ?? "", /set metricsBackend back to/);
  });

  it("says which gate waits for the new backend's history by where the update leaves the stack: the default datasource moved with it, or already on the backend, none does", () => {
    const said = (from: string, to: string) =>
      backendMoveVerdict(exportOf(from, MIMIR), exportOf(to, VM))?.line.split(
        " and the program copies none of it to victoriametrics.",
      )[1];
    assert.match(
      said("dual-write", "dual-write") ?? "",
      /^ Prometheus still holds what its retention keeps \(prometheus\.retention\), and the backend-primary gate waits again until victoriametrics holds as much\. Keep/,
    );
    assert.match(
      said("dual-write", "backend-primary") ?? "",
      /^ Prometheus still holds what its retention keeps \(prometheus\.retention\), but this update also moves Grafana's default datasource to victoriametrics, which holds none of it: the backend-primary gate, run with the file at dual-write, judged what mimir holds, and no gate judges what victoriametrics holds\. Keep/,
    );
    assert.match(
      said("backend-primary", "backend-primary") ?? "",
      /^ Prometheus still holds what its retention keeps \(prometheus\.retention\), but Grafana's default datasource reads victoriametrics from this update on, which holds none of it, and no gate waits for it to: the backend-primary gate waits for that history only before the default moves to the backend\. Keep/,
    );
    assert.match(
      said("backend-primary", "kps-removed") ?? "",
      /^ This update removes kube-prometheus-stack too: with it gone, that is every metric the stack has\. Keep/,
    );
  });

  it("a protected resource retained on delete is said as dropped from the stack and kept, one that is not as deleted", () => {
    const also = {
      protected: ["bucket a", "bucket b", "release monitoring/vm"],
      retained: ["bucket a", "bucket b"],
      other: [],
    };
    assert.match(
      backendMoveVerdict(exportOf("dual-write", MIMIR), exportOf("dual-write", VM), at, also)?.line ?? "",
      / It would also delete the protected release monitoring\/vm, which the engine refuses \(pulumi\/pulumi step_generator\.go\)\. It would also drop the protected bucket a and bucket b from the stack \(retained on delete: they are kept where they are, with what they hold\), which the engine refuses for a protected resource \(pulumi\/pulumi step_generator\.go\)\. Each is listed below without a refusal of its own: keeping mimir keeps them\. Keep the backend: /,
    );
  });

  it("says nothing when the export ran no backend, the backend stays, or the new state runs none (back to loki-fixed)", () => {
    assert.equal(backendMoveVerdict(exportOf("loki-fixed"), exportOf("dual-write", VM)), undefined);
    assert.equal(
      backendMoveVerdict(exportOf("dual-write", MIMIR), exportOf("backend-primary", MIMIR)),
      undefined,
    );
    assert.equal(backendMoveVerdict(exportOf("dual-write", MIMIR), exportOf("loki-fixed")), undefined);
  });

  it("the docs have the section the refusal names", () => {
    const [file, anchor] = BACKEND_MOVE_DOC.split("#");
    const doc = fs.readFileSync(path.join(ROOT, file), "utf8");
    assert.match(doc, new RegExp(`^## ${anchor.replace(/-/g, " ")}$`, "im"));
  });
});

/** An export as `pulumi stack export` writes it (ResourceV3: id, parent, protect, provider inputs). */
const P = "urn:pulumi:production::homelab-observability::";
const realExport = (...resources: Partial<ExportResource>[]): StackExport =>
  ({
    version: 3,
    deployment: {
      manifest: { time: "2026-01-01T00:00:00Z", magic: "m", version: "v3.259.0" },
      secrets_providers: { type: "passphrase", state: {} },
      resources: resources.map((r) => ({
        custom: true,
        created: "2026-01-01T00:00:00Z",
        modified: "2026-01-01T00:00:00Z",
        dependencies: [],
        ...r,
      })),
    },
  }) as unknown as StackExport;
const STORE = `${P}homelab:objectstore:ObjectStore::objectstore`;
const VM_COMPONENT = `${P}homelab:metrics:VictoriaMetrics::victoriametrics`;
const bucket = (name: string, parent = STORE): Partial<ExportResource> => ({
  urn: `${P}homelab:objectstore:ObjectStore$minio:index/s3Bucket:S3Bucket::objectstore-${name}`,
  type: "minio:index/s3Bucket:S3Bucket",
  id: name,
  inputs: { bucket: name, acl: "private", forceDestroy: false },
  parent,
  protect: true,
  retainOnDelete: true,
});
const exported = realExport(
  {
    urn: `${P}pulumi:pulumi:Stack::homelab-observability-production`,
    type: "pulumi:pulumi:Stack",
    custom: false,
  },
  { urn: STORE, type: "homelab:objectstore:ObjectStore", custom: false },
  bucket("production-loki-chunks"),
  bucket("production-mimir-blocks"),
  bucket("production-mimir-alertmanager"),
  { urn: VM_COMPONENT, type: "homelab:metrics:VictoriaMetrics", custom: false },
  {
    urn: `${P}homelab:metrics:VictoriaMetrics$kubernetes:helm.sh/v3:Release::victoriametrics`,
    type: "kubernetes:helm.sh/v3:Release",
    id: "monitoring/vm",
    inputs: { name: "vm", namespace: "monitoring", chart: "victoria-metrics-k8s-stack" },
    parent: VM_COMPONENT,
    protect: true,
  },
);

describe("change check: what the old backend's removal alone deletes", () => {
  it("reads a pulumi stack export: the backend component's children by their parent, the plan's buckets by their bucket input", () => {
    const mimir = removedWithBackend(exported, "mimir", [
      "production-mimir-blocks",
      "production-mimir-alertmanager",
    ]);
    assert.deepEqual(
      [...mimir.urns].map((u) => u.split("::").pop()),
      ["objectstore-production-mimir-blocks", "objectstore-production-mimir-alertmanager"],
    );
    assert.deepEqual([...mimir.owners], []);
    const vm = removedWithBackend(exported, "victoriametrics", []);
    assert.deepEqual(
      [...vm.urns].map((u) => u.split("::").pop()),
      ["victoriametrics"],
    );
    assert.deepEqual([...vm.owners], ["release monitoring/vm"]);
  });

  it("a bucket of the plan's name outside the object store is not the backend's", () => {
    const stray = realExport(
      bucket("production-mimir-blocks", VM_COMPONENT.replace("VictoriaMetrics", "Other")),
    );
    assert.equal(removedWithBackend(stray, "mimir", ["production-mimir-blocks"]).urns.size, 0);
  });

  it("folds the protected deletions it names and leaves a refusal of another cause where it is", () => {
    const entry = (e: Partial<ChangeEntry>): ChangeEntry => ({
      action: "delete",
      subject: "x",
      owner: "x",
      why: [],
      refused: [],
      ...e,
    });
    const removed = { urns: new Set([`${P}a`, `${P}b`]), owners: new Set(["release monitoring/vm"]) };
    const report = {
      entries: [
        entry({
          urn: `${P}a`,
          refused: [{ field: "protect", reason: "r", kind: "protected", thing: "bucket a" }],
        }),
        entry({
          urn: `${P}b`,
          subject: "PersistentVolumeClaim::b",
          refused: [{ field: "retainOnDelete", reason: "loses it" }],
        }),
        entry({
          owner: "release monitoring/vm",
          subject: "PersistentVolumeClaim monitoring/c",
          refused: [{ field: "metadata.name", reason: "gone" }],
        }),
        entry({
          urn: `${P}z`,
          refused: [{ field: "protect", reason: "r", kind: "protected", thing: "namespace z" }],
        }),
        entry({
          action: "update",
          owner: "release monitoring/vm",
          refused: [{ field: "spec", reason: "kept" }],
        }),
      ],
      refused: [],
    };
    const { report: left, also } = foldBackendRemoval(report, removed);
    assert.deepEqual(also, {
      protected: ["bucket a"],
      retained: [],
      other: [
        "PersistentVolumeClaim::b retainOnDelete: loses it",
        "PersistentVolumeClaim monitoring/c metadata.name: gone",
      ],
    });
    assert.deepEqual(
      left.refused.map((e) => e.refused[0].reason),
      ["r", "kept"],
    );
    assert.equal(left.entries.length, 5);
  });
});

describe("change check: npm run synth -- --against with the backend swapped", function () {
  this.timeout(180000);

  /** The change check of `stack` from `from` to `to`, with `over` on both sides and `next` on the new one. */
  async function swapped(stack: string, from: Backend, to: typeof from, over = {}, next = {}) {
    const previous = path.join(tmpDir("backend-move"), `${stack}-${from}.json`);
    fs.writeFileSync(previous, JSON.stringify((await synth(stack, { ...over, ...onBackend(from) })).export));
    const r = await synth(stack, { ...over, ...next, ...onBackend(to) });
    return checkChange(ROOT, stack, r, { against: previous });
  }

  /** Only the backend's refusal is printed and counted; the objects' counts line counts it, above them. */
  const oneRefusal = (c: { code: number; refused: number; text: string }, head: RegExp) => {
    assert.equal(c.code, 1, c.text);
    assert.equal(c.refused, 1, c.text);
    assert.match(c.text.split("\n")[1], head, c.text);
    assert.deepEqual(refusedLines(c.text), [], c.text);
    assert.match(c.text, /; 1 refused \(1 stack-wide, above the objects\)/, c.text);
    assert.doesNotMatch(c.text, /pulumi state unprotect/, c.text);
  };

  it("production at dual-write, mimir -> victoriametrics: one refusal, naming Mimir's three protected buckets instead of refusing each", async () => {
    const c = await swapped("production", "mimir", "victoriametrics");
    oneRefusal(c, /^REFUSED metrics backend mimir -> victoriametrics: /);
    assert.match(
      c.text,
      /It would also drop the protected bucket production-mimir-blocks, bucket production-mimir-ruler and bucket production-mimir-alertmanager from the stack \(retained on delete: they are kept where they are, with what they hold\), which the engine refuses for a protected resource \(pulumi\/pulumi step_generator\.go\)\. Each is listed below without a refusal of its own: keeping mimir keeps them\. Keep the backend: /,
    );
    // Still listed, as the deletions they are: retained ones, as `pulumi preview` marks them.
    assert.match(
      c.text,
      /^- {2}delete\[retain\] S3Bucket::objectstore-production-mimir-blocks \(objectstore-production-mimir-blocks\): drops it from the stack and keeps bucket production-mimir-blocks and the objects in it \(retainOnDelete\)$/m,
      c.text,
    );
    assert.match(
      c.text,
      /^- {2}delete\[retain\] Item::secrets-production-mimir-minio \(secrets-production-mimir-minio\): drops it from the stack and keeps 1Password item "/m,
      c.text,
    );
    assert.match(c.text, /^\d+ create, \d+ update, 0 replace, \d+ delete \(4 retained\); 1 refused/m, c.text);
  });

  it("production at dual-write, victoriametrics -> mimir: one refusal, naming VictoriaMetrics' protected release", async () => {
    const c = await swapped("production", "victoriametrics", "mimir");
    oneRefusal(c, /^REFUSED metrics backend victoriametrics -> mimir: /);
    assert.match(
      c.text,
      /It would also delete the protected release monitoring\/vm, which the engine refuses \(pulumi\/pulumi step_generator\.go\)\. It is listed below without a refusal of its own: keeping victoriametrics keeps it\./,
    );
  });

  it("production: a refusal with another cause in the same update stays its own (the Prometheus claim shrunk)", async () => {
    const prometheus = { retention: "14d", volumeSize: "60Gi", keepVolume: true };
    const c = await swapped("production", "mimir", "victoriametrics", {}, { prometheus });
    assert.equal(c.refused, 2, c.text);
    assert.deepEqual(
      refusedLines(c.text).map((l) => l.trim().split(": ")[0]),
      ["REFUSED PersistentVolumeClaim::prometheus-volume spec.resources.requests.storage"],
      c.text,
    );
    assert.match(c.text, /; 2 refused \(1 stack-wide, above the objects\)/, c.text);
  });

  const [one, other] = BACKENDS;
  for (const [from, to] of [
    [one, other],
    [other, one],
  ] as const) {
    it(`staging at kps-removed, ${from} -> ${to}: one refusal, said first, naming nothing else (staging protects nothing)`, async () => {
      const c = await swapped("staging", from, to);
      oneRefusal(c, new RegExp(`^REFUSED metrics backend ${from} -> ${to}: `));
      assert.doesNotMatch(c.text, /It would also/, c.text);
    });

    it(`staging made a production stack, ${from} -> ${to}: one refusal naming what the old backend's removal deletes that is protected`, async () => {
      const c = await swapped("staging", from, to, { production: true });
      oneRefusal(c, new RegExp(`^REFUSED metrics backend ${from} -> ${to}: `));
      assert.match(
        c.text,
        /With kube-prometheus-stack gone, that is every metric the stack has\. It would also (delete|drop) the protected /,
        c.text,
      );
    });
  }
});
