/**
 * `npm run refresh-reference -- <component> <path-to-upstream-checkout> [--tag T] [--commit C] [--out DIR]`:
 * rebuilds one component's reference data from a checkout of its repository at the pinned tag and
 * writes it to upstream/<area>/data/<component>-<version>/ (or `--out`). A version bump is: check
 * out the new tag, run this, review the data's diff, point the reading module at the new folder.
 *
 * The tag and commit come from the checkout's git HEAD (`git describe --tags --exact-match`); a
 * checkout without git (a `git archive` extracted) names them with `--tag` and `--commit`.
 */
import * as fs from "fs";
import * as path from "path";
import { projectRoot } from "../reference";
import { refreshAlloy } from "./alloy";
import { refreshLoki } from "./loki";
import { refreshMimir } from "./mimir";
import { garageBinaryTag, refreshGarage } from "./garage";
import { gitSource, type Refreshed, type RefreshIo, type Source } from "./source";

/** Each component the data is refreshed for, and the repository its checkout must be of. */
export const REFRESHERS: Record<
  string,
  { repository: string; refresh: (checkout: string, source: Source) => Refreshed }
> = {
  alloy: { repository: "grafana/alloy", refresh: refreshAlloy },
  loki: { repository: "grafana/loki", refresh: refreshLoki },
  mimir: { repository: "grafana/mimir", refresh: refreshMimir },
  // A checkout of Deuxfleurs/garage, or the pinned release's binary (upstream/refresh/garage.ts).
  garage: { repository: "Deuxfleurs/garage", refresh: refreshGarage },
};

const USAGE = `usage: npm run refresh-reference -- <${Object.keys(REFRESHERS).join("|")}> <path-to-upstream-checkout> [--tag <tag>] [--commit <sha>] [--out <dir>]`;

export interface RefreshResult {
  dir: string;
  files: string[];
}

/** Parses the arguments, refreshes and writes; throws an Error whose message is for the user. */
export function refreshReference(argv: string[]): RefreshResult {
  const positional: string[] = [];
  const opts: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--tag" || a === "--commit" || a === "--out") {
      if (argv[i + 1] === undefined) throw new Error(`${a}: expected a value after it\n${USAGE}`);
      opts[a.slice(2)] = argv[++i];
    } else if (a.startsWith("-"))
      throw new Error(
        // The options are few: naming them all serves as well as a closest match (upstream/ imports
        // only the contract, not config/errors.ts).
        `${a}: no such option (the options: --tag, --commit, --out, --help)\n${USAGE}`,
      );
    else positional.push(a);
  }
  const [component, checkout] = positional;
  const refresher = REFRESHERS[component];
  if (!refresher || !checkout || positional.length > 2)
    throw new Error(
      `${component === undefined || refresher ? "expected a component and a checkout" : `"${component}" is not a component with reference data`}, got ${JSON.stringify(positional)}\n${USAGE}`,
    );
  // Garage's document also comes from the release's own binary, which names its version.
  const binary = component === "garage" && fs.existsSync(checkout) && fs.statSync(checkout).isFile();
  if (!binary && (!fs.existsSync(checkout) || !fs.statSync(checkout).isDirectory()))
    throw new Error(
      `${checkout}: expected a checkout of ${refresher.repository} (a directory), found nothing there`,
    );
  const fromGit = binary ? { tag: garageBinaryTag(checkout) ?? "" } : gitSource(checkout);
  const tag = opts.tag ?? (fromGit?.tag || undefined);
  if (!tag)
    throw new Error(
      `${checkout}: its HEAD carries no tag (or it is no git checkout); name the tag of ${refresher.repository} it holds with --tag`,
    );
  const commit =
    opts.commit ?? (opts.tag === undefined && fromGit && "commit" in fromGit ? fromGit.commit : undefined);
  const out = refresher.refresh(checkout, { tag, ...(commit ? { commit } : {}) });
  const dir = opts.out ?? path.join(projectRoot(), "upstream", out.area, "data", out.folder);
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(out.files)) fs.writeFileSync(path.join(dir, name), text);
  return { dir, files: Object.keys(out.files) };
}

/**
 * The command: its arguments and output streams in, its exit status out (the process wrapper below
 * exits with it, `process` as the streams).
 */
export function main(argv: string[], io: RefreshIo): number {
  // --help anywhere is a request for the usage, not an option to refuse.
  if (argv.some((a) => a === "--help" || a === "-h")) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  try {
    const r = refreshReference(argv);
    for (const f of r.files) io.stdout.write(`wrote ${path.join(r.dir, f)}\n`);
    io.stdout.write(
      "review the diff (git diff upstream/), then point the reading module at the folder if it is new\n",
    );
    return 0;
  } catch (e) {
    io.stderr.write(`refresh-reference: ${(e as Error).message}\n`);
    return 2;
  }
}

// The exit status set, not process.exit: the output written to a pipe is flushed first wherever
// Node writes pipes asynchronously.
if (require.main === module) process.exitCode = main(process.argv.slice(2), process);
