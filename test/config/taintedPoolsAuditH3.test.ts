import { strict as assert } from "assert";
import { checkedStackConfig } from "../../config/stackCheck";
import { BASE, P, stackProject, STORE } from "../support/stackText";

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
