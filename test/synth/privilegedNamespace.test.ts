/**
 * A namespace enforcing Pod Security privileged beside workloads baseline admits is one mistake:
 * the pack (`pod-security-levels`, from the releases) and the rendered-object checks
 * (`pod-security`, from the pods) both see it, and the synthesis says it once, naming both places
 * (contract/mistakes.ts privilegedNamespaceCause). With the node agents in that namespace
 * (`agents.step: stay`) the message says to move them, the one fix that leaves the rest at baseline.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { POD_SECURITY_DEFERRED } from "@homelab-observability/contract";
import { ROOT, synthCli, tmpDir } from "../support/helpers";

describe("synth: the node agents left in the stack's namespace (agents.step stay)", function () {
  this.timeout(120_000);

  it("is one message, from the pack, also seen at the rendered namespace, that says to move the agents", async () => {
    const dir = tmpDir("agents-stay");
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    const text = fs.readFileSync(path.join(ROOT, "Pulumi.staging.yaml"), "utf8");
    assert.match(text, /\n {4}step: handover\n/);
    fs.writeFileSync(
      path.join(dir, "Pulumi.staging.yaml"),
      text.replace(/\n {4}step: handover\n/, "\n    step: stay\n"),
    );
    const r = await synthCli("--stack", "staging", "--dir", dir, "--out", tmpDir("out"), "--quiet");
    assert.equal(r.status, 1, r.stdout + r.stderr);
    const all = r.stdout + r.stderr;
    assert.equal(all.match(/enforces privileged, but /g)?.length, 1, all);
    assert.match(
      all,
      /\[mandatory\] pod-security-levels: kubernetes:core\/v1:Namespace "namespace": enforces privileged, but .* need no host access; run them in a namespace enforcing baseline, or move the node agents that need privileged \(.*kubernetes:apps\/v1:DaemonSet "alloy\/monitoring\/alloy"\) to a namespace of their own \(the stack's agents\.namespace: set `agents\.step` \((?<file>[^)]*):(?<line>\d+)\) to handover for one update, then to moved; docs\/how-to\/move-node-agents\.md\)\.\n {6}the same mistake, also seen at: \[pod-security\] Namespace monitoring \(resource namespace\)\n/,
    );
    // The key the operator mends, at its line of the stack file that sets it.
    const at = /set `agents\.step` \((?<file>[^)]*):(?<line>\d+)\)/.exec(all)!.groups!;
    assert.equal(path.resolve(at.file), path.join(dir, "Pulumi.staging.yaml"));
    const written = fs.readFileSync(path.join(dir, "Pulumi.staging.yaml"), "utf8").split("\n");
    assert.equal(written[Number(at.line) - 1], "    step: stay");
    assert.match(
      r.stdout.trimEnd().split("\n").pop()!,
      /^staging: FAIL \(exit 1\): policy: FAIL \(1 mandatory\)$/,
    );
  });

  it("a namespace of the user's own written through chartValues escapes nothing with the deferral's annotation", async () => {
    const dir = tmpDir("user-namespace");
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    const text = fs.readFileSync(path.join(ROOT, "Pulumi.staging.yaml"), "utf8");
    assert.doesNotMatch(text, /homelab-observability:chartValues:/);
    const pod = (extra: string) =>
      `{securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}, containers: [{name: a, image: "grafana/grafana:11.0.0"}]${extra}}`;
    const workload = (kind: string, name: string, extra = "") =>
      `        - {apiVersion: apps/v1, kind: ${kind}, metadata: {name: ${name}, namespace: apps}, spec: {selector: {matchLabels: {app: ${name}}}, template: {metadata: {labels: {app: ${name}}}, spec: ${pod(extra)}}}}\n`;
    fs.writeFileSync(
      path.join(dir, "Pulumi.staging.yaml"),
      `${text}  homelab-observability:chartValues:\n    grafana:\n      extraObjects:\n` +
        `        - {apiVersion: v1, kind: Namespace, metadata: {name: apps, labels: {pod-security.kubernetes.io/enforce: privileged, pod-security.kubernetes.io/enforce-version: v1.30}, annotations: {"${POD_SECURITY_DEFERRED}": "x"}}}\n` +
        workload("DaemonSet", "agent", ", volumes: [{name: h, hostPath: {path: /var/log}}]") +
        workload("Deployment", "web"),
    );
    const r = await synthCli("--stack", "staging", "--dir", dir, "--out", tmpDir("out"), "--quiet");
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(
      r.stdout + r.stderr,
      /\[mandatory\] pod-security-levels: kubernetes:core\/v1:Namespace "grafana\/-\/apps": enforces privileged, but kubernetes:apps\/v1:Deployment "grafana\/apps\/web" needs no host access; run it in a namespace enforcing baseline, or move the node agents that need privileged \(kubernetes:apps\/v1:DaemonSet "grafana\/apps\/agent"\) to a namespace of their own\.\n {6}the same mistake, also seen at: \[pod-security\] Namespace apps \(release grafana\)\n/,
    );
  });

  it("a takeover's import step that adopts the running Alloy where it runs (agents.step stay) passes; the update step moves it", async () => {
    const dir = tmpDir("adopt-alloy");
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    const text = fs.readFileSync(path.join(ROOT, "Pulumi.takeover.yaml"), "utf8");
    assert.match(text, /\n {6}grafana: monitoring\/grafana\n/);
    const importing = `${text.replace(/\n {6}grafana: monitoring\/grafana\n/, "\n      grafana: monitoring/grafana\n      alloy: monitoring/alloy\n")}  homelab-observability:agents:\n    step: stay\n`;
    fs.writeFileSync(path.join(dir, "Pulumi.takeover.yaml"), importing);
    const out = tmpDir("out");
    const r = await synthCli("--stack", "takeover", "--dir", dir, "--out", out, "--quiet");
    assert.equal(r.status, 0, r.stdout + r.stderr);
    // The same step kept at the update step is refused: the deferral is the import step's alone.
    fs.writeFileSync(
      path.join(dir, "Pulumi.takeover.yaml"),
      importing.replace(/\n {4}step: import\n/, "\n    step: update\n"),
    );
    const kept = await synthCli("--stack", "takeover", "--dir", dir, "--out", tmpDir("out"), "--quiet");
    assert.equal(kept.status, 1, kept.stdout + kept.stderr);
    assert.match(kept.stdout + kept.stderr, /\[mandatory\] pod-security-levels: .*enforces privileged, but /);
  });
});
