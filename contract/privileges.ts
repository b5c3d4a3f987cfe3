/**
 * What RBAC rules and pod specs grant, as the pack and the offline rendered-object checks
 * (checks/privileges.ts) both judge it. Pure functions over plain objects.
 */
import {
  isRegistryHost,
  parseImage,
  undeclaredMirrorOf,
  upstreamRepository,
  type ImageMirrors,
} from "./image";
import { isK8sSidecar, SIDECAR_RESOURCE_KINDS } from "./sidecar";
import { causeKey, MISTAKES } from "./mistakes";

const has = (list: unknown, ...values: string[]) =>
  Array.isArray(list) && values.some((v) => list.includes(v));

/** Whether an RBAC rule grants reading (`get`, `list` or `watch`) every core Secret it covers. */
export function grantsSecretRead(rule: any): boolean {
  return (
    has(rule?.apiGroups, "", "*") &&
    has(rule?.resources, "secrets", "*") &&
    has(rule?.verbs, "get", "list", "watch", "*") &&
    !(Array.isArray(rule?.resourceNames) && rule.resourceNames.length > 0)
  );
}

/**
 * Whether an RBAC rule grants the kubelet's `nodes/proxy` (any verb: the kubelet authorizes exec,
 * attach and port-forward under it, and a GET reaches them over WebSocket). Kubelet metrics need
 * only `nodes/metrics` (the kubelet maps /metrics and everything under it to that subresource).
 */
export function grantsNodesProxy(rule: any): boolean {
  return has(rule?.apiGroups, "", "*") && has(rule?.resources, "nodes/proxy", "nodes/*", "*");
}

/**
 * Kubernetes' built-in ClusterRoles that read every Secret they are bound to (get, list or watch on
 * core `secrets` without resourceNames, as {@link grantsSecretRead} judges a rule), with the rule
 * that does. The API server creates and reconciles them itself, so a stack binds them without
 * defining them.
 *
 * Read, not run: kubernetes/kubernetes
 * plugin/pkg/auth/authorizer/rbac/bootstrappolicy/testdata/cluster-roles.yaml (the rendering of
 * policy.go `ClusterRoles()`) at commit 025f2834a128798cef30018a5e6a6ae82b5ad885, every role in it:
 * - `cluster-admin`: `*` verbs on `*` resources in `*` groups;
 * - `system:aggregate-to-edit` (labelled `rbac.authorization.k8s.io/aggregate-to-edit`): get, list,
 *   watch on `secrets` (policy.go builds it from `Read...` on "secrets");
 * - `edit` (labelled `aggregate-to-admin`) has no rules of its own: its aggregationRule gathers the
 *   roles labelled `aggregate-to-edit` (system:aggregate-to-edit, view); `admin` gathers those
 *   labelled `aggregate-to-admin` (edit, system:aggregate-to-admin), so it reads them through edit;
 * - `system:kube-controller-manager`: get on `secrets`, and list, watch on `*` in `*`;
 * - `system:node`: get, list, watch on `configmaps` and `secrets`;
 * - no other role there names `secrets` or a `*` resource (view's system:aggregate-to-view lists
 *   no secrets).
 * The project supports Kubernetes 1.25 and later (README "Requirements"), but the tags could not
 * be compared: the tools reach no tagged version of that file (`fetch` refused the repository's
 * 1,913,937,920-byte snapshot, over its 524,288,000-byte limit; `find_files` lists one stored
 * commit per path, f587127f for cluster-roles.yaml, an rbac v1beta1 rendering older than 1.25, and
 * `read_file` at another commit answers "stored, but not at that commit"). Which release 025f2834
 * is was not established either. A role that reads Secrets in any supported version belongs here;
 * until v1.25.0 and the newest tag are read, this is the list of that one commit.
 * Not read: the controller roles (testdata/controller-roles.yaml, `system:controller:*`), which
 * the API server also creates; a stack binding one is not judged as a built-in here.
 */
export const BUILTIN_SECRET_READERS: Readonly<Record<string, string>> = {
  "cluster-admin": "it grants every verb on every resource",
  admin: "it aggregates system:aggregate-to-edit, which gets, lists and watches secrets",
  edit: "it aggregates system:aggregate-to-edit, which gets, lists and watches secrets",
  "system:aggregate-to-edit": "it gets, lists and watches secrets",
  "system:kube-controller-manager": "it gets secrets and lists and watches every resource",
  "system:node": "it gets, lists and watches secrets",
};

/**
 * Operators that keep cluster-wide Secret access: prometheus-operator reads the Secrets that
 * Prometheus, Alertmanager and their monitors reference and writes the generated configs as
 * Secrets; the VictoriaMetrics operator does the same for its CRs. The repositories the program
 * pins (model/versions.ts `prometheusOperator`, `vmOperator`; a test keeps them equal). The
 * default of the no-cluster-secret-read policy's `operatorImages` config.
 */
export const DEFAULT_OPERATOR_IMAGES: readonly string[] = [
  "quay.io/prometheus-operator/prometheus-operator",
  "docker.io/victoriametrics/operator",
];

/**
 * Whether `image` is the image a config entry names: its repository, read as {@link parseImage}
 * reads it (`victoriametrics/operator` is Docker Hub's, `docker.io/victoriametrics/operator`), is
 * the entry's, itself or through one of the stack's registry `mirrors`
 * (`registry.home.lan/quay/prometheus-operator/prometheus-operator` is quay.io's when the stack
 * mirrors quay.io there); with the entry's tag too when it has one, or the whole reference when it
 * has a digest. Never a trailing path: `evil.example/prometheus-operator/prometheus-operator` is no
 * image of quay.io's, nor is a prefix the stack does not declare a mirror. What knows a program by
 * its image reads it so: the operators that may read every Secret (`operatorImages`), the node
 * agents given host paths (`agents`), the programs whose command line and reads the
 * rendered-object checks model (checks/processArgs.ts, checks/readers.ts). Never a substring
 * either: `operator` names no image, and an empty entry none (as a substring it named every image,
 * turning the check off).
 */
export function isImageOf(image: string, entry: string, mirrors?: ImageMirrors): boolean {
  const want = entry.trim();
  const ref = image.trim();
  if (want === "" || ref === "") return false;
  if (want.includes("@")) return ref === want;
  const [wanted, found] = [parseImage(want), parseImage(ref)];
  const tagged = /:[^/]*$/.test(want);
  if (tagged && (ref.includes("@") || found.tag !== wanted.tag)) return false;
  return (upstreamRepository(found.repository, mirrors) ?? found.repository) === wanted.repository;
}

/**
 * For an image entry of a config (`operatorImages`, an agent's `image`) written without a registry
 * ({@link parseImage} reads it as Docker Hub's) that names none of `defaults` (repositories, the
 * config's defaults) there, but whose path one of them ends with
 * (`prometheus-operator/prometheus-operator`, quay.io's): that default, which the entry likely
 * meant. Entries once matched any registry by their trailing path, and such an entry now names
 * neither that default nor a mirror's copy of it. Undefined for any other entry.
 */
export function imageEntryMeant(entry: string, defaults: readonly string[]): string | undefined {
  const name = entry
    .trim()
    .split("@")[0]
    .replace(/:[^/]*$/, "");
  const first = name.split("/")[0];
  if (name === "" || isRegistryHost(first)) return undefined;
  const hub = parseImage(name).repository;
  if (defaults.includes(hub)) return undefined;
  return defaults.find((d) => d.endsWith(`/${name}`));
}

/**
 * The operator images of one pack config: the no-cluster-secret-read policy's settings (its object
 * of a `--policy-pack-config` file, without `enforcementLevel`; undefined when the file has none).
 * Its `operatorImages` are added to the defaults, as the pack's other image lists are
 * (`arm64Images`: policy/lib/config.ts configOf `additive`): given in their place, a config naming
 * a mirror's prometheus-operator dropped the VictoriaMetrics operator, which was then refused as a
 * workload that needs no Secrets. The pack's policy and the offline `secret-read` check both take
 * the list from here, so both call the same workloads operators.
 */
export function operatorImagesOf(settings: Readonly<Record<string, unknown>> | undefined): readonly string[] {
  const given = settings?.operatorImages;
  // The engine refuses a config whose operatorImages is not a list of images before any policy
  // runs (synth/pack.ts checks it as the engine does); a wrong shape never reaches here from it.
  return Array.isArray(given)
    ? [...new Set([...DEFAULT_OPERATOR_IMAGES, ...given.map(String)])]
    : DEFAULT_OPERATOR_IMAGES;
}

/**
 * Whether a pod runs an operator: one of its containers (not an init container, which runs before
 * it and is gone) has an image of `operatorImages` (as {@link isImageOf} reads them,
 * through the stack's registry `mirrors`). The pack's no-cluster-secret-read and the offline
 * `secret-read` check both judge a pod by this, so an image only an init container carries makes
 * an operator of neither.
 */
export function runsOperator(
  podSpec: any,
  operatorImages: readonly string[],
  mirrors?: ImageMirrors,
): boolean {
  const containers: any[] = Array.isArray(podSpec?.containers) ? podSpec.containers : [];
  return containers.some(
    (c) => typeof c?.image === "string" && operatorImages.some((i) => isImageOf(c.image, i, mirrors)),
  );
}

/** How {@link operatorImagesWay} starts: synth finds it in a message by it ({@link secretReadWayIn}). */
const OPERATOR_WAY = "if it is an operator under another image name (a mirror of one), add ";

/**
 * The way to say a workload under another image name (a mirror's) is an operator, as
 * no-cluster-secret-read and `secret-read` both name it: `image`'s repository in the policy's
 * `operatorImages` config; and when that repository is a pinned operator's path under a prefix the
 * stack does not declare a mirror of its registry (contract/image.ts undeclaredMirrorOf), the
 * `imageMirrors` entry that would declare it, through which it is known as that operator. ""
 * when the workload has no image to name.
 */
export function operatorImagesWay(image: string, mirrors?: ImageMirrors): string {
  if (!image) return "";
  const repository = parseImage(image).repository;
  const m = undeclaredMirrorOf(repository, DEFAULT_OPERATOR_IMAGES, mirrors);
  const declare = m
    ? `, or, if ${m.prefix} mirrors ${m.registry}, say so in the stack's imageMirrors key (${m.registry}: ${m.prefix})`
    : "";
  return `; ${OPERATOR_WAY}"${repository}" to the no-cluster-secret-read policy's operatorImages config${declare}`;
}

/**
 * The way out said for a workload no-cluster-secret-read and `secret-read` refuse, after "only the
 * operators need them": for a pod running k8s-sidecar (Grafana's), that container, the one listing
 * ConfigMaps and Secrets through the API, and what it lists ({@link sidecarWay}): it is no operator,
 * so operatorImages is no way out for it. For any other pod, {@link operatorImagesWay} of its first
 * container. `mirrors`: the stack's registry mirrors, through which its image may be pulled.
 */
export function secretReadWay(podSpec: any, mirrors?: ImageMirrors): string {
  const all: any[] = [
    ...(Array.isArray(podSpec?.initContainers) ? podSpec.initContainers : []),
    ...(Array.isArray(podSpec?.containers) ? podSpec.containers : []),
  ];
  const sidecars = all.filter((c) => isK8sSidecar(c?.image, mirrors));
  return sidecars.length > 0
    ? sidecarWay(sidecars)
    : operatorImagesWay(String(podSpec?.containers?.[0]?.image ?? ""), mirrors);
}

/** How {@link sidecarWay} starts: synth finds it in a message by it ({@link secretReadWayIn}). */
const SIDECAR_WAY = "; of its containers, k8s-sidecar is the one reading through the API: ";

/**
 * What the k8s-sidecar containers list and where, from their env as k8s-sidecar reads it (RESOURCE,
 * default `configmap`: {@link SIDECAR_RESOURCE_KINDS}; NAMESPACE: `ALL` every namespace, else the
 * namespaces listed, unset its own, checks/grafanaSidecar.ts selection), and the role that is then
 * enough: one on ConfigMaps when none lists Secrets; else RESOURCE `configmap` first (the grafana
 * chart writes its `sidecar.<dashboards|datasources|...>.resource` there, grafana 12.3.1
 * templates/_pod.tpl:173,260,405,492; values.yaml default `both`).
 */
function sidecarWay(sidecars: any[]): string {
  const env = (c: any, name: string): { value?: string; from?: true } => {
    const e = (Array.isArray(c?.env) ? c.env : []).filter((x: any) => x?.name === name).at(-1);
    return e?.valueFrom !== undefined
      ? { from: true }
      : typeof e?.value === "string"
        ? { value: e.value }
        : {};
  };
  let secrets = false;
  const each = sidecars.map((c) => {
    const resource = env(c, "RESOURCE");
    const kinds = resource.from ? undefined : SIDECAR_RESOURCE_KINDS[resource.value ?? "configmap"];
    if (kinds === undefined || kinds.includes("secret")) secrets = true;
    const listed = resource.from
      ? "what its RESOURCE names at start"
      : kinds === undefined
        ? "nothing"
        : kinds.map((k) => `${k}s`).join(" and ");
    const ns = env(c, "NAMESPACE");
    const where = ns.from
      ? "the namespaces its NAMESPACE names at start"
      : ns.value === undefined
        ? "its own namespace"
        : ns.value.split(",").some((n) => n.trim() === "ALL")
          ? "every namespace"
          : `namespace${ns.value.includes(",") ? "s" : ""} ${ns.value}`;
    const written = [
      resource.value !== undefined ? `RESOURCE ${JSON.stringify(resource.value)}` : "",
      ns.value !== undefined ? `NAMESPACE ${JSON.stringify(ns.value)}` : "",
    ].filter(Boolean);
    return `${String(c?.name)} lists ${listed} in ${where}${written.length > 0 ? ` (${written.join(", ")})` : ""}`;
  });
  const enough = secrets
    ? `a sidecar given RESOURCE "configmap" (the grafana chart's sidecar.<name>.resource) needs a role on configmaps alone`
    : "a role granting get, list and watch on configmaps there is all it needs";
  return `${SIDECAR_WAY}${each.join("; ")}: ${enough}`;
}

/**
 * The way {@link secretReadWay} wrote into `message`, or undefined: synth says it under a merged
 * message whose first line is another rule's (synth/report.ts alsoLines).
 */
export function secretReadWayIn(message: string): string | undefined {
  const at = message.indexOf(SIDECAR_WAY);
  if (at >= 0) return message.slice(at + 2).replace(/\.$/, "");
  const from = message.indexOf(OPERATOR_WAY);
  return from < 0 ? undefined : message.slice(from).replace(/\.$/, "");
}

/**
 * What a verdict on {@link seccompOf} rests on: the profile of the container or its pod (a chart's
 * `securityContext`, `podSecurityContext` or `containerSecurityContext`), and no other field; a
 * chartValues override is its cause when it sets it (synth/report.ts overridesOn).
 */
export const SECCOMP_JUDGED: readonly string[] = ["securityContext.seccompProfile"];

/** The seccomp profile type a container runs with: its own, else the pod's; undefined when unset. */
export function seccompOf(pod: any, container: any): string | undefined {
  return container?.securityContext?.seccompProfile?.type ?? pod?.securityContext?.seccompProfile?.type;
}

/** A path without trailing slashes ("/" stays "/"). */
export const normPath = (p: string): string => (p.length > 1 ? p.replace(/\/+$/, "") : p);

/**
 * Host paths a node agent (known by its image, as {@link isImageOf} reads it: its repository,
 * itself or through one of the stack's registry mirrors) needs, and whether it only reads them.
 */
export interface AgentHostPaths {
  image: string;
  paths: { path: string; readOnly: boolean }[];
}

/**
 * hostPath problems of one pod: not a DaemonSet, a path its agent does not need, a writable
 * read-only path. A pod is an agent by an image of one of its containers ({@link isImageOf}, through
 * the stack's registry `mirrors`): another registry's image of the same path is no agent, and gets
 * no host path. `cause`: the mistake's key, when an `agents` entry written without a registry is
 * why ({@link MISTAKES} agentEntry).
 */
export function hostPathProblems(
  kind: string,
  pod: any,
  agents: readonly AgentHostPaths[],
  mirrors: ImageMirrors | undefined,
): { volume: string; path: string; problem: string; judged: string[]; cause?: string }[] {
  const containers = [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])];
  const images = containers.map((c: any) => String(c?.image ?? ""));
  const needs = new Map<string, { readOnly: boolean }>();
  for (const a of agents)
    if (images.some((i) => isImageOf(i, a.image, mirrors))) for (const p of a.paths) needs.set(p.path, p);
  const written = needs.size > 0 ? undefined : entryWithoutRegistry(images, agents, mirrors);
  // Each problem with the pod fields it rests on (what a chartValues override must set to cause it):
  // the host volumes and their mounts always, and whether the pod is a node agent by its image.
  const out: { volume: string; path: string; problem: string; judged: string[]; cause?: string }[] = [];
  for (const vol of pod?.volumes ?? []) {
    if (!vol?.hostPath) continue;
    const path = normPath(String(vol.hostPath.path ?? ""));
    const need = needs.get(path);
    if (kind !== "DaemonSet") {
      out.push({
        volume: vol.name,
        path,
        problem:
          "only node agents (DaemonSets) may mount host paths; remove the volume and its mount, or give the pod its data another way (a PersistentVolumeClaim, an emptyDir, a ConfigMap or Secret)",
        judged: ["volumes", "volumeMounts"],
      });
      continue;
    }
    if (!need) {
      out.push({
        volume: vol.name,
        path,
        problem: `it does not need it as a node agent (${needs.size > 0 ? `it needs ${[...needs.keys()].join(", ")}` : "no node agent image"})${needs.size > 0 ? "; remove the volume and its mount: a node agent mounts only the host paths it needs" : (written?.said ?? "")}`,
        judged: ["image", "volumes", "volumeMounts"],
        ...(written ? { cause: causeKey(MISTAKES.agentEntry, written.entry) } : {}),
      });
      continue;
    }
    if (!need.readOnly) continue;
    for (const c of containers)
      if ((c?.volumeMounts ?? []).some((m: any) => m?.name === vol.name && m.readOnly !== true))
        out.push({
          volume: vol.name,
          path,
          problem: `container ${c.name} mounts it writable; the agent only reads it (readOnly: true)`,
          judged: ["volumeMounts", "volumes"],
        });
  }
  return out;
}

/**
 * For a pod known by no agent's image: an `agents` entry written without a registry whose path one
 * of its images' repositories (the upstream one, through the stack's `mirrors`) ends with
 * (`prometheus/node-exporter` for `quay.io/prometheus/node-exporter`), said as the likely cause:
 * the entry names Docker Hub's image ({@link parseImage}), where entries once matched any registry
 * by their trailing path: the entry, and what to say of it. Said in the violation itself, which
 * `pulumi preview` shows where synth's warning of the entry (synth/pack.ts agentEntries) is not
 * seen. Undefined when none does.
 */
function entryWithoutRegistry(
  images: string[],
  agents: readonly AgentHostPaths[],
  mirrors: ImageMirrors | undefined,
): { entry: string; said: string } | undefined {
  const repositories = images
    .filter((i) => i.trim() !== "")
    .map((i) => parseImage(i).repository)
    .map((r) => upstreamRepository(r, mirrors) ?? r);
  for (const a of agents)
    for (const repository of repositories)
      if (imageEntryMeant(a.image, [repository]))
        return {
          entry: a.image,
          said: `; the agents entry "${a.image}" names Docker Hub's ${parseImage(a.image).repository} (an image without a registry is Docker Hub's), not ${repository}: if it is that agent, write "${repository}" there`,
        };
  return undefined;
}

// ---- escalation paths ---------------------------------------------------------------------------

/**
 * A grant that lets its holder gain more than it was given (Kubernetes documentation, "Role Based
 * Access Control Good Practices", "Privilege escalation risks"):
 * - `bind` / `escalate`: bind or write roles holding permissions the holder lacks;
 * - `impersonate`: act as another user, group or ServiceAccount (a `*` verb on serviceaccounts,
 *   users or groups includes it);
 * - `rbac-wildcard`: a `*` verb or resource on roles and bindings (which includes bind and escalate);
 * - `wildcard-sensitive`: a `*` verb or resource on Secrets, Pods or ServiceAccounts (exec, token
 *   requests, every Secret);
 * - `cluster-secret-read`: reading every Secret of the cluster (a ClusterRole bound cluster-wide).
 */
export type EscalationGrant =
  "bind" | "escalate" | "impersonate" | "rbac-wildcard" | "wildcard-sensitive" | "cluster-secret-read";

const RBAC_GROUP = "rbac.authorization.k8s.io";
const RBAC_RESOURCES = ["roles", "clusterroles", "rolebindings", "clusterrolebindings"];
const ROLE_RESOURCES = ["roles", "clusterroles"];
const IDENTITY_RESOURCES = ["users", "groups", "serviceaccounts", "uids", "userextras/*"];
const SENSITIVE_RESOURCES = ["secrets", "pods", "serviceaccounts"];

const covers = (rule: any, group: string, resources: string[]) =>
  has(rule?.apiGroups, group, "*") && has(rule?.resources, ...resources, "*");

/** The escalation paths one RBAC rule opens (resourceNames do not narrow them: a name is still a way in). */
export function escalationsOf(rule: any): Exclude<EscalationGrant, "cluster-secret-read">[] {
  const out: Exclude<EscalationGrant, "cluster-secret-read">[] = [];
  const verbs = (v: string) => has(rule?.verbs, v, "*");
  if (covers(rule, RBAC_GROUP, ROLE_RESOURCES) && verbs("bind")) out.push("bind");
  if (covers(rule, RBAC_GROUP, ROLE_RESOURCES) && verbs("escalate")) out.push("escalate");
  if (
    verbs("impersonate") &&
    (covers(rule, "", IDENTITY_RESOURCES) || covers(rule, "authentication.k8s.io", IDENTITY_RESOURCES))
  )
    out.push("impersonate");
  if (covers(rule, RBAC_GROUP, RBAC_RESOURCES) && has(rule?.verbs, "*")) out.push("rbac-wildcard");
  else if (has(rule?.apiGroups, RBAC_GROUP, "*") && has(rule?.resources, "*")) out.push("rbac-wildcard");
  if (covers(rule, "", SENSITIVE_RESOURCES) && (has(rule?.verbs, "*") || has(rule?.resources, "*")))
    out.push("wildcard-sensitive");
  return out;
}

/**
 * One accepted finding of the security checks: what it applies to, what was found, why it stays.
 * The list itself is `ACCEPTED_EXCEPTIONS` (contract/exceptions.ts).
 */
export interface AcceptedException {
  /**
   * What it applies to: `ClusterRole <name>`, `Role <namespace>/<name>`, a pod's owner
   * (`DaemonSet <namespace>/<name>`), or one container of it (`<owner> container <name>`).
   */
  subject: string;
  /** What was found: an {@link EscalationGrant}, `runs-as-root`, or a scanner's rule (`monokle:PSS102`). */
  finding: string;
  /** Why it stays, with the upstream source that says so. */
  reason: string;
}

/** Whether (subject, finding) is one of the accepted exceptions. */
export function isAccepted(
  subject: string,
  finding: string,
  accepted: readonly AcceptedException[],
): boolean {
  return accepted.some((a) => a.subject === subject && a.finding === finding);
}
