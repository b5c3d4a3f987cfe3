/**
 * The rehearsals of the staging-ahead rule (phaseMove.ts stagingAheadVerdict) judged by what they
 * run where an export of theirs is at hand: a stack file says the phase an operator set, which
 * may never have been deployed (staging edited to the next phase and production moved on its word).
 * The export is looked for as `<stack>.json` beside the `--against` export: CI's worktree `out/`
 * folder holds every stack's export of the previous commit there (.ci/run), `synth --out` writes
 * each stack's so, and `pulumi stack export --stack <stack> > <folder>/<stack>.json` gives what a
 * stack's last update left. An export that cannot be read, is another stack's, holds nothing or
 * records no phase is not used: the stack is judged from its file as before, saying why.
 */
import * as fs from "fs";
import * as path from "path";
import { readStackExport } from "../synth/exportFile";
import { stackOfExport } from "./against";
import { backendOfExport, phaseOfExport, type StackPhase } from "./phaseMove";

/** Where a rehearsal's export is looked for: `<stack>.json` in the folder of the `--against` export. */
export const rehearsalExportFile = (against: string, stack: string): string =>
  path.join(path.dirname(against), `${stack}.json`);

/**
 * One non-production stack as the rule reads it: its phase (and the backend it runs, where it runs
 * one) from its export beside `against` when that records them, else its file's, with why not.
 */
function judged(s: StackPhase, against: string): StackPhase {
  const file = rehearsalExportFile(against, s.stack);
  // `give`: writing the stack's export there would let it be read (not so for one that holds
  // nothing or records no phase: an export written again says the same).
  const fromFile = (unread: string, give = false): StackPhase => ({
    ...s,
    exportAt: { file, unread, ...(give ? { give } : {}) },
  });
  if (!fs.existsSync(file)) return fromFile(`no ${file} beside the --against export`, true);
  const read = readStackExport(file);
  if (!("export" in read)) return fromFile(`its export beside --against was not read: ${read.message}`, true);
  const exp = read.export;
  if (exp.deployment.resources.length === 0)
    return fromFile(`${file} beside the --against export holds no resources`);
  const of = stackOfExport(exp)?.stack;
  if (of !== undefined && of !== s.stack)
    return fromFile(`${file} beside the --against export is stack ${of}'s, as its URNs say`, true);
  const phase = phaseOfExport(exp);
  if (!phase) return fromFile(`${file} beside the --against export records no phase (an older version's)`);
  // The backend it runs; none before dual-write, where the file's choice is all there is.
  const metricsBackend = backendOfExport(exp) ?? s.metricsBackend;
  return {
    ...s,
    phase,
    metricsBackend,
    exportAt: {
      file,
      ...(phase !== s.phase ? { filePhase: s.phase } : {}),
      ...(metricsBackend !== s.metricsBackend ? { fileBackend: s.metricsBackend } : {}),
    },
  };
}

/**
 * `read` (phaseMove.ts stackPhases) with each non-production stack other than `stack` judged from
 * its export beside `against` where one is read ({@link judged}); the rest as they were.
 */
export function withRehearsalExports(
  read: { stacks: StackPhase[]; refused: string[] },
  stack: string,
  against: string,
): { stacks: StackPhase[]; refused: string[] } {
  return {
    ...read,
    stacks: read.stacks.map((s) => (s.stack === stack || s.production ? s : judged(s, against))),
  };
}
