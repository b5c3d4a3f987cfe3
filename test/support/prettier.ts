/**
 * Prettier's verdicts for the documentation and pin tests, kept with the test fixtures
 * (test/support/fixtureCache.ts cached) under a key of prettier's version, the options and the
 * text: the same text formats alike, so a warm run formats no text it formatted before (the
 * generated reference tables are most of a 200 KB document). `HOMELAB_TEST_CACHE=off` asks prettier
 * every time.
 */
import * as crypto from "crypto";
import type { Options } from "prettier";
import { cached } from "./fixtureCache";

async function remembered<T>(what: "format" | "check", text: string, options: Options): Promise<T> {
  const prettier = await import("prettier");
  const key = crypto
    .createHash("sha256")
    .update([what, prettier.version, JSON.stringify(options), text].join("\0"))
    .digest("hex");
  return cached("prettier", key, () =>
    what === "format"
      ? (prettier.format(text, options) as Promise<T>)
      : (prettier.check(text, options) as Promise<T>),
  );
}

/** `prettier.format(text, options)`, remembered. */
export function formatted(text: string, options: Options): Promise<string> {
  return remembered<string>("format", text, options);
}

/** `prettier.check(text, options)`, remembered. */
export function prettierAccepts(text: string, options: Options): Promise<boolean> {
  return remembered<boolean>("check", text, options);
}
