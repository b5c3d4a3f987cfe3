/**
 * Every PrometheusRule has exactly one evaluator among the engines the stack renders (Prometheus,
 * Alloy's `mimir.rules.kubernetes`, vmalert with the operator's converter), read with each
 * engine's selector semantics (upstream/ruleSelection.ts): each of the stack's own rules, and a
 * rule another app brings in a namespace of its own with none of the program's labels. None means
 * its alerts never fire; two means every alert fires twice and every recording rule writes
 * out-of-order samples. A rule labelled with the opt-out is left alone.
 */
import { RULE_OPT_OUT } from "../builders/alerting/rules";
import {
  evaluatorOperators,
  evaluatorsOf,
  ruleEvaluators,
  type RuleSubject,
} from "../upstream/ruleSelection";
import { releaseUrns, type Finding, type Placed } from "./objects";
import { vmUnreconciled } from "./unreconciledResources";

/** The rule another app's chart brings: its own namespace, the labels Helm charts set. */
export const OTHER_APP_RULE: RuleSubject = {
  name: "another-app",
  namespace: "another-app",
  labels: { "app.kubernetes.io/name": "another-app", "app.kubernetes.io/managed-by": "Helm" },
};

/**
 * The Helm releases (URNs) rendering a ConfigMap that holds an Alloy config (a `.alloy` key, as
 * checks/alloy.ts reads them): what its text loads (`mimir.rules.kubernetes`, the scrapes, the
 * remote write) is decided by their values.
 */
export function alloyConfigReleases(objects: Placed[]): string[] {
  return releaseUrns(
    objects.filter(
      (p) => p.obj.kind === "ConfigMap" && Object.keys(p.obj.data ?? {}).some((k) => k.endsWith(".alloy")),
    ),
  );
}

/**
 * The Helm releases whose values decide which engines evaluate rules: those rendering an
 * evaluator (a Prometheus's or VMAlert's selectors, an Alloy config's `mimir.rules.kubernetes`),
 * an Alloy config that could hold one, or an operator that runs one from its custom resource
 * (victoria-metrics-k8s-stack with `vmalert.enabled: false` renders the operator, no VMAlert). A rule with no evaluator or two follows from their values
 * or from the program's, so the finding names them for synth/report.ts to trace it to an override
 * of theirs (the cluster Alloy's config replaced by a `chartValues` override loses the rule sync).
 */
function ruleEngineReleases(objects: Placed[]): string[] {
  const engines = objects.filter((p) => ruleEvaluators([p.obj]).length > 0);
  const operators = evaluatorOperators(objects.map((p) => p.obj));
  return [
    ...new Set([
      ...releaseUrns(engines),
      ...alloyConfigReleases(objects),
      ...releaseUrns(objects.filter((p) => operators.includes(p.obj))),
    ]),
  ];
}

export function checkRuleEvaluators(objects: Placed[]): { rules: number; findings: Finding[] } {
  const objs = objects.map((p) => p.obj);
  const evaluators = ruleEvaluators(objs);
  const findings: Finding[] = [];
  const releases = ruleEngineReleases(objects);
  // No evaluator at all: the engines are said by the names the charts' switches give them
  // (`vmalert.enabled`, `prometheus.enabled`), so the synthesis traces the finding to the switch
  // that turned the stack's one off (synth/report.ts overridesOn).
  const none =
    evaluators.length === 0
      ? " (the stack renders no evaluator: no prometheus, no vmalert, no Alloy config with mimir.rules.kubernetes)"
      : "";
  // A rule with none that a VMAlert no operator reconciles would evaluate has none for that one
  // reason (checks/unreconciledResources.ts): the operator's mistake, said once with its others.
  const would = ruleEvaluators(objs, true).filter((e) => e.engine === "vmalert");
  const left = vmUnreconciled(objs);
  const judge = (subject: RuleSubject, what: string) => {
    const by = evaluatorsOf(evaluators, subject);
    const idle = by.length === 0 ? would.filter((e) => evaluatorsOf([e], subject).length > 0) : [];
    const unreconciled = idle.length > 0 ? left(idle[0].namespace) : undefined;
    if (by.length !== 1)
      findings.push({
        check: "rule-evaluators",
        where: `PrometheusRule ${subject.namespace}/${subject.name}`,
        message: `${what} has ${by.length} evaluator(s)${by.length ? ` (${by.join(", ")})` : ""}; expected exactly one: ${by.length ? "every alert would fire twice" : `its alerts would never fire${none}`}${unreconciled ? `: ${idle.map((e) => `VMAlert ${e.namespace}/${e.name}`).join(", ")} would, but no VictoriaMetrics operator reconciles it (${unreconciled.why})` : ""}`,
        ...(unreconciled ? { cause: unreconciled.cause } : {}),
        // Which engines run and what they select follow from configs and values, no pod's size or place.
        ...(releases.length > 0 ? { releases, wiring: true } : {}),
      });
  };
  const own = objects.filter(
    (p) =>
      p.obj.kind === "PrometheusRule" && p.obj.metadata.labels?.[RULE_OPT_OUT.key] !== RULE_OPT_OUT.value,
  );
  // A stack that renders no rule and no evaluator (a partial object set) has nothing to judge.
  if (own.length === 0 && evaluators.length === 0) return { rules: 0, findings };
  for (const p of own)
    judge(
      {
        name: p.obj.metadata.name,
        namespace: p.obj.metadata.namespace ?? "",
        labels: p.obj.metadata.labels ?? {},
      },
      `${p.source}'s rule`,
    );
  judge(OTHER_APP_RULE, "a rule another app brings");
  return { rules: own.length + 1, findings };
}
