import { z } from "zod";
import { versions } from "../model/versions";

/*
 * `chartValues.<chart>`: Helm values merged last over what the program computes, per chart. The
 * keys are the charts model/versions.ts pins (docs/reference/versions.md), by chart name. Mimir
 * runs as the program's own StatefulSet (builders/metrics/mimirValues.ts), not from a chart, so it
 * has no key: its settings are the `mimir` keys.
 */

/** The chart names `chartValues` takes, in model/versions.ts order. */
export const CHART_NAMES = Object.values(versions.charts).map((c) => c.chart);

/*
 * What an unknown key under `chartValues` is told (config/errors.ts reads a map's description for
 * its unknown keys): the chart names, and that Mimir, the one component without a chart, is set by
 * the stack's own `mimir` keys.
 */
const UNKNOWN_CHART = `expected a chart name: ${CHART_NAMES.join(" | ")} (docs/reference/versions.md), and Mimir is none: it runs as the program's own StatefulSet, set by the stack's mimir keys (docs/reference/configuration.md)`;

export const chartValues = z
  .object(
    Object.fromEntries(
      CHART_NAMES.map((name) => [
        name,
        /** Values for this chart, as its values.yaml names them. Default none. */
        z.record(z.unknown()).optional(),
      ]),
    ),
  )
  .strict()
  .describe(UNKNOWN_CHART);
