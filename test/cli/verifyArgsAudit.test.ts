/**
 * verify's `--url <component>=<url>` with a misspelt component names the closest one, as every
 * other list of allowed values does.
 */
import { strict as assert } from "assert";
import { parseVerifyArgs } from "../../cli/verifyRun";

describe("verify --url: a misspelt component", () => {
  it("names the closest component", () => {
    assert.throws(
      () => parseVerifyArgs(["--stack", "staging", "--url", "grafna=http://localhost:3000"]),
      (e: Error) =>
        e.message.startsWith("--url: expected <component>=<url> with a component of ") &&
        e.message.endsWith('got "grafna=http://localhost:3000"; did you mean "grafana"?'),
    );
  });
});
