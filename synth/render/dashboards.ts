/**
 * The dashboards the pinned charts ship, rendered by the real Helm from the chart archives, with
 * the metric names each panel reads (Prometheus' grammar): what scripts/genDashboards.ts writes to
 * builders/grafana/data/community-dashboards.json and what the tests compare it with. The program
 * provisions them itself (builders/grafana/community.ts) in every phase, whether or not the chart
 * that ships them runs; nothing is downloaded at runtime.
 *
 * Sources (each at its pin in model/versions.ts):
 * - kube-prometheus-stack: kubernetes-mixin's and node-exporter's dashboards
 *   (templates/grafana/dashboards-1.14/, generated upstream from kube-prometheus). Rendered with
 *   the program's own KPS values, `grafana.forceDeployDashboards` and
 *   `nodeExporter.forceDeployDashboards` (the chart's switches for dashboards without its Grafana
 *   and node-exporter).
 * - loki: the loki-mixin dashboards the chart ships (`monitoring.dashboards.enabled`; from chart
 *   18.0 generated from grafana/loki's production/loki-mixin, one ConfigMap each, filtered on the
 *   `app_instance` label the chart's ServiceMonitor sets: loki 18.11.0 README "From 17.x to 18.0.0").
 * - victoria-metrics-k8s-stack: VictoriaMetrics' own dashboards (files/dashboards/generated/,
 *   `defaultDashboards.enabled`). Up to 0.80.0 only: 0.91.2 ships no dashboard in its archive
 *   (no files/dashboards/, no templates/grafana/dashboard.yaml). Its `defaultDashboards.sources`
 *   (values.yaml) are URLs on the `master` branch of VictoriaMetrics/VictoriaMetrics and others
 *   (`.../dashboards/victoriametrics.json`), which a post-install Job fetches at deploy time
 *   (templates/sync-job/config.yaml hands them to it only `if .Values.syncJob.enabled`; the
 *   program turns it off). No render of 0.91.2 holds them and no version pins them, so nothing
 *   here can read them from the chart: past 0.80.0 the folder needs a pinned source of its own.
 * The alloy (1.5.0) and vector (0.56.0) charts ship no dashboard. Mimir's mixin lives in the
 * mimir repository (operations/mimir-mixin-compiled), not in a chart the program pins: not here.
 *
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { execFileSync } from "child_process";
import { loadAll } from "js-yaml";
import { stringify } from "yaml";
import { generatorKpsValues } from "../../builders/metrics/kpsValues";
import { versions, type ChartRef } from "../../model/versions";
import type { CommunityDashboard, CommunityDashboardsData } from "../../builders/grafana/community";
import { panelsOf } from "../../builders/grafana/community";
import { projectRoot } from "../../config/paths";
import { chartCacheDir, helmBinary } from "./helm";
import { promqlMetrics } from "../../upstream/metrics/promql";

interface Source {
  ref: ChartRef;
  /** Grafana folder the sidecar files them under. */
  folder: string;
  values: Record<string, any>;
  /** Dashboard files taken (the chart's file name without .json); others are left out, with why. */
  take: (file: string) => boolean;
  /** The emitters (any of, `present_when` keys) a dashboard is about: without one it is left out. */
  needs: (file: string) => string[];
}

/**
 * Left out of kube-prometheus-stack's set: Windows nodes (`windowsMonitoring` is off, the chart
 * renders none), AIX and Darwin hosts (node-exporter runs on Linux nodes only), the multi-cluster
 * view (one cluster per stack), and the Prometheus, Alertmanager and remote-write overviews, whose
 * subjects go away with kube-prometheus-stack in the last phase (the program's own "Stack
 * overview" and engine dashboards cover every phase).
 */
const KPS_LEFT_OUT = new Set([
  "nodes-aix",
  "nodes-darwin",
  "k8s-resources-multicluster",
  "prometheus",
  "prometheus-remote-write",
  "alertmanager-overview",
]);

/** VictoriaMetrics' dashboards of the components the program runs, with the component each is about. */
const VM_TAKEN = new Map([
  ["victoriametrics-single-node", "vmsingle"],
  ["victoriametrics-vmagent", "vmagent"],
  ["victoriametrics-vmalert", "vmalert"],
]);

/**
 * `bumped`: chart name to the version rendered instead of its pin (a test renders a bump without
 * committing one to model/versions.ts).
 */
function sources(bumped: Readonly<Record<string, string>> = {}): Source[] {
  const at = (ref: ChartRef): ChartRef => (bumped[ref.chart] ? { ...ref, version: bumped[ref.chart] } : ref);
  const kps = generatorKpsValues();
  kps.grafana = { ...(kps.grafana ?? {}), forceDeployDashboards: true, defaultDashboardsEnabled: true };
  kps.nodeExporter = { ...(kps.nodeExporter ?? {}), forceDeployDashboards: true };
  return [
    {
      ref: at(versions.charts.kubePrometheusStack),
      folder: "Kubernetes",
      values: kps,
      take: (f) => !KPS_LEFT_OUT.has(f),
      needs: (f) => (f.startsWith("node") ? ["node-exporter"] : ["always"]),
    },
    {
      ref: at(versions.charts.loki),
      folder: "Loki",
      // Only what the chart needs to render its dashboard ConfigMaps.
      values: {
        deploymentMode: "Monolithic",
        singleBinary: { replicas: 1 },
        read: { replicas: 0 },
        write: { replicas: 0 },
        backend: { replicas: 0 },
        loki: { storage: { type: "filesystem" }, useTestSchema: true },
        monitoring: { dashboards: { enabled: true } },
      },
      // The mixin's recording-rules dashboard reads rules the program does not ship; "deletion"
      // reads the compactor's delete-request API metrics, which only log deletion uses.
      take: (f) => ["loki-chunks", "loki-logs", "loki-operational", "loki-retention"].includes(f),
      needs: () => ["loki"],
    },
    {
      ref: at(versions.charts.victoriaMetricsStack),
      folder: "VictoriaMetrics",
      values: { defaultDashboards: { enabled: true } },
      take: (f) => VM_TAKEN.has(f),
      needs: (f) => [VM_TAKEN.get(f)!],
    },
  ];
}

/** Which folder a kube-prometheus-stack dashboard goes to: node-exporter's own apart. */
const folderOf = (s: Source, file: string) =>
  s.ref.chart === versions.charts.kubePrometheusStack.chart && file.startsWith("node")
    ? "Node Exporter"
    : s.folder;

/**
 * The data as rendered now from the pinned chart archives (`bumped`: chart name to a version
 * rendered instead of its pin).
 */
export function renderCommunityDashboards(
  root: string = projectRoot(__dirname),
  bumped: Readonly<Record<string, string>> = {},
): CommunityDashboardsData {
  const helm = helmBinary(root);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dashboards-"));
  const dashboards: CommunityDashboard[] = [];
  for (const s of sources(bumped)) {
    const archive = path.join(chartCacheDir(root), `${s.ref.chart}-${s.ref.version}.tgz`);
    if (!fs.existsSync(archive))
      throw new Error(`no chart archive ${archive} (set HOMELAB_CHART_CACHE to the chart cache)`);
    const valuesFile = path.join(dir, `${s.ref.chart}.yaml`);
    fs.writeFileSync(valuesFile, stringify(s.values));
    const out = execFileSync(helm, ["template", "dash", archive, "--namespace", "dash", "-f", valuesFile], {
      encoding: "utf8",
      maxBuffer: 256 * 2 ** 20,
    });
    // js-yaml, as every render is parsed (synth/render/manifest.ts): the `yaml` package took 0.24 s
    // of CPU for kube-prometheus-stack's output alone, its rules mostly.
    for (const obj of loadAll(out) as any[]) {
      if (obj?.kind !== "ConfigMap" || obj.metadata?.labels?.grafana_dashboard === undefined) continue;
      for (const [key, text] of Object.entries<string>(obj.data ?? {})) {
        const file = key.replace(/\.json$/, "");
        if (!key.endsWith(".json") || !s.take(file)) continue;
        const json = JSON.parse(text);
        dashboards.push({
          source: s.ref.chart,
          version: s.ref.version,
          file,
          folder: folderOf(s, file),
          title: json.title,
          needs: s.needs(file),
          panelMetrics: panelsOf(json).map((p) =>
            [
              ...new Set<string>(
                (p.targets ?? []).flatMap((t: any) => (t.expr ? promqlMetrics(String(t.expr)) : [])),
              ),
            ].sort(),
          ),
          json,
        });
      }
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
  if (dashboards.length === 0) throw new Error("helm rendered no dashboard: did the switches take effect?");
  dashboards.sort((a, b) => `${a.source}/${a.file}`.localeCompare(`${b.source}/${b.file}`));
  return { generatedBy: "scripts/genDashboards.ts", dashboards };
}

/** A chart whose dashboards in the shipped data a new render no longer gives, all or some. */
export interface DroppedSource {
  chart: string;
  /** The version the shipped data was rendered from, and the one rendered now. */
  from: string;
  to: string;
  /** The chart's files (without .json) the shipped data has and the new render lacks. */
  lost: string[];
  /** The chart's files the new render gives. */
  found: string[];
}

/**
 * The charts whose dashboards `next` (rendered with `bumped`) drops from `previous`
 * (scripts/genDashboards.ts refuses to write it): a chart that moved its dashboards out of its archive renders none, and Helm says
 * nothing (victoria-metrics-k8s-stack past 0.80.0, see the sources above).
 */
export function droppedSources(
  previous: CommunityDashboardsData,
  next: CommunityDashboardsData,
  bumped: Readonly<Record<string, string>> = {},
): DroppedSource[] {
  const rendered = new Map(sources(bumped).map((s) => [s.ref.chart, s.ref.version]));
  const out: DroppedSource[] = [];
  for (const chart of [...new Set(previous.dashboards.map((d) => d.source))]) {
    const was = previous.dashboards.filter((d) => d.source === chart);
    const now = next.dashboards.filter((d) => d.source === chart);
    const lost = was.filter((d) => !now.some((n) => n.file === d.file)).map((d) => d.file);
    if (lost.length === 0) continue;
    out.push({
      chart,
      from: was[0].version,
      to: rendered.get(chart) ?? "(no longer a source)",
      lost,
      found: now.map((d) => d.file),
    });
  }
  return out;
}
