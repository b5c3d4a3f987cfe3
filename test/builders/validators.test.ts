import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import { lokiRules, objectStoreRules, programRuleSets, type RuleGroup } from "../../builders/alerting/rules";
import { alertmanagerConfig, type AlertmanagerInputs } from "../../builders/alerting/alertmanagerConfig";
import { kpsValues } from "../../builders/metrics/kpsValues";
import { vmValues } from "../../builders/metrics/vmValues";
import { standaloneAlertmanagerValues } from "../../builders/metrics/exporterValues";
import { mimirConfig } from "../../builders/metrics/mimirConfig";
import { forAmtool025, ofType, requireTool, synth, tmpDir } from "../support/helpers";
import { toolRun } from "../support/toolOutput";
import { capabilities } from "../../model/phases";

/**
 * `cmd args` run from `cwd` on `inputs`, the files or folders it reads (those this file writes): the
 * real validator's status and output, kept in the fixture cache keyed by the program, its arguments
 * and every input's content (test/support/toolOutput.ts), so a warm run whose generated configs
 * are unchanged asks no validator again, and any change to them (or a new validator installed) asks
 * afresh. Its 13 processes were most of this file's warm CPU.
 */
const exec = (cmd: string, args: string[], inputs: string[], cwd?: string) =>
  toolRun(cmd, args, { inputs, cwd });

function writeRules(dir: string, name: string, groups: RuleGroup[]): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, stringify({ groups }));
  return file;
}

// Every rule the program can ship: a MinIO store with both consumers, plus what only the filesystem
// store adds (in its own group: promtool refuses two groups of one name in a file).
const MINIO_SETS = Object.values(
  programRuleSets({ namespace: "monitoring", canary: true, store: "minio" }),
).flat();
const shippedAlerts = new Set(MINIO_SETS.flatMap((g) => g.rules.map((r) => r.alert)));
const ALL_RULES = [
  ...MINIO_SETS,
  ...objectStoreRules({ store: "filesystem", namespace: "monitoring" }).map((g) => ({
    ...g,
    name: `${g.name}-filesystem`,
    rules: g.rules.filter((r) => !shippedAlerts.has(r.alert)),
  })),
];
const kpsRule = (name: string) =>
  ALL_RULES.flatMap((g) => g.rules).find((r) => (r.alert ?? r.record) === name)!;

/** An alert's annotations with its labels and a rendered value filled in, as promtool expects them. */
function expanded(alert: string, labels: Record<string, string>, value: string): Record<string, string> {
  const rule = ALL_RULES.flatMap((g) => g.rules).find((r) => r.alert === alert)!;
  return Object.fromEntries(
    Object.entries(rule.annotations ?? {}).map(([k, v]) => [
      k,
      v
        .replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, l: string) => labels[l] ?? "")
        .replace(/\{\{ \$value[^}]*\}\}/g, value),
    ]),
  );
}

/**
 * The rule groups a promtool test case reads: those holding an alert it names or a recording rule
 * its expressions read, then the groups of the recording rules those groups' rules read. Every alert
 * it names must be one: promtool passes a case that expects no alert from a rule it never loaded.
 */
function groupsRead(testCase: unknown): RuleGroup[] {
  const c = testCase as { alert_rule_test?: { alertname: string }[]; promql_expr_test?: { expr: string }[] };
  const alerts = new Set((c.alert_rule_test ?? []).map((t) => t.alertname));
  const all = ALL_RULES.flatMap((g) => g.rules);
  for (const a of alerts)
    assert.ok(
      all.some((r) => r.alert === a),
      `no rule alerts ${a}`,
    );
  const read = new Set(ALL_RULES.filter((g) => g.rules.some((r) => r.alert && alerts.has(r.alert))));
  const exprs = (c.promql_expr_test ?? []).map((t) => t.expr);
  for (let grew = true; grew;) {
    // A name found as a substring may load a group more than needed, never one less.
    const text = [...exprs, ...[...read].flatMap((g) => g.rules.map((r) => r.expr))].join("\n");
    const more = ALL_RULES.filter(
      (g) => !read.has(g) && g.rules.some((r) => r.record && text.includes(r.record)),
    );
    for (const g of more) read.add(g);
    grew = more.length > 0;
  }
  assert.ok(read.size > 0, `the case reads no rule group: ${JSON.stringify(testCase)}`);
  return ALL_RULES.filter((g) => read.has(g));
}

/** promtool cases for the object-store, free-space and inotify alerts: each fires, and a neighbour does not. */
function safetyNetTests(): unknown[] {
  const fire = (alert: string, at: string, labels: Record<string, string>, value: string) => ({
    eval_time: at,
    alertname: alert,
    exp_alerts: [{ exp_labels: labels, exp_annotations: expanded(alert, labels, value) }],
  });
  const loki = { job: "monitoring/loki", operation: "S3.PutObject" };
  const mimir = { job: "monitoring/mimir", component: "ruler", operation: "get" };
  const minio = { job: "minio-cluster", instance: "minio.storage.svc:9000" };
  const claim = (pvc: string) => `namespace="monitoring",persistentvolumeclaim="${pvc}"`;
  return [
    {
      interval: "1m",
      input_series: [
        {
          series: `loki_s3_request_duration_seconds_count{job="monitoring/loki",operation="S3.PutObject",status_code="200"}`,
          values: "0+90x45",
        },
        {
          series: `loki_s3_request_duration_seconds_count{job="monitoring/loki",operation="S3.PutObject",status_code="500"}`,
          values: "0+10x45",
        },
        {
          series: `loki_s3_request_duration_seconds_count{job="monitoring/loki",operation="S3.GetObject",status_code="200"}`,
          values: "0+90x45",
        },
        {
          series: `loki_s3_request_duration_seconds_count{job="monitoring/loki",operation="S3.GetObject",status_code="cancel"}`,
          values: "0+10x45",
        },
        {
          series:
            'thanos_objstore_bucket_operations_total{job="monitoring/mimir",component="ruler",operation="get"}',
          values: "0+100x45",
        },
        {
          series:
            'thanos_objstore_bucket_operation_failures_total{job="monitoring/mimir",component="ruler",operation="get"}',
          values: "0+20x45",
        },
        {
          series:
            'thanos_objstore_bucket_operations_total{job="monitoring/mimir",component="compactor",operation="upload"}',
          values: "0+100x45",
        },
        {
          series:
            'thanos_objstore_bucket_operation_failures_total{job="monitoring/mimir",component="compactor",operation="upload"}',
          values: "0+1x45",
        },
      ],
      alert_rule_test: [
        { eval_time: "10m", alertname: "LokiObjectStoreErrors", exp_alerts: [] },
        // Cancelled GETs are the caller giving up, not the store failing.
        fire("LokiObjectStoreErrors", "40m", { severity: "critical", ...loki }, "10%"),
        fire("MimirObjectStoreErrors", "40m", { severity: "critical", ...mimir }, "20%"),
      ],
    },
    {
      interval: "1m",
      input_series: [
        {
          series: `minio_cluster_capacity_usable_free_bytes{job="minio-cluster",instance="minio.storage.svc:9000"}`,
          values: "10x60",
        },
        {
          series: `minio_cluster_capacity_usable_total_bytes{job="minio-cluster",instance="minio.storage.svc:9000"}`,
          values: "100x60",
        },
        { series: `kubelet_volume_stats_available_bytes{${claim("storage-loki-0")}}`, values: "5x60" },
        { series: `kubelet_volume_stats_capacity_bytes{${claim("storage-loki-0")}}`, values: "100x60" },
        { series: `kubelet_volume_stats_available_bytes{${claim("grafana")}}`, values: "5x60" },
        { series: `kubelet_volume_stats_capacity_bytes{${claim("grafana")}}`, values: "100x60" },
        {
          series: 'node_sysctl_fs_inotify_max_user_watches{job="node-exporter",instance="a"}',
          values: "8192x30",
        },
        {
          series: 'node_sysctl_fs_inotify_max_user_watches{job="node-exporter",instance="b"}',
          values: "524288x30",
        },
        {
          series: 'node_sysctl_fs_inotify_max_user_instances{job="node-exporter",instance="a"}',
          values: "512x30",
        },
      ],
      alert_rule_test: [
        fire("MinioFreeSpaceLow", "45m", { severity: "warning", ...minio }, "10%"),
        { eval_time: "45m", alertname: "MinioFreeSpaceCritical", exp_alerts: [] },
        { eval_time: "45m", alertname: "MinioCapacityMetricsMissing", exp_alerts: [] },
        // Only the stores' claims: Grafana's full claim is KubePersistentVolumeFillingUp's business.
        fire(
          "StoreVolumeFreeSpaceLow",
          "45m",
          { severity: "warning", namespace: "monitoring", persistentvolumeclaim: "storage-loki-0" },
          "5%",
        ),
        fire(
          "NodeInotifyMaxUserWatchesLow",
          "20m",
          { severity: "warning", job: "node-exporter", instance: "a" },
          "8192",
        ),
        { eval_time: "20m", alertname: "NodeInotifyMaxUserInstancesLow", exp_alerts: [] },
      ],
    },
    {
      interval: "1m",
      input_series: [{ series: 'up{job="other"}', values: "1x40" }],
      alert_rule_test: [fire("MinioCapacityMetricsMissing", "35m", { severity: "warning" }, "1")],
    },
  ];
}

describe("real validators", function () {
  this.timeout(60000);

  describe("promtool", () => {
    it("checks every rule group the program generates", function () {
      const promtool = requireTool(this, "promtool", "prometheus");
      const file = writeRules(tmpDir("rules"), "rules.yaml", ALL_RULES);
      // --lint=none: the chart's kube-apiserver-availability.rules record
      // code_verb:apiserver_request_total:increase1h once per code class (2xx..5xx), which promtool's
      // duplicate-rule lint flags although the `code` label keeps the series apart.
      const r = exec(promtool, ["check", "rules", "--lint=none", file], [file]);
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.match(
        r.stdout,
        new RegExp(`SUCCESS: ${ALL_RULES.reduce((n, g) => n + g.rules.length, 0)} rules found`),
      );
    });

    it("checks the PrometheusRules of every synthesized stack", async function () {
      const promtool = requireTool(this, "promtool", "prometheus");
      const dir = tmpDir("stackrules");
      const files: string[] = [];
      for (const stack of ["staging", "production", "pi"]) {
        const rules = ofType(
          (await synth(stack)).export.deployment.resources,
          "kubernetes:monitoring.coreos.com/v1:PrometheusRule",
        );
        // kube-prometheus, loki, nodes (inotify), object-store
        assert.equal(rules.length, 4);
        for (const r of rules)
          files.push(writeRules(dir, `${stack}-${r.inputs.metadata.name}.yaml`, r.inputs.spec.groups));
      }
      // One promtool over every file (`check rules <rule-files>...`): it checks each and names each
      // file that fails; its exit status is non-zero when any does.
      const out = exec(promtool, ["check", "rules", "--lint=none", ...files], files);
      assert.equal(out.status, 0, `${out.stdout}${out.stderr}`);
      assert.equal(out.stdout.match(/SUCCESS: \d+ rules found/g)?.length, files.length, out.stdout);
    });

    it("rejects a broken rule (the check can fail)", function () {
      const promtool = requireTool(this, "promtool", "prometheus");
      const file = writeRules(tmpDir("bad"), "bad.yaml", [
        { name: "x", rules: [{ alert: "Broken", expr: "sum(rate(x[5m]" }] },
      ]);
      assert.notEqual(exec(promtool, ["check", "rules", file], [file]).status, 0);
    });

    it("unit-tests the alerts with input series and expected alerts", function () {
      const promtool = requireTool(this, "promtool", "prometheus");
      const dir = tmpDir("ruletests");
      // Each case in a test file of its own that loads only the groups the case reads (groupsRead):
      // promtool evaluates every loaded rule at every step up to the case's last eval_time. All 35
      // kube-prometheus groups for every case took ~18 s; the six groups under test for every case
      // 0.9 s of CPU, most of it the 4-hour retention case stepping through node-exporter's
      // recording rules; a file per case, 0.3 s. One promtool over every file.
      const cases = [
        {
          interval: "1m",
          input_series: [
            { series: 'loki_distributor_lines_received_total{job="monitoring/loki"}', values: "100+0x40" },
          ],
          alert_rule_test: [
            { eval_time: "10m", alertname: "LokiNoLogsIngested", exp_alerts: [] },
            {
              eval_time: "30m",
              alertname: "LokiNoLogsIngested",
              exp_alerts: [
                {
                  exp_labels: { severity: "critical" },
                  exp_annotations: lokiRules({ canary: true })[0].rules[0].annotations,
                },
              ],
            },
          ],
        },
        {
          interval: "1m",
          input_series: [
            { series: 'loki_distributor_lines_received_total{job="monitoring/loki"}', values: "0+100x40" },
          ],
          alert_rule_test: [{ eval_time: "30m", alertname: "LokiNoLogsIngested", exp_alerts: [] }],
        },
        {
          interval: "1m",
          input_series: [
            {
              series:
                'loki_request_duration_seconds_count{job="monitoring/loki",route="loki_api_v1_push",status_code="204"}',
              values: "0+90x30",
            },
            {
              series:
                'loki_request_duration_seconds_count{job="monitoring/loki",route="loki_api_v1_push",status_code="500"}',
              values: "0+10x30",
            },
            {
              series:
                'loki_request_duration_seconds_count{job="monitoring/loki",route="loki_api_v1_query_range",status_code="200"}',
              values: "0+100x30",
            },
          ],
          alert_rule_test: [
            {
              eval_time: "20m",
              alertname: "LokiPushErrors",
              exp_alerts: [
                {
                  exp_labels: { severity: "warning", job: "monitoring/loki" },
                  exp_annotations: {
                    summary: "More than 5% of pushes to monitoring/loki fail.",
                    description: "10% of push requests return 5xx.",
                  },
                },
              ],
            },
            { eval_time: "20m", alertname: "LokiQueryErrors", exp_alerts: [] },
          ],
        },
        {
          interval: "5m",
          input_series: [
            {
              series: "loki_compactor_apply_retention_last_successful_run_timestamp_seconds",
              values: "0x60",
            },
          ],
          alert_rule_test: [
            { eval_time: "2h", alertname: "LokiRetentionNotRunning", exp_alerts: [] },
            {
              eval_time: "4h",
              alertname: "LokiRetentionNotRunning",
              exp_alerts: [
                {
                  exp_labels: { severity: "warning" },
                  exp_annotations: lokiRules({ canary: true })[0].rules[3].annotations,
                },
              ],
            },
          ],
        },
        {
          interval: "1m",
          input_series: [
            {
              series: 'loki_canary_missing_entries_total{instance="node-1"}',
              values: "0 0 0 3 3 3 3 3 3 3 3 3 3",
            },
          ],
          alert_rule_test: [
            {
              eval_time: "10m",
              alertname: "LokiCanaryMissingEntries",
              exp_alerts: [
                {
                  exp_labels: { severity: "warning", instance: "node-1" },
                  exp_annotations: {
                    summary: "Loki canary node-1 cannot read back entries it wrote.",
                    description: "3 entries went missing in 15 minutes: the write or read path loses logs.",
                  },
                },
              ],
            },
          ],
        },
        {
          interval: "1m",
          input_series: [
            {
              series: 'up{job="node-exporter",namespace="monitoring",service="node-exporter",instance="a"}',
              values: "0x30",
            },
            {
              series: 'up{job="node-exporter",namespace="monitoring",service="node-exporter",instance="b"}',
              values: "1x30",
            },
          ],
          alert_rule_test: [
            {
              eval_time: "1m",
              alertname: "Watchdog",
              exp_alerts: [
                { exp_labels: { severity: "none" }, exp_annotations: kpsRule("Watchdog").annotations },
              ],
            },
            {
              eval_time: "15m",
              alertname: "TargetDown",
              exp_alerts: [
                {
                  exp_labels: {
                    severity: "warning",
                    job: "node-exporter",
                    namespace: "monitoring",
                    service: "node-exporter",
                  },
                  exp_annotations: {
                    ...kpsRule("TargetDown").annotations,
                    description:
                      "50% of the node-exporter/node-exporter targets in monitoring namespace are down.",
                  },
                },
              ],
            },
          ],
        },
        {
          interval: "1m",
          input_series: [
            { series: 'node_memory_MemAvailable_bytes{job="node-exporter",instance="a"}', values: "25x5" },
            { series: 'node_memory_MemTotal_bytes{job="node-exporter",instance="a"}', values: "100x5" },
          ],
          promql_expr_test: [
            {
              expr: "instance:node_memory_utilisation:ratio",
              eval_time: "2m",
              exp_samples: [
                {
                  labels: 'instance:node_memory_utilisation:ratio{job="node-exporter",instance="a"}',
                  value: 0.75,
                },
              ],
            },
          ],
        },
        ...safetyNetTests(),
      ];
      const files = cases.map((c, i) => {
        const groups = groupsRead(c);
        const ruleFiles = groups.map((g) => {
          const file = `rules-${g.name}.yaml`;
          if (!fs.existsSync(path.join(dir, file))) writeRules(dir, file, [g]);
          return file;
        });
        const file = `tests-${i}.yaml`;
        fs.writeFileSync(
          path.join(dir, file),
          stringify({ rule_files: ruleFiles, evaluation_interval: "1m", tests: [c] }),
        );
        return file;
      });
      const r = exec(promtool, ["test", "rules", ...files], [dir], dir);
      assert.equal(r.status, 0, r.stdout + r.stderr);
      // promtool says SUCCESS under each file it passes.
      assert.equal(r.stdout.match(/^\s*SUCCESS$/gm)?.length, files.length, r.stdout);
    });
  });

  describe("amtool", () => {
    const alerting: AlertmanagerInputs = {
      pushover: true,
      pushoverPriority: 1,
      heartbeat: true,
      heartbeatInterval: "1m",
    };
    const configs: [string, () => any, string][] = [
      [
        "kube-prometheus-stack",
        () =>
          kpsValues({
            caps: capabilities("loki-fixed", "mimir"),
            cluster: "c",
            profile: "standard",
            backend: "mimir",
            retention: "14d",
            retentionSize: "60GiB",
            volumeSize: "70Gi",
            storageClass: "s",
            remoteWrite: { backend: "mimir", url: "u" },
            alerting,
          }).alertmanager.config,
        "/etc/alertmanager/secrets/",
      ],
      [
        "standalone Alertmanager",
        () => standaloneAlertmanagerValues("standard", alerting, "local-path").config,
        "/etc/alertmanager/secrets/",
      ],
      [
        "VictoriaMetrics Alertmanager",
        () =>
          vmValues({
            caps: capabilities("kps-removed", "victoriametrics"),
            cluster: "c",
            profile: "lightweight",
            retention: "14d",
            volumeSize: "1Gi",
            storageClass: "s",
            scrapeInterval: "30s",
            bufferBytes: 1,
            alerting,
          }).alertmanager.config,
        "/etc/vm/secrets/",
      ],
      [
        "no Pushover, no heartbeat",
        () => alertmanagerConfig({ ...alerting, pushover: false, heartbeat: false }, "/x"),
        "",
      ],
    ];
    for (const [title, make, base] of configs) {
      it(`accepts the ${title} config`, function () {
        const amtool = requireTool(this, "amtool", "prometheus-alertmanager");
        const cfg = make();
        const files = JSON.stringify(cfg).match(/"(token_file|user_key_file|url_file)":"[^"]+"/g) ?? [];
        for (const f of files) assert.ok(f.includes(base), `${f} points into the mounted Secrets (${base})`);
        const file = path.join(tmpDir("am"), "alertmanager.yml");
        fs.writeFileSync(file, stringify(forAmtool025(cfg)));
        const r = exec(amtool, ["check-config", file], [file]);
        assert.equal(r.status, 0, r.stdout + r.stderr);
        assert.match(r.stdout, /SUCCESS/);
      });
    }
    it("rejects a route to a receiver that does not exist (the check can fail)", function () {
      const amtool = requireTool(this, "amtool", "prometheus-alertmanager");
      const cfg = forAmtool025(alertmanagerConfig(alerting, "/x"));
      cfg.route.routes[0].receiver = "nobody";
      const file = path.join(tmpDir("am"), "bad.yml");
      fs.writeFileSync(file, stringify(cfg));
      assert.notEqual(exec(amtool, ["check-config", file], [file]).status, 0);
    });
  });

  describe("vmalert", () => {
    it("dry-runs the lightweight profile's rules", async function () {
      const vmalert = requireTool(this, "vmalert", "victoria-metrics");
      const dir = tmpDir("vmalert");
      const rules = ofType(
        (await synth("pi")).export.deployment.resources,
        "kubernetes:monitoring.coreos.com/v1:PrometheusRule",
      );
      // One vmalert over every file (`-rule` may be given several times).
      const files = rules.map((r) => writeRules(dir, `${r.inputs.metadata.name}.yaml`, r.inputs.spec.groups));
      assert.ok(files.length > 0);
      const out = exec(vmalert, ["-dryRun", ...files.map((f) => `-rule=${f}`)], files);
      assert.equal(out.status, 0, out.stdout + out.stderr);
      const bad = writeRules(dir, "bad.yaml", [
        { name: "x", rules: [{ alert: "Broken", expr: "sum(rate(x[5m]" }] },
      ]);
      assert.notEqual(
        exec(vmalert, ["-dryRun", `-rule=${bad}`], [bad]).status,
        0,
        "vmalert rejects a broken rule",
      );
    });
  });

  describe("yamllint", () => {
    it("finds the generated Mimir config and rule files well-formed", function () {
      const yamllint = requireTool(this, "yamllint", "yamllint");
      const dir = tmpDir("yaml");
      fs.writeFileSync(
        path.join(dir, "mimir.yaml"),
        stringify(
          mimirConfig({
            namespace: "m",
            replicas: 1,
            maxGlobalSeriesPerUser: 1,
            ingestionRate: 1,
            multitenancy: false,
            alertmanagerUrl: "u",
            blocksRetention: "90d",
            storage: { kind: "filesystem", consumer: "mimir" },
          }),
        ),
      );
      writeRules(dir, "rules.yaml", ALL_RULES);
      const r = exec(yamllint, ["-d", "{extends: relaxed, rules: {line-length: disable}}", dir], [dir]);
      assert.equal(r.status, 0, r.stdout + r.stderr);
    });

    it("fails on a malformed file with the same settings (the check can fail)", function () {
      const yamllint = requireTool(this, "yamllint", "yamllint");
      const dir = tmpDir("yaml-bad");
      // A duplicated key: the relaxed profile keeps key-duplicates as an error.
      fs.writeFileSync(path.join(dir, "bad.yaml"), "groups:\n  - name: a\n    name: b\n");
      const r = exec(yamllint, ["-d", "{extends: relaxed, rules: {line-length: disable}}", dir], [dir]);
      assert.notEqual(r.status, 0, "yamllint accepted a duplicated key");
      assert.match(r.stdout + r.stderr, /duplication of key "name"/);
    });
  });
});
