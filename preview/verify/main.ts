/**
 * `npm run verify -- --stack <name> [--url <component>=<url> ...] [--json] [--gate <next-phase>]`:
 * asks the running stack's own APIs whether its phase works (and, with --gate, whether the next
 * phase is safe). What to expect comes from the stack's plan; verify decides no phase itself.
 * Exit 0: nothing failed; 1: a check failed; 2: bad arguments or config.
 */
import * as path from "path";
import { ConfigError, PHASES, parseStackConfig, rawFromPulumiConfig, type Phase } from "../../config/resolve";
import { capabilities } from "../../model/phases";
import { CliConfigError, cliStackConfig } from "../../config/stackFile";
import { projectRoot } from "../paths";
import { runChecks } from "./checks";
import { expectationsFor } from "./expect";
import { Reach } from "./reach";
import { formatReport } from "./report";
import { COMPONENTS, type Component, type Expectations, type Report } from "./types";

export const USAGE =
  "usage: npm run verify -- --stack <name> [--url <component>=<url> ...] [--json] [--gate <next-phase>]\n" +
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

/** Reads the stack's config as the CLI would (secrets unknown: verify needs none) and plans it. */
export async function loadExpectations(
  root: string,
  stack: string,
  jobs: (root: string, stack: string) => Promise<string[]>,
  env: NodeJS.ProcessEnv,
): Promise<Expectations> {
  const { config } = cliStackConfig(root, stack);
  const cfg = parseStackConfig(rawFromPulumiConfig(config), stack, env, { allowAbsentSecrets: true });
  return expectationsFor(cfg, await jobs(root, stack));
}

/** The whole command; returns its exit code and never throws. */
export async function runVerify(argv: string[], deps: VerifyDeps = {}): Promise<number> {
  const out = deps.out ?? ((t: string) => process.stdout.write(t));
  const err = deps.err ?? ((t: string) => process.stderr.write(t));
  const env = deps.env ?? process.env;
  let args: VerifyArgs;
  let exp: Expectations;
  try {
    args = parseVerifyArgs(argv);
    const root = args.dir ? path.resolve(args.dir) : projectRoot(__dirname);
    const jobs = deps.jobs ?? (async (r: string, s: string) => (await import("./jobs")).promisedJobs(r, s));
    exp = await loadExpectations(root, args.stack, jobs, env);
  } catch (e) {
    if (e instanceof VerifyArgsError) err(`${e.message}\n${USAGE}\n`);
    else if (e instanceof ConfigError || e instanceof CliConfigError)
      err(`${argv.join(" ")}: ${e.message}\n`);
    else err(`verify: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  if (args.gate) {
    const next = PHASES[PHASES.indexOf(exp.phase) + 1];
    if (args.gate !== next) {
      err(
        `--gate ${args.gate}: the stack is at ${exp.phase}; the gate asks about the next phase${next ? ` (${next})` : " and there is none"}\n${USAGE}\n`,
      );
      return 2;
    }
  }
  const reach = new Reach(exp, args.urls, env);
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
  out(args.json ? JSON.stringify(report) + "\n" : formatReport(report));
  return report.checks.some((c) => c.status === "fail") ? 1 : 0;
}
