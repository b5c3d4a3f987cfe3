/**
 * The community dashboards: exactly what the pinned charts render, fitted to each stack (stable
 * datasource uids, no panel on a metric the stack does not emit), filed per source folder, each
 * folder's ConfigMap within the API server's limit.
 */
import { strict as assert } from "assert";
import {
  communityDashboards,
  communityDashboardsData,
  communityLeftOut,
  fitCommunityDashboards,
  panelsOf,
} from "../../builders/grafana/community";
import {
  communityDashboardConfigMaps,
  CONFIGMAP_DATA_LIMIT,
  FOLDER_ANNOTATION,
  grafanaDashboardsConfigMap,
  grafanaSidecarRbac,
  sidecarNamespaces,
} from "../../builders/grafana/grafanaValues";
import { config } from "../support/helpers";
import { renderCommunityDashboards } from "../../synth/render/dashboards";
import { cached, cacheKey } from "../support/fixtureCache";
import { versions } from "../../model/versions";
import { stackEmitters } from "../../plan/emitters";
import { BACKENDS, capabilities, LOG_AGENTS, PHASES, type Backend } from "../../model/phases";

const PROVISIONED_UIDS = new Set(["metrics", "loki", "victoriametrics", "grafana"]);

/** Every datasource reference of a dashboard. */
function refs(node: any, out: any[] = []): any[] {
  if (Array.isArray(node)) node.forEach((n) => refs(n, out));
  else if (node && typeof node === "object")
    for (const [k, v] of Object.entries(node)) {
      if (k === "datasource") out.push(v);
      else refs(v, out);
    }
  return out;
}

const allStacks = () =>
  PHASES.flatMap((phase) =>
    BACKENDS.flatMap((backend) =>
      LOG_AGENTS.map((logAgent) => ({
        title: `${phase}/${backend}/${logAgent}`,
        backend,
        logAgent,
        backendUp: capabilities(phase, backend).backend,
        emitters: stackEmitters({
          caps: capabilities(phase, backend),
          backend,
          logAgent,
          lokiCanary: false,
          minio: true,
        }),
      })),
    ),
  );

describe("community dashboards", function () {
  this.timeout(120000);

  it("are exactly what the pinned charts render, with each panel's metric names", async () => {
    const data = communityDashboardsData();
    for (const d of data.dashboards) {
      const pinned = Object.values(versions.charts).find((c) => c.chart === d.source);
      assert.equal(
        d.version,
        pinned?.version,
        `${d.source}: the pin moved, run npx tsx scripts/genDashboards.ts`,
      );
    }
    // Helm renders three charts (about 3 s): kept in the fixture cache, whose key covers the chart
    // archives and every source file, so a changed chart or generator renders afresh.
    const rendered = await cached("community-dashboards", cacheKey("community-dashboards", {}), () =>
      Promise.resolve(renderCommunityDashboards()),
    );
    assert.deepEqual(rendered, data, "stale data: run npx tsx scripts/genDashboards.ts");
    const titles = data.dashboards.map((d) => d.title);
    for (const t of [
      "Kubernetes / Compute Resources / Cluster",
      "Node Exporter / Nodes",
      "Loki / Operational",
    ])
      assert.ok(titles.includes(t), `${t} not in the data`);
  });

  for (const s of allStacks())
    it(`${s.title}: at least 20 dashboards in all, every datasource a stable uid, every panel on an emitted metric`, () => {
      const own = Object.keys(grafanaDashboardsConfigMap("monitoring", s).data).length;
      const community = communityDashboards(s);
      assert.ok(own + community.length >= 20, `${own} + ${community.length} dashboards`);
      const titles = community.map((d) => d.json.title);
      assert.ok(titles.includes("Kubernetes / Compute Resources / Namespace (Pods)"));
      assert.ok(titles.includes("Node Exporter / USE Method / Node"));
      assert.equal(
        titles.some((t) => t.startsWith("VictoriaMetrics")),
        s.emitters.includes("vmsingle"),
        "VictoriaMetrics' dashboards exactly where vmsingle runs",
      );
      for (const d of community) {
        for (const r of refs(d.json))
          assert.ok(PROVISIONED_UIDS.has(r?.uid), `${d.file}: datasource ${JSON.stringify(r)}`);
        assert.ok(!(d.json.templating?.list ?? []).some((v: any) => v.type === "datasource"), d.file);
        const exprs = panelsOf(d.json).flatMap((p) =>
          (p.targets ?? []).map((t: any) => String(t.expr ?? "")),
        );
        // No canary in these stacks: no panel reads it.
        assert.ok(!exprs.some((e) => e.includes("loki_canary_")), `${d.file} reads the canary`);
      }
    });

  it("drops the panels on a component the stack lacks, and keeps them when it runs", () => {
    const at = (backend: Backend) => ({
      emitters: stackEmitters({
        caps: capabilities("kps-removed", backend),
        backend,
        logAgent: "alloy",
        lokiCanary: false,
        minio: false,
      }),
    });
    // Loki's operational dashboard has memcached panels: a stack whose Loki has no memcached
    // (every stack here: loki-cache:memcached is never present) does not get them.
    const operational = (extra: string[]) =>
      communityDashboards({ emitters: [...at("mimir").emitters, ...extra] }).find(
        (d) => d.file === "loki-loki-operational.json",
      )!.json;
    const exprs = (json: any) =>
      panelsOf(json).flatMap((p) => (p.targets ?? []).map((t: any) => String(t.expr)));
    assert.ok(exprs(operational(["loki-cache:memcached"])).some((e) => /\bloki_memcache_/.test(e)));
    assert.ok(!exprs(operational([])).some((e) => /\bloki_memcache_/.test(e)));
    assert.ok(panelsOf(operational([])).length < panelsOf(operational(["loki-cache:memcached"])).length);
  });

  it("leaves out the panels on names no emitter's source names, and says each removal", () => {
    const fitted = fitCommunityDashboards({
      emitters: stackEmitters({
        caps: capabilities("kps-removed", "mimir"),
        backend: "mimir",
        logAgent: "alloy",
        lokiCanary: false,
        minio: false,
      }),
    });
    const exprs = fitted.dashboards.flatMap((d) =>
      panelsOf(d.json).flatMap((p) => (p.targets ?? []).map((t: any) => String(t.expr ?? ""))),
    );
    // Grafana's own metrics: no source in upstream/metrics/data/emitted-sources.tsv names them.
    assert.ok(!exprs.some((e) => /\bgrafana_stat_totals_dashboard\b/.test(e)));
    assert.ok(
      fitted.leftOut.some(
        (l) =>
          /grafana-overview\.json: Dashboards$/.test(l.what) &&
          /grafana_stat_totals_dashboard: no emitter/.test(l.why),
      ),
      JSON.stringify(fitted.leftOut.slice(0, 3)),
    );
    assert.ok(fitted.leftOut.some((l) => l.what === "dashboard kube-prometheus-stack-grafana-overview.json"));
    // Logs panels read LogQL (`| logfmt`), which is no metric: they stay.
    const logs = fitted.dashboards.find((d) => d.file === "loki-loki-logs.json")!;
    assert.ok(panelsOf(logs.json).some((p) => p.type === "logs"));
  });

  it("lists what it leaves out without rewriting the dashboards, exactly as the fitting does", () => {
    // Every phase, the backends and log agents taking turns; and a stack emitting nothing.
    const inputs = PHASES.map((phase, i) => ({
      emitters: stackEmitters({
        caps: capabilities(phase, BACKENDS[i % 2]),
        backend: BACKENDS[i % 2],
        logAgent: LOG_AGENTS[i % 2],
        lokiCanary: false,
        minio: false,
      }),
    }));
    for (const input of [...inputs, { emitters: [] }])
      assert.deepEqual(communityLeftOut(input), fitCommunityDashboards(input).leftOut, input.emitters.join());
    // Whole dashboards and single panels are among them.
    const none = communityLeftOut({ emitters: [] });
    assert.ok(none.some((l) => /^dashboard [^:]+$/.test(l.what)) && none.some((l) => /: /.test(l.what)));
  });

  it("reads and ships dashboards in the pre-Grafana-5 `rows` schema (the loki-mixin's chunks and retention at chart 18)", () => {
    const legacy = communityDashboardsData().dashboards.filter((d) => d.json.rows && !d.json.panels);
    assert.ok(legacy.length > 0, "the data holds a dashboard made of rows");
    for (const d of legacy) {
      const targets = panelsOf(d.json).flatMap((p) => p.targets ?? []);
      assert.ok(targets.length > 0, `${d.file}: its rows' panels are read`);
      assert.equal(d.panelMetrics.length, panelsOf(d.json).length, `${d.file}: one metrics entry per panel`);
    }
    const shipped = new Set(
      allStacks().flatMap((x) => communityDashboards({ emitters: x.emitters }).map((o) => o.file)),
    );
    for (const d of legacy.filter((x) => x.source === "loki"))
      assert.ok(shipped.has(`${d.source}-${d.file}.json`), `${d.file} is provisioned`);
  });

  it("files each source under its own folder, each folder's ConfigMap within the API server's limit", () => {
    for (const s of allStacks()) {
      const maps = communityDashboardConfigMaps("monitoring", s);
      const folders = maps.map((m) => m.metadata.annotations[FOLDER_ANNOTATION]);
      assert.deepEqual(new Set(folders).size, folders.length);
      for (const f of ["Kubernetes", "Node Exporter", "Loki"])
        assert.ok(folders.includes(f), `${s.title}: ${f}`);
      for (const m of maps) {
        const size = Object.entries(m.data).reduce((n, [k, v]) => n + k.length + Buffer.byteLength(v), 0);
        assert.ok(size <= CONFIGMAP_DATA_LIMIT, `${m.metadata.name}: ${size} bytes`);
      }
    }
  });
});

describe("Grafana's dashboard sidecar searches where the stack says", () => {
  const ns = "monitoring";
  it("every namespace by default, through a ClusterRole that reads ConfigMaps only", () => {
    const cfg = config();
    assert.equal(cfg.grafana.dashboardNamespaces, "all");
    assert.deepEqual(sidecarNamespaces(ns, cfg.grafana.dashboardNamespaces), ["ALL"]);
    const rbac = grafanaSidecarRbac(ns);
    assert.deepEqual(rbac.clusterRole?.rules, [
      { apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"] },
    ]);
    assert.equal(rbac.clusterRoleBinding?.subjects[0].namespace, ns);
    assert.deepEqual(rbac.roles, []);
  });

  it("a list: those namespaces and its own, a Role in each", () => {
    const cfg = config({ grafana: { dashboardNamespaces: ["cert-manager", "monitoring"] } });
    const wanted = cfg.grafana.dashboardNamespaces;
    assert.deepEqual(sidecarNamespaces(ns, wanted), ["monitoring", "cert-manager"]);
    const rbac = grafanaSidecarRbac(ns, wanted);
    assert.equal(rbac.clusterRole, undefined);
    assert.deepEqual(
      rbac.roles.map((r) => r.metadata.namespace),
      ["monitoring", "cert-manager"],
    );
    for (const b of rbac.roleBindings) assert.equal(b.subjects[0].namespace, ns);
  });

  it("refuses a namespace that is not a name, naming the key", () => {
    assert.throws(
      () => config({ grafana: { dashboardNamespaces: ["Cert_Manager"] } }),
      /grafana\.dashboardNamespaces.*namespace name like "cert-manager"/s,
    );
  });
});
