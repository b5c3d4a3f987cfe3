/**
 * The stack-config keys whose values the program writes into a Loki or Mimir config field, and
 * the form that field takes (its Go type). The schema (config/schema.ts) reads the form, so a value
 * the engine cannot load is converted or refused at config time, naming the key; the tests derive
 * the mapping from what the builders and the charts actually write (test/config/engineKeys.test.ts,
 * the real Helm render) and the forms from the engines' references (upstream/engines/data), so this
 * table cannot drift from either.
 */
import type { DurationKind, Engine } from "../upstream/engines/references";

export interface EngineKey {
  /** The stack-config key (`loki.deleteDelay`). */
  key: string;
  engine: Engine;
  /** The field of the engine's config file the value lands in. */
  field: string;
  /** For durations: the Go type of the field, which decides the units it takes. */
  duration?: DurationKind;
}

export const ENGINE_KEYS: readonly EngineKey[] = [
  {
    key: "loki.retention",
    engine: "loki",
    field: "limits_config.retention_period",
    duration: "model.Duration",
  },
  {
    key: "loki.deleteDelay",
    engine: "loki",
    field: "compactor.retention_delete_delay",
    duration: "time.Duration",
  },
  { key: "loki.authEnabled", engine: "loki", field: "auth_enabled" },
  { key: "loki.replicationFactor", engine: "loki", field: "common.replication_factor" },
  {
    key: "mimir.blocksRetention",
    engine: "mimir",
    field: "limits.compactor_blocks_retention_period",
    duration: "model.Duration",
  },
  { key: "mimir.multitenancy", engine: "mimir", field: "multitenancy_enabled" },
  { key: "mimir.maxGlobalSeriesPerUser", engine: "mimir", field: "limits.max_global_series_per_user" },
  { key: "mimir.ingestionRate", engine: "mimir", field: "limits.ingestion_rate" },
];

/** The Go type of the engine field a stack-config key's value lands in, if it is a duration. */
export function engineDurationOf(key: string): DurationKind | undefined {
  return ENGINE_KEYS.find((k) => k.key === key)?.duration;
}
