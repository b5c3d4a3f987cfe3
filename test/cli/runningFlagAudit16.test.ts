/**
 * `npm run synth -- --stack takeover --running <dir>` with reports missing from the folder: the
 * refusal names --running and its folder, each file and the command that collects it (from the
 * stack's namespace, in the kube context it pins: Pulumi.takeover.yaml's admin@production), and closes
 * with --running as the reason, not as the stack's `takeover.running` key, which the stack file
 * does not set (the flag fills it in).
 */
import { strict as assert } from "assert";
import * as fs from "fs";
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
          `  ${path.join(running, "helm-list.yaml")}: missing; collect it with: helm --kube-context admin@production list -n monitoring -o yaml > ${running}/helm-list.yaml; then the values file of each release it lists (helm get values), named once it is there\n` +
          `  ${path.join(running, "statefulsets.yaml")}: missing; collect it with: kubectl --context admin@production get statefulsets -n monitoring -o yaml > ${running}/statefulsets.yaml\n` +
          `  ${path.join(running, "pvcs.yaml")}: missing; collect it with: kubectl --context admin@production get pvc -n monitoring -o yaml > ${running}/pvcs.yaml`,
      ),
      r.stderr,
    );
    assert.doesNotMatch(r.stderr, /takeover\.running/);
    // Nothing a shell reads as a redirection: `> <dir>/x` writes into a file named `dir`. No
    // placeholder for the namespace the stack names: `helm list -n NAMESPACE` lists nothing, quietly.
    assert.doesNotMatch(r.stderr, /<namespace>|<dir>|NAMESPACE/);
    assert.equal(lastLine(r.stdout), `takeover: FAIL (exit 2): bad input: --running ${running} (above)`);
  });
});

describe("synth --running: a running release whose values do not render", function () {
  this.timeout(120_000);

  it("is said once with Helm's message and the values file, as --running's input (exit 2), not an unexpected error", async () => {
    const running = tmpDir("running");
    const list = "apiVersion: v1\nkind: List\nitems: []\n";
    fs.writeFileSync(
      path.join(running, "helm-list.yaml"),
      "- name: loki\n  namespace: monitoring\n  chart: loki-6.49.0\n  status: deployed\n",
    );
    fs.writeFileSync(path.join(running, "monitoring.loki.values.yaml"), "{}\n");
    fs.writeFileSync(path.join(running, "statefulsets.yaml"), list);
    fs.writeFileSync(path.join(running, "pvcs.yaml"), list);
    const r = await synthCli("--stack", "takeover", "--running", running, "--out", tmpDir("out"), "--quiet");
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(
      r.stderr,
      /^takeover: --running \S+: what runs does not render, so the change from it is not known: 1 of 1 Helm releases did not render \(helm template\):\n {2}monitoring\/loki \(loki 6\.49\.0\): Error: execution error at \(loki\/templates\/write\/statefulset-write\.yaml:\d+:\d+\): Please define loki\.storage\.bucketNames\.chunks\n {2}monitoring\/loki: rendered with chart loki 6\.49\.0 .* and the values of \S+\/monitoring\.loki\.values\.yaml /m,
    );
    assert.equal(r.stderr.match(/Please define/g)?.length, 1, r.stderr);
    assert.doesNotMatch(r.stderr, /unexpected error|full trace/);
    assert.equal(lastLine(r.stdout), `takeover: FAIL (exit 2): bad input: --running ${running} (above)`);
  });
});

describe("the commands that collect the running state", () => {
  it("name the folder as a shell word: quoted when it holds what a shell reads", () => {
    assert.equal(
      runningCommand("pvcs.yaml", "running"),
      "kubectl get pvc -n NAMESPACE -o yaml > running/pvcs.yaml (NAMESPACE: the one the running releases are in)",
    );
    // A folder given with its trailing slash (shell completion) is not doubled before the file.
    assert.equal(
      runningCommand("pvcs.yaml", "running/"),
      "kubectl get pvc -n NAMESPACE -o yaml > running/pvcs.yaml (NAMESPACE: the one the running releases are in)",
    );
    assert.equal(
      runningCommand("namespaces.yaml", "/tmp/my running's"),
      "kubectl get namespaces -o yaml > '/tmp/my running'\\''s'/namespaces.yaml",
    );
  });
});
