/**
 * `npm run policy:check`: the command, as a function of its arguments and output streams
 * (cli/policyCheck.ts is the process wrapper that calls it with the process's own).
 */
import * as fs from "fs";
import {
  evaluateResources,
  failed,
  verdict,
  type ExportedResource,
  type PackConfig,
} from "../policy/evaluate";
import { withRenderedObjects } from "../synth/render/objects";
import type { ReleaseRender } from "../synth/render/types";
import type { ExportResource } from "../synth/synthesize";
import { CliArgsError, helpText, parseArgs, POLICY_CHECK, usage } from "./spec";
import {
  attributeOverrides,
  chartValueOverridesOf,
  formatMergedViolations,
  mergeProblems,
  resourceCount,
} from "../synth/report";
import { exportFiles, ExportFilesError, type ExportCandidate } from "./exportFiles";
import { internalErrorText } from "./internalError";
import { printers, traceDirOf, type CliIo } from "./io";

/**
 * `npm run policy:check` (cli/policyCheck.ts is its process wrapper): runs the command line `argv`,
 * writing to `io`, and returns the exit status (0 pass, 1 a mandatory violation, 2 bad input or an
 * unexpected error). It never throws and sets nothing of the process, so tests run it in theirs.
 */
export async function runPolicyCheck(argv: string[], io: CliIo): Promise<number> {
  const { err } = printers(io);
  const env = io.env ?? process.env;
  try {
    return await policyCheckMain(argv, io);
  } catch (e) {
    if (e instanceof CliArgsError)
      err(
        `policy:check: ${e.message}\n${usage(POLICY_CHECK)}\n(npm run policy:check -- --help describes every flag)`,
      );
    else if (e instanceof ExportFilesError) err(`policy:check: ${e.message}`);
    else if ((e as Error | undefined)?.name === "PackConfigError") err((e as Error).message);
    else err(internalErrorText("policy:check", e, env.HOMELAB_DEBUG === "1", traceDirOf(env)));
    return 2;
  }
}

async function policyCheckMain(argv: string[], io: CliIo): Promise<number> {
  const { out, err } = printers(io);
  const args = parseArgs(POLICY_CHECK, argv);
  if (args.help) {
    io.stdout.write(helpText(POLICY_CHECK));
    return 0;
  }
  if (args.positional.length === 0)
    throw new CliArgsError("give at least one export file, folder or pattern", POLICY_CHECK);
  const { inOrder } = exportFiles(args.positional);
  const configFile = args.values.get("--config")?.[0];
  // ajv (63 modules) loads only when a pack config is given.
  const config: PackConfig = configFile
    ? (await import("../synth/pack")).readPackConfig(configFile, err)
    : {};
  // Every file not judged is said, with why, where it stands among the others: nothing in a folder
  // passes unseen. One line each: a parser's message can quote the file's own line breaks.
  const skip = (file: string, why: string) => out(`skipped ${file}: ${why.replace(/\s*\n\s*/g, " ")}`);
  const verdicts: { file: string; failed: boolean }[] = [];
  for (const entry of inOrder) {
    if ("why" in entry) skip(entry.file, entry.why);
    else {
      const judged = await judgeFile(entry, config, io, skip);
      if (judged === "bad input") return 2;
      if (judged) verdicts.push(judged);
    }
  }
  if (verdicts.length === 0) {
    err(`policy:check: no stack export among ${args.positional.join(" ")} (each file above says why)`);
    return 2;
  }
  const failing = verdicts.filter((v) => v.failed).map((v) => v.file);
  // Over several exports, the last line says which failed, with the exit status.
  if (verdicts.length > 1)
    out(
      failing.length > 0
        ? `policy:check: FAIL (exit 1): ${failing.length} of ${verdicts.length} exports failed: ${failing.join(", ")}`
        : `policy:check: pass (exit 0): ${verdicts.length} exports, every one passed`,
    );
  return failing.length > 0 ? 1 : 0;
}

/**
 * One export's lines, grouped under its header: the count (synth's) with the chart values
 * overrides in force, each violation (with the `chartValues` key behind it, as synth names it),
 * then the verdict on a line of its own. A file a folder or pattern found that is not an export is
 * skipped instead; one named on the command line must be an export ("bad input": exit 2).
 */
async function judgeFile(
  { file, named }: ExportCandidate,
  config: PackConfig,
  io: CliIo,
  skip: (file: string, why: string) => void,
): Promise<{ file: string; failed: boolean } | "bad input" | undefined> {
  const { out, err } = printers(io);
  let doc: any;
  try {
    doc = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    if (!named) {
      skip(file, `not JSON (${(e as Error).message})`);
      return undefined;
    }
    err(`${file}: cannot read a stack export: ${(e as Error).message}`);
    return "bad input";
  }
  const resources: ExportedResource[] | undefined = doc?.deployment?.resources;
  if (!Array.isArray(resources)) {
    // A file named on the command line must be an export; one a folder or pattern found is skipped.
    if (!named) {
      skip(file, "not a `pulumi stack export` file (no deployment.resources[])");
      return undefined;
    }
    err(`${file}: not a \`pulumi stack export\` file (expected deployment.resources[])`);
    return "bad input";
  }
  // Rendered objects beside the export (from `npm run synth`) are judged by the pack as the raw
  // resources they are; the rendered-object checks (schemas, addresses, Pod Security) are synth's.
  const renderedFile = file.replace(/\.json$/, ".rendered.json");
  let judged = resources;
  let note = "";
  if (renderedFile !== file && fs.existsSync(renderedFile)) {
    const renders: ReleaseRender[] = JSON.parse(fs.readFileSync(renderedFile, "utf8")).releases ?? [];
    judged = withRenderedObjects(resources as ExportResource[], renders);
    note = ` + ${judged.length - resources.length} rendered objects (${renderedFile})`;
  }
  // The stack output synth reads too: a report on an overridden chart names the key behind it.
  const overrides = chartValueOverridesOf(resources);
  out(`${file}: ${resourceCount(resources)}${note}`);
  if (overrides.length > 0)
    out(`${file}: chart values overrides in force (chartValues): ${overrides.join(", ")}`);
  // One message per mistake (synth/report.ts), as synth prints them.
  const merged = mergeProblems(await evaluateResources(judged, config), []).violations;
  const violations = attributeOverrides(merged, judged, overrides);
  if (violations.length) out(formatMergedViolations(violations));
  out(`${file}: ${verdict(violations)}`);
  return { file, failed: failed(violations) };
}
