import type { EnforcementLevel, PolicyConfigSchema } from "@pulumi/policy";

/** Policy config with the schema's defaults filled in (the engine and the offline checker alike). */
export function configOf<T extends object>(args: { getConfig<C extends object>(): C }, defaults: T): T {
  let given: Partial<T> = {};
  try {
    given = args.getConfig<Partial<T>>() ?? {};
  } catch {
    given = {};
  }
  return {
    ...defaults,
    ...Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)),
  };
}

/**
 * A config schema whose `default`s are exactly `defaults`. The engine validates
 * `--policy-pack-config` against it with JSON Schema (pulumi pkg/resource/analyzer/config.go
 * validatePolicyConfig), so a key whose default is null states its real type in `types`:
 * `{type: "null"}` would reject every value a user gives.
 */
export function schemaFor(
  defaults: Record<string, unknown>,
  descriptions: Record<string, string>,
  types: Record<string, Record<string, unknown>> = {},
): PolicyConfigSchema {
  const properties: Record<string, any> = {};
  for (const [k, v] of Object.entries(defaults)) {
    if (v === null && !types[k])
      throw new Error(`schemaFor: "${k}" defaults to null; give its type in types`);
    const type = Array.isArray(v) ? "array" : typeof v === "object" ? "object" : typeof v;
    properties[k] = { type, ...types[k], default: v, description: descriptions[k] ?? k };
  }
  return { properties };
}

export type Level = EnforcementLevel;
