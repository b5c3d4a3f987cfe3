import { strict as assert } from "assert";
import { isParked } from "@homelab-observability/contract";
import { sharePods } from "../../config/sizing";
import { checkedStackConfig } from "../../config/stackCheck";
import { stackBudget } from "../../policy/evaluate";
import type { Workload } from "../../policy/lib/workloads";
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

/** pi declaring 8900000 series: a VMCluster the config's check passes and the pack refuses (80.6%). */
const PI_8_9M: Variant = {
  title: "pi at 8900000 series",
  stack: "pi",
  over: { workload: { activeSeries: 8_900_000 } },
};

/*
 * The config's fit check judges the pools' 80% share on the pods it sizes and the DaemonSets' pods
 * (config/sizing.ts fitProblems); the pack's resource-budget judges it on every running pod
 * (policy/lib/budget.ts computeBudget; not a hook Helm runs only at uninstall). Each pod the config
 * counts must be one the pack counts, at the request the pack reads from the render (less what an
 * operator injects beside it): else the config would refuse a stack the pack passes, at a figure no
 * object holds. The pack counts more pods than the config (issue 51: a stack may pass the config
 * and be refused by the pack, never the other way); the difference is theirs alone, to the byte.
 */
describe("config: the pods the pools' share counts are the pack's budget's, at its requests", () => {
  for (const v of [...stackFileVariants(), VM_CLUSTER_VARIANT, MIMIR_READ_WRITE_VARIANT, PI_8_9M])
    it(`${v.title}: each counted pod is a rendered workload with that request, the rest of the pack's sum the pods it leaves out`, async () => {
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
      const seen = new Set<Workload>();
      let injected = 0;
      for (const c of counted.judged) {
        const w = running.find((x) => x.object === c.workload && x.kind !== "DaemonSet");
        assert.ok(w, `${v.stack}: ${c.component} (${c.workload}) is no rendered workload`);
        assert.equal(w.replicas, c.replicas, `${v.stack}: ${c.component} pods`);
        // The pod's own containers at the size the config counts; an operator's sidecar beside the
        // sized one adds to the pod (Workload.injectedMemory), which the config does not count.
        assert.equal(
          w.requests.memory - (w.injectedMemory ?? 0),
          c.requestBytes,
          `${v.stack}: ${c.component} counted at ${c.requestBytes}, its pod requests ${w.requests.memory}`,
        );
        seen.add(w);
        injected += (w.injectedMemory ?? 0) * w.replicas;
      }
      for (const d of counted.onPools) {
        const w = running.find((x) => x.kind === "DaemonSet" && x.name === d.daemon.workload);
        assert.ok(w, `${v.stack}: DaemonSet ${d.daemon.workload} is not rendered`);
        assert.equal(w.requests.memory, d.daemon.memory, `${v.stack}: ${d.daemon.workload}'s pod`);
        seen.add(w);
      }
      // The rest of the pack's sum is the pods the config leaves out, each counted once: the
      // difference is theirs and the injected sidecars', to the byte (issue 51: what remains).
      const left = running.filter((w) => !seen.has(w));
      assert.deepEqual(
        left.filter((w) => w.kind === "DaemonSet").map((w) => w.name),
        [],
        `${v.stack}: DaemonSets the config does not count`,
      );
      const leftSum = left.reduce((n, w) => n + w.requests.memory * w.replicas, 0);
      assert.equal(
        counted.need + counted.daemonNeed + injected + leftSum,
        budget.total.sums.memory,
        `${v.stack}: the config counts ${counted.need + counted.daemonNeed}, the pack ${budget.total.sums.memory}, beside ${left.map((w) => `${w.name} ${w.replicas}x${w.requests.memory}`).join(", ")}`,
      );
      assert.equal(counted.capacity, budget.total.capacity.memory, `${v.stack}: the pools' memory`);
    });
});
