import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { ROOT } from "./helpers";
import { pulumiNode } from "./support/pulumiTsNode";

describe("index.ts as `pulumi up` loads it", function () {
  this.timeout(120000);
  it("compiles through Pulumi's ts-node registration and builds the staging stack", () => {
    const r = spawnSync(
      process.execPath,
      pulumiNode(ROOT, path.join(ROOT, "test/support/entrypoint.ts"), ROOT, "staging"),
      {
        encoding: "utf8",
      },
    );
    assert.equal(r.status, 0, r.stderr);
    const { types, outputs } = JSON.parse(r.stdout);
    assert.ok(types.includes("kubernetes:helm.sh/v3:Release"));
    assert.ok(types.includes("minio:index/s3Bucket:S3Bucket"));
    assert.equal(outputs.phase, "kps-removed");
    assert.equal(outputs.lokiPushUrl, "http://loki-gateway.monitoring.svc.cluster.local/loki/api/v1/push");
    assert.deepEqual(outputs.bucketNames.slice(0, 1), ["staging-loki-chunks"]);
  });
});
