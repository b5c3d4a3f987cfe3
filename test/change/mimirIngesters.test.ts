import { strict as assert } from "assert";
import { planChange } from "../../change/change";
import { updateChange } from "../../change/takeover";
import { mimirTargetArg, MIMIR_CONFIG_MAP } from "../../builders/metrics/mimirValues";
import { mimirName, type MimirTarget } from "../../model/services";
import type { RunningState } from "../../model/running";
import type { ExportResource, SynthResult } from "../../synth/synthesize";
import { stackState } from "../support/changeStates";

const URN = "urn:pulumi:s::homelab-observability::homelab:metrics:Mimir$kubernetes:apps/v1:StatefulSet::";
const at = (key: string) => ({ "mimir.replicas": "Pulumi.s.yaml:14" })[key];

/** A Mimir StatefulSet as the program writes it: its group's `-target` list and `replicas` pods. */
const mimirSts = (target: MimirTarget, replicas: number): ExportResource => ({
  urn: `${URN}${mimirName(target)}`,
  custom: true,
  type: "kubernetes:apps/v1:StatefulSet",
  inputs: {
    metadata: { name: mimirName(target), namespace: "monitoring" },
    spec: {
      replicas,
      podManagementPolicy: "Parallel",
      serviceName: "mimir-gossip",
      selector: { matchLabels: { app: target } },
      template: {
        spec: {
          containers: [{ name: "mimir", image: "grafana/mimir:3.0.0", args: [mimirTargetArg(target)] }],
        },
      },
    },
  },
  outputs: {},
});
/** Mimir's ConfigMap with the ingester ring's replication factor. */
const mimirConfig = (rf: number): ExportResource => ({
  urn: "urn:pulumi:s::homelab-observability::kubernetes:core/v1:ConfigMap::mimir-config",
  custom: true,
  type: "kubernetes:core/v1:ConfigMap",
  inputs: {
    metadata: { name: MIMIR_CONFIG_MAP, namespace: "monitoring" },
    data: { "mimir.yaml": `ingester:\n  ring:\n    replication_factor: ${rf}\n` },
  },
  outputs: {},
});
const refusalsOf = (before: ExportResource[], after: ExportResource[]) =>
  planChange(stackState(before), stackState(after), at).refused.flatMap((e) =>
    e.refused.map((r) => ({ subject: e.subject, ...r })),
  );

describe("change check: Mimir ingesters leaving in one update", () => {
  it("refuses mimir.replicas lowered by more than one, naming its line, both counts, what is hidden and the procedure", () => {
    const found = refusalsOf([mimirSts("all", 5), mimirConfig(3)], [mimirSts("all", 2), mimirConfig(3)]);
    assert.equal(found.length, 1, JSON.stringify(found));
    const [r] = found;
    assert.equal(r.subject, "StatefulSet::mimir");
    assert.equal(r.field, "spec.replicas");
    assert.match(
      r.reason,
      /^mimir\.replicas \(Pulumi\.s\.yaml:14\): removes 3 Mimir ingesters at once \(StatefulSet monitoring\/mimir 5 -> 2\)/,
    );
    assert.match(r.reason, /flush_blocks_on_shutdown defaults to false/);
    assert.match(
      r.reason,
      /replication factor 3 \(ingester\.ring\.replication_factor in ConfigMap mimir-config\)/,
    );
    assert.match(r.reason, /no copy left in the ring/);
    assert.match(r.reason, /Lower mimir\.replicas by one per update/);
    assert.match(r.reason, /\/ingester\/prepare-instance-ring-downscale.*\/ingester\/shutdown/);
  });

  it("passes one ingester leaving per update, and more coming", () => {
    assert.deepEqual(refusalsOf([mimirSts("all", 3)], [mimirSts("all", 2)]), []);
    assert.deepEqual(refusalsOf([mimirSts("all", 3)], [mimirSts("all", 6)]), []);
  });

  it("refuses two write pods leaving at once, and says queries may be partial below the replication factor", () => {
    const found = refusalsOf(
      [mimirSts("write", 6), mimirSts("backend", 3), mimirConfig(3)],
      [mimirSts("write", 4), mimirSts("backend", 1), mimirConfig(3)],
    );
    // The backend group runs no ingester: only the write group's change is judged.
    assert.deepEqual(
      found.map((r) => r.subject),
      ["StatefulSet::mimir-write"],
    );
    assert.match(
      found[0].reason,
      /removes 2 Mimir ingesters at once \(StatefulSet monitoring\/mimir-write 6 -> 4\)/,
    );
    assert.match(found[0].reason, /no stack key sets it directly/);
    assert.match(found[0].reason, /queries might return partial results/);
  });

  it("refuses in the first update a running count someone raised, naming the running count, the planned one and the key to keep it", async () => {
    const planned = [mimirSts("all", 3), mimirConfig(3)];
    const live = (n: number) => ({
      ...mimirSts("all", n).inputs,
      apiVersion: "apps/v1",
      kind: "StatefulSet",
    });
    const running = (n: number): RunningState => ({
      dir: "running",
      releases: [],
      statefulSets: [live(n)],
      pvcs: [],
    });
    const update = {
      export: stackState(planned).export,
      imports: [],
      reads: [],
      outputs: {},
      secretDataKeys: {},
      warnings: [],
    } as SynthResult;
    const scaled = await updateChange(update, running(5), { at });
    const refused = scaled.refused.flatMap((e) => e.refused.map((r) => ({ subject: e.subject, ...r })));
    assert.equal(refused.length, 1, JSON.stringify(refused));
    assert.equal(refused[0].subject, "StatefulSet monitoring/mimir");
    assert.match(
      refused[0].reason,
      /^mimir\.replicas \(Pulumi\.s\.yaml:14\): removes 2 Mimir ingesters at once \(StatefulSet monitoring\/mimir runs 5 \(running\/statefulsets\.yaml\) where the program plans 3: it was scaled above the program's count \(kubectl scale\); to keep 5, set mimir\.replicas: 5\)/,
    );
    // One above the program's count is one ingester leaving: allowed.
    assert.deepEqual((await updateChange(update, running(4), { at })).refused, []);
  });
});
