import * as assert from "assert";
import { PHASES } from "../../config/resolve";
import { BACKENDS, capabilities, everyCapability, PHASE_TABLE } from "../../model/phases";
import { endpoints } from "../../model/endpoints";
import { planStack, type StackPlan } from "../../plan/plan";
import { kpsValues } from "../../builders/metrics/kpsValues";
import { vmValues } from "../../builders/metrics/vmValues";
import { alloyClusterConfig } from "../../builders/logging/alloyConfig";
import { config } from "../support/helpers";
import { alloyRuleSyncs, evaluates, labelsMatch } from "../../upstream/ruleSelection";
import { PROGRAM_RULE_LABELS } from "../support/ruleCoverage";

const every = (over: Record<string, unknown> = {}) =>
  PHASES.flatMap((phase) =>
    BACKENDS.map((metricsBackend) => ({
      phase,
      metricsBackend,
      plan: planStack(config({ phase, metricsBackend, ...over })),
    })),
  );

/**
 * Who evaluates the program's rules in a plan, read from what the real builders make of the
 * planned inputs: Prometheus's ruleSelector, Alloy's mimir.rules.kubernetes sync, vmalert.
 */
function evaluators(p: StackPlan): string[] {
  const out: string[] = [];
  const kps = p.kubePrometheusStack && kpsValues(p.kubePrometheusStack.inputs.settings);
  if (kps && labelsMatch(kps.prometheus.prometheusSpec.ruleSelector, PROGRAM_RULE_LABELS))
    out.push("prometheus");
  const cluster = p.alloy?.inputs.cluster;
  const rule = { name: "r", namespace: "monitoring", labels: PROGRAM_RULE_LABELS };
  if (cluster && alloyRuleSyncs(alloyClusterConfig(cluster)).some((e) => evaluates(e, rule)))
    out.push("mimir-ruler");
  if (p.victoriaMetrics && vmValues(p.victoriaMetrics.inputs.settings).vmalert.enabled) out.push("vmalert");
  return out;
}

describe("phase table (model/phases.ts)", () => {
  it("has a row for every phase of the schema and every backend, and nothing else", () => {
    assert.deepEqual(Object.keys(PHASE_TABLE), [...PHASES]);
    for (const phase of PHASES)
      assert.deepEqual(Object.keys(PHASE_TABLE[phase]).sort(), [...BACKENDS].sort());
    assert.equal(everyCapability().length, PHASES.length * BACKENDS.length);
  });

  it("DESIGN.md's migration, step by step: backend from dual-write, flip at backend-primary, KPS gone at kps-removed", () => {
    const rows = PHASES.map((p) => capabilities(p, "mimir"));
    assert.deepEqual(
      rows.map((c) => [
        c.kps,
        c.backend,
        c.prometheusRemoteWrite,
        c.defaultDatasource,
        c.ruleEvaluator,
        c.scraper,
      ]),
      [
        [true, false, false, "prometheus", "prometheus", "prometheus"],
        [true, true, true, "prometheus", "prometheus", "prometheus"],
        [true, true, true, "backend", "mimir-ruler", "prometheus"],
        [false, true, false, "backend", "mimir-ruler", "alloy"],
      ],
    );
    const vm = PHASES.map((p) => capabilities(p, "victoriametrics"));
    assert.deepEqual(
      vm.map((c) => [c.ruleEvaluator, c.alertmanager, c.scraper]),
      [
        ["prometheus", "kps", "prometheus"],
        ["prometheus", "kps", "prometheus"],
        ["vmalert", "vm", "prometheus"],
        ["vmalert", "vm", "vmagent"],
      ],
    );
  });

  it("only Mimir keeps data in the object store, and only while it runs; Loki always", () => {
    for (const { backend, caps } of everyCapability()) {
      assert.ok(caps.objectStoreConsumers.includes("loki"));
      assert.equal(caps.objectStoreConsumers.includes("mimir"), backend === "mimir" && caps.backend);
    }
  });

  it("rules move together with their Alertmanager, and Prometheus remote-writes only while both run", () => {
    for (const { caps } of everyCapability()) {
      assert.equal(caps.ruleEvaluator === "prometheus", caps.alertmanager === "kps");
      assert.equal(caps.prometheusRemoteWrite, caps.kps && caps.backend);
      if (!caps.kps) assert.notEqual(caps.scraper, "prometheus");
      if (caps.defaultDatasource === "backend") assert.ok(caps.backend);
    }
  });
});

describe("planStack (plan/plan.ts), pure: every phase x backend", () => {
  it("exactly one rule evaluator per phase x backend, and it is the table's", () => {
    for (const { phase, metricsBackend, plan } of every()) {
      const found = evaluators(plan);
      assert.equal(found.length, 1, `${phase}/${metricsBackend}: evaluators ${found.join(", ") || "none"}`);
      assert.ok(found[0].startsWith(plan.caps.ruleEvaluator), `${phase}/${metricsBackend}: ${found[0]}`);
    }
  });

  it("runs the components the table names, and only those", () => {
    for (const { phase, metricsBackend, plan } of every()) {
      const at = `${phase}/${metricsBackend}`;
      assert.equal(!!plan.kubePrometheusStack, plan.caps.kps, at);
      assert.equal(!!plan.mimir, plan.caps.backend && metricsBackend === "mimir", at);
      assert.equal(!!plan.victoriaMetrics, plan.caps.backend && metricsBackend === "victoriametrics", at);
      assert.equal(!!plan.alertmanager, plan.caps.alertmanager === "standalone", at);
      assert.equal(plan.exporters?.inputs.kubeStateMetrics, !plan.caps.kps, at);
      assert.equal(!!plan.alloy?.inputs.cluster?.scrape, plan.caps.scraper === "alloy", at);
      assert.deepEqual(
        plan.objectStore.inputs.plan.consumers.map((c) => c.consumer),
        [...plan.caps.objectStoreConsumers],
        at,
      );
    }
  });

  it("Mimir always has the storage of its own bucket plan (no filesystem fallback on MinIO or Ceph)", () => {
    for (const objectStore of [
      { type: "minio", endpoint: "http://minio.storage.svc:9000" },
      { type: "ceph-rgw" },
    ]) {
      for (const { plan } of every({ objectStore })) {
        if (!plan.mimir) continue;
        const s = plan.mimir.inputs.settings.storage;
        assert.equal(s.kind, "s3");
        if (s.kind === "s3") assert.match(s.locations.blocks!.bucket, /mimir/);
      }
    }
    const fs = planStack(config({ phase: "dual-write", objectStore: { type: "filesystem" } }));
    assert.equal(fs.mimir?.inputs.settings.storage.kind, "filesystem");
    assert.deepEqual(fs.mimir?.waitsFor, [{ kind: "crds" }], "filesystem: nothing to wait for but the CRDs");
  });

  it("what each component waits for: buckets before their consumer, CRDs before rules, the volume before KPS, KPS before node-exporter", () => {
    const p = planStack(config({ phase: "dual-write" }));
    assert.deepEqual(p.loki.waitsFor, [{ kind: "storage", consumer: "loki" }, { kind: "crds" }]);
    assert.deepEqual(p.mimir?.waitsFor, [{ kind: "storage", consumer: "mimir" }, { kind: "crds" }]);
    assert.deepEqual(p.rules.waitsFor, [{ kind: "crds" }]);
    assert.deepEqual(p.kubePrometheusStack?.waitsFor, [{ kind: "crds" }, { kind: "prometheus-volume" }]);
    assert.deepEqual(p.exporters?.waitsFor, [{ kind: "kube-prometheus-stack" }]);
    const gone = planStack(config({ phase: "kps-removed", prometheus: { cleanupVolumeOnRemoval: true } }));
    assert.equal(gone.prometheusVolume, undefined, "cleanup asked: the claim goes with KPS");
    assert.deepEqual(gone.exporters?.waitsFor, []);
    assert.ok(
      planStack(config({ phase: "kps-removed", prometheus: { keepVolume: true } })).prometheusVolume,
      "kept when the stack says its Prometheus holds data",
    );
  });

  it("plans a Prometheus claim only while KPS runs or while a claim holds data", () => {
    for (const phase of PHASES) {
      const fresh = planStack(config({ phase }));
      assert.equal(!!fresh.prometheusVolume, fresh.caps.kps, `${phase}: a claim exactly while KPS runs`);
    }
    const kept = planStack(config({ phase: "kps-removed", prometheus: { keepVolume: true } }));
    assert.equal(kept.prometheusVolume?.inputs.claimName, "prometheus-db-prometheus-kps-prometheus-0");
    assert.equal(kept.prometheusVolume?.inputs.allowDeletion, false);
    const takenOver = planStack(
      config({
        phase: "kps-removed",
        takeover: {
          step: "update",
          releases: { kubePrometheusStack: "monitoring/kube-prometheus-stack" },
          kpsFullname: "kube-prometheus-stack",
          prometheusVolume:
            "prometheus-kube-prometheus-stack-prometheus-db-prometheus-kube-prometheus-stack-prometheus-0",
        },
      }),
    );
    assert.equal(
      takenOver.prometheusVolume?.inputs.claimName,
      "prometheus-kube-prometheus-stack-prometheus-db-prometheus-kube-prometheus-stack-prometheus-0",
      "a taken-over claim stays after KPS until the stack asks for its cleanup",
    );
    assert.throws(
      () => config({ phase: "kps-removed", prometheus: { keepVolume: true, cleanupVolumeOnRemoval: true } }),
      /homelab-observability:prometheus\.keepVolume: expected false while prometheus\.cleanupVolumeOnRemoval is true/,
    );
  });

  it("the default datasource and the exported query URL follow the table's flip", () => {
    for (const { phase, metricsBackend, plan } of every()) {
      const ep = plan.endpoints;
      const backendQuery = metricsBackend === "mimir" ? ep.mimir.query : ep.victoriametrics.query;
      assert.equal(
        plan.outputs.metricsQueryUrl,
        plan.caps.defaultDatasource === "backend" ? backendQuery : ep.prometheus.query,
        `${phase}/${metricsBackend}`,
      );
      assert.equal(plan.grafana.inputs.settings.datasources.backendUrl, backendQuery);
    }
  });

  it("Mimir's ruler gets the standalone Alertmanager exactly when it evaluates the rules", () => {
    for (const { plan } of every()) {
      if (!plan.mimir) continue;
      assert.equal(
        plan.mimir.inputs.settings.alertmanagerUrl,
        plan.caps.ruleEvaluator === "mimir-ruler" ? plan.endpoints.alertmanager : "",
      );
    }
  });
});

describe("endpoints (model/endpoints.ts): push and query named apart", () => {
  const ns = "monitoring";
  it("SimpleScalable without a gateway: writers push to loki-write, Grafana reads loki-read", () => {
    const ep = endpoints(ns, { gateway: false, mode: "SimpleScalable" });
    assert.equal(ep.loki.push, "http://loki-write.monitoring.svc.cluster.local:3100/loki/api/v1/push");
    assert.equal(ep.loki.pushBase, "http://loki-write.monitoring.svc.cluster.local:3100");
    assert.equal(ep.loki.query, "http://loki-read.monitoring.svc.cluster.local:3100");
  });

  it("the gateway (or the monolithic pods' one Service) serves both directions", () => {
    const gw = endpoints(ns, { gateway: true, mode: "SimpleScalable" });
    assert.equal(gw.loki.pushBase, gw.loki.query);
    const sb = endpoints(ns, { gateway: false, mode: "Monolithic" });
    assert.equal(sb.loki.pushBase, "http://loki.monitoring.svc.cluster.local:3100");
    assert.equal(sb.loki.pushBase, sb.loki.query);
    // While moving off SimpleScalable the chart routes everything to the monolithic pods already.
    const moving = endpoints(ns, { gateway: false, mode: "Monolithic<->SimpleScalable" });
    assert.equal(moving.loki.pushBase, sb.loki.pushBase);
  });

  it("Distributed without a gateway: writers push to the distributors, Grafana reads the query frontends", () => {
    const ep = endpoints(ns, { gateway: false, mode: "Distributed" });
    assert.equal(ep.loki.pushBase, "http://loki-distributor.monitoring.svc.cluster.local:3100");
    assert.equal(ep.loki.query, "http://loki-query-frontend.monitoring.svc.cluster.local:3100");
  });

  it("Vector pushes to Loki's write path, never the read path", () => {
    const p = planStack(
      config({ profile: "lightweight", loki: { mode: "SimpleScalable", replicationFactor: 1 } }),
    );
    assert.equal(
      p.vector?.inputs.settings.lokiBaseUrl,
      "http://loki-write.monitoring.svc.cluster.local:3100",
    );
    assert.equal(`${p.vector?.inputs.settings.lokiBaseUrl}/loki/api/v1/push`, p.endpoints.loki.push);
  });

  it("backends: Mimir pushes to /api/v1/push and is read under /prometheus; vmsingle takes /api/v1/write", () => {
    const ep = endpoints(ns, { gateway: true, mode: "Monolithic" });
    assert.equal(ep.mimir.push, `${ep.mimir.base}/api/v1/push`);
    assert.equal(ep.mimir.query, `${ep.mimir.base}/prometheus`);
    assert.equal(ep.victoriametrics.push, `${ep.victoriametrics.query}/api/v1/write`);
    assert.notEqual(ep.mimir.push, ep.mimir.query);
  });
});
