/**
 * How kube-rbac-proxy authenticates and authorises a request, and what the node-exporter chart
 * configures it with. Read, not run:
 * - brancz/kube-rbac-proxy at {@link KUBE_RBAC_PROXY_VERSION} (the image model/versions.ts pins, the
 *   default of the chart's `kubeRBACProxy.image.tag`):
 *   - a bearer token is authenticated with a TokenReview (the delegating authenticator,
 *     cmd/kube-rbac-proxy/app/kube-rbac-proxy.go:233-243), then authorised with one
 *     SubjectAccessReview per attribute record (pkg/authz/auth.go:87-101 `NewSarAuthorizer`);
 *   - the record (pkg/proxy/proxy.go:47-135): the verb from the HTTP method (GET `get`, POST
 *     `create`, PUT `update`, PATCH `patch`, DELETE `delete`, else `*`); without
 *     `authorization.resourceAttributes` a non-resource request for the URL's path; with them and
 *     no `rewrites`, one resource request with exactly the configured namespace, apiGroup,
 *     apiVersion, resource, subresource and name (the path plays no part); with `rewrites`, one
 *     record per query parameter or header value (the request decides: not modelled here);
 *   - `--secure-listen-address` serves HTTPS; without `--tls-cert-file`/`--tls-private-key-file` it
 *     serves a self-signed certificate generated at start for the pod's hostname
 *     (kube-rbac-proxy.go:321-342), so no client can verify it: scrapers skip verification and
 *     the token, not the certificate, is what protects the endpoint;
 *   - `--proxy-endpoints-port` serves `/healthz` (HTTPS) on the host of `--secure-listen-address`
 *     (kube-rbac-proxy.go:408-440, options/options.go:99);
 *   - `--allow-paths`: a request whose path matches none of them gets 404 before authentication
 *     (options/options.go:97, kube-rbac-proxy.go:314 `WithAllowPaths`);
 *   - the image runs as 65532:65532 on distroless static (Dockerfile at the tag).
 * - prometheus-node-exporter {@link NODE_EXPORTER_CHART_VERSION} (the chart model/versions.ts pins,
 *   its archive in the chart cache), with `kubeRBACProxy.enabled`:
 *   - templates/daemonset.yaml: node_exporter listens on `127.0.0.1:<kubeRBACProxy.port>` (env
 *     HOST_IP 127.0.0.1, `--web.listen-address=[$(HOST_IP)]:...`) and declares no port; the
 *     `kube-rbac-proxy` container gets `--secure-listen-address=:<service.port>`,
 *     `--upstream=http://127.0.0.1:<kubeRBACProxy.port>/`, `--proxy-endpoints-port`, and
 *     `--config-file=/etc/kube-rbac-proxy-config/config-file.yaml`, `kubeRBACProxy.extraArgs` first;
 *     the pod mounts its ServiceAccount token (`automountServiceAccountToken` forced true);
 *   - templates/rbac-configmap.yaml: that file holds `authorization.resourceAttributes` namespace
 *     (the release's), apiVersion v1, resource `services`, subresource and name the fullname: so
 *     every scrape asks `get` on `services/<fullname>` named `<fullname>` in that namespace;
 *   - templates/clusterrole.yaml and clusterrolebinding.yaml (with `rbac.create`): create on
 *     tokenreviews and subjectaccessreviews for the chart's ServiceAccount, the proxy's own calls.
 */
import { parse as parseYaml } from "yaml";

/** The kube-rbac-proxy version these facts were read at. */
export const KUBE_RBAC_PROXY_VERSION = "v0.20.0";
/** The node-exporter chart version whose templates these facts were read in. */
export const NODE_EXPORTER_CHART_VERSION = "4.49.1";

/** The proxy's container name in the chart's DaemonSet. */
export const PROXY_CONTAINER = "kube-rbac-proxy";
/** The flag that names the authorization config file. */
export const CONFIG_FILE_FLAG = "--config-file=";

/** The verb a SubjectAccessReview asks for an HTTP method (pkg/proxy/proxy.go:48-60). */
export function proxyVerb(method: string): string {
  return (
    { POST: "create", GET: "get", PUT: "update", PATCH: "patch", DELETE: "delete" }[method.toUpperCase()] ??
    "*"
  );
}

/** The authorization section of the proxy's config file (pkg/authz/auth.go:31-66). */
export interface ProxyAuthorization {
  resourceAttributes?: {
    namespace?: string;
    apiGroup?: string;
    apiVersion?: string;
    resource?: string;
    subresource?: string;
    name?: string;
  };
  rewrites?: unknown;
  static?: unknown[];
}

/** What one request asks of the API server's authorizer (a SubjectAccessReview). */
export type ProxyAccessRequest =
  | {
      kind: "resource";
      verb: string;
      namespace: string;
      apiGroup: string;
      /** The resource with its subresource, as RBAC rules name it (`services/node-exporter`). */
      resource: string;
      name: string;
    }
  | { kind: "nonResource"; verb: string; path: string };

/** The authorization a config file text holds (`authorization:`), `{}` when it has none. */
export function proxyAuthorizationOf(configFile: string): ProxyAuthorization {
  // Its warnings unsaid: `parse` prints each with the line it quotes (model/yamlText.ts parseUserYaml).
  const doc = parseYaml(configFile, { logLevel: "error" }) ?? {};
  return (doc.authorization ?? {}) as ProxyAuthorization;
}

/**
 * The access a request of `method` on `path` needs from its token's user (pkg/proxy/proxy.go:47-135).
 * `rewrites` make it depend on the request's parameters or headers: refused rather than guessed.
 */
export function proxyAccessRequest(
  authz: ProxyAuthorization,
  method: string,
  path: string,
): ProxyAccessRequest {
  const verb = proxyVerb(method);
  const ra = authz.resourceAttributes;
  if (!ra) return { kind: "nonResource", verb, path };
  if (authz.rewrites)
    throw new Error(
      `kube-rbac-proxy ${KUBE_RBAC_PROXY_VERSION}: authorization.rewrites makes the access depend on each request (pkg/proxy/proxy.go:102-134); not modelled`,
    );
  return {
    kind: "resource",
    verb,
    namespace: ra.namespace ?? "",
    apiGroup: ra.apiGroup ?? "",
    resource: ra.subresource ? `${ra.resource ?? ""}/${ra.subresource}` : (ra.resource ?? ""),
    name: ra.name ?? "",
  };
}

/** `verb group/resource name in ns` or `verb path`, for messages. */
export function describeAccess(a: ProxyAccessRequest): string {
  return a.kind === "nonResource"
    ? `${a.verb} ${a.path}`
    : `${a.verb} ${a.apiGroup ? `${a.apiGroup}/` : ""}${a.resource} ${a.name} in ${a.namespace || "every namespace"}`;
}

/**
 * The RBAC rule granting exactly `a` (a Role's rule in `a.namespace` for a resource request, a
 * ClusterRole's for a non-resource URL).
 */
export function ruleFor(a: ProxyAccessRequest): Record<string, string[]> {
  return a.kind === "nonResource"
    ? { nonResourceURLs: [a.path], verbs: [a.verb] }
    : {
        apiGroups: [a.apiGroup],
        resources: [a.resource],
        ...(a.name ? { resourceNames: [a.name] } : {}),
        verbs: [a.verb],
      };
}

/**
 * The access the node-exporter chart's proxy asks of every scrape (templates/rbac-configmap.yaml at
 * {@link NODE_EXPORTER_CHART_VERSION}): `get` (a scrape is a GET) on `services/<fullname>` named
 * `<fullname>` in the release's namespace. The builder grants this; the checks read the rendered
 * ConfigMap instead (checks/scrapeAuthz.ts), so the two cannot share a mistake.
 */
export function nodeExporterProxyAccess(namespace: string, fullname: string): ProxyAccessRequest {
  return proxyAccessRequest(
    {
      resourceAttributes: {
        namespace,
        apiVersion: "v1",
        resource: "services",
        subresource: fullname,
        name: fullname,
      },
    },
    "GET",
    "/metrics",
  );
}
