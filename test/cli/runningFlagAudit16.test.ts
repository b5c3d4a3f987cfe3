/**
 * `npm run synth -- --stack takeover --running <dir>` with a report missing from the folder: the
 * refusal names --running and its folder, the file and the command that collects it, and closes
 * with --running as the reason, not as the stack's `takeover.running` key, which the stack file
 * does not set (the flag fills it in).
 */
import { strict as assert } from "assert";
import * as path from "path";
import { synthCli, tmpDir } from "../support/helpers";

const lastLine = (text: string) => text.trimEnd().split("\n").pop()!;

describe("synth --running: a folder missing a report", function () {
  this.timeout(120_000);

  it("is said as --running's, with the file and the command that collects it", async () => {
    const running = tmpDir("running");
    const out = tmpDir("out");
    const r = await synthCli("--stack", "takeover", "--running", running, "--out", out, "--quiet");
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.ok(
      r.stderr.includes(
        `takeover: --running ${running}: ${path.join(running, "helm-list.yaml")}: missing; collect it with: helm list -n <namespace> -o yaml > <dir>/helm-list.yaml`,
      ),
      r.stderr,
    );
    assert.doesNotMatch(r.stderr, /takeover\.running/);
    assert.equal(lastLine(r.stdout), `takeover: FAIL (exit 2): bad input: --running ${running} (above)`);
  });
});
