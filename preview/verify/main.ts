/**
 * `npm run verify -- --stack <name> [--url <component>=<url> ...] [--json] [--gate <next-phase>]`:
 * asks the running stack's own APIs whether its phase works (and, with --gate, whether the next
 * phase is safe). What to expect comes from the stack's plan; verify decides no phase itself.
 * Exit 0: nothing failed; 1: a check failed; 2: bad arguments or config.
 */
import { helpText, usageLine, VERIFY, wantsHelp } from "../cliSpecs";
import * as path from "path";
import {
  ConfigError,
  PHASES,
  parseStackConfig,
  rawFromPulumiConfig,
  type Phase,
  type StackConfig,
} from "../../config/resolve";
import {
  ambientKubeconfigPaths,
  expandHome,
  kubeContextProblems,
  readKubeconfig,
  type Kubeconfig,
} from "../../config/kubeContext";
import { capabilities } from "../../model/phases";
import { CliConfigError, cliStackConfig } from "../../config/stackFile";
import { projectRoot } from "../paths";
import { runChecks } from "./checks";
import { expectationsFor } from "./expect";
import { Reach, clusterUnreachable } from "./reach";
import { formatReport } from "./report";
import { COMPONENTS, type Component, type Expectations, type Report } from "./types";

export const USAGE =
  usageLine(VERIFY) +
  "\n" +
  `  components: ${COMPONENTS.join(", ")} (Mimir's and its ruler's base URLs: their APIs are under /prometheus)\n` +
  `  phases: ${PHASES.join(", ")}`;

/** Bad arguments (exit 2). */
export class VerifyArgsError extends Error {}

export interface VerifyArgs {
  stack: string;
  urls: Partial<Record<Component, string>>;
  json: boolean;
  gate?: Phase;
  dir?: string;
}

export function parseVerifyArgs(argv: string[]): VerifyArgs {
  let stack: string | undefined;
  let json = false;
  let gate: Phase | undefined;
  let dir: string | undefined;
  const urls: Partial<Record<Component, string>> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new VerifyArgsError(`${a} needs a value`);
      return v;
    };
    if (a === "--stack") stack = next();
    else if (a === "--json") json = true;
    else if (a === "--dir") dir = next();
    else if (a === "--gate") {
      const g = next();
      if (!(PHASES as readonly string[]).includes(g))
        throw new VerifyArgsError(`--gate: expected a phase (${PHASES.join(", ")}), got "${g}"`);
      gate = g as Phase;
    } else if (a === "--url") {
      const v = next();
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
    } else throw new VerifyArgsError(`unknown argument ${a}`);
  }
  if (!stack) throw new VerifyArgsError("--stack is required");
  return { stack, urls, json, gate, dir };
}

/** What main needs from outside; tests hand in their own jobs and clock. */
export interface VerifyDeps {
  /** The promised scrape jobs (default: synthesis and render, ./jobs.ts). */
  jobs?: (root: string, stack: string) => Promise<string[]>;
  env?: NodeJS.ProcessEnv;
  now?: () => number;
  out?: (text: string) => void;
  err?: (text: string) => void;
}

/** Reads the stack's config as the CLI would (secrets unknown: verify needs none). */
export function loadStackConfig(root: string, stack: string, env: NodeJS.ProcessEnv): StackConfig {
  const { config } = cliStackConfig(root, stack);
  return parseStackConfig(rawFromPulumiConfig(config), stack, env, { allowAbsentSecrets: true });
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

/** The whole command; returns its exit code and never throws. */
export async function runVerify(argv: string[], deps: VerifyDeps = {}): Promise<number> {
  const out = deps.out ?? ((t: string) => process.stdout.write(t));
  const err = deps.err ?? ((t: string) => process.stderr.write(t));
  const env = deps.env ?? process.env;
  if (wantsHelp(argv)) {
    out(helpText(VERIFY));
    return 0;
  }
  let args: VerifyArgs;
  let exp: Expectations;
  let cfg: StackConfig;
  const fail = (e: unknown) => {
    if (e instanceof VerifyArgsError) err(`${e.message}\n${USAGE}\n`);
    else if (e instanceof ConfigError || e instanceof CliConfigError)
      err(`${argv.join(" ")}: ${e.message}\n`);
    else err(`verify: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  };
  let root: string;
  try {
    args = parseVerifyArgs(argv);
    root = args.dir ? path.resolve(args.dir) : projectRoot(__dirname);
    cfg = loadStackConfig(root, args.stack, env);
  } catch (e) {
    return fail(e);
  }
  // Everything that needs no cluster and no render is judged first.
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
  try {
    const jobs = deps.jobs ?? (async (r: string, s: string) => (await import("./jobs")).promisedJobs(r, s));
    exp = expectationsFor(cfg, await jobs(root, args.stack));
  } catch (e) {
    return fail(e);
  }
  const reach = new Reach(exp, args.urls, env, { ...cluster, preflight });
  let report: Report;
  try {
    const checks = await runChecks({
      exp,
      base: (c) => reach.base(c),
      grafanaLogin: () => reach.grafanaLogin(),
      gate: args.gate,
      next: args.gate ? capabilities(args.gate, exp.backend) : undefined,
      now: deps.now ?? (() => Date.now() / 1000),
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
