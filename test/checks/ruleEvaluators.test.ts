import { strict as assert } from "assert";
import { evaluatorsOf, ruleEvaluators, type RuleSubject } from "../../upstream/ruleSelection";
import { RULE_OPT_OUT } from "../../builders/alerting/rules";
import { matrixVariants, rendered, stackFileVariants, type Variant } from "../support/rendered";

/** A PrometheusRule as another app's chart brings it: its own namespace, the chart's usual labels. */
const otherApp: RuleSubject = {
  name: "cert-manager",
  namespace: "cert-manager",
  labels: {
    "app.kubernetes.io/name": "cert-manager",
    "app.kubernetes.io/instance": "cert-manager",
    "app.kubernetes.io/managed-by": "Helm",
  },
};

const variants: Variant[] = [...stackFileVariants(), ...matrixVariants()];

describe("every PrometheusRule in the cluster has exactly one evaluator (rendered stacks)", function () {
  this.timeout(600000);
  for (const v of variants)
    it(`${v.title}: another app's rule, the program's own, and none for an opted-out rule`, async () => {
      const r = await rendered(v);
      const evaluators = ruleEvaluators(r.objects.map((o) => o.object));
      assert.equal(
        evaluatorsOf(evaluators, otherApp).length,
        1,
        `another app's rule: ${evaluatorsOf(evaluators, otherApp).join(", ")}`,
      );
      const optedOut = {
        ...otherApp,
        labels: { ...otherApp.labels, [RULE_OPT_OUT.key]: RULE_OPT_OUT.value },
      };
      assert.deepEqual(evaluatorsOf(evaluators, optedOut), []);
      const own = r.objects.filter((o) => o.object.kind === "PrometheusRule");
      assert.ok(own.length > 0, "the program renders its own rules");
      for (const o of own) {
        const md = o.object.metadata;
        const subject = { name: md.name, namespace: md.namespace ?? "", labels: md.labels ?? {} };
        assert.equal(evaluatorsOf(evaluators, subject).length, 1, `${md.namespace}/${md.name}`);
      }
    });
});
