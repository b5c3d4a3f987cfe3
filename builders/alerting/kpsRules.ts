import type { RuleGroup } from "./ruleGroup";
import { alertmanagerServices } from "../../model/services";
import shipped from "./data/kps-default-rules.json";
import { fitRuleSets } from "./fitRules";

/**
 * The namespace the generator renders the chart into; the chart writes it into the
 * `namespace="..."` matchers of the Alertmanager, Prometheus and operator rules.
 */
export const KPS_RULES_NAMESPACE_PLACEHOLDER = "homelab-kps-rules-namespace";

/** What scripts/genKpsRules.ts writes: the chart's rule groups and where they came from. */
export interface KpsRulesData {
  generatedBy: string;
  chart: string;
  version: string;
  namespacePlaceholder: string;
  groups: RuleGroup[];
}

export const KPS_RULES_DATA: KpsRulesData = shipped;

/**
 * The `job` label of every Alertmanager the program runs, in any phase: KPS's (Service
 * `kps-alertmanager`), the standalone chart's beside Mimir (Service `alertmanager`) and the
 * VictoriaMetrics operator's (Service `vmalertmanager-vm` for the VMAlertmanager `vm`). A
 * ServiceMonitor's job label is the Service name unless `jobLabel` says otherwise.
 */
export const ALERTMANAGER_JOBS: readonly string[] = Object.values(alertmanagerServices());

const KPS_AM_MATCHER = `job="${alertmanagerServices().kps}"`;

/**
 * kube-prometheus-stack's default rules (rendered from the pinned chart, see
 * scripts/genKpsRules.ts) for `namespace`. One change from the chart: its Alertmanager rules
 * select `job="kps-alertmanager"`, which stops matching when KPS's Alertmanager hands over to the
 * backend's; they select every Alertmanager the program runs instead, so each one alerts
 * on its own failures in every phase.
 */
export function kpsDefaultRules(namespace: string, emitters?: readonly string[]): RuleGroup[] {
  // The same stack plans its rules several times (synthesis, checks, verify's expectations), and the
  // fit reads every rule's PromQL: kept per namespace and emitters, each caller gets its own copy.
  const key = `${namespace}\0${emitters === undefined ? "*" : emitters.join("\n")}`;
  let built = fitted.get(key);
  if (!built) {
    built = fitAndFill(namespace, emitters);
    if (fitted.size >= 64) fitted.clear();
    fitted.set(key, built);
  }
  // As deep as fitAndFill builds them: groups, rules, labels and annotations are each the caller's
  // own (structuredClone costs three times the fit).
  return built.map((g) => ({
    ...g,
    rules: g.rules.map((r) => ({
      ...r,
      ...(r.annotations ? { annotations: { ...r.annotations } } : {}),
      ...(r.labels ? { labels: { ...r.labels } } : {}),
    })),
  }));
}
const fitted = new Map<string, RuleGroup[]>();

function fitAndFill(namespace: string, emitters?: readonly string[]): RuleGroup[] {
  const ph = KPS_RULES_DATA.namespacePlaceholder;
  const amMatcher = `job=~"${ALERTMANAGER_JOBS.join("|")}"`;
  const fix = (s: string) => s.split(ph).join(namespace).split(KPS_AM_MATCHER).join(amMatcher);
  // Fitted to the stack (builders/alerting/fitRules.ts) on the chart's own text, which the query
  // needs data holds, before the namespace and the Alertmanager jobs are filled in.
  const groups = emitters
    ? (fitRuleSets({ kps: KPS_RULES_DATA.groups }, emitters).sets.kps ?? [])
    : KPS_RULES_DATA.groups;
  return groups.map((g) => ({
    ...g,
    rules: g.rules.map((r) => ({
      ...r,
      expr: fix(String(r.expr)),
      ...(r.annotations
        ? { annotations: Object.fromEntries(Object.entries(r.annotations).map(([k, v]) => [k, fix(v)])) }
        : {}),
      ...(r.labels ? { labels: { ...r.labels } } : {}),
    })),
  }));
}

/** Alert and record names of rule groups (a rule is identified by either). */
export function ruleNames(groups: RuleGroup[]): string[] {
  return groups.flatMap((g) => g.rules.map((r) => (r.alert ?? r.record)!));
}
