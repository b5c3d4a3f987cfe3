/**
 * `npm run policy:check`: the command, as a function of its arguments and output streams
 * (cli/policyCheck.ts is the process wrapper that calls it with the process's own).
 */
import * as fs from "fs";
import { FileReadError, readUtf8 } from "../config/readFile";
import { notJsonMessage } from "../config/jsonText";
import * as path from "path";
import {
  evaluateResources,
  failed,
  placerFor,
  verdict,
  type ExportedResource,
  type PackConfig,
} from "../policy/evaluate";
import { withRenderedObjects } from "../synth/render/objects";
import type { RenderedFile } from "../synth/render/types";
import { RELEASE_TYPE as HELM_RELEASE } from "../model/names";
import type { ExportResource } from "../synth/synthesize";
import { CliArgsError, helpText, parseArgsAll, POLICY_CHECK, usage } from "./spec";
import {
  attributeOverrides,
  chartValueOverridesOf,
  idleOverrideWarning,
  overridesInForce,
  stackRunsWith,
  unrunTargetOverrideWarning,
  formatMergedViolations,
  mergeProblems,
  overridePlacesIn,
  plural,
  resourceCount,
  type OverridePlace,
} from "../synth/report";
import { projectDirRefusal, projectRoot, shownFile } from "../config/paths";
import { PROJECT } from "../model/names";
import { exportFiles, namesFiles, type ExportCandidate } from "./exportFiles";
import { readStackExport, renderedFormProblem, sideFileOf } from "../synth/exportFile";
import { internalErrorText } from "./internalError";
import { printers, traceDirOf, type CliIo } from "./io";

/**
 * `npm run policy:check` (cli/policyCheck.ts is its process wrapper): runs the command line `argv`,
 * writing to `io`, and returns the exit status (0 pass, 1 a mandatory violation, 2 bad input or an
 * unexpected error), which its last line states on every way out (but --help). It never throws and
 * sets nothing of the process, so tests run it in theirs.
 */
export async function runPolicyCheck(argv: string[], io: CliIo): Promise<number> {
  const { err } = printers(io);
  const env = io.env ?? process.env;
  const { out } = printers(io);
  try {
    return await policyCheckMain(argv, io);
  } catch (e) {
    // Bad arguments and a refused pack config are said by policyCheckMain; anything else is one
    // line saying where its trace went, then, as on every other way out, the last line says the
    // exit status and why.
    err(internalErrorText("policy:check", e, env.HOMELAB_DEBUG === "1", traceDirOf(env)));
    out(failLine("an unexpected error (above)"));
    return 2;
  }
}

/**
 * Where the stack keys a report names are written (`file:line`, synth/report.ts overridePlacesIn):
 * in `Pulumi.<stack>.yaml` of `projectDir` (--dir, else this checkout, as synth reads it), the stack
 * the export's URNs name (`urn:pulumi:<stack>::<project>::…`). The export alone says nothing of the
 * file, so an export of another project, of a stack whose file is not there, or a key the file no
 * longer holds gets no place rather than a line of some other file.
 */
function placesOf(resources: ExportedResource[], projectDir: string): OverridePlace | undefined {
  const root = resources.find((r) => r.type === "pulumi:pulumi:Stack") ?? resources[0];
  // Pulumi's stack names: letters, digits, `-`, `_` and `.`; anything else is no file name to try.
  const m = /^urn:pulumi:([A-Za-z0-9_.-]+)::([^:]+)::/.exec(root?.urn ?? "");
  if (!m || m[2] !== PROJECT) return undefined;
  const overrides = overridePlacesIn(projectDir, m[1]);
  // A pool's key is placed only where the file holds the pool the pack judged (the stack-info
  // ConfigMap's record): `nodePools[0]` of a file edited since the export may be another pool. So
  // is a chartValues key, where the file holds the value the export's release values have: the
  // line of a `replicas: 3` is no place of the 2 the pack judged.
  const pools = placerFor(
    resources.map((r) => ({
      type: r.type,
      urn: r.urn,
      name: r.urn.slice(r.urn.lastIndexOf("::") + 2),
      props: r.outputs ?? r.inputs ?? {},
    })),
    projectDir,
    // Named as synth and the config refusals name the file (config/paths.ts shownFile).
    shownFile,
  );
  return (key) => (/^(?:nodePools\[|chartValues[.[])/.test(key) ? pools?.(key) : overrides(key));
}

/** The run's closing line when it ends with exit 2, and why. */
function failLine(why: string): string {
  return `policy:check: FAIL (exit 2): ${why}`;
}

/**
 * The run's last line, on every way out that judges: the exit status (the worst: 2 when a named
 * file, folder or pattern could not be judged or gave no export, then 1 when an export failed) and
 * every reason. `empty` are the arguments whose every file was skipped: each is judged on its own,
 * so a folder of no export beside an export that passes does not pass unseen.
 */
function closingLine(
  verdicts: { file: string; failed: boolean }[],
  unjudged: string[],
  empty: string[],
): { line: string; status: number } {
  const failing = verdicts.filter((v) => v.failed).map((v) => v.file);
  const judged =
    failing.length > 0
      ? `${failing.length} of ${plural(verdicts.length, "export")} failed: ${failing.join(", ")}`
      : verdicts.length === 1
        ? "1 export, it passed"
        : `${verdicts.length} exports, every one passed`;
  const reasons = [
    ...(unjudged.length > 0 ? [`could not judge ${unjudged.join(", ")} (above)`] : []),
    ...(empty.length > 0 ? [`no stack export among ${empty.join(" ")} (each file above says why)`] : []),
  ];
  if (reasons.length > 0) {
    const rest = verdicts.length > 0 ? [judged] : empty.length > 0 ? [] : ["no stack export judged"];
    return { line: failLine([...reasons, ...rest].join("; ")), status: 2 };
  }
  return failing.length > 0
    ? { line: `policy:check: FAIL (exit 1): ${judged}`, status: 1 }
    : { line: `policy:check: pass (exit 0): ${judged}`, status: 0 };
}

async function policyCheckMain(argv: string[], io: CliIo): Promise<number> {
  const { out, err } = printers(io);
  const {
    parsed: args,
    problems,
    argProblems,
    keptValues,
  } = parseArgsAll(POLICY_CHECK, argv, io.env ?? process.env, namesFiles);
  // A flag whose value is refused (given twice, no value) is that one message: the first of two
  // values read on would add a second about a file the user may not have meant.
  const refused = (flag: string) => argProblems.some((p) => p.valueRefused && p.flags.includes(flag));
  const one = (flag: string) => (refused(flag) ? undefined : args.values.get(flag)?.[0]);
  if (args.help && problems.length === 0) {
    io.stdout.write(helpText(POLICY_CHECK));
    return 0;
  }
  if (args.positional.length === 0 && !args.help)
    problems.push("give at least one export file, folder or pattern");
  // A --dir that is no project folder is bad input, said before any export is read (as synth's).
  const dirArg = one("--dir");
  const badDir = dirArg === undefined ? undefined : projectDirRefusal(dirArg);
  if (badDir) problems.push(badDir);
  // The pack config is read beside bad arguments: every mistake of the command line in one run.
  // Its lines (warnings, refusal) follow the arguments' and their usage.
  const configLines: string[] = [];
  const pack = await readConfig(one("--config"), (l) => configLines.push(l));
  if (problems.length > 0)
    err(
      `${new CliArgsError(problems, POLICY_CHECK).lines("policy:check")}\n${usage(POLICY_CHECK)}\n(npm run policy:check -- --help describes every flag)`,
    );
  for (const l of configLines) err(l);
  if (problems.length > 0 || "refused" in pack) {
    // The files named are read beside bad arguments too (every problem in one run), but for the
    // bare words npm may have passed on as a kept flag's value: its one message names them.
    const unread = namedInputProblems(
      args.positional.filter((a) => !keptValues.has(a)),
      io,
    );
    const reasons = [
      ...(problems.length > 0 ? ["bad arguments (above)"] : []),
      ...("refused" in pack ? [pack.refused] : []),
      ...(unread.length > 0 ? [`could not judge ${unread.join(", ")} (above)`] : []),
    ];
    out(failLine(reasons.join("; ")));
    return 2;
  }
  const { config } = pack;
  const projectDir = dirArg ? path.resolve(dirArg) : projectRoot();
  const { inOrder, byArg } = exportFiles(args.positional);
  // Every file not judged is said, with why, where it stands among the others: nothing in a folder
  // passes unseen. One line each: a parser's message can quote the file's own line breaks.
  const skip = (file: string, why: string) => out(`skipped ${file}: ${why.replace(/\s*\n\s*/g, " ")}`);
  const verdicts: { file: string; failed: boolean }[] = [];
  // What was named and could not be judged: said in its place, every other file still judged.
  const unjudged: string[] = [];
  // Rendered files whose export their own refusal already left unjudged: "judged with that
  // export" would then say the opposite of what happened.
  const refusedBeside = new Set<string>();
  for (const entry of inOrder) {
    if ("why" in entry) {
      if (!refusedBeside.has(path.resolve(entry.file))) skip(entry.file, entry.why);
    } else if ("problem" in entry) {
      err(led(entry.problem));
      unjudged.push(entry.file);
    } else {
      const judged = await judgeFile(entry, { config, projectDir }, io, skip);
      if (judged === "bad input") {
        unjudged.push(entry.file);
        refusedBeside.add(path.resolve(renderedFileOf(entry.file)));
      } else if (judged) verdicts.push(judged);
    }
  }
  // An argument gave something to judge when one of its files was judged or refused (said above),
  // or is a file synth writes beside an export that was (its rendered objects, its adopted list):
  // a shell's `out/*.json` names each of them on its own. Every other file was skipped with why.
  const said = new Set([...verdicts.map((v) => v.file), ...unjudged].map((f) => path.resolve(f)));
  const given = (f: string) => {
    const exportFile = sideFileOf(f)?.exportFile;
    return said.has(path.resolve(f)) || (exportFile !== undefined && said.has(path.resolve(exportFile)));
  };
  const empty = byArg.filter(({ files }) => !files.some(given)).map(({ arg }) => arg);
  const { line, status } = closingLine(verdicts, unjudged, empty);
  out(line);
  return status;
}

/**
 * A refusal of an argument or an input, in policy:check's one form: `policy:check: <flag or file>:
 * <what is wrong>; <what to do>` (an indented line after it only where it lists choices or a
 * file's own problems). Its stdout lines (a file's count, verdict, `skipped …`) are not refusals.
 */
const led = (text: string): string => `policy:check: ${text}`;

/**
 * What the arguments name, judged as inputs beside bad arguments (no pack runs): each path that
 * names nothing, and each file named that is no readable stack export, said; returns them.
 */
function namedInputProblems(named: string[], io: CliIo): string[] {
  const { err } = printers(io);
  const unread: string[] = [];
  for (const entry of exportFiles(named).inOrder) {
    if ("problem" in entry) {
      err(led(entry.problem));
      unread.push(entry.file);
    } else if ("named" in entry && entry.named && readExportFile(entry, io, () => {}) === "bad input")
      unread.push(entry.file);
  }
  return unread;
}

/**
 * The pack config of --config (none: the policies' defaults), or why it is refused, said on stderr
 * with the closing line's reason (`a bad pack config: --config pack.json (above)`).
 */
async function readConfig(
  file: string | undefined,
  err: (text: string) => void,
): Promise<{ config: PackConfig } | { refused: string }> {
  if (file === undefined) return { config: {} };
  try {
    // ajv (63 modules) loads only when a pack config is given.
    return { config: (await import("../synth/pack")).readPackConfig(file, err, "--config") };
  } catch (e) {
    if ((e as Error | undefined)?.name !== "PackConfigError") throw e;
    err(led((e as Error).message));
    return { refused: `a bad pack config: ${(e as { source?: string }).source} (above)` };
  }
}

/** A stack export read for judging: its resources, those with its rendered objects, and what they add. */
interface ReadExport {
  resources: ExportedResource[];
  judged: ExportedResource[];
  note: string;
}

/**
 * A stack export as an input, and its rendered objects beside it: "bad input" (said, led as every
 * refusal is) when a file that is not JSON, a file named on the command line that is no export, a
 * broken resource list or unreadable rendered objects; undefined (skipped, with why) for a JSON
 * file a folder or pattern found that is no export.
 */
function readExportFile(
  { file, named }: ExportCandidate,
  io: CliIo,
  skip: (file: string, why: string) => void,
): ReadExport | "bad input" | undefined {
  const { err } = printers(io);
  // The form is checked as synth --against checks it (synth/exportFile.ts): one file, one verdict.
  const read = readStackExport(file);
  if ("export" in read) return withRendered(file, read.export.deployment.resources, err);
  switch (read.refused) {
    case "unreadable":
      err(led(read.message));
      return "bad input";
    case "not JSON":
      // A .json file that does not parse is a broken file (a truncated copy, a failed synth), found
      // in a folder or named: an export it may have been must not pass unseen, so the run fails.
      err(led(`${read.message}; not judged (a truncated copy or a failed synth?)`));
      return "bad input";
    case "not an export":
      // A file named on the command line must be an export; one a folder or pattern found is skipped.
      if (!named) {
        skip(file, `not a \`pulumi stack export\` file (no deployment.resources[]; found ${read.found})`);
        return undefined;
      }
      err(led(`${file}: ${read.message}; ${read.fix}`));
      return "bad input";
    case "bad form":
      err(led(`${file}: ${read.message}; not judged${read.fix ? `: ${read.fix}` : ""}`));
      return "bad input";
  }
}

/**
 * Where synth wrote the rendered objects of an export: `<stack>.rendered.json` beside it, or, for
 * an export named through a link (`latest.json -> staging.json`) with none beside the link, beside
 * the file it links to, under that file's name (synth writes no link: judged alone, the export
 * dropped its rendered objects and every violation among them without a word).
 */
function renderedFileOf(file: string): string {
  const beside = file.replace(/\.json$/, ".rendered.json");
  if (
    beside === file ||
    fs.existsSync(beside) ||
    !fs.lstatSync(file, { throwIfNoEntry: false })?.isSymbolicLink()
  )
    return beside;
  const target = fs.realpathSync(file);
  const ofTarget = target.replace(/\.json$/, ".rendered.json");
  if (ofTarget === target || !fs.existsSync(ofTarget)) return beside;
  return path.isAbsolute(file) ? ofTarget : path.relative(process.cwd(), ofTarget);
}

/**
 * Rendered objects beside the export (from `npm run synth`) are judged by the pack as the raw
 * resources they are; the rendered-object checks (schemas, addresses, Pod Security) are synth's.
 */
function withRendered(
  file: string,
  resources: ExportedResource[],
  err: (text: string) => void,
): ReadExport | "bad input" {
  const renderedFile = renderedFileOf(file);
  if (renderedFile === file || !fs.existsSync(renderedFile))
    return { resources, judged: resources, note: "" };
  // The export is judged with its rendered objects or not at all: alone it would pass unseen.
  let text: string;
  try {
    // Read as the export itself is (config/readFile.ts): a BOM is taken, an unreadable file said in words.
    text = readUtf8(renderedFile);
  } catch (e) {
    if (!(e instanceof FileReadError)) throw e;
    err(led(`${e.message} (the rendered objects of ${file}); ${file} not judged`));
    return "bad input";
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Placed and said in words (config/jsonText.ts): V8's message quotes the text, values included.
    err(
      led(
        `${notJsonMessage(renderedFile, text, `the rendered objects of ${file} (JSON, as npm run synth writes them)`)}; ${file} not judged`,
      ),
    );
    return "bad input";
  }
  // Of another form (a key renamed, a hand-made file), it would add no object and a violation
  // among them would pass unseen: refused as every file not of its form is, with what it holds.
  const problem = renderedFormProblem(parsed);
  if (problem !== undefined) {
    err(
      led(
        `${renderedFile}: the rendered objects of ${file} (as npm run synth writes them): ${problem}; ${file} not judged (write both again with npm run synth)`,
      ),
    );
    return "bad input";
  }
  const renders = (parsed as RenderedFile).releases;
  // Releases the export does not hold: another stack's file, or one an older synthesis left. Their
  // objects would be dropped without a word and the export's own releases judged without theirs.
  const releases = new Set(resources.filter((r) => r.type === HELM_RELEASE).map((r) => r.urn));
  const foreign = renders.filter((r) => !releases.has(r.resourceUrn));
  if (foreign.length > 0) {
    const names = foreign.map((r) => r.resourceUrn.slice(r.resourceUrn.lastIndexOf("::") + 2));
    err(
      led(
        `${renderedFile}: the rendered objects of ${file} (as npm run synth writes them): expected releases of that export, found ${foreign.length} of ${renders.length} it does not hold (${names.slice(0, 3).join(", ")}${names.length > 3 ? ", …" : ""}: another stack's, or an older synthesis'); ${file} not judged (write both again with npm run synth)`,
      ),
    );
    return "bad input";
  }
  const judged = withRenderedObjects(resources as ExportResource[], renders);
  return {
    resources,
    judged,
    note: ` + ${plural(judged.length - resources.length, "rendered object")} (${renderedFile})`,
  };
}

/**
 * One export's lines, grouped under its header: the count (synth's) with the chart values
 * overrides in force, each violation (with the `chartValues` key behind it, as synth names it),
 * then the verdict on a line of its own. A file that cannot be judged is said
 * ({@link readExportFile}), and the run goes on to the other files, to exit 2.
 */
async function judgeFile(
  entry: ExportCandidate,
  { config, projectDir }: { config: PackConfig; projectDir: string },
  io: CliIo,
  skip: (file: string, why: string) => void,
): Promise<{ file: string; failed: boolean } | "bad input" | undefined> {
  const { out } = printers(io);
  const { file } = entry;
  const read = readExportFile(entry, io, skip);
  if (read === undefined || read === "bad input") return read;
  const { resources, judged, note } = read;
  // The stack output synth reads too: a report on an overridden chart names the key behind it.
  // Only those in force, as synth judges them (one verdict, synth/report.ts overridesInForce): an
  // override that changes nothing is said, neither listed nor named as a report's cause.
  const { inForce: overrides, idle, unrun } = overridesInForce(resources, chartValueOverridesOf(resources));
  const at = placesOf(resources, projectDir);
  out(`${file}: ${resourceCount(resources)}${note}`);
  // As synth's summary says them (synth/report.ts stackRunsWith): the overrides, the mirrors.
  for (const l of stackRunsWith(resources, overrides)) out(`${file}: ${l}`);
  // The keys that leave a chart out are synth's to find (it synthesizes the stack again); an
  // export holds only what ran.
  for (const o of idle) out(`${file}: warning: ${idleOverrideWarning(o, [], at)}`);
  for (const u of unrun) out(`${file}: warning: ${unrunTargetOverrideWarning(u, at)}`);
  // One message per mistake (synth/report.ts), as synth prints them.
  const merged = mergeProblems(await evaluateResources(judged, config), [], {
    resources: judged,
    overrides,
  }).violations;
  const violations = attributeOverrides(merged, judged, overrides, at);
  if (violations.length) out(formatMergedViolations(violations));
  out(`${file}: ${verdict(violations)}`);
  return { file, failed: failed(violations) };
}
