/**
 * NetworkPolicy rules nothing uses because the pods they are written for are none the stack renders
 * (checks/networkPolicies.ts absentPods): one mistake, whichever policy and direction shows it; a
 * rule unused while its pods run is a finding of its own.
 */
import { strict as assert } from "assert";
import { causeKey, MISTAKES } from "@homelab-observability/contract";
import { checkNetworkPolicies } from "../../checks/networkPolicies";
import type { Placed } from "../../checks/objects";
import { mergeProblems } from "../../synth/report";
import { NS } from "../support/objects";
import { at, configMap, deployment, edgePolicy } from "../support/checkCases";

const ruler = { "app.kubernetes.io/instance": "ruler" };
const alertmanager = { "app.kubernetes.io/instance": "alertmanager" };

/**
 * A ruler that would send alerts to Alertmanager, and the policies written for that edge: the
 * ruler's egress to Alertmanager, Alertmanager's ingress from the ruler, the ruler's own ingress.
 * Nothing dials the edge; with `rulerPods` the ruler's release renders its pods, else only its
 * ConfigMap.
 */
function stack(rulerPods: boolean): Placed[] {
  const policy = (name: string, pods: Record<string, string>, from: Record<string, string>, to?: object) =>
    at(edgePolicy(name, pods, from, to), "urn:np", "resource np");
  return [
    at(deployment("alertmanager", alertmanager), "urn:am", "release alertmanager"),
    at(configMap("ruler", { "rules.yaml": "groups: []" }), "urn:ruler", "release ruler"),
    ...(rulerPods ? [at(deployment("ruler", ruler), "urn:ruler", "release ruler")] : []),
    policy("alertmanager", alertmanager, ruler),
    policy("ruler", ruler, alertmanager, { namespace: NS, pods: alertmanager }),
  ];
}

const unusedRules = (objects: Placed[]) =>
  checkNetworkPolicies(objects).findings.filter((f) =>
    / no address or scrape of the stack uses/.test(f.message),
  );

describe("NetworkPolicy rules written for pods the stack does not render", () => {
  it("are one mistake, named by the pods' namespace and selector, traced to the release those pods are of", () => {
    const unused = unusedRules(stack(false));
    assert.equal(unused.length, 3, JSON.stringify(unused, null, 1));
    const cause = causeKey(MISTAKES.absentPods, `${NS} app.kubernetes.io/instance=ruler`);
    assert.deepEqual(
      unused.map((f) => f.cause),
      [cause, cause, cause],
    );
    assert.match(
      unused[0].message,
      /allows what no address or scrape of the stack uses: the stack renders no pod of monitoring app\.kubernetes\.io\/instance=ruler \(the pods its peers select\)/,
    );
    for (const f of unused) assert.ok(f.releases?.includes("urn:ruler"), JSON.stringify(f));
    const merged = mergeProblems([], unused).findings;
    assert.equal(merged.length, 1, JSON.stringify(merged, null, 1));
    assert.deepEqual(merged[0].alsoAt, [
      "[network-policy] NetworkPolicy monitoring/ruler (resource np): ingress rule 0",
      "[network-egress] NetworkPolicy monitoring/ruler (resource np): egress rule 0",
    ]);
  });

  it("a rule unused while its pods run is not the pods' mistake: one message per connection, its ingress and egress rules together", () => {
    const unused = unusedRules(stack(true));
    assert.equal(unused.length, 3, JSON.stringify(unused, null, 1));
    for (const f of unused) assert.ok(!f.cause?.startsWith(`${MISTAKES.absentPods}@`), JSON.stringify(f));
    for (const f of unused) assert.doesNotMatch(f.message, /renders no pod/);
    // Alertmanager's ingress from the ruler and the ruler's egress to Alertmanager admit one
    // connection nothing makes; the ruler's ingress from Alertmanager is another.
    const merged = mergeProblems([], unused).findings;
    assert.deepEqual(
      merged.map((m) => [m.where, m.message.slice(0, m.message.indexOf(" (")), m.alsoAt]),
      [
        [
          "NetworkPolicy monitoring/alertmanager (resource np)",
          "ingress rule 0",
          ["[network-egress] NetworkPolicy monitoring/ruler (resource np): egress rule 0"],
        ],
        ["NetworkPolicy monitoring/ruler (resource np)", "ingress rule 0", []],
      ],
      JSON.stringify(merged, null, 1),
    );
  });
});
