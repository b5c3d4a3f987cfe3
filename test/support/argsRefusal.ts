import { strict as assert } from "assert";
import { CliArgsError, parseArgs, type CliSpec } from "../../cli/spec";

/** The message `parseArgs` refuses `argv` with under `env`; fails the test when it is accepted. */
export function argsRefusal(spec: CliSpec, argv: string[], env: NodeJS.ProcessEnv): string {
  try {
    parseArgs(spec, argv, env);
  } catch (e) {
    assert.ok(e instanceof CliArgsError, String(e));
    return e.message;
  }
  assert.fail("accepted");
}
