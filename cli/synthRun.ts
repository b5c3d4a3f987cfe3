/**
 * `npm run synth`: the command, as a function of its arguments and output streams (cli/synth.ts is
 * the process wrapper that calls it with the process's own).
 */
import * as fs from "fs";
import * as path from "path";
import { ConfigError } from "../config/resolve";
import { evaluateResources, verdict, type PackConfig } from "../policy/evaluate";
import { synthStack } from "../synth/run";
import { SynthInputError, withoutImportIds, type ExportResource } from "../synth/synthesize";
import { CliConfigError } from "../config/stackFile";
import { ChartCacheError } from "../synth/render/helm";
import { rawObjects, stackObjects, withRenderedObjects } from "../synth/render/objects";
import { renderErrors, renderExport } from "../synth/render/render";
import { DEFAULT_KUBE_VERSION } from "../synth/render/types";
import { placedFrom } from "../checks/placed";
import { checkStackCached } from "../checks/cache";
import {
  attributeOverrides,
  budgetOf,
  closingLine,
  countByType,
  formatBudget,
  formatLeftOut,
  formatMergedFindings,
  formatMergedViolations,
  formatTree,
  leftOutCounts,
  mergeProblems,
  outcomeCode,
  resourceCount,
  runClosingLine,
  type CheckFinding,
  type StackOutcome,
} from "../synth/report";
import { CliArgsError, helpText, parseArgs, SYNTH, usage, wrap } from "./spec";
import { didYouMean } from "../config/errors";
import { projectRoot, stackNames } from "../config/paths";
import { runningOverrides } from "../change/runningConfig";
import { internalErrorText } from "./internalError";
import { printers, traceDirOf, type CliIo, type Sink } from "./io";
import { MissingReferenceError } from "../upstream/reference";

/** The parsed command line; cli/spec.ts SYNTH is its spec (flags, help, docs). */
interface SynthArgs {
  stacks: string[] | "all";
  out: string;
  dir?: string;
  policyConfig?: string;
  quiet: boolean;
  render: boolean;
  workloads: boolean;
  against?: string;
  running?: string;
  help: boolean;
}

export function parseSynthArgs(argv: string[]): SynthArgs {
  const p = parseArgs(SYNTH, argv);
  const one = (f: string) => p.values.get(f)?.[0];
  const given = p.values.get("--stack") ?? [];
  const args: SynthArgs = {
    stacks: p.switches.has("--all") ? "all" : given,
    out: one("--out") ?? "out",
    dir: one("--dir"),
    policyConfig: one("--policy-config"),
    quiet: p.switches.has("--quiet"),
    render: !p.switches.has("--no-render"),
    workloads: p.switches.has("--workloads"),
    against: one("--against"),
    running: one("--running"),
    help: p.help,
  };
  if (args.help) return args;
  const bad = (m: string) => new CliArgsError(m, SYNTH);
  if (args.stacks !== "all" && args.stacks.length === 0) throw bad("give --stack <name> or --all");
  if (args.stacks === "all" && given.length > 0) throw bad("--all and --stack: give one of them");
  if (args.workloads && !args.render) throw bad("--workloads needs the render: drop --no-render");
  if ((args.against || args.running) && (args.stacks === "all" || args.stacks.length !== 1))
    throw bad("--against and --running check one stack: give exactly one --stack");
  if ((args.against || args.running) && !args.render)
    throw bad("--against and --running render: drop --no-render");
  return args;
}

/** Progress on stderr, for a person watching: never under --quiet or when stderr is not a terminal. */
function progressTo(quiet: boolean, stderr: Sink): (text: string) => void {
  const on = !quiet && stderr.isTTY === true;
  return (text) => {
    if (on) stderr.write(`... ${text}\n`);
  };
}

/**
 * `npm run synth` (cli/synth.ts is its process wrapper): runs the command line `argv`, writing to
 * `io`, and returns the exit status (0 pass, 1 a finding, 2 bad input or an unexpected error). It
 * never throws and sets nothing of the process (exit code, cwd, env), so tests run it in their
 * own process, one run after another.
 */
export async function runSynth(argv: string[], io: CliIo): Promise<number> {
  const { err } = printers(io);
  const env = io.env ?? process.env;
  try {
    return await synthMain(argv, io);
  } catch (e) {
    // Bad input (arguments, a pack config, a stack file) gets its message; anything else one line
    // saying where its trace went.
    if (e instanceof CliArgsError)
      err(`synth: ${e.message}\n${usage(SYNTH)}\n(npm run synth -- --help describes every flag)`);
    else if (
      e instanceof SynthInputError ||
      e instanceof CliConfigError ||
      e instanceof ConfigError ||
      e instanceof MissingReferenceError ||
      (e as Error | undefined)?.name === "PackConfigError"
    )
      err((e as Error).message);
    else err(internalErrorText("synth", e, env.HOMELAB_DEBUG === "1", traceDirOf(env)));
    return 2;
  }
}

async function synthMain(argv: string[], io: CliIo): Promise<number> {
  const { out, err } = printers(io);
  const env = io.env ?? process.env;
  const args = parseSynthArgs(argv);
  if (args.help) {
    io.stdout.write(helpText(SYNTH));
    return 0;
  }
  const progress = progressTo(args.quiet, io.stderr);
  const root = args.dir ? path.resolve(args.dir) : projectRoot();
  const known = stackNames(root);
  const stacks = args.stacks === "all" ? known : args.stacks;
  // Every stack named is judged before any work: an unknown one lists the stacks there are.
  for (const s of stacks)
    if (!known.includes(s)) {
      err(
        `--stack ${s}: no stack file Pulumi.${s}.yaml in ${root}${didYouMean(s, known)}\n` +
          `  stacks there: ${known.join(", ") || "none"}`,
      );
      return 2;
    }
  // ajv (63 modules) loads only when a pack config is given.
  const packConfig: PackConfig = args.policyConfig
    ? (await import("../synth/pack")).readPackConfig(args.policyConfig)
    : {};
  // A previous state that is not an export is bad input, said before any synthesis or render
  // (the change check reads it again after them).
  if (args.against) (await import("../change/against")).readExport(args.against);
  fs.mkdirSync(args.out, { recursive: true });
  const outcomes: StackOutcome[] = [];
  for (const stack of stacks) {
    let result;
    try {
      progress(`${stack}: synthesizing the program under mocks`);
      result = await synthStack(root, stack, args.running ? runningOverrides(root, stack, args.running) : {});
    } catch (e) {
      if (e instanceof ConfigError || e instanceof SynthInputError || e instanceof CliConfigError) {
        err(`${stack}: ${e.message}`);
        return 2;
      }
      err(internalErrorText(`synth ${stack}`, e, env.HOMELAB_DEBUG === "1", traceDirOf(env)));
      return 2;
    }
    if (result.placeholders.length > 0) {
      err(
        `${stack}: secrets not set, placeholders stand in offline (a real run needs them): ${result.placeholders.join(", ")}`,
      );
    }
    const resources = result.export.deployment.resources;
    const file = path.join(args.out, `${stack}.json`);
    // A real `pulumi stack export` has no import field: the file leaves it out, the side record keeps it.
    fs.writeFileSync(file, JSON.stringify(withoutImportIds(result.export), null, 2) + "\n");
    // A real export has no import field: imports and reads go to a side record.
    if (result.imports.length > 0 || result.reads.length > 0)
      fs.writeFileSync(
        path.join(args.out, `${stack}.adopted.json`),
        JSON.stringify({ imports: result.imports, reads: result.reads }, null, 2) + "\n",
      );
    // What the cluster would receive: every release through the real Helm, beside the export.
    /** Summary lines after the count, each wrapped at 80 columns below. */
    const rendered: string[] = [];
    let judged = resources;
    let notRendered = 0;
    let findings: CheckFinding[] = [];
    if (args.render) {
      let renders;
      try {
        progress(`${stack}: rendering Helm releases (a cold cache pulls and renders every chart)`);
        renders = await renderExport(result.export);
      } catch (e) {
        if (!(e instanceof ChartCacheError)) throw e;
        // helm.ts names the ways out: HOMELAB_CHART_CACHE, or --no-render.
        err(`${stack}: cannot render: ${e.message}`);
        return 2;
      }
      const renderedFile = path.join(args.out, `${stack}.rendered.json`);
      const raw = rawObjects(result.export, result.secretDataKeys);
      // Compact: several MB (the CRDs' schemas), read by programs (policy:check, jq), and half the
      // time to write of an indented file.
      const renderedText = JSON.stringify({ kubeVersion: DEFAULT_KUBE_VERSION, releases: renders, raw });
      fs.writeFileSync(renderedFile, renderedText + "\n");
      const errors = renderErrors(renders);
      if (errors.length > 0) {
        err(
          `${stack}: ${errors.length} of ${renders.length} Helm releases did not render (helm template):\n` +
            errors.map((e) => `  ${e}`).join("\n"),
        );
        notRendered = errors.length;
      }
      judged = withRenderedObjects(resources, renders);
      const objects = renders.reduce((n, r) => n + r.objects.length, 0);
      rendered.push(
        `rendered ${renders.length - errors.length}/${renders.length} releases into ${objects} objects (+${raw.length} raw) -> ${renderedFile}`,
      );
      // Checks on what the cluster would receive (checks): schemas, duplicates,
      // addresses, ${VAR}s, host ports, creation order. The verdict is cached by the objects' and
      // the checks' content (checks/cache.ts): an unchanged stack is not re-validated.
      progress(`${stack}: checking the rendered objects`);
      const placed = placedFrom(stackObjects(renders, raw));
      // Keyed by the rendered file's text, which the placed objects are made from (no second
      // serialization of several MB).
      const checks = checkStackCached(placed, resources, { objectsText: renderedText });
      // What each pod may do (privileges, host access, hardening), operator-made pods included.
      if (args.workloads) {
        const { formatWorkloadTable, workloadTable } =
          // eslint-disable-next-line @typescript-eslint/no-require-imports
          require("../checks/privileges") as typeof import("../checks/privileges");
        out(`== ${stack}: workloads\n${formatWorkloadTable(workloadTable(placed))}\n`);
      }
      const deferred = checks.networkPoliciesDeferred.length
        ? ` (deferred in ${checks.networkPoliciesDeferred.join(", ")})`
        : "";
      const pins = checks.imagesByTagOnly.length
        ? `${checks.imagesByTagOnly.length} pins without a digest`
        : "every pin with its digest";
      rendered.push(
        [
          `checked ${checks.builtinValidated} built-in + ${checks.customValidated} custom objects`,
          `${checks.addressesResolved} addresses`,
          `${checks.variablesChecked} \${VAR}s`,
          `${checks.podsJudged} pods at their Pod Security level`,
          `${checks.connectionsAllowed} connections allowed by NetworkPolicies${deferred}`,
          `${checks.egressAllowed} by their egress rules${checks.egressNotEnforced ? ` (rendered, not enforced: network.egress)` : ""}`,
          `${checks.metricQueries} panel and rule queries against the metrics the stack emits (${checks.metricsUnverified.length} names not in the data; ${leftOutCounts(checks.leftOut ?? [])} left out: nothing here emits what they read)`,
          ...(checks.vectorConfigs
            ? [`${checks.vectorComponents} Vector components in ${checks.vectorConfigs} configs`]
            : []),
          `${checks.images} image references (${pins}): ${checks.findings.length} problem(s)`,
        ].join(", "),
      );
      // Each panel, dashboard and rule the stack leaves out, said (the summary counts them).
      if (!args.quiet && (checks.leftOut ?? []).length > 0) out(formatLeftOut(stack, checks.leftOut));
      for (const n of checks.notRun ?? []) err(`${stack}: !!! ${n}`);
      for (const w of checks.warnings ?? []) err(`${stack}: warning: ${w}`);
      findings = checks.findings;
    }
    // The pack and the budget judge what the cluster would receive: rendered objects stand beside
    // their releases (withRenderedObjects), so images and requests are the ones that really run.
    progress(`${stack}: running the policy pack`);
    const overrides = overridesOf(result.export);
    const { violations, problems } = await judge(stack, judged, findings, overrides, packConfig, err);
    // The summary line counts the problems as printed, one per mistake.
    const last = rendered.length - 1;
    if (last >= 0)
      rendered[last] = rendered[last].replace(/: \d+ problem\(s\)$/, `: ${problems.length} problem(s)`);
    if (!args.quiet) {
      out(`== ${stack}: resource tree`);
      out(formatTree(resources));
      const budget = budgetOf(judged);
      if (budget) {
        out(`\n== ${stack}: resource budget (requests and limits per node pool; DaemonSets per node)`);
        out(formatBudget(budget));
      }
      // What this synthesis deletes or replaces on purpose (the stack output `plannedChanges`,
      // e.g. vmsingle giving way to a VMCluster): said here, never done silently.
      const stackRes = result.export.deployment.resources.find((r) => r.type === "pulumi:pulumi:Stack");
      const planned = Object.entries((stackRes?.outputs?.plannedChanges ?? {}) as Record<string, string>);
      if (planned.length > 0)
        out(`\n== ${stack}: planned changes\n${planned.map(([k, v]) => `  ${k}: ${v}`).join("\n")}`);
    }
    if (violations.length > 0) out(`\n== ${stack}: policy violations\n${formatMergedViolations(violations)}`);
    const byType = countByType(resources)
      .map(([t, n]) => `${t.split(":").pop()}×${n}`)
      .join(", ");
    // At most 80 columns; the verdicts end the stack's output, each on a line of its own.
    const line = (t: string) => wrap(t, 80, "    ", "  ");
    out(
      [
        "",
        `== ${stack}: summary`,
        line(`${resourceCount(resources)} -> ${file}`),
        line(`custom resources by type: ${byType}`),
        ...rendered.map(line),
        ...(overrides.length > 0
          ? [`chart values overrides in force (chartValues): ${overrides.join(", ")}`]
          : []
        ).map(line),
        // The policy's verdict (as policy:check prints it), then the stack's own closing line below.
        `${stack}: ${verdict(violations)}`,
      ].join("\n"),
    );
    const outcome: StackOutcome = {
      stack,
      rendered: args.render,
      renderErrors: notRendered,
      checkProblems: problems.length,
      violations,
    };
    await closeStack(root, result, args, outcome, out);
    outcomes.push(outcome);
  }
  // Over several stacks, the last line says which failed: the exit status is the worst of them.
  if (outcomes.length > 1) out(runClosingLine(outcomes));
  return outcomes.reduce((c, o) => Math.max(c, outcomeCode(o)), 0);
}

/**
 * The end of a stack's output: the change from what runs (or ran) to this synthesis (change/), when
 * asked for or when the stack imports, then the verdict on a line of its own with the exit status.
 */
async function closeStack(
  root: string,
  result: Awaited<ReturnType<typeof synthStack>>,
  args: SynthArgs,
  outcome: StackOutcome,
  out: (text: string) => void,
): Promise<void> {
  if (args.against || args.running || result.export.deployment.resources.some((r) => r.importId)) {
    const change = await import("../change/check");
    const c = await change.checkChange(root, outcome.stack, result, {
      against: args.against,
      running: args.running,
    });
    out(c.text);
    outcome.change = c.code;
  }
  out(closingLine(outcome));
}

/**
 * The pack over what the cluster would receive, and one message per mistake: what the pack and the
 * checks report of one cause is merged, and a report on a release the stack's chartValues override
 * names those keys. The rendered-object problems are printed here (stderr), the violations by the
 * caller after the tree and budget.
 */
async function judge(
  stack: string,
  judged: ExportResource[],
  findings: CheckFinding[],
  overrides: string[],
  packConfig: PackConfig,
  err: (text: string) => void,
) {
  const merged = mergeProblems(await evaluateResources(judged, packConfig), findings);
  const violations = attributeOverrides(merged.violations, judged, overrides);
  const problems = attributeOverrides(merged.findings, judged, overrides);
  if (problems.length > 0)
    err(`${stack}: the rendered stack would fail in a cluster:\n${formatMergedFindings(problems)}`);
  return { violations, problems };
}

/**
 * The `chartValues` overrides the stack runs with (its output `chartValueOverrides`, `<chart>.<path>`
 * each), for the summary and for the reports they cause: a value the schema does not name is never
 * in force unseen.
 */
function overridesOf(exp: {
  deployment: { resources: { type: string; outputs?: Record<string, any> }[] };
}): string[] {
  const stackRes = exp.deployment.resources.find((r) => r.type === "pulumi:pulumi:Stack");
  return (stackRes?.outputs?.chartValueOverrides ?? []) as string[];
}
