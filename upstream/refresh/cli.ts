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
import { refreshPrometheusOperator } from "./prometheusOperator";
import { nodeExporterCheckoutModules, refreshNodeExporter } from "./nodeExporter";
import { ensureModule, type GoModule } from "./goModule";
import { garageBinaryTag, refreshGarage } from "./garage";
import { gitSource, type Refreshed, type RefreshIo, type Source } from "./source";
import { closingLine, parseRefreshArgs } from "./args";

/** Each component the data is refreshed for, and the repository its checkout must be of. */
export const REFRESHERS: Record<
  string,
  {
    repository: string;
    refresh: (checkout: string, source: Source) => Refreshed;
    /** The Go modules the refresh reads beside the checkout, downloaded first (upstream/refresh/goModule.ts). */
    modules?: (checkout: string) => GoModule[];
  }
> = {
  alloy: { repository: "grafana/alloy", refresh: refreshAlloy },
  loki: { repository: "grafana/loki", refresh: refreshLoki },
  mimir: { repository: "grafana/mimir", refresh: refreshMimir },
  "prometheus-operator": {
    repository: "prometheus-operator/prometheus-operator",
    refresh: refreshPrometheusOperator,
  },
  // A checkout of prometheus/node_exporter; the flags it takes from exporter-toolkit and
  // prometheus/common come from those modules at its go.mod's versions.
  "node-exporter": {
    repository: "prometheus/node_exporter",
    refresh: refreshNodeExporter,
    modules: nodeExporterCheckoutModules,
  },
  // A checkout of Deuxfleurs/garage, or the pinned release's binary (upstream/refresh/garage.ts).
  garage: { repository: "Deuxfleurs/garage", refresh: refreshGarage },
};

/** The command line, as --help and every refusal print it (at 80 columns). */
export const USAGE = `usage: npm run refresh-reference -- <component> <checkout> [--tag <tag>]
    [--commit <sha>] [--out <dir>]`;

/** --help: the usage, then what each argument and option does and the exit codes. */
export const HELP = `${USAGE}

Rebuilds one component's reference data from a checkout of its repository at
the pinned tag, into upstream/<area>/data/<component>-<version>/ (alloy-1.12,
loki-3.7.6, mimir-3.0, garage-2.0.0, prometheus-operator-0.93.0,
node-exporter-1.10.2).

  <component>      ${Object.keys(REFRESHERS)
    .join(", ")
    .replace(/, (?=node-exporter)/, ",\n                   ")}
  <checkout>       a checkout of its repository at the tag (for garage also
                   the release's binary): ${Object.values(REFRESHERS)
                     .map((r) => r.repository)
                     .join(", ")
                     .replace(/, (?=grafana\/mimir|prometheus\/node_exporter)/g, ",\n                   ")}
  --tag <tag>      the tag it holds (default: the exact tag of its git HEAD)
  --commit <sha>   the commit it holds (default: its git HEAD, when --tag is
                   not given)
  --out <dir>      write there instead of upstream/<area>/data/<folder>/

exit codes: 0 written; 2 bad arguments, or the checkout could not be read`;

/** The options refresh-reference takes. */
const OPTIONS = {
  valued: { "--tag": "<tag>", "--commit": "<sha>", "--out": "<dir>" },
  switches: [],
  maxPositional: 2,
};

/** Bad arguments (exit 2): every one of a run, one line each; the message is them and the usage. */
export class RefreshArgsError extends Error {
  constructor(readonly problems: string[]) {
    super(`${problems.join("\n")}\n${USAGE}`);
  }
}

export interface RefreshResult {
  dir: string;
  files: string[];
}

/** Parses the arguments, refreshes and writes; throws an Error whose message is for the user. */
export function refreshReference(argv: string[]): RefreshResult {
  const a = parseRefreshArgs(argv, OPTIONS);
  const problems = [...a.problems];
  const [component, checkout] = a.positional;
  const refresher = component === undefined ? undefined : REFRESHERS[component];
  if (a.positional.length !== 2)
    problems.push(`expected a component and a checkout, got ${JSON.stringify(a.positional)}`);
  // A word that may be an unknown option's value is not judged as a component or a checkout.
  if (component !== undefined && !refresher && !a.unsure.has(component))
    problems.push(
      `"${component}" is not a component with reference data (the components: ${Object.keys(REFRESHERS).join(", ")})`,
    );
  // Garage's document also comes from the release's own binary, which names its version.
  const st = checkout === undefined ? undefined : fs.statSync(checkout, { throwIfNoEntry: false });
  const binary = component === "garage" && st?.isFile() === true;
  if (refresher && checkout !== undefined && !a.unsure.has(checkout) && !binary && !st?.isDirectory())
    problems.push(
      `${checkout}: expected a checkout of ${refresher.repository} (a directory), found ${st ? "a file" : "nothing there"}`,
    );
  if (problems.length > 0 || !refresher || checkout === undefined) throw new RefreshArgsError(problems);
  const opts = { tag: a.values.get("--tag"), commit: a.values.get("--commit"), out: a.values.get("--out") };
  const fromGit = binary ? { tag: garageBinaryTag(checkout) ?? "" } : gitSource(checkout);
  const tag = opts.tag ?? (fromGit?.tag || undefined);
  if (!tag)
    throw new RefreshArgsError([
      `${checkout}: its HEAD carries no tag (or it is no git checkout); name the tag of ${refresher.repository} it holds with --tag`,
    ]);
  const commit =
    opts.commit ?? (opts.tag === undefined && fromGit && "commit" in fromGit ? fromGit.commit : undefined);
  const out = refresher.refresh(checkout, { tag, ...(commit ? { commit } : {}) });
  const dir = opts.out ?? path.join(projectRoot(), "upstream", out.area, "data", out.folder);
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(out.files)) fs.writeFileSync(path.join(dir, name), text);
  return { dir, files: Object.keys(out.files) };
}

/**
 * `npm run refresh-reference`: its arguments and output streams in, its exit status out (the
 * process wrapper below exits with it, `process` as the streams); every way out ends with one line
 * saying the status and why.
 */
export async function main(argv: string[], io: RefreshIo): Promise<number> {
  const out = (text: string) => void io.stdout.write(`${text}\n`);
  const err = (text: string) => void io.stderr.write(`${text}\n`);
  // --help anywhere is a request for the help, not an option to refuse.
  if (argv.some((a) => a === "--help" || a === "-h")) {
    out(HELP);
    return 0;
  }
  try {
    await ensureModules(argv);
    const r = refreshReference(argv);
    for (const f of r.files) out(`wrote ${path.join(r.dir, f)}`);
    out(
      closingLine(
        "refresh-reference",
        0,
        `${r.files.length} file(s) in ${r.dir}; review the diff (git diff upstream/), then point the reading module at the folder if it is new`,
      ),
    );
    return 0;
  } catch (e) {
    const bad = e instanceof RefreshArgsError;
    const lines = bad ? e.problems : [(e as Error).message];
    err(lines.map((l) => `refresh-reference: ${l}`).join("\n") + (bad ? `\n${USAGE}` : ""));
    out(
      closingLine(
        "refresh-reference",
        2,
        bad ? "bad arguments (above)" : "the checkout could not be read (above)",
      ),
    );
    return 2;
  }
}

/**
 * The Go modules the component's refresh reads beside its checkout, in the Go module cache, each
 * download held to the checkout's go.sum hash; nothing when the arguments are not a component
 * with modules and a directory (refreshReference then says what is wrong).
 */
async function ensureModules(argv: string[]): Promise<void> {
  const [component, checkout] = parseRefreshArgs(argv, OPTIONS).positional;
  const modules = component === undefined ? undefined : REFRESHERS[component]?.modules;
  if (!modules || checkout === undefined || !fs.statSync(checkout, { throwIfNoEntry: false })?.isDirectory())
    return;
  for (const m of modules(checkout)) await ensureModule(m, `${component}: ${checkout}`);
}

// The exit status set, not process.exit: the output written to a pipe is flushed first wherever
// Node writes pipes asynchronously.
if (require.main === module)
  void main(process.argv.slice(2), process).then((code) => (process.exitCode = code));
