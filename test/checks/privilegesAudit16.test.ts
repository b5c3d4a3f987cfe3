import { strict as assert } from "assert";
import { checkEscalations, checkRbac } from "../../checks/privileges";
import { checkImageDigests } from "../../checks/imageDigests";
import type { Placed } from "../../checks/objects";
import { rbacRuleCause } from "@homelab-observability/contract";
import { at } from "../support/checkCases";

/*
 * The rendered-object checks key an RBAC rule's findings as the pack does (one widened rule is one
 * message), and image-pins says why an unpinned image matters and what to do.
 */
describe("checks audit 16: RBAC findings keyed by their rule; image-pins says why", () => {
  const RBAC = "rbac.authorization.k8s.io/v1";
  const objects = (): Placed[] =>
    [
      {
        apiVersion: RBAC,
        kind: "ClusterRole",
        metadata: { name: "ksm" },
        rules: [
          { apiGroups: [""], resources: ["pods"], verbs: ["list"] },
          { apiGroups: ["*"], resources: ["*"], verbs: ["*"] },
        ],
      },
      {
        apiVersion: RBAC,
        kind: "ClusterRoleBinding",
        metadata: { name: "ksm" },
        roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: "ksm" },
        subjects: [{ kind: "ServiceAccount", name: "ksm", namespace: "monitoring" }],
      },
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "ksm", namespace: "monitoring" },
        spec: {
          template: {
            spec: { serviceAccountName: "ksm", containers: [{ name: "c", image: "registry.k8s.io/ksm:v2" }] },
          },
        },
      },
    ].map((o) => at(o));

  it("secret-read, nodes-proxy and every escalation path of one rule carry that rule's key", () => {
    const want = rbacRuleCause("ClusterRole", undefined, "ksm", 1);
    const findings = [...checkRbac(objects()), ...checkEscalations(objects(), [])];
    assert.ok(findings.length >= 3, findings.map((f) => f.check).join(", "));
    assert.deepEqual([...new Set(findings.map((f) => f.cause))], [want]);
  });

  it("image-pins says why an unpinned image matters and what to set instead", () => {
    const [f] = checkImageDigests([
      at({
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "g", namespace: "monitoring" },
        spec: {
          template: { spec: { containers: [{ name: "g", image: "docker.io/example/unpinned:1.0" }] } },
        },
      }),
    ]).findings;
    assert.match(f.message, /is not pinned in model\/versions\.ts \(images\), so nothing reviewed it/);
    assert.match(
      f.message,
      /remove the image override, if one set it\) or add the image to model\/versions\.ts images/,
    );
  });
});
