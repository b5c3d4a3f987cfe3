import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { SecretItemError } from "../builders/secrets/secrets";

/**
 * What a command prints for an error it did not expect (a bug, or input nothing checked): one line, the
 * error's first line and where its full trace went. The trace goes to a file in the temporary
 * folder, named on that line; with `HOMELAB_DEBUG=1` it is printed instead. Bad input (arguments,
 * config, stack files) has its own messages and never comes here.
 */
export function internalErrorText(
  cli: string,
  e: unknown,
  debug: boolean = process.env.HOMELAB_DEBUG === "1",
  dir: string = os.tmpdir(),
): string {
  const trace = e instanceof Error ? (e.stack ?? `${e.name}: ${e.message}`) : String(e);
  const head = `${cli}: unexpected error (please report it):`;
  if (debug) return `${head} ${trace}`;
  const first = (e instanceof Error ? `${e.name}: ${unwrapped(e.message)}` : String(e)).split("\n")[0];
  let where: string;
  try {
    const file = path.join(dir, `homelab-observability-${cli.replace(/[^\w-]+/g, "-")}-${process.pid}.trace`);
    fs.writeFileSync(file, `${trace}\n`);
    where = `full trace in ${file}; HOMELAB_DEBUG=1 prints it here`;
  } catch {
    where = "HOMELAB_DEBUG=1 prints the full trace";
  }
  return `${head} ${first} (${where})`;
}

/** The prefixes the Pulumi SDK puts before an error raised while it serializes a resource's inputs. */
const SERIALIZING = /^(?:error serializing property "[^"]*": )+/;

/**
 * An error raised inside an Output's apply reaches the command with one `error serializing property
 * "<key>": ` per level of the inputs it was in (@pulumi/pulumi runtime/rpc.js), a level often said
 * twice, which hides the error's own words at the end of a long line: they come first, then the
 * inputs' path once.
 */
export function unwrapped(message: string): string {
  const prefix = SERIALIZING.exec(message)?.[0];
  if (!prefix) return message;
  const keys = [...prefix.matchAll(/"([^"]*)"/g)].map((m) => m[1]).filter((k, i, all) => k !== all[i - 1]);
  return `${message.slice(prefix.length)} (raised while serializing the input ${keys.join(".")})`;
}

/**
 * An error that reaches a command from inside the program but is the operator's input to correct,
 * not a bug: its one line for stderr (`<stack>: …`) and the stack's closing reason (exit 2, as for
 * bad input). Today: a 1Password item the stack reads that is missing, several items of its
 * title, a vault not found, or an item without a field the stack reads, raised inside an Output
 * (builders/secrets/secrets.ts SecretItemError, whose message the SDK's wrapping leaves as written;
 * under `pulumi preview` the SDK prints it alone, as a RunError).
 */
export function inputFailure(stack: string, e: unknown): { text: string; reason: string } | undefined {
  if (e instanceof SecretItemError)
    return { text: `${stack}: ${e.detail}`, reason: "a secret the stack reads is missing (above)" };
  return undefined;
}
