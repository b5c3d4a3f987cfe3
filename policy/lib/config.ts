import type { EnforcementLevel, PolicyConfigSchema } from "@pulumi/policy";
import { TAINT_EFFECTS } from "@homelab-observability/contract";

/**
 * Policy config with the schema's defaults filled in (the engine and the offline checker alike).
 * A setting is the user's in place of its default, but for the `additive` ones, which add to the
 * built-in knowledge instead: a list gets the user's entries after the defaults, a map the user's
 * keys over the defaults' (a key the user gives replaces that one entry). Without this, naming one
 * more image would drop every built-in one.
 */
export function configOf<T extends object>(
  args: { getConfig<C extends object>(): C },
  defaults: T,
  additive: readonly (keyof T)[] = [],
): T {
  const given = givenConfig<Partial<T>>(args);
  const out: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  for (const [k, v] of Object.entries(given)) {
    if (v === undefined) continue;
    out[k] = additive.includes(k as keyof T) ? added((defaults as Record<string, unknown>)[k], v) : v;
  }
  return out as T;
}

/** The policy's settings as the config gives them, without defaults; {} when it gives none. */
export function givenConfig<T extends object>(args: { getConfig<C extends object>(): C }): T {
  try {
    return args.getConfig<T>() ?? ({} as T);
  } catch {
    return {} as T;
  }
}

/** A user's list or map added to the default one; anything else (a wrong shape) is the user's. */
function added(def: unknown, given: unknown): unknown {
  if (Array.isArray(def) && Array.isArray(given)) return [...new Set([...def, ...given])];
  const isMap = (x: unknown) => !!x && typeof x === "object" && !Array.isArray(x);
  if (isMap(def) && isMap(given)) return { ...(def as object), ...(given as object) };
  return given;
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
    const open = openParts(properties[k], k);
    if (open.length > 0)
      throw new Error(
        `schemaFor: ${open.join(", ")} ${open.length > 1 ? "take" : "takes"} anything; give ${open.length > 1 ? "their" : "its"} items or keys in types`,
      );
  }
  return { properties };
}

/**
 * The lists without `items` and the maps without `additionalProperties` in `schema`, by their
 * place (`piNodeTaints[]`). The engine validates only what a schema states: an item left open
 * took a misspelt key silently (`{key, efect}`, a taint without its effect, then read as one that
 * keeps every pod off the Pi nodes), and an open map any key at all.
 */
function openParts(schema: Record<string, any>, at: string): string[] {
  const types: unknown[] = Array.isArray(schema.type) ? schema.type : [schema.type];
  const open: string[] = [];
  if (types.includes("array")) {
    if (!schema.items) open.push(`${at}[]`);
    else open.push(...openParts(schema.items, `${at}[]`));
  }
  if (types.includes("object") || schema.properties) {
    if (schema.additionalProperties === undefined) open.push(at);
    else if (typeof schema.additionalProperties === "object")
      open.push(...openParts(schema.additionalProperties, `${at}.*`));
    for (const [k, s] of Object.entries<Record<string, any>>(schema.properties ?? {}))
      open.push(...openParts(s, `${at}.${k}`));
  }
  return open;
}

/** A Kubernetes taint (core/v1 Taint) as a setting takes it: a key, an optional value, an effect. */
export const TAINT_SCHEMA = {
  type: "object",
  required: ["key", "effect"],
  additionalProperties: false,
  properties: {
    key: { type: "string", minLength: 1 },
    value: { type: "string" },
    effect: { enum: [...TAINT_EFFECTS] },
  },
};

/** Node labels as a setting takes them: a label's value is a string (core/v1 ObjectMeta labels). */
export const LABELS_SCHEMA = { type: "object", additionalProperties: { type: "string" } };

export type Level = EnforcementLevel;
