/**
 * The `--against` warning of an Alertmanager hand-over: a move between phases whose Alertmanager
 * differs (model/phases.ts `alertmanager`: kube-prometheus-stack's until backend-primary, then the
 * standalone one or VictoriaMetrics', and back). Each keeps its silences and notification log on its
 * own claim and the program copies none of them, so the Alertmanager that takes the routes starts
 * without the silences of the one before (docs/how-to/move-between-phases.md "Alert state"). The
 * objects below show only one Alertmanager's deletion and the other's creation.
 *
 * Warned, not refused: silences are the operator's to carry over (amtool, the docs' commands), and
 * the move itself is the migration's.
 */
import { BACKENDS, capabilities, type Backend, type Phase, type PhaseCapabilities } from "../model/phases";
import { RELEASES } from "../model/names";
import type { StackExport } from "../synth/synthesize";
import { backendOfExport, phaseOfExport } from "./phaseMove";

type Alertmanager = PhaseCapabilities["alertmanager"];

const NAMES: Record<Alertmanager, string> = {
  kps: "kube-prometheus-stack's Alertmanager",
  standalone: `the standalone Alertmanager (release ${RELEASES.alertmanager})`,
  vm: "VictoriaMetrics' Alertmanager (VMAlertmanager)",
};

/**
 * The Alertmanager `phase` runs on `backend`; without a backend (a phase that runs none), the one
 * every backend's row names, or undefined where they differ.
 */
function alertmanagerAt(phase: Phase, backend: Backend | undefined): Alertmanager | undefined {
  if (backend) return capabilities(phase, backend).alertmanager;
  const each = new Set(BACKENDS.map((b) => capabilities(phase, b).alertmanager));
  return each.size === 1 ? [...each][0] : undefined;
}

export function alertmanagerHandoverVerdict(
  previous: StackExport,
  next: StackExport,
): { line: string; refused: boolean } | undefined {
  const [from, to] = [phaseOfExport(previous), phaseOfExport(next)];
  if (!from || !to) return undefined;
  const [wasBackend, isBackend] = [backendOfExport(previous), backendOfExport(next)];
  // A backend swapped is refused on its own (backendMove.ts): one message for that mistake.
  if (wasBackend && isBackend && wasBackend !== isBackend) return undefined;
  const [was, is] = [alertmanagerAt(from, wasBackend), alertmanagerAt(to, isBackend)];
  if (!was || !is || was === is) return undefined;
  return {
    line: `WARNING Alertmanager handed over: phase ${from} -> ${to} moves alerting from ${NAMES[was]} to ${NAMES[is]}, which starts without the other's silences: export them before pulumi up (\`amtool silence query -o json\` against the one that runs now) and import them after (\`amtool silence import\` against the new one); the commands: docs/how-to/move-between-phases.md#migration-phases, "Alert state"`,
    refused: false,
  };
}
