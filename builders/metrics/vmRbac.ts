/**
 * RBAC of the VictoriaMetrics operator and of vmagent, written by the program instead of the
 * chart's. The operator chart (victoria-metrics-operator, the subchart of victoria-metrics-k8s-stack
 * 0.80.0, templates/role.yaml:60-187) grants `*` on Secrets, Pods, ServiceAccounts, workloads,
 * ClusterRoles and bindings (so `bind`, `escalate` and `impersonate`): cluster-admin in all but name.
 * It has no value narrowing that role but `watchNamespaces` (a Role in one namespace, which leaves
 * vmagent without node and cluster-wide discovery), so the chart's `rbac.create` is off and these
 * objects go through the charts' `extraObjects`.
 *
 * What the operator calls is read from VictoriaMetrics/operator at v0.66.0 (the image
 * model/versions.ts pins), not run here:
 * - config/rbac/role.yaml:18-208 (generated from its controllers' kubebuilder markers) lists the
 *   kinds; every `*` there becomes the verbs a controller-runtime client uses (get, list, watch,
 *   create, update, patch, delete);
 * - pods: listed and patched (factory/k8stools/client_utils.go:90-108), evicted one by one during a
 *   rolling update (factory/reconcile/statefulset.go:334-335), never created or deleted directly;
 * - Prometheus objects are only read (the converter, internal/controller/operator/converter,
 *   writes VictoriaMetrics objects only);
 * - it makes a ClusterRole and ClusterRoleBinding for a VMAgent only when the VMAgent names no
 *   ServiceAccount (factory/vmagent/vmagent.go:99-111, `IsOwnsServiceAccount`,
 *   api/operator/v1beta1/vmagent_types.go:763-765). The program names one, with the role below:
 *   the operator needs neither `bind` nor `escalate`. Its finalizer still removes a role it made
 *   before (factory/finalize/vmagent.go:69-83, names from vmagent_types.go:767-769): get, patch
 *   and delete on those names only;
 * - vmalertmanager's config reloader gets a Role reading the Secrets of its namespace
 *   (factory/vmalertmanager/rbac.go:45-80): the operator holds every permission of it (Secrets),
 *   so it binds it without `bind`; roles and bindings only in the stack's namespace.
 */
import { RELEASES } from "../../model/names";
import { PART_OF_LABEL } from "../metadata";

/** The verbs of a controller-runtime client that owns the objects (the `*` of upstream's role spelled out). */
export const OWNER_VERBS = ["get", "list", "watch", "create", "update", "patch", "delete"] as const;
const READ = ["get", "list", "watch"];

/** The operator's ServiceAccount: the name the chart gives it (`vm.plain.fullname` of the subchart). */
export const VM_OPERATOR_ACCOUNT = `${RELEASES.vm}-victoria-metrics-operator`;
/** vmagent's own ServiceAccount, named in its CR so the operator makes no role for it. */
export const VMAGENT_ACCOUNT = `${RELEASES.vm}-vmagent`;
/** The VMAgent CR's name (the chart's fullname). */
const VMAGENT_CR = RELEASES.vm;

/** The release namespace, as Helm fills it into `extraObjects` (both charts pass them through `tpl`). */
const NS = "{{ .Release.Namespace }}";

/** VictoriaMetrics custom resources the operator v0.66.0 reconciles (config/rbac/role.yaml:132-200). */
const VM_KINDS = [
  "vlagents",
  "vlogs",
  "vlsingles",
  "vlclusters",
  "vtsingles",
  "vtclusters",
  "vmagents",
  "vmalertmanagerconfigs",
  "vmalertmanagers",
  "vmalerts",
  "vmauths",
  "vmclusters",
  "vmnodescrapes",
  "vmpodscrapes",
  "vmprobes",
  "vmrules",
  "vmscrapeconfigs",
  "vmservicescrapes",
  "vmsingles",
  "vmstaticscrapes",
  "vmusers",
  "vmanomalies",
];

const withSub = (names: string[], ...subs: string[]) =>
  names.flatMap((n) => [n, ...subs.map((s) => `${n}/${s}`)]);

/** Names of the ClusterRole and binding the operator made for the VMAgent when it owned its account. */
export const vmagentOperatorRoleNames = (): string[] => [
  `monitoring:${NS}:vmagent-${VMAGENT_CR}`,
  `monitoring:vmagent-cluster-access-${VMAGENT_CR}`,
];

/** The operator's cluster-wide rules: explicit verbs, no `bind`, `escalate` or `impersonate`. */
export function vmOperatorClusterRules(): Record<string, any>[] {
  return [
    {
      apiGroups: [""],
      resources: withSub(
        ["configmaps", "persistentvolumeclaims", "secrets", "services", "serviceaccounts"],
        "finalizers",
      ).concat(["endpoints", "events"]),
      verbs: [...OWNER_VERBS],
    },
    { apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch", "patch"] },
    { apiGroups: [""], resources: ["pods/eviction"], verbs: ["create"] },
    { apiGroups: [""], resources: ["configmaps/status", "nodes", "namespaces"], verbs: READ },
    {
      apiGroups: ["apps"],
      resources: [
        ...withSub(["deployments", "daemonsets"], "finalizers"),
        ...withSub(["statefulsets"], "finalizers", "status"),
        "replicasets",
      ],
      verbs: [...OWNER_VERBS],
    },
    // The converter reads ServiceMonitors, PodMonitors, PrometheusRules, Probes, ScrapeConfigs and
    // AlertmanagerConfigs; it writes only VictoriaMetrics objects.
    { apiGroups: ["monitoring.coreos.com"], resources: ["*"], verbs: READ },
    {
      apiGroups: ["rbac.authorization.k8s.io"],
      resources: ["clusterroles", "clusterrolebindings"],
      resourceNames: vmagentOperatorRoleNames(),
      verbs: ["get", "patch", "update", "delete"],
    },
    { apiGroups: ["storage.k8s.io"], resources: ["storageclasses"], verbs: READ },
    {
      apiGroups: ["policy"],
      resources: withSub(["poddisruptionbudgets"], "finalizers"),
      verbs: [...OWNER_VERBS],
    },
    { apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers"], verbs: [...OWNER_VERBS] },
    {
      apiGroups: ["networking.k8s.io"],
      resources: withSub(["ingresses"], "finalizers"),
      verbs: [...OWNER_VERBS],
    },
    { apiGroups: ["gateway.networking.k8s.io"], resources: ["httproutes"], verbs: [...OWNER_VERBS] },
    { apiGroups: ["apiextensions.k8s.io"], resources: ["customresourcedefinitions"], verbs: ["get", "list"] },
    { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: READ },
    {
      apiGroups: ["operator.victoriametrics.com"],
      resources: withSub(VM_KINDS, "finalizers", "status"),
      verbs: [...OWNER_VERBS],
    },
  ];
}

const meta = (name: string, namespaced: boolean) => ({
  name,
  ...(namespaced ? { namespace: NS } : {}),
  labels: { ...PART_OF_LABEL },
});
const rbacObject = (kind: string, name: string, namespaced: boolean, body: Record<string, any>) => ({
  apiVersion: "rbac.authorization.k8s.io/v1",
  kind,
  metadata: meta(name, namespaced),
  ...body,
});
const bindTo = (kind: "ClusterRole" | "Role", name: string, account: string) => ({
  roleRef: { apiGroup: "rbac.authorization.k8s.io", kind, name },
  subjects: [{ kind: "ServiceAccount", name: account, namespace: NS }],
});

/**
 * The operator's objects (the operator chart's `extraObjects`): the cluster-wide role, and in the
 * stack's namespace its leader-election lease (the chart's Role, templates/role.yaml:38-45) and the
 * Roles and bindings it makes for vmalertmanager.
 */
export function vmOperatorRbacObjects(): Record<string, any>[] {
  const name = VM_OPERATOR_ACCOUNT;
  return [
    rbacObject("ClusterRole", name, false, { rules: vmOperatorClusterRules() }),
    rbacObject("ClusterRoleBinding", name, false, bindTo("ClusterRole", name, name)),
    rbacObject("Role", name, true, {
      rules: [
        { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["create", "get", "update"] },
        {
          apiGroups: ["rbac.authorization.k8s.io"],
          resources: ["roles", "rolebindings"],
          verbs: [...OWNER_VERBS],
        },
      ],
    }),
    rbacObject("RoleBinding", name, true, bindTo("Role", name, name)),
  ];
}

/**
 * vmagent's own account and roles (the stack chart's `extraObjects`): service discovery and the
 * kubelet's and API server's metrics cluster-wide, as the operator's role for it has them
 * (factory/vmagent/rbac.go:58-113) but without `nodes/proxy` (kubelet metrics are `nodes/metrics`)
 * and without every Secret and ConfigMap of the cluster: the operator writes vmagent's scrape
 * config, credentials resolved, into a Secret of vmagent's namespace (docs/resources/vmagent.md:25-32),
 * which the config reloader reads there.
 */
export function vmagentRbacObjects(): Record<string, any>[] {
  const name = VMAGENT_ACCOUNT;
  return [
    {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: meta(name, true),
      automountServiceAccountToken: false,
    },
    rbacObject("ClusterRole", name, false, {
      rules: [
        { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: READ },
        {
          apiGroups: [""],
          resources: ["nodes", "nodes/metrics", "services", "endpoints", "pods", "namespaces"],
          verbs: READ,
        },
        { apiGroups: ["networking.k8s.io"], resources: ["ingresses"], verbs: READ },
        { nonResourceURLs: ["/metrics", "/metrics/resources", "/metrics/slis"], verbs: ["get"] },
      ],
    }),
    rbacObject("ClusterRoleBinding", name, false, bindTo("ClusterRole", name, name)),
    rbacObject("Role", name, true, {
      rules: [{ apiGroups: [""], resources: ["secrets", "configmaps"], verbs: READ }],
    }),
    rbacObject("RoleBinding", name, true, bindTo("Role", name, name)),
  ];
}
