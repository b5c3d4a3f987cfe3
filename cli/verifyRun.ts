/**
 * `npm run verify -- --stack <name> [--url <component>=<url> ...] [--json] [--gate <next-phase>]`:
 * asks the running stack's own APIs whether its phase works (and, with --gate, whether the next
 * phase is safe). What to expect comes from the stack's plan; verify decides no phase itself.
 * Exit 0: nothing failed; 1: a check failed; 2: bad arguments or config.
 */
import * as path from "path";
import { ConfigError, PHASES, type Phase, type StackConfig } from "../config/resolve";
import { expandHome, meantContext, stackContextProblems } from "../config/kubeContext";
import { capabilities, dirOption, gateCommand } from "../model/phases";
import { shellWord } from "../model/running";
import { LOKI_TRANSITIONAL_MODE, lokiModeText, runsMonolithic } from "../model/sizing";
import { CliConfigError } from "../config/stackFile";
import { checkedStackConfig } from "../config/stackCheck";
import { ConfigLocator, overridePlacesIn, stackKeyAt, type OverridePlace } from "../config/locate";
import { commandDir, projectDirRefusal, projectRoot, pulumiCommand } from "../config/paths";
import { PHASE_MOVE_DOC } from "../change/phaseMove";
import { runChecks } from "../verify/checks";
import { expectationsFor } from "../verify/expect";
import { Reach, clusterUnreachable, halfSetGrafanaLogin } from "../verify/reach";
import { formatReport } from "../verify/report";
import { setRequestTimeout } from "../verify/http";
import {
  type ArgProblem,
  argProblem,
  helpText,
  parseArgsAll,
  refusedValues,
  usage,
  VERIFY,
  withoutLogin,
} from "./spec";
import { didYouMean, listedProblems } from "../config/errors";
import { COMPONENTS, type Component, type Expectations, type Report } from "../verify/types";
import { AGREE_DEFAULTS, type AgreeOptions } from "../verify/agreeCheck";
import { AGREE_GATES, agreeSkipBefore } from "../verify/agreeGates";
import { promDurationSeconds } from "../verify/agree";
import { internalErrorText } from "./internalError";
import { traceDirOf } from "./io";
import { plural } from "../synth/report";
import { listed } from "../model/words";
import {
  compareStores,
  formatMove,
  moveInputProblems,
  moveSides,
  movedBuckets,
  noneOnOldStore,
  StoreSideError,
  StoreSidesError,
  storeTypeProblem,
} from "../verify/objectMove";
import { LOKI_STEPS, lokiStepsFrom, type LokiStep } from "../verify/lokiGate";

/** The usage line, from the spec (cli/spec.ts VERIFY) that also makes --help and the docs. */
export const USAGE =
  usage(VERIFY) +
  `\n  components: ${COMPONENTS.join(", ")}\n  phases: ${PHASES.join(", ")}\n  Loki's steps (off or onto SimpleScalable, a scale-down): ${LOKI_STEPS.join(", ")}\n  (npm run verify -- --help describes every flag)`;

/**
 * Bad arguments (exit 2): every one of a run, one line each (the message is them joined). `stack`
 * is the stack the command line names beside them, when no problem is about --stack: its lines are
 * then led by `verify --stack <stack>:` as every other line of a run on that stack is.
 */
export class VerifyArgsError extends Error {
  readonly problems: string[];
  constructor(
    problems: string | string[],
    readonly stack?: string,
    /** --json was given beside them: the closing line then goes to stderr too, stdout left empty. */
    readonly json = false,
  ) {
    const all = typeof problems === "string" ? [problems] : problems;
    super(all.join("\n"));
    this.problems = all;
  }
}

/** Failures with their own message (no trace): the API, the chart cache, the render's variables, releases that did not render, reference data, the running state, the synthesis's input. */
const KNOWN_FAILURES = [
  "ApiError",
  "ChartCacheError",
  "RenderSetupError",
  "StackRenderError",
  "MissingReferenceError",
  "RunningStateError",
  "SynthInputError",
  "PackConfigError",
];

export interface VerifyArgs {
  stack: string;
  urls: Partial<Record<Component, string>>;
  json: boolean;
  gate?: Phase;
  /** `--gate` named a step of the move off SimpleScalable instead of a phase. */
  lokiStep?: LokiStep;
  dir?: string;
  /** --move-from and --move-to: the two stores' S3 endpoints; only the move check runs. */
  move?: { from: string; to: string };
  /** --window and --step of backend-agrees, seconds (defaults in verify/agreeCheck.ts). */
  agree: { windowSeconds?: number; stepSeconds?: number };
  /** --timeout: how long each request waits for an answer, seconds (default in verify/http.ts). */
  timeoutSeconds?: number;
  /** --help: print the help, exit 0, nothing else. */
  help: boolean;
}

const isHttp = (url: string): boolean => {
  try {
    return ["http:", "https:"].includes(new URL(url).protocol);
  } catch {
    return false;
  }
};

/**
 * Whether a URL's login (after the scheme, up to its last `@`) holds `/`, `?` or `#`, which end
 * a URL's host part (WHATWG URL): the login's rest is read as the host and port, and the URL no
 * longer parses, or names another host. The refusal with the login cut (withoutLogin) would
 * otherwise show a good URL.
 */
const loginEndsHost = (url: string): boolean =>
  /^[A-Za-z][\w+.-]*:\/\/[^@]*[/?#][^@]*@/.test(url.replace(/@(?=[^@]*@)/g, "%40"));

/** --gate's value: a phase, or a step of a Loki move (off or onto SimpleScalable, a scale-down). */
function parseGate(g: string | undefined, problems: ArgProblem[]): { gate?: Phase; lokiStep?: LokiStep } {
  if (g === undefined) return {};
  if ((LOKI_STEPS as readonly string[]).includes(g)) return { lokiStep: g as LokiStep };
  if ((PHASES as readonly string[]).includes(g)) return { gate: g as Phase };
  problems.push(
    argProblem(
      `--gate: expected a phase (${PHASES.join(", ")}) or a Loki step (${LOKI_STEPS.join(", ")}), got "${g}"${didYouMean(g, [...PHASES, ...LOKI_STEPS])}`,
      "--gate",
    ),
  );
  return {};
}

/**
 * A --url value as a message shows it: its component as written when it reads as a name (a URL's
 * login may hold `=`, so anything else before `=` may be part of it), its URL without the login.
 */
function shownUrlArg(v: string): string {
  const eq = v.indexOf("=");
  return eq >= 0 && /^[\w-]*$/.test(v.slice(0, eq))
    ? `${v.slice(0, eq)}=${withoutLogin(v.slice(eq + 1))}`
    : withoutLogin(v);
}

/** Each --url's `<component>=<url>`; a bad one is a problem, its credentials never shown. */
function parseUrls(values: string[], problems: ArgProblem[]): Partial<Record<Component, string>> {
  const urls: Partial<Record<Component, string>> = {};
  // Every URL each component was given, a refused one too: giving one component two is a mistake
  // of its own whether or not either URL is, said beside a bad one's.
  const givenFor = new Map<Component, string[]>();
  for (const v of values) {
    const eq = v.indexOf("=");
    const c = v.slice(0, eq);
    const url = v.slice(eq + 1);
    if (eq < 0 || !(COMPONENTS as readonly string[]).includes(c)) {
      problems.push(
        argProblem(
          `--url: expected <component>=<url> with a component of ${COMPONENTS.join(", ")}, got "${shownUrlArg(v)}"${eq < 0 ? "" : didYouMean(c, COMPONENTS)}`,
          "--url",
        ),
      );
      continue;
    }
    givenFor.set(c as Component, [...(givenFor.get(c as Component) ?? []), url]);
  }
  for (const [c, given] of givenFor) {
    // The last one winning silently would reach one of the two without saying which. Given twice
    // is the one mistake, its values not judged again (one message per mistake).
    if (given.length > 1) {
      problems.push(
        argProblem(
          `--url ${c}: expected one URL, got ${given.length}: ${given.map((u) => `"${withoutLogin(u)}"`).join(", ")}`,
          "--url",
        ),
      );
      continue;
    }
    // A path ending in the API prefix verify adds (Mimir's `/prometheus`) is not refused here: a
    // proxy may serve the API under such a path, and when the server answers 404 there, the check
    // says the doubled prefix with the URL to give (verify/identify.ts).
    if (!isHttp(given[0]))
      problems.push(
        argProblem(
          loginEndsHost(given[0])
            ? `--url ${c}: expected an http(s) URL, got "${withoutLogin(given[0], "<redacted>@")}", whose login holds a "/", "?" or "#", where a URL's host part ends: percent-encode it in the login (%2F, %3F, %23)`
            : `--url ${c}: expected an http(s) URL, got "${withoutLogin(given[0])}"`,
          "--url",
        ),
      );
    else urls[c] = given[0];
  }
  return urls;
}

/** A duration flag's value in seconds (at least 1s); a bad one is a problem. */
function durationFlag(
  one: (f: string) => string | undefined,
  problems: ArgProblem[],
  flag: string,
): number | undefined {
  const v = one(flag);
  if (v === undefined) return undefined;
  const s = promDurationSeconds(v);
  if (s && s >= 1) return s;
  problems.push(argProblem(`${flag}: expected a duration of at least 1s (30s, 5m, 1h), got "${v}"`, flag));
  return undefined;
}

/** --window and --step of backend-agrees, seconds; a bad one is a problem. */
function parseAgree(
  one: (f: string) => string | undefined,
  problems: ArgProblem[],
  /** Whether backend-agrees compares (a phase --gate of AGREE_GATES); else the flags are unread. */
  read: boolean,
): VerifyArgs["agree"] {
  const duration = (flag: string) => durationFlag(one, problems, flag);
  const agree = { windowSeconds: duration("--window"), stepSeconds: duration("--step") };
  const window = agree.windowSeconds ?? AGREE_DEFAULTS.windowSeconds;
  const step = agree.stepSeconds ?? AGREE_DEFAULTS.stepSeconds;
  // Unread, their one mistake is being given at all (unreadFlags), not their lengths.
  if (read && window < step)
    problems.push(
      argProblem(
        `--window ${one("--window") ?? "1h"} is shorter than --step ${one("--step") ?? "1m"}: a range query needs at least one step`,
        "--window",
        "--step",
      ),
    );
  return agree;
}

/** --move-from and --move-to: both or neither, each an http(s) URL without credentials. */
function parseMove(
  one: (f: string) => string | undefined,
  given: (f: string) => boolean,
  problems: ArgProblem[],
): { from: string; to: string } | undefined {
  const [from, to] = [one("--move-from"), one("--move-to")];
  // Half a move is judged by the flags given, whatever their values: `--move-from a --move-from b`
  // (given twice) or `--move-from` without a value lacks --move-to all the same, said in this run.
  // The half left out that another problem already names (`--move-form`, misspelt: "did you mean
  // --move-from?") is that one mistake, said once.
  const hasFrom = given("--move-from");
  const missing = hasFrom ? "--move-to" : "--move-from";
  if (hasFrom !== given("--move-to") && !problems.some((m) => m.flags.includes(missing)))
    problems.push(
      argProblem(
        `--move-from and --move-to: expected both (the old and the new store's S3 URLs), got only ${hasFrom ? "--move-from" : "--move-to"}`,
        "--move-from",
        "--move-to",
      ),
    );
  let ok = true;
  for (const [flag, url] of [
    ["--move-from", from],
    ["--move-to", to],
  ] as const) {
    // Any `@` after the scheme: a password holding `/` or `#` (`admin:2024/s3cr3t@host`) parses as
    // a host and a path, so a login is only told by the `@` (an S3 endpoint's URL holds none).
    if (url === undefined || (isHttp(url) && !/\/\/.*@/.test(url))) continue;
    ok = false;
    problems.push(
      argProblem(
        `${flag}: expected an http(s) URL without credentials, like "http://localhost:9000", got "${withoutLogin(url, "<redacted>@")}"`,
        flag,
      ),
    );
  }
  return from && to && ok ? { from, to } : undefined;
}

/** The flags the move check reads none of (unreadFlags). */
const UNREAD_BY_MOVE = ["--gate", "--url", "--window", "--step", "--timeout"];

/**
 * Flags the run would not read, each a problem: a flag that silently does nothing lets a run pass
 * that did not ask what the operator meant (`--window 6h` without `--gate` compares nothing).
 * The move check runs alone; backend-agrees, the only reader of --window and --step, compares only
 * before the gates of AGREE_GATES (verify/agreeGates.ts, the rule the check itself skips by).
 */
function unreadFlags(
  p: { values: Map<string, string[]> },
  isGiven: (f: string) => boolean,
  run: { gate?: Phase; move: boolean },
  problems: ArgProblem[],
): void {
  // A flag a problem is already about is that one mistake, said once.
  const refused = (f: string) => problems.some((m) => m.flags.includes(f));
  const given = (flags: string[]) => flags.filter((f) => isGiven(f) && !refused(f));
  if (run.move) {
    const unread = given(UNREAD_BY_MOVE);
    if (unread.length > 0)
      problems.push(
        argProblem(
          `${unread.join(", ")}: expected none with --move-from and --move-to, got ${unread.length === 1 ? "it" : "them"}: the move check compares the two stores and runs nothing else (each page of a listing waits 60s); run the checks without --move-from and --move-to`,
          ...unread,
        ),
      );
    return;
  }
  const agree = given(["--window", "--step"]);
  // A --gate that is no phase or step is its own problem; a Loki step asks Loki's ring only; a
  // phase gate where backend-agrees skips (dual-write: no backend runs at loki-fixed) reads none.
  const skip = run.gate && agreeSkipBefore(run.gate);
  if (agree.length > 0 && (!run.gate || skip) && !refused("--gate")) {
    const them = agree.length === 1 ? "it" : "them";
    const got = !p.values.has("--gate")
      ? `no --gate: only backend-agrees reads ${them}, and it runs only before a phase change`
      : skip
        ? `--gate ${run.gate}: only backend-agrees reads ${them}, and it compares nothing before ${run.gate} (${skip})`
        : `--gate ${p.values.get("--gate")![0]}, which asks Loki's ring: only backend-agrees reads ${them}`;
    problems.push(
      argProblem(
        `${agree.join(", ")}: expected only with a --gate whose backend-agrees compares (${AGREE_GATES.join(", ")}), got ${got}`,
        ...agree,
      ),
    );
  }
}

/**
 * Whether a problem is about the --stack flag itself (missing, misspelt, given twice, kept by npm,
 * a bare stack name): asked of the flags it is about, not its text, which may name --stack in a
 * found value or a hint (`--gate needs a value (<next-phase>), got the flag --stack after it`).
 */
const namesStackFlag = (problem: ArgProblem): boolean => problem.flags.includes("--stack");

/** The command line, every bad argument refused in one {@link VerifyArgsError}. */
export function parseVerifyArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): VerifyArgs {
  const read = readVerifyArgs(argv, env);
  if (read.problems.length > 0)
    throw new VerifyArgsError(
      read.problems.map((q) => q.text),
      read.stack,
      read.args.json,
    );
  return read.args;
}

/**
 * The command line read on past its bad arguments: what could be read of it, every problem, and
 * the stack it names when no problem is about --stack. The run then judges the stack file and the
 * environment beside the problems (verifyMain), as synth does, so that fixing the arguments
 * reveals no second refusal.
 */
function readVerifyArgs(
  argv: string[],
  env: NodeJS.ProcessEnv,
): { args: VerifyArgs; problems: ArgProblem[]; stack?: string; moving: boolean; urlGiven: boolean } {
  const { parsed: p, argProblems: all } = parseArgsAll(VERIFY, argv, env);
  const json = p.switches.has("--json");
  if (p.help && all.length === 0)
    return {
      args: { stack: "", urls: {}, json: false, agree: {}, help: true },
      problems: [],
      moving: false,
      urlGiven: false,
    };
  // A flag given twice or without its value is given all the same: --move-from so is half a move.
  const given = (f: string) => p.values.has(f) || refusedValues(all).has(f);
  // Either of them asks for the move check alone, which reads no other flag: half a move is its own
  // mistake (parseMove), and the flags it would not read are another, said in the same run. Such a
  // flag's one mistake is being given at all: its value is not judged (a fixed value would only be
  // refused next run for the flag).
  const moving = given("--move-from") || given("--move-to");
  const problems = moving
    ? all.filter((q) => !(q.valueRefused && q.flags.every((f) => UNREAD_BY_MOVE.includes(f))))
    : all;
  // A flag given twice is that one message: neither of its values is judged.
  const refused = refusedValues(problems);
  const one = (f: string) => (refused.has(f) ? undefined : p.values.get(f)?.[0]);
  const { gate, lokiStep } = moving ? {} : parseGate(one("--gate"), problems);
  const urls = moving ? {} : parseUrls(p.values.get("--url") ?? [], problems);
  const agree = moving ? {} : parseAgree(one, problems, !!gate && AGREE_GATES.includes(gate));
  const timeoutSeconds = moving ? undefined : durationFlag(one, problems, "--timeout");
  const stack = one("--stack");
  // A missing --stack that another problem already names (npm kept it, `--stak`, `--stack` without
  // its value, a bare stack name) is that one mistake, said once; beside --help none is required
  // (help was asked for, not a run).
  if (!stack && !p.help && !problems.some(namesStackFlag))
    problems.push(argProblem("--stack is required", "--stack"));
  const move = parseMove(one, given, problems);
  unreadFlags(p, given, { gate, move: moving }, problems);
  // A --dir that is no project folder is a bad argument, said beside the others (every one in one run).
  const dir = one("--dir");
  const badDir = dir === undefined ? undefined : projectDirRefusal(dir);
  if (badDir) problems.push(argProblem(badDir, "--dir"));
  return {
    args: {
      stack: stack ?? "",
      urls,
      json,
      gate,
      lokiStep,
      dir: badDir ? undefined : dir,
      agree,
      ...(timeoutSeconds ? { timeoutSeconds } : {}),
      ...(move ? { move } : {}),
      help: p.help,
    },
    problems,
    stack: problems.some(namesStackFlag) ? undefined : stack,
    moving,
    urlGiven: given("--url"),
  };
}

/** What main needs from outside; tests hand in their own jobs and clock. */
export interface VerifyDeps {
  /** The promised scrape jobs (default: synthesis and render, ./jobs.ts). */
  jobs?: (root: string, stack: string) => Promise<string[]>;
  env?: NodeJS.ProcessEnv;
  now?: () => number;
  out?: (text: string) => void;
  err?: (text: string) => void;
  /** backend-agrees' bounds over the flags' (tests: a short skip of recent samples). */
  agree?: Partial<AgreeOptions>;
  /** Where the progress line goes (default: stderr when it is a terminal). */
  progress?: (text: string) => void;
}

/** Reads the stack's config as the CLI would (secrets unknown: verify needs none). */
export function loadStackConfig(root: string, stack: string, env: NodeJS.ProcessEnv): StackConfig {
  // Every problem of the stack file in one run (config/stackCheck.ts), not the CLI's first.
  return checkedStackConfig(root, stack, env, { allowAbsentSecrets: true }).cfg;
}

/** The stack's config planned, with the scrape jobs its rendered objects promise. */
export async function loadExpectations(
  root: string,
  stack: string,
  jobs: (root: string, stack: string) => Promise<string[]>,
  env: NodeJS.ProcessEnv,
): Promise<Expectations> {
  return expectationsFor(loadStackConfig(root, stack, env), await jobs(root, stack));
}

/**
 * Why verify must not reach this stack's cluster (empty when it may), as `pulumi preview` and `up`
 * judge it (config/kubeContext.ts): the stack's pinned context must be in the kubeconfig and be
 * the selected one. verify then names that context in every kubectl call, so it reads the pinned
 * cluster even if the selection changes while it runs.
 */
export function verifyContextProblems(cfg: StackConfig, env: NodeJS.ProcessEnv): string[] {
  // Judged as `pulumi up` judges it (the same files, each missing path named); what to run again
  // once the context is right is verify.
  return stackContextProblems(cfg, {}, env, "verify");
}

const definedOnly = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

/** The progress of backend-agrees on one rewritten line, only on a terminal (or where a test asks). */
function progressLine(deps: VerifyDeps): AgreeOptions["progress"] {
  const write =
    deps.progress ?? (process.stderr.isTTY && !deps.err ? (t: string) => process.stderr.write(t) : undefined);
  if (!write) return undefined;
  return (done, total) =>
    write(`\rbackend-agrees: ${done}/${total} queries compared${done === total ? "\n" : ""}`);
}

/**
 * The line for an error of the move check: a store's failure names its own flag (`--move-from
 * <url>`, StoreSideError); anything else (a missing key variable) is about both flags. Read by the
 * error's kind, so that rewording a message cannot change which line it gets.
 */
export function moveProblem(e: unknown): string {
  const said = e instanceof Error ? e.message : String(e);
  return e instanceof StoreSideError && e.flag !== undefined ? said : `--move-from/--move-to: ${said}`;
}

/** Each line of a move error: one per store when both failed (StoreSidesError), else one. */
export function moveProblems(e: unknown): string[] {
  return e instanceof StoreSidesError ? e.errors.map(moveProblem) : [moveProblem(e)];
}

/** `--move-from`/`--move-to`: every planned bucket compared on both stores (verify/objectMove.ts). */
async function runMove(
  args: VerifyArgs,
  move: { from: string; to: string },
  cfg: StackConfig,
  at: OverridePlace,
  env: NodeJS.ProcessEnv,
  out: (t: string) => void,
  err: (t: string) => void,
): Promise<Outcome> {
  try {
    const sides = moveSides(cfg, move.from, move.to, env, at);
    const rows = await compareStores(sides.from, sides.to, movedBuckets(cfg));
    out(args.json ? JSON.stringify({ stack: args.stack, move: rows }) + "\n" : formatMove(args.stack, rows));
    const failing = rows.filter((r) => r.status === "fail").map((r) => r.bucket);
    if (noneOnOldStore(rows))
      return {
        status: 1,
        why: `the old store has none of the stack's ${plural(rows.length, "bucket")} (above)`,
      };
    return failing.length > 0
      ? {
          status: 1,
          why: `${failing.length} of ${plural(rows.length, "bucket")} differ: ${failing.join(", ")}`,
        }
      : { status: 0, why: `${plural(rows.length, "bucket")}, each the same on both stores` };
  } catch (e) {
    for (const line of moveProblems(e)) err(`${prefixOf(args.stack)}: ${line}\n`);
    return { status: 2, why: "the stores could not be compared (above)" };
  }
}

/** How a run ends: its exit status and why, for the closing line. */
interface Outcome {
  status: number;
  why: string;
}

/**
 * What every message of a run starts with: the stack once the arguments name it (one form, whatever
 * else the command line holds), `verify` before.
 */
function prefixOf(stack: string | undefined): string {
  return stack ? `verify --stack ${stack}` : "verify";
}

/** The run's last line, on every way out (but --help): the exit status and why, as synth's. */
function closingLine(stack: string | undefined, { status, why }: Outcome): string {
  return `${prefixOf(stack)}: ${status === 0 ? "pass" : "FAIL"} (exit ${status}): ${why}`;
}

/** The closing line of a report: how many checks failed, and which. */
function reportOutcome(report: Report): Outcome {
  const n = report.checks.length;
  const failing = report.checks.filter((c) => c.status === "fail").map((c) => c.id);
  return failing.length > 0
    ? { status: 1, why: `${failing.length} of ${plural(n, "check")} failed: ${failing.join(", ")}` }
    : { status: 0, why: `${plural(n, "check")}, none failed` };
}

/**
 * The command the kube-context problems (config/kubeContext.ts) leave out when they say to correct
 * kubeContext: how to pin the stack to the context its cluster has, the one they offer when they
 * offer one; else without a value, which `pulumi config set` prompts for (a `<context>` pasted with
 * it would be read by the shell as a redirection). Run in the project at `root` (config/paths.ts
 * pulumiCommand), whose stack file the problems name.
 */
function pinCommand(root: string, stack: string, problems: string[], meant: string | undefined): string {
  if (problems.some((p) => p.includes("pulumi config set"))) return "";
  const set = `${pulumiCommand(commandDir(root))} config set --stack ${shellWord(stack)} kubeContext`;
  return meant
    ? `\n  (to pin the stack to "${meant}": ${set} ${shellWord(meant)})`
    : `\n  (to pin the stack to another context: ${set}, which asks for its name)`;
}

/**
 * The whole command; returns its exit code and never throws. Its last line states the exit status
 * and why on every way out but --help (on stdout, or stderr with --json: stdout then holds the
 * report, or the move check's rows, as one JSON document, and nothing on exit 2, where no report
 * was made), and every message before it starts `verify --stack <stack>:`.
 */
export async function runVerify(argv: string[], deps: VerifyDeps = {}): Promise<number> {
  const out = deps.out ?? ((t: string) => process.stdout.write(t));
  const err = deps.err ?? ((t: string) => process.stderr.write(t));
  let stack: string | undefined;
  let json = false;
  let outcome: Outcome | "help";
  let restoreTimeout = () => {};
  try {
    outcome = await verifyMain(argv, deps, out, err, (a) => {
      stack = a.stack;
      json = a.json;
      restoreTimeout = setRequestTimeout(a.timeoutSeconds);
    });
  } catch (e) {
    // A throw past the steps that name their own failures (a check's bug): one line and where
    // its trace went, then the closing line as on every other way out.
    const env = deps.env ?? process.env;
    err(`${internalErrorText(prefixOf(stack), e, env.HOMELAB_DEBUG === "1", traceDirOf(env))}\n`);
    outcome = { status: 2, why: "an unexpected error (above)" };
  } finally {
    restoreTimeout();
  }
  if (outcome === "help") return 0;
  (json ? err : out)(closingLine(stack, outcome) + "\n");
  return outcome.status;
}

/**
 * The outcome of what stopped verify before its checks ran: a refused stack configuration, a failure verify names in its own words, or (anything else) a bug, said in one
 * line with where its trace went.
 */
function failureOutcome(
  e: unknown,
  stack: string | undefined,
  env: NodeJS.ProcessEnv,
  err: (t: string) => void,
): Outcome {
  const prefix = prefixOf(stack);
  if (e instanceof ConfigError || e instanceof CliConfigError) {
    err(`${prefix}: ${e.message}\n`);
    return { status: 2, why: `${refusedWhy(e, stack ?? "")} (above)` };
  }
  // What verify reaches or renders says what went wrong in its own words; anything else is a
  // bug: one line and where its trace went.
  if (e instanceof Error && KNOWN_FAILURES.some((name) => e.name === name || e.constructor.name === name)) {
    err(`${prefix}: ${e.message}\n`);
    return { status: 2, why: "the stack could not be verified (above)" };
  }
  err(`${internalErrorText(prefix, e, env.HOMELAB_DEBUG === "1", traceDirOf(env))}\n`);
  return { status: 2, why: "an unexpected error (above)" };
}

/** The closing line's why for a refused stack file (without "(above)"). */
function refusedWhy(e: ConfigError | CliConfigError, stack: string): string {
  return e instanceof CliConfigError && e.noStackFile
    ? `no stack file Pulumi.${stack || "<stack>"}.yaml`
    : "the stack configuration is refused";
}

/**
 * The stack file's places ({@link overridePlacesIn}), read at most once and only when a message
 * names a key: the move's store-type refusal and the move itself (runMove) share them.
 */
function lazyPlaces(root: string, stack: string): OverridePlace {
  let places: OverridePlace | undefined;
  const read = () => (places ??= overridePlacesIn(root, stack));
  const at: OverridePlace = (key) => read()(key);
  // The values as written ride along: a hint names an amount in the units the file writes it in.
  at.written = (key) => read().written?.(key);
  at.defaulted = (key) => read().defaulted?.(key);
  return at;
}

/**
 * The move's input problems, judged before either store is asked: a store type the move does not
 * compare (filesystem, Ceph RGW; `cfg` when the stack file was read), the key variables, one URL
 * for both stores (`move` when both URLs were read: a refused one is a bad argument).
 */
function moveInputLines(
  move: { from: string; to: string } | undefined,
  cfg: StackConfig | undefined,
  at: OverridePlace,
  env: NodeJS.ProcessEnv,
): string[] {
  const storeType = cfg ? storeTypeProblem(cfg, at) : undefined;
  return [
    ...(storeType ? moveProblems(new Error(storeType)) : []),
    ...moveInputProblems(move?.from, move?.to, env).flatMap(moveProblems),
  ];
}

/** Why `c`'s kube context keeps verify from the cluster, each at its key's line; undefined when it does not. */
function contextRefusalOf(
  c: StackConfig,
  root: string,
  stack: string,
  env: NodeJS.ProcessEnv,
): string | undefined {
  let problems: string[];
  let meant: string | undefined;
  try {
    problems = verifyContextProblems(c, env);
    meant = problems.length > 0 ? meantContext(c, env) : undefined;
  } catch (e) {
    problems = [e instanceof Error ? e.message : String(e)];
  }
  if (problems.length === 0) return undefined;
  // Each at its key's line in the stack file, as `pulumi preview` places the same refusal
  // (apply/program.ts): a misspelt kubeContext is mended there.
  const placed = ConfigLocator.forStack(root, stack).locate(new ConfigError(problems)).forStack(stack, root);
  return `not reaching the cluster:${listedProblems(placed.problems, placed.places)}${pinCommand(root, stack, problems, meant)}`;
}

/** The cluster `c` pins: its kube context and kubeconfig, for every kubectl call verify makes. */
const clusterOf = (c: StackConfig) => ({
  context: c.kubeContext ?? "",
  kubeconfig: c.kubeconfig && expandHome(c.kubeconfig),
});

/** {@link runVerify} but its closing line; `parsed` is told the arguments once they are read. */
async function verifyMain(
  argv: string[],
  deps: VerifyDeps,
  out: (t: string) => void,
  err: (t: string) => void,
  parsed: (args: VerifyArgs) => void,
): Promise<Outcome | "help"> {
  const env = deps.env ?? process.env;
  const read = readVerifyArgs(argv, env);
  if (read.args.help && read.problems.length === 0) {
    out(helpText(VERIFY));
    return "help";
  }
  // The stack the command line names leads every line, its bad arguments' too.
  const args: VerifyArgs = { ...read.args, stack: read.stack ?? "" };
  parsed(args);
  const fail = (e: unknown): Outcome => failureOutcome(e, args.stack, env, err);
  const prefix = prefixOf(args.stack);
  const root = args.dir ? path.resolve(args.dir) : projectRoot(__dirname);
  // Every input problem in one run, as synth says its arguments' beside the stack file's
  // (cli/synthRun.ts badArguments): the arguments, the stack file (read unless a bad argument
  // leaves the stack or its folder unknown; --help asks for no run), what the arguments ask of
  // it, and the environment the run reads before it contacts anything.
  let cfg: StackConfig | undefined;
  let refusal: ConfigError | CliConfigError | undefined;
  const unknownFile = read.problems.some((q) => q.flags.includes("--dir") || q.flags.includes("--stack"));
  if (args.stack && !args.help && !unknownFile) {
    try {
      cfg = loadStackConfig(root, args.stack, env);
    } catch (e) {
      if (!(e instanceof ConfigError || e instanceof CliConfigError)) return fail(e);
      refusal = e;
    }
  }
  const at = lazyPlaces(root, args.stack);
  const wrong = [
    ...read.problems.map((q) => q.text),
    ...(cfg && !read.moving ? [gateProblem(args, cfg, at, commandDir(root)), ...unreadUrls(args, cfg)] : []),
  ].filter((w): w is string => !!w);
  // The move check asks no Grafana and no cluster; the others always ask Grafana, and without any
  // --url (the usual run) every component through kubectl, in the stack's kube context.
  const login = read.moving ? undefined : halfSetGrafanaLogin(env);
  // A move with a refused or missing URL still says the stores' keys and store type in this run.
  const moveLines = read.moving ? moveInputLines(args.move, cfg, at, env) : [];
  const cluster = cfg && clusterOf(cfg);
  const contextRefusal = (c: StackConfig) => contextRefusalOf(c, root, args.stack, env);
  // Without any --url (the usual run) every component is reached through kubectl: the context is
  // judged now, with the other inputs. With some --url (even refused), which components need
  // kubectl depends on the phase's checks, and Reach asks the same preflight before its first call.
  const needsCluster = !read.moving && !read.urlGiven;
  const context = cfg && needsCluster ? contextRefusal(cfg) : undefined;
  const said = [
    ...(wrong.length > 0
      ? [{ lines: [...wrong.map((w) => `${prefix}: ${w}`), USAGE], why: "bad arguments" }]
      : []),
    ...(refusal ? [{ lines: [`${prefix}: ${refusal.message}`], why: refusedWhy(refusal, args.stack) }] : []),
    ...(moveLines.length > 0
      ? [{ lines: moveLines.map((l) => `${prefix}: ${l}`), why: "the stores could not be compared" }]
      : []),
    // The usage helps with the arguments only; the login is the environment's.
    ...(login ? [{ lines: [`${prefix}: ${login}`], why: "Grafana's login is half set" }] : []),
    ...(context ? [{ lines: [`${prefix}: ${context}`], why: "not reaching the cluster" }] : []),
  ];
  if (said.length > 0) {
    err(said.flatMap((x) => x.lines).join("\n") + "\n");
    return { status: 2, why: `${listed(said.map((x) => x.why))} (above)` };
  }
  // Each of these is set when nothing was refused above.
  if (!cfg || !cluster) return fail(new Error("verify: no stack configuration after its checks"));
  // The move check reaches the two stores only: no cluster, no render.
  if (args.move) return runMove(args, args.move, cfg, at, env, out, err);
  const preflight = (): string | undefined =>
    contextRefusal(cfg) ?? clusterUnreachable(cluster, cfg.namespace, env);
  // The cluster is asked now, before the render (tens of seconds on a cold cache): an unreachable
  // one is refused before verify does anything else.
  const early = needsCluster ? clusterUnreachable(cluster, cfg.namespace, env) : undefined;
  if (early) {
    err(`${prefix}: ${early}\n`);
    return { status: 2, why: unreachedWhy(early) };
  }
  let exp: Expectations;
  try {
    const jobs =
      deps.jobs ?? (async (r: string, s: string) => (await import("./verifyJobs")).promisedJobs(r, s));
    exp = expectationsFor(cfg, await jobs(root, args.stack));
  } catch (e) {
    return fail(e);
  }
  // Asked at most once: when it was asked above, Reach gets that (clean) answer.
  const reach = new Reach(exp, args.urls, env, {
    ...cluster,
    preflight: needsCluster ? () => early : preflight,
  });
  let report: Report;
  try {
    const checks = await runChecks({
      exp,
      base: (c) => reach.base(c),
      grafanaLogin: () => reach.grafanaLogin(),
      gate: args.gate,
      lokiStep: args.lokiStep,
      next: args.gate ? capabilities(args.gate, exp.backend) : undefined,
      now: deps.now ?? (() => Date.now() / 1000),
      agree: { ...definedOnly(args.agree), ...(deps.agree ?? {}), progress: progressLine(deps) },
    });
    report = { stack: exp.stack, phase: exp.phase, checks };
  } finally {
    reach.close();
  }
  if (reach.refused) {
    // With some --url given, the operator may not know what still needed the cluster: say it.
    const instead = [...reach.instead];
    const without = instead.length ? `\n  (to run without the cluster: ${instead.join("; ")})` : "";
    err(`${prefix}: ${reach.refused}${without}\n`);
    return { status: 2, why: unreachedWhy(reach.refused) };
  }
  out(args.json ? JSON.stringify(report) + "\n" : formatReport(report));
  return reportOutcome(report);
}

/**
 * Why `--gate <step>` is not a step the stack file allows next (`next`, verify/lokiGate.ts
 * lokiStepsFrom): the Loki keys that decide it, each at its line, and the steps it allows. From
 * Monolithic the move onto SimpleScalable starts with the transitional mode, the write pods beside
 * the monolithic ones: no pod leaves, so no gate holds it (docs/how-to/loki-off-simple-scalable.md,
 * "The other way"): said as a step without a gate, not as no step.
 */
function lokiGateProblem(step: LokiStep, cfg: StackConfig, places: OverridePlace, next: LokiStep[]): string {
  const { mode, write, replicas } = cfg.loki;
  const transitional = mode === LOKI_TRANSITIONAL_MODE;
  const runs = `${transitional ? ` with loki.write ${write}` : ""}${runsMonolithic(mode) ? `${transitional ? " and" : " with"} loki.replicas ${replicas}` : ""}`;
  const keys = [
    "loki.mode",
    ...(transitional ? ["loki.write"] : []),
    ...(runsMonolithic(mode) ? ["loki.replicas"] : []),
  ];
  const where = keys.map((k) => (places(k) ? `${k} at ${places(k)}` : `${k} not set in the stack file`));
  const onto =
    mode === "Monolithic"
      ? `the step onto SimpleScalable, loki.mode "${LOKI_TRANSITIONAL_MODE}" with loki.write beside loki.replicas, needs no gate: no pod leaves`
      : undefined;
  const steps =
    next.length === 0
      ? `no gated step comes next (${onto ? `${onto}; ` : ""}${runsMonolithic(mode) ? "loki-scale-down needs loki.replicas above 1: below 2 the chart still runs one monolithic pod" : `no Loki step starts from ${mode}`})`
      : `the next step is ${next.length === 1 ? next[0] : `one of ${next.join(", ")}`}${onto ? `, and ${onto}` : ""}`;
  // The mode as the file writes it; a mode the file leaves to its default is not the file's word.
  const named = places("loki.mode")
    ? `the stack file sets Loki to ${lokiModeText(mode, places.written?.("loki.mode"))}`
    : `Loki runs ${mode}`;
  return `--gate ${step}: ${named}${runs} (${where.join(", ")}); ${steps} (docs/how-to/loki-off-simple-scalable.md)`;
}

/**
 * Why `--gate` asks about a step or phase that is not the stack's next one; undefined when it is.
 * `places`: the stack file's keys' lines; `dir`: the project folder its commands name
 * (config/paths.ts commandDir).
 */
function gateProblem(
  args: VerifyArgs,
  cfg: StackConfig,
  places: OverridePlace,
  dir: string | undefined,
): string | undefined {
  if (args.lokiStep) {
    const next = lokiStepsFrom(cfg.loki);
    if (!next.includes(args.lokiStep)) return lokiGateProblem(args.lokiStep, cfg, places, next);
  }
  if (args.gate) {
    const at = PHASES.indexOf(cfg.phase);
    const next = PHASES[at + 1];
    const asks = `the gate asks about the next phase${next ? ` (${next})` : " and there is none"}`;
    const gate = PHASES.indexOf(args.gate);
    // The slip step 2 of the docs warns of: the phase set first, the gate asked after. Verify
    // judges the running stack at the phase its file names, so the file goes back for the gate.
    if (gate === at && at > 0)
      return `--gate ${args.gate}: ${stackKeyAt("phase", places)} already says ${cfg.phase}; a gate is asked before the stack file moves to its phase, while the file still names the phase before it: set phase back to ${PHASES[at - 1]}, run \`${gateCommand(args.stack, args.gate, dir)}\`, and only on exit 0 set phase: ${cfg.phase} again (${PHASE_MOVE_DOC}, step 2)`;
    if (gate === at)
      return `--gate ${args.gate}: ${stackKeyAt("phase", places)} is ${cfg.phase}, the first phase, which no gate leads to; ${asks}`;
    if (gate < at)
      return `--gate ${args.gate}: ${stackKeyAt("phase", places)} is ${cfg.phase} and ${args.gate} is behind it: going back one phase needs no gate (nothing stored is lost): set phase: ${PHASES[at - 1]}, and after pulumi up run \`npm run verify -- ${dirOption(dir)}--stack ${shellWord(args.stack)}\` (${PHASE_MOVE_DOC}, step 4); ${asks}`;
    if (gate > at + 1) return `--gate ${args.gate}: ${stackKeyAt("phase", places)} is ${cfg.phase}; ${asks}`;
  }
  return undefined;
}

/** What each metrics backend is reached as (`--url <component>`). */
const BACKEND_COMPONENTS: Record<StackConfig["metricsBackend"], Component[]> = {
  mimir: ["mimir", "mimir-ruler"],
  victoriametrics: ["victoriametrics"],
};

/**
 * Why the stack's phase runs no `c` (the phase table, model/phases.ts: Prometheus while
 * kube-prometheus-stack runs, the backend once it is up), undefined when it runs it. Each check
 * reads a component only where that table runs it (verify/checks.ts), so a URL given for one it
 * does not run is read by none.
 */
function notRunAt(c: Component, cfg: StackConfig): string | undefined {
  const caps = capabilities(cfg.phase, cfg.metricsBackend);
  if (c === "prometheus" && !caps.kps)
    return `no Prometheus runs at ${cfg.phase} (kube-prometheus-stack is removed)`;
  if (BACKEND_COMPONENTS[cfg.metricsBackend].includes(c) && !caps.backend) {
    const from = PHASES.find((p) => capabilities(p, cfg.metricsBackend).backend);
    return `no ${cfg.metricsBackend} runs at ${cfg.phase}${from ? ` (it first runs at ${from})` : ""}`;
  }
  return undefined;
}

/**
 * The --url components this stack never reads, one problem each: the other metrics backend's (a
 * script written for another stack; its checks would reach this backend through kubectl and the
 * URL would be ignored), one its phase does not run (Prometheus at kps-removed, the backend before
 * dual-write), and Loki's ring pods without a step of Loki's move.
 */
function unreadUrls(args: VerifyArgs, cfg: StackConfig): string[] {
  const own = BACKEND_COMPONENTS[cfg.metricsBackend];
  const problems: string[] = [];
  const given = Object.keys(args.urls) as Component[];
  // What the operator can give instead: every component this run reads.
  const read = COMPONENTS.filter(
    (c) =>
      !(Object.values(BACKEND_COMPONENTS).flat().includes(c) && !own.includes(c)) &&
      !notRunAt(c, cfg) &&
      (c !== "loki-ring" || args.lokiStep),
  );
  for (const c of given) {
    const backend = (Object.keys(BACKEND_COMPONENTS) as StackConfig["metricsBackend"][]).find(
      (b) => b !== cfg.metricsBackend && BACKEND_COMPONENTS[b].includes(c),
    );
    const absent = notRunAt(c, cfg);
    // The stack's own backend is what such a URL meant, once its phase runs it.
    const ownRead = own.filter((o) => read.includes(o));
    if (backend)
      problems.push(
        `--url ${c}: the stack runs no ${c} (metricsBackend: ${cfg.metricsBackend}); expected ${ownRead.length > 0 ? ownRead.map((o) => `--url ${o}=<url>`).join(" or ") : `a component it runs at ${cfg.phase} (${read.join(", ")})`}, got --url ${c}`,
      );
    else if (absent)
      problems.push(
        `--url ${c}: expected a component the stack runs at ${cfg.phase} (${read.join(", ")}), got --url ${c}: ${absent}, so no check reads it`,
      );
    else if (c === "loki-ring" && !args.lokiStep)
      problems.push(
        `--url loki-ring: expected only with a Loki step (--gate ${LOKI_STEPS.join(", ")}), got ${args.gate ? `--gate ${args.gate}` : "no --gate"}: no other check reads Loki's ring`,
      );
  }
  return problems;
}

/** The closing line's why for a refused cluster: the kube context's problems, or kubectl's failure. */
function unreachedWhy(refusal: string): string {
  return refusal.startsWith("not reaching the cluster")
    ? "not reaching the cluster (above)"
    : "cannot reach the cluster (above)";
}
