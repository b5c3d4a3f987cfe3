import { strict as assert } from "assert";
import { checkedStackConfig } from "../../config/stackCheck";
import { BASE, P, refusal, stackProject, STORE } from "../support/stackText";

/*
 * The pools' share (BUDGET_MAX_REQUEST_SHARE, 80%) is of what the pods request, as the pack's
 * resource-budget sums it (policy/lib/budget.ts computeBudget): Loki Distributed at its floor runs
 * parts whose request is below their limit (model/sizing.ts: distributor 256Mi of 512Mi, querier
 * 512Mi of 1Gi). The config summed their limits and said "request": a stack whose requests fit
 * was refused, in words naming limits as requests.
 */
const stack = (memory: string) => `${BASE}${STORE}  ${P("secrets")}:
    backend: config
  ${P("nodePools")}:
    - name: workers
      arch: amd64
      count: 3
      cpu: "4"
      memory: ${memory}
  ${P("loki")}:
    mode: Distributed
`;

describe("config: the node pools' share is judged and said on the pods' memory requests, not their limits", () => {
  it("accepts pools whose 80% holds the requests although not the limits (Loki Distributed's floor on 3 nodes of 6Gi)", () =>
    assert.doesNotThrow(() =>
      checkedStackConfig(stackProject(stack("6Gi"), "lab"), "lab", {}, { allowAbsentSecrets: true }),
    ));

  it("names each pod by its request where the requests exceed the share (3 nodes of 4Gi)", () => {
    const e = refusal(stack("4Gi"), "lab");
    assert.match(e.message, /request [\d.]+GiB of memory \(/);
    assert.match(e.message, /loki distributor 2x256MiB/);
    assert.match(e.message, /loki querier 2x512MiB/);
    assert.match(e.message, /above 80% of the node pools' 12GiB/);
  });
});
