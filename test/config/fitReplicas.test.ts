import { strict as assert } from "assert";
import { SIZED_REPLICAS } from "@homelab-observability/contract";
import { chartReplicas, planSizing, sizedValuesPath } from "../../config/sizing";
import { valueAt } from "../../config/tree";
import { planStack } from "../../plan/plan";
import { lokiValues } from "../../builders/logging/lokiValues";
import { kpsValues } from "../../builders/metrics/kpsValues";
import { vmValues } from "../../builders/metrics/vmValues";
import { config, configProblems as problems } from "../support/helpers";

/*
 * A `chartValues` replica count replaces the program's (the chart reads it: contract
 * SIZED_REPLICAS), and that many pods run. The config's fit checks counted the program's: three
 * vmstorage pods set that way on nodes holding two were sized and placed as two, accepted, and the
 * third stayed Pending.
 */

/** The program's values of each chart that runs a sized component, by chart name. */
function chartValuesOf(over: Record<string, unknown>): Record<string, any> {
  const plan = planStack(config(over));
  const kps = plan.kubePrometheusStack?.inputs.settings;
  const vm = plan.victoriaMetrics?.inputs.settings;
  return {
    loki: lokiValues(plan.loki.inputs.settings),
    ...(kps ? { "kube-prometheus-stack": kpsValues(kps) } : {}),
    ...(vm ? { "victoria-metrics-k8s-stack": vmValues(vm) } : {}),
  };
}

const POOLS = [{ name: "workers", arch: "amd64", count: 3, cpu: "4", memory: "4Gi" }];

describe("config: SIZED_REPLICAS is where the builders write each sized component's replica count", () => {
  const stacks: [string, Record<string, unknown>][] = [
    [
      "Prometheus and Distributed Loki",
      { phase: "dual-write", loki: { mode: "Distributed" }, workload: { activeSeries: 200_000 } },
    ],
    ["Loki SimpleScalable", { phase: "kps-removed", loki: { mode: "SimpleScalable" } }],
    ["monolithic Loki", { phase: "kps-removed", metricsBackend: "victoriametrics" }],
    [
      "a VMCluster",
      {
        phase: "kps-removed",
        metricsBackend: "victoriametrics",
        workload: { activeSeries: 3_000_000 },
        nodePools: [{ ...POOLS[0], count: 6 }],
      },
    ],
  ];
  for (const [title, over] of stacks)
    it(`${title}: each sized component's count is at its path, vmsingle and Mimir at none`, () => {
      const values = chartValuesOf(over);
      for (const c of planSizing(config(over)).components) {
        const row = SIZED_REPLICAS[c.component];
        if (c.component === "vmsingle" || c.component.startsWith("mimir")) {
          assert.equal(row, undefined, c.component);
          continue;
        }
        assert.ok(row, c.component);
        const chart = sizedValuesPath(c.component)!.chart;
        assert.equal(
          valueAt(values[chart], row.path.split(".")),
          c.replicas,
          `${c.component} at ${row.path}`,
        );
      }
    });
});

const pools = (memory: string, count = 3) => [{ name: "workers", arch: "amd64", count, cpu: "4", memory }];
const VM = "victoria-metrics-k8s-stack";
const VM_CLUSTER = {
  phase: "kps-removed",
  metricsBackend: "victoriametrics",
  workload: { activeSeries: 3_000_000 },
  nodePools: pools("4Gi", 6),
};
const vmstorage = (replicaCount: unknown) => ({
  [VM]: { vmcluster: { spec: { vmstorage: { replicaCount } } } },
});
const PROMETHEUS = { phase: "dual-write", workload: { activeSeries: 1_000_000 }, nodePools: pools("16Gi") };
const prometheus = (replicas: unknown) => ({
  "kube-prometheus-stack": { prometheus: { prometheusSpec: { replicas } } },
});
// 6500Mi: the share holds a fourth ingester beside the other pods (the pack's sum counts them all,
// test/config/sharePods.test.ts), so "at most" is the nodes' cap where the chart keeps one a node.
const DISTRIBUTED = { phase: "kps-removed", loki: { mode: "Distributed" }, nodePools: pools("6500Mi") };
const MONOLITHIC = {
  phase: "kps-removed",
  metricsBackend: "victoriametrics",
  workload: { logsPerDay: "20GB" },
  // 4Gi: three 2GiB single binaries, vmsingle's 2GiB and the other pods request 9755Mi (the
  // pack's sum too, test/config/sharePods.test.ts), 79.4% of them; 3Gi nodes are past the share.
  nodePools: pools("4Gi"),
};

describe("config: a chartValues replica count is counted as the chart runs it", () => {
  it("accepts each stack at the program's counts", () => {
    for (const over of [VM_CLUSTER, PROMETHEUS, DISTRIBUTED, MONOLITHIC])
      assert.deepEqual(problems(over), []);
  });

  it("refuses vmstorage pods past the nodes, at the override's key: expected at most, got", () => {
    const p = problems({ ...VM_CLUSTER, chartValues: vmstorage(7) });
    assert.deepEqual(p, [
      `homelab-observability:chartValues.${VM}.vmcluster.spec.vmstorage.replicaCount: expected at most 6, the vmstorage pods the node pools hold side by side (each requests 2.9GiB of memory, sized for 3000000 series (workload.activeSeries)); got 7`,
    ]);
  });

  it("refuses Prometheus replicas past the nodes (prometheus.prometheusSpec.replicas)", () => {
    const p = problems({ ...PROMETHEUS, chartValues: prometheus(7) });
    assert.equal(p.length, 1, p.join("\n"));
    assert.match(
      p[0],
      /^homelab-observability:chartValues\.kube-prometheus-stack\.prometheus\.prometheusSpec\.replicas: expected at most 6, .*; got 7$/,
    );
  });

  it("counts a Prometheus's shards, replicas pods in each (prometheus-operator), and names prometheusSpec.shards", () => {
    // 20 shards of one pod passed this check and only the pack refused the render, naming no key.
    const shards = (n: unknown, replicas?: number) => ({
      "kube-prometheus-stack": {
        prometheus: { prometheusSpec: { shards: n, ...(replicas ? { replicas } : {}) } },
      },
    });
    const key =
      /^homelab-observability:chartValues\.kube-prometheus-stack\.prometheus\.prometheusSpec\.shards: /;
    const one = problems({ ...PROMETHEUS, chartValues: shards(7) });
    assert.equal(one.length, 1, one.join("\n"));
    assert.match(one[0], key);
    assert.match(
      one[0],
      /: expected at most 6 shards of 1 pod each, 6 pods, the prometheus pods .*; got 7, 7 pods$/,
    );
    const two = problems({ ...PROMETHEUS, chartValues: shards(4, 2) });
    assert.equal(two.length, 1, two.join("\n"));
    assert.match(two[0], /\.shards: expected at most 3 shards of 2 pods each, 6 pods, .*; got 4, 8 pods$/);
    // Past the pools' share but within the slots: the share line, at the shards key too.
    const share = problems({ ...PROMETHEUS, chartValues: shards(6) });
    assert.equal(share.length, 1, share.join("\n"));
    assert.match(share[0], key);
    assert.match(
      share[0],
      /: expected at most 2 shards of 1 pod each, 2 pods \(7\.8GiB of memory each, .*; got 6, 6 pods, .*prometheus 6x7\.8GiB \(chartValues\.kube-prometheus-stack\.prometheus\.prometheusSpec\.shards\)/,
    );
    // The chart prints shards unquoted: "3" runs 3, as the pack counts it (contract chartCopies).
    const c = planSizing(config(PROMETHEUS)).components.find((x) => x.component === "prometheus")!;
    assert.deepEqual(chartReplicas({ chartValues: shards("3", 2) }, c), {
      replicas: 6,
      key: "chartValues.kube-prometheus-stack.prometheus.prometheusSpec.shards",
      per: 2,
    });
    for (const n of [1, 0, null])
      assert.deepEqual(chartReplicas({ chartValues: shards(n) }, c), { replicas: 1 });
    assert.deepEqual(problems({ ...PROMETHEUS, chartValues: shards(1) }), []);
  });

  it("refuses Loki ingesters past the pools' share, at the override's key, with the most that run (no more than the nodes: hard node anti-affinity)", () => {
    const p = problems({ ...DISTRIBUTED, chartValues: { loki: { ingester: { replicas: 9 } } } });
    assert.equal(p.length, 1, p.join("\n"));
    assert.match(
      p[0],
      /^homelab-observability:chartValues\.loki\.ingester\.replicas: expected at most 3 \(the nodes of nodePools it runs on: the chart keeps each loki ingester pod on a node of its own, hard node anti-affinity at ingester\.affinity\) loki ingester pods \(1GiB of memory each, .*; got 9, .*loki ingester 9x1GiB \(chartValues\.loki\.ingester\.replicas\).*above 80% of the node pools' 19GiB; at the program's replica counts they request 13\.8GiB$/,
    );
  });

  it("keeps the node cap where Helm merges an affinity map into the chart's, drops it where the term is gone", () => {
    // Run with helm 3.17.3 (loki 18.11.0): `ingester.affinity: {}` or `{nodeAffinity: ...}` still
    // renders the required anti-affinity; `podAntiAffinity: null` renders none; zone-aware
    // ingesters keep only the zones apart. "at most 4" said for the first two, where 3 run.
    const most = (ingester: Record<string, unknown>) => {
      const p = problems({
        ...DISTRIBUTED,
        chartValues: { loki: { ingester: { replicas: 9, ...ingester } } },
      });
      assert.equal(p.length, 1, p.join("\n"));
      return /expected at most (\d+)( \(the nodes of nodePools)?/.exec(p[0])?.slice(1, 3).join("");
    };
    assert.equal(most({ affinity: {} }), "3 (the nodes of nodePools");
    assert.equal(most({ affinity: { nodeAffinity: { x: 1 } } }), "3 (the nodes of nodePools");
    assert.equal(most({ affinity: { podAntiAffinity: null } }), "4");
    assert.equal(most({ affinity: null }), "4");
    // Zone-aware: no node cap, and the most is in replicas whose zones' pods fit (4 would run 6).
    assert.equal(most({ zoneAwareReplication: { enabled: true } }), "3");
    // A null deletes the program's `false`: the chart's default runs the zones.
    assert.equal(most({ zoneAwareReplication: null }), "3");
  });

  it("counts zone-aware ingesters as the chart runs them: three zones of ceil(replicas / 3), the one StatefulSet beside them while migrating", () => {
    // Run with helm 3.17.3, loki 18.11.0 (contract ChartZones): 1-3 run 3, 4-5 run 6, 7 runs 9.
    const c = planSizing(config(DISTRIBUTED)).components.find((x) => x.component === "loki ingester")!;
    const run = (ingester: Record<string, unknown>, replicas = c.replicas) =>
      chartReplicas({ chartValues: { loki: { ingester } } }, { ...c, replicas });
    const zoned = (replicas: number, more: Record<string, unknown> = {}) =>
      run({ replicas, zoneAwareReplication: { enabled: true, ...more } }).replicas;
    assert.deepEqual(
      [1, 2, 3, 4, 5, 7, 0].map((n) => zoned(n)),
      [3, 3, 3, 6, 6, 9, 0],
    );
    assert.equal(zoned(4, { migration: { enabled: true } }), 10);
    assert.equal(run({ replicas: 4 }).replicas, 4, "the program turns the zones off");
    // A null deletes the program's `false`: the chart's default, on.
    assert.equal(run({ replicas: 4, zoneAwareReplication: null }).replicas, 6);
    // The program's count, rounded up to the zones, is named at the switch that turns them on.
    const program = run({ zoneAwareReplication: { enabled: true } }, 4);
    assert.equal(program.replicas, 6);
    assert.equal(program.key, "chartValues.loki.ingester.zoneAwareReplication.enabled");
    const p = problems({
      ...DISTRIBUTED,
      chartValues: { loki: { ingester: { replicas: 4, zoneAwareReplication: { enabled: true } } } },
    });
    assert.equal(p.length, 1, p.join("\n"));
    assert.match(
      p[0],
      /^homelab-observability:chartValues\.loki\.ingester\.replicas: expected at most 3 replicas \(the chart runs them zone-aware, in 3 zones of a third of the replicas each, rounded up: 3 pods\) \(1GiB of memory each, .*; got 4, 6 pods, .*loki ingester 6x1GiB/,
    );
  });

  it("says why zone-aware ingesters need three nodes: the zones' own anti-affinity, not ingester.affinity", () => {
    // Run, helm 3.17.3 over loki 18.11.0: each zone's pods select rollout-group ingester with a
    // name NotIn their own zone's (templates/_pod.tpl:87-101), so two nodes leave a zone Pending.
    const two = { ...DISTRIBUTED, nodePools: pools("6Gi", 2) };
    const zoned = problems({
      ...two,
      chartValues: { loki: { ingester: { zoneAwareReplication: { enabled: true } } } },
    });
    assert.equal(zoned.length, 1, zoned.join("\n"));
    assert.match(
      zoned[0],
      /^homelab-observability:loki\.mode: "Distributed" runs at least 3 ingesters on distinct nodes \(replication factor 3; zone-aware, .*templates\/_pod\.tpl:87-101\), and nodePools has 2 node/,
    );
    assert.doesNotMatch(zoned[0], /ingester\.affinity/);
    assert.match(
      problems(two)[0],
      /\(replication factor 3; loki 18\.11\.0 values\.yaml ingester\.affinity, hard node anti-affinity\)/,
    );
  });

  it("counts the single binary's replicas, at least the one the chart runs", () => {
    const p = problems({ ...MONOLITHIC, chartValues: { loki: { singleBinary: { replicas: 5 } } } });
    assert.equal(p.length, 1, p.join("\n"));
    assert.match(
      p[0],
      /^homelab-observability:chartValues\.loki\.singleBinary\.replicas: expected at most 3, .*; got 5$/,
    );
    const c = planSizing(config(MONOLITHIC)).components.find((x) => x.component === "loki monolithic")!;
    assert.deepEqual(chartReplicas({ chartValues: { loki: { singleBinary: { replicas: 0 } } } }, c), {
      replicas: 1,
      key: "chartValues.loki.singleBinary.replicas",
    });
  });

  it("counts a null as the chart's default (it deletes the program's count) and 0 as no pod", () => {
    const c = planSizing(config(VM_CLUSTER)).components.find((x) => x.component === "vmstorage")!;
    const at = (chartValues: Record<string, unknown>) =>
      chartReplicas(config({ ...VM_CLUSTER, chartValues }), c);
    assert.deepEqual(at(vmstorage(null)), {
      replicas: 2,
      key: `chartValues.${VM}.vmcluster.spec.vmstorage.replicaCount`,
    });
    assert.deepEqual(at({ [VM]: { vmcluster: { spec: { vmstorage: null } } } }), {
      replicas: 2,
      key: `chartValues.${VM}.vmcluster.spec.vmstorage`,
    });
    const four = { ...DISTRIBUTED, nodePools: pools("4Gi") };
    assert.ok(problems(four).length > 0, "refused while the ingesters run");
    assert.deepEqual(problems({ ...four, chartValues: { loki: { ingester: { replicas: 0 } } } }), []);
  });
});
