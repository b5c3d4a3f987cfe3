/** Helpers over parsed config values (a stack file's YAML, a chart's values): maps and paths. */

/** A map (a YAML mapping, a JSON object), not a list and not null. */
export const isMap = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** The value at `path` (map keys and list indexes), or undefined where the path leaves the tree. */
export function valueAt(root: unknown, path: (string | number)[]): unknown {
  let cur: unknown = root;
  for (const p of path)
    cur = cur !== null && typeof cur === "object" ? (cur as Record<string, unknown>)[p] : undefined;
  return cur;
}

/** A key path in the Pulumi CLI's property-path grammar (sdk/go/common/resource/properties_path.go). */
export function propertyPath(name: string, path: (string | number)[]): string {
  const plain = (k: string) => k !== "" && !/[.[\]"]/.test(k);
  const seg = (k: string | number, i: number) =>
    typeof k === "number"
      ? `[${k}]`
      : plain(k)
        ? `${i === 0 ? "" : "."}${k}`
        : `["${k.replace(/"/g, '\\"')}"]`;
  return [name, ...path].map(seg).join("");
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
 * property-path grammar, {@link propertyPath}), escaped to stand inside single quotes in a shell.
 */
export function configPathArg(key: string, path: (string | number)[], project: string): string {
  return propertyPath(configKeyName(key, project), path).replace(/'/g, "'\\''");
}
