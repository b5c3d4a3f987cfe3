import { describeErrors, parseAlloy } from "../../upstream/alloy/syntax";
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { PHASES, type Phase } from "../../config/resolve";
import { KPS_RULES_DATA, ALERTMANAGER_JOBS } from "../../builders/alerting/kpsRules";
import { fitRuleSets } from "../../builders/alerting/fitRules";
import { stackEmitters } from "../../plan/emitters";
import { capabilities } from "../../model/phases";
import { versions } from "../../model/versions";
import { MIMIR_RULER_LIMITS } from "../../builders/metrics/mimirConfig";
import { scrapeJobs } from "../../synth/coverage";
import { promqlMetrics, withoutGrafanaVariables } from "../../upstream/metrics/promql";
import { communityDashboards, panelsOf } from "../../builders/grafana/community";
import { presentEmitters } from "../../checks/emittedMetrics";
import { ruleCounts, ruleCoverage, type RuleCoverage } from "../support/ruleCoverage";
import type { RenderedObject } from "../../synth/render/types";
import { assertRendered, BACKENDS, rendered, variant, type Backend } from "../support/rendered";
import type { ExportResource } from "../../synth/synthesize";
import { renderKpsRules } from "../../scripts/genKpsRules";
import { forAmtool025, requireTool, synth, tmpDir } from "../support/helpers";
import { cached, cacheKey } from "../support/fixtureCache";
import { toolRun } from "../support/toolOutput";

const NS = "monitoring";
/**
 * `cmd args` on `inputs`, the files it reads (the rules and Alertmanager configurations this file
 * writes): the real program's status and output, kept in the fixture cache keyed by the program and
 * every input's content (test/support/toolOutput.ts), so a warm run with the same stacks asks no
 * validator again and any change to what the phases ship asks it afresh. 24 spawns from the worker
 * (promtool, vmalert, amtool) were 0.6-0.8 s of this file's warm CPU.
 */
const exec = (cmd: string, args: string[], inputs: string[]) => toolRun(cmd, args, { inputs });
/**
 * A validator's input file, written as JSON: YAML 1.2 holds JSON, and promtool, vmalert and amtool
 * read it as the same document. The files are written on every run (toolRun keys on their content),
 * and yaml's stringify of the rule groups and panel queries was about 0.25 s of this file's CPU.
 */
const writeInput = (file: string, doc: unknown) => fs.writeFileSync(file, JSON.stringify(doc));
const names = (c: RuleCoverage) => c.groups.flatMap((g) => g.rules.map((r) => r.alert ?? r.record!));

/** Synthesized staging stacks, each computed once for the whole file. */
const stacks = new Map<string, Promise<ExportResource[]>>();
function staging(over: Record<string, unknown>): Promise<ExportResource[]> {
  const key = JSON.stringify(over);
  if (!stacks.has(key))
    stacks.set(
      key,
      synth("staging", over).then((r) => r.export.deployment.resources),
    );
  return stacks.get(key)!;
}
const stackAt = (phase: Phase, backend: (typeof BACKENDS)[number]) =>
  staging({ phase, metricsBackend: backend });

describe("migration keeps the alerts (every phase x backend)", function () {
  this.timeout(120000);

  it("ships kube-prometheus-stack's default rules rendered from the pinned chart", async () => {
    assert.equal(KPS_RULES_DATA.chart, versions.charts.kubePrometheusStack.chart);
    assert.equal(
      KPS_RULES_DATA.version,
      versions.charts.kubePrometheusStack.version,
      "the chart pin moved: regenerate with scripts/genKpsRules.ts",
    );
    // The shipped data is exactly what the real Helm renders from the pinned archive today: rendered
    // once per chart cache and generator (the fixture cache's key holds both), as the stacks are.
    const fresh = await cached("kps-rules", cacheKey("kps-rules", []), () =>
      Promise.resolve(renderKpsRules()),
    );
    assert.deepEqual(fresh, KPS_RULES_DATA, "stale data: run npx tsx scripts/genKpsRules.ts");
    const all = KPS_RULES_DATA.groups.flatMap((g) => g.rules.map((r) => r.alert ?? r.record));
    for (const must of [
      "Watchdog",
      "KubePodCrashLooping",
      "NodeFilesystemSpaceFillingUp",
      "KubeletDown",
      "AlertmanagerFailedToSendAlerts",
      "node_namespace_pod_container:container_cpu_usage_seconds_total:sum_irate",
    ])
      assert.ok(all.includes(must), `${must} missing from the shipped rules`);
  });

  for (const backend of BACKENDS) {
    for (const phase of PHASES) {
      it(`${backend} at ${phase}: one evaluator, every rule, valid, Watchdog to the heartbeat`, async function () {
        const rs = await stackAt(phase, backend);
        const c = ruleCoverage(rs, NS);
        assert.equal(c.evaluators.length, 1, `evaluators: ${c.evaluators.join(", ") || "none"}`);
        const expected =
          phase === "loki-fixed" || phase === "dual-write"
            ? "prometheus"
            : backend === "mimir"
              ? "mimir-ruler"
              : "vmalert";
        assert.equal(c.evaluators[0], expected);

        // No phase drops a rule of the first phase but those on kube-prometheus-stack's own
        // Prometheus and operator once KPS is gone (nothing else emits what they read:
        // builders/alerting/fitRules.ts); only the backend's own alerts join it, while the backend
        // runs (nothing else emits what they read).
        const first = names(ruleCoverage(await stackAt("loki-fixed", backend), NS));
        const emitters = stackEmitters({
          caps: capabilities(phase, backend),
          backend,
          logAgent: "alloy",
          lokiCanary: false,
          minio: true,
        });
        const onKps = new Set(
          fitRuleSets({ kps: KPS_RULES_DATA.groups }, emitters)
            .leftOut.filter((l) =>
              /needs (prometheus|prometheus-operator|prometheus-remote-write)\b/.test(l.why),
            )
            .map((l) => l.what.split("/").pop()!),
        );
        assert.deepEqual(
          first.filter((n) => !names(c).includes(n) && !onKps.has(n)),
          [],
          "rules dropped since the first phase",
        );
        if (capabilities(phase, backend).kps) assert.equal(onKps.size, 0);
        else assert.ok(onKps.has("PrometheusRuleFailures") && onKps.has("PrometheusOperatorSyncFailed"));
        // The remote-write queue's alerts exist where something remote-writes (not in loki-fixed).
        const remoteWrite = new Set(
          KPS_RULES_DATA.groups.flatMap((g) =>
            g.rules.filter((r) => String(r.expr).includes("prometheus_remote_storage_")).map((r) => r.alert!),
          ),
        );
        const joined = names(c).filter((n) => !first.includes(n) && !remoteWrite.has(n));
        assert.deepEqual(
          joined,
          backend === "mimir" && phase !== "loki-fixed" ? ["MimirObjectStoreErrors"] : [],
        );
        for (const n of ["Watchdog", "KubePodCrashLooping", "LokiNoLogsIngested", "TargetDown"])
          assert.ok(names(c).includes(n), `${n} is not evaluated`);
        const { alerts, records } = ruleCounts(c.groups);
        console.log(`      ${backend} ${phase}: ${alerts} alerts + ${records} records by ${c.evaluators[0]}`);

        // The engine that evaluates them accepts them.
        const dir = tmpDir("phase-rules");
        const file = path.join(dir, "rules.yaml");
        writeInput(file, { groups: c.groups });
        if (c.evaluators[0] === "vmalert") {
          const vmalert = requireTool(this, "vmalert", "victoria-metrics");
          const r = exec(vmalert, ["-dryRun", `-rule=${file}`], [file]);
          assert.equal(r.status, 0, r.stdout + r.stderr);
        } else {
          const promtool = requireTool(this, "promtool", "prometheus");
          // --lint=none: see validators.test.ts (the chart records one name once per code class).
          const r = exec(promtool, ["check", "rules", "--lint=none", file], [file]);
          assert.equal(r.status, 0, r.stdout + r.stderr);
          assert.match(r.stdout, new RegExp(`SUCCESS: ${alerts + records} rules found`));
        }
        if (c.evaluators[0] === "mimir-ruler") {
          // Mimir's defaults (20 rules per group, 70 groups) would reject the kube-prometheus set.
          const biggest = Math.max(...c.groups.map((g) => g.rules.length));
          assert.ok(biggest <= MIMIR_RULER_LIMITS.rulesPerGroup, `a group has ${biggest} rules`);
          assert.ok(c.groups.length <= MIMIR_RULER_LIMITS.groupsPerTenant);
        }

        // Its Alertmanager routes the Watchdog to the heartbeat receiver.
        assert.ok(c.alertmanager, `${c.evaluators[0]} notifies no Alertmanager in this phase`);
        const amtool = requireTool(this, "amtool", "prometheus-alertmanager");
        const amFile = path.join(dir, "alertmanager.yml");
        writeInput(amFile, forAmtool025(c.alertmanager.config));
        const watchdog = c.groups.flatMap((g) => g.rules).find((r) => r.alert === "Watchdog")!;
        const labels = Object.entries({ alertname: "Watchdog", ...watchdog.labels }).map(
          ([k, v]) => `${k}=${v}`,
        );
        const routed = exec(
          amtool,
          ["config", "routes", "test", `--config.file=${amFile}`, ...labels],
          [amFile],
        );
        assert.equal(routed.status, 0, routed.stdout + routed.stderr);
        assert.equal(routed.stdout.trim(), "heartbeat", `Watchdog goes to ${routed.stdout.trim()}`);
        // ... and that Alertmanager is one the alertmanager rules watch.
        assert.ok(ALERTMANAGER_JOBS.includes(c.alertmanager.name));
      });
    }
  }

  it("the check can fail: a second evaluator or a missing rule is seen", async () => {
    const rs = await stackAt("backend-primary", "mimir");
    const doubled = rs.map((r) =>
      r.inputs?.chart === "kube-prometheus-stack"
        ? {
            ...r,
            inputs: {
              ...r.inputs,
              values: {
                ...r.inputs.values,
                prometheus: {
                  prometheusSpec: {
                    ruleSelector: { matchLabels: { "homelab.dev/rules": "homelab-observability" } },
                  },
                },
              },
            },
          }
        : r,
    );
    assert.deepEqual(ruleCoverage(doubled, NS).evaluators, ["prometheus", "mimir-ruler"]);
    const dropped = rs.filter((r) => !r.urn.endsWith("::rules-kube-prometheus"));
    assert.ok(!names(ruleCoverage(dropped, NS)).includes("Watchdog"));
  });
});

/** Rendered objects (real Helm, pinned charts) of the staging topology, shared across test files. */
async function objectsAt(phase: Phase, backend: Backend): Promise<RenderedObject[]> {
  const r = await rendered(variant("staging", phase, backend));
  assertRendered(r);
  return r.objects.map((o) => o.object);
}

/** The Alertmanagers a phase runs, by the job they are scraped as, with their volume claims. */
function alertmanagersIn(objects: RenderedObject[]): { job: string; claims: number }[] {
  const out: { job: string; claims: number }[] = [];
  for (const o of objects) {
    if (o.kind === "Alertmanager")
      out.push({ job: `${o.metadata.name}`, claims: o.spec?.storage?.volumeClaimTemplate ? 1 : 0 });
    if (o.kind === "VMAlertmanager")
      out.push({
        job: `vmalertmanager-${o.metadata.name}`,
        claims: o.spec?.storage?.volumeClaimTemplate ? 1 : 0,
      });
    if (o.kind === "StatefulSet" && o.metadata.labels?.["app.kubernetes.io/name"] === "alertmanager")
      out.push({ job: o.metadata.name, claims: (o.spec?.volumeClaimTemplates ?? []).length });
  }
  return out;
}

/** Components whose own scrape job goes with them when kube-prometheus-stack is removed. */
const GONE_WITH_KPS = ["kps-prometheus", "kps-operator"];

describe("migration keeps the scrapes and the Alertmanagers (rendered, every phase x backend)", function () {
  this.timeout(300000);
  const ruleJobs = [
    ...new Set(
      KPS_RULES_DATA.groups.flatMap((g) =>
        g.rules.flatMap((r) => [...String(r.expr).matchAll(/job="([^"]+)"/g)].map((m) => m[1])),
      ),
    ),
  ];
  for (const backend of BACKENDS) {
    it(`${backend}: no scrape job disappears, every rule's job is scraped, every Alertmanager scraped and on a volume`, async () => {
      let previous: Set<string> | undefined;
      for (const phase of PHASES) {
        const objects = await objectsAt(phase, backend);
        const jobs = scrapeJobs(await stackAt(phase, backend), objects);
        const unresolved = jobs.filter((j) => j.job.startsWith("<unresolved"));
        assert.deepEqual(unresolved, [], `${phase}: jobs without a Service`);
        const names = new Set(jobs.map((j) => `${j.job}${j.path === "/metrics" ? "" : j.path}`));
        const byWhom = [...new Set(jobs.map((j) => j.by))];
        console.log(`      ${backend} ${phase} (${byWhom.join("+")}): ${[...names].sort().join(", ")}`);
        const kpsGone = phase === "kps-removed";
        if (previous) {
          const lost = [...previous].filter(
            (j) => !names.has(j) && !(kpsGone && GONE_WITH_KPS.includes(j)) && !ALERTMANAGER_JOBS.includes(j),
          );
          assert.deepEqual(lost, [], `${phase}: scrape jobs lost since the phase before`);
        }
        for (const j of ruleJobs)
          if (!(kpsGone && GONE_WITH_KPS.includes(j)) && !j.startsWith("kps-alertmanager"))
            assert.ok(names.has(j), `${phase}: the shipped rules select job="${j}", which nothing scrapes`);
        const ams = alertmanagersIn(objects);
        assert.ok(ams.length >= 1, `${phase}: no Alertmanager`);
        for (const am of ams) {
          assert.ok(names.has(am.job), `${phase}: Alertmanager ${am.job} is not scraped`);
          assert.ok(ALERTMANAGER_JOBS.includes(am.job), `${am.job} escapes the rules`);
          assert.ok(am.claims >= 1, `${phase}: Alertmanager ${am.job} keeps silences on no volume`);
        }
        // One engine per job: two scrapers of one target would store every sample twice.
        const twice = [...names].filter(
          (n) =>
            new Set(
              jobs.filter((j) => `${j.job}${j.path === "/metrics" ? "" : j.path}` === n).map((j) => j.by),
            ).size > 1,
        );
        assert.deepEqual(twice, [], `${phase}: scraped by two engines`);
        previous = names;
      }
    });
  }
});

/** Every datasource reference in a dashboard: `datasource` fields of panels, targets and variables. */
function datasourceRefs(
  node: any,
  out: { uid?: string; raw: unknown }[] = [],
): { uid?: string; raw: unknown }[] {
  if (Array.isArray(node)) node.forEach((n) => datasourceRefs(n, out));
  else if (node && typeof node === "object")
    for (const [k, v] of Object.entries(node)) {
      if (k === "datasource") out.push({ uid: typeof v === "string" ? v : (v as any)?.uid, raw: v });
      else datasourceRefs(v, out);
    }
  return out;
}

/** Dashboards as Grafana loads them: JSON in rendered ConfigMaps (the chart's and any sidecar-labelled one). */
function dashboardsIn(objects: RenderedObject[]): { where: string; json: any }[] {
  const out: { where: string; json: any }[] = [];
  for (const o of objects)
    if (o.kind === "ConfigMap")
      for (const [key, text] of Object.entries<string>(o.data ?? {})) {
        if (!key.endsWith(".json")) continue;
        const json = JSON.parse(text);
        if (Array.isArray(json.panels)) out.push({ where: `${o.metadata.name}/${key}`, json });
      }
  return out;
}

describe("migration keeps the dashboards (rendered, every phase x backend)", function () {
  this.timeout(300000);
  const recorded = new Set(
    KPS_RULES_DATA.groups.flatMap((g) => g.rules.map((r) => r.record).filter(Boolean)),
  );
  for (const backend of BACKENDS) {
    for (const phase of PHASES) {
      it(`${backend} at ${phase}: its dashboards, every datasource uid provisioned, every query valid`, async function () {
        const rs = await stackAt(phase, backend);
        const objects = await objectsAt(phase, backend);
        const grafana = rs.find(
          (r) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.chart === "grafana",
        )!;
        const provisioned = new Set<string>(
          grafana.inputs.values.datasources["datasources.yaml"].datasources.map((d: any) => d.uid),
        );
        for (const entries of Object.values<any>(grafana.inputs.values.dashboards ?? {}))
          for (const [file, d] of Object.entries<any>(entries))
            assert.ok(!d.gnetId && !d.url, `${file} would be downloaded by the pod at start`);
        const dashboards = dashboardsIn(objects);
        const titles = dashboards.map((d) => d.json.title).sort();
        console.log(
          `      ${backend} ${phase}: ${titles.join("; ")} (datasources ${[...provisioned].join(", ")})`,
        );
        const backendUp = phase !== "loki-fixed";
        for (const t of [
          "Loki",
          "Nodes (node-exporter)",
          "Kubernetes / Compute resources",
          "Stack overview",
          // The community dashboards, whether kube-prometheus-stack runs or not.
          "Kubernetes / Compute Resources / Cluster",
          "Kubernetes / Compute Resources / Namespace (Pods)",
          "Kubernetes / Networking / Cluster",
          "Kubernetes / Persistent Volumes",
          "Kubernetes / API server",
          "Kubernetes / Kubelet",
          "Node Exporter / Nodes",
          "Node Exporter / USE Method / Node",
        ])
          assert.ok(titles.includes(t), `${t} missing`);
        assert.ok(dashboards.length >= 20, `${dashboards.length} dashboards`);
        // The plan fitted the community dashboards to the emitters the rendered stack runs.
        const community = dashboards
          .filter((d) => d.where.startsWith("homelab-dashboards-"))
          .map((d) => d.where.split("/")[1])
          .sort();
        const fitted = communityDashboards({ emitters: [...presentEmitters(objects)] }).map((d) => d.file);
        assert.deepEqual(community, fitted.sort(), "the plan and the rendered stack disagree on who runs");
        assert.equal(
          new Set(dashboards.map((d) => d.json.uid)).size,
          dashboards.length,
          "two dashboards share a uid",
        );
        assert.ok(
          titles.some((t) => t.startsWith("Log agent (Alloy)")),
          "log agent dashboard missing",
        );
        assert.equal(
          titles.includes(`Metrics backend (${backend === "mimir" ? "Mimir" : "VictoriaMetrics"})`),
          backendUp,
        );
        const promql: string[] = [];
        for (const d of dashboards) {
          const vars = new Set(
            (d.json.templating?.list ?? [])
              .filter((v: any) => v.type === "datasource")
              .map((v: any) => v.name),
          );
          for (const ref of datasourceRefs(d.json)) {
            const variable = /^\$\{?(\w+)\}?$/.exec(ref.uid ?? "")?.[1];
            // "grafana": Grafana's built-in source of annotations, present in every Grafana.
            assert.ok(
              (ref.uid && provisioned.has(ref.uid)) ||
                (variable && vars.has(variable)) ||
                ref.uid === "grafana",
              `${d.where}: datasource ${JSON.stringify(ref.raw)} is not provisioned in ${phase}`,
            );
          }
          for (const p of panelsOf(d.json))
            for (const t of p.targets ?? [])
              if ((t.datasource ?? p.datasource)?.type === "prometheus" && t.expr) {
                // MetricsQL (VictoriaMetrics' own dashboards, on its datasource): not Prometheus'.
                if ((t.datasource ?? p.datasource).uid !== "victoriametrics") promql.push(t.expr);
              }
        }
        // Every job a panel selects by name is one this phase scrapes.
        const jobs = new Set(scrapeJobs(rs, objects).map((j) => j.job));
        for (const e of promql)
          for (const m of e.matchAll(/\bjob="([^"$]+)"/g))
            assert.ok(
              jobs.has(m[1]),
              `a panel selects job="${m[1]}", which nothing scrapes in ${phase}: ${e}`,
            );
        // Recording-rule names the panels read are recorded by the rules the stack ships.
        for (const e of promql)
          for (const m of promqlMetrics(e).filter((n) => n.includes(":")))
            assert.ok(recorded.has(m), `a panel reads ${m}, which no shipped rule records`);
        // promtool parses every PromQL panel query (as recording rules).
        const promtool = requireTool(this, "promtool", "prometheus");
        const file = path.join(tmpDir("dash"), "panels.yaml");
        const rules = [...new Set(promql)].map((expr, i) => ({
          record: `dashboard:panel_${i}:check`,
          expr: withoutGrafanaVariables(expr),
        }));
        writeInput(file, { groups: [{ name: "panels", rules }] });
        const r = exec(promtool, ["check", "rules", "--lint=none", file], [file]);
        assert.equal(r.status, 0, r.stdout + r.stderr);
      });
    }
  }
});

describe("node logs on every host (rendered)", function () {
  this.timeout(300000);
  const syslog = ["/var/log/messages"];
  const hostPathOf = (ds: RenderedObject, mountPath: string) => {
    const pod = ds.spec.template.spec;
    const mount = pod.containers[0].volumeMounts.find((m: any) =>
      mountPath.startsWith(m.mountPath.replace(/\/$/, "")),
    );
    return pod.volumes.find((v: any) => v.name === mount?.name)?.hostPath?.path;
  };

  it("Alloy: journal and syslog files, container_runtime label, positions on the host, config parses", async function () {
    const r = await rendered({
      title: "staging syslog",
      stack: "staging",
      over: { nodeLogs: { syslogFiles: syslog } },
    });
    assertRendered(r);
    const objects = r.objects.map((o) => o.object);
    const release = r.synth.export.deployment.resources.find(
      (x) => x.inputs?.chart === "alloy" && x.urn.endsWith("::alloy-agents"),
    )!;
    const config: string = release.inputs.values.alloy.configMap.content;
    assert.match(config, /loki\.source\.journal "node"/);
    assert.match(config, /local\.file_match "syslog"[\s\S]*"\/var\/log\/messages", job = "node\/syslog"/);
    assert.match(config, /target_label = "container_runtime"/);
    const errors = parseAlloy(config).errors;
    assert.deepEqual(errors, [], `the node agents' config does not parse: ${describeErrors(errors)}`);
    // Positions (file offsets, journal cursor) live under --storage.path, on a hostPath.
    const ds = objects.find((o) => o.kind === "DaemonSet" && o.metadata.name === "alloy")!;
    const storage = ds.spec.template.spec.containers[0].args.find((a: string) =>
      a.startsWith("--storage.path="),
    )!;
    assert.ok(hostPathOf(ds, storage.split("=")[1]), `${storage} is not on a hostPath`);
    // Default: the journal only, no file tailing that could double what rsyslog copies.
    const plain = (await stackAt("kps-removed", "mimir")).find(
      (x) => x.inputs?.chart === "alloy" && x.urn.endsWith("::alloy-agents"),
    )!;
    assert.doesNotMatch(plain.inputs.values.alloy.configMap.content, /file_match "syslog"/);
  });

  it("Vector: journal (image with journalctl), syslog files, internal_metrics scraped, checkpoints and buffers on the host", async () => {
    const r = await rendered({
      title: "pi syslog",
      stack: "pi",
      over: { nodeLogs: { syslogFiles: syslog } },
    });
    assertRendered(r);
    const objects = r.objects.map((o) => o.object);
    const cm = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "vector")!;
    const cfg = parse(cm.data["vector.yaml"]);
    assert.equal(cfg.sources.journal.type, "journald");
    assert.deepEqual(cfg.sources.syslog, { type: "file", include: syslog, read_from: "end" });
    assert.equal(cfg.sources.internal_metrics.type, "internal_metrics");
    assert.equal(cfg.sinks.prom_exporter.type, "prometheus_exporter");
    for (const sink of ["loki_pods", "loki_journal", "loki_syslog"])
      assert.equal(cfg.sinks[sink].buffer.type, "disk");
    const ds = objects.find((o) => o.kind === "DaemonSet" && o.metadata.name === "vector")!;
    const container = ds.spec.template.spec.containers[0];
    assert.ok(!container.image.includes("distroless"), `${container.image} has no journalctl`);
    assert.ok(hostPathOf(ds, cfg.data_dir), `data_dir ${cfg.data_dir} is not on a hostPath`);
    const pm = objects.find((o) => o.kind === "PodMonitor" && o.metadata.name === "vector")!;
    const port = pm.spec.podMetricsEndpoints[0].port;
    assert.ok(
      container.ports.some((p: any) => p.name === port),
      `the PodMonitor scrapes port ${port}, which the pod does not expose`,
    );
    const jobs = scrapeJobs(r.synth.export.deployment.resources, objects).map((j) => j.job);
    assert.ok(jobs.includes("vector"), `Vector is not scraped: ${jobs.join(", ")}`);
  });
});

describe("Loki's rules sidecar", function () {
  this.timeout(300000);
  for (const [title, over] of [
    ["S3 object store", {}],
    ["filesystem object store", { objectStore: { type: "filesystem" } }],
  ] as const) {
    it(`${title}: runs only where the ruler loads what it writes`, async () => {
      const r = await rendered({ title: `staging loki ${title}`, stack: "staging", over });
      assertRendered(r);
      const objects = r.objects.map((o) => o.object);
      const config = parse(
        objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "loki")!.data["config.yaml"],
      );
      // A local ruler reads ruler.storage.local.directory, else common.storage.filesystem.rules_directory.
      const rulerDir =
        config.ruler?.storage?.type === "local"
          ? (config.ruler.storage.local?.directory ?? config.common?.storage?.filesystem?.rules_directory)
          : undefined;
      for (const o of objects.filter((x) => x.kind === "StatefulSet" || x.kind === "Deployment")) {
        const sidecar = o.spec.template.spec.containers.find((c: any) => c.name === "loki-sc-rules");
        if (!sidecar) continue;
        const folder = sidecar.env?.find((e: any) => e.name === "FOLDER")?.value;
        assert.equal(
          folder,
          rulerDir,
          `${o.metadata.name} runs the rules sidecar into ${folder}; the ruler reads ${rulerDir ?? "its bucket"}`,
        );
      }
    });
  }
});

/**
 * Where a resource lives outside Pulumi's state, and the import ID its provider takes: MinIO
 * buckets by name (terraform-provider-minio), Kubernetes objects by `namespace/name`.
 */
function physical(r: ExportResource): { key: string; importId: string; error: string } | undefined {
  if (r.type === "minio:index/s3Bucket:S3Bucket")
    return { key: `bucket ${r.inputs.bucket}`, importId: r.inputs.bucket, error: "bucket already exists!" };
  if (r.custom && r.type.startsWith("kubernetes:") && r.inputs.metadata?.name) {
    const ns = r.inputs.metadata.namespace;
    const id = ns ? `${ns}/${r.inputs.metadata.name}` : r.inputs.metadata.name;
    return { key: `${r.type} ${id}`, importId: id, error: "AlreadyExists" };
  }
  return undefined;
}

/** What a step from `before` to `after` leaves behind outside the state: retained resources it drops. */
function orphaned(before: ExportResource[], after: ExportResource[]): ExportResource[] {
  const kept = new Set(after.map((r) => r.urn));
  return before.filter((r) => r.retainOnDelete && !kept.has(r.urn) && physical(r));
}

/**
 * The engine's view of an update from `state` to `next` with `outside` already existing: a resource
 * new to the state is an import when it has an import ID (pulumi/pulumi
 * pkg/resource/deploy/step_generator.go: `isImport := goal.Custom && goal.ID != "" && (!hasOld ||
 * old.External || oldImportID != goal.ID)`, so an ID left in place after the import is a no-op),
 * else a create, which fails on what already exists; an import of something absent fails too.
 */
function forwardFailures(
  state: ExportResource[],
  outside: ExportResource[],
  next: ExportResource[],
): string[] {
  const inState = new Set(state.map((r) => r.urn));
  const exists = new Map(outside.map((r) => [physical(r)!.key, r]));
  const failures: string[] = [];
  for (const r of next) {
    if (inState.has(r.urn)) continue;
    const p = physical(r);
    if (!p) continue;
    if (exists.has(p.key) && r.importId !== p.importId)
      failures.push(`${p.key}: create fails (${p.error})${r.importId ? `; import ID ${r.importId}` : ""}`);
    if (!exists.has(p.key) && r.importId)
      failures.push(`${p.key}: import of ${r.importId}, which does not exist`);
  }
  return failures;
}

describe("roll-forward after rollback (every adjacent pair, both backends)", function () {
  this.timeout(120000);
  const stores: Record<string, Record<string, unknown>> = {
    minio: {},
    "ceph-rgw": { objectStore: { type: "ceph-rgw" } },
  };
  for (const backend of BACKENDS) {
    for (const [storeName, storeOver] of Object.entries(stores)) {
      for (let i = 0; i + 1 < PHASES.length; i++) {
        const [from, to] = [PHASES[i], PHASES[i + 1]];
        it(`${backend}, ${storeName}: ${to} -> ${from} -> ${to}`, async () => {
          const at = (phase: Phase, existing?: string[]) =>
            staging({
              phase,
              metricsBackend: backend,
              ...storeOver,
              ...(existing ? { existing: { buckets: existing } } : {}),
            });
          const ahead = await at(to);
          const back = await at(from);
          const left = orphaned(ahead, back);
          const buckets = left.map(
            (r) =>
              (r.type === "minio:index/s3Bucket:S3Bucket"
                ? r.inputs.bucket
                : r.inputs.spec.bucketName) as string,
          );
          // Without saying what exists, the forward step fails exactly on what the step back left.
          const naive = forwardFailures(back, left, await at(to));
          assert.equal(naive.length, left.length, naive.join("\n"));
          // Listing those buckets in `existing.buckets` adopts every one of them: nothing fails. With
          // none left there is nothing to list, and `existing: { buckets: [] }` synthesizes the very
          // stack `ahead` is (compared whole, manifest time aside): 10 of these 12 steps, each a
          // synthesis of its own (the fixture cache keys the config as written) that no other test
          // reads, so the step's own stack serves.
          const again = buckets.length > 0 ? await at(to, buckets) : ahead;
          assert.deepEqual(forwardFailures(back, left, again), []);
          const shouldSurvive =
            backend === "mimir" && from === "loki-fixed" ? (storeName === "minio" ? 3 : 1) : 0;
          assert.equal(left.length, shouldSurvive, left.map((r) => physical(r)!.key).join(", "));
          if (left.length)
            console.log(`      imported back: ${left.map((r) => physical(r)!.key).join(", ")}`);
          // Staying listed after the import changes nothing (the state holds the same ID).
          assert.deepEqual(
            forwardFailures(again, [], buckets.length > 0 ? await at(to, buckets) : ahead),
            [],
          );
        });
      }
    }
  }
});
