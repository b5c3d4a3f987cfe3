/**
 * What a synthesized stack keeps watching: which engine evaluates the program's rules and which
 * Alertmanager it notifies. Read from the resources exactly as `pulumi stack export` would hold
 * them; the migration tests judge every phase by it.
 */
import { parse } from "yaml";
import { RULE_LABEL, type RuleGroup } from "../../builders/alerting/rules";
import { standaloneAlertmanagerUrl } from "../../builders/metrics/exporterValues";
import { chartRelease } from "../../synth/coverage";
import type { ExportResource } from "../../synth/synthesize";
import { alloyRuleSyncs, evaluates, labelsMatch, type LabelSelector } from "../../upstream/ruleSelection";

export type Evaluator = "prometheus" | "mimir-ruler" | "vmalert";

export interface RuleCoverage {
  /** Every engine that evaluates the program's PrometheusRules; exactly one is correct. */
  evaluators: Evaluator[];
  /** The rule groups of every PrometheusRule carrying the program's label. */
  groups: RuleGroup[];
  /** The config of the Alertmanager the (first) evaluator notifies, if one exists in this phase. */
  alertmanager?: { name: string; config: Record<string, any> };
}

/** A program rule's labels: a selector (non-null) selects it when it matches them. */
export const PROGRAM_RULE_LABELS = { [RULE_LABEL.key]: RULE_LABEL.value };
const selects = (selector: LabelSelector | null | undefined) =>
  !!selector && labelsMatch(selector, PROGRAM_RULE_LABELS);

export function ruleCoverage(rs: ExportResource[], namespace: string): RuleCoverage {
  const evaluators: Evaluator[] = [];
  let alertmanager: RuleCoverage["alertmanager"];
  const kps = chartRelease(rs, "kube-prometheus-stack");
  if (kps && selects(kps.inputs.values.prometheus?.prometheusSpec?.ruleSelector)) {
    evaluators.push("prometheus");
    // The operator points Prometheus at the chart's Alertmanager when the chart deploys one.
    const am = kps.inputs.values.alertmanager;
    if (am?.enabled !== false) alertmanager = { name: "kps-alertmanager", config: am.config };
  }
  const alloyCluster = chartRelease(rs, "alloy", "alloy-cluster");
  const content: string = alloyCluster?.inputs.values.alloy?.configMap?.content ?? "";
  const programRule = { name: "rules", namespace, labels: PROGRAM_RULE_LABELS };
  if (alloyRuleSyncs(content).some((e) => evaluates(e, programRule))) {
    evaluators.push("mimir-ruler");
    const mimirCm = rs.find(
      (r) => r.type === "kubernetes:core/v1:ConfigMap" && r.inputs.data?.["mimir.yaml"] !== undefined,
    );
    // Mimir 3.0 reads the ruler's Alertmanager from the limits (ruler.alertmanager_url is deprecated).
    const mimirConfig = mimirCm ? parse(mimirCm.inputs.data["mimir.yaml"]) : undefined;
    const target = mimirConfig?.limits?.ruler_alertmanager_client_config?.alertmanager_url;
    const standalone = chartRelease(rs, "alertmanager");
    if (!alertmanager && standalone && target === standaloneAlertmanagerUrl(namespace))
      alertmanager = { name: "alertmanager", config: standalone.inputs.values.config };
  }
  const vm = chartRelease(rs, "victoria-metrics-k8s-stack");
  if (vm?.inputs.values.vmalert?.enabled) {
    evaluators.push("vmalert");
    // The chart wires vmalert's notifiers to its own VMAlertmanager when that is enabled
    // (victoria-metrics-k8s-stack 0.80.0 templates/_helpers.tpl, vm.alert.remotes).
    const am = vm.inputs.values.alertmanager;
    if (!alertmanager && am?.enabled) alertmanager = { name: "vmalertmanager-vm", config: am.config };
  }
  const groups = rs
    .filter(
      (r) =>
        r.type === "kubernetes:monitoring.coreos.com/v1:PrometheusRule" &&
        r.inputs.metadata?.labels?.[RULE_LABEL.key] === RULE_LABEL.value,
    )
    .flatMap((r) => r.inputs.spec.groups as RuleGroup[]);
  return { evaluators, groups, alertmanager };
}

/** Alert names and recording-rule names, in order. */
export function ruleCounts(groups: RuleGroup[]): { alerts: number; records: number } {
  const rules = groups.flatMap((g) => g.rules);
  return { alerts: rules.filter((r) => r.alert).length, records: rules.filter((r) => r.record).length };
}
