import { strict as assert } from "assert";
import { canLandOn } from "../../policy/lib/workloads";

/**
 * canLandOn agrees with the scheduler (kubernetes/component-helpers nodeaffinity.go, apimachinery
 * labels/selector.go, api core/v1/toleration.go): empty node selector terms, Gt/Lt expressions and
 * Lt/Gt tolerations, malformed requirements.
 */
describe("canLandOn agrees with Kubernetes (audit X2)", () => {
  const node = { "kubernetes.io/arch": "arm64", "example.com/gen": "5", "example.com/name": "pi" };
  const required = (...nodeSelectorTerms: any[]) => ({
    nodeSelector: {},
    tolerations: [],
    affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms } } },
  });
  const lands = (w: any, taints: any[] = []) => canLandOn(w, node, taints);

  describe("node affinity", () => {
    it("an empty term matches no node (nil or empty term selects no objects)", () => {
      assert.equal(lands(required({})), false);
      assert.equal(lands(required({ matchExpressions: [] })), false);
    });
    it("an empty term beside a matching one leaves that one to admit the node (terms are ORed)", () =>
      assert.equal(
        lands(
          required({}, { matchExpressions: [{ key: "example.com/name", operator: "In", values: ["pi"] }] }),
        ),
        true,
      ));
    it("a required affinity with no terms admits no node; a null one constrains nothing", () => {
      assert.equal(lands(required()), false);
      assert.equal(
        lands({
          nodeSelector: {},
          tolerations: [],
          affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: null } },
        }),
        true,
      );
    });
    it("Gt and Lt compare the label as an integer", () => {
      const expr = (operator: string, v: string) =>
        required({ matchExpressions: [{ key: "example.com/gen", operator, values: [v] }] });
      assert.equal(lands(expr("Gt", "4")), true);
      assert.equal(lands(expr("Gt", "5")), false);
      assert.equal(lands(expr("Lt", "6")), true);
      assert.equal(lands(expr("Lt", "5")), false);
    });
    it("Gt/Lt on a label that is no integer, or with a value that is none, match no node", () => {
      assert.equal(
        lands(required({ matchExpressions: [{ key: "example.com/name", operator: "Gt", values: ["1"] }] })),
        false,
      );
      assert.equal(
        lands(required({ matchExpressions: [{ key: "example.com/gen", operator: "Gt", values: ["1.5"] }] })),
        false,
      );
      assert.equal(
        lands(
          required({ matchExpressions: [{ key: "example.com/gen", operator: "Gt", values: ["1", "2"] }] }),
        ),
        false,
      );
    });
    it("a term that does not parse (unknown operator, In without values, Exists with values) matches no node", () => {
      for (const e of [
        { key: "example.com/gen", operator: "Equals", values: ["5"] },
        { key: "example.com/gen", operator: "In", values: [] },
        { key: "example.com/gen", operator: "Exists", values: ["5"] },
      ])
        assert.equal(lands(required({ matchExpressions: [e] })), false, JSON.stringify(e));
    });
    it("a metadata.name field requirement may match some node of the pool (names are unknown)", () => {
      assert.equal(
        lands(required({ matchFields: [{ key: "metadata.name", operator: "In", values: ["pi-1"] }] })),
        true,
      );
      assert.equal(lands(required({ matchFields: [{ key: "metadata.name", operator: "Exists" }] })), false);
    });
  });

  describe("tolerations", () => {
    const taint = { key: "example.com/sla", value: "950", effect: "NoSchedule" };
    const tol = (operator: string, value: string) => ({
      nodeSelector: {},
      tolerations: [{ key: "example.com/sla", operator, value, effect: "NoSchedule" }],
    });
    it("Gt tolerates a taint whose value is greater, Lt one whose value is less", () => {
      assert.equal(lands(tol("Gt", "750"), [taint]), true);
      assert.equal(lands(tol("Gt", "950"), [taint]), false);
      assert.equal(lands(tol("Lt", "1000"), [taint]), true);
      assert.equal(lands(tol("Lt", "800"), [taint]), false);
    });
    it("Lt/Gt with a value not in canonical decimal form tolerate nothing", () => {
      assert.equal(lands(tol("Gt", "0750"), [taint]), false);
      assert.equal(lands(tol("Gt", "abc"), [taint]), false);
      assert.equal(lands(tol("Lt", "1000"), [{ ...taint, value: "high" }]), false);
    });
    it("an unknown operator tolerates nothing", () =>
      assert.equal(lands(tol("Matches", "950"), [taint]), false));
    it("an empty-key Equal toleration compares only the value", () =>
      assert.equal(lands({ nodeSelector: {}, tolerations: [{ value: "950" }] } as any, [taint]), true));
  });
});
