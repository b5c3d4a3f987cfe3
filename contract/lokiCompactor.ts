/**
 * Loki's compactor settings (keys of the `compactor:` block of Loki's config) that a values file
 * may put at the loki chart's top level `compactor:` by mistake. That section is the chart's
 * settings of the Distributed compactor's pods (loki 18.11.0 values.yaml `compactor:`, whose
 * schema names none of these); Loki's own settings go under `loki.compactor`, which the chart
 * writes into Loki's config in every mode (values.yaml `loki.config`: `with .Values.loki.compactor`),
 * and every mode runs a compactor (templates/_helpers.tpl `loki.compactorAddress`: the monolithic
 * pods, the backend, or the compactor). So such a key changes nothing in any mode, and moving it
 * under `loki.compactor` makes it work in each. The pack (`loki-compactor-misplaced`) says so, and
 * the synthesis does not also warn that the mode runs no compactor pod (synth/report.ts
 * `overridesOfUnrunLokiTargets`): one mistake, one message.
 */
export const LOKI_COMPACTOR_SETTINGS: readonly string[] = [
  "retention_enabled",
  "delete_request_store",
  "working_directory",
  "retention_delete_delay",
  "compaction_interval",
  "shared_store",
];
