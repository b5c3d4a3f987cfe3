import { strict as assert } from "assert";
import { checkedStackConfig } from "../../config/stackCheck";
import { vmClusterShape } from "../../config/sizing";
import { BASE, P, refusal, stackProject, STORE } from "../support/stackText";

/*
 * Every pool tainted NoSchedule (a dedicated monitoring pool): whether a workload lands is the
 * pack's resource-budget, which reads the tolerations the rendered pods carry (a chartValues
 * override may give them) and names nodePools[i].taints with every workload kept off. The config
 * refused it first, in untrue words at keys the stack file never set: the series cap's default
 * (`mimir.maxGlobalSeriesPerUser: 1000000 series need 11.1GiB of memory in one mimir pod, above
 * what the largest node of nodePools holds`, of a 16Gi node, at Pulumi.yaml), `loki.replicas:
 * expected at most 0` and Distributed's "nodePools has 0 node(s) without NoSchedule taints". The
 * stack-wide runs show resource-budget's message (test/policy/budget*.test.ts).
 */
const stack = (more = "") => `${BASE}${STORE}  ${P("secrets")}:
    backend: config
  ${P("nodePools")}:
    - name: monitoring
      arch: amd64
      count: 3
      cpu: "4"
      memory: 16Gi
      taints:
        - key: dedicated
          value: monitoring
          effect: NoSchedule
${more}`;

const accepted = (text: string) =>
  assert.doesNotThrow(() =>
    checkedStackConfig(stackProject(text, "lab"), "lab", {}, { allowAbsentSecrets: true }),
  );

describe("config: every node pool tainted NoSchedule or NoExecute is left to resource-budget (audit h3)", () => {
  it("the series cap's default is not refused against a pool no pod without tolerations lands on", () =>
    accepted(stack()));
  for (const loki of ["replicas: 3", "mode: Distributed"])
    it(`nor loki.${loki} against no open node`, () => accepted(stack(`  ${P("loki")}:\n    ${loki}\n`)));
});

/*
 * Every pool tainted, the pods that run at all run on those pools (with the tolerations
 * resource-budget judges): the shapes are chosen and the sized pods judged against them, as against
 * open pools. Against none, any declared workload went past "the largest node" (0 bytes): a
 * vmsingle holding 1000 series became a VMCluster (its data left behind), and no sized pod or sum
 * was judged at all.
 */
const vmStack = (memory: string, workload: string) => `${BASE}${STORE}  ${P("secrets")}:
    backend: config
  ${P("metricsBackend")}: victoriametrics
  ${P("profile")}: lightweight
  ${P("nodePools")}:
    - name: monitoring
      arch: arm64
      count: 3
      cpu: "4"
      memory: ${memory}
      taints:
        - key: dedicated
          value: monitoring
          effect: NoSchedule
  ${P("workload")}:
${workload}`;

describe("config: every node pool tainted, the shapes and sizes are judged against those pools (audit h3)", () => {
  it("a vmsingle that fits their nodes stays one (no VMCluster for 1000 series)", () => {
    const { cfg } = checkedStackConfig(
      stackProject(vmStack("8Gi", "    activeSeries: 1000\n"), "lab"),
      "lab",
      {},
      {
        allowAbsentSecrets: true,
      },
    );
    assert.equal(vmClusterShape(cfg), undefined);
  });
  it("sized pods past 80% of their memory are refused as on open pools", () => {
    // Of 2Gi nodes the pods' requests take 3.8GiB of 6GiB (the DaemonSets' included), under 80%:
    // only their limits passed it.
    const e = refusal(vmStack("1536Mi", "    activeSeries: 1000000\n    logsPerDay: 15GiB\n"), "lab");
    assert.match(
      e.message,
      /request [\d.]+GiB of memory \(vmstorage 2x1GiB, vminsert 2x96MiB, vmselect 2x192MiB/,
    );
    assert.match(e.message, /above 80% of the node pools' 4\.5GiB/);
  });
});

describe("config: Loki's node count names both taints it leaves out (audit r1)", () => {
  it("a pool tainted NoExecute only is not among the nodes counted, and the message says why", () => {
    const e = refusal(
      `${BASE}${STORE}  ${P("secrets")}:
    backend: config
  ${P("nodePools")}:
    - name: open
      arch: amd64
      count: 1
      cpu: "4"
      memory: 16Gi
    - name: evicting
      arch: amd64
      count: 2
      cpu: "4"
      memory: 16Gi
      taints:
        - key: dedicated
          value: batch
          effect: NoExecute
  ${P("loki")}:
    replicas: 3
`,
      "lab",
    );
    assert.match(
      e.message,
      /loki\.replicas: expected at most 1, the nodes of nodePools without NoSchedule or NoExecute taints/,
    );
  });
});
