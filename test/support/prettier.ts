/**
 * Prettier's verdicts for the documentation and pin tests, kept with the test fixtures
 * (cli/suiteTimings.ts TEST_CACHE_DIR) under a key of prettier's version, the options and the
 * text: the same text formats alike, so a warm run formats no text it formatted before (the
 * generated reference tables are most of a 200 KB document). `HOMELAB_TEST_CACHE=off` asks prettier
 * every time.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import type { Options } from "prettier";
import { TEST_CACHE_DIR } from "../../cli/suiteTimings";

async function remembered(what: "format" | "check", text: string, options: Options): Promise<string> {
  const prettier = await import("prettier");
  const ask = async () =>
    what === "format" ? prettier.format(text, options) : String(await prettier.check(text, options));
  if (process.env.HOMELAB_TEST_CACHE === "off") return ask();
  const key = crypto
    .createHash("sha256")
    .update([what, prettier.version, JSON.stringify(options), text].join("\0"))
    .digest("hex");
  const entry = path.join(TEST_CACHE_DIR, "prettier", `${key}.txt`);
  try {
    return fs.readFileSync(entry, "utf8");
  } catch {
    // Absent: ask prettier.
  }
  const answer = await ask();
  fs.mkdirSync(path.dirname(entry), { recursive: true });
  const tmp = `${entry}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, answer);
  fs.renameSync(tmp, entry);
  return answer;
}

/** `prettier.format(text, options)`, remembered. */
export function formatted(text: string, options: Options): Promise<string> {
  return remembered("format", text, options);
}

/** `prettier.check(text, options)`, remembered. */
export async function prettierAccepts(text: string, options: Options): Promise<boolean> {
  return (await remembered("check", text, options)) === "true";
}
