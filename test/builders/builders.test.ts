import { EVERY_RULE, NO_RULE } from "../../builders/alerting/rules";
import { strict as assert } from "assert";
import { PHASES, type Phase } from "../../config/resolve";
import { planBuckets } from "../../config/buckets";
import { BUCKET_ACTIONS, consumerPolicy, OBJECT_ACTIONS } from "../../builders/objectstore/bucketPolicy";
import { lokiValues } from "../../builders/logging/lokiValues";
import { lokiEndpoints, mimirEndpoints } from "../../model/endpoints";
import { alloyClusterConfig, alloyNodeConfig, LOG_LABELS } from "../../builders/logging/alloyConfig";
import { escapeForHelmTpl, vectorConfig } from "../../builders/logging/vectorConfig";
import { grafanaDatasources, METRICS_UID } from "../../builders/grafana/datasources";
import { mimirConfig } from "../../builders/metrics/mimirConfig";
import {
  MIMIR_GROUP_MODULES,
  mimirConfigMap,
  mimirServiceMonitor,
  mimirServices,
  mimirWorkloads,
  type MimirObjectsInput,
} from "../../builders/metrics/mimirValues";
import { agentReleases } from "../../builders/security/parked";
import { MIMIR_3_0_ALL, isMimirTarget } from "../../upstream/engines/mimirModules";
import { kpsValues } from "../../builders/metrics/kpsValues";
import { vmValues, type VmInputs } from "../../builders/metrics/vmValues";
import { remoteWriteEntry } from "../../builders/metrics/remoteWrite";
import { alertmanagerConfig } from "../../builders/alerting/alertmanagerConfig";
import type { ConsumerStorage } from "../../model/storage";
import { config } from "../support/helpers";
import { BACKENDS, capabilities, type Backend } from "../../model/phases";

const alerting = { pushover: true, pushoverPriority: 0, heartbeat: true, heartbeatInterval: "1m" };
/** The Pi profile's VictoriaMetrics inputs in `phase`. */
const piVmInputs = (phase: Phase): VmInputs => ({
  caps: capabilities(phase, "victoriametrics"),
  cluster: "pi",
  profile: "lightweight",
  retention: "14d",
  volumeSize: "20Gi",
  storageClass: "nvme",
  scrapeInterval: "30s",
  bufferBytes: 1 << 30,
  alerting,
});
/** The Pi profile's VictoriaMetrics values in `phase`. */
const piVmValues = (phase: Phase) => vmValues(piVmInputs(phase));

describe("bucket plan", () => {
  for (const phase of PHASES) {
    for (const backend of BACKENDS) {
      it(`plans the right buckets at ${phase} with ${backend}`, () => {
        const plan = planBuckets(config({ phase, metricsBackend: backend }));
        const names = plan.consumers.flatMap((c) => c.buckets);
        const withMimir = backend === "mimir" && phase !== "loki-fixed";
        assert.deepEqual(names, [
          "test-loki-chunks",
          ...(withMimir ? ["test-mimir-blocks", "test-mimir-ruler"] : []),
        ]);
        assert.equal(new Set(names).size, names.length, "bucket names are distinct");
        assert.deepEqual(
          plan.consumers.flatMap((c) => c.unused),
          [],
          "a new stack gets no bucket nothing reads",
        );
      });
    }
  }
  it("keeps the unused buckets a stack lists, under their old names, and grants and locates none of them", () => {
    const plan = planBuckets(
      config({
        phase: "dual-write",
        objectStore: {
          type: "minio",
          endpoint: "http://m:9000",
          keepUnusedBuckets: ["loki-ruler", "loki-admin", "mimir-alertmanager"],
        },
      }),
    );
    const by = (c: string) => plan.consumers.find((x) => x.consumer === c)!;
    assert.deepEqual(by("loki").unused, ["test-loki-ruler", "test-loki-admin"]);
    assert.deepEqual(by("mimir").unused, ["test-mimir-alertmanager"]);
    assert.deepEqual(by("loki").buckets, ["test-loki-chunks"]);
    assert.deepEqual(Object.keys(by("loki").locations), ["chunks"]);
    assert.deepEqual(Object.keys(by("mimir").locations), ["blocks", "ruler"]);
    // Only what the stack lists: keeping Loki's admin bucket keeps nothing else.
    const one = planBuckets(
      config({
        phase: "dual-write",
        objectStore: { type: "minio", endpoint: "http://m:9000", keepUnusedBuckets: ["loki-admin"] },
      }),
    );
    assert.deepEqual(
      one.consumers.flatMap((c) => c.unused),
      ["test-loki-admin"],
    );
  });
  it("protects buckets in production only, retains them everywhere", () => {
    assert.equal(planBuckets(config({ production: true })).protect, true);
    assert.equal(planBuckets(config()).protect, false);
    assert.equal(planBuckets(config()).retainOnDelete, true);
  });
  it("honours the bucket prefix", () => {
    const plan = planBuckets(
      config({ objectStore: { type: "minio", endpoint: "http://m:9000", bucketPrefix: "lab" } }),
    );
    assert.equal(plan.consumers[0].buckets[0], "lab-loki-chunks");
    assert.equal(plan.consumers[0].user, "lab-loki");
  });
  it("gives each consumer one Ceph bucket with distinct Mimir prefixes", () => {
    const plan = planBuckets(config({ phase: "dual-write", objectStore: { type: "ceph-rgw" } }));
    assert.equal(plan.type, "ceph-rgw");
    const mimir = plan.consumers.find((c) => c.consumer === "mimir")!;
    assert.deepEqual(mimir.buckets, ["test-mimir"]);
    assert.deepEqual(
      ["blocks", "ruler"].map((p) => (mimir.locations as any)[p].prefix),
      ["blocks", "ruler"],
    );
    assert.equal((mimir.locations as any).alertmanager, undefined, "no Alertmanager runs: no location");
  });
  it("plans no buckets for the filesystem store", () => {
    const plan = planBuckets(config({ phase: "dual-write", objectStore: { type: "filesystem" } }));
    assert.equal(plan.type, "filesystem");
    assert.deepEqual(plan.consumers, []);
  });
});

describe("consumer IAM policy", () => {
  it("grants exactly the consumer's buckets, bucket and object ARNs, no wildcard resource or admin action", () => {
    const doc = JSON.parse(JSON.stringify(consumerPolicy(["a-chunks", "a-ruler"])));
    assert.equal(doc.Version, "2012-10-17");
    const resources = doc.Statement.flatMap((s: any) => s.Resource).sort();
    assert.deepEqual(resources, [
      "arn:aws:s3:::a-chunks",
      "arn:aws:s3:::a-chunks/*",
      "arn:aws:s3:::a-ruler",
      "arn:aws:s3:::a-ruler/*",
    ]);
    const actions = doc.Statement.flatMap((s: any) => s.Action);
    assert.deepEqual(actions.sort(), [...BUCKET_ACTIONS, ...OBJECT_ACTIONS].sort());
    assert.ok(!actions.some((a: string) => a.includes("*") || a.startsWith("admin:")));
    assert.ok(doc.Statement.every((s: any) => s.Effect === "Allow"));
    assert.throws(() => consumerPolicy([]), /at least one bucket/);
  });
});

const s3: ConsumerStorage = {
  kind: "s3",
  consumer: "loki",
  endpoint: "http://minio:9000",
  region: "us-east-1",
  plainHttp: true,
  skipVerify: false,
  pathStyle: true,
  locations: { chunks: { bucket: "c" }, ruler: { bucket: "r" }, admin: { bucket: "a" } },
  envFrom: [{ secretRef: { name: "loki-s3-credentials" } }],
};

describe("Loki values", () => {
  const values = (over: Record<string, unknown> = {}, storage: ConsumerStorage = s3) =>
    lokiValues({
      loki: config({ loki: over }).loki,
      storage,
      profile: "standard",
      storageClass: "local-path",
      serviceMonitor: true,
    });

  it("Monolithic (the default): three replicas on three nodes, scalable targets explicitly 0, env reaching the monolithic pods", () => {
    const v = values();
    assert.equal(v.deploymentMode, "Monolithic");
    assert.equal(v.singleBinary.replicas, 3);
    assert.equal(v.loki.commonConfig.replication_factor, 3);
    assert.deepEqual([v.write.replicas, v.read.replicas, v.backend.replicas], [0, 0, 0]);
    assert.deepEqual(v.singleBinary.extraArgs, ["-config.expand-env=true"]);
    assert.deepEqual(v.singleBinary.extraEnvFrom, [{ secretRef: { name: "loki-s3-credentials" } }]);
  });
  it("SimpleScalable: replicas from config, replication factor kept, single binary 0", () => {
    const v = values({ mode: "SimpleScalable", write: 3, read: 2, backend: 3, replicationFactor: 2 });
    assert.deepEqual(
      [v.singleBinary.replicas, v.write.replicas, v.read.replicas, v.backend.replicas],
      [0, 3, 2, 3],
    );
    assert.equal(v.loki.commonConfig.replication_factor, 2);
    for (const t of ["write", "read", "backend"])
      assert.deepEqual(v[t].extraEnvFrom, s3.kind === "s3" ? s3.envFrom : []);
  });
  for (const retention of ["1d", "7d", "30d", "720h"]) {
    it(`retention ${retention} always comes with the delete store of the schema's object store`, () => {
      const v = values({ retention });
      assert.equal(v.loki.limits_config.retention_period, retention);
      assert.equal(v.loki.compactor.retention_enabled, true);
      assert.equal(v.loki.compactor.delete_request_store, v.loki.schemaConfig.configs[0].object_store);
      assert.equal(v.loki.compactor.delete_request_store, "s3");
      assert.equal(v.loki.schemaConfig.configs[0].index.period, "24h");
      assert.equal(v.loki.schemaConfig.configs[0].schema, "v13");
      assert.equal(v.loki.schemaConfig.configs[0].store, "tsdb");
    });
  }
  it("uses the filesystem store end to end without buckets", () => {
    const v = values({}, { kind: "filesystem", consumer: "loki" });
    assert.equal(v.loki.storage.type, "filesystem");
    assert.equal(v.loki.compactor.delete_request_store, "filesystem");
    assert.equal(v.loki.schemaConfig.configs[0].object_store, "filesystem");
    assert.deepEqual(v.singleBinary.extraEnvFrom, []);
  });
  it("puts credentials in values only as ${VAR} references", () => {
    const v = values();
    assert.equal(v.loki.storage.s3.accessKeyId, "${AWS_ACCESS_KEY_ID}");
    assert.equal(v.loki.storage.s3.secretAccessKey, "${AWS_SECRET_ACCESS_KEY}");
    // Chunks only: the ruler reads a local directory, the admin bucket serves only Enterprise Logs.
    assert.deepEqual(v.loki.storage.bucketNames, { chunks: "c" });
    assert.equal(v.loki.rulerConfig.storage.type, "local");
  });
  it("switches off the memory-hungry caches and sets resources on every pod", () => {
    const v = values({ mode: "SimpleScalable", replicationFactor: 1 });
    assert.equal(v.chunksCache.enabled, false);
    assert.equal(v.resultsCache.enabled, false);
    for (const k of ["singleBinary", "write", "read", "backend", "gateway", "lokiCanary", "sidecar"]) {
      assert.ok(
        v[k].resources.requests.cpu && v[k].resources.requests.memory && v[k].resources.limits.memory,
        `${k} requests CPU and memory and has a memory limit`,
      );
    }
  });
  it("single tenant by default; push goes through the gateway, or straight to the pod without it", () => {
    assert.equal(values().loki.auth_enabled, false);
    assert.equal(
      lokiEndpoints("monitoring", config().loki).push,
      "http://loki-gateway.monitoring.svc.cluster.local/loki/api/v1/push",
    );
    assert.equal(
      lokiEndpoints("monitoring", config({ loki: { gateway: false } }).loki).push,
      "http://loki.monitoring.svc.cluster.local:3100/loki/api/v1/push",
    );
  });
});

/** Minimal structural parse of Alloy syntax: declared components and references between them. */
function alloyStructure(text: string) {
  const declared = new Set(
    [...text.matchAll(/^([a-z_]+(?:\.[a-z_]+)+) "([^"]+)" \{/gm)].map((m) => `${m[1]}.${m[2]}`),
  );
  const refs = [
    ...text.matchAll(/\b((?:loki|discovery|local|prometheus)\.[a-z_.]+)\.(receiver|targets|output|rules)\b/g),
  ].map((m) => m[1]);
  let depth = 0;
  for (const ch of text) {
    depth += ch === "{" ? 1 : ch === "}" ? -1 : 0;
    assert.ok(depth >= 0, "braces balance");
  }
  assert.equal(depth, 0, "braces balance");
  return { declared, refs };
}

describe("Alloy config", () => {
  const node = alloyNodeConfig({ cluster: "staging", lokiPushUrl: "http://loki-gateway/loki/api/v1/push" });
  it("references only components it declares", () => {
    const { declared, refs } = alloyStructure(node);
    assert.ok(refs.length >= 6);
    for (const r of refs) assert.ok(declared.has(r), `${r} is referenced but not declared`);
  });
  it("restricts discovery to the node and sets every label", () => {
    assert.match(node, /field = "spec\.nodeName=" \+ sys\.env\("HOSTNAME"\)/);
    for (const [src, target] of [
      ["__meta_kubernetes_namespace", "namespace"],
      ["__meta_kubernetes_pod_name", "pod"],
      ["__meta_kubernetes_pod_container_name", "container"],
      ["__meta_kubernetes_pod_label_app_kubernetes_io_name", "app"],
    ]) {
      assert.match(node, new RegExp(`source_labels = \\["${src}"\\]\\n\\s+target_label = "${target}"`));
    }
    assert.match(
      node,
      /source_labels = \["__meta_kubernetes_namespace", "__meta_kubernetes_pod_container_name"\]\n\s+separator = "\/"\n\s+target_label = "job"/,
    );
    assert.match(node, /stage\.cri \{\}/);
    assert.match(node, /stream = ""/);
    assert.match(node, /external_labels = \{ cluster = "staging" \}/);
    assert.deepEqual([...LOG_LABELS], ["cluster", "namespace", "pod", "container", "app", "job", "stream"]);
    assert.match(node, /loki\.source\.journal "node"/);
    assert.doesNotMatch(node, /kubernetes_events/, "events are not collected per node");
  });
  it("sends the tenant only when Loki is multi-tenant", () => {
    assert.doesNotMatch(node, /tenant_id/);
    assert.match(alloyNodeConfig({ cluster: "c", lokiPushUrl: "u", tenant: "lab" }), /tenant_id = "lab"/);
  });
  it("collects events, scrapes and syncs rules once, in the cluster replica", () => {
    const text = alloyClusterConfig({
      cluster: "staging",
      lokiPushUrl: "http://l/loki/api/v1/push",
      events: true,
      scrape: { remoteWriteUrl: "http://mimir:8080/api/v1/push", replicaLabel: "__replica__" },
      rules: { mimirAddress: "http://mimir:8080", optOut: { key: "homelab.dev/evaluate", value: "false" } },
    });
    const { declared, refs } = alloyStructure(text);
    for (const r of refs) assert.ok(declared.has(r), `${r} declared`);
    assert.ok(declared.has("loki.source.kubernetes_events.cluster".replace(/"/g, "")));
    assert.match(text, /prometheus\.operator\.servicemonitors "all"/);
    assert.match(text, /prometheus\.operator\.podmonitors "all"/);
    assert.match(text, /external_labels = \{ cluster = "staging", "__replica__" = sys\.env\("HOSTNAME"\) \}/);
    assert.match(
      text,
      /mimir\.rules\.kubernetes "homelab"[\s\S]*match_expression \{\s*key = "homelab\.dev\/evaluate"\s*operator = "NotIn"\s*values = \["false"\]/,
    );
  });
});

/** What Helm's `tpl` does to `{{ print `...` }}`; any other action is a template error (real Helm: test/synth/render.test.ts). */
function helmTpl(text: string): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf("{{", i);
    if (open < 0) return out + text.slice(i);
    out += text.slice(i, open);
    const m = /^\{\{\s*print `([^`]*)`\s*\}\}/.exec(text.slice(open));
    if (!m)
      throw new Error(`template: function not defined in ${text.slice(open, text.indexOf("}}", open) + 2)}`);
    out += m[1];
    i = open + m[0].length;
  }
  return out;
}

describe("Vector config", () => {
  const cfg = vectorConfig({ cluster: "pi", lokiBaseUrl: "http://loki:3100", bufferBytes: 268435488 });
  it("escapes Vector templates so Helm's tpl hands them through unchanged", () => {
    const raw = "{{ kubernetes.pod_namespace }}/{{ kubernetes.container_name }}";
    assert.throws(() => helmTpl(raw), /function not defined/, "unescaped, Helm would fail");
    assert.equal(helmTpl(escapeForHelmTpl(raw)), raw);
    assert.equal(helmTpl(cfg.sinks.loki_pods.labels.namespace), "{{ kubernetes.pod_namespace }}");
    assert.equal(
      helmTpl(cfg.sinks.loki_pods.labels.job),
      "{{ kubernetes.pod_namespace }}/{{ kubernetes.container_name }}",
    );
  });
  it("has the same label set as Alloy, a disk buffer, and both sources", () => {
    assert.deepEqual(Object.keys(cfg.sinks.loki_pods.labels).sort(), [...LOG_LABELS].sort());
    assert.equal(cfg.sinks.loki_pods.buffer.type, "disk");
    assert.equal(cfg.sources.pod_logs.type, "kubernetes_logs");
    assert.equal(cfg.sources.journal.type, "journald");
    assert.equal(cfg.data_dir, "/vector-data-dir");
    assert.equal(cfg.sinks.loki_pods.endpoint, "http://loki:3100");
  });
});

describe("Grafana datasources", () => {
  const inputs = (phase: Phase, backend: Backend = "mimir") =>
    grafanaDatasources({
      caps: capabilities(phase, backend),
      backend,
      prometheusUrl: "http://prom:9090",
      backendUrl: "http://mimir:8080/prometheus",
      lokiUrl: "http://loki",
    });
  for (const phase of PHASES) {
    for (const backend of BACKENDS) {
      it(`has exactly one default at ${phase} (${backend}), with the stable uid`, () => {
        const ds = inputs(phase, backend).datasources;
        const defaults = ds.filter((d) => d.isDefault);
        assert.equal(defaults.length, 1);
        assert.equal(defaults[0].uid, METRICS_UID);
        assert.ok(ds.some((d) => d.type === "loki"));
        assert.equal(new Set(ds.map((d) => d.uid)).size, ds.length, "uids are unique");
      });
    }
  }
  it("flips the default to the backend at backend-primary, and drops Prometheus after KPS", () => {
    assert.equal(inputs("dual-write").datasources.find((d) => d.isDefault)!.url, "http://prom:9090");
    assert.equal(
      inputs("backend-primary").datasources.find((d) => d.isDefault)!.url,
      "http://mimir:8080/prometheus",
    );
    assert.deepEqual(
      inputs("dual-write").datasources.map((d) => d.uid),
      ["metrics", "prometheus", "mimir", "loki"],
    );
    assert.deepEqual(
      inputs("loki-fixed").datasources.map((d) => d.uid),
      ["metrics", "prometheus", "loki"],
    );
    assert.ok(!inputs("kps-removed").datasources.some((d) => d.uid === "prometheus"));
    assert.deepEqual(inputs("kps-removed").deleteDatasources, [{ name: "Prometheus", orgId: 1 }]);
  });
});

describe("node agents' placement", () => {
  const park = (v: Record<string, any>) => ({ ...v, parked: true });
  it("runs where it always ran by default, under its own name once moved, and parks the old release during the hand-over", () => {
    assert.deepEqual(agentReleases("alloy", undefined, "monitoring", { a: 1 }, park), {
      running: { resourceName: "alloy", namespace: "monitoring", values: { a: 1 } },
    });
    assert.deepEqual(
      agentReleases(
        "alloy",
        { namespace: "agents", moved: true, parkedIn: "monitoring" },
        "monitoring",
        { a: 1 },
        park,
      ),
      {
        parked: { resourceName: "alloy", namespace: "monitoring", values: { a: 1, parked: true } },
        running: { resourceName: "alloy-agents", namespace: "agents", values: { a: 1 } },
      },
    );
    // Once the hand-over is done, only the moved release remains.
    assert.deepEqual(agentReleases("x", { namespace: "agents", moved: true }, "monitoring", {}, park), {
      running: { resourceName: "x-agents", namespace: "agents", values: {} },
    });
  });
});

describe("metrics builders", () => {
  it("remote_write carries a bounded queue and, for Mimir, the tenant header", () => {
    const rw = remoteWriteEntry({ backend: "mimir", url: "http://mimir/api/v1/push", tenant: "lab" });
    assert.deepEqual(rw.headers, { "X-Scope-OrgID": "lab" });
    assert.ok(rw.queueConfig.maxShards <= 10 && rw.queueConfig.capacity > 0);
    assert.equal(remoteWriteEntry({ backend: "mimir", url: "u" }).headers, undefined);
  });
  it("KPS: remote_write only from dual-write, rules and Alertmanager leave Prometheus at backend-primary", () => {
    const base = {
      cluster: "c",
      profile: "standard" as const,
      backend: "mimir" as const,
      retention: "14d",
      retentionSize: "60GiB",
      volumeSize: "70Gi",
      storageClass: "sc",
      remoteWrite: { backend: "mimir" as const, url: "http://mimir/api/v1/push" },
      alerting,
    };
    const lf = kpsValues({ ...base, caps: capabilities("loki-fixed", "mimir") });
    const dw = kpsValues({ ...base, caps: capabilities("dual-write", "mimir") });
    const bp = kpsValues({ ...base, caps: capabilities("backend-primary", "mimir") });
    assert.deepEqual(lf.prometheus.prometheusSpec.remoteWrite, []);
    assert.equal(dw.prometheus.prometheusSpec.remoteWrite[0].url, "http://mimir/api/v1/push");
    assert.equal(dw.prometheus.prometheusSpec.externalLabels.cluster, "c");
    assert.equal(dw.prometheus.prometheusSpec.replicaExternalLabelName, "__replica__");
    assert.deepEqual(dw.prometheus.prometheusSpec.ruleSelector, EVERY_RULE);
    assert.deepEqual(bp.prometheus.prometheusSpec.ruleSelector, NO_RULE);
    assert.equal(dw.alertmanager.enabled, true);
    assert.equal(bp.alertmanager.enabled, false);
    assert.equal(lf.grafana.enabled, false);
    assert.equal(lf.crds.enabled, false);
    assert.equal(lf.prometheus.prometheusSpec.retention, "14d");
    assert.equal(
      lf.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.resources.requests.storage,
      "70Gi",
    );
    assert.deepEqual(lf.prometheus.prometheusSpec.persistentVolumeClaimRetentionPolicy, {
      whenDeleted: "Retain",
      whenScaled: "Retain",
    });
    assert.deepEqual(lf["kube-state-metrics"].metricLabelsAllowlist, [
      "pods=[*]",
      "deployments=[*]",
      "persistentvolumeclaims=[*]",
    ]);
  });
  it("Mimir: classic architecture, distinct blocks and rules stores, no Alertmanager store, raised limits, env credentials", () => {
    const c = mimirConfig({
      namespace: "monitoring",
      replicas: 1,
      maxGlobalSeriesPerUser: 1_000_000,
      ingestionRate: 100_000,
      multitenancy: false,
      alertmanagerUrl: "http://am:9093",
      blocksRetention: "90d",
      storage: {
        ...s3,
        consumer: "mimir",
        locations: { blocks: { bucket: "b" }, ruler: { bucket: "r" }, alertmanager: { bucket: "a" } },
      },
    });
    assert.equal(c.ingest_storage.enabled, false);
    assert.deepEqual([c.blocks_storage.s3.bucket_name, c.ruler_storage.s3.bucket_name], ["b", "r"]);
    // Even a location for it is not read: no Mimir process here runs the Alertmanager.
    assert.equal(c.alertmanager_storage, undefined);
    assert.equal(c.common.storage.s3.endpoint, "minio:9000", "Mimir wants host:port without scheme");
    assert.equal(c.common.storage.s3.secret_access_key, "${AWS_SECRET_ACCESS_KEY}");
    assert.ok(c.limits.max_global_series_per_user > 150000);
    // Mimir 3.0 deprecates ruler.alertmanager_url for the per-tenant limit (config-fields.tsv).
    assert.equal(c.ruler.alertmanager_url, undefined);
    assert.equal(c.limits.ruler_alertmanager_client_config.alertmanager_url, "http://am:9093");
  });
  it("Mimir: block retention from config, no HA tracker (memberlist cannot back it), replica label dropped", () => {
    const c = mimirConfig({
      namespace: "monitoring",
      replicas: 1,
      maxGlobalSeriesPerUser: 1,
      ingestionRate: 1,
      multitenancy: false,
      alertmanagerUrl: "u",
      blocksRetention: "30d",
      storage: { kind: "filesystem", consumer: "mimir" },
    });
    assert.equal(c.limits.compactor_blocks_retention_period, "30d");
    assert.equal(
      config().mimir.blocksRetention,
      "90d",
      "default is finite (Mimir's own 0 keeps blocks forever)",
    );
    assert.equal(JSON.stringify(c).includes("ha_tracker"), false, "no HA tracker config at all");
    assert.equal(c.limits.accept_ha_samples, undefined);
    assert.deepEqual(c.limits.drop_labels, ["__replica__"]);
    // The ruler wipes rule_path at start (pkg/ruler/manager.go): it must not be its rule storage.
    assert.notEqual(c.ruler.rule_path, c.ruler_storage.filesystem.dir);
    assert.ok(!c.ruler_storage.filesystem.dir.startsWith(c.ruler.rule_path + "/"));
    assert.ok(!c.ruler.rule_path.startsWith(c.ruler_storage.filesystem.dir + "/"));
  });
  it("Mimir scaled out: three groups of Mimir 3.0 modules from one image, the schedulers' ring, RF 3 on write and backend; monolithic untouched", () => {
    const settings = {
      namespace: "monitoring",
      replicas: 1,
      maxGlobalSeriesPerUser: 2_000_000,
      ingestionRate: 100_000,
      multitenancy: false,
      alertmanagerUrl: "http://am:9093",
      blocksRetention: "90d",
      storage: {
        ...s3,
        consumer: "mimir" as const,
        locations: { blocks: { bucket: "b" }, ruler: { bucket: "r" }, alertmanager: { bucket: "a" } },
      },
    };
    const mono = mimirConfig(settings);
    assert.equal(mono.query_scheduler, undefined, "monolithic: the scheduler is in-process");
    assert.equal(mono.ingester.ring.replication_factor, 1);
    const rw = mimirConfig({ ...settings, readWrite: { write: 4, backend: 3 } });
    assert.deepEqual(rw.query_scheduler, {
      service_discovery_mode: "ring",
      ring: { kvstore: { store: "memberlist" } },
    });
    assert.equal(rw.ingester.ring.replication_factor, 3);
    assert.equal(rw.store_gateway.sharding_ring.replication_factor, 3);
    assert.equal(rw.alertmanager, undefined, "no group runs the Alertmanager");
    const res = { requests: { cpu: "1", memory: "1Gi" }, limits: { memory: "1Gi" } };
    const input: MimirObjectsInput = {
      namespace: "monitoring",
      settings: { ...settings, readWrite: { write: 4, backend: 3 } },
      profile: "standard",
      storageClass: "fast",
      volumeSize: "20Gi",
      readWrite: {
        write: { replicas: 4, resources: res, volumeSize: "24Gi" },
        read: { replicas: 2, resources: res },
        backend: { replicas: 3, resources: res, volumeSize: "12Gi" },
      },
    };
    const w = mimirWorkloads(input);
    assert.deepEqual(
      w.statefulSets.map((x) => [
        x.metadata.name,
        x.spec.replicas,
        (x.spec.template as any).spec.containers[0].args[0],
      ]),
      [
        ["mimir-write", 4, "-target=distributor,ingester"],
        ["mimir-backend", 3, "-target=query-scheduler,store-gateway,compactor,ruler"],
      ],
    );
    assert.deepEqual(
      w.statefulSets.map((x) => (x.spec.volumeClaimTemplates as any)[0].spec.resources.requests.storage),
      ["24Gi", "12Gi"],
    );
    assert.deepEqual(
      w.deployments.map((x) => [
        x.metadata.name,
        x.spec.replicas,
        (x.spec.template as any).spec.containers[0].args[0],
      ]),
      [["mimir-read", 2, "-target=query-frontend,querier"]],
    );
    // Every Service an endpoint names exists, and the gossip one selects every target's pods.
    const services = mimirServices(input);
    const ep = mimirEndpoints("monitoring", true);
    for (const url of [ep.push, ep.query, ep.base, `http://${ep.gossip}`]) {
      const host = new URL(url).hostname.split(".")[0];
      assert.ok(
        services.some((x) => x.metadata.name === host),
        `${url}: no Service ${host}`,
      );
    }
    const gossip = services.find((x) => x.metadata.name === "mimir-gossip")!.spec.selector as Record<
      string,
      string
    >;
    for (const x of [...w.statefulSets, ...w.deployments])
      for (const [k, v] of Object.entries(gossip))
        assert.equal((x.spec.template as any).metadata.labels[k], v, x.metadata.name);
    // Monolithic: one StatefulSet `mimir` at -target=all behind the Service `mimir`.
    const m = mimirWorkloads({ ...input, settings, readWrite: undefined });
    assert.deepEqual([m.statefulSets.map((x) => x.metadata.name), m.deployments.length], [["mimir"], 0]);
    assert.deepEqual(
      mimirServices({ ...input, readWrite: undefined }).map((x) => x.metadata.name),
      ["mimir", "mimir-gossip"],
    );
    assert.equal(new URL(mimirEndpoints("monitoring").push).hostname.split(".")[0], "mimir");
  });
  it("Mimir's ConfigMap and ServiceMonitor: in Mimir's namespace, the monitor scrapes every target's Service and not the gossip one", () => {
    const storage: ConsumerStorage = { kind: "filesystem", consumer: "mimir" };
    const settings = {
      namespace: "metrics",
      replicas: 1,
      maxGlobalSeriesPerUser: 1,
      ingestionRate: 1,
      multitenancy: false,
      storage,
      alertmanagerUrl: "",
      blocksRetention: "1d",
    };
    const res = { requests: { cpu: "1", memory: "1Gi" }, limits: { memory: "1Gi" } };
    const mono: MimirObjectsInput = {
      namespace: "metrics",
      settings,
      profile: "standard",
      storageClass: "fast",
      volumeSize: "1Gi",
    };
    const rw: MimirObjectsInput = {
      ...mono,
      readWrite: {
        write: { replicas: 3, resources: res },
        read: { replicas: 1, resources: res },
        backend: { replicas: 3, resources: res },
      },
    };
    for (const input of [mono, rw]) {
      const monitor = mimirServiceMonitor(input);
      const selector = monitor.spec.selector as {
        matchLabels: Record<string, string>;
        matchExpressions?: { key: string; values: string[] }[];
      };
      const selects = (labels: Record<string, string>) =>
        Object.entries(selector.matchLabels).every(([k, v]) => labels[k] === v) &&
        (selector.matchExpressions ?? []).every((e) => e.values.includes(labels[e.key]));
      const services = mimirServices(input);
      // A Service yields targets when the monitor selects it and it has the endpoint's port (the
      // monolithic selector also selects `mimir-gossip`, whose only port is memberlist).
      const port = (monitor.spec.endpoints as { port: string }[])[0].port;
      assert.deepEqual(
        services
          .filter(
            (x) =>
              selects(x.metadata.labels) && (x.spec.ports as { name: string }[]).some((p) => p.name === port),
          )
          .map((x) => x.metadata.name),
        services.map((x) => x.metadata.name).filter((n) => n !== "mimir-gossip"),
      );
      const config = mimirConfigMap(input);
      assert.deepEqual(
        [config.metadata.namespace, monitor.metadata.namespace, ...services.map((x) => x.metadata.namespace)],
        Array(services.length + 2).fill("metrics"),
      );
      assert.ok(config.data["mimir.yaml"].includes("join_members"), "the ConfigMap holds Mimir's config");
    }
  });
  it("VictoriaMetrics: vmsingle from dual-write, vmalert+alertmanager at backend-primary, vmagent only after KPS", () => {
    const vm = piVmValues;
    assert.deepEqual(
      (["dual-write", "backend-primary", "kps-removed"] as Phase[]).map((p) => [
        vm(p).vmsingle.enabled,
        vm(p).vmalert.enabled,
        vm(p).alertmanager.enabled,
        vm(p).vmagent.enabled,
      ]),
      [
        [true, false, false, false],
        [true, true, true, false],
        [true, true, true, true],
      ],
    );
    const v = vm("kps-removed");
    assert.equal(v.vmsingle.spec.retentionPeriod, "14d");
    assert.equal(v.vmsingle.spec.storage.storageClassName, "nvme");
    assert.equal(v.vmagent.spec.scrapeInterval, "30s");
    assert.equal(v.vmagent.spec.statefulMode, true);
    assert.equal(v.grafana.enabled, false);
    assert.deepEqual(v.alertmanager.spec.secrets, ["alertmanager-pushover", "alertmanager-heartbeat"]);
  });
  it("VictoriaMetrics: vmagent's queue volume is 2Gi whatever its disk buffer (victoriametrics.bufferSize, refused above it), so a running stack's claim never changes", () => {
    const queue = (bufferBytes: number) => {
      const v = vmValues({ ...piVmInputs("kps-removed"), bufferBytes }).vmagent.spec;
      return [
        v.statefulStorage.volumeClaimTemplate.spec.resources.requests.storage,
        v.extraArgs["remoteWrite.maxDiskUsagePerURL"],
      ];
    };
    assert.deepEqual(queue(256 * 2 ** 20), ["2Gi", String(256 * 2 ** 20)]);
    assert.deepEqual(queue(2 ** 30), ["2Gi", String(2 ** 30)]);
    assert.deepEqual(queue(2 * 2 ** 30), ["2Gi", String(2 * 2 ** 30)]);
  });
  it("VictoriaMetrics: the chart's sync-job is off in every phase (victoria-metrics-k8s-stack 0.91.2 templates/sync-job/job.yaml: `syncJob.enabled`; see test/builders/chartUpgradeVmSyncJob.test.ts)", () => {
    for (const phase of PHASES)
      assert.deepEqual(piVmValues(phase).syncJob, { enabled: false }, `${phase}: syncJob`);
  });
  it("Alertmanager: credentials only as files in the mounted Secrets, Watchdog to the heartbeat", () => {
    const c = alertmanagerConfig(alerting, "/etc/alertmanager/secrets");
    const push = c.receivers.find((r: any) => r.name === "pushover").pushover_configs[0];
    assert.equal(push.token_file, "/etc/alertmanager/secrets/alertmanager-pushover/token");
    assert.equal(push.user_key_file, "/etc/alertmanager/secrets/alertmanager-pushover/user_key");
    assert.equal(push.token, undefined);
    const hb = c.receivers.find((r: any) => r.name === "heartbeat").webhook_configs[0];
    assert.equal(hb.url_file, "/etc/alertmanager/secrets/alertmanager-heartbeat/url");
    const watchdog = c.route.routes.find((r: any) => r.matchers.includes('alertname="Watchdog"'));
    assert.equal(watchdog.receiver, "heartbeat");
    assert.equal(watchdog.repeat_interval, "1m");
    assert.ok(c.receivers.some((r: any) => r.name === "null"));
  });
});

describe("Mimir's scaled-out groups (builders/metrics/mimirValues.ts MIMIR_GROUP_MODULES)", () => {
  it("name only Mimir 3.0 modules, and together run each module `-target=all` runs exactly once", () => {
    const { all, ...groups } = MIMIR_GROUP_MODULES;
    assert.deepEqual(all, ["all"]);
    const modules = Object.values(groups).flat();
    for (const m of modules) assert.ok(isMimirTarget(m), `${m} is a module of Mimir 3.0`);
    assert.deepEqual([...modules].sort(), [...MIMIR_3_0_ALL].sort());
  });
});
