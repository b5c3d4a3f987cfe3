import type { RuleGroup } from "./rules";

/** Inputs of {@link logRules}. */
export interface LogRuleInputs {
  /** Error-level lines per second in one namespace above which it alerts (config `alerting.logErrorsPerSecond`). */
  errorsPerSecond: number;
}

/**
 * Streams the agents label with the node they were read on: the journal and syslog files
 * (builders/logging/alloyConfig.ts and vectorConfig.ts, `job="node/journal"|"node/syslog"`, label
 * `node`). Pod logs carry no node label.
 */
export const NODE_STREAMS = '{job=~"node/.+"}';

/**
 * LogQL alerting rules that Loki's ruler evaluates (the rule file is mounted into the ruler's
 * local rule directory, builders/logging/lokiValues.ts), sent to the phase's Alertmanager.
 *
 * - Error rate per namespace: Loki 3 detects each line's level at ingestion and keeps it as the
 *   structured metadata `detected_level` (limits_config.discover_log_levels, on by default and set
 *   explicitly by lokiValues); a label filter after the selector reads it.
 * - No logs from a node: a node that sent journal/syslog lines in the two hours before the last
 *   15 minutes and none within them. A node removed on purpose fires too, until two hours pass:
 *   silence it.
 */
export function logRules(opts: LogRuleInputs): RuleGroup[] {
  if (!(opts.errorsPerSecond > 0))
    throw new Error(`logRules: errorsPerSecond must be a positive number, found ${opts.errorsPerSecond}`);
  return [
    {
      name: "log-errors",
      interval: "1m",
      rules: [
        {
          alert: "NamespaceLogErrorRateHigh",
          expr: `sum by (namespace) (rate({namespace=~".+"} | detected_level=~"error|critical|fatal" [5m])) > ${opts.errorsPerSecond}`,
          for: "15m",
          labels: { severity: "warning" },
          annotations: {
            summary:
              "{{ $labels.namespace }} logs more than " + opts.errorsPerSecond + " error lines per second.",
            description:
              '{{ $value | printf "%.2f" }} error-level lines per second for 15 minutes. In Grafana Explore: {namespace="{{ $labels.namespace }}"} | detected_level="error".',
          },
        },
        {
          alert: "NodeLogsMissing",
          expr: `count by (node) (count_over_time(${NODE_STREAMS}[2h] offset 15m)) unless count by (node) (count_over_time(${NODE_STREAMS}[15m]))`,
          for: "5m",
          labels: { severity: "warning" },
          annotations: {
            summary: "No logs from node {{ $labels.node }} for 15 minutes.",
            description:
              "The node sent journal or syslog lines before and none since: the node is down, or its log agent pod is not running there. A node removed on purpose: silence this alert.",
          },
        },
      ],
    },
  ];
}
