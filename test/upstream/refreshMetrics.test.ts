/**
 * `npm run refresh-metrics` (upstream/refresh/metrics.ts): each reader on a checkout laid out like
 * its upstream (Kubernetes' generated list, kube-state-metrics' and cAdvisor's tables, a text
 * exposition, client_golang registrations, VictoriaMetrics' literal names), the table's errors, and
 * the committed data against its table.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as http from "http";
import type { AddressInfo } from "net";
import * as path from "path";
import * as zlib from "zlib";
import { projectRoot } from "../../upstream/reference";
import {
  differenceBeyondUnread,
  fetchModules,
  GENERATED_FILE,
  mergeRows,
  METRIC_COLUMNS,
  type MetricRow,
  parseSources,
  readSources,
  refreshMetrics,
  SOURCES_FILE,
  SOURCES_HEADER,
} from "../../upstream/refresh/metrics";
import { parseGoModules } from "../../upstream/refresh/goModule";
import { SUPPORTED_KUBERNETES_MINORS } from "../../upstream/metrics/kubernetes";
import { tmpDir } from "../support/helpers";

const HEADER = SOURCES_HEADER;

/**
 * A zip as the module proxy serves one (entries stored, or deflated where named), built here so
 * the test holds its bytes: golang.org/x/mod zip/zip.go writes `<module>@<version>/<path>` names.
 */
function zipOf(files: Record<string, string>, deflate: string[] = []): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(files)) {
    const data = Buffer.from(text);
    const method = deflate.includes(name) ? 8 : 0;
    const body = method ? zlib.deflateRawSync(data) : data;
    const crc = zlib.crc32(data);
    const n = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(n.length, 26);
    const dir = Buffer.alloc(46);
    dir.writeUInt32LE(0x02014b50, 0);
    dir.writeUInt16LE(20, 4);
    dir.writeUInt16LE(20, 6);
    dir.writeUInt16LE(method, 10);
    dir.writeUInt32LE(crc, 16);
    dir.writeUInt32LE(body.length, 20);
    dir.writeUInt32LE(data.length, 24);
    dir.writeUInt16LE(n.length, 28);
    dir.writeUInt32LE(offset, 42);
    parts.push(local, n, body);
    central.push(dir, n);
    offset += 30 + n.length + body.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(central.length / 2, 8);
  end.writeUInt16LE(central.length / 2, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, cd, end]);
}

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

const MOD_ZIP = zipOf(
  {
    "example.com/Upper/mod@v1.0.0/go.mod": "module example.com/Upper/mod\n",
    "example.com/Upper/mod@v1.0.0/pkg/a.go": GO_PKG_A,
    "example.com/Upper/mod@v1.0.0/pkg/b.go": 'package notifier\nconst subsystem = "notifications"\n',
  },
  ["example.com/Upper/mod@v1.0.0/pkg/a.go"],
);
const DEP_ZIP = zipOf({
  "example.com/dep@v0.1.0/go.mod": "module example.com/dep\n",
  "example.com/dep@v0.1.0/ring/r.go":
    'package ring\nvar g = prometheus.NewGauge(prometheus.GaugeOpts{Name: "prometheus_ring_members"})\n',
});
/**
 * go.sum's hashes of the two zips, computed outside this code by the algorithm of golang.org/x/mod
 * sumdb/dirhash Hash1 with coreutils: `unzip -d d z.zip && (cd d && find . -type f | sed s,^./,, |
 * LC_ALL=C sort | xargs sha256sum) | sha256sum | xxd -r -p | base64`.
 */
const MOD_SUM = "h1:Wa08CjhikuRZlwJUkyw2XBXQYXsAdhivpbEaHJ0VNJk=";
const DEP_SUM = "h1:yiF5jOF8/l6fbcxrkga1BqWPmTudj0uNNPqexd1C2KY=";

describe("refresh-metrics", () => {
  it("reads each kind of source into rows with the tag, the file and line, the labels and when they exist", () => {
    const { project, root } = fixture(
      [
        "kubernetes\tkubernetes/kubernetes\tindex:abc\t\tk8s-doclist\tdoc/list.yaml\talways\t\t\t",
        "ksm\tkubernetes/kube-state-metrics\tv2.17.0\t\tmd-table\tdocs/\tkube-state-metrics\t\t\t",
        "cadvisor\tgoogle/cadvisor\tv0.47.3\t\tmd-table\tdocs/prometheus.md\talways\t\t\t",
        "node\tprometheus/node_exporter\tv1.10.2\t\tgo-opts\tcollector/\tnode-exporter;registerCollector=ne-collector\tnode_\tnamespace=node\t",
        "node\tprometheus/node_exporter\tv1.10.2\t\texposition\tfixtures/e2e-output.txt\tnode-exporter;registerCollector=ne-collector\tnode_\t\t",
        "prom\tprometheus/prometheus\tv3.7.3\t\tgo-opts\tnotifier/\tprometheus;notifier/b.go=cond:b\tprometheus_\t\t",
        "go\tprometheus/client_golang\tv1.23.2\t\tgo-opts\tpkg/\talways\tgo_,process_\tns=\t",
        "vm\tVictoriaMetrics/VictoriaMetrics\tv1.144.0\t\tgo-literal\tapp/\tvmsingle;metric:vm_slow_row_inserts_total=cond:slow\tvm_,vmalert_\t\t",
        "vector\tvectordotdev/vector\tv0.56.0\t\trust-names\tlib/metric_name.rs\tvector\t\tnamespace=vector\t",
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
            "| kube_pod_info | Gauge | Information | `pod`=&lt;pod-name&gt; <br> `phase`=&lt;a\\|b&gt; <br> `namespace`=&lt;ns&gt; | STABLE |",
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
        "vectordotdev+vector@v0.56.0": {
          "lib/metric_name.rs": [
            "pub enum CounterName {",
            "    ComponentErrorsTotal,",
            "}",
            "impl CounterName {",
            "    pub const fn as_str(self) -> &'static str {",
            "        match self {",
            '            Self::ComponentErrorsTotal => "component_errors_total",',
            "        }",
            "    }",
            "}",
            "impl HistogramName {",
            "    pub const fn as_str(self) -> &'static str {",
            '        match self { Self::SourceLagTimeSeconds => "source_lag_time_seconds" }',
            "    }",
            "}",
            'fn other() { let x = "not_a_metric_name"; }',
          ].join("\n"),
        },
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
    // `\|` is a pipe inside a cell (the label's values), not a column.
    assert.match(row("kube_pod_info").notes, /^stability STABLE/);
    assert.deepEqual(
      [row("kube_pod_info").labels, row("kube_pod_info").source, row("kube_pod_info").present_when],
      ["namespace,phase,pod", "docs/pod.md:3", "kube-state-metrics"],
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
    // Vector's name enums: typed by the enum, under the internal_metrics namespace.
    assert.deepEqual(
      [row("vector_component_errors_total").type, row("vector_component_errors_total").source],
      ["counter", "lib/metric_name.rs:7"],
    );
    assert.equal(row("vector_source_lag_time_seconds").type, "histogram");
    assert.ok(!rows.has("vector_not_a_metric_name"));
  });

  it("says which line of the table is wrong and what it expected", () => {
    assert.throws(() => parseSources("nope\n", "t.tsv"), /t\.tsv:1: expected the header/);
    assert.throws(
      () => parseSources(`${HEADER}\na\towner/name\tv1\t\tregex\tp\talways\t\t\t\n`, "t.tsv"),
      /t\.tsv:2: extractor: expected k8s-doclist, md-table, exposition, go-opts, go-literal or rust-names, found "regex"/,
    );
    assert.throws(
      () => parseSources(`${HEADER}\na\towner/name\tv1\t\tgo-opts\tp\talways;nokey\t\t\t\n`, "t.tsv"),
      /t\.tsv:2: present_when: expected <path>=<key>, found "nokey"/,
    );
  });

  it("refuses a source it cannot find, or in which it finds no metric", () => {
    const missing = fixture(["a\towner/name\tv1\t\tgo-opts\tpkg/\talways\t\t\t"], {});
    assert.throws(
      () => refreshMetrics(missing.root, missing.project),
      /owner\/name: expected .*owner\+name\/repo/,
    );
    const empty = fixture(["a\towner/name\tv1\t\tgo-opts\tpkg/\talways\t\t\t"], {
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

  it("reproduces the committed data byte for byte from the sources (HOMELAB_METRIC_SOURCES)", async function () {
    const sources = process.env.HOMELAB_METRIC_SOURCES;
    if (!sources) {
      // CI runs the same regeneration from the Go module proxy (`npm run refresh-metrics -- --check`
      // in .ci/run), outside the timed suite; this one is for a local directory of checkouts.
      console.warn(
        "    SKIPPED: set HOMELAB_METRIC_SOURCES to a directory of <owner>+<name>/repo mirrors or <owner>+<name>@<tag>/ checkouts (the rest from the Go module cache) to regenerate and compare",
      );
      this.skip();
    }
    this.timeout(120_000);
    const report = await fetchModules(readSources(), sources);
    assert.deepEqual(
      report.refused.map((r) => r.reason),
      [],
      "every source the directory lacks must come from the module proxy",
    );
    const text = refreshMetrics(sources);
    assert.ok(
      text === fs.readFileSync(path.join(projectRoot(), GENERATED_FILE), "utf8"),
      "the regenerated data differs",
    );
  });

  describe("from the Go module proxy", () => {
    let server: http.Server;
    const asked: string[] = [];
    const saved = { proxy: process.env.HOMELAB_GOPROXY, cache: process.env.HOMELAB_GO_MODULE_CACHE };
    let cache: string;
    before(async () => {
      // One local proxy for the file: the paths the Go module proxy protocol serves.
      const routes: Record<string, [number, Buffer | string]> = {
        "/example.com/!upper/mod/@v/v1.0.0.zip": [200, MOD_ZIP],
        "/example.com/dep/@v/v0.1.0.zip": [200, DEP_ZIP],
        // A zip whose bytes are not the ones the table's hash names.
        "/example.com/!upper/mod/@v/v1.0.1.zip": [200, DEP_ZIP],
        "/example.com/refused/@v/v1.0.0.zip": [403, "This module version is not available.\n"],
      };
      server = http.createServer((req, res) => {
        asked.push(req.url!);
        const [code, body] = routes[req.url!] ?? [404, "not found"];
        res.writeHead(code);
        res.end(body);
      });
      await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
      process.env.HOMELAB_GOPROXY = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      cache = tmpDir("gomod-cache");
      process.env.HOMELAB_GO_MODULE_CACHE = cache;
    });
    after(() => {
      server.close();
      for (const [k, v] of [
        ["HOMELAB_GOPROXY", saved.proxy],
        ["HOMELAB_GO_MODULE_CACHE", saved.cache],
      ] as const)
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
    });

    const row = (goModule: string) =>
      `prom\tprometheus/prometheus\tv3.7.3\t${goModule}\tgo-opts\tpkg/,vendor/example.com/dep/\tprometheus\tprometheus_\t\t`;

    it("reads a source from its module zips: the escaped path, each module under its folder, held to go.sum's hash and cached", async () => {
      const { project } = fixture(
        [
          row(
            `example.com/Upper/mod@v1.0.0 ${MOD_SUM},example.com/dep@v0.1.0 ${DEP_SUM} vendor/example.com/dep/`,
          ),
        ],
        {},
      );
      asked.length = 0;
      const first = await fetchModules(readSources(project));
      assert.deepEqual(first.refused, []);
      assert.deepEqual(asked, ["/example.com/!upper/mod/@v/v1.0.0.zip", "/example.com/dep/@v/v0.1.0.zip"]);
      assert.deepEqual(
        first.fetched.map((f) => [f.cached, f.bytes]),
        [
          [false, MOD_ZIP.length],
          [false, DEP_ZIP.length],
        ],
      );
      const rows = rowsOf(refreshMetrics(undefined, project));
      assert.deepEqual(
        [...rows.values()].map((r) => [r.metric, r.version_read, r.source]),
        [
          ["prometheus_notifications_sent_total", "prometheus/prometheus v3.7.3", "pkg/a.go:5"],
          ["prometheus_ring_members", "prometheus/prometheus v3.7.3", "vendor/example.com/dep/ring/r.go:2"],
        ],
      );
      // Again: from the cache, nothing asked.
      asked.length = 0;
      const again = await fetchModules(readSources(project));
      assert.deepEqual([asked, again.fetched.map((f) => f.cached)], [[], [true, true]]);
    });

    it("refuses a zip whose hash is not the table's, and says what the proxy answered", async () => {
      const { project } = fixture(
        [row(`example.com/Upper/mod@v1.0.1 ${MOD_SUM}`), row("example.com/refused@v1.0.0 " + MOD_SUM)],
        {},
      );
      const report = await fetchModules(readSources(project));
      assert.equal(report.refused.length, 2);
      assert.match(
        report.refused[0].reason,
        new RegExp(
          `example\\.com/Upper/mod@v1\\.0\\.1: the zip from .* hashes to ${DEP_SUM.replace(/[+/]/g, "\\$&")}, the table records ${MOD_SUM.replace(/[+/]/g, "\\$&")}`,
        ),
      );
      assert.ok(
        !fs.readdirSync(cache).some((f) => f.includes("v1.0.1")),
        "a zip that does not match is never kept",
      );
      assert.match(
        report.refused[1].reason,
        /the proxy answered 403 "This module version is not available\."/,
      );
      // A source with no module (Vector is Rust) is named as not read, never silently skipped.
      const rust = fixture(["vector\tvectordotdev/vector\tv0.56.0\t\trust-names\tlib/\tvector\t\t\t"], {});
      assert.match(
        (await fetchModules(readSources(rust.project))).refused[0]?.reason ?? "",
        /vectordotdev\/vector v0\.56\.0 is no Go module \(the table names none\): read from a checkout only/,
      );
      assert.throws(() => refreshMetrics(undefined, project), /not in the module cache/);
    });

    it("says what a go_module cell should hold", () => {
      assert.throws(
        () => parseGoModules("example.com/mod h1:abc", "t.tsv:3"),
        /t\.tsv:3: go_module: expected "<module>@<version> h1:<base64 sha256> \[<folder>\/\]", found "example\.com\/mod h1:abc"/,
      );
      assert.throws(
        () => parseGoModules(`example.com/mod@v1 ${MOD_SUM} vendor`, "t"),
        /found "example\.com\/mod@v1 h1:/,
      );
      assert.deepEqual(parseGoModules(`a.io/m@v1 ${MOD_SUM} server/`, "t"), [
        { module: "a.io/m", version: "v1", sum: MOD_SUM, mount: "server/" },
      ]);
    });
  });

  it("a name every supported Kubernetes minor emits is always there; another lists its minors in order", () => {
    const r = (metric: string, key: string): MetricRow => ({
      metric,
      type: "counter",
      emitter: "kubernetes",
      versionRead: "kubernetes/kubernetes v1",
      source: "list.yaml",
      labels: [],
      presentWhen: key,
      notes: "",
    });
    const minors = ["kubernetes:1.9", "kubernetes:1.10", "kubernetes:1.11"];
    const merged = mergeRows(
      [
        ...minors.map((k) => r("everywhere_total", k)),
        r("newer_total", "kubernetes:1.11"),
        r("newer_total", "kubernetes:1.10"),
        r("gone_total", "kubernetes:1.9"),
        r("mid_total", "kubernetes:1.10"),
        r("mid_total", "kubernetes:1.9"),
      ],
      [minors],
    );
    assert.deepEqual(
      merged.map((m) => [m.metric, m.presentWhen]),
      [
        ["everywhere_total", "always"],
        ["gone_total", "kubernetes:1.9"],
        ["mid_total", "kubernetes:1.9|kubernetes:1.10"],
        ["newer_total", "kubernetes:1.10|kubernetes:1.11"],
      ],
    );
  });

  it("the table reads Kubernetes' generated list once per supported minor, the oldest the README's floor", () => {
    const rows = readSources().filter((s) => s.extractor === "k8s-doclist");
    assert.deepEqual(
      rows.map((s) => s.presentWhen.fallback),
      SUPPORTED_KUBERNETES_MINORS.map((m) => `kubernetes:${m}`),
    );
    for (const [i, s] of rows.entries()) {
      assert.ok(
        s.tag.startsWith(`v${SUPPORTED_KUBERNETES_MINORS[i]}.`),
        `${s.tag} is not a ${SUPPORTED_KUBERNETES_MINORS[i]} release`,
      );
      assert.deepEqual(
        s.goModules.map((m) => `${m.module}@${m.version}`),
        [`k8s.io/kubernetes@${s.tag}`],
      );
    }
    const readme = fs.readFileSync(path.join(projectRoot(), "README.md"), "utf8");
    assert.match(
      readme,
      new RegExp(`\\| Kubernetes \\| ${SUPPORTED_KUBERNETES_MINORS[0].replace(".", "\\.")} or newer`),
    );
  });

  it("--check tells a source not read (its labels, a type) from a real difference", () => {
    const line = (labels: string, type = "counter", emitter = "e") =>
      ["m", type, emitter, "r v1", "f.go:1", labels, "always", "", ""].join("\t");
    const head = "h\n";
    assert.deepEqual(differenceBeyondUnread(head + line("a,b"), head + line("a", "untyped")), {
      exact: 1,
      loose: 1,
    });
    const real = differenceBeyondUnread(head + line("a"), head + line("a,c"));
    assert.match(real.diff ?? "", /^line 2 \(m\):\n  committed: {3}m\tcounter/);
    assert.match(
      differenceBeyondUnread(head + line("a"), head + line("a", "counter", "f")).diff ?? "",
      /^line 2/,
    );
    assert.match(differenceBeyondUnread(head + line("a"), head).diff ?? "", /line 2 \(m\)/);
  });
});
