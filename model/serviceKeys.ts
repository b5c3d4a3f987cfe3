/**
 * The chart values keys that shape a chart's Service and nothing else: one fact for the report's
 * tracing of a finding to such a key (synth/report.ts ruleOverrides).
 */

/**
 * Each chart's keys (a key and every path under it) read only in the templates of its Services, as
 * read, not run, in the pinned charts (model/versions.ts): vector 0.56.0's `service` (every
 * `.Values.service` of the archive is in templates/service.yaml:1-73 and
 * templates/service-headless.yaml:14-127) and `serviceHeadless` (service-headless.yaml:4-5 only).
 * Such a key decides which ports the Service exposes and where it routes them, to the release's own
 * pods: it is a cause only of what reaches those pods, never of what they dial elsewhere. Not
 * alloy 1.5.0's `service`: templates/servicemonitor.yaml:2 reads `service.enabled` too.
 */
export const SERVICE_ONLY_KEYS: Record<string, readonly string[]> = {
  vector: ["service", "serviceHeadless"],
};

/** Whether `path` (a values path under `chart`) is, or is under, one of its Service-only keys. */
export const shapesOnlyService = (chart: string, path: string): boolean =>
  (SERVICE_ONLY_KEYS[chart] ?? []).some(
    (k) => path === k || path.startsWith(`${k}.`) || path.startsWith(`${k}[`),
  );
