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
      const expected = shape.length ? `; expected one of: ${shape.join(", ")}` : "";
      return issue.keys
        .map((k) => `${keyPath([...issue.path, k])}: unknown key (a typo?)${expected}`)
        .join("\n");
    }
    case "invalid_type":
      return found === undefined
        ? `${at}: required, expected ${issue.expected}`
        : `${at}: expected ${issue.expected}, got ${describe(found)}`;
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

/** Edit distance (insertions, deletions, substitutions) between two names, case-insensitive. */
function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++)
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[y.length];
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
