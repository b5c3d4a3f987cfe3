import { strict as assert } from "assert";
import { evaluatorsOf, ruleEvaluators, type RuleSubject } from "../../upstream/ruleSelection";
import { RULE_OPT_OUT } from "../../builders/alerting/rules";
import { matrixVariants, rendered, stackFileVariants, type Variant } from "../support/rendered";
import { checkRuleEvaluators } from "../../checks/ruleEvaluators";
import type { Placed } from "../../checks/objects";
import { prometheusOperatorDeployment } from "../support/checkCases";
import { vmOperatorObject } from "../support/vmOperator";
import { EVERY_RULE, NO_RULE } from "../../builders/alerting/rules";

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

describe("rendered-stack check rule-evaluators", () => {
  const placed = (obj: any): Placed => ({
    obj,
    urn: `urn::${obj.metadata.name}`,
    source: `resource ${obj.metadata.name}`,
  });
  const prom = (name: string, ruleSelector: unknown) =>
    placed({
      apiVersion: "monitoring.coreos.com/v1",
      kind: "Prometheus",
      metadata: { name, namespace: "monitoring" },
      spec: { ruleSelector, ruleNamespaceSelector: {} },
    });
  const own = placed({
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PrometheusRule",
    metadata: {
      name: "homelab-loki",
      namespace: "monitoring",
      labels: { "homelab.dev/rules": "homelab-observability" },
    },
    spec: { groups: [] },
  });

  it("passes one evaluator that takes every rule", () => {
    assert.deepEqual(checkRuleEvaluators([prom("kps", EVERY_RULE), own]).findings, []);
  });

  it("fails a rule with no evaluator, and a rule with two, naming the rule and the evaluators", () => {
    const none = checkRuleEvaluators([
      prom("kps", { matchLabels: { "homelab.dev/rules": "homelab-observability" } }),
      own,
    ]);
    assert.deepEqual(
      none.findings.map((f) => [f.where, f.message]),
      [
        [
          "PrometheusRule another-app/another-app",
          "a rule another app brings has 0 evaluator(s); expected exactly one: its alerts would never fire",
        ],
      ],
    );
    const two = checkRuleEvaluators([prom("kps", EVERY_RULE), prom("other", {}), prom("idle", NO_RULE), own]);
    assert.deepEqual(
      two.findings.map((f) => f.where),
      ["PrometheusRule monitoring/homelab-loki", "PrometheusRule another-app/another-app"],
    );
    assert.match(
      two.findings[0].message,
      /resource homelab-loki's rule has 2 evaluator\(s\) \(prometheus monitoring\/kps, prometheus monitoring\/other\)/,
    );
  });

  it("with no evaluator at all, names the engines it lacks and the release running the operator that would run one", () => {
    const operator = {
      ...placed({
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "vm-victoria-metrics-operator", namespace: "monitoring" },
        spec: {
          template: { spec: { containers: [{ name: "operator", image: "victoriametrics/operator:v0.1" }] } },
        },
      }),
      urn: "urn:pulumi:s::p::kubernetes:helm.sh/v3:Release$kubernetes:apps/v1:Deployment::vm/monitoring/vm-victoria-metrics-operator",
      source: "release vm",
    };
    const { findings } = checkRuleEvaluators([operator, own]);
    assert.equal(findings.length, 2);
    for (const f of findings) {
      assert.deepEqual(f.releases, [operator.urn]);
      assert.match(
        f.message,
        /its alerts would never fire \(the stack renders no evaluator: no prometheus, no vmalert, /,
      );
    }
  });

  it("names the release of a prometheus-operator mirrored under another image name, known by its own flag", () => {
    // prometheusOperator.image.repository set to a mirror: the image no longer names the operator,
    // its --prometheus-config-reloader flag (cmd/operator/main.go:160 at v0.93.0) still does.
    const operator = {
      ...placed(
        prometheusOperatorDeployment(
          ["--prometheus-config-reloader=mirror.local/reloader:v0.93.0"],
          "mirror.local/po:v0.93.0",
        ),
      ),
      urn: "urn:pulumi:s::p::kubernetes:helm.sh/v3:Release$kubernetes:apps/v1:Deployment::kps/monitoring/kps-operator",
      source: "release kps",
    };
    const { findings } = checkRuleEvaluators([operator, own]);
    assert.equal(findings.length, 2);
    for (const f of findings) assert.deepEqual(f.releases, [operator.urn]);
  });

  it("counts no VMAlert outside every VictoriaMetrics operator's WATCH_NAMESPACE: it runs no vmalert", () => {
    const vmOperator = (watch: string) =>
      placed(vmOperatorObject([{ name: "WATCH_NAMESPACE", value: watch }]));
    const vmalert = placed({
      apiVersion: "operator.victoriametrics.com/v1beta1",
      kind: "VMAlert",
      metadata: { name: "vm", namespace: "monitoring" },
      spec: { selectAllByDefault: true },
    });
    const outside = checkRuleEvaluators([prom("kps", EVERY_RULE), vmalert, vmOperator("other"), own]);
    assert.deepEqual(outside.findings, []);
    // Watched, the same VMAlert converts and evaluates the rule too: two.
    const watched = checkRuleEvaluators([
      prom("kps", EVERY_RULE),
      vmalert,
      vmOperator("monitoring,other"),
      own,
    ]);
    assert.match(
      watched.findings[0]?.message ?? "",
      /has 2 evaluator\(s\) \(prometheus monitoring\/kps, vmalert monitoring\/vm\)/,
    );
  });
});
