import { z } from "zod";
import { PROJECT, rawSchema, redactUrl, SECRET_KEYS } from "./schema";

/*
 * Config errors: every problem names the key path, the expected form and what was found, and a
 * secret's value is never printed.
 */
/** Raised with every problem found, each naming the key path, the expected form and what was found. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `invalid stack configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n  - ${problems.join("\n  - ")}`,
    );
    this.name = "ConfigError";
  }
}

const REDACTED = Symbol("redacted secret");

function describe(value: unknown): string {
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
  const secret = (SECRET_KEYS as readonly unknown[]).includes(issue.path[0]);
  const found = secret ? REDACTED : valueAt(input, issue.path);
  const at = keyPath(issue.path);
  switch (issue.code) {
    case "unrecognized_keys": {
      const shape = knownKeysAt(issue.path);
      return issue.keys
        .map((k) => {
          const near = closest(k, shape);
          const hint = near
            ? `did you mean "${near}"?`
            : shape.length
              ? `expected one of: ${shape.join(", ")}`
              : "";
          return `${keyPath([...issue.path, k])}: unknown key${hint ? `; ${hint}` : ""}`;
        })
        .join("\n");
    }
    case "invalid_type": {
      const form = expectedForm(issue.path) ?? issue.expected;
      return found === undefined
        ? `${at}: required, expected ${form}`
        : `${at}: expected ${form}, got ${describe(found)}`;
    }
    case "invalid_enum_value":
      return `${at}: expected one of ${issue.options.join(" | ")}, got ${describe(found)}`;
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

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}

/** The known name closest to `name` (case-insensitive), when near enough to be a typo of it. */
export function closest(name: string, known: readonly string[]): string | undefined {
  let best: { k: string; d: number } | undefined;
  for (const k of known) {
    const d = distance(name.toLowerCase(), k.toLowerCase());
    if (!best || d < best.d) best = { k, d };
  }
  return best && best.d <= Math.max(1, Math.floor(name.length / 3)) ? best.k : undefined;
}

/**
 * What a key takes, in the words a user writes it: the schema's own description of the form
 * (`.describe(...)` on durations, sizes, quantities), or an enum's values.
 */
function expectedForm(path: (string | number)[]): string | undefined {
  let schema: z.ZodTypeAny | undefined = rawSchema;
  const unwrap = (x: z.ZodTypeAny): z.ZodTypeAny => {
    let cur = x;
    for (;;) {
      if (cur.description) return cur;
      if (cur instanceof z.ZodDefault || cur instanceof z.ZodOptional) cur = cur._def.innerType;
      else if (cur instanceof z.ZodEffects) cur = cur._def.schema;
      else return cur;
    }
  };
  for (const p of path) {
    schema = unwrap(schema);
    if (schema instanceof z.ZodObject) schema = schema.shape[p as string];
    else if (schema instanceof z.ZodArray) schema = schema.element;
    else return undefined;
    if (!schema) return undefined;
  }
  const leaf = unwrap(schema);
  if (leaf.description) return leaf.description;
  if (leaf instanceof z.ZodEnum) return `one of ${(leaf.options as string[]).join(" | ")}`;
  return undefined;
}
