import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { clusterUnreachable, Reach } from "../../verify/reach";
import type { Expectations } from "../../verify/types";
import { tmpDir } from "../support/helpers";
import { SECRET, holdsSecretPiece } from "../support/secretPieces";

/*
 * What verify says of kubectl's own words (its last line, when it cannot reach the cluster or a
 * forward ends) is read as every child tool's text is (model/yamlText.ts shownToolText): a login
 * or a token kubectl prints is `<not shown>`. kubectl 1.32 hides a URL's password itself (`admin:***`);
 * a wrapper set as HOMELAB_KUBECTL, or another kubectl, need not: a script stands in for one.
 */

/** A kubectl that says a server URL with a login and a bearer token on stderr, then exits 1. */
function leakyKubectl(): string {
  const bin = path.join(tmpDir("kubectl-stderr"), "kubectl");
  fs.writeFileSync(
    bin,
    `#!/bin/sh\necho "E1125 memcache.go:265] couldn't get current server API group list" >&2\necho "error: Get \\"https://admin:${SECRET}@10.0.0.1:6443/api\\" refused, Authorization: Bearer ey${SECRET}abcDEF12345" >&2\nexit 1\n`,
  );
  fs.chmodSync(bin, 0o755);
  return bin;
}

describe("verify: kubectl's stderr said without a login or token", () => {
  it("when the cluster cannot be reached", () => {
    const said = clusterUnreachable({ context: "homelab" }, "monitoring", {
      ...process.env,
      HOMELAB_KUBECTL: leakyKubectl(),
    });
    assert.ok(said !== undefined && !holdsSecretPiece(said), said);
    assert.match(
      said,
      /: error: Get "https:\/\/<not shown>@10\.0\.0\.1:6443\/api" refused, Authorization: Bearer <not shown>$/,
    );
  });

  it("when a port-forward ends", async () => {
    const reach = new Reach(
      { serviceUrls: { loki: "http://loki-gateway.monitoring.svc:80" } } as unknown as Expectations,
      {},
      { ...process.env, HOMELAB_KUBECTL: leakyKubectl() },
    );
    const e: Error = await reach.base("loki").then(
      () => assert.fail("the forward cannot start"),
      (x) => x,
    );
    reach.close();
    assert.ok(!holdsSecretPiece(e.message), e.message);
    assert.match(e.message, /exited 1: error: Get "https:\/\/<not shown>@10\.0\.0\.1:6443\/api" refused/);
  });
});
