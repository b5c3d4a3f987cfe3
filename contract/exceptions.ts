/**
 * The one list of accepted security findings: every escalation path a role keeps, every pod that
 * stays root, every finding of the third-party scanner that stays, each named and justified. The
 * rendered-object checks (preview/checks/privileges.ts), the policy pack (policy/privileges.ts) and
 * the scanner test (test/preview/scanner.test.ts) accept exactly these; a test fails when an entry
 * no longer occurs in any stack, so the list never outlives its reason.
 */
import type { AcceptedException } from "./privileges";

export const ACCEPTED_EXCEPTIONS: readonly AcceptedException[] = [];
