/**
 * Which running scraper reads which ServiceMonitor or PodMonitor: the one rule unread-monitor
 * (checks/monitorReaders.ts: is every monitor read) and scrape-authz (checks/scrapeAuthz.ts: may
 * each scraper of a monitor pass its targets' kube-rbac-proxy) both judge by.
 * - a Prometheus or PrometheusAgent (the same resource selector, prometheus-operator v0.93.0
 *   pkg/prometheus/agent/operator.go:929-942) by its `serviceMonitorSelector` / `podMonitorSelector`
 *   (nil selects nothing, `{}` everything, pkg/prometheus/resource_selector.go:98-120 through
 *   metav1.LabelSelectorAsSelector) in its own namespace when the namespace selector is nil
 *   (pkg/operator/operator.go:592-596);
 * - a VMAgent through the VictoriaMetrics operator's converter (every ServiceMonitor becomes a
 *   VMServiceScrape with its labels) by its `serviceScrapeSelector` / `podScrapeSelector` (nil: every
 *   object) when it or the kind's namespace selector is set, else by `selectAllByDefault` (operator
 *   v0.66.0 internal/controller/operator/factory/k8stools/selectors.go:31-52), an object selector
 *   without a namespace selector in its own namespace only (selectors.go:85-87), and only in the
 *   namespaces its operator's WATCH_NAMESPACE lists (selectors.go:74-83); in `daemonSetMode`
 *   it runs whatever its `replicaCount` and reads no ServiceMonitor (factory/vmagent/vmagent.go:360,
 *   collect_scrapes.go:173-176); in `ingestOnlyMode` none (vmagent_scrapeconfig.go:150-153), nor
 *   any of a kind the operator does not convert (`VM_ENABLEDPROMETHEUSCONVERTER_SERVICESCRAPE` /
 *   `_PODMONITOR` false as Go's strconv.ParseBool reads it, config.go:512-519,
 *   vmprometheusconverter_controller.go:266-275);
 * - an Alloy whose config runs `prometheus.operator.servicemonitors` / `podmonitors`, in its
 *   `namespaces` (default all; a list holding an expression, whose value is not known offline, as
 *   each check chooses: ReaderOptions.expressionsReachAll).
 * A namespace selector reaches every namespace (namespace labels are not rendered) and an Alloy
 * component's own `selector` block is not narrowed on. A scraper that does not run (a Prometheus,
 * PrometheusAgent or VMAgent at zero replicas, an Alloy whose pods are parked) reads nothing, nor
 * does a VMAgent in ingestOnlyMode or beside a converter switched off: unread-monitor names them as
 * the scrapers that read none, scrape-authz asks nothing of them.
 */
import { isParked } from "../builders/security/podSecurity";
import { blocksOf, parseAlloy, stringValue, type Expr } from "../upstream/alloy/syntax";
import {
  converterOff,
  convertsNo,
  VM_CONVERTER_ENV,
  vmEnvFrom,
  vmOperators,
  vmWatchList,
} from "../upstream/ruleSelection";
import { alloyConfigs } from "./alloy";
import { expressionsHold, podTemplates, type Placed, type PodTemplate } from "./objects";
import { scaledToZero } from "../upstream/prometheusOperatorScope";
import { named, vmUnreconciled } from "./unreconciledResources";

export type MonitorKind = "ServiceMonitor" | "PodMonitor";

/** A scraper the stack renders that reads no monitor of a kind, and why (for a message to name). */
export interface IdleScraper {
  /** `Prometheus ns/name at zero replicas`, ... */
  name: string;
  at: Pick<Placed, "urn" | "source">;
  /** The mistake it is idle by, when another check says it too: no operator reconciles it (MISTAKES.unreconciled). */
  cause?: string;
}

/** A running scraper of monitors of one kind: who it is, where rendered, and which it reads. */
export interface MonitorReader {
  /** `Prometheus ns/name`, `PrometheusAgent ns/name`, `VMAgent ns/name`, `Alloy <ConfigMap>/<key>`. */
  name: string;
  /** What it selects monitors by, as a message names it. */
  selects: string;
  /** The CR (its operator makes the pods), or the first running workload of an Alloy config. */
  at: Placed;
  /** An Alloy config's running pod templates (absent for a CR). */
  pods?: PodTemplate[];
  reads: (namespace: string, labels: Record<string, string>) => boolean;
}

/** A label selector as the API server reads it: absent matches nothing, `{}` everything. */
export function selectorMatches(sel: any, labels: Record<string, string>): boolean {
  if (sel === undefined || sel === null) return false;
  for (const [k, v] of Object.entries<string>(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  return expressionsHold(sel.matchExpressions, labels);
}

/** What each kind is selected by, per scraper (field names of the CRs, the Alloy component). */
export const SELECTORS: Record<
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

/** What the VictoriaMetrics operator converts each kind to, for a VMAgent to read (converter/apis.go:104,399 at v0.66.0). */
const CONVERTED: Record<MonitorKind, string> = {
  ServiceMonitor: "VMServiceScrape",
  PodMonitor: "VMPodScrape",
};

/** How a check reads what the render leaves open, and where it puts the scrapers that read none. */
export interface ReaderOptions {
  /**
   * An Alloy `namespaces` list holding an expression (`["monitoring", sys.env("NS")]`): every
   * namespace (true) or its string literals (false); likewise a VictoriaMetrics operator's `envFrom`,
   * which may set WATCH_NAMESPACE: every namespace (true) or as if unset (false). Their values are
   * not known offline, so each check takes the side on which it refuses less: unread-monitor (a
   * monitor none reads) every namespace, scrape-authz (a reader without RBAC for its targets) the
   * narrower reading.
   */
  expressionsReachAll: boolean;
  /** Scrapers rendered that read none of the kind (for a message to name them). */
  idle?: IdleScraper[];
}

/**
 * The namespaces each Alloy `prometheus.operator.servicemonitors` (or `component`, its
 * `podmonitors` sibling) of a config reads, `undefined` for all (an empty list is every namespace,
 * grafana/alloy v1.12.0 internal/component/prometheus/operator/types.go:28-29,79-80). A list holding
 * an expression is read as its string literals (none: an empty list, no namespace known), and a
 * value that is an expression as no namespace, unless `expressionsReachAll`: its value is not known
 * offline, so a check that refuses what is left unread takes it as every namespace.
 */
export function alloyMonitorNamespaces(
  text: string,
  component = "prometheus.operator.servicemonitors",
  expressionsReachAll = false,
): (string[] | undefined)[] {
  const parsed = parseAlloy(text);
  if (parsed.errors.length > 0) return [];
  return [...blocksOf(parsed.body)]
    .filter(({ block, path }) => path.length === 0 && block.name === component)
    .map(({ block }): string[] | undefined => {
      const a = block.body.find((s) => s.kind === "attribute" && s.name === "namespaces");
      if (a?.kind !== "attribute") return undefined;
      // A value not known offline: every namespace, or none known (the literals of none).
      if (a.value.kind !== "array") return expressionsReachAll ? undefined : [];
      const literal = (e: Expr) => e.kind === "literal" && e.type === "string";
      const known = a.value.elements.every(literal);
      if (expressionsReachAll && !known) return undefined;
      const names = a.value.elements.flatMap((e) =>
        e.kind === "literal" && e.type === "string" ? [stringValue(e.raw)] : [],
      );
      return names.length > 0 || !known ? names : undefined;
    });
}

/** The namespaces a VMAgent's operators make it read, or why no operator reconciles it. */
type VmAgentScope = { watched?: string[] | null } | { unreconciled: string };

/**
 * What the VictoriaMetrics operators rendered decide for every VMAgent reading monitors of `kind`:
 * - `scope`, for a VMAgent in namespace `ns`: `watched`, the namespaces the operators reconciling
 *   it watch, listed instead of any selector's (WATCH_NAMESPACE, k8stools/selectors.go:74-83 and
 *   internal/config/config.go:709-723 at v0.66.0; its last entry is the container's); `null` when
 *   such an operator's `envFrom` (victoria-metrics-operator 0.63.1 templates/server.yaml:56-58),
 *   whose ConfigMap or Secret the render does not show, may set it: every namespace with
 *   `reachAll`, else as if unset; undefined: cluster-wide. An operator reconciles only the VMAgents
 *   in the namespaces it watches (its manager's cache holds those alone, internal/manager/
 *   manager.go:220-228, 253-255 `DefaultNamespaces`), so `unreconciled` says why none does, and
 *   one reconciled reads only its own operators' namespaces, not every operator's;
 * - `unconverted`: why no VMAgent reads one, with every operator converting none of `kind` (none
 *   rendered, one installed apart: the converter is taken to run). The value found is named: "false"
 *   is what victoria-metrics-operator's chart writes, any other false spelling the user's own entry.
 */
function vmOperatorScope(
  objects: Placed[],
  kind: MonitorKind,
  reachAll: boolean,
): { scope: (ns: string) => VmAgentScope; unconverted?: string } {
  const operators = vmOperators(objects.map((p) => p.obj));
  // Each operator's list: null not known (every namespace), undefined every namespace.
  const lists = operators.map((o) => (vmEnvFrom(o) && reachAll ? null : vmWatchList(o)));
  const scope = (ns: string): VmAgentScope => {
    if (operators.length === 0) return {};
    // One scaled to 0 runs no pod: it reconciles nothing, whatever it watches.
    const mine = lists.filter((l, i) => !scaledToZero(operators[i]) && (!l || l.includes(ns)));
    if (mine.length === 0) {
      const watching = operators.flatMap((o, i) =>
        scaledToZero(o) ? [] : [`WATCH_NAMESPACE ${JSON.stringify(lists[i]!.join(","))} of ${named(o)}`],
      );
      const zero = operators.filter(scaledToZero).map(named);
      return {
        unreconciled: [
          ...(watching.length > 0
            ? [`its namespace ${JSON.stringify(ns)} is outside those they watch (${watching.join(", ")})`]
            : []),
          ...(zero.length > 0
            ? [`${zero.join(", ")} ${zero.length > 1 ? "run" : "runs"} no pod (spec.replicas 0)`]
            : []),
        ].join(", and "),
      };
    }
    if (mine.includes(null)) return { watched: null };
    if (mine.includes(undefined)) return {};
    return { watched: [...new Set(mine.flatMap((l) => l!))] };
  };
  const off = [...new Set(operators.flatMap((o) => converterOff(o, kind) ?? []))];
  const unconverted =
    operators.length > 0 && operators.every((o) => convertsNo(o, kind))
      ? `which reads no ${kind}s: ${operators.map((o) => `Deployment ${o.metadata?.namespace}/${o.metadata?.name}`).join(", ")} ${operators.length > 1 ? "convert" : "converts"} none to ${CONVERTED[kind]}s (${VM_CONVERTER_ENV[kind]} ${off.map((v) => JSON.stringify(v)).join(", ")}, ${off.every((v) => v === "false") ? "what victoria-metrics-operator's operator.disable_prometheus_converter: true writes" : "false as the operator parses it"})`
      : undefined;
  return { scope, unconverted };
}

/** The Prometheus, PrometheusAgent and VMAgent CRs that read monitors of `kind`; the idle ones to `idle`. */
function operatorReaders(
  objects: Placed[],
  kind: MonitorKind,
  idle: IdleScraper[],
  reachAll: boolean,
): MonitorReader[] {
  const sel = SELECTORS[kind];
  const out: MonitorReader[] = [];
  const { scope: vmScope, unconverted } = vmOperatorScope(objects, kind, reachAll);
  const left = vmUnreconciled(objects.map((p) => p.obj));
  for (const p of objects) {
    const { kind: k, apiVersion, metadata } = p.obj;
    const spec = p.obj.spec ?? {};
    const ns = metadata.namespace ?? "";
    const name = `${k} ${ns}/${metadata.name}`;
    const prom =
      (k === "Prometheus" || k === "PrometheusAgent") && apiVersion.startsWith("monitoring.coreos.com/");
    const vm = k === "VMAgent" && apiVersion.startsWith("operator.victoriametrics.com/");
    const agentScope = vm ? vmScope(ns) : {};
    const watched = "watched" in agentScope ? agentScope.watched : undefined;
    const unreconciled = "unreconciled" in agentScope ? agentScope.unreconciled : undefined;
    // A VMAgent in daemonSetMode runs a DaemonSet (no replica count) that selects no VMServiceScrape.
    const daemonSet = vm && spec.daemonSetMode === true;
    // In ingestOnlyMode the operator selects no scrape object at all (vmagent_scrapeconfig.go:150-153).
    const ingestOnly = vm && spec.ingestOnlyMode === true;
    if ((prom && spec.replicas === 0) || (vm && !daemonSet && spec.replicaCount === 0))
      idle.push({ name: `${name} at zero replicas`, at: p });
    else if (ingestOnly)
      idle.push({ name: `${name} in ingestOnlyMode, which reads no scrape objects`, at: p });
    else if (daemonSet && kind === "ServiceMonitor")
      idle.push({ name: `${name} in daemonSetMode, which reads no ServiceMonitors`, at: p });
    else if (vm && unconverted) idle.push({ name: `${name}, ${unconverted}`, at: p });
    else if (unreconciled)
      idle.push({
        name: `${name}, which no VictoriaMetrics operator reconciles: ${unreconciled}`,
        at: p,
        cause: left(ns)?.cause,
      });
    if (prom && spec.replicas !== 0) {
      const [by, nsBy] = sel.prometheus;
      const nsSel = spec[nsBy];
      const ownOnly = nsSel === undefined || nsSel === null;
      out.push({
        name,
        // A nil namespace selector is as much the reason as the monitor selector: say it.
        selects: `${by} ${JSON.stringify(spec[by] ?? null)}${ownOnly ? `, ${nsBy} null: its own namespace only` : ""}`,
        at: p,
        reads: (n, labels) => selectorMatches(spec[by], labels) && (!ownOnly || n === ns),
      });
    }
    if (
      vm &&
      !ingestOnly &&
      !unconverted &&
      !unreconciled &&
      (daemonSet ? kind === "PodMonitor" : spec.replicaCount !== 0)
    ) {
      // Any of the two selectors set, the object selector decides (nil: every object); neither, selectAllByDefault.
      const set = sel.vmagent.filter((f) => spec[f] !== undefined && spec[f] !== null);
      const [by, nsBy] = sel.vmagent;
      // An object selector without a namespace selector lists the VMAgent's own namespace only
      // (selectors.go:85-87), unless the operator watches a set of namespaces (selectors.go:74-83:
      // those are listed instead, whatever the selectors).
      const ownOnly = set.length === 1 && set[0] === by && watched === undefined;
      const scope = ownOnly
        ? `, ${nsBy} null: its own namespace only`
        : watched
          ? `, its operator's WATCH_NAMESPACE ${JSON.stringify(watched.join(","))}: those namespaces only`
          : "";
      out.push({
        name,
        selects: `${
          set.length > 0
            ? set.map((f) => `${f} ${JSON.stringify(spec[f])}`).join(", ")
            : `selectAllByDefault ${spec.selectAllByDefault === true}`
        }${scope}`,
        at: p,
        reads: (n, labels) =>
          (set.length === 0
            ? spec.selectAllByDefault === true
            : (!set.includes(by) || selectorMatches(spec[by], labels)) && (!ownOnly || n === ns)) &&
          (!watched || watched.includes(n)),
      });
    }
  }
  return out;
}

/**
 * Every running scraper of monitors of `kind` among the rendered objects; those rendered that read
 * none (zero replicas, parked pods, a VMAgent's daemonSetMode for ServiceMonitors, its
 * ingestOnlyMode, the operator's converter off for `kind`) go to `opts.idle`.
 */
export function monitorReaders(objects: Placed[], kind: MonitorKind, opts: ReaderOptions): MonitorReader[] {
  const component = SELECTORS[kind].alloy;
  const idle = opts.idle ?? [];
  const out = operatorReaders(objects, kind, idle, opts.expressionsReachAll);
  const templates = podTemplates(objects);
  for (const c of alloyConfigs(objects)) {
    const scopes = alloyMonitorNamespaces(c.text, component, opts.expressionsReachAll);
    if (scopes.length === 0) continue;
    const pods = templates.filter(
      (t) =>
        t.owner.obj.metadata.namespace === c.namespace &&
        (t.spec.volumes ?? []).some((v: any) => v.configMap?.name === c.configMap),
    );
    const running = pods.filter((t) => !isParked(t.spec));
    if (running.length === 0) {
      if (pods.length > 0)
        idle.push({ name: `Alloy ${c.where} (${component}) with its pods parked`, at: pods[0].owner });
      continue;
    }
    out.push({
      name: `Alloy ${c.where}`,
      selects: component,
      at: running[0].owner,
      pods: running,
      reads: (n) => scopes.some((s) => s === undefined || s.includes(n)),
    });
  }
  return out;
}
