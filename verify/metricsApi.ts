import { tenantHeaders, urlOf } from "./http";
import type { VerifyContext } from "./types";

/** The Prometheus-compatible query base of a metrics engine, with its tenant header. */
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
