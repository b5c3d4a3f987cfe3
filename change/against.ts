/**
 * `npm run synth -- --stack <s> --against <export>`: the previous state (a `pulumi stack export`
 * or an earlier synthesis) and the new one rendered with the same Helm and chart cache, then
 * compared object by object (change.ts).
 */
import * as fs from "fs";
import * as path from "path";
import { readStackExport } from "../synth/exportFile";
import { SynthInputError, type StackExport, type SynthResult } from "../synth/synthesize";
import { rawObjects, stackObjects } from "../synth/render/objects";
import { renderErrors, renderExport } from "../synth/render/render";
import type { ReleaseRender, RenderOptions } from "../synth/render/types";
import { planChange, type ChangeReport, type StackState } from "./change";
import { withIgnoredChanges } from "./providerDiff";
import { urnStack } from "../model/names";
import { pulumiCommand } from "../config/paths";
import { chartKeysAt } from "../synth/render/chartFacts";
import { valuesNoLongerRead, type KeysAt } from "./valuesRead";
import type { OverridePlace } from "../synth/report";
import { shellWord } from "../model/running";

/**
 * Reads a stack export (`pulumi stack export` or `npm run synth`'s `<stack>.json`) as policy:check
 * does (synth/exportFile.ts): the same file taken or refused, in the same words, led by the flag.
 * Throws {@link SynthInputError} for a file that cannot be read, is not JSON or is no export of
 * the form the change check reads (another format version, a resource without a string URN).
 */
export function readExport(file: string, stack?: string): StackExport {
  // A folder (the --out of an earlier run) is named with the stack's export in it, `<stack>.json`
  // as synth writes it (cli/synthRun.ts writeExport), not left at "name the file itself".
  if (stack !== undefined && fs.statSync(file, { throwIfNoEntry: false })?.isDirectory()) {
    const inside = path.join(file, `${stack}.json`);
    throw new SynthInputError(
      `--against ${file}: cannot read ${file}: it is a folder, not a file; ` +
        (fs.existsSync(inside)
          ? `name the stack's export in it: --against ${inside}`
          : `name the stack's export file itself (${inside}, the name synth --out gives it, is not there)`),
    );
  }
  const read = readStackExport(file);
  if ("export" in read) return read.export;
  const fix = "fix" in read && read.fix ? `; ${read.fix}` : "";
  throw new SynthInputError(`--against ${file}: ${read.message}${fix}`);
}

/**
 * Releases of an export Helm did not render: the change from or to it is not known. Carries the
 * renders and the export so a caller says them as synth says its own ({@link notRenderedText}).
 */
export class NotRenderedError extends Error {
  constructor(
    readonly renders: ReleaseRender[],
    readonly exp: StackExport,
  ) {
    super(`helm template failed:\n${renderErrors(renders).join("\n")}`);
  }
}

/** Renders an export into the state the change is computed on; throws {@link NotRenderedError} on a release Helm cannot render. */
export async function stateOf(
  exp: StackExport,
  opts: RenderOptions & {
    secretKeys?: Record<string, string[]>;
    adopted?: Pick<SynthResult, "imports">;
  } = {},
): Promise<StackState> {
  const renders = await renderExport(exp, opts);
  if (renders.some((r) => r.error !== undefined)) throw new NotRenderedError(renders, exp);
  const objects = stackObjects(renders, rawObjects(exp, opts.secretKeys));
  const imports = Object.fromEntries((opts.adopted?.imports ?? []).map((i) => [i.urn, i.id]));
  const ignoreChanges = Object.fromEntries(
    (opts.adopted?.imports ?? []).map((i) => [i.urn, i.ignoreChanges ?? []]),
  );
  return { export: exp, objects, imports, ignoreChanges };
}

/** The stack and project an export's URNs name (`urn:pulumi:<stack>::<project>::...`). */
export function stackOfExport(exp: StackExport): { stack: string; project: string } | undefined {
  for (const r of exp.deployment.resources) {
    const named = urnStack(r.urn);
    if (named) return named;
  }
  return undefined;
}

/**
 * The change from the previous export to a synthesis. Refused when the export is another stack's
 * (or project's): every URN would differ, so each resource would read as deleted and created again,
 * and each object as changing hands between two releases of the same name.
 */
export async function changeAgainst(
  previous: StackExport,
  next: SynthResult,
  opts: RenderOptions = {},
  at?: OverridePlace,
  dir?: string,
): Promise<ChangeReport> {
  const [was, is] = [stackOfExport(previous), stackOfExport(next.export)];
  if (was && is && (was.stack !== is.stack || was.project !== is.project))
    throw new SynthInputError(
      `--against: expected an export of stack "${is.stack}" (project ${is.project}), found one of stack "${was.stack}" (project ${was.project}), as its URNs say; compare a stack with its own export (${pulumiCommand(dir)} stack export --stack ${shellWord(is.stack)}, or out/${is.stack}.json of an earlier npm run synth)`,
    );
  const sent = engineInputs(previous, next);
  const [before, after] = await Promise.all([
    stateOf(previous, opts),
    stateOf(sent, { ...opts, secretKeys: next.secretDataKeys, adopted: next }),
  ]);
  return withUnreadValues(planChange(before, after, at, dir), previous, sent, chartKeysAt, at);
}

/**
 * The new export as the engine sends it: a resource the previous state holds keeps its old
 * value at each path of its `ignoreChanges` (pulumi/pulumi pkg/resource/deploy/step.go
 * processIgnoreChanges, before the provider's Diff; providerDiff.ts withIgnoredChanges); one
 * created afresh gets the program's. A Release's values rendered from these are what Helm
 * upgrades to (the standalone Alertmanager's claim class: components/alerting/alertmanager.ts).
 */
function engineInputs(previous: StackExport, next: SynthResult): StackExport {
  const ignores = next.ignoreChanges ?? {};
  if (Object.keys(ignores).length === 0) return next.export;
  const was = new Map(previous.deployment.resources.map((r) => [r.urn, r]));
  const resources = next.export.deployment.resources.map((r) => {
    const old = was.get(r.urn);
    const ignore = ignores[r.urn];
    if (!old || !ignore) return r;
    return { ...r, inputs: withIgnoredChanges(old.inputs ?? {}, r.inputs ?? {}, ignore) };
  });
  return { ...next.export, deployment: { ...next.export.deployment, resources } };
}

/**
 * `report` with each value a release sets that its chart read at the previous version and does not
 * read at the new one refused on the release's update (change/valuesRead.ts): Helm would render
 * the bump without a word and drop the setting.
 */
export function withUnreadValues(
  report: ChangeReport,
  previous: StackExport,
  next: StackExport,
  keysAt: KeysAt,
  at?: OverridePlace,
): ChangeReport {
  const found = valuesNoLongerRead(previous.deployment.resources, next.deployment.resources, keysAt, at);
  if (found.length === 0) return report;
  const entries = [...report.entries];
  for (const { urn, refused } of found) {
    const name = urn.split("::").pop()!;
    const subject = `Release::${name}`;
    const i = entries.findIndex((e) => e.subject === subject && e.action !== "delete");
    const entry =
      i >= 0 ? entries[i] : { action: "update" as const, subject, owner: name, why: [], refused: [] };
    const merged = { ...entry, refused: [...entry.refused, ...refused] };
    if (i >= 0) entries[i] = merged;
    else entries.push(merged);
  }
  return { entries, refused: entries.filter((e) => e.refused.length > 0) };
}
