/**
 * The way out of a refusal `--against` finds at the takeover's update step whose stack file sets no
 * `takeover.running`, said only where it is proven. Without the key the update sets the program's
 * values on each adopted release; with it the program keeps what runs (apply/takeover.ts: each
 * adopted Release's values through model/running.ts keepRunningValues). The previous export, when
 * it is the state a deployment left (not an import step's synthesis, whose values never ran), holds
 * each adopted release as it ran: the same update is judged again with those values kept by that
 * same function, and only a refusal that goes then is told to set the key. A refusal that stays
 * (a claim shrinking, a value the chart stopped reading, an object of no adopted release) is not.
 */
import { keepRunningValues, shellWord, type RunningRelease } from "../model/running";
import { RELEASE_TYPE } from "../model/names";
import { synthCommand } from "../model/phases";
import { shownFile, stackFilePath } from "../config/paths";
import type { OverridePlace } from "../synth/report";
import { synthesized, type StackExport, type SynthResult } from "../synth/synthesize";
import { changeAgainst, NotRenderedError, stateOf } from "./against";
import { stackTakeover } from "./runningConfig";
import type { ChangeReport } from "./change";

/** `<subject> <field>` of each refusal of a report. */
const refusedFields = (r: ChangeReport): Set<string> =>
  new Set(r.refused.flatMap((e) => e.refused.map((x) => `${e.subject} ${x.field}`)));

/**
 * `next`'s export with each adopted Release's values as the program writes them with
 * takeover.running naming a folder that holds what `previous` holds: the release (its chart,
 * version and values) and the StatefulSets it renders. Undefined when `next` adopts no release
 * `previous` holds.
 */
async function keptAsPrevious(previous: StackExport, next: SynthResult): Promise<StackExport | undefined> {
  const adopted = new Set(next.imports.map((i) => i.urn));
  const was = new Map(previous.deployment.resources.map((r) => [r.urn, r]));
  const releases = next.export.deployment.resources.filter(
    (r) => r.type === RELEASE_TYPE && adopted.has(r.urn) && was.get(r.urn)?.type === RELEASE_TYPE,
  );
  if (releases.length === 0) return undefined;
  // The kept claim sizes and names read the StatefulSets (model/running.ts KEPT_VALUES): the
  // previous export's, rendered, stand for the live ones.
  const statefulSets = (await stateOf(previous)).objects
    .map((o) => o.object)
    .filter((o) => o.kind === "StatefulSet");
  const kept = new Map(
    releases.map((r) => {
      const old = was.get(r.urn)!.inputs ?? {};
      const release: RunningRelease = {
        name: String(old.name),
        namespace: String(old.namespace),
        chart: String(old.chart ?? "")
          .split("/")
          .pop()!,
        version: String(old.version),
        values: old.values ?? {},
      };
      const values = keepRunningValues(r.inputs?.values ?? {}, release, { statefulSets }).values;
      return [r.urn, { ...r, inputs: { ...r.inputs, values } }];
    }),
  );
  const resources = next.export.deployment.resources.map((r) => kept.get(r.urn) ?? r);
  return { ...next.export, deployment: { ...next.export.deployment, resources } };
}

/**
 * At takeover.step update without takeover.running (in the stack file or as --running), against the state a
 * deployment left (a `pulumi stack export`, not a synthesis, whose values never ran): the
 * refusals of `report` that the key removes, folded into one refusal of the missing key (one
 * mistake), with its way out; the rest stay as they are. `report` alone when none goes.
 */
export async function withKeptWayOut(
  report: ChangeReport,
  previous: StackExport,
  next: SynthResult,
  ctx: {
    root: string;
    stack: string;
    /** The --against file, for the command that checks the update with --running. */
    against: string;
    /** --running's folder: the check then keeps what runs as the key would. */
    runningFlag?: string;
    at?: OverridePlace;
    dir?: string;
  },
): Promise<{ report: ChangeReport; verdict?: { line: string; refused: true } }> {
  const taken = stackTakeover(ctx.root, ctx.stack);
  const atUpdateWithoutKey = taken.step === "update" && taken.running === undefined && !ctx.runningFlag;
  if (!atUpdateWithoutKey || report.refused.length === 0 || synthesized(previous)) return { report };
  const keptExport = await keptAsPrevious(previous, next);
  if (!keptExport) return { report };
  // A render the kept values fail proves nothing: the refusals stay as they are, in their own words.
  const kept = await changeAgainst(previous, { ...next, export: keptExport }, {}, ctx.at, ctx.dir).catch(
    (e: unknown) => {
      if (e instanceof NotRenderedError) return undefined;
      throw e;
    },
  );
  if (!kept) return { report };
  const stays = refusedFields(kept);
  const places = report.refused.flatMap((e) =>
    e.refused.filter((r) => !stays.has(`${e.subject} ${r.field}`)).map((r) => ({ e, r })),
  );
  if (places.length === 0) return { report };
  const goes = new Set(places.map((p) => p.r));
  const entries = report.entries.map((e) => ({ ...e, refused: e.refused.filter((r) => !goes.has(r)) }));
  // Named as the takeover block's line beside it names it (config/paths.ts shownFile).
  const file = shownFile(stackFilePath(ctx.root, ctx.stack));
  const block = ctx.at?.("takeover");
  const check = `${synthCommand(ctx.stack, ctx.dir)} --against ${shellWord(ctx.against)} --running FOLDER`;
  const line =
    `REFUSED takeover.running is not set in ${file}${block ? ` (its takeover block: ${block})` : ""}: ` +
    `the previous export, a pulumi stack export, holds the adopted releases as they ran, and without the key the update sets the program's values on them, ` +
    `which is refused at ${places.length} place${places.length > 1 ? "s" : ""}: ${places.map((p) => `${p.e.subject} ${p.r.field}: ${p.r.reason}`).join("; ")}. ` +
    `With takeover.running naming a folder of what runs that holds what this export holds, the update keeps those values as they run, and none of these is refused (the update judged again with them kept). ` +
    `Collect that folder (docs/how-to/check-a-change.md#collecting-what-runs) and check the update against it with \`${check}\` (FOLDER: its path), which names the pulumi config set command that sets the key`;
  return {
    report: { entries, refused: entries.filter((e) => e.refused.length > 0) },
    verdict: { line, refused: true },
  };
}
