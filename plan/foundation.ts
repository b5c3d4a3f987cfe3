import { stackInfoData } from "../builders/stackInfo";
import {
  NETWORK_POLICIES_DEFERRED,
  POD_SECURITY_DEFERRED,
  podSecurityLabels,
  type PodSecurityLevel,
} from "../builders/security/podSecurity";
import { PRIORITY_CLASSES } from "../builders/security/hardening";
import { planAdoptions } from "./takeover";
import type { PlanContext } from "./context";
import { receiverCredentialNeeds } from "./alertingReceivers";
import { none, type NamespaceInputs, type StackPlan } from "./types";

/**
 * What every stack has before any component: its namespaces, the stack-info ConfigMap, the
 * priority classes, the secrets, the object store and the CRDs.
 */
export function planFoundation(
  ctx: PlanContext,
  /** Data-bearing resources left unprotected on purpose (plan/metrics.ts), for the stack-info. */
  unprotected: Record<string, string>,
): Pick<
  StackPlan,
  | "adoptions"
  | "cluster"
  | "namespace"
  | "agentsNamespace"
  | "stackInfo"
  | "priorityClasses"
  | "secrets"
  | "objectStore"
  | "crds"
> {
  const { cfg, ns, agentsNs } = ctx;
  // Pod Security: the agents need privileged (host paths, host network); the rest passes baseline
  // and is warned about at restricted. While the agents stay, the stack's namespace keeps privileged.
  const step = cfg.agents.step;
  const stackLevel: PodSecurityLevel = step === "stay" ? "privileged" : "baseline";
  // A takeover's import step adopts a running log agent where it runs: privileged stays for that
  // step only, said on the namespace so the pack and the rendered checks defer it (the config
  // requires agents.step "stay" there, and the update step moves the agents with handover).
  const adoptsAgent = ctx.importing && step === "stay" && !!cfg.takeover?.releases[cfg.logAgent];
  const nsInputs = (
    name: string,
    labels: Record<string, string>,
    annotations: Record<string, string> = {},
  ): NamespaceInputs => ({ name, protect: cfg.production, labels, annotations });
  return {
    adoptions: planAdoptions(cfg),
    cluster: { context: cfg.kubeContext, kubeconfig: cfg.kubeconfig },
    namespace: {
      inputs: nsInputs(ns, podSecurityLabels(stackLevel, "restricted"), {
        ...(ctx.importing ? { [NETWORK_POLICIES_DEFERRED]: "deferred until takeover.step update" } : {}),
        ...(adoptsAgent
          ? {
              [POD_SECURITY_DEFERRED]: "privileged until the adopted node agent moves (agents.step handover)",
            }
          : {}),
      }),
      waitsFor: none(),
    },
    ...(step === "stay"
      ? {}
      : {
          agentsNamespace: { inputs: nsInputs(agentsNs, podSecurityLabels("privileged")), waitsFor: none() },
        }),
    stackInfo: {
      inputs: {
        namespace: ns,
        // The takeover's step said as itself, which the change check reads an earlier export's
        // import step by (change/takeover.ts importStepSynthesis), not by what that step defers.
        data: stackInfoData({
          ...cfg,
          sized: ctx.sized.components,
          unprotected,
          takeoverStep: cfg.takeover?.step,
        }),
      },
      waitsFor: none(),
    },
    priorityClasses: { inputs: { classes: Object.values(PRIORITY_CLASSES) }, waitsFor: none() },
    secrets: {
      inputs: {
        backend: cfg.secrets,
        namespace: ns,
        needs: {
          minioAdmin: cfg.objectStore.type === "minio",
          garageAdmin: cfg.objectStore.type === "garage",
          pushover: cfg.alerting.pushover,
          heartbeat: cfg.alerting.heartbeat,
          receivers: receiverCredentialNeeds(cfg.alerting.receivers),
        },
        existingGrafanaAdmin: cfg.takeover?.secrets.grafanaAdmin,
      },
      waitsFor: none(),
    },
    objectStore: {
      inputs: { plan: ctx.buckets, store: cfg.objectStore, namespace: ns, metrics: ctx.minioScrape },
      waitsFor: none(),
    },
    crds: { inputs: { namespace: ns, protect: cfg.production }, waitsFor: none() },
  };
}
