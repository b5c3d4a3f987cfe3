/**
 * Regenerates builders/grafana/data/query-needs.json: for every PromQL target of the community
 * dashboards (builders/grafana/data/community-dashboards.json) and every kube-prometheus-stack
 * default rule (builders/alerting/data/kps-default-rules.json), the alternatives of metric names it
 * needs to show data, by Prometheus' grammar. The builders read the result, so the program never
 * loads the grammar (a dev dependency) at run time.
 *
 *   npx tsx scripts/genQueryNeeds.ts
 *
 * Run it after scripts/genDashboards.ts or scripts/genKpsRules.ts; a test fails while it is stale.
 */
import * as fs from "fs";
import { communityDashboardsData, panelsOf } from "../builders/grafana/community";
import { KPS_RULES_DATA } from "../builders/alerting/kpsRules";
import { queryNeedsFile, type QueryNeedsData } from "../builders/grafana/queryNeeds";
import { promqlAlternatives } from "../upstream/metrics/promql";

/** The data as computed now from the shipped dashboards and rules. */
export function computeQueryNeeds(): QueryNeedsData {
  const exprs = new Set<string>();
  for (const d of communityDashboardsData().dashboards)
    for (const p of panelsOf(d.json))
      for (const t of p.targets ?? []) if (typeof t.expr === "string" && t.expr) exprs.add(t.expr);
  for (const g of KPS_RULES_DATA.groups) for (const r of g.rules) exprs.add(String(r.expr));
  const needs: Record<string, string[][]> = {};
  for (const e of [...exprs].sort()) needs[e] = promqlAlternatives(e);
  return { generatedBy: "scripts/genQueryNeeds.ts", needs };
}

/** The file's text: one query a line, so a diff shows what changed. */
export function formatQueryNeeds(data: QueryNeedsData): string {
  const lines = Object.entries(data.needs).map(([e, a]) => `  ${JSON.stringify(e)}: ${JSON.stringify(a)}`);
  return `{\n "generatedBy": ${JSON.stringify(data.generatedBy)},\n "needs": {\n${lines.join(",\n")}\n }\n}\n`;
}

if (require.main === module) {
  fs.writeFileSync(queryNeedsFile(), formatQueryNeeds(computeQueryNeeds()));
  console.log(`wrote ${queryNeedsFile()}`);
}
