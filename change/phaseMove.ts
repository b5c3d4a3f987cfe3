/**
 * The phase move an `--against` check covers: the phase the previous export was at against the one
 * the stack file now sets (model/phases.ts PHASES, in order). The docs move a stack one phase at a
 * time, each after its gate (docs/how-to/move-between-phases.md): a move of more than one phase
 * forward skips a phase nothing gated (to kps-removed straight from loki-fixed removes KPS before
 * the new backend ever got a copy of the metrics), so it is refused. Back, too, the docs go one
 * phase at a time, each update checked with --against: each step back is the one the tests prove
 * loses nothing stored (and the change itself guards its protected buckets and releases), so a
 * move back of more than one phase is refused, naming the one to set next. Staying adds nothing.
 * An export that records no phase (an older version's) is judged at the phase what it runs fits,
 * said as inferred; where that is not one phase, a line says the check did not run.
 */
import { STACK_INFO_NAME } from "@homelab-observability/contract";
import {
  BACKENDS,
  capabilities,
  everyCapability,
  gateCommand,
  PHASES,
  synthCommand,
  type Backend,
  type Phase,
} from "../model/phases";
import type { StackExport } from "../synth/synthesize";
import { CliConfigError, cliStackConfig } from "../config/stackFile";
import { parseStackConfig, rawFromPulumiConfig } from "../config/resolve";
import { ConfigError } from "../config/errors";
import { pulumiCommand, stackNames } from "../config/paths";
import type { OverridePlace } from "../synth/report";
import { listed } from "../model/words";
import { shellWord } from "../model/running";

/** Where the docs say how to move between phases (its heading's anchor). */
export const PHASE_MOVE_DOC = "docs/how-to/move-between-phases.md#migration-phases";

/** Where the docs say how to change the backend (its heading's anchor). */
export const BACKEND_MOVE_DOC = "docs/how-to/move-between-phases.md#changing-the-metrics-backend";

/**
 * How the gate of the move from `from` to `to` is run: verify takes the phase the stack file names
 * as the one running and `--gate` only for the phase after it, and judges the cluster still at
 * `from` (docs step 2), so the gate runs while the file still says `from`, never after the edit.
 */
const gateBefore = (stack: string, from: Phase, to: Phase, dir?: string): string =>
  `\`${gateCommand(stack, to, dir)}\` exits 0 only while Pulumi.${stack}.yaml still says phase: ${from} (verify asks the running stack at the phase its file names)`;

const isPhase = (v: unknown): v is Phase =>
  typeof v === "string" && (PHASES as readonly string[]).includes(v);

/**
 * The phase an export records: the Stack's output `phase` (a real `pulumi stack export` and a
 * synthesis both carry it), else the stack-info ConfigMap's `data.phase`; undefined when neither does.
 */
export function phaseOfExport(exp: StackExport): Phase | undefined {
  const resources = exp.deployment.resources;
  const stackOutput = resources.find((r) => r.type === "pulumi:pulumi:Stack")?.outputs?.phase;
  if (isPhase(stackOutput)) return stackOutput;
  const data = stackInfoData(exp);
  return isPhase(data?.phase) ? data.phase : undefined;
}

/** The `data` of an export's stack-info ConfigMap (components/stackInfo.ts); undefined without one. */
export function stackInfoData(exp: StackExport): Record<string, any> | undefined {
  const info = exp.deployment.resources.find(
    (r) => r.type === "kubernetes:core/v1:ConfigMap" && r.inputs?.metadata?.name === STACK_INFO_NAME,
  );
  return info?.outputs?.data ?? info?.inputs?.data;
}

/**
 * The component each backend is built as (components/metrics/mimir.ts, victoriaMetrics.ts): a real
 * `pulumi stack export` lists component resources too, so this reads either kind of export.
 */
export const BACKEND_COMPONENT: Record<Backend, string> = {
  mimir: "homelab:metrics:Mimir",
  victoriametrics: "homelab:metrics:VictoriaMetrics",
};

/** The metrics backend an export runs; undefined when it runs none (before `dual-write`). */
export function backendOfExport(exp: StackExport): Backend | undefined {
  const types = new Set(exp.deployment.resources.map((r) => r.type));
  return BACKENDS.find((b) => types.has(BACKEND_COMPONENT[b]));
}

/**
 * The components apply/stack.ts makes for a capability of the phase (model/phases.ts), by their
 * type: kube-prometheus-stack's exactly when `kps`, the standalone Alertmanager's exactly when
 * `alertmanager` is "standalone".
 */
const KPS_COMPONENT = "homelab:metrics:KubePrometheusStack";
const ALERTMANAGER_COMPONENT = "homelab:alerting:Alertmanager";

/** The component types of the capabilities above that `phase` runs on `backend`. */
export function componentsAt(phase: Phase, backend: Backend): string[] {
  const caps = capabilities(phase, backend);
  return [
    ...(caps.kps ? [KPS_COMPONENT] : []),
    ...(caps.backend ? [BACKEND_COMPONENT[backend]] : []),
    ...(caps.alertmanager === "standalone" ? [ALERTMANAGER_COMPONENT] : []),
  ];
}

/**
 * The phases an export that records none can be at, told from what it runs against the phase
 * table (model/phases.ts): kube-prometheus-stack, a backend (and which), the standalone
 * Alertmanager. An export of an older version recorded no phase; its components say it.
 */
export function phasesRunning(exp: StackExport): Phase[] {
  const types = new Set(exp.deployment.resources.map((r) => r.type));
  const backend = backendOfExport(exp);
  const seen = { kps: types.has(KPS_COMPONENT), standalone: types.has(ALERTMANAGER_COMPONENT) };
  const rows = everyCapability().filter(
    ({ backend: b, caps }) =>
      (backend === undefined || b === backend) &&
      caps.backend === (backend !== undefined) &&
      caps.kps === seen.kps &&
      (caps.alertmanager === "standalone") === seen.standalone,
  );
  return PHASES.filter((p) => rows.some((r) => r.phase === p));
}

/**
 * A move from the previous export's phase to the new one; `steps` > 0 is forward. `inferred`: the
 * export records no phase, and `from` is the one phase what it runs fits ({@link phasesRunning}).
 */
export interface PhaseMove {
  from: Phase;
  to: Phase;
  steps: number;
  inferred?: boolean;
}

/**
 * The previous export records no phase and what it runs fits none or several: `could` are those.
 * `empty`: it holds no resources at all, a new stack's state (or a destroyed one's, whose next
 * update is not its first): no version's phase record is missing from it, there is none to read.
 */
export interface UnknownPhase {
  to: Phase;
  could: Phase[];
  empty?: true;
}

/**
 * The move between two exports' phases: the previous one's read from what it records, else told
 * from what it runs; undefined when the new one records none.
 */
export function phaseMove(previous: StackExport, next: StackExport): PhaseMove | UnknownPhase | undefined {
  const to = phaseOfExport(next);
  if (!to) return undefined;
  if ((previous.deployment?.resources ?? []).length === 0) return { to, could: [], empty: true };
  const recorded = phaseOfExport(previous);
  const could = recorded ? [recorded] : phasesRunning(previous);
  if (could.length !== 1) return { to, could };
  const from = could[0];
  return {
    from,
    to,
    steps: PHASES.indexOf(to) - PHASES.indexOf(from),
    ...(recorded ? {} : { inferred: true }),
  };
}

/**
 * The phase a refused move names to set next: the one before `from` for a move back of more than
 * one phase, the one after it for a forward skip; undefined for a move that is not refused here.
 */
export function nextStep(move: PhaseMove | UnknownPhase | undefined): Phase | undefined {
  if (!move || !("from" in move) || Math.abs(move.steps) < 2) return undefined;
  return PHASES[PHASES.indexOf(move.from) + Math.sign(move.steps)];
}

/** What an export that records no phase lacks, as the phase lines say it. */
const NOT_RECORDED = `records no phase (neither the Stack output phase nor the ConfigMap ${STACK_INFO_NAME}'s data.phase: an export of an older version)`;

/**
 * What the change check says of a move: a refusal when it skips a phase forward, one line naming
 * the docs' step when it is one phase forward, a refusal when it goes back more than one, nothing
 * when it stays or goes back one. `dir` is the
 * project folder its commands name (config/paths.ts commandDir). `created`: the buckets the update
 * creates (bucketMove.ts createdBuckets); one a step back left on the store fails to be created
 * again, which the line says, as the export cannot tell. `also`: what the refused move deletes that
 * the change would refuse besides (backendMove.ts foldPhaseMove), said inside its refusal: one
 * mistake, one message.
 */
export function phaseMoveVerdict(
  move: PhaseMove | UnknownPhase | undefined,
  stack: string,
  exportFile: string,
  at?: OverridePlace,
  dir?: string,
  created: string[] = [],
  also = "",
): { line: string; refused: boolean } | undefined {
  if (!move) return undefined;
  if ("empty" in move)
    return {
      line: `phase ${move.to}: the export (${exportFile}) holds no resources (a new stack's, or a destroyed one's): the stack records nothing to move from, so no phase move is judged`,
      refused: false,
    };
  // Without the previous phase no move is judged: said, so a skip does not pass unseen.
  if (!("from" in move))
    return {
      line: `phase check not run: the export (${exportFile}) ${NOT_RECORDED}, and what it runs fits ${move.could.length === 0 ? "no phase" : `more than one phase (${move.could.join(", ")})`}, so whether ${move.to} skips a phase is not known; compare with an export written by this version (\`${pulumiCommand(dir)} stack export --stack ${shellWord(stack)}\` after its pulumi up, or \`${synthCommand(stack, dir)}\` of the stack file that ran)`,
      refused: false,
    };
  // Said with every verdict on an inferred phase, and as the only line when it stays or goes back.
  const inferred = move.inferred
    ? ` (${move.from} inferred from what the export runs: it ${NOT_RECORDED})`
    : "";
  // The key and its line, where the stack file sets it (the line to edit), else the file.
  const where = at?.("phase");
  const setting = where ? `phase (${where})` : `Pulumi.${stack}.yaml`;
  const step = nextStep(move);
  if (step && move.steps < 0) {
    const past = PHASES.slice(PHASES.indexOf(move.to) + 1, PHASES.indexOf(move.from)).reverse();
    return {
      line: `REFUSED phase ${move.from} -> ${move.to}: the export (${exportFile}) was at ${move.from}${inferred} and ${setting} now says ${move.to}, ${-move.steps} phases back, past ${past.join(", ")}; a stack moves back one phase at a time, each update checked with --against (each step back is one the tests prove loses nothing stored).${also} Set phase: ${step} next (the phase before ${move.from}; going back needs no gate), then the one before it in the next update; read ${PHASE_MOVE_DOC}`,
      refused: true,
    };
  }
  if (move.steps <= 0)
    return inferred ? { line: `phase ${move.from} -> ${move.to}${inferred}`, refused: false } : undefined;
  const next = step ?? PHASES[PHASES.indexOf(move.from) + 1];
  // The file already says the new phase here, so the gate is said as run before that edit.
  if (move.steps === 1)
    return {
      line: `phase ${move.from} -> ${move.to} (one phase forward${inferred}): before pulumi up, its gate must have passed: ${gateBefore(stack, move.from, next, dir)}; if it has not run, set phase: ${move.from} back, run it, then set phase: ${next} again (${PHASE_MOVE_DOC}, step 2)${created.length > 0 ? `; it creates ${created.length > 1 ? "buckets" : "bucket"} ${listed(created)}: if an earlier step back left ${created.length > 1 ? "them" : "it"} on the store (retained), list ${created.length > 1 ? "them" : "it"} in existing.buckets before pulumi up, or the create fails ("bucket already exists!"); the export cannot tell (${PHASE_MOVE_DOC}, "Back one phase and forward again")` : ""}`,
      refused: false,
    };
  const skipped = PHASES.slice(PHASES.indexOf(move.from) + 1, PHASES.indexOf(move.to));
  return {
    line: `REFUSED phase ${move.from} -> ${move.to}: the export (${exportFile}) was at ${move.from}${inferred} and ${setting} now says ${move.to}, ${move.steps} phases forward, skipping ${skipped.join(", ")}; a stack moves one phase at a time, each set only after its gate passed.${also} Set phase: ${next} next (the phase after ${move.from}), once its gate passed: ${gateBefore(stack, move.from, next, dir)}; read ${PHASE_MOVE_DOC}`,
    refused: true,
  };
}

/** What the staging-ahead rule needs of one stack file. */
export interface StackPhase {
  stack: string;
  production: boolean;
  phase: Phase;
  metricsBackend: string;
  /**
   * Where its export was looked for (rehearsalExports.ts): `unread` absent, `phase` and (where it
   * runs one) `metricsBackend` are the export's, `filePhase` and `fileBackend` the other phase and
   * backend its file says; else they are its stack file's, `unread` says why, and `give` that
   * writing its export at `file` would let it be read. Absent: none was looked for.
   */
  exportAt?: { file: string; unread?: string; give?: true; filePhase?: Phase; fileBackend?: string };
}

/** Where a rehearsal's phase was read, said after its name and phase; nothing where no export was looked for. */
function readFrom(s: StackPhase): string {
  if (!s.exportAt) return "";
  const { file, unread, filePhase } = s.exportAt;
  if (unread === undefined)
    return ` as its export ${file} says${filePhase ? `, though Pulumi.${s.stack}.yaml says ${filePhase}` : ""}`;
  return ` as its stack file Pulumi.${s.stack}.yaml says (${unread})`;
}

/**
 * The way to judge by what runs the rehearsals `ss` judged from their files, where writing their
 * export beside --against would do it; "" when there is none. A stack file says the phase an
 * operator set, which its last pulumi up may not have run.
 */
function giveExports(ss: StackPhase[], dir?: string): string {
  const give = ss.filter((s) => s.exportAt?.give);
  if (give.length === 0) return "";
  const commands = give.map(
    (s) =>
      `\`${pulumiCommand(dir)} stack export --stack ${shellWord(s.stack)} > ${shellWord(s.exportAt!.file)}\``,
  );
  return `; a stack file says the phase set, which its last pulumi up may not have run: to judge ${listed(give.map((s) => s.stack))} by what ${give.length > 1 ? "they run" : "it runs"}, run ${listed(commands)} and this check again`;
}

/**
 * Each stack file of the project as the phase rule reads it: its phase, whether it is production,
 * its metrics backend (the defaults filled in as the program fills them). A file the program
 * refuses is left out and named in `refused` (its own synthesis says why); any other error is the
 * program's and is thrown.
 */
export function stackPhases(
  root: string,
  env: NodeJS.ProcessEnv = process.env,
): { stacks: StackPhase[]; refused: string[] } {
  const stacks: StackPhase[] = [];
  const refused: string[] = [];
  for (const stack of stackNames(root)) {
    try {
      const raw = rawFromPulumiConfig(cliStackConfig(root, stack).config);
      const c = parseStackConfig(raw, stack, env, { allowAbsentSecrets: true });
      stacks.push({ stack, production: c.production, phase: c.phase, metricsBackend: c.metricsBackend });
    } catch (e) {
      if (!(e instanceof ConfigError) && !(e instanceof CliConfigError)) throw e;
      refused.push(stack);
    }
  }
  return { stacks, refused };
}

/**
 * Where a non-production stack's file names `backend` but its export runs the other one (its file
 * edited, not yet deployed): the project has a stack of `backend`, which has rehearsed nothing on
 * it, and its own way is the backend change first (refused while a backend runs: backendMove.ts).
 * Said so, where "no stack of `backend`" with the way to add one would be untrue; undefined else.
 */
function backendNotRun(others: StackPhase[], backend: string, to: Phase): string | undefined {
  const edited = others.filter((s) => s.exportAt?.fileBackend === backend);
  if (edited.length === 0) return undefined;
  const said = edited.map(
    (s) =>
      `${s.stack} runs ${s.metricsBackend} as its export ${s.exportAt!.file} says, though Pulumi.${s.stack}.yaml says ${backend}`,
  );
  const one = edited.length === 1;
  return `no non-production stack runs metrics backend ${backend} yet (${said.join("; ")}): a stack file says the backend set, which its last pulumi up has not run, so nothing rehearsed ${to} on ${backend}; staging runs ahead of production. Change ${listed(edited.map((s) => s.stack))}'s backend to ${backend} first (${BACKEND_MOVE_DOC}), move ${one ? "it" : "them"} up to ${to} one phase at a time`;
}

/**
 * "Staging runs ahead of production" (move-between-phases.md): a production stack moving one phase
 * forward is refused while every non-production stack of its metrics backend (its rehearsals) is
 * still behind that phase, naming them and the move to make first, and while none of them could be
 * read (each refused stack file named: it may be the rehearsal), and when the project has no such
 * stack at all (its only stack, or staging on another backend: nothing rehearses the backend, the
 * way out is a staging stack of it). Nothing is said when the move is not one phase forward (the
 * skip has its own refusal). `running` is the backend the previous export runs: where the stack file
 * names another, that change is refused on its own (backendMove.ts, whose way out keeps `running`),
 * so the rehearsal judged is of `running`, not of the backend the refused edit names. `place` places
 * `phase` in the stack file, for the refusal to name its line. Where the rehearsals' exports were
 * looked for (StackPhase exportAt), each is said with where its phase was read, and a move they let
 * pass is said too (a note): which stack is at the phase, as its export or its file says.
 */
export function stagingAheadVerdict(
  move: PhaseMove | UnknownPhase | undefined,
  stack: string,
  { stacks, refused = [] }: { stacks: StackPhase[]; refused?: string[] },
  dir?: string,
  running?: Backend,
  place?: OverridePlace,
): { line: string; refused: boolean } | undefined {
  const read = stacks.find((s) => s.stack === stack);
  if (!move || !("steps" in move) || move.steps !== 1 || !read?.production) return undefined;
  const self = { ...read, metricsBackend: running ?? read.metricsBackend };
  const rehearsals = stacks.filter(
    (s) => s.stack !== stack && !s.production && s.metricsBackend === self.metricsBackend,
  );
  const at = PHASES.indexOf(move.to);
  const reached = rehearsals.filter((s) => PHASES.indexOf(s.phase) >= at);
  // Rehearsed: where the rehearsals' exports were looked for, said with what was read.
  if (reached.length > 0)
    return reached.some((s) => s.exportAt)
      ? {
          line: `phase ${move.from} -> ${move.to} on production stack ${stack}: a non-production stack of metrics backend ${self.metricsBackend} is at ${move.to} or past it (staging runs ahead of production): ${reached.map((s) => `${s.stack} at ${s.phase}${readFrom(s)}`).join("; ")}${giveExports(reached, dir)}`,
          refused: false,
        }
      : undefined;
  // The key at its line (the line to set back), where the stack file sets it.
  const where = place?.("phase");
  const refusedLine = `REFUSED phase ${move.from} -> ${move.to} on production stack ${stack} before any rehearsal: ${where ? `phase (${where}) says ${move.to}, and ` : ""}`;
  // A stack whose file is refused may be the rehearsal: say it was not read, each with the command
  // that says why (with --dir, or pasted it synthesizes the checkout's stack of that name).
  const unread = `not read, ${refused.length > 1 ? "their stack files" : "its stack file"} refused: ${listed(refused.map((s) => `Pulumi.${s}.yaml (\`${synthCommand(s, dir)}\` says why)`))}`;
  // None read: a refused one may have reached the phase, or not; a move nobody can show was
  // rehearsed is held as one shown not to be, until the file is mended.
  if (rehearsals.length === 0 && refused.length > 0)
    return {
      line: `${refusedLine}no non-production stack of metrics backend ${self.metricsBackend} was read, so it cannot be shown that one reached ${move.to} first (staging runs ahead of production): ${unread}; fix ${refused.length > 1 ? "them" : "it"} and run this check again (${PHASE_MOVE_DOC})`,
      refused: true,
    };
  // No stack rehearses this backend. Where the project has staging on the other backend (its
  // phases run other components, model/phases.ts), the operator rehearses, but not this: the move
  // waits for a stack of this backend. A production stack alone (one cluster, DESIGN.md's small
  // operator, who cannot give staging a kubeContext of its own) has nothing to wait for: refusing
  // would hold every forward move for good, or push a stack file never deployed to satisfy the
  // rule; the move is said as not rehearsed, with the way to rehearse the next.
  if (rehearsals.length === 0) {
    const others = stacks.filter((s) => s.stack !== stack && !s.production);
    const switched = backendNotRun(others, self.metricsBackend, move.to);
    if (switched)
      return { line: `${refusedLine}${switched}, then ${stack} (${PHASE_MOVE_DOC})`, refused: true };
    const name = [...stacks.map((s) => s.stack), ...refused].includes("staging")
      ? `staging-${self.metricsBackend}`
      : "staging";
    const add = `a stack file such as Pulumi.${name}.yaml with production: false, metricsBackend: ${self.metricsBackend} and its own kubeContext, at phase: ${move.from} as ${stack} is, moved to ${move.to} first (its own gate: ${gateBefore(name, move.from, move.to, dir)}; then --against and pulumi up), then ${stack}`;
    if (others.length === 0)
      return {
        line: `phase ${move.from} -> ${move.to} on production stack ${stack} is not rehearsed: the project has no non-production stack, so nothing ran ${move.to} first (staging runs ahead of production where there is one). To rehearse a move, add ${add} (${PHASE_MOVE_DOC})`,
        refused: false,
      };
    return {
      line: `${refusedLine}the project has no non-production stack of metrics backend ${self.metricsBackend} (${listed(others.map((s) => `${s.stack} runs ${s.metricsBackend}`))}), so no stack rehearses the phases on ${self.metricsBackend}; staging runs ahead of production. Add one first: ${add} (${PHASE_MOVE_DOC})`,
      refused: true,
    };
  }
  // Each with where its phase was read, where its export was looked for (`;` between them then).
  const sep = rehearsals.some((s) => s.exportAt) ? "; " : ", ";
  const behind = `${rehearsals.map((s) => `${s.stack} at ${s.phase}${readFrom(s)}`).join(sep)}${refused.length ? `; ${unread}` : ""}`;
  // The rehearsal closest to the target (the first of those as far) moves first, one phase at a
  // time like any stack: its own next phase and that phase's gate, which verify takes while its
  // file still names the phase it is at; the target itself may be phases further.
  const closest = rehearsals.reduce((a, b) => (PHASES.indexOf(b.phase) > PHASES.indexOf(a.phase) ? b : a));
  const next = PHASES[PHASES.indexOf(closest.phase) + 1];
  const moveFirst =
    next === move.to
      ? `Move ${closest.stack} to ${move.to} first`
      : `Move ${closest.stack} up to ${move.to} first, one phase at a time, starting with ${next}`;
  return {
    line: `${refusedLine}no non-production stack of metrics backend ${self.metricsBackend} has reached ${move.to} (${behind}); staging runs ahead of production. ${moveFirst} (its own gate: ${gateBefore(closest.stack, closest.phase, next, dir)}; then --against and pulumi up), then ${stack}${giveExports(rehearsals, dir)} (${PHASE_MOVE_DOC})`,
    refused: true,
  };
}
