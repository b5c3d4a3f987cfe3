/**
 * What the Alloy chart's roles grant with its RBAC switch on, read from the release's values as
 * alloy 1.5.0 templates/rbac.yaml renders them: the report names the switch as the sure cause of a
 * missing grant only when these would grant it.
 */
import { strict as assert } from "assert";
import { covers, switchedOnGrants, type ApiCall } from "../../model/chartRbac";

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
