/** A small dashboard for the logging pipeline: ingestion, push errors, agent throughput. */
export function logsDashboard(): Record<string, any> {
  const panel = (id: number, title: string, expr: string, x: number, y: number) => ({
    id,
    title,
    type: "timeseries",
    datasource: { type: "prometheus", uid: "metrics" },
    gridPos: { h: 8, w: 12, x, y },
    targets: [{ refId: "A", expr }],
  });
  return {
    uid: "homelab-logging",
    title: "Logging pipeline",
    schemaVersion: 39,
    time: { from: "now-6h", to: "now" },
    panels: [
      panel(1, "Lines received / s", "sum(rate(loki_distributor_lines_received_total[5m]))", 0, 0),
      panel(
        2,
        "Push 5xx ratio",
        'sum(rate(loki_request_duration_seconds_count{route=~"loki_api_v1_push|api_prom_push",status_code=~"5.."}[5m])) / sum(rate(loki_request_duration_seconds_count{route=~"loki_api_v1_push|api_prom_push"}[5m]))',
        12,
        0,
      ),
      panel(3, "Alloy bytes sent / s", "sum by (instance) (rate(loki_write_sent_bytes_total[5m]))", 0, 8),
      panel(
        4,
        "Vector events sent / s",
        'sum by (host) (rate(vector_component_sent_events_total{component_kind="sink"}[5m]))',
        12,
        8,
      ),
    ],
  };
}
