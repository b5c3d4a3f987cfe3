import { strict as assert } from "assert";
import { parseQuantity } from "@homelab-observability/contract";
import { nodeDaemons, planSizing, sizedValuesPath } from "../../config/sizing";
import { valueAt } from "../../config/tree";
import { planStack } from "../../plan/plan";
import { lokiValues } from "../../builders/logging/lokiValues";
import { kpsValues } from "../../builders/metrics/kpsValues";
import { vmValues } from "../../builders/metrics/vmValues";
import { config, configProblems as problems } from "../support/helpers";

/*
 * A `chartValues` override of a sized pod's memory request is merged over the program's size
 * (builders/chartValues.ts), so the pod requests what the override leaves. The config's fit
 * checks summed the sizes and said the pods "request" them: three 4Gi nodes with Distributed Loki,
 * its ingesters lowered to 128Mi and its compactor to 256Mi by overrides, were refused at 11.4GiB
 * with "loki ingester 3x1GiB", where the rendered pods request 8.0GiB of the 9.6GiB allowed. Those
 * pods are the pack's resource-budget's to judge (it names the override): undersized below their
 * size, no node holding one, or the pools' share.
 */

const POOLS = [{ name: "workers", arch: "amd64", count: 3, cpu: "4", memory: "4Gi" }];
const DISTRIBUTED = { phase: "kps-removed", loki: { mode: "Distributed" }, nodePools: POOLS };
const requests = (memory: unknown) => ({ resources: { requests: { memory } } });

describe("config: a chartValues override of a sized pod's memory request", () => {
  it("refuses the Distributed Loki on three 4Gi nodes at the program's sizes (12240Mi with the other pods, above 9.6GiB)", () => {
    const p = problems(DISTRIBUTED);
    assert.equal(p.length, 1, p.join("\n"));
    assert.match(
      p[0],
      /loki ingester 3x1GiB.*12240Mi together \(99\.6%\), above 80% of the node pools' 12GiB/,
    );
  });

  it("leaves the pods it sets out of the share: no figure the rendered pods do not request", () =>
    assert.deepEqual(
      problems({
        ...DISTRIBUTED,
        chartValues: { loki: { ingester: requests("128Mi"), compactor: requests("256Mi") } },
      }),
      [],
    ));

  it("leaves a pod out when a null on the way deletes the program's resources (the chart's default applies)", () =>
    assert.deepEqual(
      problems({
        ...DISTRIBUTED,
        chartValues: { loki: { ingester: { resources: null }, compactor: requests(null) } },
      }),
      [],
    ));

  it("still judges a pod whose override sets its limit or another component's request", () => {
    const p = problems({
      ...DISTRIBUTED,
      chartValues: {
        loki: { ingester: { resources: { limits: { memory: "2Gi" } } }, gateway: requests("16Mi") },
      },
    });
    assert.equal(p.length, 1, p.join("\n"));
    assert.match(p[0], /loki ingester 3x1GiB/);
  });

  it("names no pod above the largest node that the override brings under it (the pack judges its size)", () => {
    const small = { ...DISTRIBUTED, nodePools: [{ ...POOLS[0], memory: "1Gi" }] };
    assert.ok(
      problems(small).some((l) => /need 1GiB of memory in one loki ingester pod/.test(l)),
      "refused without the override",
    );
    const p = problems({ ...small, chartValues: { loki: { ingester: requests("512Mi") } } });
    assert.ok(!p.some((l) => /loki ingester/.test(l)), p.join("\n"));
  });
});

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

describe("config: sizedValuesPath is where the builders write each sized component's resources", () => {
  const stacks: [string, Record<string, unknown>][] = [
    [
      "Prometheus and Distributed Loki",
      { phase: "dual-write", loki: { mode: "Distributed" }, workload: { activeSeries: 200_000 } },
    ],
    ["Loki SimpleScalable", { phase: "kps-removed", loki: { mode: "SimpleScalable" } }],
    [
      "vmsingle and monolithic Loki",
      { phase: "kps-removed", metricsBackend: "victoriametrics", workload: { activeSeries: 200_000 } },
    ],
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
    it(`${title}: each sized component's request is at its path, Mimir at none`, () => {
      const values = chartValuesOf(over);
      const components = planSizing(config(over)).components;
      for (const c of components) {
        const at = sizedValuesPath(c.component);
        if (c.component.startsWith("mimir")) {
          assert.equal(at, undefined);
          continue;
        }
        assert.ok(at, c.component);
        const written = valueAt(values[at.chart], [...at.path, "requests", "memory"]);
        assert.equal(parseQuantity(written), c.requestBytes, `${c.component} at ${at.path.join(".")}`);
      }
      if (title === "a VMCluster") assert.ok(components.some((c) => c.component === "vmstorage"));
    });
});

describe("config: a DaemonSet container's request override is read at its chart's values path", () => {
  // Every container the DaemonSets run, overridden where its chart takes its resources (where its builder writes them:
  // builders/metrics/exporterValues.ts, builders/logging/alloyValues.ts, vectorValues.ts, lokiValues.ts).
  const chartValues = {
    "prometheus-node-exporter": { ...requests("40Mi"), kubeRBACProxy: requests("24Mi") },
    alloy: { alloy: requests("200Mi"), configReloader: requests("20Mi") },
    vector: requests("300Mi"),
    loki: { lokiCanary: requests("30Mi") },
  };
  const counted = (logAgent: string) =>
    nodeDaemons(config({ phase: "kps-removed", logAgent, chartValues })).flatMap((d) =>
      d.overrides.map((o) => `${o.key} ${o.amount / 2 ** 20}Mi`),
    );
  for (const [agent, keys] of [
    [
      "alloy",
      [
        "chartValues.alloy.alloy.resources.requests.memory 200Mi",
        "chartValues.alloy.configReloader.resources.requests.memory 20Mi",
      ],
    ],
    ["vector", ["chartValues.vector.resources.requests.memory 300Mi"]],
  ] as const)
    it(`with ${agent}: each container's override is counted and named at its key`, () =>
      assert.deepEqual(counted(agent), [
        "chartValues.prometheus-node-exporter.resources.requests.memory 40Mi",
        "chartValues.prometheus-node-exporter.kubeRBACProxy.resources.requests.memory 24Mi",
        ...keys,
        "chartValues.loki.lokiCanary.resources.requests.memory 30Mi",
      ]));
});
