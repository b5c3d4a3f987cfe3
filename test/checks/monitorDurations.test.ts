/**
 * monitor-duration: a ServiceMonitor, PodMonitor, Probe or ScrapeConfig whose scrapeTimeout is
 * longer than the interval it is scraped at, which prometheus-operator v0.93.0 rejects whole,
 * leaving it out of every selecting server's config (checks/monitorDurations.ts).
 */
import { strict as assert } from "assert";
import { checkMonitorDurations } from "../../checks/monitorDurations";
import type { K8sObject } from "../../checks/objects";
import { at, PROMETHEUS_CRD as CRD, prometheusOperatorDeployment } from "../support/checkCases";
import { synthWithChartValues } from "../support/helpers";

const everything = {
  serviceMonitorSelector: {},
  serviceMonitorNamespaceSelector: {},
  podMonitorSelector: {},
  podMonitorNamespaceSelector: {},
  probeSelector: {},
  probeNamespaceSelector: {},
  scrapeConfigSelector: {},
  scrapeConfigNamespaceSelector: {},
};

const prometheus = (spec: Record<string, unknown> = {}): K8sObject => ({
  apiVersion: "monitoring.coreos.com/v1",
  kind: "Prometheus",
  metadata: { name: "kps-prometheus", namespace: "monitoring" },
  spec: { ...everything, ...spec },
});

const monitor = (
  kind: string,
  spec: Record<string, unknown>,
  name = "grafana",
  namespace = "monitoring",
) => ({
  apiVersion: `monitoring.coreos.com/${kind === "ScrapeConfig" ? "v1alpha1" : "v1"}`,
  kind,
  metadata: { name, namespace, labels: { app: name } },
  spec,
});

const sm = (endpoints: Record<string, unknown>[], name?: string, namespace?: string) =>
  monitor("ServiceMonitor", { endpoints }, name, namespace);

const findings = (objects: K8sObject[], server = prometheus()) =>
  checkMonitorDurations([at(CRD), at(server, "urn:kps", "release kps"), ...objects.map((o) => at(o))])
    .findings;
const messages = (objects: K8sObject[], server?: K8sObject) =>
  findings(objects, server).map((f) => f.message);

describe("monitor-duration: a monitor whose scrapeTimeout prometheus-operator rejects it for", () => {
  it("refuses an endpoint's timeout longer than its own interval, naming both and what to set", () => {
    assert.deepEqual(messages([sm([{ port: "a" }, { interval: "15s", scrapeTimeout: "30s" }])]), [
      `endpoints[1].scrapeTimeout: expected at most its endpoints[1].interval "15s", got "30s" ("scrapeTimeout \\"30s\\" greater than scrapeInterval \\"15s\\""): prometheus-operator rejects the whole ServiceMonitor and writes Prometheus monitoring/kps-prometheus's config without it, so Prometheus monitoring/kps-prometheus scrapes none of its targets; set endpoints[1].scrapeTimeout to at most "15s" or endpoints[1].interval to at least "30s"`,
    ]);
    assert.deepEqual(findings([sm([{ interval: "15s", scrapeTimeout: "30s" }])])[0].judged, [
      "interval",
      "scrapeTimeout",
    ]);
  });

  it("compares as model.ParseDuration reads: equal durations in other units pass, one millisecond more does not", () => {
    for (const [interval, timeout] of [
      ["1m", "60s"],
      ["30s", "30s"],
      ["1m", "59s999ms"],
      ["1h", "59m"],
    ])
      assert.deepEqual(messages([sm([{ interval, scrapeTimeout: timeout }])]), [], `${interval} ${timeout}`);
    assert.equal(messages([sm([{ interval: "1m", scrapeTimeout: "60001ms" }])]).length, 1);
  });

  it("falls back to the server's scrapeInterval, then the CRD's default: one message per server interval", () => {
    const two = [sm([{ scrapeTimeout: "10s" }], "node-exporter"), sm([{ scrapeTimeout: "8s" }], "alloy")];
    const f = findings(two, prometheus({ scrapeInterval: "5s" }));
    assert.equal(f.length, 2);
    assert.equal(f[0].cause, f[1].cause);
    assert.deepEqual(f[0].releases, ["urn:rel-a", "urn:kps"]);
    assert.equal(
      f[0].message,
      `endpoints[0].scrapeTimeout: expected at most the interval it is scraped at, Prometheus monitoring/kps-prometheus's spec.scrapeInterval "5s" (endpoints[0].interval is unset), got "10s" ("scrapeTimeout \\"10s\\" greater than scrapeInterval \\"5s\\""): prometheus-operator rejects the whole ServiceMonitor and writes Prometheus monitoring/kps-prometheus's config without it, so Prometheus monitoring/kps-prometheus scrapes none of its targets; set endpoints[0].interval to at least "10s", endpoints[0].scrapeTimeout to at most "5s", or Prometheus monitoring/kps-prometheus's spec.scrapeInterval to at least "10s"`,
    );
    assert.match(
      messages([sm([{ scrapeTimeout: "31s" }])])[0],
      /Prometheus monitoring\/kps-prometheus's spec\.scrapeInterval, the CRD's default "30s" \(endpoints\[0\]\.interval is unset\), got "31s"/,
    );
    // An empty interval is the Go zero value: unset, as the operator reads it.
    assert.equal(messages([sm([{ interval: "", scrapeTimeout: "31s" }])]).length, 1);
    // The server's interval long enough, or no timeout: nothing compared.
    assert.deepEqual(messages(two, prometheus({ scrapeInterval: "10s" })), []);
    assert.deepEqual(messages([sm([{ interval: "1s" }, {}])]), []);
  });

  it("judges PodMonitors, Probes and ScrapeConfigs by their own fields", () => {
    const pm = monitor("PodMonitor", { podMetricsEndpoints: [{ interval: "10s", scrapeTimeout: "20s" }] });
    assert.match(
      messages([pm])[0],
      /^podMetricsEndpoints\[0\]\.scrapeTimeout: expected at most its podMetricsEndpoints\[0\]\.interval "10s", got "20s"/,
    );
    assert.match(messages([pm])[0], /rejects the whole PodMonitor/);
    const probe = monitor("Probe", { interval: "10s", scrapeTimeout: "20s" });
    assert.match(messages([probe])[0], /^scrapeTimeout: expected at most its interval "10s", got "20s"/);
    const sc = monitor("ScrapeConfig", { scrapeInterval: "10s", scrapeTimeout: "20s" });
    assert.match(messages([sc])[0], /^scrapeTimeout: expected at most its scrapeInterval "10s", got "20s"/);
    // A ScrapeConfig's interval field is scrapeInterval: its `interval` is no field the operator reads.
    assert.match(
      messages([monitor("ScrapeConfig", { interval: "1m", scrapeTimeout: "31s" })])[0],
      /the CRD's default "30s"/,
    );
  });

  it("refuses a monitor's own duration too long for model.ParseDuration", () => {
    assert.deepEqual(messages([sm([{ interval: "300y", scrapeTimeout: "10s" }])]), [
      `endpoints[0].interval: expected a duration model.ParseDuration reads, got "300y" ("duration out of range"): prometheus-operator rejects the whole ServiceMonitor and writes Prometheus monitoring/kps-prometheus's config without it, so Prometheus monitoring/kps-prometheus scrapes none of its targets`,
    ]);
    assert.deepEqual(messages([sm([{ interval: "292y", scrapeTimeout: "10s" }])]), []);
  });

  it("judges only what a running server certainly selects", () => {
    const bad = sm([{ interval: "15s", scrapeTimeout: "30s" }], "grafana", "other");
    // A selector its labels do not match, a nil one (selects none), zero replicas.
    assert.deepEqual(
      messages([bad], prometheus({ serviceMonitorSelector: { matchLabels: { app: "x" } } })),
      [],
    );
    assert.deepEqual(messages([bad], prometheus({ serviceMonitorSelector: null })), []);
    assert.deepEqual(messages([bad], prometheus({ replicas: 0 })), []);
    // A nil namespace selector reads the server's namespace only.
    assert.deepEqual(messages([bad], prometheus({ serviceMonitorNamespaceSelector: null })), []);
    assert.equal(
      messages(
        [sm([{ interval: "15s", scrapeTimeout: "30s" }])],
        prometheus({ serviceMonitorNamespaceSelector: null }),
      ).length,
      1,
    );
    // A namespace selector with labels: judged on a rendered Namespace only (name label included).
    const bySel = prometheus({ serviceMonitorNamespaceSelector: { matchLabels: { team: "a" } } });
    assert.deepEqual(messages([bad], bySel), []);
    const ns = (labels: Record<string, string>) => ({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "other", labels },
    });
    assert.equal(messages([bad, ns({ team: "a" })], bySel).length, 1);
    assert.deepEqual(messages([bad, ns({ team: "b" })], bySel), []);
    const byName = prometheus({
      serviceMonitorNamespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "other" } },
    });
    assert.equal(messages([bad, ns({})], byName).length, 1);
  });

  /**
   * Several servers selecting one monitor: its own durations are one mistake that drops it from
   * each, which named only the first; a server's interval is each server's own cause.
   */
  it("names every server that selects a monitor it rejects, one finding per cause", () => {
    const agent: K8sObject = {
      apiVersion: "monitoring.coreos.com/v1alpha1",
      kind: "PrometheusAgent",
      metadata: { name: "agent", namespace: "monitoring" },
      spec: { ...everything, scrapeInterval: "5s" },
    };
    const both = (objects: K8sObject[], server = prometheus()) =>
      checkMonitorDurations([
        at(CRD),
        at(server, "urn:kps", "release kps"),
        at(agent, "urn:agent", "release agent"),
        ...objects.map((o) => at(o)),
      ]).findings;
    const own = both([sm([{ interval: "15s", scrapeTimeout: "30s" }])]);
    assert.equal(own.length, 1);
    assert.match(
      own[0].message,
      /: prometheus-operator rejects the whole ServiceMonitor and writes the configs of Prometheus monitoring\/kps-prometheus, PrometheusAgent monitoring\/agent without it, so none of them scrapes any of its targets; set endpoints\[0\]\.scrapeTimeout/,
    );
    // No interval of its own: each server's interval is a cause of its own, said once each.
    const fallback = both([sm([{ scrapeTimeout: "10s" }])], prometheus({ scrapeInterval: "8s" }));
    assert.deepEqual(
      fallback.map((f) => /^.*?spec\.scrapeInterval "(\w+)"/.exec(f.message)?.[0]),
      [
        `endpoints[0].scrapeTimeout: expected at most the interval it is scraped at, Prometheus monitoring/kps-prometheus's spec.scrapeInterval "8s"`,
        `endpoints[0].scrapeTimeout: expected at most the interval it is scraped at, PrometheusAgent monitoring/agent's spec.scrapeInterval "5s"`,
      ],
    );
    assert.notEqual(fallback[0].cause, fallback[1].cause);
    // The Prometheus' interval long enough: the agent's alone.
    assert.equal(both([sm([{ scrapeTimeout: "10s" }])], prometheus({ scrapeInterval: "10s" })).length, 1);
  });

  /** prometheus-operator v0.93.0 flags (upstream/prometheusOperatorScope.ts): what it never reads it never rejects. */
  const operator = (args: string[]): K8sObject => prometheusOperatorDeployment(args);

  it("judges no monitor in a namespace its operator does not read, nor one a server it does not reconcile selects, nor one of a paused server", () => {
    const bad = sm([{ interval: "15s", scrapeTimeout: "30s" }], "app", "team-a");
    const count = (args: string[]) => messages([bad, operator(args)]).length;
    assert.equal(count(["--kubelet-endpoints=true"]), 1);
    assert.equal(count(["--deny-namespaces=team-a"]), 0);
    assert.equal(count(["--deny-namespaces=team-b,kube-system"]), 1);
    assert.equal(count(["--namespaces=monitoring"]), 0);
    // Go's flag forms, and a flag given twice adds to the set.
    assert.equal(count(["--namespaces", "monitoring,team-a"]), 1);
    assert.equal(count(["-namespaces=monitoring", "-namespaces=team-a"]), 1);
    // The server's namespace not reconciled: --prometheus-instance-namespaces, else the allow or deny list.
    assert.equal(count(["--prometheus-instance-namespaces=other"]), 0);
    assert.equal(count(["--namespaces=team-a", "--prometheus-instance-namespaces=monitoring"]), 1);
    assert.equal(count(["--deny-namespaces=monitoring"]), 0);
    // Both lists: the operator does not start; nothing is judged.
    assert.equal(count(["--namespaces=team-a,monitoring", "--deny-namespaces=x"]), 0);
    // An empty value still gives the flag (main.go:296-298 counts entries): kube-prometheus-stack's
    // `namespaces: {releaseNamespace: false}` beside a deny list stops the operator too.
    assert.equal(count(["--deny-namespaces=other", "--namespaces="]), 0);
    // An empty entry of the deny list denies nothing itself, and the others stay denied.
    assert.equal(count(["--deny-namespaces=team-a,"]), 0);
    assert.equal(count(["--deny-namespaces=,monitoring"]), 0);
    assert.equal(count(["--deny-namespaces=other,"]), 1);
    // Its flags as Go's flag package reads them (upstream/goflag.ts): none after `--` or its command,
    // and a command line it refuses, or `--version`, or a command but `start`, runs no controller.
    assert.equal(count(["--namespaces=monitoring,team-a", "--", "start", "--deny-namespaces=x"]), 1);
    // (after `--` the next argument is its command: "--deny-namespaces=x" is an unknown one, main.go:270-272)
    assert.equal(count(["--namespaces=monitoring,team-a", "--", "--deny-namespaces=x"]), 0);
    assert.equal(count(["--namespaces=monitoring", "start", "--namespaces=team-a"]), 0);
    assert.equal(count(["--namespaces=monitoring,team-a", "start"]), 1);
    assert.equal(count(["--namespaces=team-a", "crds"]), 0);
    assert.equal(count(["--version"]), 0);
    assert.equal(count(["--bogus=1"]), 0);
    assert.equal(count(["--deny-namespaces"]), 0);
    // An image mirrored under another name is still the operator, known by its own flag.
    const mirrored = (args: string[]) => {
      const o = operator(args);
      o.spec.template.spec.containers[0].image = "harbor.lan/mirror/prometheus-operator:v0.93.0";
      return messages([bad, o]).length;
    };
    assert.equal(mirrored(["--prometheus-config-reloader=quay.io/x:v0.93.0", "--deny-namespaces=team-a"]), 0);
    assert.equal(mirrored(["--prometheus-config-reloader=quay.io/x:v0.93.0", "--deny-namespaces=other"]), 1);
    // A server the operator skips: its labels outside --prometheus-instance-selector (the last
    // given), or its controller-id annotation not the operator's --controller-id ("" by default).
    const labelled = (labels: Record<string, string>, annotations: Record<string, string> = {}) => {
      const p = prometheus();
      p.metadata = { ...p.metadata, labels, annotations };
      return p;
    };
    const on = (server: K8sObject, args: string[]) => messages([bad, operator(args)], server).length;
    const kps = labelled({ release: "kps", app: "kube-prometheus-stack-prometheus" });
    assert.equal(on(kps, ["--prometheus-instance-selector=release=kps"]), 1);
    assert.equal(on(kps, ["--prometheus-instance-selector=release=other"]), 0);
    assert.equal(
      on(kps, ["--prometheus-instance-selector=release=other", "--prometheus-instance-selector=app"]),
      1,
    );
    assert.equal(on(kps, ["--prometheus-instance-selector=release!=kps"]), 0);
    assert.equal(on(kps, ["--prometheus-instance-selector=!shard,release==kps"]), 1);
    // A form not read here (in, notin): not known, not judged.
    assert.equal(on(kps, ["--prometheus-instance-selector=release in (kps)"]), 0);
    const owned = labelled({}, { "operator.prometheus.io/controller-id": "team" });
    assert.equal(on(owned, []), 0);
    assert.equal(on(owned, ["--controller-id=team"]), 1);
    assert.equal(on(labelled({}), ["--controller-id=team"]), 0);
    // Several operators: the server's own reconcile it, and a monitor counts where all of those read it.
    const two = (a: string[], b: string[], server = prometheus()) =>
      messages([bad, operator(a), operator(b)], server).length;
    assert.equal(two([], ["--controller-id=team"]), 1);
    assert.equal(two(["--namespaces=monitoring,team-a"], ["--namespaces=other"]), 1);
    assert.equal(two(["--namespaces=monitoring"], ["--namespaces=monitoring,team-a"]), 0);
    assert.equal(two(["--prometheus-instance-namespaces=other"], ["--controller-id=team"]), 0);
    // Paused: no action taken, its config not rewritten.
    assert.deepEqual(messages([bad], prometheus({ paused: true })), []);
    assert.equal(messages([bad], prometheus({ paused: false })).length, 1);
  });

  it("fails synth on a chartValues override, naming the key and its line", async () => {
    const { r, out, file, line } = await synthWithChartValues(
      "monitor-durations",
      "production",
      "    grafana:\n      serviceMonitor:\n        interval: 15s\n",
      "        interval: 15s",
    );
    assert.equal(r.status, 1, out);
    assert.match(
      out,
      /\[monitor-duration\] ServiceMonitor monitoring\/grafana \(release grafana\): endpoints\[0\]\.scrapeTimeout: expected at most its endpoints\[0\]\.interval "15s", got "30s"/,
    );
    assert.ok(
      out.includes(
        `from the stack's chart values override chartValues.grafana.serviceMonitor.interval (${file}:${line})`,
      ),
      out,
    );
  });
});
