/**
 * Audit hPi2: a taint that keeps workloads off every pool is one message naming the pool's
 * `nodePools[i].taints` and every workload it keeps off (six lines before); a node agent (a
 * DaemonSet) that an override keeps off some pool is refused, naming the pool and what keeps it off.
 */
import { strict as assert } from "assert";
import { check, fails, passes, stackInfo, v4Chart, workload } from "../support/policyCases";

const tainted = { key: "pi", value: "true", effect: "NoSchedule" };
const app = (name: string, sched: Record<string, any> = {}) =>
  workload("Deployment", name, {
    containers: [
      { name: "c", image: "grafana/loki", resources: { requests: { cpu: "100m", memory: "128Mi" } } },
    ],
    ...sched,
  });
/** The required node affinity the prometheus-node-exporter chart renders by default, which every pool here satisfies. */
const NOT_ON_FARGATE = {
  nodeAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: {
      nodeSelectorTerms: [
        {
          matchExpressions: [
            { key: "eks.amazonaws.com/compute-type", operator: "NotIn", values: ["fargate"] },
            { key: "type", operator: "NotIn", values: ["virtual-kubelet"] },
          ],
        },
      ],
    },
  },
};
const agent = (sched: Record<string, any>) =>
  v4Chart("vector", [
    workload("DaemonSet", "vector", {
      containers: [
        { name: "c", image: "timberio/vector:0.56.0-debian", resources: { requests: { cpu: "50m" } } },
      ],
      ...sched,
    }),
  ]);

describe("policy (budget): one taint, one message (audit hPi2)", () => {
  it("names nodePools[0].taints and every workload it keeps off, once", async () => {
    const v = await check(
      [
        stackInfo([{ name: "pi5", arch: "arm64", count: 3, taints: [tainted] }]),
        ...v4Chart("s", [app("a"), app("b"), app("c")]),
      ],
      "resource-budget",
    );
    const pending = v.filter((x) => /would stay Pending/.test(x.message));
    assert.equal(pending.length, 1, pending.map((x) => x.message).join("\n"));
    assert.match(
      pending[0].message,
      /^`nodePools\[0\]\.taints` \(pool pi5\): taint pi=true:NoSchedule, not tolerated: no node of the pool admits a, b, c, so they would stay Pending\. To run them: remove the taint, add a pool without it, or give these workloads a toleration/,
    );
    assert.ok(pending[0].cause, "a cause, for the synthesis to merge by");
  });

  it("names only the part of the node selection no pool satisfies", async () => {
    const v = await check(
      [
        stackInfo([{ name: "pi5", arch: "arm64", count: 3 }]),
        ...v4Chart("s", [
          app("a", { nodeSelector: { "kubernetes.io/arch": "amd64" }, affinity: NOT_ON_FARGATE }),
        ]),
      ],
      "resource-budget",
    );
    const pending = v.filter((x) => /would stay Pending/.test(x.message));
    assert.equal(pending.length, 1, v.map((x) => x.message).join("\n"));
    assert.match(
      pending[0].message,
      /^the nodeSelector kubernetes\.io\/arch=amd64 of a: `nodePools\[0\]\.labels` \(pool pi5\): its labels/,
    );
  });
});

describe("policy (node-agents-on-every-pool): a node agent kept off a pool (audit hPi2)", () => {
  const pools = () =>
    stackInfo([
      { name: "pi5", arch: "arm64", count: 3, taints: [tainted] },
      { name: "x86", arch: "amd64", count: 1 },
    ]);
  const P = "node-agents-on-every-pool";
  it("passes: the agent tolerates every pool's taint (what the program renders)", () =>
    passes(
      [
        pools(),
        ...agent({ tolerations: [{ key: "pi", operator: "Equal", value: "true", effect: "NoSchedule" }] }),
      ],
      P,
    ));
  it("passes: an Exists toleration without a key tolerates every taint (toleration.go ToleratesTaint)", () =>
    passes([pools(), ...agent({ tolerations: [{ operator: "Exists" }] })], P));
  it("fails: tolerations [] leave the tainted pool without the agent, naming the taint's key", () =>
    fails(
      [pools(), ...agent({ tolerations: [] })],
      P,
      /^DaemonSet vector runs no pod on 1 of 2 node pools \(3 nodes\), so the pod logs and the journal \(the log agent\) of those nodes never arrive: pool pi5: its tolerations do not tolerate pi=true:NoSchedule of `nodePools\[0\]\.taints`\. A node agent runs on every node: leave its tolerations to the program/,
    ));
  it("fails: a toleration of another value does not tolerate (Equal compares values)", () =>
    fails(
      [
        pools(),
        ...agent({ tolerations: [{ key: "pi", operator: "Equal", value: "false", effect: "NoSchedule" }] }),
      ],
      P,
      /pool pi5: its tolerations do not tolerate/,
    ));
  it("fails: a nodeSelector on amd64 keeps it off the arm64 pool, naming the selector", () =>
    fails(
      [
        pools(),
        ...agent({ tolerations: [{ operator: "Exists" }], nodeSelector: { "kubernetes.io/arch": "amd64" } }),
      ],
      P,
      /pool pi5: its nodeSelector kubernetes\.io\/arch=amd64 matches none of its labels \(kubernetes\.io\/arch=arm64\)\. A node agent runs on every node: leave its nodeSelector to the program/,
    ));
  // The node-exporter chart's own affinity (not on Fargate, not on a virtual kubelet) admits every
  // pool: naming it beside the override sent the reader to a value that keeps nothing off.
  it("fails: names only the part of the node selection that keeps it off, not an affinity the pool satisfies", () =>
    fails(
      [
        pools(),
        ...agent({
          tolerations: [{ operator: "Exists" }],
          nodeSelector: { "kubernetes.io/arch": "amd64" },
          affinity: NOT_ON_FARGATE,
        }),
      ],
      P,
      /pool pi5: its nodeSelector kubernetes\.io\/arch=amd64 matches none of its labels \(kubernetes\.io\/arch=arm64\)\. A node agent runs on every node: leave its nodeSelector to the program \(/,
    ));
});
