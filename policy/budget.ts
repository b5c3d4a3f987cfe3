import type { StackValidationPolicy } from "@pulumi/policy";
import { causeKey } from "@homelab-observability/contract";
import { reportCause } from "./lib/report";
import { configOf, schemaFor, type Level } from "./lib/config";
import { DEFAULT_CHARTS } from "./lib/charts";
import { toRes } from "./lib/resources";
import { computeBudget, stackFacts, type PoolInfo } from "./lib/budget";
import { BUDGET_MAX_REQUEST_SHARE } from "@homelab-observability/contract";

export interface BudgetConfig {
  /** Share of a pool's allocatable CPU and memory the stack's requests may take. */
  maxRequestShare: number;
  /** Node pools; null reads them from the program's stack-info ConfigMap. */
  nodePools: PoolInfo[] | null;
}
export const BUDGET_DEFAULTS: BudgetConfig = { maxRequestShare: BUDGET_MAX_REQUEST_SHARE, nodePools: null };

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/**
 * What makes a stack fit, as config keys: the user reads this message in `pulumi preview` and
 * `npm run synth`, so it names the keys to change, starting with the lighter profile.
 */
export function toFit(profile: string | undefined): string {
  const nodes = "add nodes or larger ones (`nodePools`), or declare a smaller workload (`workload.*`).";
  if (profile === "lightweight") return `The profile is already lightweight: ${nodes}`;
  return (
    `The profile is ${profile ?? "standard"}: \`profile: lightweight\` (VictoriaMetrics, Vector, Loki without canary and gateway) requests much less; ` +
    `so do \`metricsBackend: victoriametrics\`, \`loki.canary: false\` and \`loki.gateway: false\` alone; or ${nodes}`
  );
}

/** The stack's requests fit the node pools with headroom. */
export function resourceBudget(level: Level = "mandatory"): StackValidationPolicy {
  return {
    name: "resource-budget",
    description:
      "Summed CPU and memory requests per node pool stay within a share of the pool's capacity, and each pod fits on one node.",
    enforcementLevel: level,
    configSchema: schemaFor(
      BUDGET_DEFAULTS as unknown as Record<string, unknown>,
      {
        maxRequestShare:
          "Largest share of capacity the requests may use: a fraction in (0, 1], 0.8 for 80% (the default).",
        nodePools:
          "Node pools with count, cpu (cores) and memoryBytes per node; null reads the stack-info ConfigMap.",
      },
      {
        // A share, not a percentage: 80 would let requests take 80 times the capacity, silently.
        maxRequestShare: { exclusiveMinimum: 0, maximum: 1 },
        nodePools: {
          type: ["array", "null"],
          items: {
            type: "object",
            required: ["name", "count", "cpu", "memoryBytes"],
            properties: {
              name: { type: "string" },
              arch: { type: "string" },
              count: { type: "integer", minimum: 1 },
              cpu: { type: "number", exclusiveMinimum: 0 },
              memoryBytes: { type: "number", exclusiveMinimum: 0 },
              labels: { type: "object", additionalProperties: { type: "string" } },
              taints: { type: "array" },
            },
          },
        },
      },
    ),
    validateStack: (args, report) => {
      const cfg = configOf(args, BUDGET_DEFAULTS);
      // The schema refuses it where the engine validates the config; a run given it unchecked
      // (a policy host configured directly) must not judge against 80 times the capacity.
      const share: unknown = cfg.maxRequestShare;
      if (typeof share !== "number" || !(share > 0 && share <= 1)) {
        report(
          `maxRequestShare must be a fraction of capacity in (0, 1] (0.8 for 80%), found ${typeof share === "number" ? share : JSON.stringify(share)}; the budget is not judged until it is one.`,
        );
        return;
      }
      const resources = args.resources.map(toRes);
      const facts = stackFacts(resources);
      const pools = cfg.nodePools ?? facts.pools;
      if (!pools || pools.length === 0) return;
      const b = computeBudget(resources, pools, DEFAULT_CHARTS, { share: cfg.maxRequestShare, facts });
      // The total covers every pool: with one pool it is that pool's row again, the same mistake.
      const covered = (pool: string) => (pool === b.total.pool ? pools.map((p) => p.name) : [pool]);
      for (const row of [...b.rows, b.total]) {
        for (const dim of ["cpu", "memory"] as const) {
          const used = row.sums[dim];
          const cap = row.capacity[dim];
          if (cap > 0 && used > cfg.maxRequestShare * cap) {
            reportCause(
              report,
              `pool ${row.pool}: ${dim} requests ${dim === "cpu" ? `${used.toFixed(2)} cores` : `${Math.round(used / 2 ** 20)}Mi`} are ${pct(used / cap)} of its capacity, above the ${pct(cfg.maxRequestShare)} budget. ${toFit(facts.profile)}`,
              causeKey(`resource-budget-${dim}`, [...new Set(covered(row.pool))].sort().join(",")),
            );
          }
        }
      }
      for (const u of b.undersized)
        report(`${u}; the program sizes it from upstream's capacity rules (contract/sizing.ts).`);
      for (const w of b.unschedulable)
        report(`${w}: no node pool admits it (nodeSelector/affinity/taints); it would stay Pending.`);
      for (const o of b.oversized)
        report(
          `${o.workload}: ${o.detail}; it would stay Pending. Lower ${o.from ?? "its requests"}, or add larger nodes (\`nodePools\`).`,
        );
    },
  };
}
