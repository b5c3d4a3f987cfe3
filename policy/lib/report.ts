import type { ReportViolation } from "@pulumi/policy";
import { causeKey, originOf } from "@homelab-observability/contract";

/** The report function as the offline evaluator (policy/evaluate.ts) calls it: a third argument, the cause. */
type ReportWithCause = (message: string, urn: string | undefined, cause: string) => void;

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
 * The key of `mistake` in a resource a resource policy judges: its origin is the Helm release that
 * rendered it (its parent), else the resource itself.
 */
export function resourceCause(mistake: string, args: { urn: string; opts?: { parent?: string } }): string {
  return causeKey(mistake, originOf(args.urn, args.opts?.parent));
}
