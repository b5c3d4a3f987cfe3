import type { ResourceValidationPolicy } from "@pulumi/policy";
import type { Level } from "./lib/config";
import { reportJudged } from "./lib/report";
import { HELM_TYPES, label, toRes } from "./lib/resources";
import { forTypes } from "./lib/typed";
import { operatorSpecsOf } from "./lib/workloads";

/** The VMAgent custom resource's type, beside the releases whose values render one. */
const VMAGENT_TYPES: ReadonlySet<string> = new Set([
  ...HELM_TYPES,
  "kubernetes:operator.victoriametrics.com/v1beta1:VMAgent",
]);

/**
 * A VMAgent in `daemonSetMode` and `statefulMode` at once is refused by the VictoriaMetrics
 * operator's admission webhook on create and update: its Validate returns "daemonSetMode and
 * statefulMode cannot be used in the same time" (operator v0.66.0 api/operator/v1beta1/
 * vmagent_types.go:381-383, called by internal/webhook/operator/v1beta1/vmagent_webhook.go:53, :68;
 * read, not run). victoria-metrics-k8s-stack 0.80.0 renders that webhook for `vmagents` on CREATE
 * and UPDATE (its operator subchart's values.yaml:375-377 `admissionWebhooks.enabled: true`), so
 * the release's update fails (its `failurePolicy: Ignore`, values.yaml:37-39, admits the CR only
 * while the webhook does not answer, as on a first install before the operator serves). Where the
 * webhook is off (`victoria-metrics-operator.admissionWebhooks.enabled: false`, or `vmagent` in its
 * `disabledFor`, the subchart's templates/webhook.yaml:2, :35) or does not answer, the operator
 * takes the VMAgent and builds a DaemonSet (factory/vmagent/vmagent.go:360 at v0.66.0) whose vmagent
 * container mounts `persistent-queue-data` (:526-535), a volume it adds only without statefulMode
 * (:538-546; statefulMode's claim template goes into a StatefulSet alone, :423): Kubernetes refuses
 * a pod template mounting no volume of that name (pkg/apis/core/validation ValidateVolumeMounts,
 * "Not found"), so no vmagent runs either way; the message says both. The
 * program writes `statefulMode: true` (builders/metrics/vmValues.ts: the remote-write queue on a
 * PVC), so a chartValues override setting `daemonSetMode: true` alone writes such a VMAgent; the
 * report names that override with its line (the fields judged). Without statefulMode the queue is
 * an emptyDir (internal/controller/operator/factory/vmagent/vmagent.go:526-545 at v0.66.0), which
 * the message says. A live preview sees the release's values (`vmagent.spec`, which the chart puts
 * into the VMAgent's spec: templates/_helpers.tpl:188-198 vm.agent.spec), the synthesis the VMAgent
 * it renders: the pack is the one engine of both, so the rule is here alone.
 */
export function vmAgentOneMode(level: Level = "mandatory"): ResourceValidationPolicy {
  return {
    name: "vmagent-one-mode",
    description:
      "A VMAgent sets at most one of daemonSetMode and statefulMode; the VictoriaMetrics operator's admission webhook refuses both, and without it Kubernetes refuses the DaemonSet the operator builds.",
    enforcementLevel: level,
    validateResource: forTypes(VMAGENT_TYPES, (args, report) => {
      const r = toRes(args);
      for (const { spec, path } of operatorSpecsOf(r, "VMAgent")) {
        if (spec?.daemonSetMode !== true || spec?.statefulMode !== true) continue;
        reportJudged(
          report,
          `${label(r)}: ${path}.daemonSetMode: expected statefulMode off beside it, got daemonSetMode true and statefulMode true ` +
            `(the operator's admission webhook refuses the VMAgent: "daemonSetMode and statefulMode cannot be used in the same time"; ` +
            `where that webhook is off or does not answer, the operator builds a DaemonSet whose vmagent container mounts the queue volume persistent-queue-data, ` +
            `which it adds only without statefulMode, so Kubernetes refuses the DaemonSet and no vmagent runs); ` +
            `set statefulMode: false beside daemonSetMode: true (its pods then keep the remote-write queue in an emptyDir, lost with the pod), or remove daemonSetMode`,
          ["daemonSetMode", "statefulMode"],
        );
      }
    }),
  };
}
