import { tenantHeaders, urlOf } from "./http";
import { TENANT_SEPARATOR } from "../builders/grafana/datasources";
import type { VerifyContext } from "./types";

/**
 * The Prometheus-compatible query base of a metrics engine, with its tenant header: the written
 * tenant alone (`mimir.tenant`), whatever `mimir.previousTenants` lists. Every check but `history`
 * asks what is written now or what runs now, which is that tenant's: `targets` and the canary's
 * counters read the last minutes, `remote-write` compares what Prometheus writes with what arrives.
 * `backend-agrees` compares each series with Prometheus' label by label, and a read of several
 * tenants gives every series a `__tenant_id__` label Prometheus' lack (grafana/mimir mimir-3.0.0
 * pkg/querier/tenantfederation/merge_queryable.go:400-407), so each would differ.
 */
export async function metricsApi(
  ctx: VerifyContext,
  which: "prometheus" | "backend",
): Promise<{ base: string; headers: Record<string, string>; name: string }> {
  if (which === "prometheus") return { base: await ctx.base("prometheus"), headers: {}, name: "Prometheus" };
  if (ctx.exp.backend === "mimir")
    return {
      base: urlOf(await ctx.base("mimir"), "/prometheus"),
      headers: tenantHeaders(ctx.exp.backendTenant),
      name: "Mimir",
    };
  return { base: await ctx.base("victoriametrics"), headers: {}, name: "VictoriaMetrics" };
}

/**
 * The backend as `history` reads it: as Grafana's dashboards do. Where the plan turns Mimir's tenant
 * federation on (`mimir.previousTenants` not empty), one read names the written tenant and the
 * previous ones (`X-Scope-OrgID: homelab|anonymous`), so history filed under a tenant the stack
 * moved from counts, as it shows in Grafana. Otherwise the written tenant alone, as `metricsApi`.
 * `name` says which tenants were read.
 */
export async function historyApi(
  ctx: VerifyContext,
): Promise<{ base: string; headers: Record<string, string>; name: string }> {
  const api = await metricsApi(ctx, "backend");
  if (ctx.exp.backend !== "mimir" || !ctx.exp.backendTenant) return api;
  const tenants = ctx.exp.backendHistoryTenants;
  if (!tenants || tenants.length < 2)
    return {
      ...api,
      name: `Mimir (tenant ${ctx.exp.backendTenant} alone: mimir.previousTenants lists none)`,
    };
  const header = tenants.join(TENANT_SEPARATOR);
  return {
    ...api,
    headers: tenantHeaders(header),
    name: `Mimir (tenants ${header}: mimir.tenant and mimir.previousTenants, as Grafana reads them)`,
  };
}
