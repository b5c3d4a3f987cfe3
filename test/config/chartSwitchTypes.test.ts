import { strict as assert } from "assert";
import { chartProblems } from "../support/chartSchema";
import { PROJECT } from "../../config/resolve";
import { pinnedChartKeys } from "../../synth/render/chartFacts";

/*
 * A value Helm refuses by its type before any template renders, refused by the config check first
 * (config/chartValueCheck.ts helmTypeProblem). Run, helm 3.17.3 over the pinned archives: loki
 * 18.11.0 refuses lokiCanary.enabled 0, 1, "" and "false" ("values don't meet the specifications of
 * the schema(s)... lokiCanary.enabled: Invalid type. Expected: boolean, given: integer") and
 * singleBinary.replicas "1" ("Expected: [integer,null], given: string"); prometheus-node-exporter
 * 4.49.1 refuses kubeRBACProxy.enabled 0, 1, "" and "false" ("wrong type for value; expected bool",
 * templates/daemonset.yaml:33); victoria-metrics-k8s-stack 0.80.0 and kube-prometheus-stack 88.0.0
 * have no schema and render vmsingle.enabled, vmcluster.enabled and prometheus.enabled 0 as off.
 */

describe("chartValues: a value Helm refuses by its type, refused before the render", function () {
  this.timeout(30000);
  const problems = chartProblems;

  it("reads the types loki's values.schema.json gives its keys", () => {
    const types = pinnedChartKeys("loki")?.types as any;
    assert.deepEqual(types?.keys?.lokiCanary?.keys?.enabled?.type, ["boolean"]);
    assert.deepEqual(types?.keys?.singleBinary?.keys?.replicas?.type, ["integer", "null"]);
  });

  it("loki's lokiCanary.enabled takes true or false alone, as its schema says", () => {
    const schema =
      "(the loki chart 18.11.0's values.schema.json allows only true or false there: Helm refuses the release at render)";
    const at = `${PROJECT}:chartValues.loki.lokiCanary.enabled: expected true or false ${schema}, got`;
    const cases: [unknown, string][] = [
      [0, "the number 0; write false"],
      [1, "the number 1; write true"],
      ["", 'string ""; write true or false, without quotes'],
      ["false", 'string "false"; drop the quotes: false'],
    ];
    for (const [v, found] of cases)
      assert.deepEqual(problems({ loki: { lokiCanary: { enabled: v } } }), [`${at} ${found}`], String(v));
    for (const v of [true, false, null])
      assert.deepEqual(problems({ loki: { lokiCanary: { enabled: v } } }), [], String(v));
  });

  it("a number written as text where loki's schema takes a whole number is refused, naming the number", () => {
    assert.deepEqual(problems({ loki: { singleBinary: { replicas: "1" } } }), [
      `${PROJECT}:chartValues.loki.singleBinary.replicas: expected a whole number or null (the loki chart 18.11.0's values.schema.json allows only a whole number or null there: Helm refuses the release at render), got string "1"; drop the quotes: 1`,
    ]);
    assert.deepEqual(problems({ loki: { singleBinary: { replicas: 1 } } }), []);
  });

  it("prometheus-node-exporter's kubeRBACProxy.enabled takes true or false alone: its template's ternary", () => {
    const at = `${PROJECT}:chartValues.prometheus-node-exporter.kubeRBACProxy.enabled: expected true or false (the prometheus-node-exporter chart 4.49.1's templates/daemonset.yaml:33 and :50 pass it to ternary, which takes a bool alone: Helm refuses the release at render), got`;
    assert.deepEqual(problems({ "prometheus-node-exporter": { kubeRBACProxy: { enabled: 0 } } }), [
      `${at} the number 0; write false`,
    ]);
    assert.deepEqual(problems({ "prometheus-node-exporter": { kubeRBACProxy: { enabled: "false" } } }), [
      `${at} string "false"; drop the quotes: false`,
    ]);
    for (const v of [true, false, null])
      assert.deepEqual(
        problems({ "prometheus-node-exporter": { kubeRBACProxy: { enabled: v } } }),
        [],
        String(v),
      );
  });

  // The value of a misspelt key is judged as the key meant: at loki's lokiCanary.enabled the schema
  // refuses the text at render, so "false" turns nothing on, and the mend says the schema's rule.
  it("a misspelt key's value is mended by the rule of the key meant: loki's schema, not template truth", () => {
    const [problem] = problems({ loki: { lokiCanary: { enabeld: "false" } } });
    assert.ok(
      problem.endsWith(
        `did you mean chartValues.loki.lokiCanary.enabled? (rename this key, and mend its value: expected true or false (the loki chart 18.11.0's values.schema.json allows only true or false there: Helm refuses the release at render), got string "false"; drop the quotes: false)`,
      ),
      problem,
    );
    const [replicas] = problems({ loki: { singleBinary: { replica: "1" } } });
    assert.ok(
      replicas.endsWith(
        `(rename this key, and mend its value: expected a whole number or null (the loki chart 18.11.0's values.schema.json allows only a whole number or null there: Helm refuses the release at render), got string "1"; drop the quotes: 1)`,
      ),
      replicas,
    );
  });

  // loki's values.yaml gives read.podDisruptionBudget keys its templates write out whole, so the
  // chart's keys hold no level there; its schema still types them, and Helm refuses 0 at render
  // (run, helm 3.17.3: "read.podDisruptionBudget.enabled: Invalid type. Expected: boolean, given: integer").
  it("judges the keys a chart's schema types inside a map its values leave to the user", () => {
    assert.deepEqual(
      problems({
        loki: { read: { podDisruptionBudget: { enabled: 0, maxUnavailable: "50%", labels: { a: "b" } } } },
      }),
      [
        `${PROJECT}:chartValues.loki.read.podDisruptionBudget.enabled: expected true or false (the loki chart 18.11.0's values.schema.json allows only true or false there: Helm refuses the release at render), got the number 0; write false`,
      ],
    );
    assert.deepEqual(
      problems({
        loki: { read: { podDisruptionBudget: { enabled: false, maxUnavailable: 1, minAvailable: null } } },
      }),
      [],
    );
  });

  it("keeps what Helm renders: 0 at a switch of a chart with no schema and no such template", () => {
    assert.deepEqual(
      problems({
        "victoria-metrics-k8s-stack": { vmsingle: { enabled: 0 }, vmcluster: { enabled: 1 } },
        "kube-prometheus-stack": { prometheus: { enabled: 0 } },
      }),
      [],
    );
  });
});
