/**
 * The change check's running monitors (`--running` with servicemonitors.yaml, podmonitors.yaml,
 * probes.yaml, scrapeconfigs.yaml):
 * one an app brings that the update's Prometheus rejects (prometheus-operator v0.93.0 drops a
 * monitor whose scrapeTimeout is over the interval it is scraped at, checks/monitorDurations.ts)
 * was never judged: synth sees only the monitors the stack renders, so an update lowering the
 * server's scrapeInterval stopped its targets' scrapes without a word.
 */
import { strict as assert } from "assert";
import { parseRunning, type RunningState } from "../../model/running";
import { runningMonitorWarnings } from "../../change/runningMonitors";
import type { StackObject } from "../../synth/render/types";

const prometheus = (scrapeInterval: string): StackObject => ({
  object: {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "Prometheus",
    metadata: { name: "kps-prometheus", namespace: "monitoring" },
    spec: {
      scrapeInterval,
      serviceMonitorSelector: {},
      serviceMonitorNamespaceSelector: {},
      probeSelector: {},
      probeNamespaceSelector: {},
    },
  },
  resourceUrn: "urn:pulumi:s::p::kubernetes:helm.sh/v3:Release::kps",
  release: {
    name: "kps",
    namespace: "monitoring",
    chart: "kube-prometheus-stack",
    version: "88.0.0",
    source: "",
  },
});

const serviceMonitor = (scrapeTimeout: string, namespace = "team-a") => ({
  apiVersion: "monitoring.coreos.com/v1",
  kind: "ServiceMonitor",
  metadata: { name: "app", namespace },
  spec: { endpoints: [{ port: "http", scrapeTimeout }] },
});

/** The chart value kube-prometheus-stack writes its Prometheus' spec.scrapeInterval from. */
const INTERVAL_KEY = "chartValues.kube-prometheus-stack.prometheus.prometheusSpec.scrapeInterval";

const running = (monitors?: Record<string, any>[]): RunningState => ({
  dir: "/r",
  releases: [],
  statefulSets: [],
  pvcs: [],
  ...(monitors ? { monitors } : {}),
});

describe("change check: running monitors the update's Prometheus rejects", () => {
  it("warns of a running ServiceMonitor the update's server interval rejects and today's does not, naming it, the server, the chart value the stack file sets the interval with (file and line) and what to set", () => {
    const at = (k: string) => (k === INTERVAL_KEY ? "Pulumi.s.yaml:42" : undefined);
    const [w, ...more] = runningMonitorWarnings(
      [prometheus("30s")],
      [prometheus("15s")],
      running([serviceMonitor("20s")]),
      at,
    );
    assert.equal(more.length, 0);
    assert.equal(
      w,
      `ServiceMonitor team-a/app (running, /r/servicemonitors.yaml), which the update does not render: endpoints[0].scrapeTimeout: expected at most the interval it is scraped at, Prometheus monitoring/kps-prometheus's [spec.scrapeInterval] "15s", set by ${INTERVAL_KEY} (Pulumi.s.yaml:42) (endpoints[0].interval is unset), got "20s" ("scrapeTimeout \\"20s\\" greater than scrapeInterval \\"15s\\""): prometheus-operator rejects the whole ServiceMonitor and writes Prometheus monitoring/kps-prometheus's config without it, so Prometheus monitoring/kps-prometheus scrapes none of its targets; set endpoints[0].interval to at least "20s", endpoints[0].scrapeTimeout to at most "15s", or ${INTERVAL_KEY} to at least "20s" (the running servers take it today)`,
    );
  });

  it("names the chart value where the stack file leaves it unset, and the CR field of a Prometheus no chart renders", () => {
    const unset = runningMonitorWarnings(
      [prometheus("30s")],
      [prometheus("15s")],
      running([serviceMonitor("20s")]),
      (k) => (k === "chartValues" ? "Pulumi.s.yaml:7" : undefined),
    );
    assert.match(
      unset[0],
      /set by chartValues\.kube-prometheus-stack\.prometheus\.prometheusSpec\.scrapeInterval \(not set in the stack file; chartValues is at Pulumi\.s\.yaml:7\)/,
    );
    // kube-prometheus-stack's PrometheusAgent (prometheus.agentMode) takes the same value.
    const agent = (i: string): StackObject => {
      const o = prometheus(i);
      return {
        ...o,
        object: { ...o.object, apiVersion: "monitoring.coreos.com/v1alpha1", kind: "PrometheusAgent" },
      };
    };
    const [a] = runningMonitorWarnings([agent("30s")], [agent("15s")], running([serviceMonitor("20s")]));
    assert.match(
      a,
      /PrometheusAgent monitoring\/kps-prometheus's \[spec\.scrapeInterval\] "15s", set by chartValues\.kube-prometheus-stack\.prometheus\.prometheusSpec\.scrapeInterval/,
    );
    const raw = (o: StackObject): StackObject => ({ object: o.object, resourceUrn: "urn:raw" });
    const [w] = runningMonitorWarnings(
      [raw(prometheus("30s"))],
      [raw(prometheus("15s"))],
      running([serviceMonitor("20s")]),
    );
    assert.match(w, /Prometheus monitoring\/kps-prometheus's spec\.scrapeInterval "15s" \(endpoints/);
    assert.match(w, /or Prometheus monitoring\/kps-prometheus's spec\.scrapeInterval to at least "20s"/);
  });

  it("warns of a running Probe too, naming probes.yaml", () => {
    const probe = {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "Probe",
      metadata: { name: "site", namespace: "team-a" },
      spec: {
        scrapeTimeout: "20s",
        prober: { url: "blackbox:9115" },
        targets: { staticConfig: { static: ["x"] } },
      },
    };
    const warnings = runningMonitorWarnings([prometheus("30s")], [prometheus("15s")], running([probe]));
    assert.equal(warnings.length, 1);
    assert.match(
      warnings[0],
      /^Probe team-a\/site \(running, \/r\/probes\.yaml\), which the update does not render: /,
    );
  });

  it("says nothing of one rejected today too, one the update renders or deletes, one within the interval, or without the report", () => {
    const sm = serviceMonitor("20s");
    assert.deepEqual(runningMonitorWarnings([prometheus("15s")], [prometheus("15s")], running([sm])), []);
    assert.deepEqual(runningMonitorWarnings([prometheus("30s")], [prometheus("20s")], running([sm])), []);
    assert.deepEqual(
      runningMonitorWarnings(
        [prometheus("30s")],
        [prometheus("15s"), { object: sm, resourceUrn: "urn:app" }],
        running([sm]),
      ),
      [],
    );
    assert.deepEqual(runningMonitorWarnings([prometheus("30s")], [prometheus("15s")], running()), []);
    // The stack's own today, which the update no longer renders: deleted by it, never rejected.
    assert.deepEqual(
      runningMonitorWarnings(
        [prometheus("30s"), { object: sm, resourceUrn: "urn:app" }],
        [prometheus("15s")],
        running([sm]),
      ),
      [],
    );
  });

  it("reads servicemonitors.yaml, podmonitors.yaml, probes.yaml and scrapeconfigs.yaml as optional reports of their kind", () => {
    const base = { "helm-list.yaml": "[]", "statefulsets.yaml": "items: []\n", "pvcs.yaml": "items: []\n" };
    assert.equal(parseRunning("/r", (f) => (base as Record<string, string>)[f]).monitors, undefined);
    const files: Record<string, string> = {
      ...base,
      "servicemonitors.yaml": "kind: List\nitems:\n- kind: ServiceMonitor\n  metadata: {name: a}\n",
      "podmonitors.yaml": "kind: List\nitems:\n- kind: PodMonitor\n  metadata: {name: b}\n",
      "probes.yaml": "kind: List\nitems:\n- kind: Probe\n  metadata: {name: c}\n",
      "scrapeconfigs.yaml": "kind: List\nitems:\n- kind: ScrapeConfig\n  metadata: {name: d}\n",
    };
    assert.deepEqual(
      parseRunning("/r", (f) => files[f]).monitors?.map((m) => m.metadata.name),
      ["a", "b", "c", "d"],
    );
    // A Probe alone is read too.
    const probesOnly: Record<string, string> = { ...base, "probes.yaml": files["probes.yaml"] };
    assert.deepEqual(
      parseRunning("/r", (f) => probesOnly[f]).monitors?.map((m) => m.metadata.name),
      ["c"],
    );
    assert.throws(
      () => parseRunning("/r", (f) => ({ ...files, "podmonitors.yaml": "items:\n- kind: Secret\n" })[f]),
      /\/r\/podmonitors\.yaml: expected every item of kind PodMonitor \(from: kubectl get podmonitors -A -o yaml > \/r\/podmonitors\.yaml\), found item 0: kind Secret/,
    );
  });
});
