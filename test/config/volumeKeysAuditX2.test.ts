import { strict as assert } from "assert";
import { P, refusal } from "../support/stackText";
import { BASE, STORE } from "../support/stackText";

const ALERTING = `  ${P("alerting")}: {pushover: false, heartbeat: false}\n`;
const problemsOf = (more: string) => refusal(`${BASE}${STORE}${ALERTING}${more}`).problems;

/**
 * The volume-size keys land in their chart's values through config/stackKeyPaths.ts' table, so a
 * chartValues override of the same claim size is refused as the other keys' are.
 */
describe("volume-size stack keys and a chartValues override of the same claim size (audit X2)", () => {
  it("loki.volumeSize with chartValues.loki.singleBinary.persistence.size: one message naming both", () => {
    const problems = problemsOf(
      `  ${P("loki")}:\n    volumeSize: 20Gi\n  ${P("chartValues")}:\n    loki:\n      singleBinary:\n        persistence:\n          size: 5Gi\n`,
    );
    assert.equal(problems.length, 1, problems.join("\n"));
    assert.match(
      problems[0],
      /^homelab-observability:loki\.volumeSize: expected the loki chart's singleBinary\.persistence\.size set in one place \(set it once: loki\.volumeSize\), got it set twice: loki\.volumeSize: "20Gi" .* and chartValues\.loki\.singleBinary\.persistence\.size: "5Gi" .*; remove chartValues\.loki\.singleBinary\.persistence\.size$/,
    );
  });
  it("victoriametrics.volumeSize with chartValues of vmsingle's claim size", () => {
    const problems = problemsOf(
      `  ${P("metricsBackend")}: victoriametrics\n  ${P("victoriametrics")}:\n    volumeSize: 20Gi\n  ${P("chartValues")}:\n    victoria-metrics-k8s-stack:\n      vmsingle:\n        spec:\n          storage:\n            resources:\n              requests:\n                storage: 5Gi\n`,
    );
    assert.ok(
      problems.some((p) => /set it once: victoriametrics\.volumeSize/.test(p)),
      problems.join("\n"),
    );
  });
  it("a claim size overridden as a bare number is refused at its line as bytes; with a unit it passes", () => {
    // grafana 12.3.1 renders `storage: "10"` from it: a claim of 10 bytes, where the chart's default is "10Gi".
    const grafana = (size: string) =>
      `  ${P("chartValues")}:\n    grafana:\n      persistence:\n        size: ${size}\n`;
    for (const [size, got] of [
      ["10", "number 10: Kubernetes reads it as 10 bytes"],
      ['"10"', 'string "10": Kubernetes reads it as 10 bytes'],
    ]) {
      const problems = problemsOf(grafana(size));
      assert.equal(problems.length, 1, problems.join("\n"));
      assert.ok(
        problems[0].startsWith(
          `homelab-observability:chartValues.grafana.persistence.size: expected a Kubernetes quantity above zero like "10Gi"`,
        ) &&
          problems[0].includes(
            `(a bare number would be bytes), got ${got}, a claim of 10 bytes; write it with its unit`,
          ),
        problems[0],
      );
    }
    assert.throws(() => problemsOf(grafana("20Gi")), /the stack file was accepted/);
    // Beside grafana.volumeSize it is one message: set twice, remove the override.
    const both = problemsOf(`  ${P("grafana")}:\n    volumeSize: 5Gi\n${grafana("10")}`);
    assert.equal(both.length, 1, both.join("\n"));
    assert.match(both[0], /set in one place/);
  });
});
