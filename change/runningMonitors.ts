/**
 * The running ServiceMonitors, PodMonitors, Probes and ScrapeConfigs (`--running` with
 * `servicemonitors.yaml`, `podmonitors.yaml`, `probes.yaml`, `scrapeconfigs.yaml`) that the update's Prometheus and PrometheusAgent servers reject and the
 * running ones do not: a `scrapeTimeout` over the interval it is scraped at, which prometheus-operator
 * v0.93.0 answers by leaving the whole monitor out of each selecting server's config
 * (checks/monitorDurations.ts, the rule synth judges the rendered monitors by). A monitor an app
 * brings is not the stack's: synth never sees it, and an update that lowers a server's
 * `scrapeInterval`, or adds a server that selects it, stops its targets' scrapes without a word.
 * A monitor the update renders is left to synth's own check, and one only today's render holds is
 * the stack's, which the update deletes: neither is judged here. Warned, not refused: the report is
 * what ran when it was collected, and the monitor is not the stack file's to mend.
 */
import type { StackObject } from "../synth/render/types";
import { describe, type K8sObject, type Placed } from "../checks/objects";
import { checkMonitorDurations, type IntervalKey } from "../checks/monitorDurations";
import { versions } from "../model/versions";
import { stackKeyAt, type OverridePlace } from "../synth/report";
import type { RunningState } from "../model/running";
import { ownerOf } from "./change";

const FILE: Record<string, string> = {
  ServiceMonitor: "servicemonitors.yaml",
  PodMonitor: "podmonitors.yaml",
  Probe: "probes.yaml",
  ScrapeConfig: "scrapeconfigs.yaml",
};

const key = (o: { kind?: string; metadata?: { name?: string; namespace?: string } }) =>
  `${o.kind} ${o.metadata?.namespace ?? ""}/${o.metadata?.name ?? ""}`;

/**
 * The key the user sets the interval of kube-prometheus-stack's Prometheus (a PrometheusAgent with
 * `prometheus.agentMode`, the same template) with: the chart writes `spec.scrapeInterval` from
 * `prometheus.prometheusSpec.scrapeInterval` when it is not empty, for either kind
 * (kube-prometheus-stack 88.0.0 templates/prometheus/prometheus.yaml:2-8, 135-136; values.yaml:4272
 * `scrapeInterval: ""`, the CRD's default then), and no stack key writes it, so it is the chart
 * value under `chartValues` (docs/how-to/chart-values.md).
 */
const KPS_INTERVAL = `chartValues.${versions.charts.kubePrometheusStack.chart}.prometheus.prometheusSpec.scrapeInterval`;

/** The key behind the interval of each server of `objects` a chart writes it for (`at`: the stack file's lines). */
function intervalKeys(objects: StackObject[], at?: OverridePlace): IntervalKey {
  const keys = new Map(
    objects
      .filter(
        (o) =>
          (o.object.kind === "Prometheus" || o.object.kind === "PrometheusAgent") &&
          o.release?.chart === versions.charts.kubePrometheusStack.chart,
      )
      .map((o) => [o.object, { key: KPS_INTERVAL, placed: stackKeyAt(KPS_INTERVAL, at) }]),
  );
  return (server) => keys.get(server.obj);
}

/**
 * The warning of each running monitor the update's servers reject and the running servers do not,
 * naming the key behind a server's interval (its place in the stack file from `at`).
 */
export function runningMonitorWarnings(
  before: StackObject[],
  after: StackObject[],
  running: RunningState,
  at?: OverridePlace,
): string[] {
  if (!running.monitors) return [];
  const rendered = new Set([...before, ...after].map((o) => key(o.object)));
  const live: Placed[] = running.monitors
    .filter((m) => FILE[m.kind] && !rendered.has(key(m)))
    .map((m) => ({ obj: m as K8sObject, urn: "running", source: `running, ${running.dir}/${FILE[m.kind]}` }));
  // The namespaces' labels, for the servers' namespace selectors.
  const namespaces: Placed[] = (running.namespaces ?? []).map((n) => ({
    obj: n as K8sObject,
    urn: "running",
    source: "running",
  }));
  const places = new Set(live.map(describe));
  const judged = (side: StackObject[]) =>
    checkMonitorDurations(
      [
        ...side.map((o): Placed => ({ obj: o.object, urn: o.resourceUrn, source: ownerOf(o) })),
        ...namespaces,
        ...live,
      ],
      intervalKeys(side, at),
    ).findings.filter((f) => places.has(f.where));
  const today = new Set(judged(before).map((f) => f.where));
  return judged(after)
    .filter((f) => !today.has(f.where))
    .map(
      (f) => `${f.where}, which the update does not render: ${f.message} (the running servers take it today)`,
    );
}
