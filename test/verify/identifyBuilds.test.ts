/**
 * Which product a build-info answer names (verify/identify.ts buildOf), for the answers the
 * servers give that the tests cannot start: VictoriaMetrics' current fixed answer and Mimir's.
 * Debian's Prometheus and VictoriaMetrics are asked for real in urlAudit.test.ts.
 */
import { strict as assert } from "assert";
import { buildOf } from "../../verify/identify";

describe("verify: a build-info answer names its product", () => {
  it("VictoriaMetrics' fixed answer for Grafana (a Prometheus version, no revision, no goVersion) is no Prometheus", () => {
    assert.equal(buildOf({ status: "success", data: { version: "2.24.0" } }), "other");
  });
  it("Mimir's answer names its application, though it carries a goVersion too", () => {
    const mimir = { application: "Grafana Mimir", version: "3.0.0", revision: "abc", goVersion: "go1.24" };
    assert.equal(buildOf({ status: "success", data: mimir }), "Grafana Mimir");
  });
  it("Prometheus' answer (revision and goVersion) is Prometheus", () => {
    const prom = { version: "3.5.0", revision: "abc", branch: "HEAD", goVersion: "go1.24" };
    assert.equal(buildOf({ status: "success", data: prom }), "prometheus");
  });
});
