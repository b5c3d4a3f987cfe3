import { strict as assert } from "assert";
import {
  alloyRuleSyncs,
  evaluates,
  labelsMatch,
  type RuleEvaluator,
  type RuleSubject,
} from "../../upstream/ruleSelection";
import { EVERY_RULE, NO_RULE, RULE_OPT_OUT } from "../../builders/alerting/rules";
import { alloyClusterConfig } from "../../builders/logging/alloyConfig";

const certManager: RuleSubject = {
  name: "cert-manager",
  namespace: "cert-manager",
  labels: { "app.kubernetes.io/name": "cert-manager", "app.kubernetes.io/instance": "cert-manager" },
};
const optedOut: RuleSubject = {
  ...certManager,
  labels: { ...certManager.labels, [RULE_OPT_OUT.key]: "false" },
};

describe("upstream/ruleSelection: which evaluator takes a PrometheusRule", () => {
  it("matches label selectors as Kubernetes does: empty is everything, NotIn and DoesNotExist hold for an absent key", () => {
    assert.equal(labelsMatch({}, {}), true);
    assert.equal(labelsMatch({ matchLabels: { a: "1" } }, { a: "1", b: "2" }), true);
    assert.equal(labelsMatch({ matchLabels: { a: "1" } }, { a: "2" }), false);
    assert.equal(
      labelsMatch({ matchExpressions: [{ key: "a", operator: "NotIn", values: ["x"] }] }, {}),
      true,
    );
    assert.equal(
      labelsMatch({ matchExpressions: [{ key: "a", operator: "NotIn", values: ["x"] }] }, { a: "x" }),
      false,
    );
    assert.equal(labelsMatch({ matchExpressions: [{ key: "a", operator: "In", values: ["x"] }] }, {}), false);
    assert.equal(labelsMatch({ matchExpressions: [{ key: "a", operator: "Exists" }] }, { a: "" }), true);
    assert.equal(
      labelsMatch({ matchExpressions: [{ key: "a", operator: "DoesNotExist" }] }, { a: "" }),
      false,
    );
    assert.equal(labelsMatch(NO_RULE, {}), false);
    assert.equal(labelsMatch(NO_RULE, { [RULE_OPT_OUT.key]: "true" }), false);
    assert.equal(labelsMatch(EVERY_RULE, certManager.labels), true);
    assert.equal(labelsMatch(EVERY_RULE, optedOut.labels), false);
  });

  it("Prometheus: a null rule selector takes nothing, a null namespace selector only its own namespace, empty ones everything", () => {
    const p = (over: Partial<Extract<RuleEvaluator, { engine: "prometheus" }>>): RuleEvaluator => ({
      engine: "prometheus",
      name: "kps",
      namespace: "monitoring",
      ruleSelector: {},
      ruleNamespaceSelector: {},
      ...over,
    });
    assert.equal(evaluates(p({}), certManager), true);
    assert.equal(evaluates(p({ ruleSelector: null }), certManager), false);
    assert.equal(evaluates(p({ ruleNamespaceSelector: null }), certManager), false);
    assert.equal(
      evaluates(p({ ruleNamespaceSelector: null }), { ...certManager, namespace: "monitoring" }),
      true,
    );
    assert.equal(
      evaluates(
        p({ ruleNamespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "cert-manager" } } }),
        certManager,
      ),
      true,
    );
    assert.equal(evaluates(p({ ruleSelector: { matchLabels: { release: "kps" } } }), certManager), false);
  });

  it("vmalert: nil selectors follow selectAllByDefault, a rule selector alone looks in its own namespace, nothing without the converter", () => {
    const v = (over: Partial<Extract<RuleEvaluator, { engine: "vmalert" }>>): RuleEvaluator => ({
      engine: "vmalert",
      name: "vm",
      namespace: "monitoring",
      selectAllByDefault: false,
      converts: true,
      ...over,
    });
    assert.equal(evaluates(v({}), certManager), false);
    assert.equal(evaluates(v({ selectAllByDefault: true }), certManager), true);
    assert.equal(evaluates(v({ selectAllByDefault: true, ruleSelector: EVERY_RULE }), certManager), false);
    assert.equal(evaluates(v({ ruleSelector: EVERY_RULE, ruleNamespaceSelector: {} }), certManager), true);
    assert.equal(evaluates(v({ ruleNamespaceSelector: {} }), certManager), true);
    assert.equal(evaluates(v({ ruleSelector: EVERY_RULE, ruleNamespaceSelector: {} }), optedOut), false);
    assert.equal(evaluates(v({ selectAllByDefault: true, converts: false }), certManager), false);
  });

  it("Alloy's mimir.rules.kubernetes: absent blocks take every rule in every namespace; the program's sync leaves only the opted-out", () => {
    const bare = alloyRuleSyncs('mimir.rules.kubernetes "x" {\n  address = "http://m"\n}\n');
    assert.equal(bare.length, 1);
    assert.equal(evaluates(bare[0], certManager), true);
    const labelled = alloyRuleSyncs(
      'mimir.rules.kubernetes "x" {\n  address = "http://m"\n  rule_selector {\n    match_labels = { "a" = "b" }\n  }\n}\n',
    );
    assert.equal(evaluates(labelled[0], certManager), false);
    assert.equal(evaluates(labelled[0], { ...certManager, labels: { a: "b" } }), true);
    const program = alloyRuleSyncs(
      alloyClusterConfig({
        cluster: "c",
        lokiPushUrl: "http://l",
        events: false,
        rules: { mimirAddress: "http://m", optOut: RULE_OPT_OUT },
      }),
    );
    assert.equal(program.length, 1);
    assert.equal(evaluates(program[0], certManager), true);
    assert.equal(evaluates(program[0], optedOut), false);
  });
});
