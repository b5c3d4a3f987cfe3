/**
 * Zone-aware Loki ingesters in the pack's chart model (a live preview's opaque release): loki
 * 18.11.0 runs three zones' StatefulSets of ceil(replicas / 3) pods each in place of the one, and
 * the one beside them while migrating (contract ChartZones, run with helm 3.17.3). The budget
 * counted `ingester.replicas` pods: 4 where 6 run.
 */
import { strict as assert } from "assert";
import { workloadsOf } from "../../policy/lib/workloads";
import type { Res } from "../../policy/lib/resources";

/** The ingester pods the pack counts of a Distributed loki release with `ingester` values. */
const ingesters = (ingester: Record<string, unknown>): number[] => {
  const release: Res = {
    type: "kubernetes:helm.sh/v3:Release",
    urn: "urn:pulumi:s::p::kubernetes:helm.sh/v3:Release::loki",
    name: "loki",
    props: { chart: "loki", name: "loki", values: { deploymentMode: "Distributed", ingester } },
  };
  return workloadsOf(release)
    .filter((w) => w.name === "loki/ingester")
    .map((w) => w.replicas);
};

describe("policy (workloads): zone-aware Loki ingesters are counted as the chart runs them", () => {
  it("counts three zones of ceil(replicas / 3), the chart's default, and the one StatefulSet while migrating", () => {
    assert.deepEqual(ingesters({ replicas: 4 }), [6], "zones on by the chart's default");
    assert.deepEqual(ingesters({ replicas: 7, zoneAwareReplication: { enabled: true } }), [9]);
    assert.deepEqual(
      ingesters({ replicas: 4, zoneAwareReplication: { enabled: true, migration: { enabled: true } } }),
      [10],
    );
  });

  it("counts replicas as they are with the zones off, as the program writes them", () => {
    assert.deepEqual(ingesters({ replicas: 4, zoneAwareReplication: { enabled: false } }), [4]);
  });
});
