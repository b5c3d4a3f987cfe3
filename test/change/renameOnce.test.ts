import { strict as assert } from "assert";
import { formatChange, planChange, refusalCount, type StackState } from "../../change/change";
import type { RenderedObject, StackObject } from "../../synth/render/types";
import type { ExportResource } from "../../synth/synthesize";

// One message per mistake (issue 51 item 3): an object Helm deletes because it was renamed is one
// mistake, the rename, however many ways its deletion loses data: one REFUSED line naming the old
// name and the new, what is lost, and the fix.

const URN = "urn:pulumi:s::homelab-observability::kubernetes:helm.sh/v3:Release::loki";
const release: ExportResource = {
  urn: URN,
  custom: true,
  type: "kubernetes:helm.sh/v3:Release",
  inputs: { name: "loki", namespace: "monitoring", chart: "loki", version: "1.0.0", values: {} },
  outputs: {},
};
const placed = (object: RenderedObject): StackObject => ({
  object,
  resourceUrn: URN,
  release: { name: "loki", namespace: "monitoring", chart: "loki", version: "1.0.0", source: "" },
});
const state = (objects: RenderedObject[]): StackState => ({
  export: { version: 3, deployment: { manifest: {}, resources: [release] } } as any,
  objects: objects.map(placed),
});
const sts = (name: string, whenDeleted?: string): RenderedObject => ({
  apiVersion: "apps/v1",
  kind: "StatefulSet",
  metadata: { name, namespace: "monitoring" },
  spec: {
    selector: { matchLabels: { app: name } },
    ...(whenDeleted ? { persistentVolumeClaimRetentionPolicy: { whenDeleted } } : {}),
    volumeClaimTemplates: [
      { metadata: { name: "storage" }, spec: { resources: { requests: { storage: "10Gi" } } } },
    ],
  },
});
const pvc = (name: string, keep = false): RenderedObject => ({
  apiVersion: "v1",
  kind: "PersistentVolumeClaim",
  metadata: {
    name,
    namespace: "monitoring",
    ...(keep ? { annotations: { "helm.sh/resource-policy": "keep" } } : {}),
  },
  spec: { resources: { requests: { storage: "10Gi" } } },
});
const refusedLines = (before: RenderedObject[], after: RenderedObject[]) => {
  const report = planChange(state(before), state(after));
  const lines = formatChange(report)
    .split("\n")
    .filter((l) => l.includes("REFUSED"));
  return { report, lines };
};

describe("change: an object Helm deletes and renames is one refusal (issue 51 item 3)", () => {
  it("says a StatefulSet renamed whose deletion deletes its claims once: old and new name, the claims lost, the fix", () => {
    const { report, lines } = refusedLines([sts("loki-write", "Delete")], [sts("loki-writer", "Delete")]);
    assert.equal(lines.length, 1, lines.join("\n"));
    assert.equal(refusalCount(report), 1);
    const [line] = lines;
    assert.match(
      line,
      /REFUSED StatefulSet monitoring\/loki-write metadata\.name, spec\.persistentVolumeClaimRetentionPolicy\.whenDeleted: /,
    );
    assert.match(line, /renamed to StatefulSet monitoring\/loki-writer/);
    assert.match(line, /deletes its claims \(retention policy whenDeleted: Delete\)/);
    assert.match(line, /the new one starts empty/);
    assert.match(line, /keep the old name/);
    assert.equal(report.refused[0].refused[0].kind, "rename");
  });

  it("says a claim renamed that Helm deletes with its data once", () => {
    const { report, lines } = refusedLines([pvc("loki-data")], [pvc("loki-data-0")]);
    assert.equal(lines.length, 1, lines.join("\n"));
    assert.equal(refusalCount(report), 1);
    const [line] = lines;
    assert.match(
      line,
      /REFUSED PersistentVolumeClaim monitoring\/loki-data metadata\.name: renamed to PersistentVolumeClaim monitoring\/loki-data-0/,
    );
    assert.match(line, /Helm deletes the old claim with its data \(no helm\.sh\/resource-policy: keep\)/);
    assert.match(line, /the new one starts empty/);
    assert.match(line, /keep the old name/);
  });

  it("says a kept claim renamed stays behind, unused; a claim deleted with no twin is refused for its data alone", () => {
    const kept = refusedLines([pvc("loki-data", true)], [pvc("loki-data-0")]);
    assert.equal(kept.lines.length, 1, kept.lines.join("\n"));
    assert.match(
      kept.lines[0],
      /renamed to PersistentVolumeClaim monitoring\/loki-data-0: the old claim stays behind \(helm\.sh\/resource-policy: keep\), unused/,
    );
    const gone = refusedLines([pvc("loki-data")], []);
    assert.equal(gone.lines.length, 1);
    assert.match(gone.lines[0], /metadata\.name: Helm deletes the claim with its data/);
    assert.equal(gone.report.refused[0].refused[0].kind, undefined);
  });

  it("two StatefulSets renamed at once (nameOverride: loki-write, loki-backend -> logs-write, logs-backend) each name their own new name", () => {
    // The created list in the render's order: backend first, as the loki chart's templates sort.
    const { lines } = refusedLines(
      [sts("loki-backend"), sts("loki-write")],
      [sts("logs-backend"), sts("logs-write")],
    );
    assert.equal(lines.length, 2, lines.join("\n"));
    assert.match(
      lines[0],
      /REFUSED StatefulSet monitoring\/loki-backend metadata\.name: renamed to StatefulSet monitoring\/logs-backend:/,
    );
    assert.match(
      lines[1],
      /REFUSED StatefulSet monitoring\/loki-write metadata\.name: renamed to StatefulSet monitoring\/logs-write:/,
    );
  });

  it("a StatefulSet replaced by several equally like it (ingester -> ingester-zone-a/b/c) names them all, not a rename to the first", () => {
    // chartValues.loki.ingester.zoneAwareReplication.enabled: true on a Distributed Loki deletes
    // loki-ingester and creates one StatefulSet per zone: no one of them is what it was renamed to.
    const zones = ["a", "b", "c"].map((z) => `loki-ingester-zone-${z}`);
    const { report, lines } = refusedLines(
      [sts("loki-ingester")],
      zones.map((n) => sts(n)),
    );
    assert.equal(lines.length, 1, lines.join("\n"));
    assert.doesNotMatch(lines[0], /renamed to/);
    assert.match(
      lines[0],
      /REFUSED StatefulSet monitoring\/loki-ingester metadata\.name: replaced by StatefulSet monitoring\/loki-ingester-zone-a, StatefulSet monitoring\/loki-ingester-zone-b and StatefulSet monitoring\/loki-ingester-zone-c: its claims stay behind, unused, and the new ones start empty; /,
    );
    assert.doesNotMatch(lines[0], /keep the old name/);
    assert.equal(report.refused[0].refused[0].kind, "rename");
  });
});
