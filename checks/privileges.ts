/**
 * What each rendered pod may do beyond its job: RBAC (cluster-wide Secret read outside the
 * operators, `nodes/proxy`), host access (hostPath beyond what node agents need) and seccomp, for
 * every pod of the stack: workloads the charts render, their hooks, and the pods the Prometheus and
 * VictoriaMetrics operators make from custom resources (with the sidecars they inject).
 *
 * Operator-made pods are modelled from their custom resource: the pod's securityContext,
 * serviceAccountName, priorityClassName, volumes and resources come from the CR's spec (both
 * operators copy them to the pod template). prometheus-operator adds `config-reloader` beside the
 * main container (and `init-config-reloader`), the VictoriaMetrics operator a `config-reloader` for
 * vmagent, vmalert and vmalertmanager; both take the pod's seccomp profile. Container contexts
 * the operators set on their own are not modelled (shown as "op" in the table); the VM operator's
 * `useStrictSecurity` puts the container fields of `spec.securityContext` on every container
 * (VictoriaMetrics/operator docs/security.md).
 */
import { NODE_AGENT_HOST_PATHS } from "../builders/security/hardening";
import {
  acceptedExceptionsFor,
  escalationsOf,
  grantsNodesProxy,
  grantsSecretRead,
  isAccepted,
  isStackInfoLabels,
  DEFAULT_OPERATOR_IMAGES,
  secretReadWay,
  runsOperator,
  type AcceptedException,
  type EscalationGrant,
  hostPathProblems,
  normPath,
  rbacRuleCause,
  SECCOMP_JUDGED,
  seccompOf,
  type StackNamespaces,
  type ImageMirrors,
} from "@homelab-observability/contract";
import { containersOf, podTemplates, selects, type Finding, type K8sObject, type Placed } from "./objects";
import { checkScrapeAuthz } from "./scrapeAuthz";
import { mirrorsOf } from "./imageDigests";

/** One pod as the checks and the workload table see it. */
export interface PodView {
  owner: Placed;
  /** `Kind namespace/name` of the workload or custom resource. */
  name: string;
  kind: string;
  namespace: string;
  labels: Record<string, string>;
  spec: Record<string, any>;
  /** Made by an operator from a custom resource: container contexts are the operator's. */
  byOperator: boolean;
  /** A Helm hook (a Job run around install or upgrade). */
  hook: boolean;
}

const POD_FIELDS = [
  "fsGroup",
  "fsGroupChangePolicy",
  "runAsGroup",
  "runAsNonRoot",
  "runAsUser",
  "seLinuxOptions",
  "seccompProfile",
  "supplementalGroups",
  "sysctls",
  "appArmorProfile",
];
const CONTAINER_FIELDS = ["allowPrivilegeEscalation", "capabilities", "privileged", "readOnlyRootFilesystem"];

const pick = (o: Record<string, any> | undefined, keys: string[]) =>
  Object.fromEntries(Object.entries(o ?? {}).filter(([k]) => keys.includes(k)));

/** Containers the operator makes for a CR kind (main first), `[]` when it makes no pod. */
const OPERATOR_PODS: Record<string, { group: string; containers: string[]; init?: string[] }> = {
  Prometheus: {
    group: "monitoring.coreos.com",
    containers: ["prometheus", "config-reloader"],
    init: ["init-config-reloader"],
  },
  Alertmanager: {
    group: "monitoring.coreos.com",
    containers: ["alertmanager", "config-reloader"],
    init: ["init-config-reloader"],
  },
  VMSingle: { group: "operator.victoriametrics.com", containers: ["vmsingle"] },
  VMAgent: { group: "operator.victoriametrics.com", containers: ["vmagent", "config-reloader"] },
  VMAlert: { group: "operator.victoriametrics.com", containers: ["vmalert", "config-reloader"] },
  VMAlertmanager: {
    group: "operator.victoriametrics.com",
    containers: ["alertmanager", "config-reloader"],
  },
  // A VMCluster's components (podViews splits the CR: each from `spec.<component>`).
  VMStorage: { group: "operator.victoriametrics.com", containers: ["vmstorage"] },
  VMInsert: { group: "operator.victoriametrics.com", containers: ["vminsert"] },
  VMSelect: { group: "operator.victoriametrics.com", containers: ["vmselect"] },
};

/** A VMCluster as one CR per component, each with its part of the spec, for operatorPod. */
function vmClusterParts(p: Placed): Placed[] {
  if (p.obj.kind !== "VMCluster" || !p.obj.apiVersion.startsWith("operator.victoriametrics.com/")) return [];
  return (["VMStorage", "VMInsert", "VMSelect"] as const)
    .filter((k) => p.obj.spec?.[k.toLowerCase()])
    .map((k) => ({ ...p, obj: { ...p.obj, kind: k, spec: p.obj.spec[k.toLowerCase()] } }));
}

function operatorPod(p: Placed): PodView | undefined {
  const { kind, apiVersion, metadata } = p.obj;
  const model = OPERATOR_PODS[kind];
  if (!model || !apiVersion.startsWith(`${model.group}/`)) return undefined;
  const spec = p.obj.spec ?? {};
  const vm = model.group === "operator.victoriametrics.com";
  const sc: Record<string, any> = spec.securityContext ?? {};
  const containerSc = vm && spec.useStrictSecurity ? pick(sc, CONTAINER_FIELDS) : undefined;
  const made = (name: string, i: number) => ({
    name,
    ...(i === 0 && spec.resources ? { resources: spec.resources } : {}),
    ...(containerSc && Object.keys(containerSc).length > 0 ? { securityContext: containerSc } : {}),
  });
  // CR `containers` entries patch the operator's containers by name or add new ones.
  const patched = (base: any[], extra: any[] = []) => [
    ...base.map((c) => ({ ...c, ...(extra.find((e) => e?.name === c.name) ?? {}) })),
    ...extra.filter((e) => !base.some((c) => c.name === e?.name)),
  ];
  const app = vm ? kind.toLowerCase() : kind.toLowerCase();
  return {
    owner: p,
    name: `${kind} ${metadata.namespace}/${metadata.name}`,
    kind,
    namespace: metadata.namespace ?? "?",
    labels: vm
      ? { "app.kubernetes.io/name": app, "app.kubernetes.io/instance": metadata.name }
      : { "app.kubernetes.io/name": app, "operator.prometheus.io/name": metadata.name, [app]: metadata.name },
    spec: {
      securityContext: vm ? pick(sc, POD_FIELDS) : sc,
      serviceAccountName: spec.serviceAccountName ?? (vm ? `${app}-${metadata.name}` : "default"),
      automountServiceAccountToken: vm
        ? !spec.disableAutomountServiceAccountToken
        : (spec.automountServiceAccountToken ?? true),
      priorityClassName: spec.priorityClassName,
      hostNetwork: spec.hostNetwork,
      volumes: spec.volumes ?? [],
      tolerations: spec.tolerations,
      containers: patched(model.containers.map(made), spec.containers),
      initContainers: patched(
        (model.init ?? []).map((n) => ({ name: n })),
        spec.initContainers,
      ),
    },
    byOperator: true,
    hook: false,
  };
}

/** Every pod of the stack: built-in workloads (hooks included) and operator-made pods. */
export function podViews(objects: Placed[]): PodView[] {
  const out: PodView[] = podTemplates(objects).map((t) => ({
    owner: t.owner,
    name: `${t.owner.obj.kind} ${t.owner.obj.metadata.namespace ?? "?"}/${t.owner.obj.metadata.name}`,
    kind: t.owner.obj.kind,
    namespace: t.owner.obj.metadata.namespace ?? "?",
    labels: t.labels,
    spec: t.spec,
    byOperator: false,
    hook: !!t.owner.hook,
  }));
  for (const p of objects) {
    for (const part of [p, ...vmClusterParts(p)]) {
      const v = operatorPod(part);
      if (v)
        out.push(
          part === p
            ? v
            : {
                ...v,
                name: `VMCluster ${v.namespace}/${p.obj.metadata.name} ${part.obj.kind.toLowerCase()}`,
              },
        );
    }
  }
  return out;
}

// ---- RBAC ---------------------------------------------------------------------------------------

interface Grant {
  role: Placed;
  binding: Placed;
  /** `namespace/name` of each ServiceAccount subject. */
  accounts: string[];
  clusterWide: boolean;
}

/** Every (role, binding) pair in the stack with the ServiceAccounts it binds. */
function grants(objects: Placed[]): Grant[] {
  const roles = objects.filter((p) => p.obj.kind === "ClusterRole" || p.obj.kind === "Role");
  const out: Grant[] = [];
  for (const b of objects) {
    if (b.obj.kind !== "ClusterRoleBinding" && b.obj.kind !== "RoleBinding") continue;
    const ref = b.obj.roleRef ?? {};
    const role = roles.find(
      (r) =>
        r.obj.kind === ref.kind &&
        r.obj.metadata.name === ref.name &&
        (r.obj.kind === "ClusterRole" || r.obj.metadata.namespace === b.obj.metadata.namespace),
    );
    if (!role) continue;
    const accounts = (b.obj.subjects ?? [])
      .filter((s: any) => s?.kind === "ServiceAccount")
      .map((s: any) => `${s.namespace ?? b.obj.metadata.namespace}/${s.name}`);
    out.push({ role, binding: b, accounts, clusterWide: b.obj.kind === "ClusterRoleBinding" });
  }
  return out;
}

/**
 * Every ServiceAccount (`namespace/name`) some RoleBinding or ClusterRoleBinding of the stack binds
 * to a role of the stack, with the first such grant as `Kind role via Kind binding`.
 */
export function boundAccounts(objects: Placed[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const g of grants(objects))
    for (const a of g.accounts)
      if (!out.has(a))
        out.set(
          a,
          `${g.role.obj.kind} ${g.role.obj.metadata.name} via ${g.binding.obj.kind} ${g.binding.obj.metadata.name}`,
        );
  return out;
}

const saOf = (v: PodView) =>
  `${v.namespace}/${v.spec.serviceAccountName ?? v.spec.serviceAccount ?? "default"}`;

/**
 * Whether a pod runs an operator (prometheus-operator, the VictoriaMetrics operator) as its main
 * container, by the images the pack's no-cluster-secret-read takes as operators and as it judges a
 * pod (contract operatorImagesOf, runsOperator).
 */
export function isOperator(
  v: PodView,
  operatorImages: readonly string[] = DEFAULT_OPERATOR_IMAGES,
  mirrors?: ImageMirrors,
): boolean {
  return runsOperator(v.spec, operatorImages, mirrors);
}

const ruleIndex = (role: K8sObject, test: (r: any) => boolean) =>
  (role.rules ?? []).findIndex((r: any) => test(r));

/**
 * Pods outside the operators that can read every Secret of the cluster (a ClusterRoleBinding to a
 * role granting get, list or watch on Secrets), and every holder of `nodes/proxy`. The operators
 * are `operatorImages`: the pack config's, as synth reads it (`--policy-config`), so this check
 * and no-cluster-secret-read refuse the same workloads; the defaults without one.
 */
export function checkRbac(
  objects: Placed[],
  operatorImages: readonly string[] = DEFAULT_OPERATOR_IMAGES,
): Finding[] {
  const views = podViews(objects);
  const mirrors = mirrorsOf(objects);
  const findings: Finding[] = [];
  for (const g of grants(objects)) {
    const label = `${g.role.obj.kind} ${g.role.obj.metadata.name} (${g.role.source}) via ${g.binding.obj.kind} ${g.binding.obj.metadata.name}`;
    const secretRule = ruleIndex(g.role.obj, grantsSecretRead);
    if (g.clusterWide && secretRule >= 0) {
      for (const v of views.filter(
        (v) => g.accounts.includes(saOf(v)) && !isOperator(v, operatorImages, mirrors),
      ))
        findings.push({
          check: "secret-read",
          where: v.name,
          cause: ruleCause(g.role.obj, secretRule),
          // The way the pack's refusal names (contract secretReadWay), said here too: with the
          // pack's policy disabled, or judged apart, this is the message the user reads.
          message: `${v.name} (${v.owner.source}) can read every Secret of the cluster: ${label} rules[${secretRule}] grants ${JSON.stringify(g.role.obj.rules[secretRule].verbs)} on secrets to ServiceAccount ${saOf(v)}; only the operators need that${secretReadWay(v.spec, mirrors)}`,
        });
    }
    const proxyRule = ruleIndex(g.role.obj, grantsNodesProxy);
    if (proxyRule >= 0 && g.accounts.length > 0)
      findings.push({
        check: "nodes-proxy",
        where: `${g.binding.obj.kind} ${g.binding.obj.metadata.name}`,
        cause: ruleCause(g.role.obj, proxyRule),
        message: `${label} rules[${proxyRule}] grants nodes/proxy (the kubelet's API, exec included) to ${g.accounts.join(", ")}; kubelet metrics need only nodes/metrics`,
      });
  }
  return findings;
}

/** How a role is named in findings and in the accepted-exceptions list. */
export function roleSubject(role: K8sObject): string {
  return role.kind === "Role"
    ? `Role ${role.metadata.namespace ?? "?"}/${role.metadata.name}`
    : `${role.kind} ${role.metadata.name}`;
}

/** One escalation path a role opens. */
export interface Escalation {
  subject: string;
  grant: EscalationGrant;
  rule: number;
  source: string;
  /** The rule's key: the paths one rule opens are one mistake with the pack's findings on it. */
  cause: string;
}

/** The key of a role's `rules[i]`, as the pack keys its findings on that rule (policy/lib/report.ts). */
const ruleCause = (role: K8sObject, i: number) =>
  rbacRuleCause(role.kind, role.metadata?.namespace, role.metadata?.name, i);

/**
 * Every escalation path of every Role and ClusterRole of the stack, operators' included, accepted
 * or not: `bind`, `escalate`, `impersonate`, wildcards on RBAC objects or on Secrets, Pods and
 * ServiceAccounts (contract `escalationsOf`), and reading every Secret of the cluster (a ClusterRole
 * with a Secret read bound by a ClusterRoleBinding to a ServiceAccount).
 */
export function escalations(objects: Placed[]): Escalation[] {
  const out: Escalation[] = [];
  for (const p of objects) {
    if (p.obj.kind !== "ClusterRole" && p.obj.kind !== "Role") continue;
    const subject = roleSubject(p.obj);
    (p.obj.rules ?? []).forEach((rule: any, i: number) => {
      for (const grant of escalationsOf(rule))
        out.push({ subject, grant, rule: i, source: p.source, cause: ruleCause(p.obj, i) });
    });
  }
  for (const g of grants(objects)) {
    if (!g.clusterWide || g.accounts.length === 0 || g.role.obj.kind !== "ClusterRole") continue;
    const i = ruleIndex(g.role.obj, grantsSecretRead);
    const subject = roleSubject(g.role.obj);
    if (i >= 0 && !out.some((e) => e.subject === subject && e.grant === "cluster-secret-read"))
      out.push({
        subject,
        grant: "cluster-secret-read",
        rule: i,
        source: g.role.source,
        cause: ruleCause(g.role.obj, i),
      });
  }
  return out;
}

/**
 * The namespaces the stack uses, as its rendered objects say them (the exceptions name namespaces
 * by role, contract/exceptions.ts): the stack-info ConfigMap lives in the stack's namespace
 * (plan/foundation.ts), and the agents' is the one other namespace the stack creates (a Namespace
 * object), or the stack's own when it creates no other (agents.step stay, plan/context.ts). A role
 * the objects do not settle is left out, and the exceptions naming it accept nothing.
 */
export function stackNamespaces(objects: Placed[]): StackNamespaces {
  const infos = objects.filter(
    (p) => p.obj.kind === "ConfigMap" && isStackInfoLabels(p.obj.metadata?.labels),
  );
  const namespace = infos.length === 1 ? infos[0].obj.metadata.namespace : undefined;
  if (namespace === undefined) return {};
  const others = objects
    .filter((p) => p.obj.kind === "Namespace" && p.obj.metadata.name !== namespace)
    .map((p) => p.obj.metadata.name);
  if (others.length > 1) return { namespace };
  return { namespace, agents: others[0] ?? namespace };
}

/** The accepted exceptions (contract/exceptions.ts) with the namespaces of the stack `objects` render. */
const acceptedIn = (objects: Placed[]): AcceptedException[] =>
  acceptedExceptionsFor(stackNamespaces(objects));

/** Escalation paths that are not in the accepted-exceptions list (contract/exceptions.ts). */
export function checkEscalations(
  objects: Placed[],
  accepted: readonly AcceptedException[] = acceptedIn(objects),
): Finding[] {
  return escalations(objects)
    .filter((e) => !isAccepted(e.subject, e.grant, accepted))
    .map((e) => ({
      check: "rbac-escalation",
      where: e.subject,
      cause: e.cause,
      message: `${e.subject} (${e.source}) rules[${e.rule}] opens the escalation path ${e.grant}; give it explicit verbs and resources, or name it with a reason in the accepted exceptions (contract/exceptions.ts)`,
    }));
}

// ---- host access and seccomp --------------------------------------------------------------------

/**
 * hostPath volumes beyond what node agents need: only DaemonSets may mount the host, only the paths
 * their agent needs (NODE_AGENT_HOST_PATHS, by image: its repository, or a copy at one of the
 * stack's registry mirrors), and read-only where it only reads.
 */
export function checkHostPaths(
  objects: Placed[],
  agents: typeof NODE_AGENT_HOST_PATHS = NODE_AGENT_HOST_PATHS,
): Finding[] {
  const mirrors = mirrorsOf(objects);
  return podViews(objects).flatMap((v) =>
    hostPathProblems(v.kind, v.spec, agents, mirrors).map((p) => ({
      check: "host-path",
      where: `${v.name} volume ${p.volume}`,
      // The volume's name in the message, as the policy's says it: synth/report.ts traces it to the
      // chartValues list item that added the volume (`controller.volumes.extra[1]`).
      message: `${v.name} (${v.owner.source}) volume ${p.volume} mounts the host's ${p.path}: ${p.problem}${notAnAgent(p.problem, v.spec, agents)}`,
      judged: p.judged,
      ...(p.cause ? { cause: p.cause } : {}),
    })),
  );
}

/**
 * What a DaemonSet known by no node agent's image runs instead, named: the image is what decides
 * (another registry's image of an agent's path, or a copy at a mirror the stack does not declare,
 * is none of them), and naming it ties the finding to the
 * `chartValues.<chart>.image.*` override that set it, so the synthesis prints it with that
 * override's other consequences (arm64-images, image-pins) as one mistake (synth/report.ts).
 */
function notAnAgent(problem: string, pod: any, agents: typeof NODE_AGENT_HOST_PATHS): string {
  if (!problem.includes("(no node agent image)")) return "";
  const images = [...new Set(containersOf(pod).map((c: any) => String(c?.image ?? "")))].filter(Boolean);
  return `: it runs ${images.join(", ")}, none of the node agents' images (${agents.map((a) => a.image).join(", ")}); an agent is known by its image's repository, at its registry or through a mirror of it the stack declares in its imageMirrors key, so another registry's image of the same path is not: keep the agent's repository, or declare the mirror it is pulled through`;
}

export { seccompOf };

/** Containers (init containers, hooks and operator-made pods included) without seccomp RuntimeDefault. */
export function checkSeccomp(objects: Placed[]): Finding[] {
  const findings: Finding[] = [];
  for (const v of podViews(objects)) {
    for (const c of containersOf(v.spec)) {
      const type = seccompOf(v.spec, c);
      if (type === "RuntimeDefault") continue;
      findings.push({
        check: "seccomp",
        where: `${v.name} container ${c.name}`,
        message: `${v.name} (${v.owner.source}) container ${c.name} runs with seccomp ${type ?? "unset (Unconfined under most runtimes)"}; set securityContext.seccompProfile.type RuntimeDefault on the pod${v.byOperator ? " (the custom resource's spec.securityContext)" : ""}`,
        judged: [...SECCOMP_JUDGED],
        containers: [c.name],
      });
    }
  }
  return findings;
}

/** What {@link mayRunAsRoot} reads, of the container's or its pod's securityContext (see SECCOMP_JUDGED). */
const ROOT_JUDGED = ["securityContext.runAsUser", "securityContext.runAsNonRoot"];

/**
 * Whether a container may run as root: its user (its own, else the pod's) is 0, or no user is set
 * and nothing demands a non-root one (the image's user, root for most images, applies).
 */
export function mayRunAsRoot(pod: any, container: any): boolean {
  const sc = container?.securityContext ?? {};
  const user = sc.runAsUser ?? pod?.securityContext?.runAsUser;
  if (user !== undefined) return user === 0;
  return (sc.runAsNonRoot ?? pod?.securityContext?.runAsNonRoot) !== true;
}

/** How one container is named in the accepted-exceptions list. */
export const rootSubject = (pod: string, container: string): string => `${pod} container ${container}`;

/** Every pod and container that may run as root, accepted or not, by its exception subject. */
export function rootContainers(objects: Placed[]): string[] {
  return podViews(objects).flatMap((v) =>
    containersOf(v.spec)
      .filter((c) => mayRunAsRoot(v.spec, c))
      .map((c) => rootSubject(v.name, c.name)),
  );
}

/** Pods (hooks and operator-made pods included) with a container that may run as root, unless accepted. */
export function checkRoot(
  objects: Placed[],
  accepted: readonly AcceptedException[] = acceptedIn(objects),
): Finding[] {
  const findings: Finding[] = [];
  for (const v of podViews(objects)) {
    // An exception names the pod (every container) or one container of it (`<pod> container <name>`).
    const root = containersOf(v.spec).filter(
      (c) => mayRunAsRoot(v.spec, c) && !isAccepted(rootSubject(v.name, c.name), "runs-as-root", accepted),
    );
    if (root.length === 0 || isAccepted(v.name, "runs-as-root", accepted)) continue;
    findings.push({
      check: "runs-as-root",
      where: v.name,
      message: `${v.name} (${v.owner.source}) container(s) ${root.map((c) => c.name).join(", ")} may run as root (no runAsUser, or 0); set runAsNonRoot and runAsUser on the pod${v.byOperator ? " (the custom resource's spec.securityContext)" : ""}, or name it with a reason in the accepted exceptions (contract/exceptions.ts)`,
      judged: [...ROOT_JUDGED],
      containers: root.map((c) => c.name),
    });
  }
  return findings;
}

/**
 * Every privilege check, and that every scraper is granted what a kube-rbac-proxy in front of its
 * targets asks (checks/scrapeAuthz.ts): the grant is proven where the roles are judged.
 */
export function checkPrivileges(
  objects: Placed[],
  operatorImages: readonly string[] = DEFAULT_OPERATOR_IMAGES,
): Finding[] {
  return [
    ...checkRbac(objects, operatorImages),
    ...checkScrapeAuthz(objects),
    ...checkEscalations(objects),
    ...checkRoot(objects),
    ...checkHostPaths(objects),
    ...checkSeccomp(objects),
  ];
}

// ---- the workload table -------------------------------------------------------------------------

export interface WorkloadRow {
  namespace: string;
  workload: string;
  source: string;
  privileged: string;
  hostPath: string;
  hostNetwork: string;
  runAsNonRoot: string;
  readOnlyRootFilesystem: string;
  seccomp: string;
  limits: string;
  probes: string;
  pdb: string;
  priority: string;
}

/** "yes" when every value is true, "no" when none, "k/n" otherwise. */
function share(values: boolean[]): string {
  const n = values.filter(Boolean).length;
  if (n === values.length) return "yes";
  return n === 0 ? "no" : `${n}/${values.length}`;
}

/** One row per pod of the stack (hooks apart): what it may do and how it is kept. */
export function workloadTable(objects: Placed[]): WorkloadRow[] {
  const pdbs = objects.filter((p) => p.obj.kind === "PodDisruptionBudget");
  return podViews(objects)
    .filter((v) => !v.hook)
    .map((v) => {
      const pod = v.spec;
      const cs = containersOf(pod);
      const main = pod.containers ?? [];
      const csc = (c: any) => c.securityContext ?? {};
      const op = (s: string) => (v.byOperator ? `${s} (op)` : s);
      const nonRoot = cs.map((c) => {
        const user = csc(c).runAsUser ?? pod.securityContext?.runAsUser;
        return (
          (csc(c).runAsNonRoot ?? pod.securityContext?.runAsNonRoot) === true ||
          (user !== undefined && user !== 0)
        );
      });
      const hostPaths = (pod.volumes ?? [])
        .filter((x: any) => x?.hostPath)
        .map((x: any) => normPath(x.hostPath.path));
      const limited = main.map((c: any) => !!c.resources?.limits?.memory);
      const probes = main.filter((c: any) => c.readinessProbe || c.livenessProbe).length;
      const pdb =
        pdbs.some(
          (p) => p.obj.metadata.namespace === v.namespace && selects(p.obj.spec?.selector, v.labels),
        ) || !!v.owner.obj.spec?.podDisruptionBudget;
      return {
        namespace: v.namespace,
        workload: v.name.replace(` ${v.namespace}/`, " "),
        source: v.owner.source,
        privileged: cs.some((c) => csc(c).privileged === true) ? "yes" : "no",
        hostPath: hostPaths.length > 0 ? hostPaths.join(" ") : "-",
        hostNetwork: pod.hostNetwork === true ? "yes" : "no",
        runAsNonRoot: share(nonRoot),
        readOnlyRootFilesystem: op(share(cs.map((c) => csc(c).readOnlyRootFilesystem === true))),
        seccomp: share(cs.map((c) => seccompOf(pod, c) === "RuntimeDefault")),
        limits: v.byOperator ? `main ${limited[0] ? "yes" : "no"} (op)` : share(limited),
        probes: v.byOperator ? "op" : `${probes}/${main.length}`,
        pdb: pdb ? "yes" : "-",
        priority: pod.priorityClassName ?? "-",
      };
    })
    .sort((a, b) => (a.workload < b.workload ? -1 : a.workload > b.workload ? 1 : 0));
}

const COLUMNS: [keyof WorkloadRow, string][] = [
  ["workload", "workload"],
  ["namespace", "namespace"],
  ["privileged", "privileged"],
  ["hostPath", "hostPath"],
  ["hostNetwork", "hostNetwork"],
  ["runAsNonRoot", "runAsNonRoot"],
  ["readOnlyRootFilesystem", "readOnlyRootFs"],
  ["seccomp", "seccomp RuntimeDefault"],
  ["limits", "memory limits"],
  ["probes", "probes"],
  ["pdb", "PDB"],
  ["priority", "priorityClass"],
];

/** The table as Markdown; "k/n" counts containers, "(op)" marks what the operator decides too. */
export function formatWorkloadTable(rows: WorkloadRow[]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [
    line(COLUMNS.map(([, h]) => h)),
    line(COLUMNS.map(() => "---")),
    ...rows.map((r) => line(COLUMNS.map(([k]) => r[k]))),
  ].join("\n");
}
