import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";
import { helmNullProblems } from "../../config/chartValueCheck";
import { ConfigError } from "../../config/errors";
import { PROJECT } from "../../config/resolve";
import { mergeValues } from "../../builders/chartValues";
import { pinnedChartKeys } from "../../synth/render/chartFacts";
import { synthStack } from "../../synth/run";
import { ROOT, tmpDir } from "../support/helpers";

/*
 * A chartValues null reaches Helm only inside a map the program's values do not write (the merge,
 * builders/chartValues.ts mergeValues, deletes a key they hold); there Helm 3.17.3 deletes a key
 * the chart's values.yaml holds, default and all, and keeps a null for one it lacks. Run through
 * the offline synthesis of the staging stack (alertmanager 1.42.0, whose schema requires keys):
 * `service: {port: null}` "service: port is required" and `serviceAccount: {create: null}`
 * "serviceAccount: create is required", `dnsConfig: {nameservers: null}` "dnsConfig.nameservers:
 * Invalid type. Expected: array, given: null" (each exit 1, at the render); `image: null`,
 * `replicaCount: null` and `persistence: {size: null}` render with the chart's defaults. A sweep of
 * a null at each of the 2243 keys loki's and alertmanager's schemas type, merged into staging's
 * program values and rendered by helm 3.17.3, found no refusal here Helm does not make, and none
 * of Helm's schema refusals missed.
 */

describe("chartValues: a null Helm refuses by the chart's schema, refused before the render", function () {
  this.timeout(30000);
  const am = "the alertmanager chart 1.42.0's values.schema.json";
  const refuses = ": Helm refuses the release at render)";
  // The program's own alertmanager values, as far as these cases touch them
  // (builders/metrics/exporterValues.ts standaloneAlertmanagerValues writes image and persistence,
  // not service, serviceAccount or dnsConfig).
  const program = {
    image: { repository: "quay.io/prometheus/alertmanager", tag: "v0.28.1" },
    persistence: { enabled: true, size: "1Gi", storageClass: "local-path" },
  };
  const nulls = (
    override: Record<string, unknown>,
    chart = "alertmanager",
    base: Record<string, unknown> = program,
  ) => {
    const keys = pinnedChartKeys(chart);
    assert.ok(keys, `the pinned ${chart} archive is not in the chart cache`);
    return helmNullProblems(chart, mergeValues(base, override), override, keys, PROJECT);
  };

  it("a null for a key the schema requires and values.yaml holds is refused: Helm deletes it, default and all", () => {
    assert.deepEqual(nulls({ service: { port: null }, serviceAccount: { create: null } }), [
      `${PROJECT}:chartValues.alertmanager.service.port: expected a whole number (${am} requires service.port, and Helm deletes a key given null, the chart's default with it${refuses}, got null; remove the key to keep the chart's default`,
      `${PROJECT}:chartValues.alertmanager.serviceAccount.create: expected true or false (${am} requires serviceAccount.create, and Helm deletes a key given null, the chart's default with it${refuses}, got null; remove the key to keep the chart's default`,
    ]);
  });

  it("a null for a key values.yaml lacks stays a null to Helm, judged by the schema's type", () => {
    assert.deepEqual(nulls({ dnsConfig: { nameservers: null } }), [
      `${PROJECT}:chartValues.alertmanager.dnsConfig.nameservers: expected a list (${am} allows only a list there${refuses}, got null; remove the key, or give a list`,
    ]);
  });

  it("keeps a null Helm renders: one the program's merge takes, one Helm deletes that nothing requires", () => {
    assert.deepEqual(nulls({ image: null, replicaCount: null, persistence: { size: null } }), []);
    assert.deepEqual(
      nulls({ service: { annotations: null, type: "ClusterIP" }, ingress: { enabled: null } }),
      [],
    );
    // loki 18.11.0's schema requires nothing: lokiCanary.enabled null is deleted, the canary left out.
    assert.deepEqual(nulls({ lokiCanary: { enabled: null } }, "loki", {}), []);
  });

  it("the program refuses it at the override's line, before any render, and names it for the judging again", async () => {
    const project = tmpDir("chart-value-nulls");
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(project, "Pulumi.yaml"));
    const doc = parse(fs.readFileSync(path.join(ROOT, "Pulumi.staging.yaml"), "utf8"));
    doc.config[`${PROJECT}:chartValues`] = { alertmanager: { service: { port: null }, image: null } };
    fs.writeFileSync(path.join(project, "Pulumi.nulls.yaml"), stringify(doc));
    const e: unknown = await synthStack(project, "nulls").then(
      () => assert.fail("the stack was synthesized"),
      (err: unknown) => err,
    );
    assert.ok(e instanceof ConfigError, String(e));
    assert.deepEqual(e.problems, [
      `${PROJECT}:chartValues.alertmanager.service.port: expected a whole number (${am} requires service.port, and Helm deletes a key given null, the chart's default with it${refuses}, got null; remove the key to keep the chart's default`,
    ]);
    assert.match(e.message, /Pulumi\.nulls\.yaml:\d+:\d+\n.*\| +port: null/);
    assert.deepEqual(e.overrides, [["alertmanager", "service", "port"]]);
  });
});
