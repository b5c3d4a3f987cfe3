/**
 * A VMAgent in `daemonSetMode` and `statefulMode` at once is refused by the VictoriaMetrics
 * operator's admission webhook on create and update: its Validate returns "daemonSetMode and
 * statefulMode cannot be used in the same time" (operator v0.66.0 api/operator/v1beta1/
 * vmagent_types.go:381-383, called by internal/webhook/operator/v1beta1/vmagent_webhook.go:53, :68;
 * read, not run). victoria-metrics-k8s-stack 0.80.0 renders that webhook for `vmagents` on CREATE
 * and UPDATE (its operator subchart's values.yaml:375-377 `admissionWebhooks.enabled: true`), so
 * the release's update fails (its `failurePolicy: Ignore`, values.yaml:37-39, admits the CR only
 * while the webhook does not answer, as on a first install before the operator serves). The
 * program writes `statefulMode: true` (builders/metrics/vmValues.ts: the remote-write queue on a
 * PVC), so a chartValues override setting `daemonSetMode: true` alone writes such a VMAgent; the
 * report names that override with its line (the fields judged). Without statefulMode the queue is
 * an emptyDir (internal/controller/operator/factory/vmagent/vmagent.go:526-545 at v0.66.0), which
 * the message says.
 */
import { describe, type Finding, type Placed } from "./objects";

/** One finding per VMAgent whose spec sets both modes, saying what to set instead. */
export function checkVmAgentModes(objects: Placed[]): { findings: Finding[] } {
  const findings: Finding[] = [];
  for (const p of objects) {
    const { kind, apiVersion, spec } = p.obj as { kind: string; apiVersion: string; spec?: any };
    if (kind !== "VMAgent" || !apiVersion.startsWith("operator.victoriametrics.com/")) continue;
    if (spec?.daemonSetMode !== true || spec?.statefulMode !== true) continue;
    findings.push({
      check: "vmagent-mode",
      where: describe(p),
      message:
        `spec.daemonSetMode: expected statefulMode off beside it, got daemonSetMode true and statefulMode true ` +
        `(the operator's admission webhook refuses the VMAgent: "daemonSetMode and statefulMode cannot be used in the same time"); ` +
        `set statefulMode: false beside daemonSetMode: true (its pods then keep the remote-write queue in an emptyDir, lost with the pod), or remove daemonSetMode`,
      judged: ["daemonSetMode", "statefulMode"],
    });
  }
  return { findings };
}
