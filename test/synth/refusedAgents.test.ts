/**
 * Whether a release's pods need the host is read from what its values make the pinned chart render
 * (policy/security.ts needsHost), not from the controller kind: an Alloy release made a DaemonSet
 * that mounts nothing of the host passes the stack's baseline namespace, as its rendered pods do.
 * Where its values do mount the host, the pack (`pod-security-levels`) and the rendered-object
 * check (`pod-security`) see one mistake and the synthesis says it once, naming both places
 * (contract/mistakes.ts refusedAgentsCause).
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { ROOT, synthCli, tmpDir } from "../support/helpers";

describe("synth: an Alloy release made a DaemonSet in the stack's baseline namespace", function () {
  this.timeout(120_000);

  const synthWith = async (alloy: string) => {
    const dir = tmpDir("refused-agents");
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    const text = fs.readFileSync(path.join(ROOT, "Pulumi.staging.yaml"), "utf8");
    assert.doesNotMatch(text, /homelab-observability:chartValues:/);
    fs.writeFileSync(
      path.join(dir, "Pulumi.staging.yaml"),
      `${text}  homelab-observability:chartValues:\n    alloy:\n      controller:\n        type: daemonset\n${alloy}`,
    );
    const r = await synthCli("--stack", "staging", "--dir", dir, "--out", tmpDir("out"), "--quiet");
    return { status: r.status, all: r.stdout + r.stderr };
  };

  it("passes when its values mount nothing of the host (the cluster release: a ConfigMap and an emptyDir)", async () => {
    const r = await synthWith("");
    assert.equal(r.status, 0, r.all);
    assert.doesNotMatch(r.all, /refuses the pods of/);
  });

  it("is one message, from the pack, also seen at the refused pods, when its values mount /var/log", async () => {
    const r = await synthWith("      alloy:\n        mounts:\n          varlog: true\n");
    assert.equal(r.status, 1, r.all);
    assert.equal(r.all.match(/refuses (the pods of|this pod)/g)?.length, 1, r.all);
    assert.match(
      r.all,
      /\[mandatory\] pod-security-levels: kubernetes:core\/v1:Namespace "namespace": enforces baseline, which refuses the pods of kubernetes:helm\.sh\/v3:Release "alloy-cluster", kubernetes:apps\/v1:DaemonSet "alloy-cluster\/monitoring\/alloy-cluster" \(host paths or host network, asked for by chartValues\.alloy\.alloy\.mounts\.varlog\); run node agents in a namespace enforcing privileged\.\n {6}the same mistake, also seen at: \[pod-security\] DaemonSet monitoring\/alloy-cluster \(release alloy-cluster\)\n/,
    );
  });
});
