import type { z } from "zod";

/*
 * What an unknown key of one map says beyond "unknown key", where the map knows better than a
 * closest key (config/errors.ts reads it): chartValues takes chart names, and a release's name
 * there names the chart it is a release of. Kept apart from errors.ts so a schema module can
 * register its map without importing the module that imports the schema.
 */
const hints = new WeakMap<object, (key: string) => string | undefined>();

/**
 * `schema` with `hint` for its unknown keys: the text after "unknown key" (`; did you mean ...`, or
 * `, expected ...`), or undefined to leave the key to the closest-key search.
 */
export function withUnknownKeyHint<T extends z.ZodTypeAny>(
  schema: T,
  hint: (key: string) => string | undefined,
): T {
  hints.set(schema, hint);
  return schema;
}

/** The hint `schema` registered for its unknown `key`, if any. */
export function unknownKeyHint(schema: z.ZodTypeAny | undefined, key: string): string | undefined {
  return schema ? hints.get(schema)?.(key) : undefined;
}
