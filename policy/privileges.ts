import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { configOf, givenConfig, schemaFor, type Level } from "./lib/config";
import { label, toRes, type Res } from "./lib/resources";
import { forTypes } from "./lib/typed";
import { reportCause, reportJudged } from "./lib/report";
import { RAW_WORKLOAD_TYPES } from "./lib/workloads";
import { stackFacts } from "./lib/budget";
import {
  BUILTIN_SECRET_READERS,
  operatorImagesOf,
  runsOperator,
  secretReadWay,
  rbacRuleCause,
  SECCOMP_JUDGED,
} from "@homelab-observability/contract";
import {
  DEFAULT_AGENT_HOST_PATHS,
  DEFAULT_OPERATOR_IMAGES,
  grantsNodesProxy,
  grantsSecretRead,
  hostPathProblems,
  seccompOf,
  type AgentHostPaths,
} from "./lib/privileges";

/*
 * Least privilege over what a preview can see: the program's own RBAC objects and workloads live,
 * and offline every object the charts render (they stand beside their release as resources). A
 * Helm release's own objects are opaque to a live preview; the offline synthesis judges them.
 */

const ROLE_TYPES = new Set([
  "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
  "kubernetes:rbac.authorization.k8s.io/v1:Role",
]);

/** Where a raw workload keeps its pod spec. */
const POD_SPEC: Record<string, string> = {
  "kubernetes:apps/v1:Deployment": "spec.template.spec",
  "kubernetes:apps/v1:StatefulSet": "spec.template.spec",
  "kubernetes:apps/v1:ReplicaSet": "spec.template.spec",
  "kubernetes:apps/v1:DaemonSet": "spec.template.spec",
  "kubernetes:batch/v1:Job": "spec.template.spec",
  "kubernetes:batch/v1:CronJob": "spec.jobTemplate.spec.template.spec",
  "kubernetes:core/v1:Pod": "spec",
};

/** Custom resources operators make pods from: their pod securityContext is `spec.securityContext`. */
const OPERATED_TYPES = new Set([
  "kubernetes:monitoring.coreos.com/v1:Prometheus",
  "kubernetes:monitoring.coreos.com/v1:Alertmanager",
  "kubernetes:operator.victoriametrics.com/v1beta1:VMSingle",
  "kubernetes:operator.victoriametrics.com/v1beta1:VMAgent",
  "kubernetes:operator.victoriametrics.com/v1beta1:VMAlert",
  "kubernetes:operator.victoriametrics.com/v1beta1:VMAlertmanager",
]);

function podSpecOf(r: Res): any {
  const path = POD_SPEC[r.type];
  if (!path) return undefined;
  let cur: any = r.props;
  for (const k of path.split(".")) cur = cur?.[k];
  return cur;
}

/** Nobody holds the kubelet's `nodes/proxy`. */
export function noNodesProxy(level: Level = "mandatory"): ResourceValidationPolicy {
  return {
    name: "no-nodes-proxy",
    description:
      "No Role or ClusterRole grants nodes/proxy (kubelet exec over a GET on every node); kubelet metrics need nodes/metrics.",
    enforcementLevel: level,
    validateResource: forTypes(ROLE_TYPES, (args, report) => {
      // Rules of a Role or ClusterRole only (the body itself reads its types, as the guard does).
      if (!ROLE_TYPES.has(args.type)) return;
      const rules: any[] = Array.isArray(args.props.rules) ? args.props.rules : [];
      const kind = args.type.split(":").pop() ?? "";
      const meta = args.props.metadata ?? {};
      rules.forEach((rule, i) => {
        if (grantsNodesProxy(rule))
          reportCause(
            report,
            `${label(toRes(args))}: rules[${i}] grants nodes/proxy (the kubelet's API, exec included); grant nodes/metrics for kubelet metrics instead.`,
            rbacRuleCause(kind, meta.namespace, String(meta.name ?? ""), i),
          );
      });
    }),
  };
}

export interface SecretReadConfig {
  /** Images of the operators allowed to read Secrets cluster-wide (as contract isImageOf reads them). */
  operatorImages: string[];
}
export const SECRET_READ_DEFAULTS: SecretReadConfig = { operatorImages: [...DEFAULT_OPERATOR_IMAGES] };

/**
 * An image list entry of a config: an empty string is refused by the engine's validation (as a
 * substring it once named every image and turned the check off; imageMatches names none by it).
 */
const IMAGE_ENTRY = {
  type: "string",
  pattern: "^\\S+$",
  // The form a refusal names (synth/pack.ts): the pattern is only how it is checked.
  description: "an image, one word without spaces",
};

/**
 * Why a ClusterRole reads Secrets, or undefined: the stack's own role by its first rule reading
 * them, else a Kubernetes built-in the API server keeps (BUILTIN_SECRET_READERS); a role neither
 * defines is not judged (the stack cannot see it).
 */
function secretReadOf(name: unknown, roles: Res[]): { why: string; cause?: string } | undefined {
  const role = roles.find((r) => r.props.metadata?.name === name);
  if (role) {
    const i = (role.props.rules ?? []).findIndex(grantsSecretRead);
    // The rule is the mistake the rendered-object checks see too (secret-read, rbac-escalation).
    return i < 0
      ? undefined
      : {
          why: `whose rules[${i}] reads secrets`,
          cause: rbacRuleCause("ClusterRole", undefined, String(name), i),
        };
  }
  const builtin = typeof name === "string" ? BUILTIN_SECRET_READERS[name] : undefined;
  return builtin ? { why: `a Kubernetes built-in that reads secrets (${builtin})` } : undefined;
}

/** Only the operators can read every Secret of the cluster. */
export function noClusterSecretRead(level: Level = "mandatory"): StackValidationPolicy {
  return {
    name: "no-cluster-secret-read",
    description:
      "No workload but the operators is bound cluster-wide (ClusterRoleBinding) to a role that reads Secrets (the stack's own or a Kubernetes built-in such as cluster-admin, admin, edit).",
    enforcementLevel: level,
    configSchema: schemaFor(
      SECRET_READ_DEFAULTS as unknown as Record<string, unknown>,
      {
        operatorImages:
          "Images of operators that may read Secrets cluster-wide, added to the pinned operators: a repository (registry/repository; without a registry, Docker Hub's) or a whole reference with its tag, matched exactly or through the stack's imageMirrors; never a trailing path or a substring.",
      },
      { operatorImages: { items: IMAGE_ENTRY } },
    ),
    validateStack: (args, report) => {
      // Resolved as the offline secret-read check resolves it (contract operatorImagesOf): both call
      // the same workloads operators.
      const operatorImages = operatorImagesOf(givenConfig<Partial<SecretReadConfig>>(args));
      const resources = args.resources.map(toRes);
      const kind = (r: Res) => r.type.split(":").pop();
      // The set first: splitting every resource's type was 13 ms of a 1,014 ms profiled run of the
      // pack benchmark (10,000 resources, 171 roles).
      const roles = resources.filter((r) => ROLE_TYPES.has(r.type) && kind(r) === "ClusterRole");
      const bindings = resources.filter(
        (r) => r.type === "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
      );
      const workloads = resources.filter((r) => RAW_WORKLOAD_TYPES.has(r.type));
      // Through which the stack pulls its images: a mirrored k8s-sidecar is still known for one.
      const mirrors = stackFacts(resources).imageMirrors;
      for (const b of bindings) {
        const ref = b.props.roleRef ?? {};
        const reads = ref.kind === "ClusterRole" ? secretReadOf(ref.name, roles) : undefined;
        if (!reads) continue;
        const accounts = (b.props.subjects ?? [])
          .filter((s: any) => s?.kind === "ServiceAccount")
          .map((s: any) => `${s.namespace}/${s.name}`);
        for (const w of workloads) {
          const pod = podSpecOf(w) ?? {};
          const sa = `${w.props.metadata?.namespace}/${pod.serviceAccountName ?? "default"}`;
          if (!accounts.includes(sa)) continue;
          if (runsOperator(pod, operatorImages, mirrors)) continue;
          // An operator is known by its image alone: under a mirror's name it is refused like any
          // workload, and the one way to say it is an operator is the config this names; a pod
          // running k8s-sidecar is told what that container lists instead (contract secretReadWay).
          const mirror = secretReadWay(pod, mirrors);
          // On the workload's URN: the release that rendered it is then known, and with it the
          // chartValues override that widened its role (synth/report.ts attributeOverrides).
          reportCause(
            report,
            `${label(w)} can read every Secret of the cluster: ClusterRoleBinding ${b.props.metadata?.name} binds its ServiceAccount ${sa} to ClusterRole ${ref.name}, ${reads.why}; give it a role without Secrets (only the operators need them)${mirror}.`,
            reads.cause ?? "",
            w.urn,
          );
        }
      }
    },
  };
}

export interface HostPathConfig {
  /** Node agents by image (as contract isImageOf reads it) and the host paths each needs. */
  agents: AgentHostPaths[];
}
export const HOST_PATH_DEFAULTS: HostPathConfig = { agents: DEFAULT_AGENT_HOST_PATHS };

/**
 * Host paths only for node agents, only what each needs. A stack policy: an agent is known by its
 * image at its registry or through a registry mirror the stack declares (`imageMirrors`, recorded
 * by the stack-info ConfigMap), which a resource policy cannot see; by its path alone, another
 * registry's image of an agent's path got the agent's host paths.
 */
export function hostPathsForAgentsOnly(level: Level = "mandatory"): StackValidationPolicy {
  return {
    name: "host-paths-for-agents-only",
    description:
      "Only node agents (DaemonSets) mount host paths, only the ones their agent needs, read-only where it only reads.",
    enforcementLevel: level,
    configSchema: schemaFor(
      HOST_PATH_DEFAULTS as unknown as Record<string, unknown>,
      {
        agents:
          "Node agents: image (a repository, registry/repository, Docker Hub's without a registry, or a whole reference with its tag; matched exactly or through the stack's imageMirrors, never a trailing path or a substring) and the host paths it needs ({path, readOnly}).",
      },
      {
        agents: {
          items: {
            type: "object",
            required: ["image", "paths"],
            additionalProperties: false,
            properties: {
              image: IMAGE_ENTRY,
              paths: {
                type: "array",
                items: {
                  type: "object",
                  required: ["path", "readOnly"],
                  additionalProperties: false,
                  properties: { path: { type: "string", minLength: 1 }, readOnly: { type: "boolean" } },
                },
              },
            },
          },
        },
      },
    ),
    validateStack: (args, report) => {
      const cfg = configOf(args, HOST_PATH_DEFAULTS);
      const resources = args.resources.map(toRes);
      const mirrors = stackFacts(resources).imageMirrors;
      for (const r of resources) {
        if (!RAW_WORKLOAD_TYPES.has(r.type)) continue;
        for (const p of hostPathProblems(r.type.split(":").pop()!, podSpecOf(r), cfg.agents, mirrors))
          reportJudged(
            report,
            `${label(r)}: volume ${p.volume} mounts the host's ${p.path}: ${p.problem}.`,
            p.judged,
            r.urn,
            p.cause,
          );
      }
    },
  };
}

/**
 * Where to set RuntimeDefault for a container: its own field when it sets another type (it
 * overrides the pod's), else the pod's, which covers every container.
 */
function seccompFix(podPath: string, list: string, index: number, container: any): string {
  const own = container?.securityContext?.seccompProfile?.type;
  return own !== undefined
    ? `set ${podPath}.${list}[${index}].securityContext.seccompProfile.type to RuntimeDefault (the container's own setting overrides the pod's)`
    : `set ${podPath}.securityContext.seccompProfile.type to RuntimeDefault (the pod's, for every container)`;
}

/** Every container runs with seccomp RuntimeDefault. */
export function seccompRuntimeDefault(level: Level = "mandatory"): ResourceValidationPolicy {
  return {
    name: "seccomp-runtime-default",
    description:
      "Every container (init containers and operator-made pods included) runs with the seccomp profile RuntimeDefault.",
    enforcementLevel: level,
    validateResource: forTypes(new Set([...RAW_WORKLOAD_TYPES, ...OPERATED_TYPES]), (args, report) => {
      const r = toRes(args);
      if (OPERATED_TYPES.has(r.type)) {
        const type = r.props.spec?.securityContext?.seccompProfile?.type;
        if (type !== "RuntimeDefault")
          reportJudged(
            report,
            `${label(r)}: spec.securityContext.seccompProfile.type is ${type ?? "unset"}; the pods its operator makes (and the reloaders it injects) need RuntimeDefault.`,
            SECCOMP_JUDGED,
          );
        return;
      }
      const pod = podSpecOf(r) ?? {};
      const at = POD_SPEC[r.type];
      for (const list of ["initContainers", "containers"] as const) {
        (Array.isArray(pod[list]) ? pod[list] : []).forEach((c: any, i: number) => {
          const type = seccompOf(pod, c);
          if (type !== "RuntimeDefault")
            reportJudged(
              report,
              `${label(r)}: container ${c?.name} runs with seccomp ${type ?? "unset"}; ${seccompFix(at, list, i, c)}.`,
              SECCOMP_JUDGED,
              undefined,
              undefined,
              typeof c?.name === "string" ? [c.name] : undefined,
            );
        });
      }
    }),
  };
}
