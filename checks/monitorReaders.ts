/**
 * Every ServiceMonitor and PodMonitor the stack renders is read by a scraper the stack runs: a
 * monitor none reads is a target nobody scrapes, and the series the stack's dashboards and rules
 * read from it stop with nothing to say so (a `chartValues` override of kube-prometheus-stack's
 * `prometheus.prometheusSpec.serviceMonitorSelector` that no monitor's labels match, say). The
 * scrapers and which monitors each reads are checks/scrapers.ts monitorReaders, the rule
 * scrape-authz judges by too: where unsure it takes a monitor as read (a namespace selector reaches
 * every namespace), so this check never refuses for it; a scraper that does not run reads nothing.
 * One finding per monitor, all those a scraper set leaves unread under one cause (one message
 * naming each as a place), on the scrapers' releases and the monitor's: synth/report.ts traces it
 * to the `chartValues` override behind it.
 */
import { causeKey } from "@homelab-observability/contract";
import { versions } from "../model/versions";
import { chartOf, describe, releaseUrns, type Finding, type Placed } from "./objects";
import { monitorReaders, SELECTORS, type IdleScraper, type MonitorKind } from "./scrapers";

/** The mistake (contract/mistakes.ts causeKey): monitors one set of scrapers leaves unread. */
const UNREAD_MONITORS = "unread-monitors";

const isMonitor = (p: Placed, kind: MonitorKind) =>
  p.obj.kind === kind && p.obj.apiVersion.startsWith("monitoring.coreos.com/");

/**
 * What names the values key behind a kube-prometheus-stack Prometheus' selector of `kind` when it is
 * the chart's release label: kube-prometheus-stack 88.0.0 templates/prometheus/prometheus.yaml:193-202,
 * 209-218 render `release: <release name>` for `<by>NilUsesHelmValues: true` with `<by>` empty (the
 * program sets it false, builders/metrics/kpsValues.ts), so the message names that key (which
 * synth/report.ts then traces to its override) only when the rendered selector is that label. The
 * chart always renders the namespace selector (`{}` when unset, :203-208, :219-224), so the
 * reader's `selects` is its `<by>` phrase alone and these words follow it.
 */
function nilUsesHelmValues(p: Placed, kind: MonitorKind): string {
  const [by, nsBy] = SELECTORS[kind].prometheus;
  const release = p.obj.metadata.labels?.release;
  const spec = p.obj.spec ?? {};
  if (chartOf(p.obj) !== versions.charts.kubePrometheusStack.chart || release === undefined) return "";
  if (spec[nsBy] === undefined || spec[nsBy] === null) return "";
  if (JSON.stringify(spec[by]) !== JSON.stringify({ matchLabels: { release } })) return "";
  const values = "values.prometheus.prometheusSpec";
  // A rule of the chart's, true whether this label came from it or was written as the selector.
  return `: the label ${versions.charts.kubePrometheusStack.chart} renders in place of an empty ${values}.${by} when ${values}.${by}NilUsesHelmValues is true`;
}

/** The check: each ServiceMonitor and PodMonitor is read by at least one running scraper. */
export function checkMonitorReaders(objects: Placed[]): { monitors: number; findings: Finding[] } {
  const findings: Finding[] = [];
  let monitors = 0;
  for (const kind of ["ServiceMonitor", "PodMonitor"] as const) {
    const all = objects.filter((p) => isMonitor(p, kind));
    monitors += all.length;
    if (all.length === 0) continue;
    const idle: IdleScraper[] = [];
    // A monitor left unread is refused: an Alloy namespaces list holding an expression (its value
    // not known offline) is taken as every namespace, never refusing a monitor it may name.
    const readers = monitorReaders(objects, kind, { expressionsReachAll: true, idle });
    const named = readers.map((r) => `${r.name} (${r.selects}${nilUsesHelmValues(r.at, kind)})`);
    const scrapers = readers.length
      ? `the stack's scrapers of ${kind}s: ${named.join(", ")}`
      : idle.length
        ? `the stack runs no scraper of ${kind}s: ${idle.map((r) => r.name).join(", ")}`
        : `the stack runs no scraper of ${kind}s (no Prometheus or PrometheusAgent, no VMAgent, no Alloy config with ${SELECTORS[kind].alloy})`;
    // One cause per kind and scraper set: one selector that drops them all is one message. With
    // none running because no operator reconciles one, that is the cause (checks/unreconciledResources.ts).
    const idleBy = readers.length === 0 && idle.length > 0 ? idle[0].cause : undefined;
    const cause =
      idleBy !== undefined && idle.every((r) => r.cause === idleBy)
        ? idleBy
        : causeKey(UNREAD_MONITORS, `${kind}:${named.join(",")}`);
    for (const m of all) {
      const labels = m.obj.metadata.labels ?? {};
      const ns = m.obj.metadata.namespace ?? "";
      if (readers.some((r) => r.reads(ns, labels))) continue;
      // With none running, the override that stopped them is behind it.
      const releases = releaseUrns([...(readers.length ? readers : idle).map((r) => r.at), m]);
      findings.push({
        check: "unread-monitor",
        where: describe(m),
        message: `${kind} ${ns}/${m.obj.metadata.name} (labels ${JSON.stringify(labels)}) is read by no scraper (${scrapers}): its targets are never scraped: their series stop, and with them every panel and rule that reads them`,
        cause,
        // Which scrapers run and what they select follow from values, no pod's size or place.
        ...(releases.length > 0 ? { releases, wiring: true } : {}),
      });
    }
  }
  return { monitors, findings };
}
