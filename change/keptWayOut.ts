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
import { holdsSecret, mapSecrets, secretPlaintext, type ValuePath } from "@homelab-observability/contract";
import { KEPT_VALUES, keepRunningValues, shellWord, type RunningRelease } from "../model/running";
import { RELEASE_TYPE } from "../model/names";
import { synthCommand } from "../model/phases";
import { shownFile, stackFilePath } from "../config/paths";
import { chartName } from "../synth/render/release";
import type { OverridePlace } from "../synth/report";
import { synthesized, type StackExport, type SynthResult } from "../synth/synthesize";
import { changeAgainst, NotRenderedError, stateOf } from "./against";
import { stackTakeover } from "./runningConfig";
import { resourceLabel, type ChangeEntry, type ChangeReport } from "./change";

/** `<subject> <field>` of each refusal of a report. */
const refusedFields = (r: ChangeReport): Set<string> =>
  new Set(r.refused.flatMap((e) => e.refused.map((x) => `${e.subject} ${x.field}`)));

/**
 * An adopted release's values as the previous export holds them, read as they ran: each secret the
 * export holds readable (`pulumi stack export --show-secrets`: contract/secret.ts secretPlaintext)
 * replaced by its value, since the takeover decides on what it reads there (whether Grafana's claim
 * exists: model/running.ts KEPT_VALUES whenRunning); one with ciphertext only stays, its path listed.
 */
function readableValues(values: unknown): { values: Record<string, any>; ciphertext: string[] } {
  const ciphertext: string[] = [];
  const read = (v: unknown, at: ValuePath): any =>
    mapSecrets(
      v,
      (envelope, path) => {
        const plain = secretPlaintext(envelope);
        if (plain) return read(plain.value, [...path]);
        ciphertext.push(path.join("."));
        return envelope;
      },
      undefined,
      at,
    );
  return { values: read(values ?? {}, []), ciphertext };
}

/** Whether one of two dotted paths is the other or lies under it. */
const related = (a: string, b: string) => a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`);

/**
 * The kept values of `kept` whose running value the export holds as a secret, set back to the
 * export's own (envelope and all): the previous state renders a placeholder there
 * (synth/render/secrets.ts), so the values kept render the same placeholder, and the two differ
 * only where what runs does. `values` is keepRunningValues' copy, its maps along each kept path its own.
 */
function asExported(values: Record<string, any>, kept: { path: string }[], raw: unknown): void {
  for (const { path } of kept) {
    const parts = path.split(".");
    const at = parts.reduce<any>((x, k) => (x && typeof x === "object" ? x[k] : undefined), raw);
    if (!holdsSecret(at)) continue;
    const parent = parts.slice(0, -1).reduce<any>((x, k) => x[k], values);
    parent[parts[parts.length - 1]] = structuredClone(at);
  }
}

/** An adopted release whose kept values the previous export holds as ciphertext only. */
interface Unread {
  /** `<namespace>/<name>`. */
  named: string;
  /** Its Pulumi resource, as the change's lines name it (`Release::grafana`). */
  label: string;
  /** The values' paths the export holds as ciphertext that a kept value reads. */
  paths: string[];
}

/**
 * `next`'s export with each adopted Release's values as the program writes them with
 * takeover.running naming a folder that holds what `previous` holds: the release (its chart,
 * version and values) and the StatefulSets it renders. Undefined when `next` adopts no release
 * `previous` holds. `unread`: the releases whose kept values are not known (ciphertext only).
 */
async function keptAsPrevious(
  previous: StackExport,
  next: SynthResult,
): Promise<{ export: StackExport; unread: Unread[] } | undefined> {
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
  const unread: Unread[] = [];
  const kept = new Map(
    releases.map((r) => {
      const old = was.get(r.urn)!.inputs ?? {};
      const { values: readable, ciphertext } = readableValues(old.values);
      const release: RunningRelease = {
        name: String(old.name),
        namespace: String(old.namespace),
        chart: chartName(old.chart),
        version: String(old.version),
        values: readable,
      };
      // Each path a kept value is read from or decided on (whenRunning).
      const reads = (KEPT_VALUES[release.chart] ?? []).flatMap((k) => [
        k.path,
        ...(k.whenRunning ? [k.whenRunning] : []),
      ]);
      const paths = ciphertext.filter((c) => reads.some((p) => related(c, p)));
      if (paths.length > 0)
        unread.push({ named: `${release.namespace}/${release.name}`, label: resourceLabel(r), paths });
      const { values, kept: keptValues } = keepRunningValues(r.inputs?.values ?? {}, release, {
        statefulSets,
      });
      asExported(values, keptValues, old.values);
      return [r.urn, { ...r, inputs: { ...r.inputs, values } }];
    }),
  );
  const resources = next.export.deployment.resources.map((r) => kept.get(r.urn) ?? r);
  return { export: { ...next.export, deployment: { ...next.export.deployment, resources } }, unread };
}

/** Whether a change's entry is an object of one of `unread`'s releases, or that release itself. */
const ofUnread = (e: ChangeEntry, unread: Unread[]) =>
  unread.some((u) => e.owner === `release ${u.named}` || e.subject === u.label);

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
): Promise<{ report: ChangeReport; verdicts: { line: string; refused: boolean }[] }> {
  const taken = stackTakeover(ctx.root, ctx.stack);
  const atUpdateWithoutKey = taken.step === "update" && taken.running === undefined && !ctx.runningFlag;
  const none = { report, verdicts: [] };
  if (!atUpdateWithoutKey || report.refused.length === 0 || synthesized(previous)) return none;
  const keptState = await keptAsPrevious(previous, next);
  if (!keptState) return none;
  // A render the kept values fail proves nothing: the refusals stay as they are, in their own words.
  const kept = await changeAgainst(
    previous,
    { ...next, export: keptState.export },
    {},
    ctx.at,
    ctx.dir,
  ).catch((e: unknown) => {
    if (e instanceof NotRenderedError) return undefined;
    throw e;
  });
  if (!kept) return none;
  const stays = refusedFields(kept);
  // The refusals of a release whose kept values are not known stay too: said apart (unreadNote).
  const { unread } = keptState;
  const places = report.refused
    .filter((e) => !ofUnread(e, unread))
    .flatMap((e) => e.refused.filter((r) => !stays.has(`${e.subject} ${r.field}`)).map((r) => ({ e, r })));
  // Named as the takeover block's line beside it names it (config/paths.ts shownFile).
  const file = shownFile(stackFilePath(ctx.root, ctx.stack));
  const check = `${synthCommand(ctx.stack, ctx.dir)} --against ${shellWord(ctx.against)} --running FOLDER`;
  const note = unreadNote(
    unread.filter((u) => report.refused.some((e) => ofUnread(e, [u]))),
    file,
    check,
  );
  if (places.length === 0) return { report, verdicts: note ? [note] : [] };
  const goes = new Set(places.map((p) => p.r));
  const entries = report.entries.map((e) => ({ ...e, refused: e.refused.filter((r) => !goes.has(r)) }));
  const block = ctx.at?.("takeover");
  const line =
    `REFUSED takeover.running is not set in ${file}${block ? ` (its takeover block: ${block})` : ""}: ` +
    `the previous export, a pulumi stack export, holds the adopted releases as they ran, and without the key the update sets the program's values on them, ` +
    `which is refused at ${places.length} place${places.length > 1 ? "s" : ""}: ${places.map((p) => `${p.e.subject} ${p.r.field}: ${p.r.reason}`).join("; ")}. ` +
    `With takeover.running naming a folder of what runs that holds what this export holds, the update keeps those values as they run, and none of these is refused (the update judged again with them kept). ` +
    `Collect that folder (docs/how-to/check-a-change.md#collecting-what-runs) and check the update against it with \`${check}\` (FOLDER: its path), which names the pulumi config set command that sets the key`;
  return {
    report: { entries, refused: entries.filter((e) => e.refused.length > 0) },
    verdicts: [{ line, refused: true }, ...(note ? [note] : [])],
  };
}

/**
 * Of the releases refused below whose kept values the export holds as ciphertext only: the way
 * out of takeover.running is not judged for them (what the key would keep is not read offline),
 * said as a note that refuses nothing; their refusals stay, each in its own words. Names the
 * paths, never a value.
 */
function unreadNote(
  unread: Unread[],
  file: string,
  check: string,
): { line: string; refused: false } | undefined {
  if (unread.length === 0) return undefined;
  const one = unread.length === 1;
  const whose = one ? `release ${unread[0].named}` : `releases ${unread.map((u) => u.named).join(", ")}`;
  const held = one
    ? `that release's ${unread[0].paths.join(", ")}`
    : unread.map((u) => `${u.named}'s ${u.paths.join(", ")}`).join("; ");
  return {
    refused: false,
    line:
      `NOTE takeover.running is not set in ${file}: whether it would remove the refusals of ${whose} below is not judged: ` +
      `the previous export holds ${held} as ciphertext only (a pulumi stack export without --show-secrets), which is not read offline, and the takeover keeps what runs by what it reads there. ` +
      `Export the state with pulumi stack export --show-secrets to judge it here, or collect a folder of what runs (docs/how-to/check-a-change.md#collecting-what-runs) and check the update against it with \`${check}\` (FOLDER: its path)`,
  };
}
