import type { ResourceValidationPolicy } from "@pulumi/policy";
import type { Level } from "./lib/config";
import { chartValues, label, toRes } from "./lib/resources";
import { lokiConfigsIn, lokiTopology, validDeleteStores } from "./lib/loki";

/** Loki 3 refuses to start when compactor retention is on without delete_request_store. */
export function lokiRetentionNeedsDeleteStore(level: Level = "mandatory"): ResourceValidationPolicy {
  return {
    name: "loki-retention-needs-delete-store",
    description:
      "Loki 3 crash-loops when compactor.retention_enabled is true and delete_request_store is missing or names no store.",
    enforcementLevel: level,
    validateResource: (args, report) => {
      const r = toRes(args);
      for (const found of lokiConfigsIn(r)) {
        const c = found.config.compactor ?? {};
        if (c.retention_enabled !== true) continue;
        const store = c.delete_request_store;
        if (store === undefined || store === null || store === "") {
          report(
            `${label(r)}: ${found.where}.retention_enabled is true but delete_request_store is empty; every Loki component fails at startup ("compactor.delete-request-store should be configured when retention is enabled"). Set ${found.where}.delete_request_store to the schema's object_store (e.g. "s3").`,
          );
        } else if (!validDeleteStores(found.config).includes(String(store))) {
          report(
            `${label(r)}: ${found.where}.delete_request_store is "${store}", which names no object store; use a store type (${validDeleteStores(found.config).join(", ")}) or a named store, normally the schema's object_store.`,
          );
        }
      }
    },
  };
}

/** retention_period without retention_enabled deletes nothing. */
export function lokiRetentionPeriodWithoutRetention(level: Level = "advisory"): ResourceValidationPolicy {
  return {
    name: "loki-retention-period-without-retention",
    description:
      "limits_config.retention_period is set but the compactor's retention is off, so nothing is ever deleted.",
    enforcementLevel: level,
    validateResource: (args, report) => {
      const r = toRes(args);
      for (const found of lokiConfigsIn(r)) {
        const period = found.config.limits_config?.retention_period;
        if (
          period &&
          period !== "0s" &&
          period !== "0" &&
          found.config.compactor?.retention_enabled !== true
        ) {
          report(
            `${label(r)}: retention_period is "${period}" but ${found.where}.retention_enabled is not true; logs are kept forever. Enable retention (with delete_request_store) or drop retention_period.`,
          );
        }
      }
    },
  };
}

const COMPACTOR_SETTINGS = [
  "retention_enabled",
  "delete_request_store",
  "working_directory",
  "retention_delete_delay",
  "compaction_interval",
  "shared_store",
];

/** A `compactor:` block of Loki settings at the chart's top level is silently ignored. */
export function lokiCompactorMisplaced(level: Level = "advisory"): ResourceValidationPolicy {
  return {
    name: "loki-compactor-misplaced",
    description:
      "Loki compactor settings at the loki chart's top level are ignored; they belong under loki.compactor.",
    enforcementLevel: level,
    validateResource: (args, report) => {
      const r = toRes(args);
      const values = chartValues(r, "loki");
      if (!values) return;
      const top = values.compactor;
      const misplaced =
        top && typeof top === "object" ? Object.keys(top).filter((k) => COMPACTOR_SETTINGS.includes(k)) : [];
      if (misplaced.length > 0) {
        report(
          `${label(r)}: values.compactor holds Loki settings (${misplaced.join(", ")}) that the chart ignores silently; move them to values.loki.compactor.`,
        );
      }
    },
  };
}

/** `shared_store` was removed in Loki 3.0; a leftover breaks startup. */
export function lokiSharedStoreRemoved(level: Level = "advisory"): ResourceValidationPolicy {
  return {
    name: "loki-shared-store-removed",
    description: "compactor.shared_store was removed in Loki 3.0; use delete_request_store.",
    enforcementLevel: level,
    validateResource: (args, report) => {
      const r = toRes(args);
      for (const found of lokiConfigsIn(r)) {
        if (found.config.compactor?.shared_store !== undefined) {
          report(
            `${label(r)}: ${found.where}.shared_store is set; Loki 3 no longer knows it and refuses the config. Remove it and set delete_request_store instead.`,
          );
        }
      }
    },
  };
}

/** A replication factor above the replicas that take writes leaves the ring unhealthy. */
export function lokiReplicationFactor(level: Level = "mandatory"): ResourceValidationPolicy {
  return {
    name: "loki-replication-factor",
    description: "Loki's replication factor must not exceed the replicas that serve writes.",
    enforcementLevel: level,
    validateResource: (args, report) => {
      const r = toRes(args);
      const values = chartValues(r, "loki");
      if (!values) return;
      const t = lokiTopology(values);
      const writers = t.mode.startsWith("SingleBinary") ? t.single : t.write;
      const path = t.mode.startsWith("SingleBinary")
        ? "values.singleBinary.replicas"
        : "values.write.replicas";
      if (t.rf > writers) {
        report(
          `${label(r)}: values.loki.commonConfig.replication_factor is ${t.rf} but ${path} is ${writers}; pushes fail with "too many unhealthy instances in the ring". Lower the replication factor to at most ${writers} or add replicas.`,
        );
      }
    },
  };
}

/** The chart refuses SingleBinary replicas together with scalable replicas. */
export function lokiSingleBinaryAndScalable(level: Level = "mandatory"): ResourceValidationPolicy {
  return {
    name: "loki-single-binary-and-scalable",
    description:
      "singleBinary.replicas and read/write/backend replicas must not both be non-zero (chart defaults count).",
    enforcementLevel: level,
    validateResource: (args, report) => {
      const r = toRes(args);
      const values = chartValues(r, "loki");
      if (!values) return;
      const t = lokiTopology(values);
      const scalable = (["write", "read", "backend"] as const).filter((k) => t[k] > 0);
      if (t.single > 0 && scalable.length > 0) {
        report(
          `${label(r)}: values.singleBinary.replicas is ${t.single} and ${scalable.map((k) => `values.${k}.replicas is ${t[k]}`).join(", ")} (unset means the chart default 3); the chart fails with "You have more than zero replicas configured for both the single binary and simple scalable targets". Set the unused mode's replicas to 0.`,
        );
      }
    },
  };
}
