import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parseAllDocuments, parse } from "yaml";
import { versions } from "../../model/versions";
import { KPS_PORT_NAME, kpsAlertmanagerName, prometheusName } from "../../model/services";
import { chartCacheDir, helmBinary } from "../../preview/render/helm";
import { operatorObjects, type Placed } from "../../preview/checks/objects";
import {
  PROMETHEUS_OPERATOR_VERSION,
  RELOADER_PORT,
  SERVERS,
  serverPortName,
  type OperatorServer,
} from "../../upstream/operators/prometheusOperator";
import { matrixVariants, renderAll, stackFileVariants } from "../support/rendered";

/**
 * `helm show chart` or `helm template` of a pinned chart archive: the chart's own words, not a copy
 * of them (prometheus-operator-crds ships its CRDs as templates, so `show crds` is empty).
 */
function helm(what: "chart" | "template", chart: { chart: string; version: string }): string {
  const archive = path.join(chartCacheDir(), `${chart.chart}-${chart.version}.tgz`);
  if (!fs.existsSync(archive)) {
    const why = `no chart archive ${archive} (set HOMELAB_CHART_CACHE)`;
    if (process.env.CI === "true") throw new Error(`${why}; CI needs it`);
    console.warn(`\n  !!! ${why}\n`);
  }
  const args = what === "chart" ? ["show", "chart", archive] : ["template", "crds", archive];
  return execFileSync(helmBinary(), args, { encoding: "utf8", maxBuffer: 64 * 2 ** 20 });
}

/**
 * The operator contract (upstream/operators/prometheusOperator.ts) against the pinned charts: the
 * version it was read at is the one the charts deploy, and each default it relies on is the one the
 * CRD in prometheus-operator-crds states. The operator's code (port name = portName, the reloader's
 * port) was read, not run, at that version; the CRDs are read here.
 */
describe("upstream/operators: prometheus-operator's contract at the pinned charts", function () {
  this.timeout(60_000);

  it("was read at the operator version both pinned charts deploy (their appVersion)", () => {
    for (const chart of [versions.charts.kubePrometheusStack, versions.charts.prometheusOperatorCrds]) {
      const meta = parse(helm("chart", chart)) as { appVersion: string };
      assert.equal(
        meta.appVersion,
        PROMETHEUS_OPERATOR_VERSION,
        `${chart.chart} ${chart.version} deploys prometheus-operator ${meta.appVersion}; read its source at that tag and refresh upstream/operators/prometheusOperator.ts`,
      );
    }
  });

  it("each server's default portName is the one its CRD states (schema default and description)", () => {
    const crds = parseAllDocuments(helm("template", versions.charts.prometheusOperatorCrds)).map((d) =>
      d.toJS(),
    );
    for (const kind of Object.keys(SERVERS) as OperatorServer[]) {
      const crd = crds.find((c) => c?.kind === "CustomResourceDefinition" && c.spec?.names?.kind === kind);
      assert.ok(crd, `prometheus-operator-crds has the ${kind} CRD`);
      const version = crd.spec.versions.find((v: any) => v.storage);
      const field = version.schema.openAPIV3Schema.properties.spec.properties.portName;
      assert.equal(field.default, SERVERS[kind].defaultPortName, `${kind} spec.portName default`);
      assert.match(field.description, new RegExp(`[Dd]efault.*${SERVERS[kind].defaultPortName}`));
    }
  });

  it("names the pods' and the governing Service's port after spec.portName, else the CRD default", () => {
    const cr = (kind: OperatorServer, spec: Record<string, unknown>): Placed => ({
      urn: "urn:cr",
      source: "test",
      obj: { apiVersion: "monitoring.coreos.com/v1", kind, metadata: { name: "p", namespace: "m" }, spec },
    });
    for (const kind of Object.keys(SERVERS) as OperatorServer[]) {
      for (const [spec, want] of [
        [{}, SERVERS[kind].defaultPortName],
        [{ portName: "http-web" }, "http-web"],
      ] as const) {
        assert.equal(serverPortName(kind, spec), want);
        const made = operatorObjects([cr(kind, spec)]);
        const pod = made.find((o) => o.obj.kind === "StatefulSet")!;
        const ports = pod.obj.spec.template.spec.containers.flatMap((c: any) => c.ports);
        assert.deepEqual(
          ports.map((p: any) => [p.name, p.containerPort]),
          [
            [want, SERVERS[kind].port],
            [RELOADER_PORT.name, RELOADER_PORT.port],
          ],
        );
        const svc = made.find((o) => o.obj.kind === "Service")!;
        assert.equal(svc.obj.metadata.name, SERVERS[kind].governingService);
        assert.deepEqual(svc.obj.spec.ports, [{ name: want, port: SERVERS[kind].port, targetPort: want }]);
      }
    }
  });

  it("every stack's rendered Prometheus and Alertmanager carry the portName the NetworkPolicies admit", async function () {
    this.timeout(600_000);
    const rendered = await renderAll([...stackFileVariants(), ...matrixVariants()]);
    let seen = 0;
    for (const r of rendered) {
      for (const { object: o } of r.objects) {
        if (o.apiVersion !== "monitoring.coreos.com/v1") continue;
        if (o.kind !== "Prometheus" && o.kind !== "Alertmanager") continue;
        if (o.metadata.name !== prometheusName() && o.metadata.name !== kpsAlertmanagerName()) continue;
        seen++;
        assert.equal(
          serverPortName(o.kind, o.spec),
          KPS_PORT_NAME,
          `${r.title}: ${o.kind} ${o.metadata.name}`,
        );
      }
    }
    assert.ok(seen > 0, "some variant runs kube-prometheus-stack");
  });
});
