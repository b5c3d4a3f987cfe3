/**
 * Where backend-agrees compares anything: with Prometheus and the backend both running at the
 * stack's phase, the one before the gate asked. One rule for the check (verify/agreeCheck.ts) and
 * for which gates read --window and --step (cli/verifyRun.ts, cli/spec.ts), so a flag is refused
 * exactly where the check would skip and leave it unread. Kept apart from the check: the CLI's
 * spec reads it at every start, without the check's HTTP and Grafana modules.
 */
import { BACKENDS, capabilities, PHASES, type Phase, type PhaseCapabilities } from "../model/phases";

/**
 * Why backend-agrees compares nothing with the stack at `phase` (its capabilities `caps`) before
 * `gate`; undefined when it compares.
 */
export function agreeSkip(phase: Phase, caps: PhaseCapabilities, gate: Phase): string | undefined {
  if (!caps.kps) return `no Prometheus runs at ${phase}: nothing to compare the backend with`;
  if (!caps.backend) return `no backend runs at ${phase}: nothing moves to it at ${gate}`;
  return undefined;
}

/** Why backend-agrees skips before `gate` (the stack at the phase before it) for every backend; undefined when it compares for one. */
export function agreeSkipBefore(gate: Phase): string | undefined {
  const before = PHASES[PHASES.indexOf(gate) - 1];
  if (!before) return `no phase comes before ${gate}`;
  const why = BACKENDS.map((b) => agreeSkip(before, capabilities(before, b), gate));
  return why.every((w) => w !== undefined) ? why[0] : undefined;
}

/** The phase gates before which backend-agrees compares: the only ones whose checks read --window and --step. */
export const AGREE_GATES: readonly Phase[] = PHASES.filter((g) => agreeSkipBefore(g) === undefined);
