/**
 * What `npm run synth` prints and decides about the change (`--against`, `--running`): glue over
 * against.ts, phaseMove.ts and takeover.ts. Exit code 1 when anything is refused.
 */
import * as path from "path";
import {
  inContext,
  readRunningDir,
  RunningStateError,
  shellWord,
  valuesCommand,
  valuesFileOf,
  keptPathsSet,
  type KeptValue,
  type RunningState,
} from "../model/running";
import { synthCommand } from "../model/phases";
import { RELEASE_TYPE } from "../model/names";
import { ChartCacheError, type MissingChart } from "../synth/render/helm";
import { releaseJob, type ReleaseJob } from "../synth/render/release";
import type { ReleaseRender } from "../synth/render/types";
import { synthStack, type StackSynthesis } from "../synth/run";
import { SynthInputError, type StackExport } from "../synth/synthesize";
import { notRenderedText, overridePlacesIn, type OverridePlace } from "../synth/report";
import { changeAgainst, NotRenderedError, readExport } from "./against";
import { ignoredChangeVerdicts } from "./ignoredChanges";
import { alertmanagerHandoverVerdicts } from "./alertState";
import { formatChange, refusalCount, refusalsIn, resourceLabel, type ChangeReport } from "./change";
import { listed as inWords } from "../model/words";
import { backendOfExport, phaseMove, phaseMoveVerdict, stackPhases, stagingAheadVerdict } from "./phaseMove";
import { withRehearsalExports } from "./rehearsalExports";
import { versionRideVerdict } from "./versionRide";
import { cachedValuesKeys } from "../config/chartCache";
import { commandDir } from "../config/paths";
import {
  runningKeyVerdict,
  runningOverrides,
  runningSource,
  stackTakeover,
  takesOver,
} from "./runningConfig";
import {
  keptValues,
  previews,
  refusedOnceAtImport,
  RunningNotRenderedError,
  importStepSynthesis,
  stateAfterImport,
  UpdateNotRenderedError,
  updateChange,
  type Preview,
} from "./takeover";
import { formatRuleEvaluators } from "./ruleEvaluators";
import { tenantMoveVerdicts } from "./tenantMove";
import { backendMove, foldPhaseMove } from "./backendMove";
import { grafanaAdminVerdict } from "./grafanaAdmin";
import { imageDowngradeVerdicts } from "./imageDowngrade";
import { vaultItemsVerdict } from "./vaultItems";
import { dashboardsVerdicts } from "./dashboards";
import { bucketMove, createdBuckets, keptBackOnMinio } from "./bucketMove";
import { protectionLostVerdicts } from "./protectionLost";
import { seriesCapVerdicts } from "./seriesCapShrink";
import { foldTakeoverRemoved } from "./takeoverRemoved";
import { withKeptWayOut } from "./keptWayOut";
import { withUnrenderedSecrets } from "./secretBranches";

/** An `--against` file and the export read from it (against.ts readExport). */
export interface AgainstExport {
  file: string;
  export: StackExport;
}

export interface ChangeCheck {
  text: string;
  code: number;
  /** Refusals found (all sections). */
  refused: number;
  /** The verdict for the stack's closing line when refused: `3 refused (above)`. */
  why?: string;
}

const show = (v: unknown) => (v === null || v === undefined ? "unset" : JSON.stringify(v));

function formatPreviews(title: string, ps: Preview[]): string {
  const lines = ps.map(
    (p) =>
      `  ${p.op.padEnd(20)} ${p.resource}${p.fields.length ? `: ${p.fields.join(", ")}` : ""}` +
      p.refused.map((r) => `\n     REFUSED ${p.resource} ${r.field}: ${r.reason}`).join("") +
      (p.warnings ?? []).map((w) => `\n     WARNING ${p.resource} ${w.field}: ${w.reason}`).join(""),
  );
  return [title, ...lines].join("\n");
}

function formatKept(kept: { release: string; kept: KeptValue[] }[]): string {
  const lines = kept.flatMap((k) => {
    // Values the program leaves to the chart are pinned to what runs too; only overrides are news.
    const changed = k.kept.filter((v) => v.planned !== undefined);
    const pinned = k.kept.length - changed.length;
    return [
      `  release ${k.release}: ${changed.length ? `${changed.length} value(s) the program sets differently` : "the program's values already match"}${pinned ? `, ${pinned} chart default(s) pinned as they run` : ""}`,
      ...changed.map(
        (v) => `    ${v.path}: keeps ${show(v.running)} (the program would set ${show(v.planned)})`,
      ),
    ];
  });
  return ["adopted from what runs (kept by the update):", ...lines].join("\n");
}

/**
 * What the same update would hit without the running state: counted as the refusals it names
 * (each field), as the counts line above counts them, not as the objects they fall on.
 */
export function formatBlind(blind: Pick<ChangeReport, "refused">): string {
  const n = refusalCount(blind);
  const named = blind.refused.map((e) => `${e.subject} ${e.refused.map((r) => r.field).join(", ")}`);
  return `without the running state the same update would hit ${n} refused change(s)${n ? `: ${named.join("; ")}` : ""}`;
}

/**
 * The renders of what runs, whose archives are the running releases' versions (helm-list.yaml),
 * not the stack's: a missing one is said as such, with where its repository is found (the Flux
 * HelmRepository the HelmRelease names; the program's own repository may not serve an older
 * version), and without the stack's way out `--no-render`, which --running refuses.
 */
export async function runningRenders<T>(
  running: RunningState,
  dir: string,
  render: () => Promise<T>,
): Promise<T> {
  try {
    return await render();
  } catch (e) {
    if (e instanceof RunningNotRenderedError) throw new SynthInputError(runningNotRendered(running, dir, e));
    if (e instanceof UpdateNotRenderedError) throw new SynthInputError(updateNotRendered(running, dir, e));
    // A report the renders show was collected elsewhere (takeover.ts reportsCollectedElsewhere).
    if (e instanceof RunningStateError) throw new SynthInputError(`--running ${dir}: ${e.message}`);
    if (!(e instanceof ChartCacheError) || e.missing.length === 0) throw e;
    const whose = (archive: string) =>
      running.releases.filter((r) => `${r.chart}-${r.version}.tgz` === archive);
    // The repository is the operator's to look up (the Flux HelmRepository the HelmRelease names;
    // the program's own repository may not serve an older version): its command on a line of its
    // own and the rest in words, with no placeholder a shell would read as a redirection
    // (model/running.ts COMMANDS).
    const lines = e.missing.map((m) => {
      const rels = whose(m.archive);
      const of = rels.map((r) => `${r.namespace}/${r.name}`).join(", ") || "a running release";
      const [chart, version] = rels.length ? [rels[0].chart, rels[0].version] : [m.archive, "?"];
      return archiveLine(`${chart} --version ${version} -d ${shellWord(e.cache)}`, of, m);
    });
    throw inputArchivesMissing(
      `--running ${dir}`,
      e,
      `the chart of what runs (${path.join(running.dir, "helm-list.yaml")}); the change check renders each running release with the chart version it runs. List the Helm repositories the running releases come from with:\n` +
        `    ${inContext("flux get sources helm -A", running.from?.context)}\n` +
        `  then fill the cache with helm pull --repo, the URL listed for the chart's repository, and these arguments, one archive per line:`,
      lines,
    );
  }
}

/**
 * A missing archive's line in {@link inputArchivesMissing}: the command (or its arguments), then as
 * a shell comment (the line still runs pasted) the releases that need it, what the cache holds of
 * the chart and what the file of its name holds when it is no chart archive.
 */
function archiveLine(command: string, of: string, m: MissingChart): string {
  const notes = [
    of,
    m.held,
    m.found === undefined ? undefined : `the file there is no chart archive: found ${m.found}`,
  ];
  return `    ${command}    # ${notes.filter((n) => n !== undefined).join("; ")}`;
}

/**
 * Chart archives a flag's input (--against's export, --running's folder) renders with that the
 * chart cache lacks, in the one form both say it: the input, the archives, `why` (whose charts they
 * are, and how to fill the cache), a line per archive, and the way out left: --no-render is none,
 * since the flag refuses it (cli/synthRun.ts).
 */
function inputArchivesMissing(
  input: string,
  e: ChartCacheError,
  why: string,
  lines: string[],
): ChartCacheError {
  const flag = input.split(" ")[0];
  return new ChartCacheError(
    `${input}: the chart cache ${e.cache} lacks ${e.missing.map((m) => m.archive).join(", ")}, ${why}\n` +
      `${lines.join("\n")}\n  or point HOMELAB_CHART_CACHE at a folder holding them (${flag} needs the render, so --no-render is no way out)`,
    e.missing,
    e.needed,
    e.cache,
  );
}

/**
 * Archives the previous export's releases render with that the chart cache lacks, said as
 * --against's input: each with the releases of the export that need it and the command that
 * fetches it from the repository the release records (helm.ts pullCommand, or why its pull
 * failed). An adopted release judged as it runs (previousState) renders the chart version it runs:
 * said so. Undefined when an archive is no previous release's (the synthesis' own render says it).
 */
function previousArchivesMissing(
  against: string,
  previous: StackExport,
  e: ChartCacheError,
  judged?: JudgedAsRunning,
): ChartCacheError | undefined {
  const jobs = previous.deployment.resources
    .filter((r) => r.custom && r.type === RELEASE_TYPE)
    .map(releaseJob)
    .filter((j): j is ReleaseJob => !("error" in j));
  const of = (archive: string) =>
    jobs
      .filter((j) => `${j.chart}-${j.version}.tgz` === archive)
      .map(
        (j) =>
          `${j.namespace}/${j.releaseName}${judged?.urns.has(j.res.urn) ? ` (as it runs: ${path.join(judged.running.dir, "helm-list.yaml")})` : ""}`,
      )
      .join(", ");
  if (e.missing.some((m) => of(m.archive) === "")) return undefined;
  const releases = e.missing.flatMap((m) => of(m.archive).split(", "));
  return inputArchivesMissing(
    `--against ${against}`,
    e,
    `${e.missing.length > 1 ? "the charts" : "the chart"} of the previous export's ${releases.length > 1 ? "releases" : "release"} ${releases.join(", ")}; the change check renders each release of the previous export with the chart version it records. Fill the cache with:`,
    e.missing.map((m) => archiveLine(m.fix, of(m.archive), m)),
  );
}

/**
 * Releases Helm did not render, as an input of the change check (exit 2), not an unexpected error:
 * `lead` (whose render, and that the change is not known without it), then what synth says of its
 * own ({@link notRenderedText}: Helm's whole message, one per mistake), then, per release, where
 * what it was rendered from comes from (`source`), when the caller knows.
 */
function notRenderedInput(lead: string, e: NotRenderedError, source?: (r: ReleaseRender) => string): string {
  const text = notRenderedText(e.renders, e.exp.deployment.resources) ?? e.message;
  const lines = source
    ? e.renders
        .filter((r) => r.error !== undefined)
        .map((r) => `\n  ${r.namespace}/${r.releaseName}: ${source(r)}`)
    : [];
  return `${lead}: ${text}${lines.join("")}`;
}

/**
 * Running releases Helm did not render with their chart version and values: each with the values
 * file it was rendered from and the command that collects it again.
 */
function runningNotRendered(
  running: RunningState,
  dir: string,
  e: NotRenderedError,
  lead = `--running ${dir}: what runs does not render, so the change from it is not known`,
): string {
  return notRenderedInput(lead, e, (r) => {
    const rel = { name: r.releaseName, namespace: r.namespace };
    return `rendered with chart ${r.chart} ${r.version} (${path.join(running.dir, "helm-list.yaml")}) and the values of ${path.join(running.dir, valuesFileOf(rel))} (collected with: ${valuesCommand(rel, dir, running.from?.context)})`;
  });
}

/**
 * Releases of the takeover's first update Helm did not render: each with the values it keeps from
 * what runs (the paths the takeover keeps that the running values set) and their file. The
 * program's own values rendered in the synthesis, so what it keeps is the cause to look at.
 */
function updateNotRendered(running: RunningState, dir: string, e: UpdateNotRenderedError): string {
  return notRenderedInput(
    `--running ${dir}: the first update does not render with the values it keeps from what runs, so its change is not known`,
    e,
    (r) => {
      const rel = running.releases.find((x) => x.name === r.releaseName && x.namespace === r.namespace);
      const paths = rel ? keptPathsSet(rel) : [];
      const file = path.join(running.dir, valuesFileOf({ name: r.releaseName, namespace: r.namespace }));
      return `the update renders chart ${r.chart} ${r.version} with ${paths.length ? paths.join(", ") : "the values"} kept from what runs (${file})`;
    },
  );
}

/** Overrides as one string, whatever the order of their keys. */
const overridesKey = (o: Record<string, string>): string => JSON.stringify(Object.entries(o).sort());

/** One section of the change check's report: its text and the refusals it lists. */
interface Section {
  text: string;
  refused: number;
  /** The --against section judged the adopted releases from what runs (previousState). */
  asRunning?: boolean;
}

/** The objects' change from `previous`, whose releases that do not render are an input's mistake. */
async function objectsChange(
  previous: StackExport,
  result: StackSynthesis,
  against: string,
  judged: JudgedAsRunning | undefined,
  at: OverridePlace,
  dir: string | undefined,
): Promise<ReturnType<typeof withUnrenderedSecrets>> {
  // A release the previous export's ciphertext leaves unrendered is not judged (secretBranches.ts).
  const report = await changeAgainst(previous, result, {}, at, dir).catch((e: unknown) => {
    // The synthesis' own releases that do not render are said by synth, which then runs no change
    // check; here it is the previous export's (its values, or a chart version the cache lacks the
    // render of), said as synth says its own: an input of --against (exit 2), no unexpected error.
    if (e instanceof NotRenderedError && e.exp === previous)
      throw new SynthInputError(previousNotRendered(against, e, judged));
    // An archive of its releases' charts missing is --against's input too, said as --running's.
    const missing =
      e instanceof ChartCacheError ? previousArchivesMissing(against, previous, e, judged) : undefined;
    throw missing ?? e;
  });
  return withUnrenderedSecrets(previous, report);
}

/**
 * The phase move's lines of the `--against` section: a skipped phase said first (and alone when
 * refused); a one-phase move of production held while its rehearsals are behind, judged by their
 * exports beside `against` where there are any. A refused move is stack-wide too: the deletions of
 * what its phases drop (Mimir's protected buckets, back to loki-fixed) it names instead, one
 * message for one mistake, so they leave `report` (as `moved`).
 */
function phaseVerdicts(
  root: string,
  stack: string,
  against: string,
  previous: StackExport,
  result: StackSynthesis,
  report: ChangeReport,
  at: OverridePlace,
) {
  const dir = commandDir(root);
  const { also, report: moved } = foldPhaseMove(previous, result, report);
  const move = phaseMove(previous, result.export);
  const skip = phaseMoveVerdict(move, stack, against, at, dir, createdBuckets(previous, result), also);
  // Every stack file is read only for a move one phase forward, the one the rule judges.
  const ahead =
    move && "steps" in move && move.steps === 1
      ? stagingAheadVerdict(
          move,
          stack,
          withRehearsalExports(stackPhases(root), stack, against),
          dir,
          backendOfExport(previous),
          at,
        )
      : undefined;
  // A refusal is the one line; a note that refuses nothing is said under the move's gate line.
  const phase = skip?.refused || ahead?.refused ? [skip?.refused ? skip : ahead] : [skip, ahead];
  return { move, moved, phaseLines: phase.filter((v) => v !== undefined) };
}

/**
 * The `--against` section: the stack-wide verdicts first (each one message for one mistake, above
 * the objects), then the objects' change, whose counts line counts both.
 */
async function againstSection(
  root: string,
  stack: string,
  result: StackSynthesis,
  { file: against, export: exported }: AgainstExport,
  runningFlag?: string,
): Promise<Section> {
  // An import step's synthesis holds the program's values where the state holds the running ones.
  const {
    export: previous,
    line: asRunning,
    judged,
  } = previousState(root, stack, result, exported, runningFlag);
  // A refused claim change names the stack key behind it at its line in Pulumi.<stack>.yaml.
  const at = overridePlacesIn(root, stack);
  // Its commands name the project folder when verify would not read it without --dir.
  const dir = commandDir(root);
  // At the update step without takeover.running, a refusal the key removes says so (keptWayOut.ts).
  const seen = await objectsChange(previous, result, against, judged, at, dir);
  const { report: change, verdicts: keyUnset } = await withKeptWayOut(seen.report, previous, result, {
    root,
    stack,
    against,
    runningFlag,
    at,
    dir,
  });
  // A moved tenant is stack-wide: the objects below show only the headers that carry it.
  const tenants = tenantMoveVerdicts(previous, result.export, at);
  // A backend swapped is stack-wide too: the objects below show the old one's deletions, whose
  // refusals (its protected buckets and release) it names instead, one message for one mistake.
  const { verdict: backend, report: withoutBackend } = backendMove(previous, result, change, at);
  // A replaced admin password source is stack-wide too: the objects below show only the Secret's
  // update, which says nothing of Grafana keeping the password it was first given.
  const admin = grafanaAdminVerdict(previous, result.export, at, { stack, dir });
  // Generated items leaving the vault with the 1Password backend are stack-wide too: the objects
  // below list their deletions, which say nothing of the vault losing the operator's copy.
  const items = vaultItemsVerdict(previous, result.export, at, { stack, dir });
  // Buckets renamed under a running Loki or Mimir are stack-wide too: the objects below show a
  // values update and bucket creations, nothing of the engine starting on an empty store; the old
  // buckets' deletions (protected in production) it names instead, one message for one mistake.
  const { verdict: buckets, report: withoutBuckets } = bucketMove(
    previous,
    result.export,
    withoutBackend,
    { stack, dir },
    at,
  );
  // Kept buckets a move back from Garage creates on MinIO, where that move left them (a warning).
  const keptBack = keptBackOnMinio(previous, result, at);
  const { move, moved, phaseLines } = phaseVerdicts(
    root,
    stack,
    against,
    previous,
    result,
    withoutBuckets,
    at,
  );
  // Dashboards the update removes are stack-wide too: the objects below show a ConfigMap's
  // deletion or update, nothing of which dashboards Grafana stops showing (a warning: dashboards.ts).
  const dashboards = dashboardsVerdicts(previous, result.export);
  // An older image of a component that keeps state is stack-wide too: the objects below show an
  // image field's update, which says nothing of the data the newer version wrote.
  const downgrades = imageDowngradeVerdicts(previous, result.export, at);
  // A version change riding with a phase move is stack-wide too: the objects below show a chart
  // version's or an image's update beside the phase's, nothing of the gate having asked neither.
  const ride = versionRideVerdict(move, previous, result, stack, at, dir);
  // An input the program ignores on update is stack-wide too: the engine keeps what runs, so the
  // objects below show no change, and nothing else says the stack file's new value does not apply.
  const ignored = ignoredChangeVerdicts(previous, result);
  // Protection lifted from resources the update keeps is stack-wide too: protect is a resource
  // option, so the objects below show no change of theirs (a warning: protectionLost.ts).
  const unprotected = protectionLostVerdicts(previous, result.export, at);
  // A lower series limit is stack-wide too: the objects below show the Mimir ConfigMap's update,
  // nothing of Mimir refusing new series of a tenant above it (a warning: seriesCapShrink.ts).
  const seriesCap = seriesCapVerdicts(previous, result.export, at);
  // An Alertmanager handed over is stack-wide too: the objects below show one's deletion and the
  // other's creation, nothing of the silences the new one starts without nor of the routes an
  // override of the old one gave (warnings: alertState.ts).
  const handover = alertmanagerHandoverVerdicts(previous, result.export, at);
  // Each refuses once; the phase line may be a note that refuses nothing, and a tenant move whose
  // old tenant stays readable (previousTenants), the dashboards removed, an image downgrade or a lower
  // series limit a warning.
  const said = [
    ...seen.verdicts,
    ...keyUnset,
    backend,
    buckets,
    keptBack,
    ...tenants,
    admin,
    items,
    ...dashboards,
    ...downgrades,
    ride,
    ...ignored,
    ...unprotected,
    ...seriesCap,
    ...handover,
  ].filter((v) => v !== undefined);
  // The takeover block removed after a takeover is one mistake, however many places refuse it.
  const { verdicts, report } = takesOver(root, stack)
    ? { verdicts: said, report: moved }
    : foldTakeoverRemoved(previous, result.export, said, moved, `Pulumi.${stack}.yaml`);
  // One per refusal listed (two on one release are two); the objects' counts line says them all.
  const above = phaseLines.filter((v) => v.refused).length + verdicts.filter((v) => v.refused).length;
  return {
    refused: refusalCount(report) + above,
    asRunning: asRunning !== undefined,
    text: [
      `== ${stack}: change from ${against}`,
      ...(asRunning ? [asRunning] : []),
      ...phaseLines.map((v) => v.line),
      ...verdicts.map((v) => v.line),
      formatChange(report, { above }),
    ].join("\n"),
  };
}

/** The folder `dir` (absolute) of what runs, read as the stack's (`by` names the flag or key that named it). */
function readRunning(root: string, stack: string, dir: string, by: string): RunningState {
  try {
    return readRunningDir(dir, runningSource(root, stack), cachedValuesKeys);
  } catch (e) {
    if (e instanceof RunningStateError) throw new SynthInputError(`${by}: ${e.message}`);
    throw e;
  }
}

/** The adopted releases of an import step's synthesis that the change judges as they run (previousState). */
interface JudgedAsRunning {
  running: RunningState;
  /** The flag or key that named the folder, as the user wrote it: `--running running/`. */
  by: string;
  /** The folder as given, for the commands that collect it again. */
  dir: string;
  /** Their URNs: each Release of the export rendered from what runs instead. */
  urns: ReadonlySet<string>;
}

/**
 * The previous export's releases Helm did not render, each said as the input it was rendered from:
 * an adopted release an import step's synthesis is judged by as it runs (`judged`) with the running
 * chart version (helm-list.yaml), its values file and Helm's error, as --running says what runs;
 * any other as the export's own. Both when both failed: two inputs, two mistakes.
 */
function previousNotRendered(against: string, e: NotRenderedError, judged?: JudgedAsRunning): string {
  const running = (r: ReleaseRender) => judged?.urns.has(r.resourceUrn) === true;
  // The renders with only the failures of one input left, so "1 of 6" still counts every release.
  const only = (of: (r: ReleaseRender) => boolean) =>
    new NotRenderedError(
      e.renders.map((r) => (of(r) ? r : { ...r, error: undefined })),
      e.exp,
    );
  const failed = e.renders.filter((r) => r.error !== undefined);
  const said: string[] = [];
  if (judged && failed.some(running))
    said.push(
      runningNotRendered(
        judged.running,
        judged.dir,
        only(running),
        `${judged.by}: what runs does not render, so the change from --against ${against} (the takeover's import step, whose adopted releases are judged as they run) is not known`,
      ),
    );
  if (failed.some((r) => !running(r)))
    said.push(
      notRenderedInput(
        `--against ${against}: the previous export does not render, so the change from it is not known`,
        only((r) => !running(r)),
      ),
    );
  return said.join("\n");
}

/**
 * The previous export as the state it stands for: an import step's synthesis, with the releases the
 * synthesis adopts as they run (takeover.ts stateAfterImport), read from the folder the synthesis
 * kept what runs from (--running, else the stack file's takeover.running); as it is otherwise.
 */
function previousState(
  root: string,
  stack: string,
  result: StackSynthesis,
  previous: StackExport,
  runningFlag?: string,
): { export: StackExport; line?: string; judged?: JudgedAsRunning } {
  // The flag's folder is read relative to the working folder, the key's to the project folder.
  const named = stackTakeover(root, stack).running;
  const dir = runningFlag
    ? path.resolve(runningFlag)
    : typeof named === "string"
      ? path.resolve(root, named)
      : undefined;
  if (dir === undefined || !importStepSynthesis(previous)) return { export: previous };
  const running = readRunning(root, stack, dir, runningFlag ? "--running" : "takeover.running");
  const state = stateAfterImport(previous, result, running);
  const was = new Set(previous.deployment.resources);
  const replaced = state.deployment.resources.filter((r) => !was.has(r));
  const adopted = replaced.map((r) => resourceLabel(r));
  if (adopted.length === 0) return { export: previous };
  // The flag's folder as given; the key's as the stack file names it, with its line.
  const where = overridePlacesIn(root, stack)("takeover.running");
  const by = runningFlag
    ? `--running ${runningFlag}`
    : `takeover.running: ${String(named)}${where ? ` (${where})` : ""}`;
  return {
    // The commands that collect it again run where synth ran: the key's folder said from there.
    judged: {
      running,
      by,
      dir: runningFlag ?? (path.relative(process.cwd(), dir) || dir),
      urns: new Set(replaced.map((r) => r.urn)),
    },
    export: state,
    line: `the previous export is the takeover's import step as synthesized, whose ${inWords(adopted)} hold the program's values, which that step did not apply: it ignores their chart, version and values (ignoreChanges), so the state keeps each release as it runs; judged here from what runs (${running.dir})`,
  };
}

/** The `--running` section: the takeover's import step and first update against what runs. */
async function runningSection(
  root: string,
  stack: string,
  result: StackSynthesis,
  runningDir: string,
  overrides?: Record<string, string>,
): Promise<Section> {
  const running = readRunning(root, stack, path.resolve(runningDir), "--running");
  // A step synthesized with the overrides `result` was made from is `result` itself.
  const made = overrides && overridesKey(overrides);
  const synth = (step: "import" | "update", withRunning: boolean) => {
    const stepOverrides = runningOverrides(root, stack, withRunning ? runningDir : undefined, step);
    return overridesKey(stepOverrides) === made
      ? Promise.resolve(result)
      : synthStack(root, stack, stepOverrides);
  };
  // One at a time: a synthesis owns the process-wide mock runtime while it runs.
  const importStep = await synth("import", true);
  const updateStep = await synth("update", true);
  const blind = await synth("update", false);
  // A refused adopted object names the stack key behind it at its line in Pulumi.<stack>.yaml.
  const at = overridePlacesIn(root, stack);
  const importPreviews = previews(importStep, running, "import", new Set(), at);
  // What the import step installed is in the state by the update: only its own installs can clash.
  const installed = new Set(importStep.export.deployment.resources.map((r) => r.urn));
  // The stack's acknowledgements of what the update loses by intent (its takeover block).
  const acks = {
    grafanaDatabaseSaved: stackTakeover(root, stack).grafanaDatabaseSaved === true,
    at,
    dir: commandDir(root),
  };
  const [updated, blindUpdate] = await runningRenders(running, runningDir, () =>
    Promise.all([updateChange(updateStep, running, acks), updateChange(blind, running, acks)]),
  );
  // One message per mistake: what the import step refuses is not refused again by the update.
  const { updatePreviews, update } = refusedOnceAtImport(
    importPreviews,
    previews(updateStep, running, "update", installed, at),
    updated,
  );
  const previewRefusals = refusalsIn([...importPreviews, ...updatePreviews]);
  const ruleRefusals = refusalsIn(update.rules.refusals);
  // What pulumi up reads instead of --running: the stack file's own takeover.running.
  const key = runningKeyVerdict(root, stack, runningDir, refusalCount(blindUpdate), at);
  const keyRefusals = key?.refused ? 1 : 0;
  // The counts line says `<n> <aboveWhat>`: which kinds of refusal above it holds.
  const aboveWhat =
    keyRefusals && previewRefusals
      ? `above: ${keyRefusals} stack-wide, ${previewRefusals} in the takeover's previews`
      : keyRefusals
        ? "stack-wide, above the objects"
        : "in the takeover's previews above";
  return {
    // One per REFUSED line printed below, whichever section prints it (two on one object are two);
    // the rules' refusals count once the update is checked with the running rules.
    refused: keyRefusals + previewRefusals + refusalCount(update) + ruleRefusals,
    text: [
      `== ${stack}: takeover of what runs (${runningDir}); previews as Pulumi CLI 3.174+ shows them`,
      ...(key ? [key.line] : []),
      formatPreviews(
        "import step (takeover.step: import), adopted resources, and installs of a release that already runs:",
        importPreviews,
      ),
      formatPreviews(
        "first update (takeover.step: update), adopted resources, and installs of a release that already runs:",
        updatePreviews,
      ),
      formatKept(keptValues(blind, running)),
      `first update, object by object (the running releases rendered with their chart and values):\n${formatChange(
        update,
        {
          above: keyRefusals + previewRefusals,
          aboveWhat,
          below: ruleRefusals,
          belowWhat: "among the rule evaluators below",
        },
      )}`,
      ...update.notes.map((n) => `NOTE ${n}`),
      ...update.warnings.map((w) => `WARNING ${w}`),
      formatRuleEvaluators(update.rules, running.dir, running.from),
      formatBlind(blindUpdate),
    ].join("\n"),
  };
}

/**
 * Why the takeover's update is unchecked without --running, and how to check it: with the folder
 * the stack file already names (takeover.running, read relative to the project folder, as the
 * program reads it), the command that checks against that folder; else how to collect one.
 */
function uncheckedWhy(root: string, stack: string, judgedAsRunning: boolean): string {
  const named = stackTakeover(root, stack).running;
  if (typeof named !== "string")
    return "what runs is unknown offline, so a change Kubernetes refuses (claim templates, selectors) would surface only in `pulumi up`; collect what runs into a folder (docs/how-to/check-a-change.md#collecting-what-runs) and give that folder to --running";
  const folder = path.resolve(root, named);
  const where = overridePlacesIn(root, stack)("takeover.running");
  const dir = commandDir(root);
  const command = `${synthCommand(stack, dir)} --running ${shellWord(path.relative(process.cwd(), folder) || folder)}`;
  return `the stack file names what runs, takeover.running: ${named}${where ? ` (${where})` : ""}, the folder ${folder} (read relative to the project folder, as pulumi up reads it); this run kept what runs as it says, ${judgedAsRunning ? "and the change above judged the adopted releases from it, but not as --running does (each adopted resource's import and update, the live StatefulSets, Grafana's database, the running rules)" : "but judged no change from it, which Kubernetes may refuse (claim templates, selectors) only in \`pulumi up\`"}; check the update against that folder: ${command}`;
}

/** Checks the change of one synthesized stack; `result` is the synthesis the stack file (plus --running) asked for. */
export async function checkChange(
  root: string,
  stack: string,
  result: StackSynthesis,
  opts: {
    /**
     * The previous export: its file, read here, or the file and the export already read from it.
     * synth passes the export it read before writing anything to --out, where the file may be the
     * one this synthesis' export is written over (`--against out/<stack>.json`).
     */
    against?: string | AgainstExport;
    running?: string;
    /**
     * The config overrides `result` was synthesized with (synthStack's): a step of the takeover
     * that --running synthesizes with the same overrides is `result` itself, not a second run of
     * the program (`synth --running` on a stack at takeover.step import synthesized that step twice).
     */
    overrides?: Record<string, string>;
  },
): Promise<ChangeCheck> {
  const sections: Section[] = [];
  const against =
    typeof opts.against === "string"
      ? { file: opts.against, export: readExport(opts.against) }
      : opts.against;
  if (against) sections.push(await againstSection(root, stack, result, against, opts.running));
  if (opts.running) sections.push(await runningSection(root, stack, result, opts.running, opts.overrides));
  // Only where --running applies (a takeover block), not wherever a resource has an import ID:
  // buckets imported from existing.buckets adopt no StatefulSet, and --running refuses that stack.
  else if (takesOver(root, stack))
    // A title under the stack's name as every section has, what it means below: a label between
    // them (`== takeover: takeover: …` for the stack named takeover) read as the name twice.
    sections.push({
      text: [
        `== ${stack}: the takeover's update step (takeover.step: update) is unchecked`,
        `  ${uncheckedWhy(
          root,
          stack,
          sections.some((s) => s.asRunning),
        )}`,
      ].join("\n"),
      refused: 0,
    });
  const parts = sections.map((s) => s.text);
  const refused = sections.reduce((n, s) => n + s.refused, 0);
  return {
    text: parts.join("\n\n"),
    code: refused > 0 ? 1 : 0,
    refused,
    ...(refused > 0 ? { why: `${refused} refused (above)` } : {}),
  };
}
