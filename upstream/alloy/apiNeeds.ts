/**
 * What each Alloy component calls on the Kubernetes API (and what the targets of an authenticated
 * scrape authorize), read, not run, in the sources at the versions Alloy v1.12.0 builds with:
 * - grafana/alloy v1.12.0 for Alloy's own components;
 * - prometheus/prometheus v3.7.3 for `discovery.kubernetes` and the discovery inside
 *   `prometheus.operator.*` (Alloy's go.mod:1034 replaces Prometheus with grafana/prometheus'
 *   staleness_disabling_v3.7.3 branch; discovery/kubernetes is unchanged from v3.7.1 to v3.7.3);
 * - kubernetes/website, docs/reference/access-authn-authz/kubelet-authn-authz.md, for the kubelet's
 *   own authorization of `/metrics*` as `nodes/metrics`.
 * One table, so the RBAC the program grants each Alloy (builders/logging/alloyConfig.ts) and the
 * check that proves it (checks/alloyRbac.ts) read the same facts from the config itself.
 */
import { blocksOf, stringValue, type Block, type Expr, type Stmt } from "./syntax";
import type { ProxyAccessRequest } from "../kubeRbacProxy";

/** One call on the API (or one authorization a scrape target asks of the token). */
export interface ApiNeed {
  /** The component instance that needs it, `name.label`. */
  component: string;
  /** API group (`""` for core); absent for a non-resource URL. */
  apiGroup?: string;
  /** Resource, with its subresource (`nodes/metrics`); absent for a non-resource URL. */
  resource?: string;
  nonResourceURL?: string;
  verb: string;
  /** The namespace the call is limited to; absent: cluster-wide (all namespaces, or cluster-scoped). */
  namespace?: string;
  /** The one object the call names (`get` of a Secret); absent: any. */
  name?: string;
  /** Where the call is made (repository, tag, path:line). */
  source: string;
}

const ALLOY = "grafana/alloy v1.12.0";
const PROM = "prometheus/prometheus v3.7.3";
const KUBELET_AUTHZ = "kubernetes/website docs/reference/access-authn-authz/kubelet-authn-authz.md";
const WATCH = ["list", "watch"];

function attr(body: Stmt[], name: string): Expr | undefined {
  const a = body.find((s) => s.kind === "attribute" && s.name === name);
  return a?.kind === "attribute" ? a.value : undefined;
}

/** A literal string argument, or undefined (absent, or computed at run time). */
function str(body: Stmt[], name: string): string | undefined {
  const v = attr(body, name);
  return v?.kind === "literal" && v.type === "string" ? stringValue(v.raw) : undefined;
}

function bool(body: Stmt[], name: string): boolean {
  const v = attr(body, name);
  return v?.kind === "literal" && v.type === "bool" && v.value === true;
}

/** `names` of a `namespaces` block: the namespaces a discovery is limited to; [] for all. */
function namespacesOf(b: Block, id: string): string[] {
  const ns = b.body.find((s): s is Block => s.kind === "block" && s.name === "namespaces");
  // `own_namespace` adds Alloy's own namespace (kubernetes.go:258-272), which the config does not
  // name: the table cannot place that call, so it refuses rather than guess.
  if (ns && attr(ns.body, "own_namespace"))
    throw new Error(
      `${id}: namespaces.own_namespace is not supported here (the call's namespace is Alloy's own, which the config does not name); list it in namespaces.names`,
    );
  const names = ns && attr(ns.body, "names");
  if (names?.kind !== "array") return [];
  return names.elements.flatMap((e) =>
    e.kind === "literal" && e.type === "string" ? [stringValue(e.raw)] : [],
  );
}

function listWatch(
  component: string,
  resources: [group: string, resource: string][],
  namespaces: string[],
  source: string,
): ApiNeed[] {
  const scopes = namespaces.length > 0 ? namespaces : [undefined];
  return resources.flatMap(([apiGroup, resource]) =>
    WATCH.flatMap((verb) =>
      scopes.map((namespace) => ({
        component,
        apiGroup,
        resource,
        verb,
        ...(namespace === undefined ? {} : { namespace }),
        source,
      })),
    ),
  );
}

/** What Prometheus' Kubernetes discovery lists and watches for a role (kubernetes.go `Run`). */
function discoveryNeeds(
  component: string,
  role: string | undefined,
  namespaces: string[],
  attach: { node: boolean; namespace: boolean },
): ApiNeed[] {
  const src = (lines: string) => `${PROM} discovery/kubernetes/kubernetes.go:${lines}`;
  const cluster = (r: string, lines: string) => listWatch(component, [["", r]], [], src(lines));
  const attached = (lines: [string, string]) => [
    ...(attach.node ? cluster("nodes", lines[0]) : []),
    ...(attach.namespace ? cluster("namespaces", lines[1]) : []),
  ];
  const at = (rs: [string, string][], lines: string) => listWatch(component, rs, namespaces, src(lines));
  switch (role) {
    case "endpointslice":
      return [
        ...at(
          [
            ["discovery.k8s.io", "endpointslices"],
            ["", "services"],
            ["", "pods"],
          ],
          "385-452",
        ),
        ...attached(["430-434", "435-439"]),
      ];
    case "endpoints":
      return [
        ...at(
          [
            ["", "endpoints"],
            ["", "services"],
            ["", "pods"],
          ],
          "453-518",
        ),
        ...attached(["495-499", "500-504"]),
      ];
    case "pod":
      return [...at([["", "pods"]], "519-554"), ...attached(["521-525", "526-530"])];
    case "service":
      return [
        ...at([["", "services"]], "555-584"),
        ...(attach.namespace ? cluster("namespaces", "557-561") : []),
      ];
    case "ingress":
      return [
        ...at([["networking.k8s.io", "ingresses"]], "585-614"),
        ...(attach.namespace ? cluster("namespaces", "586-590") : []),
      ];
    case "node":
      return cluster("nodes", "615-680");
    default:
      throw new Error(`${component}: role ${JSON.stringify(role)} is not a Kubernetes discovery role`);
  }
}

/**
 * The API calls of one component instance. Components that call nothing (files, the journal,
 * relabeling, writers) need nothing; a component this table does not know is an error, so a new
 * component cannot slip in unjudged.
 */
export function componentNeeds(b: Block): ApiNeed[] {
  const id = `${b.name}${b.label ? `.${b.label}` : ""}`;
  switch (b.name) {
    case "discovery.kubernetes": {
      const attach = b.body.find((s): s is Block => s.kind === "block" && s.name === "attach_metadata");
      return discoveryNeeds(id, str(b.body, "role"), namespacesOf(b, id), {
        node: attach ? bool(attach.body, "node") : false,
        namespace: attach ? bool(attach.body, "namespace") : false,
      });
    }
    case "remote.kubernetes.secret":
    case "remote.kubernetes.configmap": {
      // One `get` of the named object, first made while the component is built (`New` calls
      // `Update`, which polls: kubernetes.go:90-106, 215-226), so a denied read fails Alloy's load.
      const namespace = str(b.body, "namespace");
      const name = str(b.body, "name");
      if (!namespace || !name) throw new Error(`${id}: namespace and name must be literal strings`);
      const secret = b.name.endsWith("secret");
      return [
        {
          component: id,
          apiGroup: "",
          resource: secret ? "secrets" : "configmaps",
          verb: "get",
          namespace,
          name,
          source: `${ALLOY} internal/component/remote/kubernetes/kubernetes.go:${secret ? 177 : 188}`,
        },
      ];
    }
    case "loki.source.kubernetes_events": {
      const ns = attr(b.body, "namespaces");
      const names =
        ns?.kind === "array"
          ? ns.elements.flatMap((e) =>
              e.kind === "literal" && e.type === "string" ? [stringValue(e.raw)] : [],
            )
          : [];
      return listWatch(
        id,
        [["", "events"]],
        names,
        `${ALLOY} internal/component/loki/source/kubernetes_events/event_controller.go:96-140`,
      );
    }
    case "loki.source.kubernetes":
      // Tails each target pod's logs through the API (kubetail/tailer.go:190 `GetLogs`) and reads the
      // pod to see whether its container ended (tailer.go:507). Its targets come from another
      // component at run time, in any namespace, so cluster-wide.
      return [
        {
          component: id,
          apiGroup: "",
          resource: "pods",
          verb: "get",
          source: `${ALLOY} internal/component/loki/source/kubernetes/kubetail/tailer.go:507`,
        },
        {
          component: id,
          apiGroup: "",
          resource: "pods/log",
          verb: "get",
          source: `${ALLOY} internal/component/loki/source/kubernetes/kubetail/tailer.go:190`,
        },
      ];
    case "prometheus.operator.servicemonitors":
    case "prometheus.operator.podmonitors":
    case "prometheus.operator.probes":
    case "prometheus.operator.scrapeconfigs": {
      const kind = b.name.slice("prometheus.operator.".length);
      // The objects' own informer (crdmanager.go:346-360 picks the kind), in the component's
      // `namespaces` (crdmanager.go:291-304; default all, operator/types.go:28-29, 79-80). Then the discovery
      // each ServiceMonitor's or PodMonitor's generated scrape config runs: `kubernetes_role`
      // (default endpoints, operator/types.go:31, 68) for ServiceMonitors, role pod for
      // PodMonitors (configgen/config_gen_podmonitor.go:38); a monitor's namespaceSelector may
      // reach any namespace, so cluster-wide. A ScrapeConfig is read for its static targets only
      // (configgen/config_gen_scrapeconfig.go:18-35); a Probe's ingress targets would add role
      // ingress (config_gen_probe.go:162), which depends on the Probe objects, not on this config.
      const ns = attr(b.body, "namespaces");
      const names =
        ns?.kind === "array"
          ? ns.elements.flatMap((e) =>
              e.kind === "literal" && e.type === "string" ? [stringValue(e.raw)] : [],
            )
          : [];
      const own = listWatch(
        id,
        [["monitoring.coreos.com", kind]],
        names,
        `${ALLOY} internal/component/prometheus/operator/common/crdmanager.go:291-304, 346-360`,
      );
      const role =
        kind === "podmonitors"
          ? "pod"
          : kind === "servicemonitors"
            ? (str(b.body, "kubernetes_role") ?? "endpoints")
            : undefined;
      return [...own, ...(role ? discoveryNeeds(id, role, [], { node: false, namespace: false }) : [])];
    }
    case "mimir.rules.kubernetes":
      return listWatch(
        id,
        [
          ["", "namespaces"],
          ["monitoring.coreos.com", "prometheusrules"],
        ],
        [],
        `${ALLOY} internal/component/mimir/rules/kubernetes/rules.go:401-442`,
      );
    case "prometheus.scrape": {
      // A scrape with the ServiceAccount's token: the target authorizes it. The kubelet maps
      // /metrics* to `nodes/metrics` (KUBELET_AUTHZ); the API server and the control plane check
      // the path as a non-resource URL.
      if (!attr(b.body, "bearer_token_file")) return [];
      const job = str(b.body, "job_name");
      if (job === "kubelet")
        return [
          { component: id, apiGroup: "", resource: "nodes/metrics", verb: "get", source: KUBELET_AUTHZ },
        ];
      return [
        {
          component: id,
          nonResourceURL: str(b.body, "metrics_path") ?? "/metrics",
          verb: "get",
          source: "kubernetes/website docs/reference/access-authn-authz/rbac.md (non-resource URLs)",
        },
      ];
    }
    default:
      return NO_CALLS.has(b.name) ? [] : unknown(id);
  }
}

/**
 * What a `prometheus.operator.servicemonitors` needs besides its own calls: the access a
 * kube-rbac-proxy in front of a target it scrapes asks of its token (upstream/kubeRbacProxy.ts),
 * which the config does not show; the rendered target names it (checks/scrapeAuthz.ts).
 * Alloy sends the token its ServiceMonitor's `bearerTokenFile` names (configgen
 * config_gen_servicemonitor.go:75-76 at v1.12.0).
 */
export function proxiedScrapeNeed(component: string, access: ProxyAccessRequest, via: string): ApiNeed {
  const source = `brancz/kube-rbac-proxy v0.20.0 pkg/proxy/proxy.go:87-99, the config of ${via}`;
  return access.kind === "nonResource"
    ? { component, nonResourceURL: access.path, verb: access.verb, source }
    : {
        component,
        apiGroup: access.apiGroup,
        resource: access.resource,
        verb: access.verb,
        namespace: access.namespace,
        ...(access.name ? { name: access.name } : {}),
        source,
      };
}

/** Components that call the API, each a case of {@link componentNeeds}. */
const CALLERS = [
  "discovery.kubernetes",
  "remote.kubernetes.secret",
  "remote.kubernetes.configmap",
  "loki.source.kubernetes",
  "loki.source.kubernetes_events",
  "prometheus.operator.servicemonitors",
  "prometheus.operator.podmonitors",
  "prometheus.operator.probes",
  "prometheus.operator.scrapeconfigs",
  "mimir.rules.kubernetes",
  "prometheus.scrape",
];

/** Components the program uses that make no API call (they read files, relabel, or write out). */
const NO_CALLS = new Set([
  "logging",
  "discovery.relabel",
  "local.file_match",
  "loki.source.file",
  "loki.source.journal",
  "loki.process",
  "loki.relabel",
  "loki.write",
  "prometheus.remote_write",
  "prometheus.relabel",
]);

/** Every component this table knows: those that call the API and those that call nothing. */
export const KNOWN_COMPONENTS: readonly string[] = [...CALLERS, ...NO_CALLS];

function unknown(id: string): never {
  throw new Error(
    `${id}: no API needs known for this component (add it to upstream/alloy/apiNeeds.ts with its source)`,
  );
}

/** Every API call a config's components make. Nested blocks are arguments, not components. */
export function alloyApiNeeds(body: Stmt[]): ApiNeed[] {
  const out: ApiNeed[] = [];
  for (const { block, path } of blocksOf(body)) if (path.length === 0) out.push(...componentNeeds(block));
  return out;
}
