/** Helpers over parsed config values (a stack file's YAML, a chart's values): maps and paths. */

import { parseSegments, pathStep } from "@homelab-observability/contract";
import { shellWord } from "../model/running";

/** A map (a YAML mapping, a JSON object), not a list and not null. */
export const isMap = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * A plain map: {@link isMap} and no class instance (a Pulumi Output), which a walk over values the
 * program builds must leave whole (builders/chartValues.ts mergeValues replaces it, builders/
 * imageMirror.ts mirrorPinnedImages does not look inside).
 */
export const isPlainMap = (v: unknown): v is Record<string, unknown> =>
  isMap(v) && [Object.prototype, null].includes(Object.getPrototypeOf(v));

/**
 * Every leaf under `v` as a path from `prefix` (a path in the property-path grammar, {@link
 * propertyPath}): `prefix.a.b`, a key holding a dot, a bracket or a quote as `prefix["a.b"]`, so
 * the path reads back as the keys it names ({@link parseSegments}) and `pulumi config set --path`
 * sets that key. A list or an empty map is a leaf. The form the stack output `chartValueOverrides`
 * names overrides in (plan/chartValues.ts).
 */
export function leafPaths(prefix: string, v: unknown): string[] {
  return isMap(v) && Object.keys(v).length > 0
    ? Object.entries(v).flatMap(([k, x]) => leafPaths(`${prefix}${pathStep(k, 1)}`, x))
    : [prefix];
}

/**
 * A path in the property-path grammar split after its first key: `grafana` and
 * `podAnnotations["prometheus.io/scrape"]` of `grafana.podAnnotations["prometheus.io/scrape"]`
 * (a chart's `chartValues` override, {@link leafPaths}). The rest is "" for a path of one key.
 */
export function firstKeyAndRest(path: string): [string, string] {
  const [first, ...rest] = parseSegments(path);
  return [String(first ?? ""), rest.length === 0 ? "" : propertyPath(rest[0], rest.slice(1))];
}

/** The value at `path` (map keys and list indexes), or undefined where the path leaves the tree. */
export function valueAt(root: unknown, path: (string | number)[]): unknown {
  let cur: unknown = root;
  for (const p of path)
    cur = cur !== null && typeof cur === "object" ? (cur as Record<string, unknown>)[p] : undefined;
  return cur;
}

/** A key path in the Pulumi CLI's property-path grammar (sdk/go/common/resource/properties_path.go). */
export function propertyPath(name: string | number, path: (string | number)[]): string {
  return [name, ...path].map(pathStep).join("");
}

/**
 * `key` (`<namespace>:<name>`, or a name of `project`'s) as `pulumi config set` names it: the
 * project's own keys by their bare name, another namespace's with it (`kubernetes:context`).
 */
export function configKeyName(key: string, project: string): string {
  const colon = key.indexOf(":");
  return colon >= 0 && key.slice(0, colon) !== project ? key : key.slice(colon + 1);
}

/**
 * `key` at `path` as `pulumi config set --path` reads it ({@link configKeyName} in the
 * property-path grammar, {@link propertyPath}), as one shell word in single quotes (model/running.ts
 * shellWord): `[0]` is a shell pattern, and every hint shows a path the same way.
 */
export function configPathArg(key: string, path: (string | number)[], project: string): string {
  return shellWord(propertyPath(configKeyName(key, project), path), true);
}

/**
 * The command that removes `key` whole, read as one name (no `--path`): a key whose own name holds
 * dots or brackets (`loki.retention`, what `pulumi config set` writes without `--path`) is removed
 * as written, where `--path` would read it as a nested value. Quoted: `[0]` is a shell pattern.
 */
export function removeKeyCommand(key: string, project: string): string {
  return `pulumi config rm ${shellWord(configKeyName(key, project), true)}`;
}

/**
 * The command that removes the value at `path` under `key` (`--path`: the rest of the key stays),
 * quoted as {@link configPathArg} quotes it.
 */
export function removePathCommand(key: string, path: (string | number)[], project: string): string {
  return `pulumi config rm --path ${configPathArg(key, path, project)}`;
}

/**
 * The command that sets the value at `path` under `key`, in plain text or, with `secret`, as a
 * secret. A value inside a map or a list needs `--path`: without it `pulumi config set` replaces
 * the whole key (config/map.go `Map.Set`: `m[k] = v` when path is false), so the map would become
 * one string; with it the CLI reads the map (`unmarshalObject`, no decryption) and replaces that
 * one leaf (`obj.Set`). The encrypted value is not decrypted on the way (pkg/cmd/pulumi/config/config.go
 * `configSetCmd.Run` only encrypts the new one), so a broken value needs no removal first. Read in
 * pulumi/pulumi at commit 1b59498.
 */
export function setConfigCommand(
  key: string,
  path: (string | number)[],
  project: string,
  secret: boolean,
): string {
  // No value: the CLI prompts for one when none is given (`pulumi config set` synopsis: "If a value
  // is not present on the command line, pulumi will prompt for the value"), which keeps a secret out
  // of the shell's history; a `<value>` in its place would be read by the shell as a redirection.
  const set = `pulumi config set${secret ? " --secret" : ""}`;
  return path.length === 0
    ? `${set} ${shellWord(configKeyName(key, project))}`
    : `${set} --path ${configPathArg(key, path, project)}`;
}

/** The command that sets a secret again at `path` under `key` ({@link setConfigCommand}). */
export function setSecretCommand(key: string, path: (string | number)[], project: string): string {
  return setConfigCommand(key, path, project, true);
}
