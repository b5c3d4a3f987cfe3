import { strict as assert } from "assert";
import { planChange, type StackState } from "../../change/change";
import { lokiMoveRefusals, TRANSITIONAL } from "../../change/lokiMode";
import type { RenderedObject } from "../../synth/render/types";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const LOKI_URN = `urn:pulumi:production::homelab-observability::${RELEASE}::loki`;

/** A StatefulSet of release monitoring/loki holding a claim template (its data). */
const sts = (name: string): RenderedObject => ({
  apiVersion: "apps/v1",
  kind: "StatefulSet",
  metadata: { name, namespace: "monitoring" },
  spec: {
    selector: { matchLabels: { app: name } },
    volumeClaimTemplates: [
      { metadata: { name: "storage" }, spec: { resources: { requests: { storage: "10Gi" } } } },
    ],
  },
});

function state(values: Record<string, unknown>, names: string[]): StackState {
  const release = { name: "loki", namespace: "monitoring", chart: "loki", version: "18.11.0", source: "" };
  return {
    export: {
      deployment: {
        resources: [
          {
            urn: LOKI_URN,
            custom: true,
            type: RELEASE,
            inputs: { name: "loki", namespace: "monitoring", chart: "loki", version: "18.11.0", values },
          },
        ],
      },
    } as any,
    objects: names.map((n) => ({ object: sts(n), resourceUrn: LOKI_URN, release })),
    imports: {},
    ignoreChanges: {},
  };
}

describe("Loki's move off SimpleScalable, the steps the change check refuses (audit 16)", () => {
  it('refuses "Monolithic" while write pods still run in the transitional mode, naming the step to take first', () => {
    const refused = lokiMoveRefusals(
      { mode: TRANSITIONAL, monolithic: 3, write: 1 },
      { mode: "Monolithic", monolithic: 3, write: 0 },
    );
    assert.equal(refused.length, 1, "one refusal for one mistake");
    assert.equal(refused[0].field, "values.deploymentMode");
    assert.match(refused[0].reason, /while 1 write pod\(s\) still run/);
    assert.match(refused[0].reason, /Lower loki\.write by one per update down to 0 first/);
    assert.match(refused[0].reason, /--gate loki-monolithic/);
    // The step the docs take: write 0, then Monolithic.
    assert.deepEqual(
      lokiMoveRefusals(
        { mode: TRANSITIONAL, monolithic: 3, write: 0 },
        { mode: "Monolithic", monolithic: 3, write: 0 },
      ),
      [],
    );
  });

  it("says SimpleScalable -> Monolithic once: the write and backend StatefulSets it deletes are named in that refusal, not refused as renames", () => {
    const before = state({ deploymentMode: "SimpleScalable", write: { replicas: 3 } }, [
      "loki-write",
      "loki-backend",
    ]);
    const after = state({ deploymentMode: "Monolithic", singleBinary: { replicas: 3 } }, ["loki"]);
    const report = planChange(before, after);
    assert.deepEqual(
      report.refused.map((e) => e.subject),
      ["Release::loki"],
      JSON.stringify(report.refused, null, 1),
    );
    const [r] = report.refused[0].refused;
    assert.match(
      r.reason,
      /straight to "Monolithic".*; the same update deletes StatefulSet monitoring\/loki-write and StatefulSet monitoring\/loki-backend, whose claims stay behind, unused \(docs\/how-to\/loki-off-simple-scalable\.md\)$/,
    );
    // The deletions are still listed.
    assert.equal(
      report.entries.filter((e) => e.action === "delete" && e.subject.startsWith("StatefulSet")).length,
      2,
    );
  });

  it("finds the renames it folds by their kind: a write StatefulSet whose deletion deletes its claims keeps only that refusal, named in the move's", () => {
    const before = state({ deploymentMode: "SimpleScalable", write: { replicas: 3 } }, [
      "loki-write",
      "loki-backend",
    ]);
    before.objects[0].object.spec.persistentVolumeClaimRetentionPolicy = { whenDeleted: "Delete" };
    const after = state({ deploymentMode: "Monolithic", singleBinary: { replicas: 3 } }, ["loki"]);
    const report = planChange(before, after);
    const said = report.refused.map((e) => `${e.subject}: ${e.refused.map((r) => r.field).join(" | ")}`);
    assert.deepEqual(said, [
      "Release::loki: values.deploymentMode",
      "StatefulSet monitoring/loki-write: spec.persistentVolumeClaimRetentionPolicy.whenDeleted",
    ]);
    assert.match(
      report.refused[0].refused[0].reason,
      /; the same update deletes StatefulSet monitoring\/loki-backend, whose claims stay behind, unused, and StatefulSet monitoring\/loki-write, whose claims go with it \(refused on its own\) \(docs\/how-to\/loki-off-simple-scalable\.md\)$/,
    );
    assert.ok(report.refused.every((e) => e.refused.every((r) => r.kind !== "rename")));
  });
});

describe("Loki's move off SimpleScalable: each refusal names the stack key to mend and its line (hLoki audit)", () => {
  // The refusal sits on Release::loki's values, but the operator edits loki.mode or loki.write in
  // the stack file: the message names that key and its file:line, as the other change refusals do.
  const at = (key: string) =>
    ({ "loki.mode": "Pulumi.production.yaml:40", "loki.write": "Pulumi.production.yaml:41" })[key];
  it("names loki.mode at its line for a jump straight to Monolithic", () => {
    const refused = lokiMoveRefusals(
      { mode: "SimpleScalable", monolithic: 0, write: 3 },
      { mode: "Monolithic", monolithic: 3, write: 0 },
      at,
    );
    assert.equal(refused.length, 1);
    assert.match(refused[0].reason, /^loki\.mode \(Pulumi\.production\.yaml:40\): /);
  });
  it("names loki.write at its line for two write pods leaving in one update", () => {
    const refused = lokiMoveRefusals(
      { mode: TRANSITIONAL, monolithic: 3, write: 3 },
      { mode: TRANSITIONAL, monolithic: 3, write: 1 },
      at,
    );
    assert.equal(refused.length, 1);
    assert.match(
      refused[0].reason,
      /^loki\.write \(Pulumi\.production\.yaml:41\): removes 2 write pods at once/,
    );
  });
  it("passes the stack file's places through planChange", () => {
    const before = state({ deploymentMode: "SimpleScalable", write: { replicas: 3 } }, []);
    const after = state({ deploymentMode: "Monolithic", singleBinary: { replicas: 3 } }, []);
    const [entry] = planChange(before, after, at).refused;
    assert.match(entry.refused[0].reason, /^loki\.mode \(Pulumi\.production\.yaml:40\): a jump/);
  });
});
