import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import {
  base2Bytes,
  isParked,
  LOKI_SIZING,
  MIMIR_READ_WRITE,
  MIMIR_SIZING,
  parseQuantity,
  type SizedComponent,
} from "@homelab-observability/contract";
import { ConfigError } from "../../config/resolve";
import { checkedStackConfig } from "../../config/stackCheck";
import { PROFILES, sizing, STATEFUL_WORKLOADS } from "../../model/sizing";
import {
  defaultSeriesCap,
  lokiDistributedShape,
  lokiModeFor,
  mimirMemoryBytes,
  mimirReadWriteShape,
  nodeDaemons,
  planSizing,
  prometheusDiskBytes,
  prometheusRetentionSize,
  vmDiskBytes,
} from "../../config/sizing";
import { computeBudget, formatBudget, stackFacts } from "../../policy/lib/budget";
import { withRenderedObjects } from "../../synth/render/objects";
import { evaluateResources } from "../../policy/evaluate";
import { podViews } from "../../checks/privileges";
import { asRes, config, ROOT, synthCli, tmpDir } from "../support/helpers";
import {
  BIG_POOLS,
  rendered,
  stackFileVariants,
  WORKLOAD_2M,
  workloadVariants,
  VM_CLUSTER_VARIANT,
  SMALL_POOLS,
  MIMIR_READ_WRITE_VARIANT,
  MIMIR_RW_POOLS,
  type RenderedStack,
  type Variant,
} from "../support/rendered";
import type { StackConfig } from "../../config/schema";
import { formatFindings, placedFrom } from "../../checks";
import { checkedStack } from "../support/checkedStack";
import { planChange } from "../../change/change";
import type { StackExport } from "../../synth/synthesize";

const GB = 1e9;
const GiB = 2 ** 30;
/** Memory of the other Mimir modules at a homelab's query rate: querier + store-gateway (planning-capacity.md). */
const OTHER_MODULES = 2 * GB;

const mem = (q: unknown) => parseQuantity(q) ?? NaN;
const objectsOf = (r: RenderedStack, kind: string) =>
  r.objects.map((o) => o.object).filter((o) => o.kind === kind);
const byName = (r: RenderedStack, kind: string, name: string) => {
  const o = objectsOf(r, kind).find((x) => x.metadata.name === name);
  assert.ok(o, `${r.title}: no ${kind} ${name}`);
  return o as any;
};
/** Series cap and the memory request/limit of the Mimir StatefulSet a stack renders. */
function mimirOf(r: RenderedStack) {
  const cm = byName(r, "ConfigMap", "mimir-config");
  const cap = parse(cm.data["mimir.yaml"]).limits.max_global_series_per_user as number;
  const res = byName(r, "StatefulSet", "mimir").spec.template.spec.containers[0].resources;
  return { cap, request: mem(res.requests.memory), limit: mem(res.limits.memory) };
}

describe("sizing from upstream's capacity rules", function () {
  this.timeout(600000);

  describe("the rules (pure)", () => {
    it("Mimir: 2.5 GB per 300k in-memory series plus distributor, querier, store-gateway, compactor", () => {
      // planning-capacity.md: 1M series at 30s scrapes = 33,333 samples/s -> distributor 1.33 GB;
      // compactor 4 GB per 20M series -> 0.2 GB; querier and store-gateway 1 GB each.
      const expected = (1e6 / 300_000) * 2.5 * GB + (1e6 / 30 / 25_000) * GB + 2 * GB + 0.2 * GB;
      assert.ok(
        Math.abs(mimirMemoryBytes(1e6, 1) - expected) < 1,
        `${mimirMemoryBytes(1e6, 1)} vs ${expected}`,
      );
      // Three replicas hold three copies (RF 3): each still holds every series in memory.
      assert.ok(mimirMemoryBytes(1e6, 3) > (1e6 * 2.5 * GB) / 300_000);
    });

    it("Loki stays Monolithic up to 20 GB a day (deployment-modes.md) and runs Distributed above, never SimpleScalable", () => {
      assert.equal(lokiModeFor(undefined), "Monolithic");
      assert.equal(lokiModeFor(20e9), "Monolithic");
      assert.equal(lokiModeFor(20e9 + 1), "Distributed");
      assert.equal(lokiModeFor(1e15), "Distributed");
    });

    it("Distributed: each component its share of the 3 TB/day tier, replicas above the floor, one compactor", () => {
      const floor = lokiDistributedShape(50 * GiB);
      assert.equal(floor.ingester.replicas, 3);
      assert.equal(floor.querier.replicas, 2);
      assert.equal(floor.compactor.replicas, 1);
      // At the tier itself the documented base replicas and per-pod memory come back.
      const tier = lokiDistributedShape(LOKI_SIZING.tierBytesPerDay);
      for (const [c, t] of Object.entries(LOKI_SIZING.distributed)) {
        const s = tier[c as keyof typeof tier];
        assert.equal(s.replicas, t.replicas, c);
        assert.ok(Math.abs(s.bytes * s.replicas - t.bytes) < 1, c);
      }
      // Twice the tier: twice the ingesters, the compactor still one.
      const twice = lokiDistributedShape(2 * LOKI_SIZING.tierBytesPerDay);
      assert.equal(twice.ingester.replicas, 12);
      assert.equal(twice.compactor.replicas, 1);
    });

    it("volumes: retention x samples/s x bytes per sample (Prometheus 2 B, VictoriaMetrics 1 B + 20% free + 20% index)", () => {
      // 2M series / 30s x 14 days x 2 bytes.
      assert.equal(prometheusDiskBytes(2e6, 14 * 86400), (2e6 / 30) * 14 * 86400 * 2);
      assert.equal(vmDiskBytes(1e6, 30, 86400), (1e6 / 30) * 86400 * 1.44);
    });

    it("every data-bearing workload requests the memory it is limited to, in both profiles", () => {
      for (const profile of PROFILES)
        for (const w of STATEFUL_WORKLOADS) {
          const r = sizing(profile, w);
          assert.equal(r.requests.memory, r.limits.memory, `${profile} ${w}`);
        }
      // The rule is not a tautology of the table: a stateless one keeps a smaller request.
      const read = sizing("standard", "lokiRead");
      assert.notEqual(read.requests.memory, read.limits.memory);
    });

    it("Mimir's default cap: 1000000 where a node holds it, lowered to what an 8 GiB Pi holds", () => {
      assert.equal(defaultSeriesCap([{ memory: "16Gi", taints: [] }], 1), 1_000_000);
      const pi = defaultSeriesCap([{ memory: "8Gi", taints: [] }], 1);
      assert.ok(pi < 1_000_000 && pi % 10_000 === 0, String(pi));
      assert.ok(mimirMemoryBytes(pi, 1) <= 0.8 * 8 * GiB);
      assert.ok(mimirMemoryBytes(pi + 10_000, 1) > 0.8 * 8 * GiB);
      // A tainted pool holds nothing a pod without tolerations needs.
      assert.equal(
        defaultSeriesCap(
          [
            { memory: "8Gi", taints: [] },
            { memory: "64Gi", taints: [{ key: "gpu", effect: "NoSchedule" }] },
          ],
          1,
        ),
        pi,
      );
    });
  });

  describe("config: workload.* validated like every key", () => {
    const problems = (over: Record<string, unknown>): string => {
      try {
        config(over);
      } catch (e) {
        assert.ok(e instanceof ConfigError, String(e));
        return e.message;
      }
      return "";
    };

    it("refuses a malformed workload naming the key, the expected form and what was found", () => {
      const m = problems({ workload: { logsPerDay: "50 gigs", activeSeries: 1.5 } });
      assert.match(m, /workload\.logsPerDay: expected a size a day like "20GiB"/);
      assert.match(m, /50 gigs/);
      assert.match(m, /workload\.activeSeries/);
      assert.match(problems({ workload: { rows: 3 } }), /workload/);
    });

    it("refuses a series cap below the declared series, Monolithic past 20 GB a day, more logs than the filesystem store takes", () => {
      assert.match(
        problems({ workload: { activeSeries: 2_000_000 }, mimir: { maxGlobalSeriesPerUser: 1_000_000 } }),
        /mimir\.maxGlobalSeriesPerUser: expected at least workload\.activeSeries \(2000000\).*got 1000000/,
      );
      assert.match(
        problems({ workload: { logsPerDay: "50GiB" }, loki: { mode: "SingleBinary" } }),
        /loki\.mode: expected "Distributed".*50GiB a day.*got "SingleBinary"/,
      );
      assert.match(
        problems({ workload: { logsPerDay: "50GiB" }, objectStore: { type: "filesystem" } }),
        /workload\.logsPerDay: 50GiB a day .*objectStore\.type is "filesystem"/,
      );
      assert.equal(problems({ workload: { logsPerDay: "20GB" }, loki: { mode: "SingleBinary" } }), "");
    });

    it("never enlarges a volume the stack set: refuses one the workload outgrows, naming both sizes", () => {
      assert.match(
        problems({
          phase: "dual-write",
          workload: { activeSeries: 2_000_000 },
          prometheus: { volumeSize: "70Gi" },
        }),
        /prometheus\.volumeSize: expected at least 151Gi.*got "70Gi"/,
      );
      assert.match(
        problems({
          phase: "dual-write",
          workload: { activeSeries: 2_000_000 },
          prometheus: { volumeSize: "70Gi" },
        }),
        /\(a running StatefulSet's claim size cannot change in place: resize the volume first, then set the new size\)/,
      );
    });

    it("says vmsingle's claim grows in place where its class allows expansion: it is no StatefulSet", () => {
      const m = problems({
        metricsBackend: "victoriametrics",
        workload: { activeSeries: 800_000 },
        victoriametrics: { volumeSize: "10Gi" },
      });
      assert.match(
        m,
        /victoriametrics\.volumeSize: expected at least (\d+Gi), what workload\.activeSeries \(800000\) needs; got "10Gi" \(the operator grows vmsingle's claim in place to the new size, which the API server takes only where the claim's StorageClass sets allowVolumeExpansion: true: check kubectl get storageclass, then set victoriametrics\.volumeSize: \1, or leave it out and the program sizes it\)/,
      );
      assert.doesNotMatch(m, /StatefulSet/);
    });

    it("without a declared workload every default is what running stacks were created with", () => {
      const c = config({ phase: "dual-write" });
      assert.deepEqual(
        [
          c.loki.mode,
          c.loki.volumeSize,
          c.prometheus.volumeSize,
          c.mimir.volumeSize,
          c.victoriametrics.volumeSize,
        ],
        ["Monolithic", "10Gi", "70Gi", "20Gi", "20Gi"],
      );
      assert.equal(c.mimir.maxGlobalSeriesPerUser, 1_000_000);
      // With one: Loki past Monolithic, the cap at the series, volumes from retention x ingest.
      const w = config({ phase: "dual-write", nodePools: BIG_POOLS, workload: WORKLOAD_2M });
      assert.deepEqual(
        [w.loki.mode, w.mimir.maxGlobalSeriesPerUser, w.prometheus.volumeSize],
        ["Distributed", 2_000_000, "151Gi"],
      );
    });

    it("refuses what the node pools cannot hold: the key, the need and the capacity", () => {
      // One Mimir for 2M series (20.3 GiB) fits no 16 GiB node: scaled out, whose 4 write pods
      // (2M x RF 3 in-memory series, 12.3 GiB each) the default pool's 3 nodes cannot place.
      const m = problems({ phase: "kps-removed", workload: WORKLOAD_2M });
      assert.match(
        m,
        /workload\.activeSeries: 2000000 series scaled out need 4 mimir write pods requesting 12\.3GiB of memory each, and the node pools hold 3 such pods side by side/,
      );
      // Twenty 8 GiB nodes hold it scaled out (8 write pods of 6.2 GiB).
      const many = [{ name: "many", arch: "amd64", count: 20, cpu: "4", memory: "8Gi" }];
      assert.equal(problems({ phase: "kps-removed", nodePools: many, workload: WORKLOAD_2M }), "");
      // Enough nodes, each too small for one pod (the write group's floor, 3 GiB; the backend's 2 GiB
      // beside the DaemonSets' pods), are still refused.
      const tiny = [{ name: "tiny", arch: "amd64", count: 60, cpu: "4", memory: "2Gi" }];
      assert.match(
        problems({ phase: "kps-removed", nodePools: tiny, workload: WORKLOAD_2M }),
        /workload\.activeSeries: 2000000 series scaled out need no more memory than one mimir write pod requests, 3GiB, the standard profile's least memory request for it, above what the largest node of nodePools holds beside the DaemonSets' pods on it \(2Gi in pool tiny, 208MiB of it requested by the DaemonSets' pods on every node \(node-exporter, alloy and loki-canary\): 1\.8GiB left\)$/m,
      );
      // Without a declared workload a cap no node holds is refused, pointing at the scaled-out shape.
      assert.match(
        problems({ phase: "kps-removed", nodePools: many, mimir: { maxGlobalSeriesPerUser: 2_000_000 } }),
        /mimir\.maxGlobalSeriesPerUser: 2000000 series need 20\.3GiB of memory in one mimir pod, .*declare workload\.activeSeries to run Mimir scaled out/,
      );
      // Read-write mode shares blocks through object storage.
      assert.match(
        problems({
          phase: "kps-removed",
          nodePools: many,
          workload: { activeSeries: 2_000_000 },
          objectStore: { type: "filesystem" },
          mimir: { replicas: 1 },
        }),
        /workload\.activeSeries: 2000000 series need more memory than one Mimir on the largest node; past it Mimir runs scaled out, .*objectStore\.type is "filesystem"/,
      );
      const few = [{ name: "few", arch: "amd64", count: 1, cpu: "8", memory: "24Gi" }];
      // Distributed keeps its ingesters on distinct nodes: one node cannot hold it, said at the
      // logs a day that chose it; Loki's pods are then not judged against the pools again.
      const onOne = problems({ phase: "kps-removed", nodePools: few, workload: WORKLOAD_2M });
      assert.match(
        onOne,
        /workload\.logsPerDay: .* past it Loki runs Distributed, at least 3 ingesters on distinct nodes .*nodePools has 1 node/,
      );
      assert.match(
        onOne,
        /workload\.activeSeries: the components sized for workload\.activeSeries request 20\.3GiB of memory \(mimir 1x20\.3GiB\) and the DaemonSets' pods, one on every node they run on, 208MiB \(node-exporter 1x48MiB, alloy 1x144MiB, loki-canary 1x16MiB\) and the other pods, 608MiB \(grafana 1x240MiB, kube-state-metrics 1x64MiB, alertmanager 1x48MiB, loki-gateway 1x48MiB, alloy-cluster 1x208MiB\): 21552Mi together \(87\.7%\), above 80% of the node pools' 24GiB/,
      );
      assert.doesNotMatch(onOne, /loki ingester/);
    });

    it("a pod fits what a node leaves beside the DaemonSets' pods on it, as the pack's budget counts it", () => {
      // One Mimir for 1520000 series asks 16256Mi: below a 16Gi node, above the 16176Mi its
      // DaemonSets' pods (node-exporter 48Mi, alloy 144Mi, loki-canary 16Mi) leave of it.
      const pools = [{ name: "workers", arch: "amd64", count: 3, cpu: "4", memory: "16Gi" }];
      const at = { phase: "kps-removed", nodePools: pools };
      assert.equal(
        nodeDaemons(config(at))
          .map((d) => `${d.workload} ${d.memory / 2 ** 20}Mi`)
          .join(", "),
        "node-exporter 48Mi, alloy 144Mi, loki-canary 16Mi",
      );
      assert.equal(
        problems({ ...at, mimir: { maxGlobalSeriesPerUser: 1_520_000 } }).split("\n")[1],
        "  - homelab-observability:mimir.maxGlobalSeriesPerUser: 1520000 series need 15.9GiB of memory in one mimir pod, above what the largest node of nodePools holds beside the DaemonSets' pods on it (16Gi in pool workers, 208MiB of it requested by the DaemonSets' pods on every node (node-exporter, alloy and loki-canary): 15.8GiB left); lower mimir.maxGlobalSeriesPerUser to at most 1510000 or add a node of at least 20.1Gi in a pool of its own (it holds the mimir pod at 1520000 series within its share)",
      );
      // 1516000 series ask 16192Mi: 16Mi above what the standard DaemonSets' pods leave, within
      // the lightweight ones' (node-exporter 36Mi, loki-canary 12Mi): that profile is offered.
      const light = problems({ ...at, mimir: { maxGlobalSeriesPerUser: 1_516_000 } }).split("\n")[1];
      assert.match(
        light,
        /, set profile: lightweight and metricsBackend: mimir \(its DaemonSets' pods request less, leaving the mimir pod room; without metricsBackend that profile runs victoriametrics\) or /,
      );
      // Declared, the series run Mimir scaled out, whose pods these pools cannot hold: refused at
      // workload.activeSeries (exit 2), not left for the pack to refuse at the pods.
      const series = { ...at, workload: { activeSeries: 1_520_000 } };
      assert.match(
        problems(series),
        /^ {2}- homelab-observability:workload\.activeSeries: the components sized for workload\.activeSeries request 45\.3GiB of memory \(mimir write 3x12\.4GiB, mimir read 2x1GiB, mimir backend 3x2GiB\) and the DaemonSets' pods, one on every node they run on, 624MiB \(node-exporter 3x48MiB, alloy 3x144MiB, loki-canary 3x16MiB\) and the other pods, 6\.6GiB \(loki monolithic 3x2GiB, grafana 1x240MiB, kube-state-metrics 1x64MiB, alertmanager 1x48MiB, loki-gateway 1x48MiB, alloy-cluster 1x208MiB\): 53776Mi together \(109\.4%\), above 80% of the node pools' 48GiB$/m,
      );
      assert.match(
        problems({ ...series, objectStore: { type: "filesystem" }, mimir: { replicas: 1 } }),
        /^ {2}- homelab-observability:workload\.activeSeries: 1520000 series need more memory than one Mimir on the largest node; past it Mimir runs scaled out, .*objectStore\.type is "filesystem"$/m,
      );
      // On more nodes the scaled-out shape is what runs.
      const more = [{ ...pools[0], count: 6 }];
      assert.ok(mimirReadWriteShape(config({ ...series, nodePools: more })));
    });

    it("a chartValues override of a DaemonSet's requests is counted where the agent is, and named at its key", () => {
      // The pods every node runs, as the chart gets their requests: the override merged over the
      // program's sizes.
      const pools = [{ name: "workers", arch: "amd64", count: 3, cpu: "4", memory: "16Gi" }];
      const at = { phase: "kps-removed", nodePools: pools };
      const requests = (memory: unknown) => ({ resources: { requests: { memory } } });
      const vector = config({
        ...at,
        logAgent: "vector",
        chartValues: {
          vector: requests("1Gi"),
          "prometheus-node-exporter": { kubeRBACProxy: requests("100Mi") },
          loki: { lokiCanary: requests("40Mi") },
        },
      });
      assert.equal(
        nodeDaemons(vector)
          .map((d) => `${d.workload} ${d.memory / 2 ** 20}Mi`)
          .join(", "),
        "node-exporter 132Mi, vector 1024Mi, loki-canary 40Mi",
      );
      const alloy = config({ ...at, chartValues: { alloy: { configReloader: requests("80Mi") } } });
      assert.equal(nodeDaemons(alloy).find((d) => d.workload === "alloy")?.memory, (128 + 80) * 2 ** 20);
      // One Mimir (11328Mi) fits beside the program's DaemonSets on a 16Gi node, not beside an
      // Alloy raised to 12Gi: refused here (exit 2) at the override, as the pack refuses the pods.
      assert.equal(
        problems({ ...at, chartValues: { alloy: { alloy: requests("12Gi") } } }).split("\n")[1],
        "  - homelab-observability:chartValues.alloy.alloy.resources.requests.memory: expected at most 4976Mi, so that the largest node of nodePools holds the sized pods beside the DaemonSets' pods on it (1000000 series need 11.1GiB in one mimir pod (mimir.maxGlobalSeriesPerUser)); got \"12Gi\" (16Gi in pool workers, 12.1GiB of it requested by the DaemonSets' pods on every node (node-exporter, alloy at chartValues.alloy.alloy.resources.requests.memory and loki-canary): 3.9GiB left)",
      );
      // The most it names fits.
      assert.equal(problems({ ...at, chartValues: { alloy: { alloy: requests("4976Mi") } } }), "");
    });

    it("a log agent whose chart renders no DaemonSet (alloy controller.type, vector role) is not counted on every node", () => {
      // alloy 1.5.0 renders its DaemonSet only `if eq .Values.controller.type "daemonset"`
      // (templates/controllers/daemonset.yaml:1), vector 0.56.0 only `if (eq .Values.role "Agent")`
      // (templates/daemonset.yaml:1): as a Deployment its pod lands on one node, which the pack's
      // budget judges from the rendered objects. Was counted at 64Gi on every node, and the message
      // named it among "the DaemonSets' pods on every node".
      const pools = [{ name: "workers", arch: "amd64", count: 3, cpu: "4", memory: "16Gi" }];
      const at = { phase: "kps-removed", nodePools: pools };
      const big = { resources: { requests: { memory: "64Gi" } } };
      const daemons = (chartValues: Record<string, unknown>, logAgent = "alloy") =>
        nodeDaemons(config({ ...at, logAgent, chartValues })).map((d) => d.workload);
      assert.deepEqual(daemons({ alloy: { controller: { type: "deployment" }, alloy: big } }), [
        "node-exporter",
        "loki-canary",
      ]);
      assert.equal(
        problems({ ...at, chartValues: { alloy: { controller: { type: "deployment" }, alloy: big } } }),
        "",
      );
      assert.deepEqual(daemons({ vector: { role: "Stateless-Aggregator" } }, "vector"), [
        "node-exporter",
        "loki-canary",
      ]);
      // The program's kind, or the override choosing it again, is still counted.
      assert.deepEqual(daemons({ alloy: { controller: { type: "daemonset" } } }), [
        "node-exporter",
        "alloy",
        "loki-canary",
      ]);
      assert.deepEqual(daemons({ vector: { role: "Agent" } }, "vector"), [
        "node-exporter",
        "vector",
        "loki-canary",
      ]);
    });

    it("the 80% share counts each DaemonSet's pod once per node of the pools it lands on", () => {
      // A Mimir capped at 700000 series (8.3GiB) on one 16Gi node, beside Loki's 2GiB and the other
      // pods (the pack's budget counts them all: test/config/sharePods.test.ts), and an Alloy whose
      // override asks 2Gi on that node: above 80%, as the pack's budget sums them (refused here,
      // exit 2, naming each DaemonSet's share); at 1Gi within it.
      const one = [{ name: "workers", arch: "amd64", count: 1, cpu: "4", memory: "16Gi" }];
      const alloy = (memory: string, controller: object = {}) => ({
        alloy: { alloy: { resources: { requests: { memory } } }, controller },
      });
      const capped = { phase: "kps-removed", nodePools: one, mimir: { maxGlobalSeriesPerUser: 700_000 } };
      assert.equal(
        problems({ ...capped, chartValues: alloy("2Gi") }).split("\n")[1],
        "  - homelab-observability:mimir.maxGlobalSeriesPerUser: the components sized for mimir.maxGlobalSeriesPerUser request 8.3GiB of memory (mimir 1x8.3GiB) and the DaemonSets' pods, one on every node they run on, 2.1GiB (node-exporter 1x48MiB, alloy 1x2GiB (chartValues.alloy.alloy.resources.requests.memory), loki-canary 1x16MiB) and the other pods, 2.6GiB (loki monolithic 1x2GiB, grafana 1x240MiB, kube-state-metrics 1x64MiB, alertmanager 1x48MiB, loki-gateway 1x48MiB, alloy-cluster 1x208MiB): 13296Mi together (81.2%), above 80% of the node pools' 16GiB",
      );
      assert.equal(problems({ ...capped, chartValues: alloy("1Gi") }), "");
      // The default cap leaves the DaemonSets' pods their room in the share: never refused by it.
      const byDefault = { phase: "kps-removed", nodePools: one, chartValues: alloy("2Gi") };
      assert.equal(problems(byDefault), "");
      assert.ok(config(byDefault).mimir.maxGlobalSeriesPerUser < 1_000_000);
      // Counted only on the pools its nodeSelector admits (contract canLandOn, the budget's rule):
      // five nodes of Alloy at 3Gi are above 80% of the pools' 24GiB, one node's are not.
      const two = {
        ...capped,
        nodePools: [
          { ...one[0], labels: { role: "main" } },
          { ...one[0], name: "edge", count: 4, memory: "2Gi" },
        ],
      };
      assert.match(
        problems({ ...two, chartValues: alloy("3Gi") }),
        /alloy 5x3GiB \(chartValues\.alloy\.alloy\.resources\.requests\.memory\).* above 80% of the node pools' 24GiB/,
      );
      assert.equal(problems({ ...two, chartValues: alloy("3Gi", { nodeSelector: { role: "main" } }) }), "");
    });

    it("a Mimir that fits no node offers only the ways out that fit, and a defaulted cap is named at the pool", () => {
      // 16 GiB nodes: scaled out fits, and so does a lower cap (the largest that does is named).
      const capped = problems({ phase: "kps-removed", mimir: { maxGlobalSeriesPerUser: 2_000_000 } });
      const lower =
        /lower mimir\.maxGlobalSeriesPerUser to at most (\d+) or add a node of at least 25\.6Gi in a pool of its own \(it holds the mimir pod at 2000000 series within its share\)$/m.exec(
          capped,
        );
      assert.ok(lower, capped);
      const pools = [{ name: "workers", arch: "amd64", count: 3, cpu: "4", memory: "16Gi" }];
      assert.equal(
        problems({
          phase: "kps-removed",
          nodePools: pools,
          mimir: { maxGlobalSeriesPerUser: Number(lower[1]) },
        }),
        "",
      );
      assert.notEqual(
        problems({
          phase: "kps-removed",
          nodePools: pools,
          mimir: { maxGlobalSeriesPerUser: Number(lower[1]) + 10_000 },
        }),
        "",
      );
      // 2 GiB nodes hold no Mimir at all (3 GiB of fixed memory before any series): neither a lower
      // cap nor scaling out is offered, only the smallest node that would do beside the DaemonSets'
      // pods (a vmsingle's 2 GiB does not fit beside them either).
      const small = [{ name: "small", arch: "arm64", count: 3, cpu: "4", memory: "2Gi" }];
      const none = problems({ phase: "kps-removed", nodePools: small });
      assert.match(
        none,
        /^ {2}- homelab-observability:nodePools\[0\]\.memory: 1000000 series \(mimir\.maxGlobalSeriesPerUser's default\) need 11\.1GiB of memory in one mimir pod, above what the largest node of nodePools holds beside the DaemonSets' pods on it \(2Gi in pool small, .*: 1\.8GiB left\); no Mimir fits these nodes \(one holding 10000 series requests 3GiB \(the standard profile's least memory request for it; its 10000 series and its modules' fixed memory need 2GiB\); .*\): add nodes of at least 3\.2GiB$/m,
      );
      assert.doesNotMatch(none, /lower mimir|declare workload\.activeSeries|victoriametrics/);
      // At the profile's least request the line says the series' need and the floor apart.
      const least = { phase: "kps-removed", nodePools: small, mimir: { maxGlobalSeriesPerUser: 10_000 } };
      assert.match(
        problems(least),
        /: 10000 series need 2GiB of memory, and one mimir pod requests 3GiB, the standard pro/,
      );
    });
  });

  describe("the pods every node runs, as the config check counts them", () => {
    // takeover imports a running kube-prometheus-stack: its node-exporter stays the release's own
    // until the update step, and the program renders none beside it.
    for (const stack of ["staging", "production", "pi", "takeover"])
      it(`${stack}: are the DaemonSets the stack renders, each requesting what the pack's budget counts`, async () => {
        // The config check sizes a pod against what a node leaves beside them (nodeDaemons), the
        // pack's budget against the rendered DaemonSets: one list, or the two disagree on a fit.
        const cfg = checkedStackConfig(ROOT, stack, process.env, { allowAbsentSecrets: true }).cfg;
        const r = await rendered(stackFileVariants().find((v) => v.stack === stack)!);
        const res = asRes(withRenderedObjects(r.synth.export.deployment.resources, r.renders));
        const facts = stackFacts(res);
        const b = computeBudget(res, facts.pools!, undefined, { facts });
        const said = (list: { workload: string; cpu: number; memory: number }[]) =>
          list.map((d) => `${d.workload} ${Math.round(d.cpu * 1000)}m ${d.memory / 2 ** 20}Mi`).sort();
        const daemons = b.workloads.filter((w) => w.kind === "DaemonSet" && !isParked(w));
        assert.deepEqual(
          said(daemons.map((w) => ({ workload: w.name, ...w.requests }))),
          said(nodeDaemons(cfg)),
        );
      });
    // Each agent's chartValues override of its containers' requests, as the chart renders it.
    const requests = (memory: unknown, cpu: unknown) => ({ resources: { requests: { memory, cpu } } });
    const overridden: Variant[] = [
      {
        title: "alloy, node-exporter and the canary overridden",
        stack: "staging",
        over: {
          chartValues: {
            alloy: { alloy: requests("300Mi", "70m"), configReloader: requests("20Mi", "7m") },
            "prometheus-node-exporter": requests("100Mi", "30m"),
            loki: { lokiCanary: requests("40Mi", "8m") },
          },
        },
      },
      {
        title: "vector and kube-rbac-proxy overridden",
        stack: "staging",
        over: {
          logAgent: "vector",
          chartValues: {
            vector: requests("700Mi", "200m"),
            "prometheus-node-exporter": { kubeRBACProxy: requests("60Mi", "15m") },
          },
        },
      },
    ];
    for (const v of overridden)
      it(`${v.title}: counts the requests the rendered DaemonSets have`, async () => {
        // nodeDaemons reads only the profile, agents, phase, takeover and chartValues.
        const cfg = {
          ...checkedStackConfig(ROOT, v.stack, process.env, { allowAbsentSecrets: true }).cfg,
          ...(v.over as Partial<StackConfig>),
        };
        const r = await rendered(v);
        const res = asRes(withRenderedObjects(r.synth.export.deployment.resources, r.renders));
        const b = computeBudget(res, stackFacts(res).pools!, undefined, { facts: stackFacts(res) });
        const said = (list: { workload: string; cpu: number; memory: number }[]) =>
          list.map((d) => `${d.workload} ${Math.round(d.cpu * 1000)}m ${d.memory / 2 ** 20}Mi`).sort();
        const daemons = b.workloads.filter((w) => w.kind === "DaemonSet" && !isParked(w));
        assert.deepEqual(
          said(daemons.map((w) => ({ workload: w.name, ...w.requests }))),
          said(nodeDaemons(cfg)),
        );
      });
  });

  describe("staging and production: Mimir's memory holds its series cap", () => {
    for (const stack of ["staging", "production"]) {
      it(`${stack}: limit >= cap x 2.5 GB / 300k + the other modules, request = limit`, async () => {
        // staging runs Mimir at its phase; production (dual-write) too.
        const r = await rendered(stackFileVariants().find((v) => v.stack === stack)!);
        const m = mimirOf(r);
        assert.equal(m.cap, 1_000_000);
        assert.ok(
          m.limit >= m.cap * MIMIR_SIZING.ingesterBytesPerSeries + OTHER_MODULES,
          `${m.limit / GiB} GiB`,
        );
        assert.equal(m.request, m.limit);
      });
    }

    it("every stack file's data-bearing pods request what they are limited to (rendered)", async () => {
      for (const v of stackFileVariants()) {
        const r = await rendered(v);
        const sets = objectsOf(r, "StatefulSet").filter((o) =>
          ["mimir", "loki", "loki-write", "loki-backend"].includes(o.metadata.name),
        );
        assert.ok(sets.length > 0, v.title);
        for (const s of sets) {
          // By image: chart 18 names the write and backend containers after their target.
          const c = (s as any).spec.template.spec.containers.find((x: any) =>
            /\/grafana\/(mimir|loki):/.test(x.image),
          );
          assert.equal(
            c.resources.requests.memory,
            c.resources.limits.memory,
            `${v.title} ${s.metadata.name}`,
          );
        }
        for (const kind of ["VMSingle", "Prometheus"])
          for (const o of objectsOf(r, kind)) {
            const res = (o as any).spec.resources;
            assert.equal(res.requests.memory, res.limits.memory, `${v.title} ${kind}`);
          }
      }
    });
  });

  describe("a stack declaring 2M series and 50 GiB of logs a day", () => {
    for (const v of workloadVariants()) {
      it(`${v.title}: the backend holds 2M series, Loki runs Distributed, the budget fits`, async () => {
        const r = await rendered(v);
        if (v.backend === "mimir") {
          const m = mimirOf(r);
          assert.ok(m.cap >= 2_000_000);
          assert.ok(m.limit >= 2e6 * MIMIR_SIZING.ingesterBytesPerSeries + OTHER_MODULES);
        } else {
          const res = (objectsOf(r, "VMSingle")[0] as any).spec.resources;
          assert.ok(mem(res.limits.memory) >= 2e6 * 2048, res.limits.memory);
        }
        assert.equal(objectsOf(r, "StatefulSet").filter((o) => o.metadata.name === "loki").length, 0);
        assert.equal(objectsOf(r, "StatefulSet").filter((o) => o.metadata.name === "loki-write").length, 0);
        // Distributed: three ingesters (replication factor 3), one compactor, each with its claim kept.
        const ingester = byName(r, "StatefulSet", "loki-ingester");
        assert.equal(ingester.spec.replicas, 3);
        assert.equal(byName(r, "StatefulSet", "loki-compactor").spec.replicas, 1);
        for (const name of ["loki-ingester", "loki-compactor", "loki-index-gateway", "loki-ruler"]) {
          const set = byName(r, "StatefulSet", name);
          assert.deepEqual(
            set.spec.volumeClaimTemplates.map((t: any) => t.metadata.name),
            ["data"],
            name,
          );
          assert.notEqual(set.spec.persistentVolumeClaimRetentionPolicy?.whenDeleted, "Delete", name);
        }
        // The ingesters' grace outlasts a flush.
        assert.ok(ingester.spec.template.spec.terminationGracePeriodSeconds > 600);
        const resources = withRenderedObjects(r.synth.export.deployment.resources, r.renders);
        const res = asRes(resources);
        const facts = stackFacts(res);
        const b = computeBudget(res, facts.pools!, undefined, { facts });
        assert.deepEqual(b.undersized, []);
        for (const row of [...b.rows, b.total])
          assert.ok(row.sums.memory <= 0.8 * row.capacity.memory, row.pool);
        const found = await evaluateResources(resources, { all: "disabled", "resource-budget": "mandatory" });
        assert.deepEqual(
          found.map((f) => f.message),
          [],
        );
        assert.match(formatBudget(b), /declared workload: 2000000 active series, 50GiB of logs a day/);
        assert.match(formatBudget(b), /mem headroom/);
      });
    }

    it("the pack's budget reports a sized component whose pods request less than it is sized for", async () => {
      // dual-write: Mimir (a raw StatefulSet) and Prometheus (the operator's CR) are both sized.
      const r = await rendered(workloadVariants()[1]);
      const resources = withRenderedObjects(r.synth.export.deployment.resources, r.renders).map((x) => {
        const name = x.inputs.metadata?.name;
        if (x.type.endsWith("StatefulSet") && name === "mimir") {
          const inputs = structuredClone(x.inputs);
          inputs.spec.template.spec.containers[0].resources.requests.memory = "3Gi";
          return { ...x, inputs, outputs: inputs };
        }
        if (x.type.endsWith(":Prometheus") && name === "kps-prometheus") {
          const inputs = structuredClone(x.inputs);
          inputs.spec.resources.limits.memory = "4Gi";
          return { ...x, inputs, outputs: inputs };
        }
        return x;
      });
      const found = await evaluateResources(resources, { all: "disabled", "resource-budget": "mandatory" });
      // Prometheus: 4 GiB plus the config-reloader sidecar the operator adds (64 MiB).
      const messages = found.map((f) => f.message).sort();
      assert.equal(messages.length, 2, messages.join("\n"));
      assert.match(
        messages[0],
        /^kps-prometheus: sized for 2000000 series \(workload\.activeSeries\).*limited to 4160Mi/,
      );
      assert.match(
        messages[1],
        /^mimir: sized for 2000000 series \(workload\.activeSeries\).*request 3072Mi/,
      );
    });

    it("VictoriaMetrics on 3 GiB nodes: a VMCluster, vmstorage holding 2M x 2 KB over 2 pods, 0 vmsingle, the budget fits", async () => {
      const r = await rendered(VM_CLUSTER_VARIANT);
      assert.equal(objectsOf(r, "VMSingle").length, 0);
      const spec = (objectsOf(r, "VMCluster")[0] as any).spec;
      // 2M series x 2 KB = 4.1 GB, above 80% of a 3 GiB node: the fewest pods (at least 2) under it.
      assert.equal(spec.replicationFactor, 1);
      assert.equal(spec.vmstorage.replicaCount, 2);
      const sres = spec.vmstorage.resources;
      assert.ok(mem(sres.limits.memory) * 2 >= 2e6 * 2048, sres.limits.memory);
      assert.ok(mem(sres.limits.memory) <= 0.8 * 3 * GiB, sres.limits.memory);
      assert.equal(sres.requests.memory, sres.limits.memory);
      assert.equal(spec.vminsert.replicaCount, 2);
      assert.equal(spec.vmselect.replicaCount, 2);
      // Everything dials vminsert and vmselect: Grafana, vmagent, vmalert.
      const out = r.synth.export.deployment.resources.find((x) => x.type === "pulumi:pulumi:Stack")!.outputs;
      assert.match(
        String(out.metricsRemoteWriteUrl),
        /vminsert-vm\..*:8480\/insert\/0\/prometheus\/api\/v1\/write$/,
      );
      assert.match(String(out.metricsQueryUrl), /vmselect-vm\..*:8481\/select\/0\/prometheus$/);
      assert.match(String(out.plannedChanges["victoriametrics-vmcluster"]), /vmctl/);
      const resources = withRenderedObjects(r.synth.export.deployment.resources, r.renders);
      const res = asRes(resources);
      const facts = stackFacts(res);
      const b = computeBudget(res, facts.pools!, undefined, { facts });
      for (const row of [...b.rows, b.total])
        assert.ok(row.sums.memory <= 0.8 * row.capacity.memory, row.pool);
      assert.deepEqual(b.undersized, []);
      // The budget counts the operator's pods from the VMCluster: vmstorage, vminsert, vmselect.
      const cluster = ["vmstorage", "vminsert", "vmselect"].reduce(
        (n, c) => n + 2 * mem(spec[c].resources.requests.memory),
        0,
      );
      assert.ok(b.total.sums.memory >= cluster, `${b.total.sums.memory} < ${cluster}`);
      const found = await evaluateResources(resources, { all: "disabled", "resource-budget": "mandatory" });
      assert.deepEqual(
        found.map((f) => f.message),
        [],
      );
      assert.match(formatBudget(b), /vmstorage/);
      // The privilege checks see the operator's three pods, hardened like every VictoriaMetrics CR.
      const pods = podViews(placedFrom(r.objects)).filter((v) => v.name.startsWith("VMCluster "));
      assert.deepEqual(pods.map((v) => v.labels["app.kubernetes.io/name"]).sort(), [
        "vminsert",
        "vmselect",
        "vmstorage",
      ]);
      for (const v of pods) {
        assert.equal(v.spec.securityContext?.seccompProfile?.type, "RuntimeDefault", v.name);
        assert.equal(v.spec.containers[0].securityContext?.allowPrivilegeEscalation, false, v.name);
      }
    });

    it("VictoriaMetrics on pools even a VMCluster cannot fit: `npm run synth` exits 2 naming workload.activeSeries", async () => {
      const dir = tmpDir("sizing");
      fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
      const stack = parse(fs.readFileSync(path.join(ROOT, "Pulumi.staging.yaml"), "utf8"));
      for (const [k, v] of Object.entries(VM_CLUSTER_VARIANT.over))
        stack.config[`homelab-observability:${k}`] = v;
      // Two 3 GiB nodes: the cluster's pods need more than 80% of 6 GiB.
      stack.config["homelab-observability:nodePools"] = [{ ...SMALL_POOLS[0], count: 2 }];
      fs.writeFileSync(path.join(dir, "Pulumi.tiny.yaml"), JSON.stringify(stack));
      const tiny = await synthCli("--dir", dir, "--stack", "tiny", "--no-render", "--out", dir);
      assert.equal(tiny.status, 2, tiny.stdout + tiny.stderr);
      assert.match(tiny.stderr, /workload\.activeSeries: .*vmstorage 2x2GiB/);
    });

    it("Mimir on 16 GiB nodes: scaled out, write pods holding 2M x RF 3 in-memory series, endpoints follow, 0 findings, the budget fits", async () => {
      const r = await rendered(MIMIR_READ_WRITE_VARIANT);
      // No monolithic Mimir: its three targets, from the same image and config file.
      assert.equal(objectsOf(r, "StatefulSet").filter((o) => o.metadata.name === "mimir").length, 0);
      const write = byName(r, "StatefulSet", "mimir-write");
      const backend = byName(r, "StatefulSet", "mimir-backend");
      const read = byName(r, "Deployment", "mimir-read");
      const container = (o: any) => o.spec.template.spec.containers[0];
      assert.deepEqual(
        [write, read, backend].map((o) => container(o).args[0]),
        [
          "-target=distributor,ingester",
          "-target=query-frontend,querier",
          "-target=query-scheduler,store-gateway,compactor,ruler",
        ],
      );
      const cfg = parse(byName(r, "ConfigMap", "mimir-config").data["mimir.yaml"]);
      assert.ok(cfg.limits.max_global_series_per_user >= 2_000_000);
      assert.equal(cfg.ingester.ring.replication_factor, 3);
      assert.equal(cfg.store_gateway.sharding_ring.replication_factor, 3);
      assert.equal(cfg.query_scheduler.service_discovery_mode, "ring");
      // The write pods hold cap x RF in-memory series and the distributors' samples/s between them,
      // at least RF of them, each within 80% of a 16 GiB node; data-bearing: request = limit.
      const w = write.spec.replicas as number;
      assert.ok(w >= MIMIR_READ_WRITE.replicationFactor, `${w} write pods`);
      const wres = container(write).resources;
      const cap = cfg.limits.max_global_series_per_user as number;
      assert.ok(
        mem(wres.limits.memory) * w >=
          cap * 3 * MIMIR_SIZING.ingesterBytesPerSeries +
            (cap / 30) * MIMIR_SIZING.distributorBytesPerSamplePerSecond,
        wres.limits.memory,
      );
      assert.ok(mem(wres.limits.memory) <= 0.8 * 16 * GiB, wres.limits.memory);
      assert.equal(wres.requests.memory, wres.limits.memory);
      assert.equal(backend.spec.replicas, 3);
      assert.equal(read.spec.replicas, 2);
      // Every target joins the one memberlist: the gossip Service selects each one's pods.
      const gossip = byName(r, "Service", "mimir-gossip").spec.selector as Record<string, string>;
      for (const o of [write, read, backend])
        for (const [k, v] of Object.entries(gossip)) assert.equal(o.spec.template.metadata.labels[k], v);
      assert.deepEqual(cfg.memberlist.join_members, ["mimir-gossip.monitoring.svc.cluster.local:7946"]);
      // Pushes go to write, Grafana's queries to read, Alloy's rule sync to the backend's ruler.
      const out = r.synth.export.deployment.resources.find((x) => x.type === "pulumi:pulumi:Stack")!.outputs;
      assert.match(String(out.metricsRemoteWriteUrl), /^http:\/\/mimir-write\..*:8080\/api\/v1\/push$/);
      assert.match(String(out.metricsQueryUrl), /^http:\/\/mimir-read\..*:8080\/prometheus$/);
      assert.match(JSON.stringify(r.synth.export), /address = \\"http:\/\/mimir-backend\.[^"\\]*:8080\\"/);
      assert.match(String(out.plannedChanges.mimir), /scaled out .*flush/);
      // Loki past SingleBinary.
      assert.equal(objectsOf(r, "StatefulSet").filter((o) => o.metadata.name === "loki").length, 0);
      // The rendered-object checks: schemas, addresses, NetworkPolicies, privileges (the verdict
      // test/checks/rendered.test.ts reaches for this variant, cached under the same key).
      const report = checkedStack(r);
      assert.equal(report.findings.length, 0, formatFindings(report.findings));
      const resources = withRenderedObjects(r.synth.export.deployment.resources, r.renders);
      const res = asRes(resources);
      const facts = stackFacts(res);
      const b = computeBudget(res, facts.pools!, undefined, { facts });
      assert.deepEqual(b.undersized, []);
      for (const row of [...b.rows, b.total])
        assert.ok(row.sums.memory <= 0.8 * row.capacity.memory, row.pool);
      assert.match(formatBudget(b), /mimir write/);
      const found = await evaluateResources(resources, { all: "disabled", "resource-budget": "mandatory" });
      assert.deepEqual(
        found.map((f) => f.message),
        [],
      );
      // The pack finds each target's pods: one requesting less than it is sized for is reported.
      const shrunk = resources.map((x) => {
        const name = x.inputs.metadata?.name;
        if (!/:(StatefulSet|Deployment)$/.test(x.type) || !/^mimir-(write|read|backend)$/.test(name))
          return x;
        const inputs = structuredClone(x.inputs);
        inputs.spec.template.spec.containers[0].resources.requests.memory = "512Mi";
        return { ...x, inputs, outputs: inputs };
      });
      const low = await evaluateResources(shrunk, { all: "disabled", "resource-budget": "mandatory" });
      assert.deepEqual(low.map((f) => f.message.split(":")[0]).sort(), [
        "mimir-backend",
        "mimir-read",
        "mimir-write",
      ]);
    });

    it("switching a running monolithic Mimir to its scaled-out groups: the change check passes it as planned, 0 refused", async () => {
      const dir = tmpDir("sizing");
      fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
      const stack = parse(fs.readFileSync(path.join(ROOT, "Pulumi.staging.yaml"), "utf8"));
      for (const [k, v] of Object.entries(MIMIR_READ_WRITE_VARIANT.over))
        stack.config[`homelab-observability:${k}`] = v;
      // Before: the same stack with Loki already past SingleBinary and no declared series (monolithic Mimir).
      stack.config["homelab-observability:workload"] = { logsPerDay: WORKLOAD_2M.logsPerDay };
      fs.writeFileSync(path.join(dir, "Pulumi.s.yaml"), JSON.stringify(stack));
      const synthOf = (...args: string[]) => synthCli("--dir", dir, "--stack", "s", ...args);
      const before = await synthOf("--no-render", "--quiet", "--out", path.join(dir, "before"));
      assert.equal(before.status, 0, before.stderr);
      stack.config["homelab-observability:workload"] = WORKLOAD_2M;
      fs.writeFileSync(path.join(dir, "Pulumi.s.yaml"), JSON.stringify(stack));
      const after = await synthOf(
        "--quiet",
        "--out",
        path.join(dir, "after"),
        "--against",
        path.join(dir, "before", "s.json"),
      );
      assert.equal(after.status, 0, after.stdout + after.stderr);
      assert.match(
        after.stdout,
        /delete\s+StatefulSet::mimir \(mimir\): planned: .*scaled out in groups of Mimir 3\.0 modules/,
      );
      assert.match(after.stdout, /create\s+StatefulSet::mimir-write/);
      assert.match(after.stdout, /0 replace, 2 delete; 0 refused/);
      // The same move unplanned (no plannedChanges.mimir saying to flush the ingester first): the
      // change check refuses it, since the new write StatefulSet starts on empty claims.
      const read = (side: string): StackExport =>
        JSON.parse(fs.readFileSync(path.join(dir, side, "s.json"), "utf8"));
      const unplanned = read("after");
      const outputs = unplanned.deployment.resources.find((r) => r.type === "pulumi:pulumi:Stack")!.outputs;
      delete outputs.plannedChanges.mimir;
      const refused = planChange(
        { export: read("before"), objects: [] },
        { export: unplanned, objects: [] },
      ).refused.map((e) => `${e.action} ${e.subject}: ${e.refused.map((r) => r.reason).join("; ")}`);
      assert.deepEqual(refused, [
        "delete StatefulSet::mimir: renamed to StatefulSet::mimir-write (an alias keeps a resource's identity): its data stays behind and the new one starts empty",
      ]);
    });

    it("on pools too small for it, `npm run synth` exits 2 naming workload.activeSeries, the need and the capacity", async () => {
      const dir = tmpDir("sizing");
      fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
      const stack = parse(fs.readFileSync(path.join(ROOT, "Pulumi.staging.yaml"), "utf8"));
      delete stack.config["homelab-observability:loki"].mode;
      stack.config["homelab-observability:workload"] = { activeSeries: 2000000, logsPerDay: "50GiB" };
      const write = (name: string, pools: unknown) => {
        stack.config["homelab-observability:nodePools"] = pools;
        fs.writeFileSync(path.join(dir, `Pulumi.${name}.yaml`), JSON.stringify(stack));
      };
      write("small", stack.config["homelab-observability:nodePools"]);
      const small = await synthCli("--dir", dir, "--stack", "small", "--no-render", "--out", dir);
      // Staging's three 16 GiB nodes: one Mimir (20.3 GiB) fits none, and the scaled-out shape.s four
      // write pods (2M x 3 in-memory series) find three nodes.
      assert.equal(small.status, 2, small.stdout + small.stderr);
      assert.match(
        small.stderr,
        /workload\.activeSeries: 2000000 series scaled out need 4 mimir write pods requesting 12\.3GiB of memory each, and the node pools hold 3 such pods side by side/,
      );
      // Six of them hold it (MIMIR_READ_WRITE_VARIANT renders it); five do not, in sum.
      write("five", [{ ...MIMIR_RW_POOLS[0], count: 5 }]);
      const five = await synthCli("--dir", dir, "--stack", "five", "--no-render", "--out", dir);
      assert.equal(five.status, 2, five.stdout + five.stderr);
      assert.match(
        five.stderr,
        /workload\.activeSeries: the components sized for .*\(mimir write 4x12\.3GiB, mimir read 2x1GiB, mimir backend 3x2GiB, .*above 80% of the node pools' 80GiB/,
      );
    });
  });

  describe("Prometheus' size retention: at most 85% of its volume (Prometheus docs/storage.md)", () => {
    /** The rendered Prometheus CR of a stack and the budget the synthesis prints for it. */
    const budgetOf = (r: RenderedStack, cr: (spec: any) => void = () => {}) => {
      const resources = withRenderedObjects(r.synth.export.deployment.resources, r.renders).map((x) => {
        if (!x.type.endsWith(":Prometheus")) return x;
        const inputs = structuredClone(x.inputs);
        cr(inputs.spec);
        return { ...x, inputs, outputs: inputs };
      });
      const res = asRes(resources);
      const facts = stackFacts(res);
      return formatBudget(computeBudget(res, facts.pools!, undefined, { facts }));
    };
    const crOf = (r: RenderedStack) => objectsOf(r, "Prometheus")[0] as any;

    it("the rule: 85% rounded down to whole GiB from 10Gi up, to whole MiB below", () => {
      assert.deepEqual(
        ["70Gi", "151Gi", "200Gi", "10Gi", "4Gi", "500Mi", "1Mi"].map((v) => prometheusRetentionSize(mem(v))),
        ["59GiB", "128GiB", "170GiB", "8GiB", "3481MiB", "425MiB", "1MiB"],
      );
    });

    it("unset: 59GiB on the default 70Gi volume, 85% of a workload-sized or set volume; set: kept", () => {
      assert.equal(config({ phase: "dual-write" }).prometheus.retentionSize, "59GiB");
      const w = config({ phase: "dual-write", nodePools: BIG_POOLS, workload: { activeSeries: 2_000_000 } });
      assert.equal(w.prometheus.volumeSize, "151Gi");
      assert.equal(w.prometheus.retentionSize, "128GiB");
      const share = base2Bytes(w.prometheus.retentionSize)! / mem(w.prometheus.volumeSize);
      assert.ok(share <= 0.85 && share > 0.84, String(share));
      assert.equal(
        config({ phase: "dual-write", prometheus: { volumeSize: "200Gi" } }).prometheus.retentionSize,
        "170GiB",
      );
      // A set value stays, even above 85% of the volume (the budget says so; it is not refused).
      assert.equal(
        config({ phase: "dual-write", prometheus: { retentionSize: "60GiB" } }).prometheus.retentionSize,
        "60GiB",
      );
      assert.equal(
        config({ phase: "dual-write", prometheus: { retentionSize: "40GiB", volumeSize: "200Gi" } })
          .prometheus.retentionSize,
        "40GiB",
      );
    });

    it("production (rendered): the Prometheus CR keeps 59GiB of its 70Gi volume and the budget row says so", async () => {
      const r = await rendered(stackFileVariants().find((v) => v.stack === "production")!);
      const spec = crOf(r).spec;
      assert.equal(spec.retentionSize, "59GiB");
      assert.equal(spec.storage.volumeClaimTemplate.spec.resources.requests.storage, "70Gi");
      const text = budgetOf(r);
      assert.match(text, /prometheus +1 +\d+Mi +70GiB \(retention 59GiB\) +the profile/);
      assert.doesNotMatch(text, /prometheus\.retentionSize/);
    });

    it("a set value above 85% but within the volume: the budget names the key, the value, the volume and the rule", async () => {
      const r = await rendered(stackFileVariants().find((v) => v.stack === "production")!);
      const text = budgetOf(r, (spec) => (spec.retentionSize = "60GiB"));
      assert.match(
        text,
        /^prometheus\.retentionSize "60GiB" is 85\.7% of its 70Gi volume \(prometheus\.volumeSize\), above the 85% Prometheus docs\/storage\.md recommends.*kept as set/m,
      );
      assert.doesNotMatch(
        budgetOf(r, (spec) => (spec.retentionSize = "59.5GiB")),
        /prometheus\.retentionSize/,
      );
    });

    it("2M series at dual-write (rendered): the CR's retentionSize is 85% of the workload-sized volume", async () => {
      const r = await rendered(workloadVariants()[1]);
      const spec = crOf(r).spec;
      const volume = spec.storage.volumeClaimTemplate.spec.resources.requests.storage;
      assert.equal(volume, "151Gi");
      assert.equal(spec.retentionSize, "128GiB");
      assert.match(budgetOf(r), /151GiB \(retention 128GiB\) +2000000 series/);
    });
  });

  it("sized components land in the stack-info ConfigMap the pack reads", () => {
    const s = planSizing(config({ phase: "dual-write", nodePools: BIG_POOLS, workload: WORKLOAD_2M }));
    const names = s.components.map((c: SizedComponent) => c.workload);
    assert.deepEqual(names, [
      "mimir",
      "kps-prometheus",
      "loki-ingester",
      "loki-distributor",
      "loki-index-gateway",
      "loki-querier",
      "loki-query-frontend",
      "loki-query-scheduler",
      "loki-compactor",
      "loki-ruler",
    ]);
    assert.ok(s.resources.prometheus && mem(s.resources.prometheus.limits.memory) >= 2e6 * 8333);
  });

  it("each sized component records the profile's floor, which a smaller workload does not go under", () => {
    const vm = (activeSeries: number) =>
      planSizing(
        config({
          phase: "kps-removed",
          profile: "lightweight",
          metricsBackend: "victoriametrics",
          nodePools: BIG_POOLS,
          workload: { activeSeries },
        }),
      ).components.find((c: SizedComponent) => c.component === "vmsingle")!;
    // 1000 series fit the profile's 1Gi: the floor, so declaring fewer lowers nothing.
    assert.deepEqual([vm(1000).memoryBytes, vm(1000).floorBytes], [GiB, GiB]);
    assert.ok(vm(2_000_000).memoryBytes > vm(2_000_000).floorBytes!);
    // What 1000 series need is recorded apart: an override may lower the 1Gi down to it, not below.
    assert.ok(vm(1000).needBytes! > 0 && vm(1000).needBytes! < GiB);
    assert.equal(vm(2_000_000).needBytes, undefined);
  });
});
