/**
 * `npm run refresh-metrics` (upstream/refresh/metrics.ts): each reader on a checkout laid out like
 * its upstream (Kubernetes' generated list, kube-state-metrics' and cAdvisor's tables, a text
 * exposition, client_golang registrations, VictoriaMetrics' literal names), the table's errors, and
 * the committed data against its table.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { projectRoot } from "../../upstream/reference";
import {
  GENERATED_FILE,
  METRIC_COLUMNS,
  parseSources,
  refreshMetrics,
  SOURCES_FILE,
} from "../../upstream/refresh/metrics";
import { tmpDir } from "../support/helpers";

const HEADER = "emitter\trepository\ttag\textractor\tpaths\tpresent_when\tprefixes\tconsts\tnotes";

/** A project holding only the sources table, and a root holding plain checkouts. */
function fixture(table: string[], checkouts: Record<string, Record<string, string>>) {
  const project = tmpDir("project");
  fs.mkdirSync(path.join(project, path.dirname(SOURCES_FILE)), { recursive: true });
  fs.writeFileSync(path.join(project, SOURCES_FILE), [HEADER, ...table].join("\n") + "\n");
  const root = tmpDir("sources");
  for (const [dir, files] of Object.entries(checkouts))
    for (const [p, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(root, dir, p)), { recursive: true });
      fs.writeFileSync(path.join(root, dir, p), text);
    }
  return { project, root };
}

/** The generated rows by metric. */
function rowsOf(text: string): Map<string, Record<(typeof METRIC_COLUMNS)[number], string>> {
  const lines = text.split("\n").filter((l) => l && !l.startsWith("#"));
  assert.equal(lines[0], METRIC_COLUMNS.join("\t"));
  return new Map(
    lines.slice(1).map((l) => {
      const c = l.split("\t");
      assert.equal(c.length, METRIC_COLUMNS.length, l);
      return [c[0], Object.fromEntries(METRIC_COLUMNS.map((k, i) => [k, c[i]])) as any];
    }),
  );
}

const GO_PKG_A = `package notifier

const namespace = "prometheus"

var sent = prometheus.NewCounterVec(prometheus.CounterOpts{
	Namespace: namespace,
	Subsystem: subsystem,
	Name:      "sent_total",
	Help:      "Total number of alerts sent.",
},
	[]string{"alertmanager"},
)
`;
const GO_PKG_B = `package notifier

const subsystem = "notifications"

func memstatNamespace(s string) string {
	return "go_memstats_" + s
}

var d = NewDesc(memstatNamespace("heap_inuse_bytes"), "help", nil, nil)
var e = NewDesc(prometheus.BuildFQName(namespace, "sd", "refresh_failures_total"), "help", []string{"mechanism"}, nil)
var f = NewDesc(ns+"process_open_fds", "help", nil, nil)
`;
const GO_VM = `package vmstorage

func writeStorageMetrics(w io.Writer) {
	metrics.WriteGaugeUint64(w, \`vm_rows{type="storage/big"}\`, n)
	m := metrics.NewCounter("vm_slow_row_inserts_total")
	s := set.NewSummary(fmt.Sprintf(\`vmalert_iteration_duration_seconds{group=%q}\`, g))
	log.Printf("vm_not_a_metric_here")
}
`;

describe("refresh-metrics", () => {
  it("reads each kind of source into rows with the tag, the file and line, the labels and when they exist", () => {
    const { project, root } = fixture(
      [
        "kubernetes\tkubernetes/kubernetes\tindex:abc\tk8s-doclist\tdoc/list.yaml\talways\t\t\t",
        "ksm\tkubernetes/kube-state-metrics\tv2.17.0\tmd-table\tdocs/\tkube-state-metrics\t\t\t",
        "cadvisor\tgoogle/cadvisor\tv0.47.3\tmd-table\tdocs/prometheus.md\talways\t\t\t",
        "node\tprometheus/node_exporter\tv1.10.2\tgo-opts\tcollector/\tnode-exporter;registerCollector=ne-collector\tnode_\tnamespace=node\t",
        "node\tprometheus/node_exporter\tv1.10.2\texposition\tfixtures/e2e-output.txt\tnode-exporter;registerCollector=ne-collector\tnode_\t\t",
        "prom\tprometheus/prometheus\tv3.7.3\tgo-opts\tnotifier/\tprometheus;notifier/b.go=cond:b\tprometheus_\t\t",
        "go\tprometheus/client_golang\tv1.23.2\tgo-opts\tpkg/\talways\tgo_,process_\tns=\t",
        "vm\tVictoriaMetrics/VictoriaMetrics\tv1.144.0\tgo-literal\tapp/\tvmsingle;metric:vm_slow_row_inserts_total=cond:slow\tvm_,vmalert_\t\t",
      ],
      {
        "kubernetes+kubernetes@index:abc": {
          "doc/list.yaml": [
            "- {name: running_pods, subsystem: kubelet, type: Gauge, stabilityLevel: ALPHA}",
            "- {name: request_total, subsystem: apiserver, type: Counter, stabilityLevel: STABLE, labels: [code, verb]}",
            "- {name: evictions_number, subsystem: node_collector, type: Counter, deprecatedVersion: 1.24.0, labels: [zone]}",
          ].join("\n"),
        },
        "kubernetes+kube-state-metrics@v2.17.0": {
          "docs/pod.md": [
            "| Metric name | Metric type | Description | Labels/tags | Status |",
            "| ----------- | ----------- | ----------- | ----------- | ------ |",
            "| kube_pod_info | Gauge | Information | `pod`=&lt;pod-name&gt; <br> `namespace`=&lt;ns&gt; | STABLE |",
          ].join("\n"),
        },
        "google+cadvisor@v0.47.3": {
          "docs/prometheus.md": [
            "Metric name | Type | Description | Unit (where applicable) | option parameter | additional build flag |",
            ":-----------|:-----|:------------|:------------------------|:---------------------------|:----------------------",
            "`container_cpu_cfs_periods_total` | Counter | Number of elapsed periods | | cpu |",
          ].join("\n"),
        },
        "prometheus+node_exporter@v1.10.2": {
          "fixtures/e2e-output.txt": [
            "# HELP node_load1 1m load average.",
            "# TYPE node_load1 gauge",
            "node_load1 0.21",
            "# TYPE node_network_up gauge",
            'node_network_up{device="eth0"} 1',
            "# TYPE node_systemd_units gauge",
            'node_systemd_units{state="active"} 3',
            "# TYPE go_goroutines gauge",
            "go_goroutines 7",
          ].join("\n"),
        },
        "prometheus+node_exporter@v1.10.2/collector": {
          "systemd_linux.go": [
            "package collector",
            'func init() { registerCollector("systemd", defaultDisabled, NewSystemdCollector) }',
            'var d = prometheus.NewDesc(prometheus.BuildFQName(namespace, "systemd", "unit_state"), "h", []string{"name", "state"}, nil)',
          ].join("\n"),
          "loadavg.go": [
            "package collector",
            'func init() { registerCollector("loadavg", defaultEnabled, NewLoadavgCollector) }',
            'var d = prometheus.NewDesc(prometheus.BuildFQName(namespace, "", "load5"), "h", nil, nil)',
          ].join("\n"),
        },
        "prometheus+prometheus@v3.7.3": { "notifier/a.go": GO_PKG_A, "notifier/b.go": GO_PKG_B },
        "prometheus+client_golang@v1.23.2": {
          "pkg/c.go": GO_PKG_B,
          "pkg/c_windows.go": 'package a\nvar w = NewDesc("go_windows_only", "help", nil, nil)\n',
        },
        "VictoriaMetrics+VictoriaMetrics@v1.144.0": { "app/vmstorage/main.go": GO_VM },
      },
    );
    const rows = rowsOf(refreshMetrics(root, project));
    const row = (m: string) => {
      assert.ok(rows.has(m), `${m} not read; read: ${[...rows.keys()].join(" ")}`);
      return rows.get(m)!;
    };
    assert.deepEqual(
      [row("kubelet_running_pods").type, row("kubelet_running_pods").version_read],
      ["gauge", "kubernetes/kubernetes index:abc"],
    );
    assert.equal(row("apiserver_request_total").labels, "code,verb");
    assert.match(row("node_collector_evictions_number").notes, /deprecated in 1\.24\.0/);
    assert.deepEqual(
      [row("kube_pod_info").labels, row("kube_pod_info").source, row("kube_pod_info").present_when],
      ["namespace,pod", "docs/pod.md:3", "kube-state-metrics"],
    );
    assert.equal(row("container_cpu_cfs_periods_total").type, "counter");
    assert.match(row("container_cpu_cfs_periods_total").notes, /cpu/);
    assert.deepEqual(
      [row("node_network_up").labels, row("node_network_up").source],
      ["device", "fixtures/e2e-output.txt:4"],
    );
    // A collector node_exporter registers defaultDisabled: its names need its flag, the
    // exposition's `node_<collector>_*` too; one on by default needs nothing more.
    assert.deepEqual(
      [row("node_systemd_unit_state").present_when, row("node_systemd_unit_state").labels],
      ["ne-collector:systemd", "name,state"],
    );
    assert.equal(row("node_systemd_units").present_when, "ne-collector:systemd");
    assert.equal(row("node_load5").present_when, "node-exporter");
    // The prefix column keeps the exposition's go_goroutines out of node-exporter's rows.
    assert.ok(!rows.has("go_goroutines"));
    // A constant of another file of the same Go package; the label list after the options.
    assert.deepEqual(
      [row("prometheus_notifications_sent_total").type, row("prometheus_notifications_sent_total").labels],
      ["counter", "alertmanager"],
    );
    assert.equal(row("prometheus_notifications_sent_total").present_when, "prometheus");
    // Names read under a path prefix take its key.
    assert.equal(row("prometheus_sd_refresh_failures_total").present_when, "cond:b");
    assert.equal(row("prometheus_sd_refresh_failures_total").labels, "mechanism");
    assert.equal(row("go_memstats_heap_inuse_bytes").version_read, "prometheus/client_golang v1.23.2");
    assert.equal(row("process_open_fds").source, "pkg/c.go:11");
    // The stack's nodes run Linux: a file built for another system registers nothing there.
    assert.ok(!rows.has("go_windows_only"));
    assert.deepEqual([row("vm_rows").labels, row("vm_rows").type], ["type", "gauge"]);
    assert.equal(row("vm_slow_row_inserts_total").present_when, "cond:slow");
    assert.equal(row("vmalert_iteration_duration_seconds").type, "summary");
    assert.ok(!rows.has("vm_not_a_metric_here"), "a log text is no metric");
  });

  it("says which line of the table is wrong and what it expected", () => {
    assert.throws(() => parseSources("nope\n", "t.tsv"), /t\.tsv:1: expected the header/);
    assert.throws(
      () => parseSources(`${HEADER}\na\towner/name\tv1\tregex\tp\talways\t\t\t\n`, "t.tsv"),
      /t\.tsv:2: extractor: expected k8s-doclist, md-table, exposition, go-opts or go-literal, found "regex"/,
    );
    assert.throws(
      () => parseSources(`${HEADER}\na\towner/name\tv1\tgo-opts\tp\talways;nokey\t\t\t\n`, "t.tsv"),
      /t\.tsv:2: present_when: expected <path>=<key>, found "nokey"/,
    );
  });

  it("refuses a source it cannot find, or in which it finds no metric", () => {
    const missing = fixture(["a\towner/name\tv1\tgo-opts\tpkg/\talways\t\t\t"], {});
    assert.throws(
      () => refreshMetrics(missing.root, missing.project),
      /owner\/name: expected .*owner\+name\/repo/,
    );
    const empty = fixture(["a\towner/name\tv1\tgo-opts\tpkg/\talways\t\t\t"], {
      "owner+name@v1": { "pkg/a.go": "package a\n" },
    });
    assert.throws(
      () => refreshMetrics(empty.root, empty.project),
      /owner\/name v1 \(go-opts pkg\/\): no metric found/,
    );
  });

  it("the committed data is the table's: every row read at a source the table names, every source read", () => {
    const root = projectRoot();
    const sources = parseSources(fs.readFileSync(path.join(root, SOURCES_FILE), "utf8"), SOURCES_FILE);
    const at = new Set(sources.map((s) => `${s.repository} ${s.tag}`));
    const rows = rowsOf(fs.readFileSync(path.join(root, GENERATED_FILE), "utf8"));
    const read = new Set<string>();
    for (const [m, r] of rows) {
      assert.ok(at.has(r.version_read), `${m}: read at ${r.version_read}, which the table does not name`);
      read.add(r.emitter);
    }
    for (const s of sources)
      assert.ok(read.has(s.emitter), `${s.emitter}: no row (was the data regenerated?)`);
  });

  it("reproduces the committed data byte for byte from the sources (HOMELAB_METRIC_SOURCES)", function () {
    const sources = process.env.HOMELAB_METRIC_SOURCES;
    if (!sources) {
      // The upstream repositories are not on this machine's registries: the lead or a bump runs it
      // with the checkouts (`fetch` mirrors or `git archive`s) under one directory.
      console.warn(
        "    SKIPPED: set HOMELAB_METRIC_SOURCES to a directory of <owner>+<name>/repo mirrors or <owner>+<name>@<tag>/ checkouts to regenerate and compare",
      );
      this.skip();
    }
    const text = refreshMetrics(sources);
    assert.ok(
      text === fs.readFileSync(path.join(projectRoot(), GENERATED_FILE), "utf8"),
      "the regenerated data differs",
    );
  });
});
