import { strict as assert } from "assert";
import { ConfigError } from "../../config/errors";
import { loadStackConfig } from "../../config/load";
import { withRuntimeConfig } from "../support/runtimeConfig";
import { BASE, P, refusal, stackProject, STORE } from "../support/stackText";

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

  it("the provider's own kubernetes:context naming another cluster is said in the same run as the other kubernetes: keys, at its line", () => {
    const e = refusal(`${BASE}${STORE}  kubernetes:namespace: foo\n  kubernetes:context: admin@other\n`);
    assert.deepEqual(
      e.problems.map((p) => p.split(":").slice(0, 2).join(":")),
      ["kubernetes:namespace", "kubernetes:context"],
      e.message,
    );
    assert.ok(
      e.problems.includes(
        'kubernetes:context: expected nothing or the stack\'s pinned context "admin@example" (homelab-observability:kubeContext), got "admin@other"; remove it (`pulumi config rm --stack s kubernetes:context`)',
      ),
      e.message,
    );
    assert.match(e.message, /Pulumi\.s\.yaml:8:3\n/);
  });

  it("so does the program, as `pulumi preview` runs it (config/load.ts): both kubernetes: keys in one refusal", async () => {
    const text = `${BASE}${STORE}  kubernetes:namespace: foo\n  kubernetes:context: admin@other\n`;
    const dir = stackProject(text, "lab");
    const problems = await withRuntimeConfig(
      "lab",
      {
        [P("kubeContext")]: "admin@example",
        [P("phase")]: "kps-removed",
        [P("objectStore")]: JSON.stringify({ type: "minio", endpoint: "http://minio.storage.svc:9000" }),
        "kubernetes:namespace": "foo",
        "kubernetes:context": "admin@other",
      },
      () => {
        try {
          loadStackConfig(dir, false);
        } catch (e) {
          assert.ok(e instanceof ConfigError, String(e));
          return e.problems.filter((p) => p.startsWith("kubernetes:"));
        }
        return assert.fail("the config passed");
      },
    );
    assert.deepEqual(
      problems.map((p) => p.split(":").slice(0, 2).join(":")).sort(),
      ["kubernetes:context", "kubernetes:namespace"],
      problems.join("\n"),
    );
  });

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
