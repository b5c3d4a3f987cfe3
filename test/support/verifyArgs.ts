import { strict as assert } from "assert";
import { parseVerifyArgs, VerifyArgsError } from "../../cli/verifyRun";

/** The problems parseVerifyArgs refuses `argv` with (none: it parses). */
export function verifyArgProblems(argv: string[]): string[] {
  try {
    parseVerifyArgs(argv, {});
    return [];
  } catch (e) {
    assert.ok(e instanceof VerifyArgsError, String(e));
    return e.problems;
  }
}
