import { strict as assert } from "assert";
import { fails, passes, release } from "../support/policyCases";

/**
 * The grafana chart 12.3.1 tests `autoscaling.enabled` by Go template's truth: templates/hpa.yaml:2
 * `{{- if .Values.autoscaling.enabled }}` renders the HPA (maxReplicas pods), deployment.yaml:17
 * `{{- if (not .Values.autoscaling.enabled) }}` writes `replicas` only when it is false. Run:
 * `helm template` 3.17.3 over ../shared/charts/grafana-12.3.1.tgz with replicas 3 and maxReplicas 4
 * renders the HPA (maxReplicas 4, no Deployment replicas) for true, "true", "false" and 1, and a
 * Deployment of 3 replicas without an HPA for false, 0, null and "". policy:check reads an export,
 * whose values the config never judged, so each is counted as the chart counts it.
 */
describe("policy (grafana): autoscaling.enabled as the chart reads it (Go template's truth)", () => {
  const REPLICAS = "grafana-replicas-share-no-state";
  const TRUE_TO_CHART =
    'which the chart\'s templates read as true \\(Go template: only false, 0, "", null and an empty list or map are false\\)';

  for (const [shown, v] of [
    ['"true"', "true"],
    ['"false"', "false"],
    ["1", 1],
  ] as const)
    it(`fails: autoscaling.enabled ${shown} runs the HPA's maxReplicas pods on one SQLite file, said as the value found`, async () => {
      const [violation] = await fails(
        [release("grafana", { replicas: 1, autoscaling: { enabled: v, maxReplicas: 4 } })],
        REPLICAS,
        new RegExp(
          `values\\.autoscaling\\.enabled is ${shown.replace(/"/g, '\\"')}, ${TRUE_TO_CHART}, and values\\.autoscaling\\.maxReplicas is 4, but its database is SQLite`,
        ),
      );
      // The way back to one pod sets the boolean, not the text it holds.
      assert.match(
        violation.message,
        /Keep one replica \(set chartValues\.grafana\.autoscaling\.enabled to false \(the boolean\), or chartValues\.grafana\.autoscaling\.maxReplicas to 1\)/,
      );
    });

  for (const [shown, v] of [
    ["0", 0],
    ["null", null],
    ['""', ""],
  ] as const) {
    it(`passes: autoscaling.enabled ${shown} with one replica is one pod (no HPA)`, () =>
      passes([release("grafana", { replicas: 1, autoscaling: { enabled: v, maxReplicas: 4 } })], REPLICAS));
    it(`fails: autoscaling.enabled ${shown} with replicas 3 counts replicas, not maxReplicas`, async () => {
      const [violation] = await fails(
        [release("grafana", { replicas: 3, autoscaling: { enabled: v, maxReplicas: 4 } })],
        REPLICAS,
        /values\.replicas is 3, but its database is SQLite/,
      );
      assert.match(violation.message, /set chartValues\.grafana\.replicas to 1, or remove it/);
    });
  }
});
