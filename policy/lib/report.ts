import type { ReportViolation } from "@pulumi/policy";
import { causeKey, originOf } from "@homelab-observability/contract";

/** The report function as the offline evaluator (policy/evaluate.ts) calls it: a third argument, the cause. */
type ReportWithCause = (
  message: string,
  urn: string | undefined,
  cause: string | undefined,
  judged?: readonly string[],
  containers?: readonly string[],
) => void;

/**
 * Reports a violation with the key of its mistake (contract/mistakes.ts). The engine's report
 * function takes a message and a URN and ignores a third argument (@pulumi/policy 1.21
 * server.js makeReportViolationFun reads `message` and `urn` only), so a live `pulumi preview`
 * shows the message as before; the offline evaluator keeps the cause and the synthesis prints
 * every violation and finding of one cause as one message.
 */
export function reportCause(report: ReportViolation, message: string, cause: string, urn?: string): void {
  (report as unknown as ReportWithCause)(message, urn, cause);
}

/**
 * Reports a violation with the fields of the workload its verdict rests on (`image`, or
 * `nodeSelector` and `affinity`), and its mistake's key when known. As `reportCause`, the engine
 * ignores the extra arguments; the offline evaluator keeps them, and the synthesis names a
 * chartValues override as the cause when it sets one of those fields (synth/report.ts overridesOn),
 * not when the message happens to use a word of its key. `containers`, when given, are the
 * containers (by name) whose fields they are: another container's override of the same chart is
 * not named (synth/containerKeys.ts).
 */
export function reportJudged(
  report: ReportViolation,
  message: string,
  judged: readonly string[],
  urn?: string,
  cause?: string,
  containers?: readonly string[],
): void {
  (report as unknown as ReportWithCause)(message, urn, cause, judged, containers);
}

/** The fields of a workload that decide which nodes its pods may land on, judged by the rules on placement. */
export const PLACEMENT_JUDGED = ["nodeSelector", "affinity", "tolerations"] as const;

/**
 * The key of `mistake` in a resource a resource policy judges: its origin is the Helm release that
 * rendered it (its parent), else the resource itself.
 */
export function resourceCause(mistake: string, args: { urn: string; opts?: { parent?: string } }): string {
  return causeKey(mistake, originOf(args.urn, args.opts?.parent));
}
