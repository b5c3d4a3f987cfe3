import { programRuleSets } from "../builders/alerting/rules";
import { contextEmitters } from "./emitters";
import type { PlanContext } from "./context";
import { crds, none, type StackPlan } from "./types";

/** The program's alert rules, and the standalone Alertmanager in the phases that run one. */
export function planAlerting(ctx: PlanContext): Pick<StackPlan, "rules" | "alertmanager"> {
  const { cfg, ns } = ctx;
  return {
    rules: {
      inputs: {
        namespace: ns,
        // Fitted to what the stack runs: a rule on a metric nothing here emits never fires.
        ruleSets: programRuleSets({
          namespace: ns,
          canary: cfg.loki.canary,
          store: cfg.objectStore.type,
          mimir: cfg.metricsBackend === "mimir" && ctx.caps.backend,
          emitters: contextEmitters(ctx),
        }),
      },
      waitsFor: [crds],
    },
    ...(ctx.caps.alertmanager === "standalone"
      ? {
          alertmanager: {
            inputs: {
              namespace: ns,
              profile: cfg.profile,
              alerting: ctx.alerting,
              storageClass: cfg.storageClasses.default,
            },
            waitsFor: none(),
          },
        }
      : {}),
  };
}
