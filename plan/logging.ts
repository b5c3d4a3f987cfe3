import { phaseAlertmanagerUrl } from "../model/endpoints";
import { logRules } from "../builders/alerting/logRules";
import { LOKI_SINGLE_TENANT } from "../builders/logging/lokiValues";
import type { PlanContext } from "./context";
import { crds, type StackPlan } from "./types";

/** Loki, with the LogQL rules its ruler evaluates (sent to the phase's Alertmanager). */
export function planLogging(ctx: PlanContext): Pick<StackPlan, "loki"> {
  const { cfg, ns } = ctx;
  return {
    loki: {
      inputs: {
        namespace: ns,
        protect: cfg.production,
        settings: {
          loki: cfg.loki,
          storage: ctx.storage("loki"),
          production: cfg.production,
          profile: cfg.profile,
          storageClass: cfg.storageClasses.default,
          serviceMonitor: true,
          sized: ctx.sized.resources,
          logsPerDayBytes: cfg.workload.logsPerDayBytes,
          ruler: {
            alertmanagerUrl: phaseAlertmanagerUrl(ns, ctx.caps.alertmanager, ctx.kpsFullname),
            tenant: ctx.lokiTenant ?? LOKI_SINGLE_TENANT,
          },
          tolerations: ctx.scheduling.tolerations,
        },
        logRules: logRules({ errorsPerSecond: cfg.alerting.logErrorsPerSecond }),
      },
      waitsFor: [...ctx.storageWait("loki"), crds],
    },
  };
}
