import type { PlanContext } from "./context";
import { contextEmitters } from "./emitters";
import { none, type StackPlan } from "./types";
import { grafanaExposureInputs } from "./grafanaExposure";

/** Grafana, its datasources (stable uids, the phase's default) and the program's dashboards. */
export function planGrafana(ctx: PlanContext): Pick<StackPlan, "grafana"> {
  const { cfg, ns, caps, ep } = ctx;
  return {
    grafana: {
      inputs: {
        namespace: ns,
        // Production: its PVC holds Grafana's database.
        protect: cfg.production,
        settings: {
          profile: cfg.profile,
          url: cfg.grafana.url,
          volumeSize: cfg.grafana.volumeSize,
          dashboardNamespaces: cfg.grafana.dashboardNamespaces,
          storageClass: cfg.storageClasses.default,
          adminSecret: cfg.takeover?.secrets.grafanaAdmin,
          ...grafanaExposureInputs(cfg.grafana),
          datasources: {
            caps,
            backend: cfg.metricsBackend,
            prometheusUrl: ep.prometheus.query,
            backendUrl: ctx.backendEp.query,
            lokiUrl: ep.loki.query,
            backendTenant: ctx.tenant,
            lokiTenant: ctx.lokiTenant,
            backendPreviousTenants: ctx.previousTenants,
            lokiPreviousTenants: ctx.lokiPreviousTenants,
          },
          dashboards: {
            backend: cfg.metricsBackend,
            logAgent: cfg.logAgent,
            backendUp: caps.backend,
            emitters: contextEmitters(ctx),
          },
        },
      },
      waitsFor: none(),
    },
  };
}
