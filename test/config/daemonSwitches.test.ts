/**
 * The DaemonSets' pods the config check counts on every node (config/sizing.ts nodeDaemons, the
 * sum fitProblems judges and names): only what a `chartValues` switch leaves running. The loki
 * chart renders its canary under `{{- if .Values.lokiCanary.enabled -}}` (loki 18.11.0
 * templates/loki-canary/daemonset.yaml:1) and node-exporter's kube-rbac-proxy container under
 * `{{- if .Values.kubeRBACProxy.enabled }}` (prometheus-node-exporter 4.49.1
 * templates/daemonset.yaml:190): Go template truth, so false, 0 and "" read as off here (helm itself
 * refuses any value but a boolean at both: contract DAEMON_SWITCHES). The program
 * writes both on (loki.canary; builders/metrics/exporterValues.ts kubeRbacProxyValues), and a null
 * override deletes its key (builders/chartValues.ts), leaving the chart's default (values.yaml:
 * the canary on, kube-rbac-proxy off).
 */
import { strict as assert } from "assert";
import { DAEMON_SWITCHES } from "@homelab-observability/contract";
import { nodeDaemons } from "../../config/sizing";
import { DEFAULT_CHARTS } from "../../policy/lib/charts";
import { config } from "../support/helpers";

const MIB = 2 ** 20;

/** The DaemonSets counted, each `<workload> <memory>Mi`, for a standard stack with `chartValues`. */
function counted(chartValues: Record<string, unknown>): string[] {
  return nodeDaemons(config({ phase: "kps-removed", logAgent: "vector", chartValues })).map(
    (d) => `${d.workload} ${d.memory / MIB}Mi`,
  );
}

describe("config: the DaemonSets counted on every node are the ones the chart switches leave running", () => {
  const all = counted({});
  const memoryOf = (w: string) => all.find((d) => d.startsWith(`${w} `));

  it("counts the canary and node-exporter's kube-rbac-proxy with no override", () => {
    assert.ok(memoryOf("loki-canary"), all.join(", "));
    assert.ok(memoryOf("node-exporter"), all.join(", "));
  });

  for (const off of [false, 0, ""])
    it(`leaves out the canary switched off (lokiCanary.enabled: ${JSON.stringify(off)})`, () =>
      assert.ok(
        !counted({ loki: { lokiCanary: { enabled: off } } }).some((d) => d.startsWith("loki-canary ")),
      ));

  it('keeps the canary at "false" (a string, true to the template) and at null (the chart\'s default, on)', () => {
    for (const v of ["false", null])
      assert.ok(counted({ loki: { lokiCanary: { enabled: v } } }).some((d) => d.startsWith("loki-canary ")));
  });

  for (const off of [false, 0, "", null])
    it(`counts node-exporter without its kube-rbac-proxy switched off (kubeRBACProxy.enabled: ${JSON.stringify(off)})`, () => {
      const without = counted({ "prometheus-node-exporter": { kubeRBACProxy: { enabled: off } } });
      const proxyOnly = counted({
        "prometheus-node-exporter": { resources: { requests: { memory: "0" } } },
      }).find((d) => d.startsWith("node-exporter "));
      const ne = without.find((d) => d.startsWith("node-exporter "));
      assert.ok(ne && proxyOnly, without.join(", "));
      // node-exporter's own request plus the proxy's is what is counted with it on.
      const total = parseFloat(memoryOf("node-exporter")!.split(" ")[1]);
      const proxy = parseFloat(proxyOnly.split(" ")[1]);
      assert.equal(ne, `node-exporter ${total - proxy}Mi`);
    });
});

describe("config: a null over a DaemonSet switch's map leaves the chart's default, as the program's merge deletes the map", () => {
  // builders/chartValues.ts deletes the whole map a null names, so Helm reads the chart's default
  // (run with helm 3.17.3: prometheus-node-exporter 4.49.1 with no kubeRBACProxy renders the
  // node-exporter container alone; loki 18.11.0 with no lokiCanary renders the canary).
  it("counts node-exporter without its kube-rbac-proxy at kubeRBACProxy: null", () => {
    const off = counted({ "prometheus-node-exporter": { kubeRBACProxy: { enabled: false } } });
    const ne = (l: string[]) => l.find((d) => d.startsWith("node-exporter "));
    assert.equal(ne(counted({ "prometheus-node-exporter": { kubeRBACProxy: null } })), ne(off));
  });

  it("counts the canary at lokiCanary: null on the lightweight profile, whose canary the program writes off", () => {
    // loki.canary unset is false there (config/resolve.ts); loki 18.11.0 with no lokiCanary renders it.
    const cfg = config({ profile: "lightweight", chartValues: { loki: { lokiCanary: null } } });
    assert.equal(cfg.loki.canary, false);
    const daemons = nodeDaemons(cfg).map((d) => d.workload);
    assert.ok(daemons.includes("loki-canary"), daemons.join(", "));
  });
});

describe("config: the pack's chart model reads the DaemonSets' switches from the same list (contract DAEMON_SWITCHES)", () => {
  it("the loki canary's switch and node-exporter's kube-rbac-proxy's", () => {
    const canary = DEFAULT_CHARTS.loki.workloads.find((w) => w.name === "canary");
    const ne = DEFAULT_CHARTS["prometheus-node-exporter"].workloads.find((w) => w.name === "node-exporter");
    assert.deepEqual(canary?.enabled, DAEMON_SWITCHES.lokiCanary);
    assert.deepEqual(ne?.resourcesIf?.["kubeRBACProxy.resources"], DAEMON_SWITCHES.kubeRbacProxy);
    assert.deepEqual(ne?.imagesIf?.["kubeRBACProxy.image"], DAEMON_SWITCHES.kubeRbacProxy);
  });
});
