/**
 * Every ServiceMonitor and PodMonitor the stack renders is read by a scraper the stack runs: a
 * monitor none reads is a target nobody scrapes, and the series the stack's dashboards and rules
 * read from it stop with nothing to say so (a `chartValues` override of kube-prometheus-stack's
 * `prometheus.prometheusSpec.serviceMonitorSelector` that no monitor's labels match, say). The
 * scrapers and their rules are those checks/scrapeAuthz.ts models:
 * - a Prometheus or PrometheusAgent (the same resource selector, pkg/prometheus/agent/operator.go:934-939)
 *   by its `serviceMonitorSelector` / `podMonitorSelector` (prometheus-operator
 *   v0.93.0: nil selects nothing, `{}` everything, pkg/prometheus/resource_selector.go:98-120) in
 *   its own namespace when the namespace selector is nil (pkg/operator/operator.go:592-596);
 * - a VMAgent through the VictoriaMetrics operator's converter by its `serviceScrapeSelector` /
 *   `podScrapeSelector` (nil: every object) when it or the kind's namespace selector is set, else by
 *   `selectAllByDefault` (operator v0.66.0 internal/controller/operator/factory/k8stools/selectors.go:31-52);
 *   in `daemonSetMode` it runs whatever its `replicaCount` and reads no ServiceMonitor
 *   (factory/vmagent/vmagent.go:360, collect_scrapes.go:173-176);
 * - an Alloy whose config runs `prometheus.operator.servicemonitors` / `podmonitors`, in its
 *   `namespaces` (default all).
 * Where unsure the monitor is taken as read, never refused: a namespace selector (namespace labels
 * are not rendered) reaches every namespace, an Alloy component's own `selector` block is not
 * narrowed on. A scraper that does not run (a Prometheus or VMAgent at zero replicas, an Alloy
 * whose pods are parked) reads nothing.
 * One finding per monitor, all those a scraper set leaves unread under one cause (one message
 * naming each as a place), on the scrapers' releases and the monitor's: synth/report.ts traces it
 * to the `chartValues` override behind it.
 */
import { causeKey } from "@homelab-observability/contract";
import { isParked } from "../builders/security/podSecurity";
import { alloyConfigs } from "./alloy";
import { describe, podTemplates, releaseUrns, type Finding, type Placed } from "./objects";
import { alloyMonitorNamespaces, selectorMatches } from "./scrapeAuthz";

type MonitorKind = "ServiceMonitor" | "PodMonitor";

/** The mistake (contract/mistakes.ts causeKey): monitors one set of scrapers leaves unread. */
const UNREAD_MONITORS = "unread-monitors";

/** A scraper of monitors of one kind: who it is, where rendered, and which it reads. */
interface MonitorReader {
  name: string;
  at: Pick<Placed, "urn" | "source">;
  reads: (namespace: string, labels: Record<string, string>) => boolean;
}

/** What each kind is selected by, per scraper (field names of the CRs, the Alloy component). */
const SELECTORS: Record<
  MonitorKind,
  { prometheus: [string, string]; vmagent: [string, string]; alloy: string }
> = {
  ServiceMonitor: {
    prometheus: ["serviceMonitorSelector", "serviceMonitorNamespaceSelector"],
    vmagent: ["serviceScrapeSelector", "serviceScrapeNamespaceSelector"],
    alloy: "prometheus.operator.servicemonitors",
  },
  PodMonitor: {
    prometheus: ["podMonitorSelector", "podMonitorNamespaceSelector"],
    vmagent: ["podScrapeSelector", "podScrapeNamespaceSelector"],
    alloy: "prometheus.operator.podmonitors",
  },
};

const isMonitor = (p: Placed, kind: MonitorKind) =>
  p.obj.kind === kind && p.obj.apiVersion.startsWith("monitoring.coreos.com/");

/**
 * Every running scraper of monitors of `kind` among the rendered objects; those rendered that read
 * none (zero replicas, parked pods, a VMAgent's daemonSetMode for ServiceMonitors) go to `idle`, for
 * the message to name them.
 */
export function monitorReaders(
  objects: Placed[],
  kind: MonitorKind,
  idle: Pick<MonitorReader, "name" | "at">[] = [],
): MonitorReader[] {
  const sel = SELECTORS[kind];
  const out: MonitorReader[] = [];
  for (const p of objects) {
    const { kind: k, apiVersion, metadata } = p.obj;
    const spec = p.obj.spec ?? {};
    const ns = metadata.namespace ?? "";
    const name = `${k} ${ns}/${metadata.name}`;
    const prom =
      (k === "Prometheus" || k === "PrometheusAgent") && apiVersion.startsWith("monitoring.coreos.com/");
    const vm = k === "VMAgent" && apiVersion.startsWith("operator.victoriametrics.com/");
    // A VMAgent in daemonSetMode runs a DaemonSet (no replica count) that selects no VMServiceScrape.
    const daemonSet = vm && spec.daemonSetMode === true;
    if ((prom && spec.replicas === 0) || (vm && !daemonSet && spec.replicaCount === 0))
      idle.push({ name: `${name} at zero replicas`, at: p });
    else if (daemonSet && kind === "ServiceMonitor")
      idle.push({ name: `${name} in daemonSetMode, which reads no ServiceMonitors`, at: p });
    if (prom && spec.replicas !== 0) {
      const [by, nsBy] = sel.prometheus;
      const nsSel = spec[nsBy];
      out.push({
        // A nil namespace selector is as much the reason as the monitor selector: say it.
        name: `${name} (${by} ${JSON.stringify(spec[by] ?? null)}${nsSel === undefined || nsSel === null ? `, ${nsBy} null: its own namespace only` : ""})`,
        at: p,
        reads: (n, labels) =>
          selectorMatches(spec[by], labels) && (nsSel === undefined || nsSel === null ? n === ns : true),
      });
    }
    if (vm && (daemonSet ? kind === "PodMonitor" : spec.replicaCount !== 0)) {
      // Any of the two selectors set, the object selector decides (nil: every object); neither, selectAllByDefault.
      const set = sel.vmagent.filter((f) => spec[f] !== undefined && spec[f] !== null);
      const [by] = sel.vmagent;
      out.push({
        name: `${name} (${set.length > 0 ? set.map((f) => `${f} ${JSON.stringify(spec[f])}`).join(", ") : `selectAllByDefault ${spec.selectAllByDefault === true}`})`,
        at: p,
        reads: (_n, labels) =>
          set.length === 0
            ? spec.selectAllByDefault === true
            : !set.includes(by) || selectorMatches(spec[by], labels),
      });
    }
  }
  for (const c of alloyConfigs(objects)) {
    const scopes = alloyMonitorNamespaces(c.text, sel.alloy);
    if (scopes.length === 0) continue;
    const pods = podTemplates(objects).filter(
      (t) =>
        t.owner.obj.metadata.namespace === c.namespace &&
        (t.spec.volumes ?? []).some((v: any) => v.configMap?.name === c.configMap),
    );
    const runs = pods.find((t) => !isParked(t.spec));
    if (!runs) {
      if (pods.length > 0)
        idle.push({ name: `Alloy ${c.where} (${sel.alloy}) with its pods parked`, at: pods[0].owner });
      continue;
    }
    out.push({
      name: `Alloy ${c.where} (${sel.alloy})`,
      at: runs.owner,
      reads: (n) => scopes.some((s) => s === undefined || s.includes(n)),
    });
  }
  return out;
}

/** The check: each ServiceMonitor and PodMonitor is read by at least one running scraper. */
export function checkMonitorReaders(objects: Placed[]): { monitors: number; findings: Finding[] } {
  const findings: Finding[] = [];
  let monitors = 0;
  for (const kind of ["ServiceMonitor", "PodMonitor"] as const) {
    const all = objects.filter((p) => isMonitor(p, kind));
    monitors += all.length;
    if (all.length === 0) continue;
    const idle: Pick<MonitorReader, "name" | "at">[] = [];
    const readers = monitorReaders(objects, kind, idle);
    const scrapers = readers.length
      ? `the stack's scrapers of ${kind}s: ${readers.map((r) => r.name).join(", ")}`
      : idle.length
        ? `the stack runs no scraper of ${kind}s: ${idle.map((r) => r.name).join(", ")}`
        : `the stack runs no scraper of ${kind}s (no Prometheus or PrometheusAgent, no VMAgent, no Alloy config with ${SELECTORS[kind].alloy})`;
    // One cause per kind and scraper set: one selector that drops them all is one message.
    const cause = causeKey(UNREAD_MONITORS, `${kind}:${readers.map((r) => r.name).join(",")}`);
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
