/**
 * The `--against` refusal of a change of `metricsBackend` while the previous export ran a backend
 * (from `dual-write` on). Mimir and VictoriaMetrics keep their own stores (Mimir's blocks in its
 * buckets, vmsingle's TSDB on its claim) and the program copies nothing from one to the other: the
 * update removes the old backend (its buckets and claims are retained, so the data stays where it
 * is) and starts the new one empty. What the old one holds no longer shows in Grafana. From `kps-removed` on that is every metric the stack has; at
 * `dual-write` it is the copy the `backend-primary` gate waits on. So it is refused, naming the key
 * with its line, and the way to change the backend where no backend runs: at `loki-fixed`.
 */
import { BACKENDS, PHASES, type Backend } from "../model/phases";
import type { StackExport } from "../synth/synthesize";
import type { OverridePlace } from "../synth/report";
import { phaseOfExport } from "./phaseMove";

/** Where the docs say how to change the backend (its heading's anchor). */
export const BACKEND_MOVE_DOC = "docs/how-to/move-between-phases.md#changing-the-metrics-backend";

/**
 * The component each backend is built as (components/metrics/mimir.ts, victoriaMetrics.ts): a real
 * `pulumi stack export` lists component resources too, so this reads either kind of export.
 */
const COMPONENT_OF: Record<Backend, string> = {
  mimir: "homelab:metrics:Mimir",
  victoriametrics: "homelab:metrics:VictoriaMetrics",
};

/**
 * What each backend keeps that the program does not carry to the other. Both are retained on
 * removal: buckets `retainOnDelete` (components/objectstore/objectStore.ts), Mimir's claims
 * `whenDeleted: Retain` (builders/metrics/mimirValues.ts), vmsingle's `removePvcAfterDelete: false`
 * (builders/metrics/vmValues.ts).
 */
const HOLDS: Record<Backend, string> = {
  mimir: "the metrics history (its blocks in the object store, recent series on its claims)",
  victoriametrics: "the metrics history (vmsingle's data on its claim)",
};

/** The metrics backend an export runs; undefined when it runs none (before `dual-write`). */
export function backendOfExport(exp: StackExport): Backend | undefined {
  const types = new Set(exp.deployment.resources.map((r) => r.type));
  return BACKENDS.find((b) => types.has(COMPONENT_OF[b]));
}

/**
 * One refusal when the previous export ran one backend and the new state runs the other; nothing
 * when the previous one ran none (the backend is chosen at `loki-fixed`) or either side runs none
 * (going back to `loki-fixed` removes the backend, which the change itself judges).
 */
export function backendMoveVerdict(
  previous: StackExport,
  next: StackExport,
  at?: OverridePlace,
): { line: string; refused: true } | undefined {
  const [from, to] = [backendOfExport(previous), backendOfExport(next)];
  if (!from || !to || from === to) return undefined;
  const where = at?.("metricsBackend");
  // Left out, the key takes the schema's default (config/schema.ts metricsBackend).
  const key = where
    ? `metricsBackend (${where})`
    : "metricsBackend (not set in the stack file, so its default)";
  const phase = phaseOfExport(previous);
  const only =
    phase === "kps-removed"
      ? " With kube-prometheus-stack gone, that is every metric the stack has."
      : phase === "dual-write" || phase === "backend-primary"
        ? ` Prometheus still holds what its retention keeps (prometheus.retention), and the backend-primary gate waits again until ${to} holds as much.`
        : "";
  const first = PHASES[0];
  return {
    line:
      `REFUSED metrics backend ${from} -> ${to}: ${key} changed from ${from} to ${to}, where the export ran ${from}${phase ? ` at ${phase}` : ""}. ` +
      `The update removes ${from} and starts ${to} empty: what ${from} holds, ${HOLDS[from]}, stays where it is (retained) but no longer shows in Grafana, and the program copies none of it to ${to}.${only} ` +
      `Keep the backend: set metricsBackend back to ${from}. To change it, do so at ${first}, where no backend runs: move back one phase at a time (each with --against), set metricsBackend: ${to} there, then forward again (${BACKEND_MOVE_DOC})`,
    refused: true,
  };
}
