import type { ResourceValidationPolicy } from "@pulumi/policy";
import type { Level } from "./lib/config";
import { chartValues, HELM_AND_TEXT_TYPES, HELM_TYPES, label, toRes, type Res } from "./lib/resources";
import { forTypes } from "./lib/typed";
import { reportCause, reportJudged, resourceCause } from "./lib/report";
import {
  closestOption,
  LOKI_COMPACTOR_SETTINGS,
  LOKI_REMOVED_KEYS,
  MISTAKES,
} from "@homelab-observability/contract";
import {
  configuredStoreTypes,
  lokiConfigsIn,
  lokiTopology,
  sameStoreType,
  STORE_TYPES,
  UNRESOLVED_TEMPLATE,
  validDeleteStores,
} from "./lib/loki";

/** Loki 3 refuses to start when compactor retention is on without delete_request_store. */
export function lokiRetentionNeedsDeleteStore(level: Level = "mandatory"): ResourceValidationPolicy {
  return {
    name: "loki-retention-needs-delete-store",
    description:
      "Loki 3 crash-loops when compactor.retention_enabled is true and delete_request_store is missing or names no store.",
    enforcementLevel: level,
    validateResource: forTypes(HELM_AND_TEXT_TYPES, (args, report) => {
      const r = toRes(args);
      // Values and the ConfigMap the chart renders from them hold the same mistake: one cause.
      const cause = resourceCause(MISTAKES.lokiDeleteStore, args);
      const notBoolean = resourceCause("loki-retention-enabled-not-boolean", args);
      for (const found of lokiConfigsIn(r)) {
        const c = found.config.compactor ?? {};
        const enabled = c.retention_enabled;
        // Loki 3.7.6 reads its config with gopkg.in/yaml.v2 UnmarshalStrict (pkg/util/cfg/files.go:69);
        // yaml.v2 decode.go sets a bool field only from a resolved bool, so a quoted "true" is a
        // string and the config is refused ("cannot unmarshal !!str `true` into bool").
        if (typeof enabled === "string" && !UNRESOLVED_TEMPLATE.test(enabled)) {
          reportCause(
            report,
            `${label(r)}: ${found.where}.retention_enabled is the string ${JSON.stringify(enabled)}, not a boolean; Loki refuses the config at startup (cannot unmarshal !!str \`${enabled}\` into bool). Write it unquoted: retention_enabled: true${enabled.toLowerCase() === "true" ? ", with delete_request_store set" : ""}.`,
            notBoolean,
          );
          continue;
        }
        if (enabled !== true) continue;
        const store = c.delete_request_store;
        // Loki's Config.Validate refuses it for every target before any module starts (grafana/loki
        // v3.7.6 pkg/compactor/config.go:107-109, called from pkg/loki/loki.go:340).
        if (store === undefined || store === null || store === "") {
          // Said as found: a key left out (or nulled, which Helm's merge deletes) is missing, not empty.
          const state = store === "" ? "empty" : "missing";
          reportCause(
            report,
            `${label(r)}: ${found.where}.retention_enabled is true but delete_request_store is ${state}; every Loki component fails at startup ("compactor.delete-request-store should be configured when retention is enabled", grafana/loki v3.7.6 pkg/compactor/config.go:109). Set ${found.where}.delete_request_store to the schema's object_store (e.g. "s3").`,
            cause,
          );
          continue;
        }
        // A value the chart computes with tpl from something unknown here is not judged.
        if (typeof store === "string" && UNRESOLVED_TEMPLATE.test(store)) continue;
        const stores = validDeleteStores(found.config);
        if (!stores.includes(String(store))) {
          // The config's measure of a value outside its options (`s33` is "s3").
          const meant = closestOption(String(store), stores);
          reportCause(
            report,
            `${label(r)}: ${found.where}.delete_request_store is "${store}", which names no object store; ${meant ? `did you mean "${meant}"? Otherwise use` : "use"} a store type (${stores.join(", ")}) or a named store, normally the schema's object_store.`,
            cause,
          );
          continue;
        }
        // A store type with no configuration of its own: the compactor builds the delete request
        // store client from it at start (grafana/loki v3.7.6 pkg/loki/modules.go:1901-1904
        // initCompactor -> storage.NewObjectClient). Loki 3.7.6 run with only s3 configured:
        // "gcs" stopped the compactor ("failed to create delete request store object client:
        // google: could not find default credentials"); "filesystem" started, its client on the
        // empty directory, which filepath.Clean makes "." (pkg/storage/chunk/client/local/
        // fs_object_client.go:56-59): the delete requests go to the process's working directory.
        const configured = configuredStoreTypes(found.config);
        if (configured && STORE_TYPES.includes(String(store)) && !configured.includes(String(store))) {
          const what =
            store === "filesystem"
              ? "Loki starts, but keeps the delete requests in the process's working directory (the filesystem client's directory is empty, read as \".\"), not in the store the schema writes to"
              : "the compactor fails at start creating the delete request store client";
          const schemaStores = [
            ...new Set(
              (found.config.schema_config?.configs ?? []).map((x: any) => x?.object_store).filter(Boolean),
            ),
          ].map(String);
          // The schema writing to that store too, the delete store is the right one: what is
          // missing is the store's own configuration (a storage type replaced by values), and
          // "use the schema's store" would ask for the value it already has.
          // A schema store of the same type under its other name (s3 for aws) is that store too:
          // naming it instead would leave the same type unconfigured.
          const same = schemaStores.find((s) => sameStoreType(s, String(store)));
          const fix =
            same !== undefined
              ? `The schema writes the chunks to ${same === String(store) ? `${store} as well` : `${same}, the same store type as ${store}`} (schema_config object_store), so delete_request_store already names the store to use: configure ${store} storage again, rather than change delete_request_store.`
              : `Use the store the schema writes to (${schemaStores.join(", ") || "e.g. s3"}).`;
          // With the schema on that store too, what is missing is the store's configuration: in a
          // chart's values the chart writes `common.storage` of the type `loki.storage.type` names
          // (policy/lib/loki.ts lokiChartConfig), so that value is named (an override of it is then
          // traced to its key, synth/report.ts overridesOn); otherwise the type is no cause.
          const typeValue =
            found.chart && same !== undefined ? chartValues(r, "loki")?.loki?.storage?.type : undefined;
          const by = typeof typeValue === "string" ? `; values.loki.storage.type is "${typeValue}"` : "";
          reportCause(
            report,
            `${label(r)}: ${found.where}.delete_request_store is "${store}" but no ${store} storage is configured (configured: ${configured.join(", ") || "none"}${by}); ${what}. ${fix}`,
            cause,
          );
        }
      }
    }),
  };
}

/**
 * retention_period without retention_enabled: Loki's compactor deletes nothing by age. Read at
 * grafana/loki v3.7.6 (read, not run): retention_period "only applies if retention_enabled is true
 * in the compactor config" (pkg/validation/limits.go:427, the flag's own help); with retention off
 * the compactor's expiration checker is the never-expiring one (pkg/compactor/compactor.go:224-225,
 * pkg/compactor/retention/expiration.go:121-133: Expired is always false). What stays is stored,
 * not kept forever whatever happens: a store's own lifecycle rule or a hand's `rm` still removes it,
 * so the message says what Loki does, no more.
 */
export function lokiRetentionPeriodWithoutRetention(level: Level = "advisory"): ResourceValidationPolicy {
  return {
    name: "loki-retention-period-without-retention",
    description:
      "limits_config.retention_period is set but the compactor's retention is off, so Loki deletes no logs by age.",
    enforcementLevel: level,
    validateResource: forTypes(HELM_AND_TEXT_TYPES, (args, report) => {
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
            `${label(r)}: limits_config.retention_period is "${period}" but ${found.where}.retention_enabled is not true, and Loki applies retention_period only with retention on: its compactor deletes no logs by age, however old they are. Set retention_enabled: true (with delete_request_store), or drop retention_period.`,
          );
        }
      }
    }),
  };
}

/** A `compactor:` block of Loki settings at the chart's top level is silently ignored. */
export function lokiCompactorMisplaced(level: Level = "advisory"): ResourceValidationPolicy {
  return {
    name: "loki-compactor-misplaced",
    description:
      "Loki compactor settings at the loki chart's top level are ignored; they belong under loki.compactor.",
    enforcementLevel: level,
    validateResource: forTypes(HELM_TYPES, (args, report) => {
      const r = toRes(args);
      const values = chartValues(r, "loki");
      if (!values) return;
      const top = values.compactor;
      const misplaced =
        top && typeof top === "object"
          ? Object.keys(top).filter((k) => LOKI_COMPACTOR_SETTINGS.includes(k))
          : [];
      if (misplaced.length > 0) {
        // Judged: the misplaced settings alone, not the compactor pods' own settings beside them
        // (compactor.replicas, whose mistake in a monolithic stack is another policy's), which the
        // message's `values.compactor` would name as its cause too.
        reportJudged(
          report,
          `${label(r)}: values.compactor holds Loki settings (${misplaced.join(", ")}) that the chart ignores silently; move them to values.loki.compactor.`,
          misplaced.map((k) => `compactor.${k}`),
        );
      }
    }),
  };
}

/**
 * `shared_store` was removed in Loki 3.0; a leftover stops startup: Loki parses its config file
 * strictly (pkg/util/cfg/dynamic.go: ConfigFileLoader(..., strict=true)), and the compactor's
 * Config (pkg/compactor/config.go) has no such field. Mandatory.
 */
export function lokiSharedStoreRemoved(level: Level = "mandatory"): ResourceValidationPolicy {
  return {
    name: "loki-shared-store-removed",
    description:
      "compactor.shared_store was removed in Loki 3.0; Loki 3 refuses a config that still sets it. Use delete_request_store.",
    enforcementLevel: level,
    validateResource: forTypes(HELM_AND_TEXT_TYPES, (args, report) => {
      const r = toRes(args);
      for (const found of lokiConfigsIn(r)) {
        for (const [key, instead] of Object.entries(LOKI_REMOVED_KEYS.compactor)) {
          if (found.config.compactor?.[key] !== undefined) {
            report(
              `${label(r)}: ${found.where}.${key} is set; Loki 3 no longer knows it and refuses the config at startup ("field ${key} not found in type compactor.Config"). Remove it and set ${instead} instead.`,
            );
          }
        }
      }
    }),
  };
}

/** A replication factor above the replicas that take writes leaves the ring unhealthy. */
export function lokiReplicationFactor(level: Level = "mandatory"): ResourceValidationPolicy {
  return {
    name: "loki-replication-factor",
    description: "Loki's replication factor must not exceed the replicas that serve writes.",
    enforcementLevel: level,
    validateResource: forTypes(HELM_TYPES, (args, report) => {
      const r = toRes(args);
      const values = chartValues(r, "loki");
      if (!values) return;
      const t = lokiTopology(values, defaultMode(r));
      const modes = lokiModes(r);
      if (!modes.includes(t.mode)) {
        // Modes are case-sensitive in the chart's templates: `singleBinary` is none of them. The
        // closest is the config's own measure of a misspelt option (`SingleBinaryy` too).
        const meant = closestOption(t.mode, modes);
        report(
          `${label(r)}: values.deploymentMode is "${t.mode}", none of this chart's modes, so it renders no Loki at all (no single binary, no write, read or backend, no distributed target)${meant ? `; did you mean "${meant}"?` : `. Set one of ${modes.join(", ")}.`}`,
        );
        return;
      }
      if (t.rf > t.writers) {
        report(
          `${label(r)}: ${t.rfPath} is ${t.rf} but ${t.writerPaths.join(" + ")} is ${t.writers} (the replicas that take writes in deploymentMode ${t.mode}); pushes fail with "too many unhealthy instances in the ring". Lower the replication factor to at most ${t.writers} or add replicas.`,
        );
      }
    }),
  };
}

const DISTRIBUTED_TARGETS = [
  "ingester",
  "distributor",
  "querier",
  "queryFrontend",
  "queryScheduler",
  "indexGateway",
  "compactor",
  "ruler",
];

/**
 * What the chart's own refusal calls the single binary, and the transitional mode it names: "single
 * binary" and `SingleBinary<->SimpleScalable` in 6.x (6.49.0, 6.55.0 templates/validate.yaml),
 * "monolithic" and `Monolithic<->SimpleScalable` from 12.0, grafana-community's line (18.11.0); a
 * release whose version is not known is judged by the newest line. test/policy/loki.test.ts holds
 * these quotes to each pinned chart's refusal, rendered by Helm.
 */
function singleBinaryWords(res: Res): { single: string; transitional: string } {
  return beforeCommunityLine(res)
    ? { single: "single binary", transitional: "SingleBinary<->SimpleScalable" }
    : { single: "monolithic", transitional: "Monolithic<->SimpleScalable" };
}

/** Whether the release runs a loki chart before 12.0 (6.x); an unknown version counts as the newest line. */
function beforeCommunityLine(res: Res): boolean {
  const raw = String(
    res.props.version ?? /-(\d[\w.+-]*)\.tgz$/.exec(String(res.props.chart ?? ""))?.[1] ?? "",
  );
  const major = Number.parseInt(raw.replace(/^v/, ""), 10);
  return Number.isFinite(major) && major < 12;
}

/**
 * The chart's default deploymentMode (values.yaml `deploymentMode`): SimpleScalable in 6.49.0 and
 * 6.55.0, Monolithic in 18.11.0.
 */
function defaultMode(res: Res): string {
  return beforeCommunityLine(res) ? "SimpleScalable" : "Monolithic";
}

/**
 * The deploymentModes the chart renders Loki for (templates/_helpers.tpl `loki.deployment.*`):
 * 6.x knows SingleBinary, SimpleScalable, Distributed and the two transitional modes between them;
 * 12.0 adds Monolithic and Monolithic<->SimpleScalable (the old names still work). Any other
 * renders no Loki workload at all. test/policy/loki.test.ts holds this to Helm's render of each
 * loki archive in the chart cache.
 */
export function lokiModes(res: Res): string[] {
  const modes = [
    "SingleBinary",
    "SimpleScalable",
    "Distributed",
    "SingleBinary<->SimpleScalable",
    "SimpleScalable<->Distributed",
  ];
  return beforeCommunityLine(res) ? modes : [...modes, "Monolithic", "Monolithic<->SimpleScalable"];
}

/**
 * The chart refuses replicas of two deployment modes at once, except in its transitional modes
 * (loki 6.49 and 18.11.0 templates/validate.yaml): single binary + simple scalable needs
 * `SingleBinary<->SimpleScalable` (chart 12.0 and later also `Monolithic<->SimpleScalable`), simple scalable + distributed needs `SimpleScalable<->Distributed`,
 * single binary + distributed is always refused.
 */
export function lokiSingleBinaryAndScalable(level: Level = "mandatory"): ResourceValidationPolicy {
  return {
    name: "loki-single-binary-and-scalable",
    description:
      "Replicas of two Loki deployment modes (single binary, simple scalable, distributed) are non-zero outside the chart's transitional modes (chart defaults count).",
    enforcementLevel: level,
    validateResource: forTypes(HELM_TYPES, (args, report) => {
      const r = toRes(args);
      const values = chartValues(r, "loki");
      if (!values) return;
      const t = lokiTopology(values, defaultMode(r));
      const words = singleBinaryWords(r);
      const scalable = (["write", "read", "backend"] as const).filter((k) => t[k] > 0);
      const distributed = DISTRIBUTED_TARGETS.filter((k) => Number(values[k]?.replicas ?? 0) > 0);
      const list = (ks: readonly string[], defaults: boolean) =>
        ks
          .map(
            (k) =>
              `values.${k}.replicas is ${k in t ? t[k as keyof typeof t] : values[k]?.replicas}${defaults && values[k]?.replicas === undefined ? " (unset means the chart default 3)" : ""}`,
          )
          .join(", ");
      if (
        t.single > 0 &&
        scalable.length > 0 &&
        t.mode !== "SingleBinary<->SimpleScalable" &&
        t.mode !== "Monolithic<->SimpleScalable"
      ) {
        report(
          `${label(r)}: values.singleBinary.replicas is ${t.single} and ${list(scalable, true)}; the chart fails with "You have more than zero replicas configured for both the ${words.single} and simple scalable targets". Set the unused mode's replicas to 0, or set values.deploymentMode to "${words.transitional}" while migrating.`,
        );
      }
      if (scalable.length > 0 && distributed.length > 0 && t.mode !== "SimpleScalable<->Distributed") {
        report(
          `${label(r)}: ${list(scalable, true)} and ${list(distributed, false)}; the chart fails with "You have more than zero replicas configured for scalable targets (backend, read, write) and distributed targets". Set the unused mode's replicas to 0, or use deploymentMode "SimpleScalable<->Distributed" while migrating.`,
        );
      }
      if (t.single > 0 && distributed.length > 0) {
        report(
          `${label(r)}: values.singleBinary.replicas is ${t.single} and ${list(distributed, false)}; the chart fails with "You have more than zero replicas configured for both the ${words.single} and distributed targets" (no transitional mode exists between them).`,
        );
      }
    }),
  };
}
