/**
 * `npm run verify -- --stack <name> [--url <component>=<url> ...] [--json] [--gate <next-phase>]`:
 * asks the running stack's own APIs whether its phase works (and, with --gate, whether the next
 * phase is safe). What to expect comes from the stack's plan; verify decides no phase itself.
 * Exit 0: nothing failed; 1: a check failed; 2: bad arguments or config.
 */
import * as path from "path";
import { ConfigError, PHASES, type Phase, type StackConfig } from "../config/resolve";
import {
  ambientKubeconfigPaths,
  expandHome,
  kubeContextProblems,
  readKubeconfig,
  type Kubeconfig,
} from "../config/kubeContext";
import { capabilities } from "../model/phases";
import { CliConfigError } from "../config/stackFile";
import { checkedStackConfig } from "../config/stackCheck";
import { projectRoot } from "../config/paths";
import { runChecks } from "../verify/checks";
import { expectationsFor } from "../verify/expect";
import { Reach, clusterUnreachable } from "../verify/reach";
import { formatReport } from "../verify/report";
import { CliArgsError, helpText, parseArgs, usage, VERIFY, type ParsedArgs } from "./spec";
import { didYouMean } from "../config/errors";
import { COMPONENTS, type Component, type Expectations, type Report } from "../verify/types";
import { AGREE_DEFAULTS, type AgreeOptions } from "../verify/agreeCheck";
import { promDurationSeconds } from "../verify/agree";
import { internalErrorText } from "./internalError";
import { LOKI_STEPS, nextLokiStep, type LokiStep } from "../verify/lokiGate";

/** The usage line, from the spec (cli/spec.ts VERIFY) that also makes --help and the docs. */
export const USAGE =
  usage(VERIFY) +
  `\n  components: ${COMPONENTS.join(", ")}\n  phases: ${PHASES.join(", ")}\n  Loki's steps off SimpleScalable: ${LOKI_STEPS.join(", ")}\n  (npm run verify -- --help describes every flag)`;

/** Bad arguments (exit 2). */
export class VerifyArgsError extends Error {}

/** Failures with their own message (no trace): the API, the chart cache, reference data, the running state, the synthesis's input. */
const KNOWN_FAILURES = [
  "ApiError",
  "ChartCacheError",
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
  /** --window and --step of backend-agrees, seconds (defaults in verify/agreeCheck.ts). */
  agree: { windowSeconds?: number; stepSeconds?: number };
  /** --help: print the help, exit 0, nothing else. */
  help: boolean;
}

export function parseVerifyArgs(argv: string[]): VerifyArgs {
  let p: ParsedArgs;
  try {
    p = parseArgs(VERIFY, argv);
  } catch (e) {
    if (e instanceof CliArgsError) throw new VerifyArgsError(e.message);
    throw e;
  }
  if (p.help) return { stack: "", urls: {}, json: false, agree: {}, help: true };
  const one = (f: string) => p.values.get(f)?.[0];
  let gate: Phase | undefined;
  let lokiStep: LokiStep | undefined;
  const g = one("--gate");
  if (g !== undefined) {
    if ((LOKI_STEPS as readonly string[]).includes(g)) lokiStep = g as LokiStep;
    else if (!(PHASES as readonly string[]).includes(g))
      throw new VerifyArgsError(
        `--gate: expected a phase (${PHASES.join(", ")}) or a step of Loki's move off SimpleScalable (${LOKI_STEPS.join(", ")}), got "${g}"${didYouMean(g, [...PHASES, ...LOKI_STEPS])}`,
      );
    else gate = g as Phase;
  }
  const urls: Partial<Record<Component, string>> = {};
  for (const v of p.values.get("--url") ?? []) {
    const eq = v.indexOf("=");
    const c = v.slice(0, eq);
    if (eq < 0 || !(COMPONENTS as readonly string[]).includes(c))
      throw new VerifyArgsError(
        `--url: expected <component>=<url> with a component of ${COMPONENTS.join(", ")}, got "${v.replace(/\/\/[^/@]*@/, "//")}"`,
      );
    const url = v.slice(eq + 1);
    let ok = false;
    try {
      ok = ["http:", "https:"].includes(new URL(url).protocol);
    } catch {
      ok = false;
    }
    if (!ok)
      throw new VerifyArgsError(
        `--url ${c}: expected an http(s) URL, got "${url.replace(/\/\/[^/@]*@/, "//")}"`,
      );
    urls[c as Component] = url;
  }
  const duration = (flag: string): number | undefined => {
    const v = one(flag);
    if (v === undefined) return undefined;
    const s = promDurationSeconds(v);
    if (!s || s < 1)
      throw new VerifyArgsError(`${flag}: expected a duration of at least 1s (30s, 5m, 1h), got "${v}"`);
    return s;
  };
  const agree = { windowSeconds: duration("--window"), stepSeconds: duration("--step") };
  const window = agree.windowSeconds ?? AGREE_DEFAULTS.windowSeconds;
  const step = agree.stepSeconds ?? AGREE_DEFAULTS.stepSeconds;
  if (window < step)
    throw new VerifyArgsError(
      `--window ${one("--window") ?? "1h"} is shorter than --step ${one("--step") ?? "1m"}: a range query needs at least one step`,
    );
  const stack = one("--stack");
  if (!stack) throw new VerifyArgsError("--stack is required");
  return {
    stack,
    urls,
    json: p.switches.has("--json"),
    gate,
    lokiStep,
    dir: one("--dir"),
    agree,
    help: false,
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
  const load = (files: string[]) => files.map((f) => readKubeconfig(f)).filter((f): f is Kubeconfig => !!f);
  const ambient = load(ambientKubeconfigPaths(env));
  const providerFiles = cfg.kubeconfig ? load([expandHome(cfg.kubeconfig)]) : ambient;
  return kubeContextProblems(cfg, providerFiles, ambient, {});
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

/** The whole command; returns its exit code and never throws. */
export async function runVerify(argv: string[], deps: VerifyDeps = {}): Promise<number> {
  const out = deps.out ?? ((t: string) => process.stdout.write(t));
  const err = deps.err ?? ((t: string) => process.stderr.write(t));
  const env = deps.env ?? process.env;
  let args: VerifyArgs;
  let exp: Expectations;
  let cfg: StackConfig;
  const fail = (e: unknown) => {
    if (e instanceof VerifyArgsError) err(`${e.message}\n${USAGE}\n`);
    else if (e instanceof ConfigError || e instanceof CliConfigError)
      err(`${argv.join(" ")}: ${e.message}\n`);
    // What verify reaches or renders says what went wrong in its own words; anything else is a
    // bug: one line and where its trace went.
    else if (
      e instanceof Error &&
      KNOWN_FAILURES.some((name) => e.name === name || e.constructor.name === name)
    )
      err(`verify: ${e.message}\n`);
    else err(`${internalErrorText("verify", e)}\n`);
    return 2;
  };
  let root: string;
  try {
    args = parseVerifyArgs(argv);
    if (args.help) {
      out(helpText(VERIFY));
      return 0;
    }
    root = args.dir ? path.resolve(args.dir) : projectRoot(__dirname);
    cfg = loadStackConfig(root, args.stack, env);
  } catch (e) {
    return fail(e);
  }
  // Everything that needs no cluster and no render is judged first.
  if (args.lokiStep) {
    const next = nextLokiStep(cfg.loki);
    if (args.lokiStep !== next) {
      err(
        `--gate ${args.lokiStep}: Loki runs ${cfg.loki.mode}${cfg.loki.mode === "Monolithic<->SimpleScalable" ? ` with loki.write ${cfg.loki.write}` : ""}; ${next ? `the next step is ${next}` : "it is not moving off SimpleScalable (no step comes next)"}\n${USAGE}\n`,
      );
      return 2;
    }
  }
  if (args.gate) {
    const next = PHASES[PHASES.indexOf(cfg.phase) + 1];
    if (args.gate !== next) {
      err(
        `--gate ${args.gate}: the stack is at ${cfg.phase}; the gate asks about the next phase${next ? ` (${next})` : " and there is none"}\n${USAGE}\n`,
      );
      return 2;
    }
  }
  // Checked once, before the first kubectl call (none is made when every component has a --url and
  // Grafana's login comes from the environment); a refusal is one error and exit 2, not a report.
  const cluster = {
    context: cfg.kubeContext ?? "",
    kubeconfig: cfg.kubeconfig && expandHome(cfg.kubeconfig),
  };
  const preflight = (): string | undefined => {
    let problems: string[];
    try {
      problems = verifyContextProblems(cfg, env);
    } catch (e) {
      problems = [e instanceof Error ? e.message : String(e)];
    }
    if (problems.length > 0)
      return `not reaching the cluster:\n${problems.map((p) => `  - ${p}`).join("\n")}`;
    return clusterUnreachable(cluster, cfg.namespace, env);
  };
  // Without any --url (the usual run) every component is reached through kubectl, so the context
  // and the cluster are judged now, before the render (tens of seconds on a cold cache): a wrong
  // context is refused before verify does anything else. With some --url, which components still
  // need kubectl depends on the checks the phase runs; Reach asks the same preflight before its
  // first kubectl call.
  const needsCluster = Object.keys(args.urls).length === 0;
  const early = needsCluster ? preflight() : undefined;
  if (early) {
    err(`verify --stack ${args.stack}: ${early}\n`);
    return 2;
  }
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
    err(`verify --stack ${args.stack}: ${reach.refused}\n`);
    return 2;
  }
  out(args.json ? JSON.stringify(report) + "\n" : formatReport(report));
  return report.checks.some((c) => c.status === "fail") ? 1 : 0;
}
