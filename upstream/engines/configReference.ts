/**
 * Loki's and Mimir's own configuration references, read from `../shared/reference` (never restated
 * here): `loki-3.6.3/config-keys.tsv` (Loki's generated docs/sources/shared/configuration.md at
 * v3.6.3, with each duration's Go type) and `mimir-3.0/config-fields.tsv` (Mimir's
 * cmd/mimir/config-descriptor.json, brought to 3.0.0 by its CHANGELOG). Each folder's README names
 * the source; this module only parses the files and judges a config against them.
 */
import * as fs from "fs";
import { referencePath } from "../reference";

export type Engine = "loki" | "mimir";

export interface ConfigKey {
  path: string;
  type: string;
  /** Loki: `leaf`, `block`, `list`, `map`, `opaque`. Mimir: `field`, `block`, `flag-only`. */
  kind: string;
  /** Loki's durations: `time.Duration` or `model.Duration`; absent otherwise. */
  goDuration?: "time.Duration" | "model.Duration";
  /** Mimir: `basic`, `advanced`, `experimental`, `deprecated`. */
  category?: string;
  /** Mimir: `present`, `added-after-3.0.0`, `removed-after-3.0.0`, ... */
  atVersion?: string;
  flag?: string;
}

export interface ConfigReference {
  engine: Engine;
  /** The version the reference was taken at (its header or README). */
  version: string;
  /** The folder, for messages. */
  folder: string;
  keys: Map<string, ConfigKey>;
  flags: Set<string>;
}

const FOLDERS: Record<Engine, { folder: string; file: string }> = {
  loki: { folder: "loki-3.6.3", file: "config-keys.tsv" },
  mimir: { folder: "mimir-3.0", file: "config-fields.tsv" },
};

const cache = new Map<Engine, ConfigReference>();

/** Parses one engine's reference (cached); throws MissingReferenceError when it is absent. */
export function loadConfigReference(engine: Engine): ConfigReference {
  const hit = cache.get(engine);
  if (hit) return hit;
  const { folder, file } = FOLDERS[engine];
  const lines = fs.readFileSync(referencePath(folder, file), "utf8").split("\n");
  const keys = new Map<string, ConfigKey>();
  const flags = new Set<string>();
  let version = "";
  let header: string[] | undefined;
  for (const line of lines) {
    if (line === "") continue;
    if (line.startsWith("# source:")) {
      version = /v\d+\.\d+\.\d+/.exec(line)?.[0] ?? "";
      continue;
    }
    const cols = line.split("\t");
    if (!header) {
      header = cols;
      continue;
    }
    const row = Object.fromEntries(header.map((h, i) => [h, cols[i] ?? ""]));
    if (engine === "loki") {
      const k: ConfigKey = { path: row.path, type: row.type, kind: row.kind };
      if (row.go_duration === "time.Duration" || row.go_duration === "model.Duration")
        k.goDuration = row.go_duration;
      if (row.cli_flag) {
        k.flag = row.cli_flag.replace(/^-/, "");
        flags.add(k.flag);
      }
      keys.set(k.path, k);
    } else {
      const k: ConfigKey = {
        path: row.yaml_path,
        type: row.type,
        kind: row.kind,
        category: row.category,
        atVersion: row.mimir_3_0_0,
      };
      if (row.flag) {
        k.flag = row.flag;
        if (row.mimir_3_0_0 !== "added-after-3.0.0") flags.add(row.flag);
      }
      if (row.yaml_path) keys.set(k.path, k);
    }
  }
  if (engine === "mimir") version = "3.0.0"; // the README: the descriptor brought to 3.0.0
  const ref = { engine, version, folder, keys, flags };
  cache.set(engine, ref);
  return ref;
}

/**
 * Whether the reference is of the version the program pins (model/versions.ts), else the message
 * naming what to refresh: a Renovate bump of Loki or Mimir must bring its reference along.
 */
export function configReferenceVersionProblem(ref: ConfigReference, pinnedTag: string): string | undefined {
  const pinned = pinnedTag.replace(/^v/, "");
  const have = ref.version.replace(/^v/, "");
  if (pinned === have) return undefined;
  return `../shared/reference/${ref.folder} describes ${ref.engine} ${have}, but model/versions.ts pins ${pinned}: refresh the reference from ${ref.engine === "loki" ? "grafana/loki docs/sources/shared/configuration.md" : "grafana/mimir cmd/mimir/config-descriptor.json"} at the pinned tag (the folder's README says how it was built), then rename the folder`;
}

/** Go's time.ParseDuration grammar: "0", or signed numbers each with a unit ns, us, µs, ms, s, m, h. */
export const GO_DURATION =
  /^[-+]?(0|(\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))*$/;
/** Prometheus' model.ParseDuration grammar: "0", or units y, w, d, h, m, s, ms in that order. */
export const MODEL_DURATION = /^(0|(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?)$/;

export interface ConfigFinding {
  path: string;
  message: string;
}

/**
 * A YAML config judged against the engine's reference: every key exists at the version (list items
 * under `[]`, map values under `*`, nothing judged below an `opaque` key); a Loki duration has the
 * form of its Go type; a Mimir field added after 3.0.0 is unknown to 3.0.0, a deprecated one is
 * named.
 */
export function checkEngineConfig(ref: ConfigReference, config: unknown): ConfigFinding[] {
  const out: ConfigFinding[] = [];
  const hasChildren = (p: string) => {
    for (const k of ref.keys.keys()) if (k.startsWith(`${p}.`)) return true;
    return false;
  };
  // `item`: a list item (`a.b[]`), which the references name only through its keys.
  const walk = (value: unknown, refPath: string, shown: string, item = false) => {
    const key = refPath === "" || item ? undefined : ref.keys.get(refPath);
    if (refPath !== "" && !item && !key) {
      out.push({
        path: shown,
        message: `${ref.engine} ${ref.version} has no configuration key ${shown} (../shared/reference/${ref.folder}); the engine refuses the file at load`,
      });
      return;
    }
    if (key?.kind === "opaque") return;
    if (key?.atVersion === "added-after-3.0.0")
      out.push({ path: shown, message: `${shown} was added after Mimir 3.0.0, which refuses it` });
    if (key?.category === "deprecated")
      out.push({ path: shown, message: `${shown} is deprecated in ${ref.engine} ${ref.version}` });
    if (key?.type === "duration" && typeof value === "string") {
      const go = ref.engine === "loki" ? key.goDuration : undefined;
      if (go === "time.Duration" && !GO_DURATION.test(value))
        out.push({
          path: shown,
          message: `${shown} is "${value}", but Loki reads it as a Go time.Duration (units h, m, s, ms, us, ns; no d, w or y): it refuses the file at load`,
        });
      if (go === "model.Duration" && !MODEL_DURATION.test(value))
        out.push({
          path: shown,
          message: `${shown} is "${value}", not a Prometheus duration (y, w, d, h, m, s, ms)`,
        });
    }
    if (value === null || typeof value !== "object") return;
    if (Array.isArray(value)) {
      // A list of blocks has its items' keys under `[]`; a list of scalars is one leaf.
      if (hasChildren(`${refPath}[]`))
        value.forEach((v, i) => walk(v, `${refPath}[]`, `${shown}[${i}]`, true));
      return;
    }
    if (
      key &&
      key.kind !== "block" &&
      key.kind !== "map" &&
      !key.type.includes("block") &&
      !hasChildren(refPath)
    )
      return; // a map of scalars (labels, headers) is one leaf
    for (const [k, v] of Object.entries(value)) {
      const direct = refPath === "" ? k : `${refPath}.${k}`;
      const anyKey = `${refPath}.*`;
      const next = ref.keys.has(direct) || !ref.keys.has(anyKey) ? direct : anyKey;
      walk(v, next, shown === "" ? k : `${shown}.${k}`);
    }
  };
  walk(config, "", "");
  return out;
}

/** Flags (`-name=value`) the engine does not have at the reference's version. */
export function unknownFlags(ref: ConfigReference, flags: string[]): string[] {
  return flags.filter(
    (f) => !ref.flags.has(f) && !(ref.engine === "loki" && LOKI_UNLISTED_FLAGS.includes(f)),
  );
}

/**
 * Loki flags its configuration reference does not list, read, not run, in grafana/loki through the
 * code index (that copy's tag is not named there):
 * - about the process rather than the config file: pkg/loki/config_wrapper.go
 *   `ConfigWrapper.RegisterFlags` (`version`, `verify-config`, `print-config-stderr`,
 *   `list-targets`, `log-config-reverse-order`, `config.file`, `config.expand-env`);
 * - hidden from the reference (`doc:"hidden"`): pkg/loki/loki.go `Config.RegisterFlags`
 *   registers `legacy-read-mode` (deprecated there), which the loki chart passes to read and
 *   backend pods.
 */
const LOKI_UNLISTED_FLAGS = [
  "version",
  "verify-config",
  "print-config-stderr",
  "list-targets",
  "log-config-reverse-order",
  "config.file",
  "config.expand-env",
  "legacy-read-mode",
];
