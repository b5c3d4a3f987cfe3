import { strict as assert } from "assert";
import { BASE, P, refusal, STORE } from "../support/stackText";

/*
 * Mistakes a new user makes while following the first deploy, the sizing, chart values, Grafana
 * exposure and backup guides: each said once, at its key, with the form it expects, what was found
 * and, for a slip, the value meant (config/stackCheck.ts, config/errors.ts, config/resolve.ts).
 */

/** One node pool of `count` nodes of `memory` each. */
const pool = (count: number, memory = "16Gi") => `  ${P("nodePools")}:
    - name: workers
      arch: amd64
      count: ${count}
      cpu: "4"
      memory: ${memory}
`;

describe("config: the mistakes the first-deploy, sizing, chart values and Grafana guides lead to", function () {
  this.timeout(20000);

  describe("Loki Distributed on fewer nodes than its ingesters need: one message, naming the key the user set", () => {
    it("a workload.logsPerDay past Monolithic on one node is one message at workload.logsPerDay, not at the unset loki.mode", () => {
      const e = refusal(`${BASE}${STORE}${pool(1, "8Gi")}  ${P("workload")}:\n    logsPerDay: 50GiB\n`);
      assert.equal(e.problems.length, 1, e.message);
      assert.match(
        e.problems[0],
        /^homelab-observability:workload\.logsPerDay: 50GiB a day is above what Monolithic Loki holds \(about 20 GB a day, .*\); past it Loki runs Distributed, at least 3 ingesters on distinct nodes \(replication factor 3; .*\), and nodePools has 1 node\(s\) without NoSchedule taints; add nodes to nodePools$/,
      );
      // "use Monolithic" would be refused for that many logs: the message does not offer it.
      assert.doesNotMatch(e.message, /use "Monolithic"|loki\.mode/);
    });

    it("loki.mode: Distributed set on one node is one message: its pods are not judged again against the pools", () => {
      const e = refusal(`${BASE}${STORE}${pool(1)}  ${P("loki")}:\n    mode: Distributed\n`);
      assert.equal(e.problems.length, 1, e.message);
      assert.match(
        e.problems[0],
        /^homelab-observability:loki\.mode: "Distributed" runs at least 3 ingesters on distinct nodes .*nodePools has 1 node\(s\) without NoSchedule taints; use "Monolithic" here, or add nodes$/,
      );
    });

    it("loki.mode: Distributed set beside logs Monolithic cannot hold is not told to use Monolithic", () => {
      const e = refusal(
        `${BASE}${STORE}${pool(2)}  ${P("loki")}:\n    mode: Distributed\n  ${P("workload")}:\n    logsPerDay: 50GiB\n`,
      );
      assert.equal(e.problems.length, 1, e.message);
      assert.match(
        e.problems[0],
        /^homelab-observability:loki\.mode: "Distributed" runs .*; add nodes to nodePools$/,
      );
    });
  });
});
