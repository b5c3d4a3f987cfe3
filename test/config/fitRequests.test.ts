import { strict as assert } from "assert";
import { fitProblems } from "../../config/sizing";
import { config, configProblems as problems } from "../support/helpers";

/*
 * The scheduler places a pod on a node by its requests (kube-scheduler NodeResourcesFit,
 * kubernetes v1.31.14 pkg/scheduler/framework/plugins/noderesources/fit.go:207-213 and 449-457:
 * the pod's requests against the node's allocatable less what its pods request; read, not run),
 * as the pack's resource-budget does (policy/lib/budget.ts: w.requests.memory against nodeLeft).
 * Parts run at the profile's size request less than their limit (model/sizing.ts: Loki
 * Distributed's querier 512Mi of 1Gi, vmselect 256Mi of 1Gi): the config judged one pod and the
 * pods side by side on the limits and said a pod of the limit "need"ed what no node held.
 */

/** Three nodes of 1Gi: 816MiB left beside the DaemonSets' 208MiB, below a 1Gi limit, above 512Mi. */
const ONE_GI = [{ name: "small", arch: "amd64", count: 3, cpu: "4", memory: "1Gi" }];

const GIB = 2 ** 30;
const MIB = 2 ** 20;

/**
 * What fitProblems says of `nodes` nodes of `memory` and one sized component of `replicas` pods
 * requesting `request` bytes of memory each, limited to `limit`.
 */
function judged(nodes: number, memory: string, replicas: number, request: number, limit: number): string[] {
  const cfg = config({ nodePools: [{ name: "w", arch: "amd64", count: nodes, cpu: "4", memory }] });
  const querier = {
    component: "loki querier",
    workload: "loki-querier",
    replicas,
    memoryBytes: limit,
    requestBytes: request,
    volumeBytes: 0,
    sizedFor: "Distributed at its floor (loki.mode)",
  };
  return fitProblems(cfg, { resources: {}, components: [querier] }, (k) => k);
}

describe("config: one pod's fit on a node is judged on its memory request, as the scheduler places it", () => {
  it("names no Loki querier on 1Gi nodes: its 512Mi request fits the 816MiB left, only its limit does not", () => {
    const p = problems({
      phase: "kps-removed",
      metricsBackend: "victoriametrics",
      loki: { mode: "Distributed" },
      nodePools: ONE_GI,
    });
    assert.ok(
      p.some((l) => /need 1GiB of memory in one loki ingester pod/.test(l)),
      p.join("\n"),
    );
    assert.ok(!p.some((l) => /loki querier/.test(l)), p.join("\n"));
  });

  it("names no vmselect beside a VMCluster on 1Gi nodes: its 256Mi request fits, only its 1Gi limit does not", () => {
    const p = problems({
      phase: "kps-removed",
      metricsBackend: "victoriametrics",
      workload: { activeSeries: 100_000 },
      nodePools: ONE_GI,
    });
    assert.ok(
      p.some((l) =>
        /need no more memory than one vmstorage pod requests, 2GiB, the standard profile's least memory request for it/.test(
          l,
        ),
      ),
      p.join("\n"),
    );
    assert.ok(!p.some((l) => /vmselect|vminsert/.test(l)), p.join("\n"));
  });

  it("accepts a pod whose request fits the largest node although its limit is above the node", () =>
    assert.deepEqual(judged(3, "2Gi", 2, 512 * MIB, 4 * GIB), []));

  it("still refuses a pod whose request is above the largest node, naming the request", () =>
    assert.deepEqual(judged(3, "2Gi", 2, 3 * GIB, 4 * GIB), [
      "loki.mode: Distributed at its floor need 3GiB of memory in one loki querier pod, above what the largest node of nodePools holds beside the DaemonSets' pods on it (2Gi in pool w, 208MiB of it requested by the DaemonSets' pods on every node (node-exporter, alloy and loki-canary): 1.8GiB left)",
    ]));

  it("counts the pods the pools hold side by side by their requests (3 of 512Mi on one 4Gi node, limits 2Gi)", () =>
    assert.deepEqual(judged(1, "4Gi", 3, 512 * MIB, 2 * GIB), []));

  it("says the pods' requests where the pools hold too few side by side", () =>
    assert.deepEqual(judged(1, "2Gi", 3, 1024 * MIB, 1536 * MIB), [
      "loki.mode: Distributed at its floor need 3 loki querier pods requesting 1GiB of memory each, and the node pools hold 1 such pod",
    ]));
});

/*
 * A sized component a `chartValues` switch leaves out runs no pod: the sums and the one-pod fit
 * count only what runs, as the pack's budget counts the rendered pods. victoria-metrics-k8s-stack
 * 0.80.0 leaves a VMCluster part out of the CR by Go template truth (templates/_helpers.tpl:330,
 * :335), so 0 does it as false does (helm template v3.17.3, run).
 */
describe("config: the memory sums count only the sized pods the chart values leave running", () => {
  const vmStack = (memory: string, spec?: Record<string, unknown>) =>
    problems({
      phase: "kps-removed",
      metricsBackend: "victoriametrics",
      profile: "lightweight",
      workload: { activeSeries: 1_000_000, logsPerDay: "15GiB" },
      nodePools: [{ name: "w", arch: "arm64", count: 3, cpu: "4", memory }],
      ...(spec ? { chartValues: { "victoria-metrics-k8s-stack": { vmcluster: { spec } } } } : {}),
    });
  const SHARE = /request 3\.6GiB of memory \(vmstorage 2x1GiB, vminsert 2x96MiB, vmselect 2x192MiB/;

  // 3x1600Mi: vmstorage, Loki, the DaemonSets' and the other pods (Grafana, the operator, vmagent,
  // vmalert, VMAlertmanager, kube-state-metrics: 483MiB) request 3807Mi, 79.3%; the pack's budget
  // counts the same pods (test/config/sharePods.test.ts), and refused them on 3x1536Mi (82.6%).
  it("refuses vminsert and vmselect at their profile's size beside vmstorage past 80% of 3x1600Mi", () => {
    for (const p of [vmStack("1600Mi"), vmStack("1600Mi", { vminsert: { enabled: true } })])
      assert.match(p.join("\n"), SHARE);
  });
  for (const off of [false, 0])
    it(`accepts them switched off (vmcluster.spec.<part>.enabled: ${off}): the rest fit within 80%`, () =>
      assert.deepEqual(vmStack("1600Mi", { vminsert: { enabled: off }, vmselect: { enabled: off } }), []));
  it("names no part switched off among the pods that request too much (3x1408Mi, vminsert off)", () => {
    const p = vmStack("1408Mi", { vminsert: { enabled: false } }).join("\n");
    assert.match(
      p,
      /request 3\.4GiB of memory \(vmstorage 2x1GiB, vmselect 2x192MiB, loki monolithic 1x1GiB\)/,
    );
  });
});

describe("config: the lightweight profile offered for a Mimir no node holds is a stack the config takes", () => {
  // 1516000 series ask 16192Mi of a 16Gi node: 16Mi above what the standard DaemonSets' pods leave,
  // within what the lightweight ones' leave (test/config/sizing.test.ts).
  const at = {
    phase: "kps-removed",
    nodePools: [{ name: "workers", arch: "amd64", count: 3, cpu: "4", memory: "16Gi" }],
    mimir: { maxGlobalSeriesPerUser: 1_516_000 },
  };
  /** The stack file `over` with the offer of its Mimir line applied, as a user reads it. */
  const offered = (over: Record<string, unknown>) => {
    const line = problems(over).join("\n");
    const offer = /, set (profile: lightweight[^(]*) \(/.exec(line)?.[1];
    assert.ok(offer, line);
    const keys = Object.fromEntries(offer.split(" and ").map((s) => s.split(": ")));
    return { ...over, ...keys };
  };

  it("names metricsBackend: mimir beside it when the file leaves the backend to the profile (victoriametrics at lightweight)", () => {
    // Without it, the mimir key would be refused: Mimir does not run at the lightweight default.
    assert.deepEqual(problems(offered(at)), []);
  });
  it("offers the profile alone when the file sets metricsBackend: mimir", () => {
    const written = offered({ ...at, metricsBackend: "mimir" });
    assert.deepEqual(Object.keys(written).sort(), [
      "metricsBackend",
      "mimir",
      "nodePools",
      "phase",
      "profile",
    ]);
    assert.deepEqual(problems(written), []);
  });
});
