/**
 * A ServiceMonitor, PodMonitor, Probe or ScrapeConfig whose `scrapeTimeout` is longer than the
 * interval it is scraped at: prometheus-operator v0.93.0 rejects the whole object, silently for the
 * stack (a Warning event and the `prometheus_operator_managed_resources{state="rejected"}` gauge,
 * pkg/prometheus/resource_selector.go:148-168), and writes the config of every Prometheus and
 * PrometheusAgent that selects it without it (`ValidResources()`, pkg/prometheus/server/operator.go:1626-1629,
 * pkg/prometheus/agent/operator.go:981-984): none of its targets is scraped by that server. Read, not run.
 * - the interval is the endpoint's own (`interval`, a ScrapeConfig's `scrapeInterval`), else the
 *   selecting server's `spec.scrapeInterval`, the CRD's `default` when that is absent, as the API
 *   server fills it in (validateScrapeIntervalAndTimeout, resource_selector.go:291-299); an endpoint
 *   without a `scrapeTimeout` is not compared (:292-294);
 * - both are read by `model.ParseDuration` (CompareScrapeTimeoutToScrapeInterval,
 *   pkg/prometheus/promcfg.go:976-994; upstream/engines/references.ts modelDurationMs), so `1m` and
 *   `60s` are equal, and a timeout or interval of the monitor's own too long for it is rejected too
 *   ("invalid scrapeTimeout", :981-987);
 * - each server selects by its `<kind>Selector` (nil: none, `{}`: all) in the namespaces of its
 *   `<kind>NamespaceSelector` (nil: its own, pkg/operator/operator.go:592-596). A namespace selector
 *   other than `{}` is judged only on a Namespace the stack renders (its labels and the name label the
 *   API server adds); elsewhere the monitor is not judged: a check must never refuse a correct stack.
 * One finding per endpoint and interval: a server's `scrapeInterval` that several monitors' timeouts
 * exceed is one mistake (one cause), named once with each monitor as a place.
 */
import { causeKey } from "@homelab-observability/contract";
import { modelDurationMs, modelDurationRefusal } from "../upstream/engines/references";
import { crdDefault } from "./prometheusDurations";
import { SELECTORS, selectorMatches } from "./scrapers";
import { crdsIn, describe, groupOf, releaseUrns, type Finding, type K8sObject, type Placed } from "./objects";

/** The mistake (contract/mistakes.ts causeKey): a server's scrapeInterval under monitors' timeouts. */
const DROPPED_MONITORS = "dropped-monitors";

/** A Prometheus' selector fields for a kind scrapers.ts already names them for. */
const promSelectors = (kind: keyof typeof SELECTORS) => {
  const [by, nsBy] = SELECTORS[kind].prometheus;
  return { by, nsBy };
};

/** How each kind is selected and where its endpoints' durations are (the interval field's name). */
const KINDS: Record<
  string,
  { by: string; nsBy: string; endpoints: (spec: any) => [string, any][]; interval: string }
> = {
  ServiceMonitor: {
    ...promSelectors("ServiceMonitor"),
    endpoints: (s) => list(s.endpoints).map((e, i) => [`endpoints[${i}].`, e]),
    interval: "interval",
  },
  PodMonitor: {
    ...promSelectors("PodMonitor"),
    endpoints: (s) => list(s.podMetricsEndpoints).map((e, i) => [`podMetricsEndpoints[${i}].`, e]),
    interval: "interval",
  },
  Probe: {
    by: "probeSelector",
    nsBy: "probeNamespaceSelector",
    endpoints: (s) => [["", s]],
    interval: "interval",
  },
  ScrapeConfig: {
    by: "scrapeConfigSelector",
    nsBy: "scrapeConfigNamespaceSelector",
    endpoints: (s) => [["", s]],
    interval: "scrapeInterval",
  },
};

const list = (v: unknown): any[] => (Array.isArray(v) ? v : []);
/** A duration field as the operator reads it: unset when absent or "" (its Go zero value). */
const given = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
const isOperatorKind = (o: K8sObject, kinds: string[]) =>
  groupOf(o.apiVersion) === "monitoring.coreos.com" && kinds.includes(o.kind);

/** Whether `server` certainly selects `m`: false too when that rests on labels the render does not hold. */
function selects(server: Placed, m: Placed, namespaces: Map<string, Record<string, string>>): boolean {
  const spec = server.obj.spec ?? {};
  const { by, nsBy } = KINDS[m.obj.kind];
  if (!selectorMatches(spec[by], m.obj.metadata.labels ?? {})) return false;
  const ns = m.obj.metadata.namespace ?? "";
  const nsSel = spec[nsBy];
  if (nsSel === undefined || nsSel === null) return ns === (server.obj.metadata.namespace ?? "");
  const labels = namespaces.get(ns);
  const empty =
    Object.keys(nsSel.matchLabels ?? {}).length === 0 && list(nsSel.matchExpressions).length === 0;
  if (empty) return true;
  return labels !== undefined && selectorMatches(nsSel, { ...labels, "kubernetes.io/metadata.name": ns });
}

/** What one endpoint of `m` makes the operator reject, for the server `server` selecting it. */
function endpointFinding(
  m: Placed,
  server: Placed,
  at: string,
  endpoint: any,
  crds: K8sObject[],
): { finding: Finding; ofServer: boolean } | undefined {
  const field = KINDS[m.obj.kind].interval;
  const timeout = given(endpoint?.scrapeTimeout);
  if (timeout === undefined) return undefined;
  const own = given(endpoint?.[field]);
  const serverSpec = server.obj.spec ?? {};
  const fallback = given(serverSpec.scrapeInterval);
  const interval = own ?? fallback ?? given(crdDefault(server.obj, crds, "scrapeInterval"));
  const serverName = `${server.obj.kind} ${server.obj.metadata.namespace}/${server.obj.metadata.name}`;
  const kind = m.obj.kind;
  const dropped = `prometheus-operator rejects the whole ${kind} and writes ${serverName}'s config without it, so ${serverName} scrapes none of its targets`;
  // Too long for model.ParseDuration (resource_selector.go rejects on the parse error as well).
  for (const [f, v] of [
    ["scrapeTimeout", timeout],
    [field, own],
  ] as const) {
    const refused = v === undefined ? undefined : modelDurationRefusal(v);
    if (refused)
      return {
        ofServer: false,
        finding: {
          check: "monitor-duration",
          where: describe(m),
          message: `${at}${f}: expected a duration model.ParseDuration reads, got ${JSON.stringify(v)} ("${refused}"): ${dropped}`,
          judged: [f],
        },
      };
  }
  if (interval === undefined) return undefined;
  const [t, i] = [modelDurationMs(timeout), modelDurationMs(interval)];
  if (t === undefined || i === undefined || t <= i) return undefined;
  // The operator's own words (%q of each: JSON's quoting for the CRD pattern's characters).
  const said = `scrapeTimeout ${JSON.stringify(timeout)} greater than scrapeInterval ${JSON.stringify(interval)}`;
  if (own !== undefined)
    return {
      ofServer: false,
      finding: {
        check: "monitor-duration",
        where: describe(m),
        message: `${at}scrapeTimeout: expected at most its ${at}${field} ${JSON.stringify(own)}, got ${JSON.stringify(timeout)} (${JSON.stringify(said)}): ${dropped}; set ${at}scrapeTimeout to at most ${JSON.stringify(own)} or ${at}${field} to at least ${JSON.stringify(timeout)}`,
        judged: [field, "scrapeTimeout"],
      },
    };
  const whose =
    fallback !== undefined
      ? `${serverName}'s spec.scrapeInterval ${JSON.stringify(interval)}`
      : `${serverName}'s spec.scrapeInterval, the CRD's default ${JSON.stringify(interval)}`;
  return {
    ofServer: true,
    finding: {
      check: "monitor-duration",
      where: describe(m),
      message: `${at}scrapeTimeout: expected at most the interval it is scraped at, ${whose} (${at}${field} is unset), got ${JSON.stringify(timeout)} (${JSON.stringify(said)}): ${dropped}; set ${at}${field} to at least ${JSON.stringify(timeout)}, ${at}scrapeTimeout to at most ${JSON.stringify(interval)}, or ${serverName}'s spec.scrapeInterval to at least ${JSON.stringify(timeout)}`,
      judged: ["scrapeTimeout", "scrapeInterval"],
      // The server's interval is as much the cause as the monitor's timeout: both releases' values.
      releases: releaseUrns([m, server]),
      cause: causeKey(DROPPED_MONITORS, `${server.urn}:${serverName}:${interval}`),
    },
  };
}

/** Judges every monitor a running prometheus-operator server of the rendered stack selects. */
export function checkMonitorDurations(objects: Placed[]): { judged: number; findings: Finding[] } {
  const servers = objects.filter(
    (p) => isOperatorKind(p.obj, ["Prometheus", "PrometheusAgent"]) && p.obj.spec?.replicas !== 0,
  );
  if (servers.length === 0) return { judged: 0, findings: [] };
  const monitors = objects.filter((p) => isOperatorKind(p.obj, Object.keys(KINDS)));
  const namespaces = new Map(
    objects
      .filter((p) => p.obj.kind === "Namespace" && p.obj.apiVersion === "v1")
      .map((p) => [p.obj.metadata.name, p.obj.metadata.labels ?? {}]),
  );
  const crds = crdsIn(objects);
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const m of monitors)
    for (const server of servers) {
      if (!selects(server, m, namespaces)) continue;
      for (const [at, endpoint] of KINDS[m.obj.kind].endpoints(m.obj.spec ?? {})) {
        const f = endpointFinding(m, server, at, endpoint, crds);
        // A monitor's own durations are one mistake whichever server reads it.
        const key = f && `${f.finding.where}\n${f.ofServer ? server.urn : ""}\n${at}`;
        if (f && key && !seen.has(key)) {
          seen.add(key);
          findings.push(f.finding);
        }
      }
    }
  return { judged: monitors.length, findings };
}
