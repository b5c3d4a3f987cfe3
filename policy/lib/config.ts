import type { EnforcementLevel, PolicyConfigSchema } from "@pulumi/policy";

/** Policy config with the schema's defaults filled in (the engine and the offline checker alike). */
export function configOf<T extends object>(args: { getConfig<C extends object>(): C }, defaults: T): T {
  let given: Partial<T> = {};
  try {
    given = (args.getConfig<Partial<T>>() ?? {}) as Partial<T>;
  } catch {
    given = {};
  }
  return {
    ...defaults,
    ...Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)),
  } as T;
}

/** A config schema whose `default`s are exactly `defaults`. */
export function schemaFor(
  defaults: Record<string, unknown>,
  descriptions: Record<string, string>,
): PolicyConfigSchema {
  const properties: Record<string, any> = {};
  for (const [k, v] of Object.entries(defaults)) {
    const type = Array.isArray(v)
      ? "array"
      : v === null
        ? "null"
        : typeof v === "object"
          ? "object"
          : typeof v;
    properties[k] = { type, default: v, description: descriptions[k] ?? k };
  }
  return { properties };
}

export type Level = EnforcementLevel;
