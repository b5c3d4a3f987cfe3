import { strict as assert } from "assert";
import { LOKI_GO_MEMLIMIT, parseQuantity } from "@homelab-observability/contract";
import { lokiDistributedShape, lokiPodBytes, planSizing } from "../../config/sizing";
import { podSpecOf } from "../../checks/objects";
import { config } from "../support/helpers";
import { assertRendered, rendered, stackFileVariants } from "../support/rendered";

/*
 * The loki chart gives each Loki container's Go runtime GOMEMLIMIT at 85% of its memory limit
 * (contract LOKI_GO_MEMLIMIT). A Loki pod sized for its logs was limited to its load: its runtime
 * was held to 85% of what the load needs (the 3000 GiB a day compactor's 10.8GiB ran under a
 * GOMEMLIMIT of 9.2GiB), and the pack let a chartValues override lower it to that load.
 */

const GIB = 2 ** 30;
const MIB = 2 ** 20;

describe("config: a Loki pod is limited so that the chart's GOMEMLIMIT holds its load", () => {
  it("the chart renders GOMEMLIMIT at LOKI_GO_MEMLIMIT.default of each Loki container's limit (staging, rendered)", async () => {
    const r = await rendered(stackFileVariants().find((v) => v.stack === "staging")!);
    assertRendered(r);
    const seen: string[] = [];
    for (const { object } of r.objects)
      for (const c of podSpecOf(object)?.containers ?? []) {
        const env = (c.env ?? []).find((e: { name: string }) => e.name === "GOMEMLIMIT");
        const limit = parseQuantity(c.resources?.limits?.memory);
        if (c.name !== "loki" || env === undefined || limit === undefined) continue;
        const mib = Math.floor(limit / MIB);
        assert.equal(env.value, `${Math.floor(mib * LOKI_GO_MEMLIMIT.default)}MiB`, object.metadata.name);
        seen.push(object.metadata.name);
      }
    assert.ok(seen.length > 0, "staging renders a Loki with a memory limit");
  });

  it("each Distributed component sized for 3000 GiB a day is limited to its load over the factor", () => {
    const logs = 3000 * GIB;
    const shape = lokiDistributedShape(logs);
    const sized = planSizing(
      config({
        phase: "kps-removed",
        workload: { logsPerDay: "3000GiB" },
        nodePools: [{ name: "big", arch: "amd64", count: 12, cpu: "16", memory: "64Gi" }],
      }),
    ).components;
    // The share is recorded for the pack: a request holding the load is enough (policy/lib/budget.ts).
    for (const c of sized.filter((x) => x.component.startsWith("loki ")))
      assert.equal(c.runtimeShare, LOKI_GO_MEMLIMIT.default, c.component);
    const compactor = sized.find((c) => c.component === "loki compactor")!;
    assert.ok(compactor.memoryBytes * LOKI_GO_MEMLIMIT.default >= shape.compactor.bytes, "compactor");
    for (const [name, t] of Object.entries(shape)) {
      const c = sized.find((x) => x.component === `loki ${name}`)!;
      assert.ok(
        c.memoryBytes * LOKI_GO_MEMLIMIT.default >= t.bytes,
        `${name}: ${c.memoryBytes} for ${t.bytes}`,
      );
    }
  });

  it("reads a chartValues factor as the template does: its share of the limit, 0.85 at 0, the limit itself above 1", () => {
    const at = (goMemLimitFactor: unknown) =>
      lokiPodBytes({ chartValues: { loki: { defaults: { goSettings: { goMemLimitFactor } } } } }, GIB);
    assert.equal(at(0.5), 2 * GIB);
    // The template reads the factor through `default 0.85` (0 renders 870MiB of a 1Gi limit), and
    // one above 1 sets GOMEMLIMIT past the limit, which then holds the load itself.
    assert.equal(at(0), GIB / LOKI_GO_MEMLIMIT.default);
    assert.equal(at(1.2), GIB);
    assert.equal(lokiPodBytes({ chartValues: {} }, 0.85 * GIB), GIB);
  });
});
