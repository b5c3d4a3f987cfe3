/**
 * Who evaluates each running PrometheusRule before and after an update (`--running` with
 * `prometheusrules.yaml`): the evaluators are read from the rendered objects on both sides (the
 * running releases rendered with their chart and values, and the program's update), with each
 * engine's selector semantics (upstream/ruleSelection.ts). A rule left with no evaluator, or with
 * two (the same alert twice, out-of-order samples), is refused; one an adopted release renders
 * and the update no longer does goes with that release and is listed as such.
 */
import { RULE_OPT_OUT } from "../builders/alerting/rules";
import { runningCommand, type RunningState } from "../model/running";
import { evaluatorsOf, ruleEvaluators, type ObjectLike, type RuleSubject } from "../upstream/ruleSelection";
import type { Refusal } from "./apiRules";

/** One running PrometheusRule and its evaluators before and after the update. */
export interface RuleEvaluation {
  /** `<namespace>/<name>`. */
  rule: string;
  before: string[];
  after: string[];
  /** The update deletes it with the release that renders it. */
  removed?: string;
  refused: Refusal[];
}

export interface RuleEvaluatorChange {
  /** False when the running state holds no `prometheusrules.yaml`. */
  checked: boolean;
  rules: RuleEvaluation[];
}

const key = (o: ObjectLike) => `${o.metadata?.namespace ?? ""}/${o.metadata?.name ?? ""}`;

/** The rules' evaluators before (`before`, the running releases' objects) and after (`after`). */
export function ruleEvaluatorChange(
  before: { object: ObjectLike; release?: { name: string; namespace: string } }[],
  after: { object: ObjectLike }[],
  running: RunningState,
): RuleEvaluatorChange {
  if (!running.prometheusRules) return { checked: false, rules: [] };
  const nsLabels = new Map<string, Record<string, string>>(
    (running.namespaces ?? []).map((n) => [n.metadata?.name, n.metadata?.labels ?? {}]),
  );
  const was = ruleEvaluators(before.map((o) => o.object));
  const will = ruleEvaluators(after.map((o) => o.object));
  const renderedBefore = new Map(
    before.filter((o) => o.object.kind === "PrometheusRule").map((o) => [key(o.object), o.release]),
  );
  const renderedAfter = new Set(
    after.filter((o) => o.object.kind === "PrometheusRule").map((o) => key(o.object)),
  );
  const rules: RuleEvaluation[] = [];
  for (const live of running.prometheusRules) {
    const md = live.metadata ?? {};
    const subject: RuleSubject = {
      name: md.name,
      namespace: md.namespace ?? "",
      labels: md.labels ?? {},
      ...(nsLabels.has(md.namespace) ? { namespaceLabels: nsLabels.get(md.namespace) } : {}),
    };
    const id = `${subject.namespace}/${subject.name}`;
    const owner = renderedBefore.get(id);
    const entry: RuleEvaluation = {
      rule: id,
      before: evaluatorsOf(was, subject),
      after: evaluatorsOf(will, subject),
      refused: [],
    };
    if (owner && !renderedAfter.has(id)) {
      entry.removed = `${owner.namespace}/${owner.name}`;
      entry.after = [];
    } else if (subject.labels[RULE_OPT_OUT.key] === RULE_OPT_OUT.value) {
      // Opted out: no evaluator is what its owner asked for.
    } else if (entry.after.length === 0)
      entry.refused.push({
        field: "evaluator",
        reason: `no evaluator after the update${entry.before.length ? ` (today ${entry.before.join(", ")})` : ""}: its alerts would stop; label it ${RULE_OPT_OUT.key}=${RULE_OPT_OUT.value} if that is meant`,
      });
    else if (entry.after.length > 1)
      entry.refused.push({
        field: "evaluator",
        reason: `${entry.after.length} evaluators after the update (${entry.after.join(", ")}): every alert would fire twice`,
      });
    rules.push(entry);
  }
  return { checked: true, rules };
}

const list = (es: string[]) => (es.length ? es.join(", ") : "none");

/** The section the change check prints. */
export function formatRuleEvaluators(change: RuleEvaluatorChange, dir: string): string {
  if (!change.checked)
    return `rule evaluators: unchecked: no ${dir}/prometheusrules.yaml; collect it with: ${runningCommand("prometheusrules.yaml")} (and ${runningCommand("namespaces.yaml")})`;
  const same = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
  const lines: string[] = [];
  let unchanged = 0;
  // A release's own rules go with it: one line per release and former evaluator, every name on it.
  const removed = new Map<string, string[]>();
  for (const r of change.rules)
    if (r.removed) {
      const k = `removed with release ${r.removed} (was ${list(r.before)})`;
      removed.set(k, [...(removed.get(k) ?? []), r.rule]);
    }
  for (const [k, names] of removed) lines.push(`  ${names.length} ${k}: ${names.join(", ")}`);
  for (const r of change.rules) {
    if (r.removed) continue;
    else if (!same(r.before, r.after) || r.refused.length)
      lines.push(`  ${r.rule}: ${list(r.before)} -> ${list(r.after)}`);
    else unchanged++;
    for (const x of r.refused) lines.push(`     REFUSED PrometheusRule ${r.rule} ${x.field}: ${x.reason}`);
  }
  return [
    `rule evaluators of the ${change.rules.length} running PrometheusRule(s) (${unchanged} unchanged):`,
    ...lines,
  ].join("\n");
}
