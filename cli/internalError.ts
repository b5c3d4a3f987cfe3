import * as fs from "fs";
import * as os from "os";
import * as path from "path";

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
  const first = (e instanceof Error ? `${e.name}: ${e.message}` : String(e)).split("\n")[0];
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
