import { strict as assert } from "assert";
import { checkedStackConfig } from "../../config/stackCheck";
import { evaluateResources } from "../../policy/evaluate";
import { withRenderedObjects } from "../../synth/render/objects";
import { ROOT, stackOverrides } from "../support/helpers";
import { assertRendered, rendered, type Variant } from "../support/rendered";

/*
 * A way out the config's check offers is a promise: the stack so changed passes. The check's share
 * counts the pods the pack's budget counts (test/config/sharePods.test.ts), so a way it offers,
 * followed, passes the pack's resource-budget too (issue 51: example with one 24Gi node and a
 * Mimir capped at 2500000 series was told "at most 1850000", which the pack refused at 90.3%).
 */

const POOL = { name: "node", arch: "amd64", count: 1, cpu: "4", memory: "24Gi" };
const EXAMPLE_MIMIR: Variant = {
  title: "example, standard, mimir, one 24Gi node, 2500000 series cap",
  stack: "example",
  over: {
    profile: "standard",
    metricsBackend: "mimir",
    nodePools: [POOL],
    mimir: { maxGlobalSeriesPerUser: 2_500_000 },
  },
};

/** The config's refusal of a variant (its message). */
function refusal(v: Variant): string {
  try {
    checkedStackConfig(ROOT, v.stack, {}, { allowAbsentSecrets: true, overrides: stackOverrides(v.over) });
  } catch (e) {
    return (e as Error).message;
  }
  assert.fail(`${v.title}: the config passes it`);
}

/** The pack's resource-budget findings over the render of a variant the config passes. */
async function budgetFindings(v: Variant): Promise<string[]> {
  checkedStackConfig(ROOT, v.stack, {}, { allowAbsentSecrets: true, overrides: stackOverrides(v.over) });
  const r = await rendered(v);
  assertRendered(r);
  const resources = withRenderedObjects(r.synth.export.deployment.resources, r.renders);
  const found = await evaluateResources(resources, { all: "disabled", "resource-budget": "mandatory" });
  return found.map((f) => f.message);
}

describe("config: each way out its fit check offers, followed, passes the pack's budget", function () {
  this.timeout(600000);

  it("example, one 24Gi node, a Mimir capped at 2500000 series: the lower cap and the larger node it names each pass", async () => {
    const message = refusal(EXAMPLE_MIMIR);
    const ways =
      /mimir\.maxGlobalSeriesPerUser: 2500000 series need .* in one mimir pod, .*; lower mimir\.maxGlobalSeriesPerUser to at most (\d+) or add a node of at least (\d+(?:\.\d)?Gi) in a pool of its own \(it holds the mimir pod at 2500000 series within its share\)\n/.exec(
        message,
      );
    assert.ok(ways, message);
    const [cap, node] = [Number(ways[1]), ways[2]];
    const lowered: Variant = {
      ...EXAMPLE_MIMIR,
      title: `${EXAMPLE_MIMIR.title}, lowered to ${cap}`,
      over: { ...EXAMPLE_MIMIR.over, mimir: { maxGlobalSeriesPerUser: cap } },
    };
    assert.deepEqual(await budgetFindings(lowered), []);
    // The cap is the largest (in steps of 10000) that passes: one step more is refused at the share.
    const above = refusal({
      ...lowered,
      over: { ...lowered.over, mimir: { maxGlobalSeriesPerUser: cap + 10_000 } },
    });
    assert.match(above, /: \d+Mi together \(\d+\.\d%\), above 80% of the node pools' 24GiB\n/);
    const added: Variant = {
      ...EXAMPLE_MIMIR,
      title: `${EXAMPLE_MIMIR.title}, a ${node} node added`,
      over: { ...EXAMPLE_MIMIR.over, nodePools: [POOL, { ...POOL, name: "node-larger", memory: node }] },
    };
    assert.deepEqual(await budgetFindings(added), []);
  });
});
