import { z } from "zod";
import { PROJECT, rawSchema, redactUrl, SECRET_KEYS } from "./schema";

/*
 * Config errors: every problem names the key path, the expected form and what was found, and a
 * secret's value is never printed.
 */
/** Raised with every problem found, each naming the key path, the expected form and what was found. */
export class ConfigError extends Error {
  constructor(
    readonly problems: string[],
    /** What the list leaves out or where it came from (e.g. the Pulumi CLI's own first error). */
    readonly notes: string[] = [],
  ) {
    super(
      `invalid stack configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n  - ${problems.join("\n  - ")}` +
        notes.map((n) => `\n${n}`).join(""),
    );
    this.name = "ConfigError";
  }
}

/** Stands for a secret's value in messages. */
export const REDACTED = Symbol("redacted secret");

/** What was found, for a message: a secret's value never. */
export function describe(value: unknown): string {
  if (value === REDACTED) return "a secret value (not shown)";
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  return `${typeof value} ${JSON.stringify(typeof value === "string" ? redactUrl(value) : value)}`;
}

function valueAt(root: unknown, path: (string | number)[]): unknown {
  let cur: any = root;
  for (const p of path) cur = cur === undefined || cur === null ? undefined : cur[p];
  return cur;
}

function keyPath(path: (string | number)[]): string {
  return (
    `${PROJECT}:` + path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("")
  );
}

export function formatIssue(issue: z.ZodIssue, input: unknown): string {
  // A secret's value is never printed, whatever is wrong with it.
  // A credential where it does not belong (a receiver's, config/receivers.ts) is flagged by its issue.
  const secret =
    (SECRET_KEYS as readonly unknown[]).includes(issue.path[0]) ||
    (issue.code === "custom" && issue.params?.secret === true);
  const found = secret ? REDACTED : valueAt(input, issue.path);
  const at = keyPath(issue.path);
  switch (issue.code) {
    case "unrecognized_keys": {
      const shape = knownKeysAt(issue.path);
      // The closest known key when one is close; the whole list only when it is short.
      const listed =
        shape.length > 0 && shape.length <= 8
          ? `; expected one of: ${shape.join(", ")}`
          : shape.length > 8
            ? " (every key: docs/reference/configuration.md)"
            : "";
      return issue.keys
        .map((k) => {
          const near = didYouMean(k, shape);
          return `${keyPath([...issue.path, k])}: unknown key${near || listed}`;
        })
        .join("\n");
    }
    case "invalid_type":
      return found === undefined
        ? `${at}: required, expected ${expectedForm(issue.path, issue.expected)}, got nothing`
        : `${at}: expected ${expectedForm(issue.path, issue.expected, found)}, got ${describe(found)}`;
    case "invalid_enum_value":
      return `${at}: expected one of ${issue.options.join(" | ")}, got ${describe(found)}${
        typeof found === "string" ? didYouMean(found, issue.options.map(String)) : ""
      }`;
    case "invalid_literal":
      return `${at}: expected ${JSON.stringify(issue.expected)}, got ${describe(found)}`;
    case "invalid_union_discriminator":
      return `${at}: expected one of ${issue.options.map(String).join(" | ")}, got ${describe(found)}`;
    case "too_small":
      return `${at}: expected ${issue.type === "array" ? "at least" : "a value >="} ${issue.minimum}${
        issue.type === "array" ? " entries" : ""
      }, got ${describe(found)}`;
    case "too_big":
      return `${at}: expected a value <= ${issue.maximum}, got ${describe(found)}`;
    default:
      return `${at}: ${issue.message}, got ${describe(found)}`;
  }
}

/** The schema of one key path, unwrapped of defaults and optionality (undefined when unknown). */
export function schemaAt(path: (string | number)[]): z.ZodTypeAny | undefined {
  let schema: z.ZodTypeAny | undefined = rawSchema;
  const unwrap = (t: z.ZodTypeAny) => {
    while (t instanceof z.ZodDefault || t instanceof z.ZodOptional) t = t._def.innerType;
    return t;
  };
  for (const p of path) {
    schema = unwrap(schema);
    // A union of objects (objectStore): the first variant that has the key.
    if (schema instanceof z.ZodDiscriminatedUnion)
      schema = (schema.options as z.ZodObject<z.ZodRawShape>[]).find((o) => p in o.shape) ?? schema;
    if (schema instanceof z.ZodObject) schema = (schema.shape as Record<string, z.ZodTypeAny>)[p as string];
    else if (schema instanceof z.ZodArray) schema = schema.element as z.ZodTypeAny;
    else return undefined;
    if (!schema) return undefined;
  }
  return unwrap(schema);
}

/**
 * The form a key expects, with an example where the schema has one: an enum's values, a refined
 * string's own description (a duration "like \"7d\"", asked of the schema with the value as text),
 * or the plain type. `found` is the wrong value, when there is one.
 */
export function expectedForm(path: (string | number)[], zodType: string, found?: unknown): string {
  let schema = schemaAt(path);
  // Nothing given: the key's own check of empty text names the form (its reason, about "", dropped).
  if (schema && found === undefined && zodType === "string") {
    const m = schema.safeParse("").error?.issues.find((i) => i.code === "custom")?.message;
    if (m?.startsWith("expected ")) return m.slice("expected ".length).replace(/ \(it [^()]*\)$/, "");
  }
  // A number where text is wanted: what the key's own check says of it as text names the form.
  const scalar =
    typeof found === "number" || typeof found === "boolean" || typeof found === "string"
      ? String(found)
      : undefined;
  if (schema && scalar !== undefined) {
    const asText = schema.safeParse(scalar);
    if (!asText.success) {
      const m = asText.error.issues.find((i) => i.code === "custom")?.message;
      if (m?.startsWith("expected ")) return m.slice("expected ".length);
    } else if (typeof found !== "string" && zodType === "string") return `text (quote it: "${scalar}")`;
  }
  while (schema instanceof z.ZodEffects) schema = schema._def.schema as z.ZodTypeAny;
  if (schema instanceof z.ZodEnum) return `one of ${(schema.options as string[]).join(" | ")}`;
  if (schema instanceof z.ZodBoolean) return "true or false";
  if (schema instanceof z.ZodNumber) return "a number, like 3";
  if (schema instanceof z.ZodArray) return "a list (YAML: one `- item` per line)";
  if (schema instanceof z.ZodObject || schema instanceof z.ZodDiscriminatedUnion)
    return "an object (YAML: `key: value` lines; every key: docs/reference/configuration.md)";
  return zodType === "string" ? "text" : zodType;
}

/** Known keys at a path, for "did you mean" style messages on typos. */
function knownKeysAt(path: (string | number)[]): string[] {
  let schema: z.ZodTypeAny = rawSchema;
  for (const p of path) {
    while (schema instanceof z.ZodDefault || schema instanceof z.ZodOptional) schema = schema._def.innerType;
    if (schema instanceof z.ZodObject) schema = schema.shape[p as string];
    else if (schema instanceof z.ZodArray) schema = schema.element;
    else return [];
    if (!schema) return [];
  }
  while (schema instanceof z.ZodDefault || schema instanceof z.ZodOptional) schema = schema._def.innerType;
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

/**
 * Edit distance between two names, case-insensitive: insertions, deletions, substitutions and
 * swaps of two neighbouring letters (amd46 is one step from amd64).
 */
function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  const d: number[][] = Array.from({ length: x.length + 1 }, (_, i) =>
    Array.from({ length: y.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= x.length; i++)
    for (let j = 1; j <= y.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[x.length][y.length];
}

/**
 * The known name closest to a mistyped one, when it is close enough to be the likely intent (at
 * most a third of its letters differ, or one contains the other); undefined otherwise, so a
 * "did you mean" is never a wild guess.
 */
export function closestMatch(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = editDistance(name, k);
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  if (best === undefined) return undefined;
  const contains =
    name.length >= 3 &&
    (best.toLowerCase().includes(name.toLowerCase()) || name.toLowerCase().includes(best.toLowerCase()));
  return bestDistance <= Math.max(1, Math.floor(Math.max(name.length, best.length) / 3)) || contains
    ? best
    : undefined;
}

/** "; did you mean X?" for a mistyped name, or "" when nothing is close. */
export function didYouMean(name: string, known: readonly string[], quote = (s: string) => `"${s}"`): string {
  const m = closestMatch(name, known);
  return m ? `; did you mean ${quote(m)}?` : "";
}
