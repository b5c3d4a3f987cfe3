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

/*
 * A HOMELAB_KUBECTL that names nothing that runs was said as "kubectl not found (set HOMELAB_KUBECTL,
 * …)": it told a user who had set the variable to set it, and named neither it nor what it held.
 */
describe("verify: a kubectl that cannot be started is named with what was found", () => {
  const instead = "or pass --url for every component and GRAFANA_ADMIN_USER/GRAFANA_ADMIN_PASSWORD";
  const named = (value: string, found: string, without = `, ${instead}`) =>
    `HOMELAB_KUBECTL: expected the path of a kubectl binary to run, got ${JSON.stringify(value)}: ${found}; set it to one (\`command -v kubectl\` prints the one on PATH) or unset it for kubectl on PATH${without}`;

  it("HOMELAB_KUBECTL missing, a folder, not executable, or a bare name not on PATH", () => {
    const dir = tmpDir("kubectl-bin");
    const plain = path.join(dir, "kubectl");
    fs.writeFileSync(plain, "#!/bin/sh\nexit 0\n", { mode: 0o644 });
    const cases = [
      [path.join(dir, "nope"), "no such file"],
      [dir, "a folder, not a file"],
      [plain, "a file that is not executable (chmod +x it)"],
      ["kubectl-nowhere", "no such command on PATH"],
    ];
    for (const [value, found] of cases)
      assert.equal(
        clusterUnreachable({ context: "homelab" }, "monitoring", { ...process.env, HOMELAB_KUBECTL: value }),
        named(value, found),
      );
  });

  // EACCES from a PATH search is a file found there that cannot run: it was said as "no such
  // command on PATH" (set) or "not found on PATH; install it" (unset), of a kubectl that is there.
  it("a kubectl on PATH that is not executable is named where it was found, set or not", () => {
    const dir = tmpDir("kubectl-path");
    const plain = path.join(dir, "kubectl");
    fs.writeFileSync(plain, "#!/bin/sh\nexit 0\n", { mode: 0o644 });
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: dir };
    delete env.HOMELAB_KUBECTL;
    assert.equal(
      clusterUnreachable({ context: "homelab" }, "monitoring", env),
      `kubectl: found on PATH at ${plain}, a file that is not executable; chmod +x it or set HOMELAB_KUBECTL to another kubectl's path, ${instead}`,
    );
    assert.equal(
      clusterUnreachable({ context: "homelab" }, "monitoring", { ...env, HOMELAB_KUBECTL: "kubectl" }),
      named("kubectl", `found on PATH at ${plain}, a file that is not executable (chmod +x it)`),
    );
  });

  it("no kubectl on PATH, HOMELAB_KUBECTL unset", () => {
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: tmpDir("empty-path") };
    delete env.HOMELAB_KUBECTL;
    assert.equal(
      clusterUnreachable({ context: "homelab" }, "monitoring", env),
      `kubectl: not found on PATH; install it or set HOMELAB_KUBECTL to its path, ${instead}`,
    );
  });

  it("when a port-forward cannot start", async () => {
    const value = path.join(tmpDir("kubectl-gone"), "kubectl");
    const reach = new Reach(
      { serviceUrls: { loki: "http://loki-gateway.monitoring.svc:80" } } as unknown as Expectations,
      {},
      { ...process.env, HOMELAB_KUBECTL: value },
    );
    const e: Error = await reach.base("loki").then(
      () => assert.fail("the forward cannot start"),
      (x) => x,
    );
    reach.close();
    // The forward's own way round (--url loki=<url>) follows, not every component's.
    assert.ok(
      e.message.endsWith(
        `: ${named(value, "no such file", "")}; pass --url loki=<url> to reach it another way`,
      ),
      e.message,
    );
  });
});
