/**
 * Who evaluates each running PrometheusRule before and after an update (`--running` with
 * `prometheusrules.yaml`): the evaluators are read from the rendered objects on both sides (the
 * running releases rendered with their chart and values, and the program's update), with each
 * engine's selector semantics (upstream/ruleSelection.ts). A rule left with no evaluator, or with
 * two (the same alert twice, out-of-order samples), is refused; one an adopted release renders
 * and the update no longer does goes with that release and is listed as such.
 */
import { RULE_OPT_OUT } from "../builders/alerting/rules";
import { runningCommand, type RunningSource, type RunningState } from "../model/running";
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
}

/**
 * One refused cause: the running rules the update leaves with the same evaluators (none, or more
 * than one), from the same ones. One selector change moves every rule it selects, so it is one
 * refusal naming each rule, not one per rule (issue 51: one message per mistake).
 */
export interface RuleRefusal {
  rules: string[];
  before: string[];
  after: string[];
  refused: Refusal[];
}

export interface RuleEvaluatorChange {
  /** False when the running state holds no `prometheusrules.yaml`. */
  checked: boolean;
  rules: RuleEvaluation[];
  /** The refusals, one per cause (see {@link RuleRefusal}); counted one per REFUSED line. */
  refusals: RuleRefusal[];
}

const key = (o: ObjectLike) => `${o.metadata?.namespace ?? ""}/${o.metadata?.name ?? ""}`;

/** The rules' evaluators before (`before`, the running releases' objects) and after (`after`). */
export function ruleEvaluatorChange(
  before: { object: ObjectLike; release?: { name: string; namespace: string } }[],
  after: { object: ObjectLike }[],
  running: RunningState,
): RuleEvaluatorChange {
  if (!running.prometheusRules) return { checked: false, rules: [], refusals: [] };
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
  // The rules left with no evaluator or with several, by the evaluators before and after.
  const refusals = new Map<string, RuleRefusal>();
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
    };
    if (owner && !renderedAfter.has(id)) {
      entry.removed = `${owner.namespace}/${owner.name}`;
      entry.after = [];
    } else if (subject.labels[RULE_OPT_OUT.key] === RULE_OPT_OUT.value) {
      // Opted out: no evaluator is what its owner asked for.
    } else if (entry.after.length !== 1) {
      const k = `${entry.before.join(",")}\0${entry.after.join(",")}`;
      const group = refusals.get(k) ?? { rules: [], before: entry.before, after: entry.after, refused: [] };
      group.rules.push(id);
      refusals.set(k, group);
    }
    rules.push(entry);
  }
  for (const g of refusals.values()) g.refused = [{ field: "evaluator", reason: refusalReason(g) }];
  return { checked: true, rules, refusals: [...refusals.values()] };
}

/** Why the rules of one group are refused: what they had, what they get, what follows, the way out. */
function refusalReason(g: RuleRefusal): string {
  const one = g.rules.length === 1;
  const today = `today ${list(g.before)}`;
  if (g.after.length === 0)
    return `no evaluator after the update (${g.before.length ? today : "today none either"}): ${one ? "its" : "their"} alerts ${g.before.length ? "would stop" : "never fire"}; label ${one ? "it" : "each"} ${RULE_OPT_OUT.key}=${RULE_OPT_OUT.value} if that is meant`;
  return `${g.after.length} evaluators after the update (${list(g.after)}; ${today}), where one is expected: every alert would fire ${g.after.length === 2 ? "twice" : `${g.after.length} times`}`;
}

const list = (es: string[]) => (es.length ? es.join(", ") : "none");

/** The section the change check prints. */
export function formatRuleEvaluators(change: RuleEvaluatorChange, dir: string, from?: RunningSource): string {
  if (!change.checked)
    return `rule evaluators: unchecked: no ${dir}/prometheusrules.yaml; collect it with: ${runningCommand("prometheusrules.yaml", dir, from)} (and ${runningCommand("namespaces.yaml", dir, from)})`;
  const same = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
  const lines: string[] = [];
  let unchanged = 0;
  const refusedRules = new Set(change.refusals.flatMap((g) => g.rules));
  // A release's own rules go with it: one line per release and former evaluator, every name on it.
  const removed = new Map<string, string[]>();
  for (const r of change.rules)
    if (r.removed) {
      const k = `removed with release ${r.removed} (was ${list(r.before)})`;
      removed.set(k, [...(removed.get(k) ?? []), r.rule]);
    }
  for (const [k, names] of removed) lines.push(`  ${names.length} ${k}: ${names.join(", ")}`);
  // The rules whose evaluators change alike, one line each change; a refused one with its refusal under it.
  const moved = new Map<string, string[]>();
  for (const r of change.rules) {
    if (r.removed || refusedRules.has(r.rule)) continue;
    if (same(r.before, r.after)) unchanged++;
    else {
      const k = `${list(r.before)} -> ${list(r.after)}`;
      moved.set(k, [...(moved.get(k) ?? []), r.rule]);
    }
  }
  for (const [k, names] of moved) lines.push(`  ${names.join(", ")}: ${k}`);
  for (const g of change.refusals) {
    lines.push(`  ${g.rules.join(", ")}: ${list(g.before)} -> ${list(g.after)}`);
    const subject = `${g.rules.length === 1 ? "PrometheusRule" : "PrometheusRules"} ${g.rules.join(", ")}`;
    for (const x of g.refused) lines.push(`     REFUSED ${subject} ${x.field}: ${x.reason}`);
  }
  return [
    `rule evaluators of the ${change.rules.length} running PrometheusRule(s) (${unchanged} unchanged):`,
    ...lines,
  ].join("\n");
}
