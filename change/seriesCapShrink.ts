/**
 * Mimir's per-tenant series limit (`limits.max_global_series_per_user` in the config the program
 * writes, builders/metrics/mimirValues.ts), lowered by the update. Mimir refuses a tenant's new
 * series once its in-memory series reach the limit (the error err-mimir-max-series-per-user,
 * grafana/mimir docs/sources/mimir/manage/mimir-runbooks/_index.md; the key's flag
 * -ingester.max-global-series-per-user, upstream/engines/data/mimir-3.0/config-fields.tsv), so a
 * tenant already above the new limit has new series refused after `pulumi up`. The objects' list
 * shows only the ConfigMap's update (and Mimir's memory), and nothing in Kubernetes refuses it.
 * How many series the tenant holds is unknown offline, so the lower limit is warned of, not
 * refused: a cap the pools no longer hold is the config check's to refuse (config/sizing.ts).
 */
import { mimirConfigIn } from "./mimirConfig";
import { MIMIR_CONFIG_MAP } from "../builders/metrics/mimirValues";
import type { StackExport } from "../synth/synthesize";
import { stackKeyAt, type OverridePlace } from "../synth/report";
import { BUDGET_MAX_REQUEST_SHARE } from "@homelab-observability/contract";

const CAP_KEY = "mimir.maxGlobalSeriesPerUser";
const SERIES_KEY = "workload.activeSeries";
const FIELD = "limits.max_global_series_per_user";

/** The series limit of the export's Mimir config; undefined without Mimir or when it does not say. */
export function mimirSeriesCapOf(exp: StackExport): number | undefined {
  const cap: unknown = mimirConfigIn(exp.deployment.resources)?.config?.limits?.max_global_series_per_user;
  return typeof cap === "number" ? cap : undefined;
}

/**
 * Where the new limit comes from, in config/resolve.ts's order: mimir.maxGlobalSeriesPerUser, else
 * workload.activeSeries, else the program's default (config/sizing.ts defaultSeriesCap).
 */
function source(at?: OverridePlace): string {
  if (at?.written?.(CAP_KEY) !== undefined) return `the stack sets it: ${stackKeyAt(CAP_KEY, at)}`;
  if (at?.written?.(SERIES_KEY) !== undefined)
    return `the stack's ${stackKeyAt(SERIES_KEY, at)} sets it (${CAP_KEY} is not set)`;
  return (
    `the program's default moved (${CAP_KEY} and ${SERIES_KEY} are not set; config/sizing.ts defaultSeriesCap): ` +
    `the most series one Mimir replica (of mimir.replicas) holds within ${BUDGET_MAX_REQUEST_SHARE * 100}% of the memory of nodePools' largest node, less the pods the DaemonSets run on that node, ` +
    `so it follows the pools' size and the DaemonSets the stack runs (the sizing counts each DaemonSet's pod on every node it lands on)`
  );
}

/** One stack-wide warning: said above the objects, counts no refusal. */
export interface SeriesCapVerdict {
  line: string;
  refused: false;
}

/**
 * A warning when the update lowers Mimir's per-tenant series limit from what the previous export
 * ran: both values, what Mimir does above it, where the new one comes from and the key that keeps
 * the old one. Nothing for a raise, an unchanged limit, or when either side runs no Mimir or does
 * not say.
 */
export function seriesCapVerdicts(
  previous: StackExport,
  next: StackExport,
  at?: OverridePlace,
): SeriesCapVerdict[] {
  const [was, now] = [mimirSeriesCapOf(previous), mimirSeriesCapOf(next)];
  if (was === undefined || now === undefined || now >= was) return [];
  return [
    {
      line:
        `WARNING Mimir series limit ${was} -> ${now} (${MIMIR_CONFIG_MAP} ${FIELD}): ${source(at)}. ` +
        `Once a tenant holds ${now} in-memory series Mimir refuses its new series (err-mimir-max-series-per-user), so after pulumi up a tenant already above ${now} has its new series refused for as long as it holds that many. ` +
        `Keep the limit: set ${stackKeyAt(CAP_KEY, at)} to ${was} (${CAP_KEY}: ${was}); the config check says whether the nodes hold it`,
      refused: false,
    },
  ];
}
