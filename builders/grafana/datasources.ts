import type { PhaseCapabilities, Backend } from "../../model/phases";
import { MANAGE_ALERTS } from "../../upstream/grafanaAlerting";

export interface Datasource {
  name: string;
  type: "prometheus" | "loki";
  uid: string;
  url: string;
  access: "proxy";
  isDefault: boolean;
  editable: false;
  jsonData?: Record<string, unknown>;
  secureJsonData?: Record<string, string>;
}

export interface DatasourceInputs {
  /** What the phase runs (model/phases.ts): Prometheus, the backend, which one is the default. */
  caps: Pick<PhaseCapabilities, "kps" | "backend" | "defaultDatasource">;
  backend: Backend;
  /** Prometheus query URL (kube-prometheus-stack), while it exists. */
  prometheusUrl: string;
  /** Backend query URL (Mimir's /prometheus, or vmsingle). */
  backendUrl: string;
  lokiUrl: string;
  /** Tenant header for the backend (Mimir multitenancy) and for Loki (auth_enabled). */
  backendTenant?: string;
  lokiTenant?: string;
  /**
   * Tenants read beside each one (`mimir.previousTenants`, `loki.previousTenants`), only with a
   * tenant. Default none.
   */
  backendPreviousTenants?: readonly string[];
  lokiPreviousTenants?: readonly string[];
}

/** uid of the default metrics datasource: dashboards reference it, so it never changes across the flip. */
export const METRICS_UID = "metrics";

/** uid of the VictoriaMetrics datasource, provisioned whenever vmsingle runs. */
export const VICTORIAMETRICS_UID = "victoriametrics";

/** uid of the Loki datasource, the same in every phase. */
export const LOKI_UID = "loki";

/**
 * uids of the datasources Grafana's alerting pages use while the others read several tenants
 * (`mimir.previousTenants`, `loki.previousTenants`): the engines' ruler APIs answer one tenant only.
 */
export const MIMIR_ALERTING_UID = "mimir-alerting";
export const LOKI_ALERTING_UID = "loki-alerting";
/** Their names. */
export const MIMIR_ALERTING_NAME = "Mimir (alerting)";
export const LOKI_ALERTING_NAME = "Loki (alerting)";

/**
 * The separator of the tenants one read covers (grafana/dskit tenant/tenant.go `tenantIDsSeparator`,
 * vendored by Loki v3.7.6 and Mimir 3.0.0).
 */
export const TENANT_SEPARATOR = "|";

/**
 * The X-Scope-OrgID a datasource sends: its tenant first (the one written), then the previous ones,
 * which the engine's federation reads beside it.
 */
const tenantHeader = (tenant?: string, previous: readonly string[] = []) =>
  tenant
    ? {
        jsonData: {
          httpHeaderName1: "X-Scope-OrgID",
          // Grafana's alerting pages ask every datasource that manages alerts for its rules, and
          // the engine's ruler API refuses a request naming several tenants: this one stays out.
          ...(previous.length > 0 ? { [MANAGE_ALERTS]: false } : {}),
        },
        secureJsonData: { httpHeaderValue1: [tenant, ...previous].join(TENANT_SEPARATOR) },
      }
    : {};

/**
 * The datasource the alerting pages use instead of one that reads several tenants: the same
 * engine, the written tenant alone, managing alerts. None while one tenant is read.
 */
function alertingDatasource(
  base: { name: string; type: "prometheus" | "loki"; uid: string; url: string },
  tenant?: string,
  previous: readonly string[] = [],
): Datasource[] {
  if (!tenant || previous.length === 0) return [];
  return [
    {
      ...base,
      access: "proxy",
      isDefault: false,
      editable: false,
      jsonData: { httpHeaderName1: "X-Scope-OrgID", [MANAGE_ALERTS]: true },
      secureJsonData: { httpHeaderValue1: tenant },
    },
  ];
}

/**
 * Datasources per phase. "Metrics" (uid `metrics`, the only default) points at Prometheus until
 * the table's flip (caps.defaultDatasource), then at the backend, so dashboards keep working
 * through the flip in one update.
 * The explicit Prometheus and backend datasources stay for comparison while both exist.
 * With previous tenants, each datasource that reads them is kept off Grafana's alerting pages and
 * one more per engine, "Mimir (alerting)" or "Loki (alerting)", serves them with one tenant.
 */
export function grafanaDatasources(input: DatasourceInputs): {
  datasources: Datasource[];
  deleteDatasources: { name: string; orgId: number }[];
} {
  const primaryIsBackend = input.caps.defaultDatasource === "backend";
  const backendName = input.backend === "mimir" ? "Mimir" : "VictoriaMetrics";
  const backendUid = input.backend === "mimir" ? "mimir" : VICTORIAMETRICS_UID;
  const hasPrometheus = input.caps.kps;
  const hasBackend = input.caps.backend;
  const backendExtra = tenantHeader(input.backendTenant, input.backendPreviousTenants);
  const ds: any[] = [
    {
      name: "Metrics",
      type: "prometheus",
      uid: METRICS_UID,
      url: primaryIsBackend ? input.backendUrl : input.prometheusUrl,
      access: "proxy",
      isDefault: true,
      editable: false,
      ...(primaryIsBackend ? backendExtra : {}),
    },
  ];
  if (hasPrometheus) {
    ds.push({
      name: "Prometheus",
      type: "prometheus",
      uid: "prometheus",
      url: input.prometheusUrl,
      access: "proxy",
      isDefault: false,
      editable: false,
    });
  }
  if (hasBackend) {
    ds.push({
      name: backendName,
      type: "prometheus",
      uid: backendUid,
      url: input.backendUrl,
      access: "proxy",
      isDefault: false,
      editable: false,
      ...backendExtra,
    });
    ds.push(
      ...alertingDatasource(
        { name: MIMIR_ALERTING_NAME, type: "prometheus", uid: MIMIR_ALERTING_UID, url: input.backendUrl },
        input.backendTenant,
        input.backendPreviousTenants,
      ),
    );
  }
  ds.push({
    name: "Loki",
    type: "loki",
    uid: LOKI_UID,
    url: input.lokiUrl,
    access: "proxy",
    isDefault: false,
    editable: false,
    ...tenantHeader(input.lokiTenant, input.lokiPreviousTenants),
  });
  ds.push(
    ...alertingDatasource(
      { name: LOKI_ALERTING_NAME, type: "loki", uid: LOKI_ALERTING_UID, url: input.lokiUrl },
      input.lokiTenant,
      input.lokiPreviousTenants,
    ),
  );
  // Provisioning never removes a datasource on its own: say so when Prometheus goes away.
  const deleteDatasources = hasPrometheus ? [] : [{ name: "Prometheus", orgId: 1 }];
  return { datasources: ds, deleteDatasources };
}
