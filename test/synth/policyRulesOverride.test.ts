/**
 * A NetworkPolicy of the program is no release's object, yet a rule of it nothing uses follows from
 * the values of the releases whose pods it is written for (checks/networkPolicies.ts
 * releasesConcerned): synth/report.ts overrideCauses joins it to the report naming that release's
 * chartValues override, as it joins the release's own reports.
 */
import { strict as assert } from "assert";
import { checkNetworkPolicies } from "../../checks/networkPolicies";
import type { Placed } from "../../checks/objects";
import type { Violation } from "../../policy/evaluate";
import { mergeProblems } from "../../synth/report";
import { release } from "../support/policyCases";
import { deployment, edgePolicy } from "../support/checkCases";

const NS = "monitoring";
const lokiPods = { "app.kubernetes.io/instance": "loki" };
const amPods = { "app.kubernetes.io/instance": "alertmanager" };

describe("one message per mistake: NetworkPolicy rules follow from the values of the releases whose pods they concern", () => {
  const loki = release("loki", { deploymentMode: "Bogus" }, { name: "loki" });
  const am = release("alertmanager", { replicas: 1 }, { name: "alertmanager" });
  const mode: Violation = {
    policy: "loki-replication-factor",
    level: "mandatory",
    urn: loki.urn,
    message: `kubernetes:helm.sh/v3:Release "loki": values.deploymentMode is "Bogus", none of this chart's modes`,
  };
  const np = (name: string, pods: Record<string, string>, from: Record<string, string>, to?: object) =>
    ({
      obj: edgePolicy(name, pods, from, to),
      urn: `urn:np-${name}`,
      source: `resource np-${name}`,
    }) satisfies Placed;
  /**
   * Loki's ruler would send alerts to Alertmanager: with an unknown mode the chart renders no ruler,
   * only its gateway (`gateway`) or, with that left out too, none of Loki's pods but its ConfigMap.
   */
  const objects = (gateway: boolean): Placed[] => [
    {
      obj: deployment("alertmanager", amPods, { "app.kubernetes.io/component": "alertmanager" }),
      urn: am.urn,
      source: "release alertmanager",
    },
    {
      obj: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "loki", namespace: NS }, data: {} },
      urn: loki.urn,
      source: "release loki",
    },
    ...(gateway
      ? [
          {
            obj: deployment("gateway", lokiPods, { "app.kubernetes.io/component": "gateway" }),
            urn: loki.urn,
            source: "release loki",
          },
        ]
      : []),
    np("alertmanager", amPods, lokiPods),
    np("loki", lokiPods, amPods, { namespace: NS, pods: amPods }),
  ];
  const unused = (gateway: boolean) =>
    checkNetworkPolicies(objects(gateway)).findings.filter((f) => / uses/.test(f.message));

  for (const gateway of [true, false])
    it(`the rules of the edge an override's release no longer serves join that override's message (${gateway ? "some of its pods left" : "none of its pods left"})`, () => {
      const findings = unused(gateway);
      assert.equal(findings.length, 3, JSON.stringify(findings, null, 1));
      const stack = { resources: [loki, am], overrides: ["loki.deploymentMode"] };
      const merged = mergeProblems([mode], findings, stack);
      assert.equal(merged.findings.length, 0, JSON.stringify(merged.findings, null, 1));
      assert.deepEqual(merged.violations[0].alsoAt, [
        "[network-policy] NetworkPolicy monitoring/alertmanager (resource np-alertmanager): ingress rule 0",
        "[network-policy] NetworkPolicy monitoring/loki (resource np-loki): ingress rule 0",
        "[network-egress] NetworkPolicy monitoring/loki (resource np-loki): egress rule 0",
      ]);
    });

  it("when both releases a rule concerns are overridden, which one is at fault is not known: the rule stays apart", () => {
    const findings = unused(true);
    const stack = { resources: [loki, am], overrides: ["loki.deploymentMode", "alertmanager.replicas"] };
    const merged = mergeProblems([mode], findings, stack);
    // Apart from the mode's violation; Loki's egress to Alertmanager and Alertmanager's ingress from
    // Loki admit one connection, one message.
    assert.deepEqual(merged.violations[0].alsoAt, []);
    assert.deepEqual(
      merged.findings.map((f) => f.alsoAt),
      [["[network-egress] NetworkPolicy monitoring/loki (resource np-loki): egress rule 0"], []],
      JSON.stringify(merged.findings, null, 1),
    );
  });
});
