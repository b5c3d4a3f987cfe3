/**
 * The pods prometheus-operator makes of a Prometheus: `replicas` in each of its shards' StatefulSets
 * (contract prometheusShards, read at prometheus-operator v0.93.0), counted by the budget from the
 * rendered CR (the synthesis) and from kube-prometheus-stack's values (a live preview's opaque release).
 */
import { strict as assert } from "assert";
import { prometheusShards } from "@homelab-observability/contract";
import { workloadsOf, type Workload } from "../../policy/lib/workloads";
import type { Res } from "../../policy/lib/resources";

const SET = { requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "64Mi" } };

/** The workloads of a rendered Prometheus with `spec`. */
const ofCr = (spec: Record<string, unknown>): Workload[] =>
  workloadsOf({
    type: "kubernetes:monitoring.coreos.com/v1:Prometheus",
    urn: "urn:pulumi:s::p::kubernetes:helm.sh/v3:Release$kubernetes:monitoring.coreos.com/v1:Prometheus::kps/monitoring/kps-prometheus",
    name: "kps-prometheus",
    props: {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "Prometheus",
      metadata: { name: "kps-prometheus", namespace: "monitoring" },
      spec: { image: "quay.io/prometheus/prometheus:v3.5.0", resources: SET, ...spec },
    },
  });

/** kube-prometheus-stack's Prometheus from `prometheusSpec`, the release opaque (a live preview). */
const ofValues = (prometheusSpec: Record<string, unknown>): Workload[] => {
  const release: Res = {
    type: "kubernetes:helm.sh/v3:Release",
    urn: "urn:pulumi:s::p::kubernetes:helm.sh/v3:Release::kps",
    name: "kps",
    props: {
      chart: "kube-prometheus-stack",
      name: "kps",
      values: { prometheus: { prometheusSpec: { resources: SET, ...prometheusSpec } } },
    },
  };
  return workloadsOf(release).filter((w) => w.objectKind === "Prometheus");
};

describe("policy (workloads): the pods prometheus-operator makes of a sharded Prometheus (v0.93.0)", () => {
  it("counts every shard: shards StatefulSets of replicas pods each, from the rendered CR and from the values", () => {
    const [w] = ofCr({ replicas: 2, shards: 3 });
    assert.equal(w.replicas, 6);
    const [fromValues] = ofValues({ replicas: 2, shards: 3 });
    assert.equal(fromValues.replicas, 6);
    // The chart prints shards unquoted (templates/prometheus/prometheus.yaml:97): "3" runs 3.
    assert.equal(ofValues({ replicas: 2, shards: "3" })[0].replicas, 6);
  });

  it("counts one shard where shards is unset, 1, 0, negative, null or no whole number, as the operator does", () => {
    for (const shards of [undefined, 1, 0, -2, null, 2.5, "x"]) {
      assert.equal(prometheusShards(shards), 1, String(shards));
      assert.equal(
        ofCr({ replicas: 2, ...(shards === undefined ? {} : { shards }) })[0].replicas,
        2,
        String(shards),
      );
    }
  });
});
