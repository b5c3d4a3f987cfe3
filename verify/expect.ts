import { durationSeconds, type StackConfig } from "../config/resolve";
import { SECRET_REFS } from "../model/secrets";
import { alertmanagerConfig } from "../builders/alerting/alertmanagerConfig";
import { grafanaDatasources, METRICS_UID, type DatasourceInputs } from "../builders/grafana/datasources";
import { dashboardsFor } from "../builders/grafana/dashboards";
import { communityDashboards, panelsOf } from "../builders/grafana/community";
import { planStack } from "../plan/plan";
import type { Expectations, PanelTarget } from "./types";
import { RELEASES } from "../model/names";
import { lokiName } from "../model/services";

/** Seconds of a dashboard's `time.from` ("now-6h"); Grafana's own default is the last 6 hours. */
function dashboardRangeSeconds(json: any): number {
  const m = /^now-(\d+)([smhdwy])$/.exec(String(json?.time?.from ?? "now-6h"));
  const unit: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };
  return m ? Number(m[1]) * unit[m[2]] : 6 * 3600;
}

/**
 * Every panel target of these dashboards that reads the "Metrics" datasource (uid `metrics`:
 * PromQL, on Prometheus until the flip, then on the backend), with the dashboard's variables.
 */
export function metricsPanelTargets(dashboards: any[]): PanelTarget[] {
  return dashboards.flatMap((d) =>
    panelsOf(d).flatMap((p: any) =>
      ((p.targets ?? []) as any[])
        .filter(
          (t) =>
            (t.datasource?.uid ?? p.datasource?.uid) === METRICS_UID &&
            typeof t.expr === "string" &&
            t.expr.trim(),
        )
        .map((t) => ({
          dashboard: String(d.title),
          panel: String(p.title ?? ""),
          refId: String(t.refId ?? ""),
          expr: String(t.expr),
          variables: (d.templating?.list ?? []) as PanelTarget["variables"],
          rangeSeconds: dashboardRangeSeconds(d),
        })),
    ),
  );
}

/** The community dashboards' targets depend on the emitters alone: built once per set (verify polls). */
const communityCache = new Map<string, PanelTarget[]>();
function communityTargets(emitters: readonly string[]): PanelTarget[] {
  const key = [...emitters].sort().join(",");
  let t = communityCache.get(key);
  if (!t) {
    t = metricsPanelTargets(communityDashboards({ emitters }).map((d) => d.json));
    communityCache.set(key, t);
  }
  return t;
}

/**
 * The tenants the history check reads: what Grafana's Mimir datasources send (the written tenant,
 * then `mimir.previousTenants`), where the plan turns Mimir's tenant federation on, and only
 * there: without it Mimir refuses a read naming two tenants (422, grafana/mimir mimir-3.0.0
 * pkg/api/tenant.go:33-34). Loki's previous tenants are read by no check: verify's only Loki
 * query (`logs`) asks for the last minutes, written to `loki.tenant` alone.
 */
function historyTenants(
  plan: ReturnType<typeof planStack>,
  ds: DatasourceInputs,
): Pick<Expectations, "backendHistoryTenants"> {
  const previous = ds.backendPreviousTenants ?? [];
  if (plan.mimir?.inputs.settings.tenantFederation !== true || !ds.backendTenant || previous.length === 0)
    return {};
  return { backendHistoryTenants: [ds.backendTenant, ...previous] };
}

/**
 * What verify expects of the stack `cfg` describes, from its plan: the phase table's row, the
 * endpoints, the rule sets, the Alertmanager config, the datasources and dashboards the builders
 * produce for that plan. `jobs` are the scrape jobs the rendered stack promises (scrapeJobs in
 * synth/coverage.ts; computed by ./jobs.ts, which needs Helm). Pure.
 */
export function expectationsFor(cfg: StackConfig, jobs: string[]): Expectations {
  const plan = planStack(cfg);
  const ep = plan.endpoints;
  const caps = plan.caps;
  const g = plan.grafana.inputs.settings;
  const alerting = plan.kubePrometheusStack?.inputs.settings.alerting ??
    plan.alertmanager?.inputs.alerting ??
    plan.victoriaMetrics?.inputs.settings.alerting ?? {
      pushover: cfg.alerting.pushover,
      pushoverPriority: cfg.alerting.pushoverPriority,
      heartbeat: cfg.alerting.heartbeat,
      heartbeatInterval: cfg.alerting.heartbeatInterval,
    };
  // Receiver names do not depend on where the Secrets are mounted.
  const receivers = (alertmanagerConfig(alerting, "/secrets").receivers as { name: string }[]).map(
    (r) => r.name,
  );
  const dashboards = dashboardsFor(g.dashboards);
  const dashboardQueries = Object.values(dashboards).flatMap((d) =>
    (d.panels as any[]).flatMap((p) =>
      (p.targets as any[]).map((t) => ({
        dashboard: String(d.title),
        datasourceUid: String(t.datasource?.uid ?? p.datasource?.uid),
        expr: String(t.expr),
      })),
    ),
  );
  const panelTargets = [
    ...metricsPanelTargets(Object.values(dashboards)),
    ...communityTargets(g.dashboards.emitters),
  ];
  const window = durationSeconds(cfg.prometheus.retention);
  if (window === undefined)
    throw new Error(`prometheus.retention: "${cfg.prometheus.retention}" is not a duration`);
  const admin = SECRET_REFS.grafanaAdmin;
  return {
    stack: cfg.stack,
    phase: cfg.phase,
    backend: cfg.metricsBackend,
    caps,
    namespace: cfg.namespace,
    cluster: cfg.cluster,
    serviceUrls: {
      prometheus: ep.prometheus.query,
      // The query path and the ruler's API: one Service, or scaled out the read and backend groups'.
      mimir: ep.mimir.queryBase,
      "mimir-ruler": ep.mimir.base,
      victoriametrics: ep.victoriametrics.query,
      alertmanager: ep.alertmanagers[caps.alertmanager],
      loki: ep.loki.query,
      "loki-ring": ep.loki.ring,
      grafana: ep.grafana,
    },
    jobs: [...new Set(jobs)].sort(),
    ruleGroups: Object.values(plan.rules.inputs.ruleSets).flat(),
    receivers,
    heartbeat: alerting.heartbeat,
    datasources: grafanaDatasources(g.datasources).datasources,
    dashboardQueries,
    panelTargets,
    backendTenant: g.datasources.backendTenant,
    lokiTenant: g.datasources.lokiTenant,
    ...historyTenants(plan, g.datasources),
    nodes: cfg.nodePools.reduce((n, p) => n + p.count, 0),
    nodeLabelled: cfg.nodeLogs.journal || cfg.nodeLogs.syslogFiles.length > 0,
    canary: cfg.loki.canary,
    grafanaAdminSecret: {
      name: plan.secrets.inputs.existingGrafanaAdmin ?? admin.secretName,
      userKey: admin.userKey,
      passwordKey: admin.passwordKey,
    },
    historyWindowSeconds: window,
    loki: {
      mode: cfg.loki.mode,
      replicas: cfg.loki.replicas,
      write: cfg.loki.write,
      replicationFactor: cfg.loki.replicationFactor,
      monolithicSet: RELEASES.loki,
      writeSet: lokiName("write"),
    },
  };
}
