/**
 * The CRDs' CEL rules (`x-kubernetes-validations`) on rendered stacks: every rule the stack's CRDs
 * carry is evaluated, and a chart value that breaks one fails the synthesis with the API server's
 * own words (the words a kube-apiserver v1.31.0 answered to the same objects in a session run:
 * docs/reference/checks.md, "Judged by a real API server").
 */
import { strict as assert } from "assert";
import { checkSchemas } from "../../checks/schema";
import { placedFrom } from "../../checks/placed";
import { rendered, stackFileVariants, type Variant } from "../support/rendered";

/** Production (kube-prometheus-stack's Prometheus and Alertmanager) with strategies the CRDs' rules refuse. */
const production: Variant = {
  title: "production with kube-prometheus-stack strategies its CRDs' rules refuse",
  stack: "production",
  over: {
    chartValues: {
      "kube-prometheus-stack": {
        prometheus: {
          prometheusSpec: {
            updateStrategy: { type: "OnDelete", rollingUpdate: { maxUnavailable: 1 } },
            shardingStrategy: { topology: { values: ["a", "b"] } },
          },
        },
        alertmanager: {
          alertmanagerSpec: { updateStrategy: { type: "OnDelete", rollingUpdate: { maxUnavailable: 1 } } },
        },
      },
    },
  },
};

describe("schema: the CRDs' CEL rules on the rendered stacks", function () {
  this.timeout(120000);

  it("evaluates every rule of the stack files' CRDs that applies, and each stack keeps them", async () => {
    for (const v of stackFileVariants()) {
      const { objects } = await rendered(v);
      const r = checkSchemas(placedFrom(objects));
      assert.deepEqual(r.celUnjudged, [], v.title);
      assert.deepEqual(
        r.findings.filter((f) => /x-kubernetes-validations/.test(f.message)),
        [],
        v.title,
      );
      // Of the stacks' custom resources, kube-prometheus-stack's Prometheus and Alertmanager carry rules.
      if (objects.some((o) => o.object.kind === "Prometheus"))
        assert.ok(r.celRules > 0, `${v.title}: no rule evaluated`);
    }
  });

  it("fails each rule an override breaks, in the words the API server refused the same objects with", async () => {
    const r = checkSchemas(placedFrom((await rendered(production)).objects));
    const cel = r.findings.filter((f) => /x-kubernetes-validations/.test(f.message));
    assert.deepEqual(cel.map((f) => `${f.where}: ${f.message.replace(/ \(the CRD .*\)$/, "")}`).sort(), [
      `Alertmanager monitoring/kps-alertmanager (release kube-prometheus-stack): spec.updateStrategy: Invalid value: "object": rollingUpdate requires type to be RollingUpdate`,
      `Prometheus monitoring/kps-prometheus (release kube-prometheus-stack): spec.shardingStrategy: Invalid value: "object": topology can only be defined when mode is set to 'Topology'`,
      `Prometheus monitoring/kps-prometheus (release kube-prometheus-stack): spec.updateStrategy: Invalid value: "object": rollingUpdate requires type to be RollingUpdate`,
    ]);
  });
});
