import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawnSync } from "child_process";
import { parse } from "yaml";
import { ROOT } from "../support/helpers";
import { pulumiNode } from "../support/pulumiTsNode";

/** The kube context a stack file pins (`homelab-observability:kubeContext`). */
function pinnedContext(stack: string): string {
  const doc = parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8"));
  return doc.config["homelab-observability:kubeContext"];
}

/** A kubeconfig with `contexts`, selecting `current`, in a fresh folder; returns its path. */
function kubeconfig(contexts: string[], current: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubeconfig-"));
  const file = path.join(dir, "config");
  fs.writeFileSync(
    file,
    [
      "apiVersion: v1",
      "kind: Config",
      `current-context: ${current}`,
      "clusters: []",
      "users: []",
      "contexts:",
      ...contexts.map((c) => `  - name: ${c}\n    context: {cluster: ${c}, user: ${c}}`),
    ].join("\n"),
  );
  return file;
}

/** Runs index.ts for `stack` under mocks with KUBECONFIG set. */
function runIndex(stack: string, kubeconfigFile: string) {
  return spawnSync(
    process.execPath,
    pulumiNode(ROOT, path.join(ROOT, "test/support/entrypoint.ts"), ROOT, stack),
    {
      encoding: "utf8",
      env: { ...process.env, KUBECONFIG: kubeconfigFile },
    },
  );
}

describe("index.ts as `pulumi up` loads it", function () {
  this.timeout(120000);
  it("compiles through Pulumi's ts-node registration and builds the staging stack", () => {
    const ctx = pinnedContext("staging");
    const r = runIndex("staging", kubeconfig([ctx, "other"], ctx));
    assert.equal(r.status, 0, r.stderr);
    const { types, outputs } = JSON.parse(r.stdout);
    assert.ok(types.includes("kubernetes:helm.sh/v3:Release"));
    assert.ok(types.includes("minio:index/s3Bucket:S3Bucket"));
    assert.equal(outputs.phase, "kps-removed");
    assert.equal(outputs.lokiPushUrl, "http://loki-gateway.monitoring.svc.cluster.local/loki/api/v1/push");
    assert.deepEqual(outputs.bucketNames.slice(0, 1), ["staging-loki-chunks"]);
  });

  it("refuses another selected context before registering anything, naming both contexts", () => {
    const ctx = pinnedContext("staging");
    const r = runIndex("staging", kubeconfig([ctx, "admin@production"], "admin@production"));
    assert.equal(r.status, 3, r.stderr);
    const { types, error } = JSON.parse(r.stdout);
    assert.deepEqual(types, [], "nothing registered");
    assert.match(
      error,
      new RegExp(`pinned to context "${ctx}" but the selected context is "admin@production"`),
    );
  });

  it("refuses a kubeconfig without the stack's context before registering anything", () => {
    const r = runIndex("staging", kubeconfig(["admin@pi"], "admin@pi"));
    assert.equal(r.status, 3, r.stderr);
    const { types, error } = JSON.parse(r.stdout);
    assert.deepEqual(types, []);
    assert.match(
      error,
      /pinned to context "admin@staging", which the kubeconfig \(.*\) does not have; it has "admin@pi" and selects "admin@pi"/,
    );
  });
});
