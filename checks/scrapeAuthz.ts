/**
 * Every scrape that goes through a kube-rbac-proxy presents a token its target lets through, read
 * from the rendered objects alone (never from the builders that wrote them):
 * - the targets: each ServiceMonitor endpoint whose Service leads to pods with a kube-rbac-proxy
 *   container; the access that proxy asks of a scrape comes from its own config file, the ConfigMap
 *   its `--config-file` is mounted from (upstream/kubeRbacProxy.ts, kube-rbac-proxy v0.20.0
 *   pkg/proxy/proxy.go:47-135). Such an endpoint must be `https` with a `bearerTokenFile` (the
 *   proxy serves TLS only and answers 401 without a token);
 * - the scrapers that read the ServiceMonitor, by the rule unread-monitor judges by too
 *   (checks/scrapers.ts monitorReaders: selectors per kind, a PrometheusAgent as a Prometheus, a
 *   scraper at zero replicas, a VMAgent in daemonSetMode or ingestOnlyMode or beside an operator whose
 *   converter is off, or an Alloy with its pods parked reading none);
 * - a scraper sending the token at SA_TOKEN_FILE must have it mounted (upstream/serviceMonitorAuth.ts);
 * - each scraper's ServiceAccount must be granted that access by a binding the stack renders, as
 *   the API server's RBAC authorizer decides it (kubernetes pkg/apis/rbac/v1/evaluation_helpers.go
 *   VerbMatches, APIGroupMatches, ResourceMatches with `*` and `* /subresource`, ResourceNameMatches,
 *   NonResourceURLMatches; a RoleBinding grants in its namespace only, a ClusterRoleBinding everywhere;
 *   read through the code search, not run).
 * Only an endpoint whose Service port leads to the proxy's `--secure-listen-address` port is judged;
 * one whose path the proxy's `--allow-paths` leaves out is a finding (404).
 * A scrape the proxy would refuse is a finding (`scrape-authz`): its target's series would vanish
 * with a 401 or 403 in the scraper's target list and nothing else to show for it.
 */
import { notYamlMessage, yamlMistake } from "../model/yamlText";
import { isParked } from "../builders/security/podSecurity";
import {
  CONFIG_FILE_FLAG,
  describeAccess,
  proxyAccessRequest,
  proxyAuthorizationOf,
  PROXY_CONTAINER,
  type ProxyAccessRequest,
} from "../upstream/kubeRbacProxy";
import { SA_TOKEN_FILE } from "../upstream/serviceMonitorAuth";
import { podTemplates, releaseUrns, type Finding, type K8sObject, type Placed } from "./objects";
import { monitorReaders, selectorMatches } from "./scrapers";

/** One ServiceMonitor endpoint that reaches a kube-rbac-proxy, and what the proxy asks of it. */
export interface ProxiedTarget {
  /** `ServiceMonitor ns/name endpoints[i]`. */
  endpoint: string;
  /** The ServiceMonitor's namespace (where scrapers find it). */
  namespace: string;
  monitorLabels: Record<string, string>;
  spec: Record<string, any>;
  access: ProxyAccessRequest;
  /** The endpoint's `bearerTokenFile`, if it names one. */
  bearerTokenFile?: string;
  /** `DaemonSet ns/name` and the ConfigMap its proxy reads. */
  via: string;
  /** The workload running the proxy, where it is rendered. */
  proxiedBy: Pick<Placed, "urn" | "source">;
}

/** A scraper of ServiceMonitors: its account and which monitors it reads. */
export interface MonitorScraper {
  /** `Prometheus ns/name`, `PrometheusAgent ns/name`, `VMAgent ns/name`, `Alloy <ConfigMap>/<key>`. */
  name: string;
  account: { name: string; namespace: string };
  reads: (t: ProxiedTarget) => boolean;
  /** Whether the scraping container has its ServiceAccount token at {@link SA_TOKEN_FILE}. */
  tokenMounted: boolean;
  /** The object it is (a CR) or whose pods run it (an Alloy config's), where it is rendered. */
  at: Pick<Placed, "urn" | "source">;
}

const isKind = (o: K8sObject, kind: string, group: string) =>
  o.kind === kind && (group === "" ? o.apiVersion === "v1" : o.apiVersion.startsWith(`${group}/`));

/** The value of a container's `--flag=` argument (the last one wins, as pflag takes it). */
function flagOf(container: Record<string, any>, flag: string): string | undefined {
  const all = (container.args ?? []).filter((a: unknown) => typeof a === "string" && a.startsWith(flag));
  return all.length > 0 ? all[all.length - 1].slice(flag.length) : undefined;
}

/**
 * Go's path.Match, as `--allow-paths` applies it (kube-rbac-proxy v0.20.0 pkg/filters/path.go:23-50:
 * no match is a 404) and, on Linux, filepath.Match, which Alertmanager's `templates` globs take
 * (checks/readers.ts): `*` within one segment, `?`; character classes are not modelled.
 */
export function globMatches(pattern: string, path: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, "[^/]*")
    .replace(/\?/g, "[^/]");
  return new RegExp(`^${re}$`).test(path);
}

/** The ConfigMap text a container's `--config-file` points at, with where it came from. */
function proxyConfig(
  objects: Placed[],
  namespace: string,
  pod: Record<string, any>,
  container: Record<string, any>,
): { text: string; configMap: string; key: string } | undefined {
  const file = (container.args ?? [])
    .find((a: unknown) => typeof a === "string" && a.startsWith(CONFIG_FILE_FLAG))
    ?.slice(CONFIG_FILE_FLAG.length);
  if (!file) return undefined;
  const mount = (container.volumeMounts ?? []).find((m: any) => file.startsWith(`${m.mountPath}/`));
  const volume = mount && (pod.volumes ?? []).find((v: any) => v.name === mount.name);
  const name = volume?.configMap?.name;
  if (!name) return undefined;
  const cm = objects.find(
    (p) =>
      isKind(p.obj, "ConfigMap", "") &&
      p.obj.metadata.name === name &&
      p.obj.metadata.namespace === namespace,
  );
  const key = file.slice(mount.mountPath.length + 1);
  const text = cm?.obj.data?.[key];
  return typeof text === "string" ? { text, configMap: `${namespace}/${name}`, key } : undefined;
}

/**
 * Every ServiceMonitor endpoint whose Service selects pods running a kube-rbac-proxy, with the
 * access that proxy asks; endpoints that could not pass it (no token, not https) are findings.
 */
export function proxiedTargets(objects: Placed[]): { targets: ProxiedTarget[]; findings: Finding[] } {
  const targets: ProxiedTarget[] = [];
  const findings: Finding[] = [];
  const templates = podTemplates(objects).filter((t) => !isParked(t.spec));
  for (const m of objects.filter((p) => isKind(p.obj, "ServiceMonitor", "monitoring.coreos.com"))) {
    const ns = m.obj.metadata.namespace ?? "";
    const spec = m.obj.spec ?? {};
    const nsSel = spec.namespaceSelector ?? {};
    const inScope = (n: string | undefined) =>
      nsSel.any === true || (nsSel.matchNames ? nsSel.matchNames.includes(n) : n === ns);
    const services = objects.filter(
      (p) =>
        isKind(p.obj, "Service", "") &&
        inScope(p.obj.metadata.namespace) &&
        selectorMatches(spec.selector, p.obj.metadata.labels ?? {}),
    );
    for (const svc of services) {
      const svcNs = svc.obj.metadata.namespace ?? "";
      const podSel = svc.obj.spec?.selector;
      if (!podSel || Object.keys(podSel).length === 0) continue;
      for (const t of templates) {
        if (t.owner.obj.metadata.namespace !== svcNs) continue;
        if (!selectorMatches({ matchLabels: podSel }, t.labels)) continue;
        for (const c of t.spec.containers ?? []) {
          const proxy = c.name === PROXY_CONTAINER || String(c.image ?? "").includes("kube-rbac-proxy");
          if (!proxy) continue;
          const workload = `${t.owner.obj.kind} ${svcNs}/${t.owner.obj.metadata.name}`;
          const cfg = proxyConfig(objects, svcNs, t.spec, c);
          const secure = flagOf(c, "--secure-listen-address=");
          const securePort =
            secure === undefined ? undefined : Number(secure.slice(secure.lastIndexOf(":") + 1));
          const portName = (c.ports ?? []).find((p: any) => p.containerPort === securePort)?.name;
          const allowPaths = flagOf(c, "--allow-paths=")?.split(",");
          (spec.endpoints ?? []).forEach((ep: any, i: number) => {
            const endpoint = `ServiceMonitor ${ns}/${m.obj.metadata.name} endpoints[${i}]`;
            // Only an endpoint whose Service port leads to the proxy's HTTPS port goes through it.
            const sp = (svc.obj.spec?.ports ?? []).find((p: any) => p.name === ep.port);
            const target = sp ? (sp.targetPort ?? sp.port) : ep.targetPort;
            if (
              target === undefined ||
              (target !== securePort && (portName === undefined || target !== portName))
            )
              return;
            const path = ep.path ?? "/metrics";
            if (allowPaths && !allowPaths.some((a) => globMatches(a, path)))
              findings.push({
                check: "scrape-authz",
                where: endpoint,
                message: `${endpoint} scrapes ${path} through the kube-rbac-proxy of ${workload}, whose --allow-paths (${allowPaths.join(",")}) answers it 404`,
              });
            if (!cfg) {
              findings.push({
                check: "scrape-authz",
                where: endpoint,
                message: `${endpoint} reaches the kube-rbac-proxy of ${workload}, whose --config-file comes from no ConfigMap the stack renders: the access it asks cannot be read`,
              });
              return;
            }
            if (ep.scheme !== "https")
              findings.push({
                check: "scrape-authz",
                where: endpoint,
                message: `${endpoint} scrapes the kube-rbac-proxy of ${workload} with scheme ${ep.scheme ?? "http (the default)"}; the proxy serves HTTPS only (--secure-listen-address)`,
              });
            if (!ep.bearerTokenFile && !ep.authorization && !ep.bearerTokenSecret)
              findings.push({
                check: "scrape-authz",
                where: endpoint,
                message: `${endpoint} presents no token to the kube-rbac-proxy of ${workload}, which answers 401 without one (a TokenReview of the bearer token authenticates every request)`,
              });
            let access: ProxyAccessRequest;
            try {
              access = proxyAccessRequest(proxyAuthorizationOf(cfg.text), "GET", path);
            } catch (e) {
              // A config that is not YAML: eemeli/yaml's message would quote its lines.
              const message = yamlMistake(e)
                ? notYamlMessage(
                    `ConfigMap ${cfg.configMap} ${cfg.key}`,
                    cfg.text,
                    e,
                    "a kube-rbac-proxy config (YAML)",
                  )
                : (e as Error).message;
              findings.push({ check: "scrape-authz", where: endpoint, message });
              return;
            }
            targets.push({
              endpoint,
              namespace: ns,
              monitorLabels: m.obj.metadata.labels ?? {},
              spec,
              access,
              ...(ep.bearerTokenFile ? { bearerTokenFile: ep.bearerTokenFile } : {}),
              via: `${workload} (ConfigMap ${cfg.configMap})`,
              proxiedBy: t.owner,
            });
          });
        }
      }
    }
  }
  return { targets, findings };
}

/** Every running scraper of ServiceMonitors among the rendered objects, with its account. */
export function monitorScrapers(objects: Placed[]): MonitorScraper[] {
  const out: MonitorScraper[] = [];
  // A reader is asked for RBAC: an Alloy namespaces list holding an expression is read as its
  // literals (unread-monitor takes it as every namespace), so no access is demanded for a namespace
  // the expression may not name. The same choice as alloy-rbac's (checks/alloyRbac.ts).
  for (const r of monitorReaders(objects, "ServiceMonitor", { expressionsReachAll: false })) {
    const reads = (t: ProxiedTarget) => r.reads(t.namespace, t.monitorLabels);
    if (!r.pods) {
      const { kind, metadata } = r.at.obj;
      const spec = r.at.obj.spec ?? {};
      const vm = kind === "VMAgent";
      // The pods' account: the CR's `serviceAccountName`, else the operator's default (prometheus-operator
      // leaves it to the namespace's `default`; the VictoriaMetrics operator makes `vmagent-<name>`,
      // api/operator/v1beta1/vmagent_types.go:756-761 GetServiceAccountName at v0.66.0), as checks/privileges.ts models them.
      const fallback = vm ? `vmagent-${metadata.name}` : "default";
      out.push({
        name: r.name,
        at: r.at,
        account: { name: spec.serviceAccountName ?? fallback, namespace: metadata.namespace ?? "" },
        // A Prometheus or PrometheusAgent, unset: the operator mounts it (pkg/apis/monitoring/v1/
        // prometheus_types.go:467-473, pkg/prometheus/server/statefulset.go:396,
        // pkg/prometheus/agent/statefulset.go:280 at v0.93.0). With `disableAutomountServiceAccountToken`
        // the VictoriaMetrics operator projects the token into the vmagent container itself
        // (factory/vmagent/vmagent.go:687, build/service_account.go:37-51 at v0.66.0).
        tokenMounted: vm || spec.automountServiceAccountToken !== false,
        reads,
      });
      continue;
    }
    // An Alloy config: one scraper per ServiceAccount its running pods use.
    const seen = new Set<string>();
    for (const t of r.pods) {
      const ns = t.owner.obj.metadata.namespace;
      const account = { name: t.spec.serviceAccountName ?? "default", namespace: ns ?? "" };
      if (!ns || seen.has(account.name)) continue;
      seen.add(account.name);
      // The pod's setting, else its ServiceAccount's, else Kubernetes' default (mounted).
      const sa = objects.find(
        (p) =>
          isKind(p.obj, "ServiceAccount", "") &&
          p.obj.metadata.name === account.name &&
          p.obj.metadata.namespace === ns,
      );
      out.push({
        name: r.name,
        at: t.owner,
        account,
        tokenMounted: (t.spec.automountServiceAccountToken ?? sa?.obj.automountServiceAccountToken) !== false,
        reads,
      });
    }
  }
  return out;
}

const RBAC = "rbac.authorization.k8s.io/v1";
const anyMatch = (list: string[] | undefined, x: string) =>
  !!list && (list.includes("*") || list.includes(x));

/** Whether a rule allows an access (evaluation_helpers.go: verb, group, resource, name; or the URL). */
function ruleAllows(rule: any, a: ProxyAccessRequest): boolean {
  if (!anyMatch(rule.verbs, a.verb)) return false;
  if (a.kind === "nonResource")
    return (rule.nonResourceURLs ?? []).some(
      (u: string) => u === "*" || u === a.path || (u.endsWith("*") && a.path.startsWith(u.slice(0, -1))),
    );
  if (!anyMatch(rule.apiGroups, a.apiGroup)) return false;
  const sub = a.resource.includes("/") ? a.resource.slice(a.resource.indexOf("/") + 1) : "";
  const resource = (rule.resources ?? []).some(
    (r: string) => r === "*" || r === a.resource || (sub !== "" && r === `*/${sub}`),
  );
  if (!resource) return false;
  const names: string[] = rule.resourceNames ?? [];
  return names.length === 0 || names.includes(a.name);
}

/** The bindings (`Kind ns/name -> Role`) that grant `account` the access, none when nothing does. */
export function grantsOf(
  objects: Placed[],
  account: { name: string; namespace: string },
  a: ProxyAccessRequest,
): string[] {
  const out: string[] = [];
  for (const b of objects) {
    if (b.obj.apiVersion !== RBAC || (b.obj.kind !== "RoleBinding" && b.obj.kind !== "ClusterRoleBinding"))
      continue;
    const bound = (b.obj.subjects ?? []).some(
      (s: any) =>
        (s.kind === "ServiceAccount" &&
          s.name === account.name &&
          (s.namespace ?? b.obj.metadata.namespace) === account.namespace) ||
        (s.kind === "Group" &&
          (s.name === "system:serviceaccounts" || s.name === `system:serviceaccounts:${account.namespace}`)),
    );
    if (!bound) continue;
    const namespace = b.obj.kind === "RoleBinding" ? b.obj.metadata.namespace : undefined;
    // A RoleBinding grants in its namespace only, and no non-resource URL.
    if (namespace !== undefined && (a.kind === "nonResource" || a.namespace !== namespace)) continue;
    const ref = b.obj.roleRef ?? {};
    const role = objects.find(
      (p) =>
        p.obj.apiVersion === RBAC &&
        p.obj.kind === ref.kind &&
        p.obj.metadata.name === ref.name &&
        (ref.kind === "ClusterRole" || p.obj.metadata.namespace === namespace),
    );
    if (role && (role.obj.rules ?? []).some((r: any) => ruleAllows(r, a)))
      out.push(
        `${b.obj.kind} ${namespace ? `${namespace}/` : ""}${b.obj.metadata.name} -> ${ref.kind} ${ref.name}`,
      );
  }
  return out;
}

/** What each scraper asks of each proxied target it reads, and whether a binding grants it. */
export interface ScrapeGrant {
  scraper: string;
  account: string;
  endpoint: string;
  access: ProxyAccessRequest;
  grantedBy: string[];
}

export function scrapeGrants(objects: Placed[]): { grants: ScrapeGrant[]; findings: Finding[] } {
  const { targets, findings } = proxiedTargets(objects);
  const grants: ScrapeGrant[] = [];
  for (const s of monitorScrapers(objects))
    for (const t of targets.filter((x) => s.reads(x))) {
      const grantedBy = grantsOf(objects, s.account, t.access);
      grants.push({
        scraper: s.name,
        account: `${s.account.namespace}/${s.account.name}`,
        endpoint: t.endpoint,
        access: t.access,
        grantedBy,
      });
      if (t.bearerTokenFile === SA_TOKEN_FILE && !s.tokenMounted)
        findings.push({
          check: "scrape-authz",
          where: `${s.name} -> ${t.endpoint}`,
          message: `${s.name} scrapes ${t.endpoint} with the token at ${SA_TOKEN_FILE}, but its pod mounts no ServiceAccount token (automountServiceAccountToken false): the file does not exist and the scrape fails`,
        });
      if (grantedBy.length === 0)
        findings.push({
          check: "scrape-authz",
          where: `${s.name} -> ${t.endpoint}`,
          message: `${s.name} scrapes ${t.endpoint} through the kube-rbac-proxy of ${t.via}, which asks ${describeAccess(t.access)} (kube-rbac-proxy v0.20.0 pkg/proxy/proxy.go:87-99), and no binding grants it to ServiceAccount ${s.account.namespace}/${s.account.name}: every scrape gets 403`,
          // The scraper's release and the proxy's: what follows from their values (a rename of
          // the scraper's account the proxy's config does not name) names their override (synth/report.ts).
          ...withReleases(releaseUrns([s.at, t.proxiedBy])),
        });
    }
  return { grants, findings };
}

const withReleases = (releases: string[]) => (releases.length > 0 ? { releases } : {});

/** The check: every proxied scrape is https with a token, and every scraper is let through. */
export function checkScrapeAuthz(objects: Placed[]): Finding[] {
  return scrapeGrants(objects).findings;
}
