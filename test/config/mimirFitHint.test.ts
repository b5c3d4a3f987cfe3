import { strict as assert } from "assert";
import { configProblems as problems } from "../support/helpers";

/*
 * The ways out a Mimir bigger than the largest node is offered (config/sizing.ts mimirFitHint) are
 * ways that work: the lightweight profile is offered only where the stack so changed passes the
 * workload checks (config/resolve.ts fitsWith), as floorWays' offers are. It was offered wherever
 * the pod fit beside the lightweight DaemonSets' pods, and the stack so changed could still be
 * refused (exit 2) past the pools' share.
 */

const pools = (count: number) => [{ name: "workers", arch: "amd64", count, cpu: "4", memory: "16Gi" }];
// 1516000 series ask 16192Mi: above what the standard DaemonSets' pods leave of a 16Gi node,
// within the lightweight ones' (test/config/sizing.test.ts).
const at = (count: number, over: Record<string, unknown> = {}) => ({
  phase: "kps-removed",
  nodePools: pools(count),
  mimir: { maxGlobalSeriesPerUser: 1_516_000 },
  ...over,
});

describe("config: mimirFitHint offers the lightweight profile only where the stack so changed fits", () => {
  it("offers it on three nodes, where the lightweight stack passes", () => {
    const p = problems(at(3));
    assert.equal(p.length, 1, p.join("\n"));
    assert.match(
      p[0],
      /, set profile: lightweight and metricsBackend: mimir \(its DaemonSets' pods request less/,
    );
    assert.deepEqual(problems(at(3, { profile: "lightweight", metricsBackend: "mimir" })), []);
  });

  it("does not offer it on one node, where the lightweight stack is past the pools' share", () => {
    const p = problems(at(1));
    assert.equal(p.length, 1, p.join("\n"));
    assert.match(
      p[0],
      /^homelab-observability:mimir\.maxGlobalSeriesPerUser: 1516000 series need 15\.8GiB of memory in one mimir pod, above /,
    );
    assert.doesNotMatch(p[0], /lightweight/);
    const taken = problems(at(1, { profile: "lightweight", metricsBackend: "mimir" }));
    assert.equal(taken.length, 1, taken.join("\n"));
    assert.match(
      taken[0],
      /request 15\.8GiB of memory \(mimir 1x15\.8GiB\) .*above 80% of the node pools' 16GiB$/,
    );
  });

  it("offers a lower series cap and scaling out only where the stack so changed passes (one 16Gi node)", () => {
    // Offered 1510000 (its pod fits the node) and 1400000 was still past the pools' share; scaled
    // out, its three write pods find one node. The offer is now the largest cap that passes, the
    // share counting every pod the pack's budget counts (1160000 left out Loki and the other
    // pods, and the pack refused it: issue 51).
    const p = problems(at(1));
    assert.equal(p.length, 1, p.join("\n"));
    assert.match(p[0], /; lower mimir\.maxGlobalSeriesPerUser to at most 880000 or add a node of at least/);
    assert.doesNotMatch(p[0], /workload\.activeSeries/);
    assert.deepEqual(problems(at(1, { mimir: { maxGlobalSeriesPerUser: 880_000 } })), []);
    assert.equal(problems(at(1, { mimir: { maxGlobalSeriesPerUser: 890_000 } })).length, 1);
    assert.equal(problems(at(1, { workload: { activeSeries: 1_516_000 } })).length, 1);
    // Nor on the default pool's three 16Gi nodes at 2000000, whose scaled-out write pods they cannot place.
    const two = { phase: "kps-removed", mimir: { maxGlobalSeriesPerUser: 2_000_000 } };
    assert.doesNotMatch(problems(two).join("\n"), /declare workload\.activeSeries/);
    assert.equal(problems({ ...two, workload: { activeSeries: 2_000_000 } }).length, 1);
  });

  it("offers more nodes where a Mimir fits the node but no cap passes (one 4Gi node)", () => {
    const small = {
      phase: "kps-removed",
      nodePools: [{ name: "w", arch: "amd64", count: 1, cpu: "4", memory: "4Gi" }],
    };
    const p = problems({ ...small, mimir: { maxGlobalSeriesPerUser: 1_000_000 } });
    assert.equal(p.length, 1, p.join("\n"));
    // Even 10000 series are past the pools' share here: no cap is offered.
    assert.match(p[0], /3\.8GiB left\); add nodes or larger ones \(nodePools\)$/);
    assert.equal(problems({ ...small, mimir: { maxGlobalSeriesPerUser: 10_000 } }).length, 1);
  });
});
