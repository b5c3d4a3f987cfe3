import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { versions } from "../../model/versions";
import { chartCacheDir, helmBinary } from "../../synth/render/helm";
import {
  KUBE_RBAC_PROXY_VERSION,
  NODE_EXPORTER_CHART_VERSION,
  nodeExporterProxyAccess,
  proxyAccessRequest,
  proxyAuthorizationOf,
} from "../../upstream/kubeRbacProxy";
import { ENDPOINT_AUTH } from "../../upstream/serviceMonitorAuth";
import { VM_OPERATOR_VERSION } from "../../upstream/operators/victoriaMetrics";
import { PROMETHEUS_OPERATOR_VERSION } from "../../upstream/operators/prometheusOperator";
import { toolOutput } from "../support/toolOutput";
import { underCi } from "../../config/ci";

/** `helm show values` / `helm template` of the pinned prometheus-node-exporter archive: the chart's own words. */
function chart(what: "values" | "template", set: string[] = []): string {
  const c = versions.charts.nodeExporter;
  const archive = path.join(chartCacheDir(), `${c.chart}-${c.version}.tgz`);
  if (!fs.existsSync(archive)) {
    const why = `no chart archive ${archive} (set HOMELAB_CHART_CACHE)`;
    if (underCi()) throw new Error(`${why}; CI needs it`);
    console.warn(`\n  !!! ${why}\n`);
  }
  const args =
    what === "values"
      ? ["show", "values", archive]
      : ["template", "ne", archive, "--namespace", "agents", ...set.flatMap((s) => ["--set", s])];
  // Asked of helm once per helm binary and archive content, then read from the fixture cache.
  return toolOutput(helmBinary(), args, [archive]);
}

describe("upstream/kubeRbacProxy.ts and serviceMonitorAuth.ts: the facts at the pinned versions", function () {
  this.timeout(60_000);

  it(`were read at the versions the program pins: prometheus-node-exporter ${NODE_EXPORTER_CHART_VERSION}, whose default proxy image is the pinned kube-rbac-proxy ${KUBE_RBAC_PROXY_VERSION}`, () => {
    assert.equal(
      NODE_EXPORTER_CHART_VERSION,
      versions.charts.nodeExporter.version,
      `prometheus-node-exporter moved to ${versions.charts.nodeExporter.version}: read its templates and default kube-rbac-proxy image there, refresh upstream/kubeRbacProxy.ts (NODE_EXPORTER_CHART_VERSION) and the kubeRbacProxy pin in model/versions.ts`,
    );
    const image = parse(chart("values")).kubeRBACProxy.image;
    assert.deepEqual(
      { registry: image.registry, repository: image.repository, tag: image.tag },
      { ...versions.images.kubeRbacProxy },
    );
    assert.equal(KUBE_RBAC_PROXY_VERSION, versions.images.kubeRbacProxy.tag);
  });

  it("the chart's proxy config (templates/rbac-configmap.yaml, chart defaults) asks get on services/<fullname> named <fullname> in the release's namespace", () => {
    const docs = chart("template", ["kubeRBACProxy.enabled=true"])
      .split(/^---$/m)
      .map((d) => parse(d))
      .filter(Boolean);
    const cm = docs.find((d: any) => d.kind === "ConfigMap" && d.metadata.name.endsWith("-rbac-config"));
    const fullname = cm.metadata.name.replace(/-rbac-config$/, "");
    const access = proxyAccessRequest(proxyAuthorizationOf(cm.data["config-file.yaml"]), "GET", "/metrics");
    assert.deepEqual(access, nodeExporterProxyAccess("agents", fullname));
  });

  it("each scraper's endpoint-auth facts name the version the program runs", () => {
    assert.match(ENDPOINT_AUTH.prometheus.at, new RegExp(PROMETHEUS_OPERATOR_VERSION));
    assert.match(ENDPOINT_AUTH.vmagent.at, new RegExp(VM_OPERATOR_VERSION));
    assert.match(ENDPOINT_AUTH.alloy.at, new RegExp(versions.images.alloy.tag.replace(/\./g, "\\.")));
    assert.equal(VM_OPERATOR_VERSION, versions.images.vmOperator.tag);
  });
});
