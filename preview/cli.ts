// First, before any SDK module: the version-guarded SDK start-up shortcut.
import "./startup";
// First, for its effect: Helm and the contract link in place (see preview/tools.ts).
import "./tools";
import { helpText, SYNTH, usageLine, wantsHelp } from "./cliSpecs";
import * as fs from "fs";
import * as path from "path";
import { ConfigError } from "../config/resolve";
import { evaluateResources, failed, formatViolations, verdict, type PackConfig } from "../policy/evaluate";
import { synthStack } from "./run";
import { SynthInputError, withoutImportIds } from "./synthesize";
import { CliConfigError } from "../config/stackFile";
import { ChartCacheError } from "./render/helm";
import { rawObjects, stackObjects, withRenderedObjects } from "./render/objects";
import { renderErrors, renderExport } from "./render/render";
import { DEFAULT_KUBE_VERSION } from "./render/types";
import { formatFindings, formatWorkloadTable, placedFrom, workloadTable } from "./checks";
import { checkStackCached } from "./checks/cache";
import { budgetOf, countByType, formatBudget, formatTree } from "./report";
import { projectRoot, stackNames } from "./paths";
import { runningOverrides } from "./change/runningConfig";

const USAGE = usageLine(SYNTH);

function parseArgs(argv: string[]): {
  stacks: string[] | "all";
  out: string;
  dir?: string;
  policyConfig?: string;
  quiet: boolean;
  render: boolean;
  workloads: boolean;
  against?: string;
  running?: string;
} {
  let stacks: string[] | "all" = [];
  let out = "out";
  let policyConfig: string | undefined;
  let quiet = false;
  let render = true;
  let workloads = false;
  let dir: string | undefined;
  let against: string | undefined;
  let running: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new SynthInputError(`${a} needs a value\n${USAGE}`);
      return v;
    };
    if (a === "--stack") (stacks === "all" ? [] : stacks).push(next());
    else if (a === "--all") stacks = "all";
    else if (a === "--out") out = next();
    else if (a === "--dir") dir = next();
    else if (a === "--policy-config") policyConfig = next();
    else if (a === "--quiet") quiet = true;
    else if (a === "--no-render") render = false;
    else if (a === "--workloads") workloads = true;
    else if (a === "--against") against = next();
    else if (a === "--running") running = next();
    else throw new SynthInputError(`unknown argument ${a}\n${USAGE}`);
  }
  if (stacks !== "all" && stacks.length === 0) throw new SynthInputError(USAGE);
  if (workloads && !render) throw new SynthInputError(`--workloads needs the render\n${USAGE}`);
  if ((against || running) && (stacks === "all" || stacks.length !== 1))
    throw new SynthInputError(`--against and --running check one stack: give exactly one --stack\n${USAGE}`);
  if ((against || running) && !render)
    throw new SynthInputError(`--against and --running render: drop --no-render\n${USAGE}`);
  return { stacks, out, dir, policyConfig, quiet, render, workloads, against, running };
}

async function main(): Promise<number> {
  if (wantsHelp(process.argv.slice(2))) {
    process.stdout.write(helpText(SYNTH));
    return 0;
  }
  const args = parseArgs(process.argv.slice(2));
  const root = args.dir ? path.resolve(args.dir) : projectRoot();
  const stacks = args.stacks === "all" ? stackNames(root) : args.stacks;
  // ajv (63 modules) loads only when a pack config is given.
  const packConfig: PackConfig = args.policyConfig
    ? (await import("./pack")).readPackConfig(args.policyConfig)
    : {};
  fs.mkdirSync(args.out, { recursive: true });
  let code = 0;
  for (const stack of stacks) {
    let result;
    try {
      result = await synthStack(root, stack, args.running ? runningOverrides(root, stack, args.running) : {});
    } catch (e) {
      if (e instanceof ConfigError || e instanceof SynthInputError || e instanceof CliConfigError) {
        console.error(`${stack}: ${e.message}`);
        return 2;
      }
      console.error(`${stack}: program error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      return 2;
    }
    if (result.placeholders.length > 0) {
      console.error(
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
    let rendered = "";
    let judged = resources;
    if (args.render) {
      let renders;
      try {
        renders = await renderExport(result.export);
      } catch (e) {
        if (!(e instanceof ChartCacheError)) throw e;
        console.error(`${stack}: cannot render: ${e.message}`);
        return 2;
      }
      const renderedFile = path.join(args.out, `${stack}.rendered.json`);
      const raw = rawObjects(result.export, result.secretDataKeys);
      // Compact: several MB (the CRDs' schemas), read by programs (policy:check, jq), and half the
      // time to write of an indented file.
      fs.writeFileSync(
        renderedFile,
        JSON.stringify({ kubeVersion: DEFAULT_KUBE_VERSION, releases: renders, raw }) + "\n",
      );
      const errors = renderErrors(renders);
      if (errors.length > 0) {
        console.error(
          `${stack}: ${errors.length} of ${renders.length} Helm releases did not render (helm template):\n` +
            errors.map((e) => `  ${e}`).join("\n"),
        );
        code = 1;
      }
      judged = withRenderedObjects(resources, renders);
      const objects = renders.reduce((n, r) => n + r.objects.length, 0);
      rendered = `; rendered ${renders.length - errors.length}/${renders.length} releases into ${objects} objects (+${raw.length} raw) -> ${renderedFile}`;
      // Checks on what the cluster would receive (preview/checks): schemas, duplicates,
      // addresses, ${VAR}s, host ports, creation order. The verdict is cached by the objects' and
      // the checks' content (preview/checks/cache.ts): an unchanged stack is not re-validated.
      const placed = placedFrom(stackObjects(renders, raw));
      const checks = checkStackCached(placed, resources);
      // What each pod may do (privileges, host access, hardening), operator-made pods included.
      if (args.workloads)
        console.log(`== ${stack}: workloads\n${formatWorkloadTable(workloadTable(placed))}\n`);
      rendered += `; checked ${checks.builtinValidated} built-in + ${checks.customValidated} custom objects, ${checks.addressesResolved} addresses, ${checks.variablesChecked} \${VAR}s, ${checks.podsJudged} pods at their Pod Security level, ${checks.connectionsAllowed} connections allowed by NetworkPolicies${checks.networkPoliciesDeferred.length ? ` (deferred in ${checks.networkPoliciesDeferred.join(", ")})` : ""}: ${checks.findings.length} problem(s)`;
      for (const n of checks.notRun ?? []) console.error(`${stack}: !!! ${n}`);
      if (checks.findings.length > 0) {
        console.error(
          `${stack}: the rendered stack would fail in a cluster:\n${formatFindings(checks.findings)}`,
        );
        code = 1;
      }
    }
    // The pack and the budget judge what the cluster would receive: rendered objects stand beside
    // their releases (withRenderedObjects), so images and requests are the ones that really run.
    const violations = await evaluateResources(judged, packConfig);
    if (!args.quiet) {
      console.log(`== ${stack}: resource tree`);
      console.log(formatTree(resources));
      const budget = budgetOf(judged);
      if (budget) {
        console.log(
          `\n== ${stack}: resource budget (requests and limits per node pool; DaemonSets per node)`,
        );
        console.log(formatBudget(budget));
      }
      // What this synthesis deletes or replaces on purpose (the stack output `plannedChanges`,
      // e.g. vmsingle giving way to a VMCluster): said here, never done silently.
      const stackRes = result.export.deployment.resources.find((r) => r.type === "pulumi:pulumi:Stack");
      const planned = Object.entries((stackRes?.outputs?.plannedChanges ?? {}) as Record<string, string>);
      if (planned.length > 0)
        console.log(`\n== ${stack}: planned changes\n${planned.map(([k, v]) => `  ${k}: ${v}`).join("\n")}`);
    }
    if (violations.length > 0)
      console.log(`\n== ${stack}: policy violations\n${formatViolations(violations)}`);
    const byType = countByType(resources)
      .map(([t, n]) => `${t.split(":").pop()}×${n}`)
      .join(", ");
    console.log(
      `\n${stack}: ${resources.filter((r) => r.custom).length} resources (${byType}) -> ${file}${rendered}; ${verdict(violations)}`,
    );
    if (failed(violations)) code = 1;
    // The change from what runs (or ran) to this synthesis: preview/change.
    if (args.against || args.running || result.export.deployment.resources.some((r) => r.importId)) {
      const change = await import("./change/cli");
      const c = await change.checkChange(root, stack, result, {
        against: args.against,
        running: args.running,
      });
      console.log(c.text);
      if (c.code !== 0) code = c.code;
    }
  }
  return code;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    // Bad input (arguments, a pack config) gets its message; anything else its stack.
    console.error(e instanceof SynthInputError || e?.name === "PackConfigError" ? e.message : e);
    process.exit(2);
  },
);
