/**
 * `npm run synth -- --stack takeover --running <dir>` with reports missing from the folder: the
 * refusal names --running and its folder, each file and the command that collects it, and closes
 * with --running as the reason, not as the stack's `takeover.running` key, which the stack file
 * does not set (the flag fills it in).
 */
import { strict as assert } from "assert";
import * as path from "path";
import { runningCommand } from "../../model/running";
import { synthCli, tmpDir } from "../support/helpers";

const lastLine = (text: string) => text.trimEnd().split("\n").pop()!;

describe("synth --running: a folder missing a report", function () {
  this.timeout(120_000);

  it("is said as --running's, with the file and the command that collects it", async () => {
    const running = tmpDir("running");
    const out = tmpDir("out");
    const r = await synthCli("--stack", "takeover", "--running", running, "--out", out, "--quiet");
    assert.equal(r.status, 2, r.stdout + r.stderr);
    // Every report the empty folder lacks, in this one run (the values files wait for the list).
    assert.ok(
      r.stderr.includes(
        `takeover: --running ${running}: 3 of the folder's reports are missing or refused:\n` +
          `  ${path.join(running, "helm-list.yaml")}: missing; collect it with: helm list -n NAMESPACE -o yaml > ${running}/helm-list.yaml (NAMESPACE: the one the running releases are in); then the values file of each release it lists (helm get values), named once it is there\n` +
          `  ${path.join(running, "statefulsets.yaml")}: missing; collect it with: kubectl get statefulsets -n NAMESPACE -o yaml > ${running}/statefulsets.yaml (NAMESPACE: the one the running releases are in)\n` +
          `  ${path.join(running, "pvcs.yaml")}: missing; collect it with: kubectl get pvc -n NAMESPACE -o yaml > ${running}/pvcs.yaml (NAMESPACE: the one the running releases are in)`,
      ),
      r.stderr,
    );
    assert.doesNotMatch(r.stderr, /takeover\.running/);
    // Nothing a shell reads as a redirection: `> <dir>/x` writes into a file named `dir`.
    assert.doesNotMatch(r.stderr, /<namespace>|<dir>/);
    assert.equal(lastLine(r.stdout), `takeover: FAIL (exit 2): bad input: --running ${running} (above)`);
  });
});

describe("the commands that collect the running state", () => {
  it("name the folder as a shell word: quoted when it holds what a shell reads", () => {
    assert.equal(
      runningCommand("pvcs.yaml", "running"),
      "kubectl get pvc -n NAMESPACE -o yaml > running/pvcs.yaml (NAMESPACE: the one the running releases are in)",
    );
    assert.equal(
      runningCommand("namespaces.yaml", "/tmp/my running's"),
      "kubectl get namespaces -o yaml > '/tmp/my running'\\''s'/namespaces.yaml",
    );
  });
});
