import * as assert from "assert";
import { createHmac } from "crypto";
import { parser } from "@grafana/lezer-logql";
import { PHASES, parseStackConfig, PROJECT, rawFromPulumiConfig } from "../../config/resolve";
import { BACKENDS, capabilities, type Backend, type Phase } from "../../model/phases";
import { planStack, type StackPlan } from "../../plan/plan";
import { phaseAlertmanagerUrl, minioMetricsEndpoint } from "../../model/endpoints";
import { readStackConfig } from "../../synth/synthesize";
import { stackNames } from "../../config/paths";
import { kpsValues } from "../../builders/metrics/kpsValues";
import { vmValues } from "../../builders/metrics/vmValues";
import { lokiValues } from "../../builders/logging/lokiValues";
import { nodeExporterValues } from "../../builders/metrics/exporterValues";
import { alloyClusterConfig } from "../../builders/logging/alloyConfig";
import { logRules } from "../../builders/alerting/logRules";
import type { RuleGroup } from "../../builders/alerting/rules";
import {
  minioMetricsPolicy,
  minioPrometheusToken,
  MINIO_TOKEN_EXPIRY,
} from "../../builders/objectstore/minioMetrics";
import { atPhase, config, onBackend, roomFor, ROOT } from "../support/helpers";
import { agentScheduling } from "../../builders/security/hardening";

/** The alerts every stack must ship in every phase, by what it watches. */
const ALWAYS = ["LokiNoLogsIngested", "NodeInotifyMaxUserWatchesLow", "NodeInotifyMaxUserInstancesLow"];
const LOG_ALERTS = ["NamespaceLogErrorRateHigh", "NodeLogsMissing"];
const MINIO = [
  "LokiObjectStoreErrors",
  "MinioFreeSpaceLow",
  "MinioFreeSpaceCritical",
  "MinioCapacityMetricsMissing",
];
const FILESYSTEM = ["StoreVolumeFreeSpaceLow"];

/** A project stack at `phase` with `metricsBackend`, read the way the synthesis reads its file. */
function stackPlan(stack: string, phase: Phase, backend: Backend): StackPlan {
  const over = { ...atPhase(stack, phase), ...onBackend(backend), ...roomFor(stack, phase, backend) };
  const overrides = Object.fromEntries(
    Object.entries(over).map(([k, v]) => [`${PROJECT}:${k}`, typeof v === "string" ? v : JSON.stringify(v)]),
  );
  const { config: cfg } = readStackConfig(ROOT, stack, overrides, {});
  return planStack(parseStackConfig(rawFromPulumiConfig(cfg), stack, {}));
}

const metricAlerts = (p: StackPlan) =>
  Object.values(p.rules.inputs.ruleSets)
    .flat()
    .flatMap((g) => g.rules.map((r) => r.alert))
    .filter((a): a is string => !!a);
const logAlerts = (p: StackPlan) => p.loki.inputs.logRules.flatMap((g) => g.rules.map((r) => r.alert!));

/** The Alertmanager the phase runs, read from what the builders make of the plan. */
function runningAlertmanager(p: StackPlan): string | undefined {
  const ns = p.namespace.inputs.name;
  if (p.kubePrometheusStack && kpsValues(p.kubePrometheusStack.inputs.settings).alertmanager.enabled)
    return phaseAlertmanagerUrl(ns, "kps", p.kubePrometheusStack.inputs.settings.fullname);
  if (p.alertmanager) return phaseAlertmanagerUrl(ns, "standalone");
  if (p.victoriaMetrics && vmValues(p.victoriaMetrics.inputs.settings).alertmanager.enabled)
    return phaseAlertmanagerUrl(ns, "vm");
  return undefined;
}

describe("operator safety nets: object store, log error rates, inotify", () => {
  describe("every alert in every phase and backend of every stack", () => {
    const stacks = stackNames(ROOT);
    it("finds the project's stacks", () => assert.ok(stacks.length >= 4, stacks.join(",")));
    for (const stack of stacks)
      for (const phase of PHASES)
        for (const backend of BACKENDS)
          it(`${stack} at ${phase} on ${backend}`, () => {
            const p = stackPlan(stack, phase, backend);
            const metric = metricAlerts(p);
            const expected = [
              ...ALWAYS,
              ...(p.objectStore.inputs.store.type === "minio" ? MINIO : []),
              ...(p.objectStore.inputs.store.type === "filesystem" ? FILESYSTEM : []),
            ];
            for (const a of expected)
              assert.ok(metric.includes(a), `${a} missing from ${stack}/${phase}/${backend}`);
            // Mimir's bucket alerts only where Mimir runs: nothing else emits what they read.
            assert.equal(
              metric.includes("MimirObjectStoreErrors"),
              backend === "mimir" && capabilities(phase, backend).backend,
              `MimirObjectStoreErrors in ${stack}/${phase}/${backend}`,
            );
            assert.deepEqual(logAlerts(p), LOG_ALERTS);
            // Log alerts go where the metric alerts go: the Alertmanager this phase runs.
            const am = runningAlertmanager(p);
            assert.ok(am, "an Alertmanager runs");
            assert.equal(lokiValues(p.loki.inputs.settings).loki.rulerConfig.alertmanager_url, am);
          });
  });

  it("a filesystem store alerts on its claims' free space, a minio store on MinIO's", () => {
    const fs = planStack(config({ objectStore: { type: "filesystem" }, phase: "dual-write" }));
    const names = metricAlerts(fs);
    assert.ok(names.includes("StoreVolumeFreeSpaceLow"));
    assert.ok(!names.includes("MinioFreeSpaceLow"));
    assert.ok(!names.includes("LokiObjectStoreErrors"), "a filesystem store has no S3 client metrics");
    assert.equal(fs.objectStore.inputs.metrics, undefined, "nothing to scrape");
  });

  describe("LogQL rules parse with Grafana's LogQL grammar (@grafana/lezer-logql)", () => {
    /** Positions of syntax errors, and whether the query is a metric query (alerting needs one). */
    function check(expr: string): { errors: number[]; metric: boolean } {
      const tree = parser.parse(expr);
      const errors: number[] = [];
      tree.iterate({
        enter: (n) => {
          if (n.type.isError) errors.push(n.from);
        },
      });
      return { errors, metric: tree.topNode.firstChild?.firstChild?.name === "MetricExpr" };
    }
    const shipped = new Map<string, RuleGroup[]>();
    for (const stack of stackNames(ROOT))
      for (const phase of PHASES)
        shipped.set(`${stack}/${phase}`, stackPlan(stack, phase, "mimir").loki.inputs.logRules);
    shipped.set("threshold 0.25", logRules({ errorsPerSecond: 0.25 }));

    it("every shipped expression is a valid metric query", () => {
      let n = 0;
      for (const [where, groups] of shipped)
        for (const r of groups.flatMap((g) => g.rules)) {
          const c = check(r.expr);
          assert.deepEqual(c.errors, [], `${where} ${r.alert}: syntax error in ${r.expr}`);
          assert.ok(c.metric, `${where} ${r.alert}: not a metric query`);
          n++;
        }
      assert.ok(n >= 2 * shipped.size);
    });

    it("fails on a planted syntax error and on a log (non-metric) query", () => {
      const good = logRules({ errorsPerSecond: 1 })[0].rules[0].expr;
      assert.notDeepEqual(check(good.replace("[5m]))", "[5m])")).errors, []);
      assert.notDeepEqual(check(good.replace("|", "||")).errors, []);
      assert.equal(check('{namespace=~".+"} | detected_level="error"').metric, false);
    });

    it("puts the configured threshold in the error-rate rule and refuses a non-positive one", () => {
      assert.match(logRules({ errorsPerSecond: 0.25 })[0].rules[0].expr, /\) > 0\.25$/);
      assert.throws(
        () => logRules({ errorsPerSecond: 0 }),
        /errorsPerSecond must be a positive number, found 0/,
      );
      assert.equal(config({ alerting: { logErrorsPerSecond: 3 } }).alerting.logErrorsPerSecond, 3);
      assert.throws(() => config({ alerting: { logErrorsPerSecond: -1 } }), /logErrorsPerSecond/);
    });
  });

  describe("Loki's ruler", () => {
    it("reads the mounted rule file of its tenant and sends to the phase's Alertmanager", () => {
      for (const [over, tenant] of [
        [{}, "fake"],
        [{ loki: { authEnabled: true, tenant: "home" } }, "home"],
      ] as const) {
        const p = planStack(config({ ...over, phase: "kps-removed" }));
        const v = lokiValues(p.loki.inputs.settings);
        assert.deepEqual(v.loki.rulerConfig.storage, {
          type: "local",
          local: { directory: "/etc/loki/rules" },
        });
        assert.equal(v.singleBinary.extraVolumeMounts[0].mountPath, `/etc/loki/rules/${tenant}`);
        assert.equal(v.backend.extraVolumeMounts[0].mountPath, `/etc/loki/rules/${tenant}`);
        assert.equal(v.singleBinary.extraVolumes[0].configMap.name, "loki-homelab-rules");
        assert.equal(v.write.extraVolumes, undefined, "the write path runs no ruler");
        assert.equal(
          v.loki.rulerConfig.alertmanager_url,
          "http://alertmanager.monitoring.svc.cluster.local:9093",
        );
      }
    });
  });

  describe("inotify", () => {
    it("node-exporter runs the sysctl collector with both inotify limits", () => {
      const args: string[] = nodeExporterValues("standard", agentScheduling([])).extraArgs;
      assert.ok(args.includes("--collector.sysctl"));
      assert.ok(args.includes("--collector.sysctl.include=fs.inotify.max_user_watches"));
      assert.ok(args.includes("--collector.sysctl.include=fs.inotify.max_user_instances"));
    });
  });

  describe("MinIO's capacity metrics", () => {
    it("scrapes the store's in-cluster address with a token for a metrics-only user", () => {
      const p = planStack(
        config({ objectStore: { type: "minio", endpoint: "https://minio.storage.svc:9443" } }),
      );
      assert.deepEqual(p.objectStore.inputs.metrics, {
        scheme: "https",
        target: "minio.storage.svc:9443",
        path: "/minio/v2/metrics/cluster",
      });
      assert.deepEqual(
        minioMetricsEndpoint("http://minio.storage.svc.cluster.local").target,
        "minio.storage.svc.cluster.local:80",
      );
      assert.deepEqual(minioMetricsPolicy().Statement, [{ Effect: "Allow", Action: ["admin:Prometheus"] }]);
    });

    it("signs the token as mc admin prometheus generate does (HS512, sub, iss prometheus)", () => {
      const token = minioPrometheusToken("homelab-metrics", "s3cr3t");
      const [h, c, sig] = token.split(".");
      assert.deepEqual(JSON.parse(Buffer.from(h, "base64url").toString()), { alg: "HS512", typ: "JWT" });
      assert.deepEqual(JSON.parse(Buffer.from(c, "base64url").toString()), {
        exp: MINIO_TOKEN_EXPIRY,
        iss: "prometheus",
        sub: "homelab-metrics",
      });
      const expected = createHmac("sha512", "s3cr3t").update(`${h}.${c}`).digest("base64url");
      assert.equal(sig, expected);
      assert.notEqual(minioPrometheusToken("homelab-metrics", "other").split(".")[2], sig);
      assert.equal(minioPrometheusToken("homelab-metrics", "s3cr3t"), token, "stable across runs");
    });

    it("Alloy scrapes MinIO itself once it is the scraper, with the token from the Secret", () => {
      const p = planStack(config({ phase: "kps-removed", metricsBackend: "mimir" }));
      assert.equal(capabilities("kps-removed", "mimir").scraper, "alloy");
      const text = alloyClusterConfig(p.alloy!.inputs.cluster!);
      assert.match(text, /prometheus\.scrape "minio_cluster"/);
      assert.match(text, /credentials = remote\.kubernetes\.secret\.minio_metrics\.data\["token"\]/);
      assert.match(text, /metrics_path = "\/minio\/v2\/metrics\/cluster"/);
    });

    it("Prometheus selects every ScrapeConfig", () => {
      const p = planStack(config({ phase: "loki-fixed" }));
      const spec = kpsValues(p.kubePrometheusStack!.inputs.settings).prometheus.prometheusSpec;
      assert.equal(spec.scrapeConfigSelectorNilUsesHelmValues, false);
    });
  });
});
