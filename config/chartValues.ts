import { z } from "zod";
import { RELEASES } from "../model/names";
import { versions } from "../model/versions";
import { withUnknownKeyHint } from "./keyHints";

/*
 * `chartValues.<chart>`: Helm values merged last over what the program computes, per chart. The
 * keys are the charts model/versions.ts pins (docs/reference/versions.md), by chart name. Mimir
 * runs as the program's own StatefulSet (builders/metrics/mimirValues.ts), not from a chart, so it
 * has no key: its settings are the `mimir` keys.
 */

/** The chart names `chartValues` takes, in model/versions.ts order. */
export const CHART_NAMES = Object.values(versions.charts).map((c) => c.chart);

/** The chart names `chartValues` takes, said to a key that is none. */
const CHART_LIST = `expected a chart name: ${CHART_NAMES.join(" | ")} (docs/reference/versions.md)`;

/*
 * Names the program gives its releases (model/names.ts RELEASES) that are not their charts' names,
 * as `kubectl get` and the guides' commands show them (svc/kps-prometheus): a user who writes one
 * under `chartValues` means that chart.
 */
const RELEASE_CHARTS: Readonly<Record<string, string>> = {
  [RELEASES.kps]: versions.charts.kubePrometheusStack.chart,
  [RELEASES.vm]: versions.charts.victoriaMetricsStack.chart,
  [RELEASES.nodeExporter]: versions.charts.nodeExporter.chart,
  [RELEASES.alloyCluster]: versions.charts.alloy.chart,
};

/*
 * The chart Grafana publishes Mimir as, which the program does not install (docs/explanation/
 * architecture.md: it runs Mimir as its own StatefulSet rather than `mimir-distributed`): the name
 * a user who knows that chart writes under `chartValues` for Mimir's replicas or its gateway.
 */
const MIMIR_CHART = "mimir-distributed";

/*
 * What an unknown key under `chartValues` is told (config/errors.ts reads it, config/keyHints.ts):
 * a release's name, the chart it is a release of; mimir (or mimir-distributed, its chart the
 * program does not install), that Mimir, the one component without a chart, is set by the stack's
 * own `mimir` keys; any other name, the chart names (or the closest). Said of the stacks that run
 * Mimir: a stack with metricsBackend victoriametrics, or at a phase before the new backend, runs
 * none, and refuses its mimir keys (config/resolve.ts), which this schema-level hint cannot tell.
 */
function unknownChart(key: string): string | undefined {
  const chart = RELEASE_CHARTS[key];
  if (chart)
    return `; did you mean "${chart}"? (chartValues takes the chart's name, not the name the program gives its release)`;
  if (key === RELEASES.mimir || key === MIMIR_CHART)
    return `, ${CHART_LIST}, and Mimir is none: where the stack runs Mimir (metricsBackend mimir, at a phase that runs the new backend), it runs as the program's own StatefulSet${key === MIMIR_CHART ? `, not from the ${MIMIR_CHART} chart` : ""}, set by the stack's mimir keys (docs/reference/configuration.md)`;
  return undefined;
}

export const chartValues = withUnknownKeyHint(
  z
    .object(
      Object.fromEntries(
        CHART_NAMES.map((name) => [
          name,
          /** Values for this chart, as its values.yaml names them. Default none. */
          z.record(z.unknown()).describe("the chart's values as its values.yaml names them").optional(),
        ]),
      ),
    )
    .strict()
    .describe(CHART_LIST),
  unknownChart,
);
