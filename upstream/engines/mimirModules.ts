/*
 * Mimir 3.0.0's modules: what `-target` may name, and what `all` runs. Read in grafana/mimir at tag
 * `mimir-3.0.0` (commit 3e9aeb4323014b4bda858d1cbe5d83559b710cdd, via the mirror
 * scm-repo-mirror/grafana_mimir), not run (no Mimir binary here):
 * - pkg/mimir/modules.go:1388-1430 `setupModuleManager` registers every module; those registered
 *   with `modules.UserInvisibleModule` are not targetable (dskit modules/modules.go:36-41 at the
 *   vendored version), every other one is (dskit modules/modules.go:63-68: targetable by default);
 * - pkg/mimir/mimir.go:999-1003: a `-target` item that is not a targetable module stops Mimir with
 *   "selected target (<name>) is an internal module, which is not allowed" (dskit's
 *   `IsTargetableModule` answers false for an unknown name, modules.go:187-195);
 * - pkg/mimir/mimir.go:172: `-target` is a comma-separated list of modules run in one process;
 * - pkg/mimir/modules.go:1471: `All: {QueryFrontend, QueryScheduler, Querier, Ingester, Distributor,
 *   StoreGateway, Ruler, Compactor}` (no Alertmanager, no overrides-exporter).
 * The read-write targets `write`, `read` and `backend` were removed before 3.0.0 ("Remove support
 * for the experimental read-write deployment mode. #12584", CHANGELOG.md:22 at mimir-3.0.0; commit
 * 9cecfdea33 deletes their registration from modules.go); they exist in mimir-2.17.0
 * (pkg/mimir/modules.go:116-118, 1317-1319).
 */

/** The modules `-target` accepts in Mimir 3.0.0 (pkg/mimir/modules.go:1388-1430, targetable only). */
export const MIMIR_3_0_TARGETS = [
  "alertmanager",
  "block-builder",
  "block-builder-scheduler",
  "compactor",
  "continuous-test",
  "distributor",
  "flusher",
  "ingester",
  "memberlist-kv",
  "overrides-exporter",
  "querier",
  "query-frontend",
  "query-scheduler",
  "ruler",
  "store-gateway",
  "usage-tracker",
  "all",
] as const;

export type MimirModule = (typeof MIMIR_3_0_TARGETS)[number];

/** What `-target=all` runs (pkg/mimir/modules.go:1471 at mimir-3.0.0). */
export const MIMIR_3_0_ALL: readonly MimirModule[] = [
  "query-frontend",
  "query-scheduler",
  "querier",
  "ingester",
  "distributor",
  "store-gateway",
  "ruler",
  "compactor",
];

/** Whether `name` is a module Mimir 3.0.0's `-target` accepts. */
export function isMimirTarget(name: string): name is MimirModule {
  return (MIMIR_3_0_TARGETS as readonly string[]).includes(name);
}

/**
 * The modules one `-target` value runs, `all` expanded; the names Mimir 3.0.0 would refuse are
 * returned apart, so a caller can say which.
 */
export function mimirModulesOf(target: string): { modules: MimirModule[]; unknown: string[] } {
  const modules: MimirModule[] = [];
  const unknown: string[] = [];
  for (const raw of target.split(",")) {
    const name = raw.trim();
    if (name === "") continue;
    if (!isMimirTarget(name)) unknown.push(name);
    else if (name === "all") modules.push(...MIMIR_3_0_ALL);
    else modules.push(name);
  }
  return { modules: [...new Set(modules)], unknown };
}
