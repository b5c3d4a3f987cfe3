/**
 * What the Alloy chart's roles grant with its RBAC switch on, read from the release's values as
 * alloy 1.5.0 templates/rbac.yaml renders them: the report names the switch as the sure cause of a
 * missing grant only when these would grant it.
 */
import { strict as assert } from "assert";
import { isDeepStrictEqual } from "util";
import { RBAC_SWITCHES, covers, switchedOnGrants, type ApiCall } from "../../model/chartRbac";
import { parseSegments } from "@homelab-observability/contract";
import { valueAt } from "../../config/tree";
import { synth } from "../support/helpers";
import { PARKED_NODE_SELECTOR } from "../../builders/security/podSecurity";

const rules = [{ apiGroups: [""], resources: ["pods"], verbs: ["list", "watch"] }];
const clusterRules = [
  { apiGroups: [""], resources: ["nodes"], verbs: ["list"] },
  { nonResourceURLs: ["/metrics"], verbs: ["get"] },
];
const granted = (values: Record<string, unknown>, call: ApiCall) =>
  (switchedOnGrants("alloy", values) ?? []).some((g) => covers(g, call));

describe("model/chartRbac: the Alloy chart's roles with rbac.create on", () => {
  it("without rbac.namespaces: one ClusterRole of rules then clusterRules, cluster-wide", () => {
    const values = { rbac: { create: false, rules, clusterRules } };
    assert.ok(granted(values, { apiGroup: "", resource: "pods", verb: "watch" }));
    assert.ok(granted(values, { apiGroup: "", resource: "nodes", verb: "list" }));
    assert.ok(granted(values, { nonResourceURL: "/metrics", verb: "get" }));
    assert.ok(!granted(values, { apiGroup: "", resource: "events", verb: "list" }));
  });

  it("with rbac.namespaces: a Role of rules only in each, so no cluster-wide call and no clusterRules", () => {
    const values = { rbac: { create: false, namespaces: ["apps"], rules, clusterRules } };
    assert.ok(granted(values, { apiGroup: "", resource: "pods", verb: "list", namespace: "apps" }));
    assert.ok(!granted(values, { apiGroup: "", resource: "pods", verb: "list" }));
    assert.ok(!granted(values, { apiGroup: "", resource: "pods", verb: "list", namespace: "other" }));
    assert.ok(!granted(values, { apiGroup: "", resource: "nodes", verb: "list", namespace: "apps" }));
    assert.ok(!granted(values, { nonResourceURL: "/metrics", verb: "get" }));
  });

  it("reads no other chart's roles", () => {
    assert.equal(switchedOnGrants("vector", { rbac: { rules } }), undefined);
  });
});

describe("model/chartRbac: a listed RBAC switch is one the program leaves on", function () {
  this.timeout(120_000);

  // A stack's `rbac.create: false` is the sure cause of what its account lacks only when it is what
  // turned the chart's roles off: the program's own values must not hold it false already, but on
  // a parked release of a hand-over (builders/security/parked.ts), whose pods run on no node.
  for (const stack of ["staging", "pi", "production"])
    it(`${stack}: no release of a listed chart renders with its switch false by the program's values`, async () => {
      const { resources } = (await synth(stack)).export.deployment;
      const releases = resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release");
      for (const r of releases) {
        const key = RBAC_SWITCHES[String(r.inputs?.chart)];
        if (key === undefined) continue;
        const values = r.inputs?.values ?? {};
        const parked = [["nodeSelector"], ["controller", "nodeSelector"]].some((p) =>
          isDeepStrictEqual(valueAt(values, p), PARKED_NODE_SELECTOR),
        );
        if (parked) continue;
        const value = valueAt(values, parseSegments(key));
        assert.notEqual(value, false, `${r.inputs?.chart} (release ${r.inputs?.name}): ${key} is false`);
      }
    });
});
