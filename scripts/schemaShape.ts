import { z } from "zod";

/**
 * What the configuration reference says about one key beyond its JSDoc, read from the zod schema
 * at run time (config/schema.ts): its type, whether it must be set, its default and the values or
 * form it accepts. The form of a refined string is the schema's own error message, so the
 * reference and the error a user sees say the same thing.
 */
export interface KeyShape {
  type: string;
  /** Must be set where its parent is (no default, not optional). */
  required: boolean;
  /** The schema's default as JSON, when it has one. */
  default?: string;
  /** Allowed values (enums, literals) or the accepted form. */
  allowed?: string;
}

interface Unwrapped {
  inner: z.ZodTypeAny;
  /** The schema with its refinements, without optional/default wrappers (what probing parses). */
  refined: z.ZodTypeAny;
  optional: boolean;
  default?: unknown;
}

function unwrap(s: z.ZodTypeAny): Unwrapped {
  let optional = false;
  let dflt: unknown;
  let refined = s;
  for (;;) {
    if (s instanceof z.ZodOptional || s instanceof z.ZodNullable) {
      optional = true;
      s = s._def.innerType;
      refined = s;
    } else if (s instanceof z.ZodDefault) {
      dflt = s._def.defaultValue();
      s = s._def.innerType;
      refined = s;
    } else if (s instanceof z.ZodEffects) s = s._def.schema;
    else break;
  }
  return { inner: s, refined, optional, ...(dflt !== undefined && { default: dflt }) };
}

/** The schema's own message for a value of the right type that it refuses, when it explains the form. */
function formOf(refined: z.ZodTypeAny, probe: unknown): string | undefined {
  const r = refined.safeParse(probe);
  if (r.success) return undefined;
  const m = r.error.issues[0]?.message ?? "";
  return /^expected /.test(m)
    ? m.replace(/^expected /, "").replace(/\s*\((it|got)[^)]*\)\s*$/, "")
    : undefined;
}

/**
 * Whether a key whose type is text takes a YAML number too: a schema that turns a number into text
 * before it checks it (`cpu: 4`, config/schema.ts quantity), asked of the schema itself, since a
 * preprocess step cannot be read. A number refused as no text is an `invalid_type` at the key.
 */
function takesNumber(refined: z.ZodTypeAny): boolean {
  const r = refined.safeParse(1);
  return r.success || !r.error.issues.some((i) => i.code === "invalid_type" && i.path.length === 0);
}

function typeName(s: z.ZodTypeAny): string {
  const { inner, refined } = unwrap(s);
  if (inner instanceof z.ZodString) return takesNumber(refined) ? "string or number" : "string";
  if (inner instanceof z.ZodNumber)
    return inner._def.checks.some((c) => c.kind === "int") ? "integer" : "number";
  if (inner instanceof z.ZodBoolean) return "boolean";
  if (inner instanceof z.ZodEnum || inner instanceof z.ZodLiteral) return "string";
  if (inner instanceof z.ZodArray) return `list of ${typeName(inner._def.type)}`;
  if (inner instanceof z.ZodRecord) return `map of ${typeName(inner._def.valueType)}`;
  if (inner instanceof z.ZodObject || inner instanceof z.ZodDiscriminatedUnion) return "object";
  if (inner instanceof z.ZodUnion)
    return [...new Set((inner._def.options as z.ZodTypeAny[]).map(typeName))].join(" or ");
  return "value";
}

function allowedOf(s: z.ZodTypeAny): string | undefined {
  const { inner, refined } = unwrap(s);
  if (inner instanceof z.ZodEnum) return (inner._def.values as string[]).join(" \\| ");
  if (inner instanceof z.ZodLiteral) return JSON.stringify(inner._def.value);
  if (inner instanceof z.ZodDiscriminatedUnion)
    return `${inner._def.discriminator}: ${[...(inner._def.optionsMap as Map<unknown, unknown>).keys()].join(" \\| ")}`;
  if (inner instanceof z.ZodNumber) {
    const parts: string[] = [];
    for (const c of inner._def.checks)
      // positive() and negative() are exclusive bounds (`inclusive: false`): 0 itself is refused.
      if (c.kind === "min") parts.push(`${c.inclusive ? "at least" : "above"} ${c.value}`);
      else if (c.kind === "max") parts.push(`${c.inclusive ? "at most" : "below"} ${c.value}`);
    return parts.length ? parts.join(", ") : undefined;
  }
  if (inner instanceof z.ZodString) {
    const form = formOf(refined, "Not a valid value!") ?? formOf(refined, "");
    if (form) return form;
    return inner._def.checks.some((c) => c.kind === "min" && c.value > 0) ? "non-empty" : undefined;
  }
  if (inner instanceof z.ZodArray) {
    const el = allowedOf(inner._def.type);
    const min = inner._def.minLength?.value;
    const parts = [...(min ? [`at least ${min}`] : []), ...(el ? [`each: ${el}`] : [])];
    return parts.length ? parts.join(", ") : undefined;
  }
  if (inner instanceof z.ZodRecord) {
    const el = allowedOf(inner._def.valueType);
    return el ? `each value: ${el}` : undefined;
  }
  if (inner instanceof z.ZodUnion) {
    // Each form the key takes (`"all"`, or a list of names): a literal as itself, else its type
    // with its own form.
    const forms = (inner._def.options as z.ZodTypeAny[]).map((o) => {
      const { inner: member } = unwrap(o);
      const el = allowedOf(o);
      if (member instanceof z.ZodLiteral || member instanceof z.ZodEnum) return el!;
      return el ? `${typeName(o)} (${el})` : typeName(o);
    });
    return forms.join(" or ");
  }
  return undefined;
}

/** The object schemas a key's value may be (one, or a discriminated union's options). */
function objectsIn(s: z.ZodTypeAny, variant: string): z.AnyZodObject[] {
  const { inner } = unwrap(s);
  if (inner instanceof z.ZodObject) return [inner];
  if (inner instanceof z.ZodArray || inner instanceof z.ZodRecord)
    return objectsIn(inner instanceof z.ZodArray ? inner._def.type : inner._def.valueType, variant);
  if (inner instanceof z.ZodDiscriminatedUnion) {
    const options = inner._def.options as z.AnyZodObject[];
    const d = inner._def.discriminator as string;
    const match = options.filter(
      (o) => variant && String(unwrap(o.shape[d]).inner._def.value).startsWith(variant),
    );
    return match.length ? match : options;
  }
  return [];
}

/** The schema of a dotted key (`loki.mode`, `objectStore.endpoint (minio)`) inside `root`. */
export function schemaAt(root: z.AnyZodObject, key: string): z.ZodTypeAny | undefined {
  const variant = / \(([^)]+)\)$/.exec(key)?.[1] ?? "";
  const parts = key.replace(/ \([^)]+\)$/, "").split(".");
  let here: z.ZodTypeAny | undefined = root;
  for (const p of parts) {
    const holder: z.AnyZodObject | undefined = objectsIn(here, variant).find((o) => p in o.shape);
    here = holder?.shape[p];
    if (!here) return undefined;
  }
  return here;
}

/**
 * Every key path of `root` as the reference names them: nested objects' keys dotted, a list's or a
 * map's members under the key itself, a discriminated union's members with their variant
 * (`objectStore.endpoint (minio)`).
 */
export function schemaKeys(root: z.ZodTypeAny, prefix = "", variant = ""): string[] {
  const { inner } = unwrap(root);
  const options =
    inner instanceof z.ZodDiscriminatedUnion
      ? (inner._def.options as z.AnyZodObject[]).map((o) => ({
          o,
          v: String(unwrap(o.shape[inner._def.discriminator as string]).inner._def.value),
        }))
      : objectsIn(root, variant).map((o) => ({ o, v: variant }));
  return options.flatMap(({ o, v }) =>
    Object.entries(o.shape as Record<string, z.ZodTypeAny>).flatMap(([k, s]) => [
      v ? `${prefix}${k} (${v})` : `${prefix}${k}`,
      ...schemaKeys(s, `${prefix}${k}.`, v),
    ]),
  );
}

/** Type, required, default and allowed values of one key. */
export function shapeOf(s: z.ZodTypeAny): KeyShape {
  const u = unwrap(s);
  const allowed = allowedOf(s);
  return {
    type: typeName(s),
    required: !u.optional && u.default === undefined,
    ...(u.default !== undefined && { default: JSON.stringify(u.default) }),
    ...(allowed && { allowed }),
  };
}

/** A one-line summary of an object key's members, for Pulumi.yaml: `{a, b, c}` or `{type: x, a} | {type: y}`. */
export function membersOf(s: z.ZodTypeAny): string | undefined {
  const { inner } = unwrap(s);
  const list = (o: z.AnyZodObject, skip?: string) => Object.keys(o.shape).filter((k) => k !== skip);
  if (inner instanceof z.ZodObject) return `{${list(inner).join(", ")}}`;
  if (inner instanceof z.ZodArray) {
    const el = membersOf(inner._def.type);
    return el ? `a list of ${el}` : undefined;
  }
  if (inner instanceof z.ZodDiscriminatedUnion) {
    const d = inner._def.discriminator as string;
    return (inner._def.options as z.AnyZodObject[])
      .map((o) => {
        const rest = list(o, d);
        return `{${[`${d}: ${unwrap(o.shape[d]).inner._def.value}`, ...rest].join(", ")}}`;
      })
      .join(" | ");
  }
  return undefined;
}
