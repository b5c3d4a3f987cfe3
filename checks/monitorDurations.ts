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
 * One finding per endpoint and interval: a monitor's own durations are one mistake, naming every
 * server that selects it; a server's `scrapeInterval` that several monitors' timeouts exceed is one
 * mistake (one cause), named once with each monitor as a place.
 */
import { causeKey } from "@homelab-observability/contract";
import { modelDurationMs, modelDurationRefusal } from "../upstream/engines/references";
import { crdDefault } from "./prometheusDurations";
import { SELECTORS, selectorMatches } from "./scrapers";
import { crdsIn, describe, groupOf, releaseUrns, type Finding, type K8sObject, type Placed } from "./objects";
import { operatorReads } from "../upstream/prometheusOperatorScope";

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

const nameOf = (server: Placed) =>
  `${server.obj.kind} ${server.obj.metadata.namespace}/${server.obj.metadata.name}`;

/** What the operator does with a monitor it rejects, for the servers `names` that select it. */
const droppedFrom = (kind: string, names: string[]) =>
  names.length === 1
    ? `prometheus-operator rejects the whole ${kind} and writes ${names[0]}'s config without it, so ${names[0]} scrapes none of its targets`
    : `prometheus-operator rejects the whole ${kind} and writes the configs of ${names.join(", ")} without it, so none of them scrapes any of its targets`;

/**
 * The key a user sets a server's `spec.scrapeInterval` with (`key`), and the same with its place in
 * the stack file (`placed`); undefined for a server no key writes, named by its field.
 */
export type IntervalKey = (server: Placed) => { key: string; placed: string } | undefined;

/**
 * What one endpoint of `m` makes the operator reject, for the servers `selecting` it: a mistake of
 * the monitor's own durations once, naming each server; one of a server's interval once per server.
 */
function endpointFindings(
  m: Placed,
  selecting: Placed[],
  at: string,
  endpoint: any,
  crds: K8sObject[],
  intervalKey?: IntervalKey,
): Finding[] {
  const field = KINDS[m.obj.kind].interval;
  const timeout = given(endpoint?.scrapeTimeout);
  if (timeout === undefined) return [];
  const own = given(endpoint?.[field]);
  const kind = m.obj.kind;
  const dropped = droppedFrom(kind, selecting.map(nameOf));
  // Too long for model.ParseDuration (resource_selector.go rejects on the parse error as well).
  for (const [f, v] of [
    ["scrapeTimeout", timeout],
    [field, own],
  ] as const) {
    const refused = v === undefined ? undefined : modelDurationRefusal(v);
    if (refused)
      return [
        {
          check: "monitor-duration",
          where: describe(m),
          message: `${at}${f}: expected a duration model.ParseDuration reads, got ${JSON.stringify(v)} ("${refused}"): ${dropped}`,
          judged: [f],
        },
      ];
  }
  const t = modelDurationMs(timeout);
  // The operator's own words (%q of each: JSON's quoting for the CRD pattern's characters).
  const said = (interval: string) =>
    `scrapeTimeout ${JSON.stringify(timeout)} greater than scrapeInterval ${JSON.stringify(interval)}`;
  if (own !== undefined) {
    const i = modelDurationMs(own);
    if (t === undefined || i === undefined || t <= i) return [];
    return [
      {
        check: "monitor-duration",
        where: describe(m),
        message: `${at}scrapeTimeout: expected at most its ${at}${field} ${JSON.stringify(own)}, got ${JSON.stringify(timeout)} (${JSON.stringify(said(own))}): ${dropped}; set ${at}scrapeTimeout to at most ${JSON.stringify(own)} or ${at}${field} to at least ${JSON.stringify(timeout)}`,
        judged: [field, "scrapeTimeout"],
      },
    ];
  }
  return selecting.flatMap((server): Finding[] => {
    const fallback = given(server.obj.spec?.scrapeInterval);
    const interval = fallback ?? given(crdDefault(server.obj, crds, "scrapeInterval"));
    const i = interval === undefined ? undefined : modelDurationMs(interval);
    if (interval === undefined || t === undefined || i === undefined || t <= i) return [];
    const serverName = nameOf(server);
    // The key the user sets where one writes the field, the field itself otherwise.
    const key = intervalKey?.(server);
    const crField = `${serverName}'s spec.scrapeInterval`;
    const setAt = key ? key.key : crField;
    const whose = key
      ? fallback !== undefined
        ? `${serverName}'s [spec.scrapeInterval] ${JSON.stringify(interval)}, set by ${key.placed}`
        : `${serverName}'s [spec.scrapeInterval], the CRD's default ${JSON.stringify(interval)} as ${key.placed} is unset`
      : fallback !== undefined
        ? `${crField} ${JSON.stringify(interval)}`
        : `${crField}, the CRD's default ${JSON.stringify(interval)}`;
    return [
      {
        check: "monitor-duration",
        where: describe(m),
        message: `${at}scrapeTimeout: expected at most the interval it is scraped at, ${whose} (${at}${field} is unset), got ${JSON.stringify(timeout)} (${JSON.stringify(said(interval))}): ${droppedFrom(kind, [serverName])}; set ${at}${field} to at least ${JSON.stringify(timeout)}, ${at}scrapeTimeout to at most ${JSON.stringify(interval)}, or ${setAt} to at least ${JSON.stringify(timeout)}`,
        judged: ["scrapeTimeout", "scrapeInterval"],
        // The server's interval is as much the cause as the monitor's timeout: both releases' values.
        releases: releaseUrns([m, server]),
        cause: causeKey(DROPPED_MONITORS, `${server.urn}:${serverName}:${interval}`),
      },
    ];
  });
}

/**
 * Judges every monitor a running prometheus-operator server of the rendered stack selects: not one
 * at zero replicas, nor a paused one (the operator takes no action for it, its config not rewritten,
 * so nothing is dropped while it stays paused: pkg/prometheus/server/operator.go:934-937,
 * pkg/prometheus/agent/operator.go:674-677), nor one no operator certainly reconciles, nor, for a
 * server, a monitor outside the namespaces its operators read (upstream/prometheusOperatorScope.ts):
 * never read, it is never rejected. `intervalKey` names the key behind a server's interval where
 * the caller knows it (change/runningMonitors.ts: the chart value the stack file sets).
 */
export function checkMonitorDurations(
  objects: Placed[],
  intervalKey?: IntervalKey,
): { judged: number; findings: Finding[] } {
  const reads = operatorReads(objects.map((p) => p.obj));
  const servers = objects.filter(
    (p) =>
      isOperatorKind(p.obj, ["Prometheus", "PrometheusAgent"]) &&
      p.obj.spec?.replicas !== 0 &&
      p.obj.spec?.paused !== true &&
      reads.servers(p.obj),
  );
  if (servers.length === 0) return { judged: 0, findings: [] };
  // A monitor counts where some server's operators all read its namespace.
  const readBy = (server: Placed, m: Placed) => reads.monitors(server.obj, m.obj.metadata.namespace ?? "");
  const monitors = objects.filter(
    (p) => isOperatorKind(p.obj, Object.keys(KINDS)) && servers.some((server) => readBy(server, p)),
  );
  const namespaces = new Map(
    objects
      .filter((p) => p.obj.kind === "Namespace" && p.obj.apiVersion === "v1")
      .map((p) => [p.obj.metadata.name, p.obj.metadata.labels ?? {}]),
  );
  const crds = crdsIn(objects);
  const findings: Finding[] = [];
  for (const m of monitors) {
    const selecting = servers.filter((server) => readBy(server, m) && selects(server, m, namespaces));
    if (selecting.length === 0) continue;
    for (const [at, endpoint] of KINDS[m.obj.kind].endpoints(m.obj.spec ?? {}))
      findings.push(...endpointFindings(m, selecting, at, endpoint, crds, intervalKey));
  }
  return { judged: monitors.length, findings };
}
