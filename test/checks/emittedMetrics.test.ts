/**
 * The emitted-metrics check: the metric names a query reads (Prometheus' grammar), how each name
 * stands against the reference data, and the check on rendered dashboards and rules, each shown to
 * pass and to fail. The stack-wide runs are in rendered.test.ts (every stack, no finding).
 */
import { strict as assert } from "assert";
import { promqlErrors, promqlMetrics } from "../../upstream/metrics/promql";
import { checkEmittedMetrics, presentEmitters } from "../../checks/emittedMetrics";
import {
  CONDITION_KEY,
  describeFault,
  type EmittedRow,
  emittedMetricsFile,
  emittedRows,
  generatedMetricsFile,
  judgeMetric,
} from "../../upstream/metrics/emitted";
import { referenceFilesRead } from "../../upstream/reference";
import { SUPPORTED_KUBERNETES_MINORS } from "../../upstream/metrics/kubernetes";
import * as path from "path";
import { stackEmitters } from "../../plan/emitters";
import { capabilities, PHASES, BACKENDS, LOG_AGENTS } from "../../model/phases";
import type { K8sObject, Placed } from "../../checks/objects";
import { grafanaMountingDatasources } from "../support/grafanaPod";

const at = (obj: K8sObject): Placed => ({ obj, urn: "urn:x", source: "resource x" });

function dashboardMap(exprs: string[], title = "T"): K8sObject {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "dash", namespace: "monitoring", labels: { grafana_dashboard: "1" } },
    data: {
      "d.json": JSON.stringify({
        title,
        panels: [
          {
            type: "row",
            title: "row",
            panels: exprs.map((expr, i) => ({
              title: `p${i}`,
              datasource: { type: "prometheus", uid: "metrics" },
              targets: [{ expr }],
            })),
          },
          {
            title: "logs",
            datasource: { type: "loki", uid: "loki" },
            targets: [{ expr: 'sum(rate({namespace="x"}[5m]))' }],
          },
        ],
      }),
    },
  };
}

const rule = (expr: string, record?: string): K8sObject => ({
  apiVersion: "monitoring.coreos.com/v1",
  kind: "PrometheusRule",
  metadata: { name: "r", namespace: "monitoring" },
  spec: { groups: [{ name: "g", rules: [record ? { record, expr } : { alert: "A", expr }] }] },
});

const workload = (kind: string, name: string, component?: string, args: string[] = []): K8sObject => ({
  apiVersion: "apps/v1",
  kind,
  metadata: {
    name,
    namespace: "monitoring",
    labels: {
      "app.kubernetes.io/name": name,
      ...(component ? { "app.kubernetes.io/component": component } : {}),
    },
  },
  spec: { template: { spec: { containers: [{ name, args }] } } },
});

describe("emitted metrics", () => {
  describe("the metric names a PromQL query reads", () => {
    it("takes selectors' names, {__name__=...} and recording rules, never functions, labels or keywords", () => {
      assert.deepEqual(
        promqlMetrics(
          'histogram_quantile(0.99, sum by (le, route) (rate(loki_request_duration_seconds_bucket{route="x"}[5m]))) / on (job) group_left up + {__name__="scrape_samples_scraped"} + ignoring(a) instance:node_cpu_utilisation:rate5m offset 5m',
        ),
        [
          "loki_request_duration_seconds_bucket",
          "up",
          "scrape_samples_scraped",
          "instance:node_cpu_utilisation:rate5m",
        ],
      );
    });
    it("reads Grafana's queries: variables in ranges, label values and groupings", () => {
      const q =
        'sum(rate(container_cpu_usage_seconds_total{job="kubelet", cluster="$cluster", pod=~"${pod:regex}"}[$__rate_interval])) by ($groupby)';
      assert.deepEqual(promqlMetrics(q), ["container_cpu_usage_seconds_total"]);
      assert.deepEqual(promqlErrors('sum(rate(x{a="$b"}[$__rate_interval]))'), []);
    });
  });

  describe("the reference data", () => {
    const rows = emittedRows();
    it("keeps each row's source and a known emitter key", () => {
      const keys = new Set<string>(["always"]);
      for (const phase of PHASES)
        for (const backend of BACKENDS)
          for (const logAgent of LOG_AGENTS)
            for (const e of stackEmitters({
              caps: capabilities(phase, backend),
              backend,
              logAgent,
              lokiCanary: true,
              minio: true,
            }))
              keys.add(e);
      for (const r of rows) {
        assert.ok(r.source && r.versionRead, `${r.metric}: no source`);
        if (r.type === "record") continue;
        for (const k of r.presentWhen)
          assert.ok(
            keys.has(k) || CONDITION_KEY.test(k),
            `${r.metric}: present_when ${k} is never a key the plan or the check knows`,
          );
      }
      assert.ok(rows.some((r) => r.type === "prefix"));
    });
    it("judges names: emitted, from a component not running, absent, deprecated, an unshipped rule, unknown", () => {
      const present = new Set(["always", "loki", "vector"]);
      const none = new Set<string>();
      assert.equal(judgeMetric("loki_distributor_lines_received_total", present, none).kind, "emitted");
      assert.equal(judgeMetric("loki_request_duration_seconds_count", present, none).kind, "emitted");
      assert.equal(judgeMetric("loki_canary_missing_entries_total", present, none).kind, "not-running");
      assert.equal(judgeMetric("cortex_some_new_metric_total", present, none).kind, "not-running");
      assert.equal(judgeMetric("vector_events_out_total", present, none).kind, "absent");
      assert.equal(judgeMetric("vector_buffer_byte_size", present, none).kind, "deprecated");
      assert.equal(judgeMetric("vector_buffer_size_bytes", present, none).kind, "emitted");
      assert.equal(judgeMetric("job:foo:rate5m", present, none).kind, "not-recorded");
      assert.equal(judgeMetric("job:foo:rate5m", present, new Set(["job:foo:rate5m"])).kind, "emitted");
      assert.equal(judgeMetric("coredns_dns_requests_total", present, none).kind, "emitted");
      assert.equal(judgeMetric("no_component_emits_this_total", present, none).kind, "unverified");
    });
    it("holds Kubernetes' names to the oldest supported minor, and says from which minor a newer one exists", () => {
      const row = (metric: string, keys: string[]): EmittedRow => ({
        metric,
        type: "counter",
        emitter: "kubernetes",
        versionRead: "kubernetes/kubernetes v1.30.14",
        source: "list.yaml",
        labels: [],
        presentWhen: keys,
        notes: "",
      });
      const oldest = `kubernetes:${SUPPORTED_KUBERNETES_MINORS[0]}`;
      const next = `kubernetes:${SUPPORTED_KUBERNETES_MINORS[1]}`;
      const data = [row("old_total", [oldest, next]), row("new_total", [next])];
      const none = new Set<string>();
      // No stack key names a minor: every cluster runs Kubernetes, at least the oldest minor.
      assert.equal(judgeMetric("old_total", none, none, data).kind, "emitted");
      const v = judgeMetric("new_total", none, none, data);
      assert.equal(v.kind, "not-running");
      assert.equal(
        describeFault("new_total", v),
        `new_total exists from Kubernetes ${SUPPORTED_KUBERNETES_MINORS[1]} on (kubernetes: kubernetes/kubernetes v1.30.14, list.yaml); the stack supports ${SUPPORTED_KUBERNETES_MINORS[0]}, where it shows nothing`,
      );
      // In the data: the scheduler's SLI histogram came after the oldest minor.
      const sli = judgeMetric("scheduler_pod_scheduling_sli_duration_seconds_bucket", none, none);
      assert.equal(sli.kind, "not-running");
      assert.match(
        describeFault("scheduler_pod_scheduling_sli_duration_seconds_bucket", sli),
        /exists from Kubernetes 1\.\d+ on/,
      );
    });
  });

  describe("the check on rendered objects", () => {
    const base = [
      workload("StatefulSet", "loki", "single-binary"),
      workload("DaemonSet", "vector", "Agent"),
      workload("DaemonSet", "prometheus-node-exporter", "metrics", [
        "--collector.sysctl.include=fs.inotify.max_user_watches",
      ]),
    ];
    it("reads who runs from the workloads, the operators' objects and the configs", () => {
      const present = presentEmitters([
        ...base,
        workload("DaemonSet", "loki", "canary"),
        { apiVersion: "operator.victoriametrics.com/v1beta1", kind: "VMAgent", metadata: { name: "vm" } },
      ]);
      for (const k of ["loki", "loki-canary", "vector", "node-exporter", "vmagent"])
        assert.ok(present.has(k), k);
      assert.ok(present.has("node-exporter-sysctl:fs.inotify.max_user_watches"));
      assert.ok(!present.has("mimir") && !present.has("vmalert"));
    });
    it("passes panels and rules on metrics the stack emits, and leaves LogQL alone", () => {
      const r = checkEmittedMetrics(
        [
          ...base,
          dashboardMap(["sum(rate(loki_distributor_lines_received_total[5m]))", "vector_buffer_size_bytes"]),
          rule("sum(rate(node_cpu_seconds_total[5m]))", "instance:x:rate5m"),
          rule("instance:x:rate5m > 1"),
        ].map(at),
      );
      assert.deepEqual(r.findings, []);
      assert.equal(r.queries, 4);
    });
    for (const [what, expr, message] of [
      [
        "a component the stack does not run",
        "sum(loki_canary_missing_entries_total)",
        /loki-canary, which this stack does not run/,
      ],
      [
        "a deprecated name",
        "sum by (host) (vector_buffer_byte_size)",
        /deprecated upstream; read vector_buffer_size_bytes/,
      ],
      [
        "a name that does not exist",
        "rate(vector_events_out_total[5m])",
        /does not exist at the pinned version/,
      ],
      ["a recording rule nobody ships", "namespace:foo:sum", /recording rule this stack does not ship/],
    ] as const) {
      it(`fails a panel that reads ${what}`, () => {
        const r = checkEmittedMetrics([...base, dashboardMap([expr], "Mine")].map(at));
        assert.equal(r.findings.length, 1, JSON.stringify(r.findings));
        assert.match(r.findings[0].where, /dashboard dash\/d\.json: p0/);
        assert.match(r.findings[0].message, message);
      });
      it(`fails a rule that reads ${what}`, () => {
        const r = checkEmittedMetrics([...base, rule(expr)].map(at));
        assert.equal(r.findings.length, 1);
        assert.match(r.findings[0].where, /rule PrometheusRule r\/g\/A/);
        assert.match(r.findings[0].message, message);
      });
    }
    it("knows a chart's workloads by their chart when a nameOverride renames their app label", () => {
      // Production with loki `nameOverride: lo` (the fullname stays loki: the release name holds
      // it) or kube-prometheus-stack `nameOverride: promstack` failed synth: "Loki, which this
      // stack does not run", "prometheus-operator, which this stack does not run", though both ran.
      const renamed = (w: K8sObject, name: string, chart: Record<string, string>): K8sObject => ({
        ...w,
        metadata: {
          ...w.metadata,
          labels: { ...w.metadata.labels, "app.kubernetes.io/name": name, ...chart },
        },
      });
      const present = presentEmitters([
        renamed(workload("StatefulSet", "loki", "single-binary"), "lo", { "helm.sh/chart": "loki-18.11.0" }),
        renamed(workload("DaemonSet", "loki", "canary"), "lo", { "helm.sh/chart": "loki-18.11.0" }),
        renamed(workload("Deployment", "x", "prometheus-operator"), "promstack-prometheus-operator", {
          chart: "kube-prometheus-stack-88.0.0",
        }),
      ]);
      for (const k of ["loki", "loki-canary", "prometheus-operator"]) assert.ok(present.has(k), k);
    });
    it("counts a workload scaled to no pod as not running (a chart value replicas: 0)", () => {
      const canary = workload("DaemonSet", "loki", "canary");
      const ksm = (replicas?: number): K8sObject => {
        const w = workload("Deployment", "kube-state-metrics", "metrics");
        return replicas === undefined ? w : { ...w, spec: { ...w.spec, replicas } };
      };
      assert.ok(presentEmitters([...base, canary, ksm()]).has("kube-state-metrics"));
      assert.ok(presentEmitters([...base, canary, ksm(1)]).has("kube-state-metrics"));
      assert.ok(!presentEmitters([...base, canary, ksm(0)]).has("kube-state-metrics"));
    });
    it("gives every query on a component the stack does not run one cause, so they are one message", () => {
      const r = checkEmittedMetrics(
        [
          ...base,
          dashboardMap(["sum(loki_canary_missing_entries_total)", "max(loki_canary_missing_entries_total)"]),
          rule("sum(loki_canary_missing_entries_total) > 0"),
          rule("rate(vector_events_out_total[5m])"),
        ].map(at),
      );
      const canary = r.findings.filter((f) => /loki-canary, which this stack does not run/.test(f.message));
      assert.equal(canary.length, 3, JSON.stringify(r.findings));
      assert.ok(canary[0].cause, "a cause");
      assert.ok(canary.every((f) => f.cause === canary[0].cause));
      // Another fault, a name that does not exist, is a mistake of its own query.
      const absent = r.findings.find((f) => /does not exist/.test(f.message))!;
      assert.equal(absent.cause, undefined);
    });
    it("gives queries on metrics of the same emitters one cause, in whatever order the data lists them", () => {
      // The data lists the samples-pending row `prometheus-remote-write|alloy-remote-write`, the
      // other remote-write rows the other way: one mistake (no remote write runs), one message.
      const r = checkEmittedMetrics(
        [
          ...base,
          dashboardMap(["sum(prometheus_remote_storage_samples_pending)"]),
          rule("rate(prometheus_remote_storage_samples_failed_total[5m]) > 0"),
        ].map(at),
      );
      assert.equal(r.findings.length, 2, JSON.stringify(r.findings));
      assert.ok(r.findings[0].cause, "a cause");
      assert.equal(r.findings[1].cause, r.findings[0].cause);
    });
    it("records the data file it read, so the check cache keys its verdicts on it", () => {
      checkEmittedMetrics([...base, dashboardMap(["up"])].map(at));
      assert.ok(referenceFilesRead.has(path.resolve(emittedMetricsFile())));
    });
    it("records the generated data file too (regenerated by npm run refresh-metrics)", () => {
      checkEmittedMetrics([...base, dashboardMap(["up"])].map(at));
      assert.ok(referenceFilesRead.has(path.resolve(generatedMetricsFile())));
    });
    it("judges only the side of `or` that shows data: a renamed metric or its new name", () => {
      const ok = checkEmittedMetrics(
        [
          ...base,
          dashboardMap([
            "sum(rate(no_component_emits_this_total[5m])) or sum(rate(loki_distributor_lines_received_total[5m]))",
          ]),
        ].map(at),
      );
      assert.deepEqual([ok.unverified, ok.findings], [[], []]);
      const neither = checkEmittedMetrics(
        [...base, dashboardMap(["no_component_emits_this_total or loki_canary_missing_entries_total"])].map(
          at,
        ),
      );
      assert.deepEqual(neither.unverified, ["no_component_emits_this_total"]);
      assert.equal(neither.findings.length, 1);
    });
    it("reads a node_exporter collector turned on from its flag", () => {
      const present = presentEmitters([
        workload("DaemonSet", "prometheus-node-exporter", "metrics", ["--collector.systemd"]),
      ]);
      assert.ok(present.has("node-exporter-collector:systemd"));
      assert.ok(!present.has("node-exporter-collector:textfile"));
    });
    it("reads kube-prometheus-stack's Prometheus and operator, and any Alertmanager", () => {
      const present = presentEmitters([
        { apiVersion: "monitoring.coreos.com/v1", kind: "Prometheus", metadata: { name: "p" } },
        workload("Deployment", "kube-prometheus-stack-prometheus-operator", "operator"),
        {
          apiVersion: "operator.victoriametrics.com/v1beta1",
          kind: "VMAlertmanager",
          metadata: { name: "vm" },
        },
      ]);
      for (const k of ["prometheus", "prometheus-operator", "alertmanager"]) assert.ok(present.has(k), k);
      assert.ok(!presentEmitters(base).has("prometheus"));
    });
    it("fails a name a letter or two from one the data knows, with the name it means, and lists the rest", () => {
      for (const [slip, meant] of [
        ["node_cpu_seconds_totl", "node_cpu_seconds_total"],
        ["loki_distributor_lines_recieved_total", "loki_distributor_lines_received_total"],
        ["node_disk_io_time_second_total", "node_disk_io_time_seconds_total"],
      ]) {
        const r = checkEmittedMetrics([...base, dashboardMap([`sum(rate(${slip}[5m]))`], "Mine")].map(at));
        assert.equal(r.findings.length, 1, slip);
        assert.equal(r.findings[0].where, "dashboard dash/d.json: p0");
        assert.match(
          r.findings[0].message,
          new RegExp(
            `^expected a metric name a component emits, got ${slip}, which no row of upstream/metrics/data names; did you mean ${meant}\\? \\(`,
          ),
        );
        assert.deepEqual(r.unverified, []);
      }
      // An app's own metric shares words with known names, not letters: three edits from etcd's
      // etcd_requests_total, it is listed, not failed.
      const own = checkEmittedMetrics(
        [...base, dashboardMap(["sum(rate(http_requests_total[5m]))"])].map(at),
      );
      assert.deepEqual(own.findings, []);
      assert.deepEqual(own.unverified, ["http_requests_total"]);
      // A short name is no slip of another short one: `cpu` is one edit from `up`.
      const short = checkEmittedMetrics([...base, dashboardMap(["avg(cpu)"])].map(at));
      assert.deepEqual(short.findings, []);
      assert.deepEqual(short.unverified, ["cpu"]);
    });
    it("fails a label matcher a letter or two from a label the metric carries, with the label it means", () => {
      const r = checkEmittedMetrics(
        [
          ...base,
          dashboardMap([
            'sum(rate(node_cpu_seconds_total{mdoe="idle"}[5m]))',
            'sum by (le) (rate(loki_request_duration_seconds_bucket{route="x", lee="1"}[5m]))',
          ]),
        ].map(at),
      );
      assert.deepEqual(
        r.findings.map((f) => `${f.where}: ${f.message}`),
        [
          "dashboard dash/d.json: p0: expected a label node_cpu_seconds_total carries, got mdoe; did you mean mode? (node_cpu_seconds_total{mdoe=...} matches no series)",
          "dashboard dash/d.json: p1: expected a label loki_request_duration_seconds_bucket carries, got lee; did you mean le? (loki_request_duration_seconds_bucket{lee=...} matches no series)",
        ],
      );
      // The labels each metric carries, the scrape's included; a label far from every known one
      // (a relabelling may add it) and a selector without a name are not judged.
      const fine = checkEmittedMetrics(
        [
          ...base,
          dashboardMap([
            'sum(rate(node_cpu_seconds_total{mode="idle", cpu="0", instance=~".+", namespace="x"}[5m]))',
            'loki_request_duration_seconds_bucket{le="1", route="x"}',
            'node_cpu_seconds_total{app_instance="x"}',
            '{mdoe="idle"}',
          ]),
        ].map(at),
      );
      assert.deepEqual(fine.findings, []);
    });
    it("fails a panel or rule whose PromQL does not parse, saying where; MetricsQL through VictoriaMetrics aside", () => {
      const r = checkEmittedMetrics(
        [
          ...base,
          dashboardMap([
            "sum(rate(node_cpu_seconds_total[$__rate_interval])",
            "sum by ($g) (up) +",
            "sum(rate(up[5m])) by (job) + ) sum(rate(node_cpu_seconds_total[5m])) by (cpu, mode)",
          ]),
          rule("sum(rate(node_cpu_seconds_total[5m]) by (cpu"),
        ].map(at),
      );
      assert.deepEqual(
        r.findings.map((f) => `${f.where}: ${f.message}`),
        [
          'dashboard dash/d.json: p0: expected a PromQL query, found a syntax error at character 51: "…conds_total[$__rate_interval])" then the end of the query; Prometheus refuses the query, which shows an error instead of data',
          'dashboard dash/d.json: p1: expected a PromQL query, found a syntax error at character 19: "sum by ($g) (up) +" then the end of the query; Prometheus refuses the query, which shows an error instead of data',
          'dashboard dash/d.json: p2: expected a PromQL query, found a syntax error at character 30: "sum(rate(up[5m])) by (job) + " then ") sum(rate(node_cpu_seconds_to…"; Prometheus refuses the query, which shows an error instead of data',
          'rule PrometheusRule r/g/A: expected a PromQL query, found a syntax error at character 38: "…e(node_cpu_seconds_total[5m]) " then "by (cpu"; Prometheus refuses the query, which shows an error instead of data',
        ],
      );
      // Grafana's variables stand for text (a grouping's labels, a metric name); MetricsQL's
      // `default` parses where VictoriaMetrics runs, and in a VMRule.
      const vm = {
        apiVersion: "operator.victoriametrics.com/v1beta1",
        kind: "VMSingle",
        metadata: { name: "vm" },
      };
      const metricsql = "sum(rate(up[5m])) default 0";
      const vmRule: K8sObject = { ...rule(metricsql), kind: "VMRule" };
      const fine = checkEmittedMetrics(
        [...base, vm, dashboardMap(["sum by ($g) (rate(${metric}[5m]))", metricsql]), vmRule].map(at),
      );
      assert.deepEqual(fine.findings, []);
    });
    it("reads no LogQL as PromQL where a target names a Loki datasource by its provisioned name or uid", () => {
      // The dashboard check takes "datasource": "Loki" (a provisioned name, the older string form).
      const grafana: K8sObject = {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "grafana", namespace: "monitoring" },
        data: {
          "datasources.yaml": JSON.stringify({
            datasources: [
              { name: "Metrics", uid: "metrics", type: "prometheus" },
              { name: "Logs", uid: "logs", type: "loki" },
            ],
          }),
        },
      };
      const logs = (datasource: unknown, expr: string): K8sObject => ({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "mine", namespace: "monitoring", labels: { grafana_dashboard: "1" } },
        data: {
          "m.json": JSON.stringify({
            uid: "m",
            panels: [{ title: "errors", datasource, targets: [{ expr }] }],
          }),
        },
      });
      const r = checkEmittedMetrics(
        [
          ...base,
          grafana,
          // Grafana reads the file where its container mounts it, as the grafana chart does.
          grafanaMountingDatasources(["datasources.yaml"], "monitoring"),
          logs("Logs", '{app="my-app"} |= "error"'),
          logs({ uid: "logs" }, 'sum(count_over_time({app="my-app"} |= "error" [5m]))'),
          logs("loki", '{app="x"} | json'),
        ].map(at),
      );
      assert.deepEqual(r.findings, []);
    });
    it("lists the names the data does not know instead of passing them silently", () => {
      const r = checkEmittedMetrics([...base, dashboardMap(["no_component_emits_this_total"])].map(at));
      assert.deepEqual(r.findings, []);
      assert.deepEqual(r.unverified, ["no_component_emits_this_total"]);
    });
  });
});
