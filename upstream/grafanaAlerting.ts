/**
 * What Grafana's alerting pages ask of a Prometheus or Loki datasource, and the datasource setting
 * that keeps them from asking. The program runs Grafana 12.3.1: model/versions.ts
 * `images.grafana` sets the grafana chart 12.3.1's `image.tag` (the chart's own default is its
 * `appVersion`, 13.0.1, which does not run). Read, not run. The field is read from the npm package
 * Grafana 12.3.1 publishes, the switch from @grafana/prometheus 12.3.0 (no 12.3.1 is published).
 * The pages and the proxy are read in grafana/grafana at the commits the index stores, since the
 * v12.3.1 tag's commit is not there (each with its commit below); a false `manageAlerts` keeps a
 * datasource off the pages in each of them.
 */

/** Where each fact below was read. */
export const GRAFANA_ALERTING_SOURCES = {
  field:
    "@grafana/data 12.3.1 dist/types/types/datasource.d.ts:461 (DataSourceJsonData.manageAlerts?: boolean); " +
    "@grafana/prometheus 12.3.0 dist/esm/configuration/AlertingSettingsOverhaul.mjs:43-46 (the switch writes jsonData.manageAlerts, unset reads as config.defaultDatasourceManageAlertsUiToggle)",
  rulesSources:
    "grafana/grafana 014fd73c public/app/features/alerting/unified/utils/datasource.ts getRulesDataSources, isDataSourceManagingAlerts " +
    "(jsonData.manageAlerts ?? config.defaultDatasourceManageAlertsUiToggle); the rule list asks every one of them, " +
    "01b458e6 public/app/features/alerting/unified/rule-list/hooks/useFilteredRulesIterator.ts (getExternalRulesSources)",
  proxy:
    "grafana/grafana 03b26ef0 pkg/services/ngalert/api/lotex_prom.go dsTypeToLotexRoutes; " +
    "01602584 pkg/services/ngalert/api/lotex_ruler.go dsTypeToRulerPrefix, subtypeToPrefix",
  provisioning:
    "grafana/grafana 01c83423 pkg/services/provisioning/datasources/types.go: jsonData is a map, copied key by key into the datasource (createInsertCommand, createUpdateCommand)",
} as const;

/**
 * The datasource `jsonData` key that makes a Prometheus or Loki datasource a rules source of
 * Grafana's alerting pages. When it is false, the alert list and the rule pages do not ask that
 * datasource. When it is unset, Grafana's `default_datasource_manage_alerts_ui_toggle` decides.
 */
export const MANAGE_ALERTS = "manageAlerts";

/** The datasource types whose `manageAlerts` makes them rules sources (Grafana's own alert rules aside). */
export const RULES_SOURCE_TYPES: readonly string[] = [
  "loki",
  "prometheus",
  "grafana-amazonprometheus-datasource",
  "grafana-azureprometheus-datasource",
];

/**
 * What Grafana's server asks of a rules source, under the datasource's URL and with its headers:
 * `rules` for the alert list (Grafana's `/api/prometheus/<uid>/api/v1/rules`), `ruler` for the rule
 * pages (`/api/ruler/<uid>/api/v1/rules`; a Prometheus datasource found to be Mimir is asked with
 * `subtype=mimir`).
 */
export const RULES_SOURCE_PATHS: Readonly<Record<"prometheus" | "loki", { rules: string; ruler: string }>> = {
  prometheus: { rules: "/api/v1/rules", ruler: "/config/v1/rules" },
  loki: { rules: "/prometheus/api/v1/rules", ruler: "/api/prom/rules" },
};
