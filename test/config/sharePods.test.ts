import { strict as assert } from "assert";
import { isParked } from "@homelab-observability/contract";
import { sharePods } from "../../config/sizing";
import { checkedStackConfig } from "../../config/stackCheck";
import { stackBudget } from "../../policy/evaluate";
import { withRenderedObjects } from "../../synth/render/objects";
import { ROOT, stackOverrides } from "../support/helpers";
import {
  assertRendered,
  MIMIR_READ_WRITE_VARIANT,
  rendered,
  stackFileVariants,
  VM_CLUSTER_VARIANT,
  type Variant,
} from "../support/rendered";

/** pi declaring 8900000 series: a VMCluster the pack refused (80.6%); the config now refuses it. */
const PI_8_9M: Variant = {
  title: "pi at 8900000 series",
  stack: "pi",
  over: { workload: { activeSeries: 8_900_000 } },
};
/** pi declaring 8800000 series: the same VMCluster's pods, within the share. */
const PI_8_8M: Variant = {
  ...PI_8_9M,
  title: "pi at 8800000 series",
  over: { workload: { activeSeries: 8_800_000 } },
};

/*
 * The config's fit check judges the pools' 80% share (config/sizing.ts fitProblems) on the same
 * pods the pack's resource-budget judges it on, every running pod (policy/lib/budget.ts
 * computeBudget; not a hook Helm runs only at uninstall): the pods it sizes, the DaemonSets' pods,
 * and the others (the profile's sizes, the auxiliary pods of model/auxiliaryPods.ts, the sidecars an
 * operator injects). Each pod the config judges is a rendered workload at the request the pack reads,
 * and the two sums are equal to the byte: else the config would pass a stack the pack refuses
 * (issue 51: pi at 8900000 series) or refuse one at a figure no object holds.
 */
describe("config: the pools' share counts the pods the pack's budget counts, at its requests", () => {
  for (const v of [...stackFileVariants(), VM_CLUSTER_VARIANT, MIMIR_READ_WRITE_VARIANT, PI_8_8M])
    it(`${v.title}: each judged pod is a rendered workload with that request, and the config's sum is the pack's`, async () => {
      const overrides = stackOverrides(v.over);
      const { cfg } = checkedStackConfig(ROOT, v.stack, {}, { allowAbsentSecrets: true, overrides });
      const counted = sharePods(cfg);
      const r = await rendered(v);
      assertRendered(r);
      const budget = stackBudget(withRenderedObjects(r.synth.export.deployment.resources, r.renders));
      assert.ok(budget, `${v.stack}: no stack-info pools`);
      // What the share sums: every pod that runs, not a hook Helm runs only at uninstall.
      const running = budget.workloads.filter(
        (w) => !(w.kind === "DaemonSet" && isParked(w)) && !w.uninstallOnly,
      );
      for (const c of counted.judged) {
        const w = running.find((x) => x.object === c.workload && x.kind !== "DaemonSet");
        assert.ok(w, `${v.stack}: ${c.component} (${c.workload}) is no rendered workload`);
        assert.equal(w.replicas, c.replicas, `${v.stack}: ${c.component} pods`);
        // The pod's own containers at the size the config judges; an operator's sidecar beside the
        // sized one (Workload.injectedMemory) is counted among the other pods' requests.
        assert.equal(
          w.requests.memory - (w.injectedMemory ?? 0),
          c.requestBytes,
          `${v.stack}: ${c.component} counted at ${c.requestBytes}, its pod requests ${w.requests.memory}`,
        );
      }
      const daemonSets = running.filter((w) => w.kind === "DaemonSet");
      assert.deepEqual(
        counted.onPools.map((d) => d.daemon.workload).sort(),
        daemonSets.map((w) => w.name).sort(),
        `${v.stack}: the DaemonSets`,
      );
      for (const d of counted.onPools) {
        const w = daemonSets.find((x) => x.name === d.daemon.workload)!;
        assert.equal(w.requests.memory, d.daemon.memory, `${v.stack}: ${d.daemon.workload}'s pod`);
      }
      // As many pods as the pack counts beside the DaemonSets (a sidecar is no pod of its own).
      const pods = running.filter((w) => w.kind !== "DaemonSet");
      const sidecars = counted.beside.filter((b) => b.name.endsWith("config reloader"));
      assert.equal(
        [...counted.judged, ...counted.beside].reduce((n, c) => n + c.replicas, 0) -
          sidecars.reduce((n, b) => n + b.replicas, 0),
        pods.reduce((n, w) => n + w.replicas, 0),
        `${v.stack}: the config counts ${counted.beside.map((b) => `${b.name} ${b.replicas}`).join(", ")} beside ${counted.judged.map((c) => c.component).join(", ")}; the pack ${pods.map((w) => `${w.name} ${w.replicas}`).join(", ")}`,
      );
      assert.equal(
        counted.need + counted.daemonNeed + counted.besideNeed,
        budget.total.sums.memory,
        `${v.stack}: the config counts ${counted.need + counted.daemonNeed + counted.besideNeed}, the pack ${budget.total.sums.memory} (${pods.map((w) => `${w.name} ${w.replicas}x${w.requests.memory}`).join(", ")})`,
      );
      assert.equal(counted.capacity, budget.total.capacity.memory, `${v.stack}: the pools' memory`);
    });

  it("pi at 8900000 series: the config refuses it at workload.activeSeries, at the share its sum gives (issue 51: the pack refused it at 80.6%)", () => {
    assert.throws(
      () =>
        checkedStackConfig(
          ROOT,
          "pi",
          {},
          { allowAbsentSecrets: true, overrides: stackOverrides(PI_8_9M.over) },
        ),
      (e: Error) => {
        const line =
          /homelab-observability:workload\.activeSeries: the components sized for workload\.activeSeries request .* \(vmstorage 3x.*: (\d+)Mi together \((\d+\.\d)%\), above 80% of the node pools' 24GiB\n/.exec(
            e.message,
          );
        assert.ok(line, e.message);
        // The same pods as at 8800000 series (the variant above, whose sum is the pack's), vmstorage
        // sized for 8900000.
        const { cfg } = checkedStackConfig(
          ROOT,
          "pi",
          {},
          { allowAbsentSecrets: true, overrides: stackOverrides(PI_8_8M.over) },
        );
        const at = sharePods({ ...cfg, workload: { ...cfg.workload, activeSeries: 8_900_000 } });
        const sum = at.need + at.daemonNeed + at.besideNeed;
        assert.deepEqual(
          [Number(line[1]), line[2]],
          [Math.round(sum / 2 ** 20), ((100 * sum) / at.capacity).toFixed(1)],
        );
        assert.ok(sum > 0.8 * at.capacity);
        return true;
      },
    );
  });
});
