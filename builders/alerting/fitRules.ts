/**
 * The rule sets fitted to what a stack runs: an alert or a recording rule that reads a metric no
 * component of the stack emits (upstream/metrics/emitted.ts), or a name no emitter's source names
 * at its pinned version, never fires or records nothing, without an error. It is left out, and
 * said (`a or b` needs one side: builders/grafana/queryNeeds.ts). A rule reading
 * a recording rule that was left out goes too (until nothing changes).
 */
import { judgeMetric } from "../../upstream/metrics/emitted";
import { blockingNames, queryNeeds, whyLeftOut, type LeftOut } from "../grafana/queryNeeds";
import type { RuleGroup } from "./ruleGroup";

/**
 * `sets` without the rules the stack's `emitters` cannot feed; groups left empty go too.
 * `needsOf` gives a query's alternatives of metric names (builders/grafana/queryNeeds.ts); a rule
 * whose query it does not know is kept (the rendered check judges it).
 */
export function fitRuleSets(
  sets: Record<string, RuleGroup[]>,
  emitters: readonly string[],
  needsOf: (expr: string) => string[][] | undefined = queryNeeds,
): { sets: Record<string, RuleGroup[]>; leftOut: LeftOut[] } {
  const present = new Set(emitters);
  const out: Record<string, RuleGroup[]> = Object.fromEntries(
    Object.entries(sets).map(([k, groups]) => [k, groups.map((g) => ({ ...g, rules: [...g.rules] }))]),
  );
  const leftOut: LeftOut[] = [];
  for (let changed = true; changed;) {
    changed = false;
    const recorded = new Set(
      Object.values(out).flatMap((gs) => gs.flatMap((g) => g.rules.map((r) => r.record).filter((r) => !!r))),
    ) as Set<string>;
    for (const [set, groups] of Object.entries(out))
      for (const g of groups)
        g.rules = g.rules.filter((r) => {
          const why = (m: string) => whyLeftOut(m, judgeMetric(m, present, recorded));
          const needs = needsOf(String(r.expr));
          if (!needs) return true;
          const blocking = blockingNames(needs, (m) => why(m) === undefined);
          if (blocking.length === 0) return true;
          leftOut.push({
            what: `rule ${set}/${g.name}/${r.alert ?? r.record}`,
            why: why(blocking[0])!,
            metric: blocking[0],
          });
          changed = true;
          return false;
        });
  }
  for (const k of Object.keys(out)) {
    out[k] = out[k].filter((g) => g.rules.length > 0);
    if (out[k].length === 0) delete out[k];
  }
  return { sets: out, leftOut };
}
