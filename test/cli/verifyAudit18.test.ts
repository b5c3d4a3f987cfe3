/**
 * verify, as an operator meets it mid-move: a context problem says to run verify again (not
 * Pulumi) and offers the close contexts the kubeconfig has; a --url for a component the stack's
 * phase does not run (Prometheus at kps-removed) is refused as one a stack never runs is; half of
 * Grafana's login in the environment is a mistake, not a silent read of the Secret. No servers:
 * every case is refused before a request.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import { runVerify } from "../../cli/verifyRun";
import { Reach } from "../../verify/reach";
import type { Expectations } from "../../verify/types";
import { tmpDir } from "../support/helpers";
import { verifyProject } from "../support/verifyProject";

/** runVerify in process: exit code, stderr, and the closing line. */
async function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  let out = "";
  let err = "";
  const code = await runVerify(argv, {
    jobs: () => Promise.resolve([]),
    env: { ...process.env, GRAFANA_ADMIN_USER: "admin", GRAFANA_ADMIN_PASSWORD: "pw-1", ...env },
    out: (t) => (out += t),
    err: (t) => (err += t),
  });
  return { code, out, err, last: out.trimEnd().split("\n").pop() };
}

/** A kubeconfig with these contexts, selecting `current`. */
function kubeconfig(contexts: string[], current: string): string {
  const f = path.join(tmpDir("verify-audit18-kube"), "config");
  fs.writeFileSync(
    f,
    stringify({
      contexts: contexts.map((name) => ({ name, context: { cluster: "c", user: "u" } })),
      "current-context": current,
    }),
  );
  return f;
}

describe("verify: the kube context, as verify finds it", function () {
  this.timeout(20_000);
  // verifyProject pins each stack to admin@<stack>.
  const dir = verifyProject({ staging: {} });

  it("another selected context: run verify again, not Pulumi", async () => {
    const r = await run(["--dir", dir, "--stack", "staging"], {
      KUBECONFIG: kubeconfig(["admin@staging", "admin@production"], "admin@production"),
    });
    assert.equal(r.code, 2, r.out + r.err);
    assert.match(
      r.err,
      /`kubectl config use-context admin@staging`, restart your port-forwards, then run verify again\n/,
    );
    assert.doesNotMatch(r.err, /Pulumi again/);
  });

  it("a pinned context the kubeconfig lacks: the close ones it has, not a guess among them", async () => {
    const r = await run(["--dir", dir, "--stack", "staging"], {
      KUBECONFIG: kubeconfig(["admin@stagingx", "admin@stagin2", "kind-lab"], "kind-lab"),
    });
    assert.equal(r.code, 2, r.out + r.err);
    assert.match(r.err, /or correct kubeContext \(did you mean "admin@stagingx" or "admin@stagin2"\?\)\n/);
    assert.equal(r.last, "verify --stack staging: FAIL (exit 2): not reaching the cluster (above)");
  });
});

describe("verify: a --url for a component the stack's phase does not run is refused", function () {
  this.timeout(20_000);
  const dir = verifyProject({
    gone: { phase: "kps-removed" },
    early: { phase: "loki-fixed", metricsBackend: "mimir" },
  });

  it("--url prometheus at kps-removed: one message naming what the phase runs, exit 2", async () => {
    const r = await run(["--dir", dir, "--stack", "gone", "--url", "prometheus=http://op:pw-2@127.0.0.1:9"]);
    assert.equal(r.code, 2, r.out + r.err);
    assert.equal(
      r.err.split("\n")[0],
      "verify --stack gone: --url prometheus: expected a component the stack runs at kps-removed (victoriametrics, alertmanager, loki, grafana), got --url prometheus: no Prometheus runs at kps-removed (kube-prometheus-stack is removed), so no check reads it",
    );
    assert.equal(r.err.match(/--url prometheus/g)?.length, 2, "one message");
    assert.ok(!r.err.includes("pw-2"), "no login shown");
    assert.equal(r.last, "verify --stack gone: FAIL (exit 2): bad arguments (above)");
  });

  it("the backend before dual-write, and the other backend's there: what runs at loki-fixed", async () => {
    const r = await run([
      ...["--dir", dir, "--stack", "early", "--url", "mimir-ruler=http://127.0.0.1:9"],
      ...["--url", "victoriametrics=http://127.0.0.1:9"],
    ]);
    assert.equal(r.code, 2, r.out + r.err);
    const [ruler, vm] = r.err.split("\n");
    assert.equal(
      ruler,
      "verify --stack early: --url mimir-ruler: expected a component the stack runs at loki-fixed (prometheus, alertmanager, loki, grafana), got --url mimir-ruler: no mimir runs at loki-fixed (it first runs at dual-write), so no check reads it",
    );
    // Not "expected --url mimir=<url>": Mimir does not run yet either.
    assert.equal(
      vm,
      "verify --stack early: --url victoriametrics: the stack runs no victoriametrics (metricsBackend: mimir); expected a component it runs at loki-fixed (prometheus, alertmanager, loki, grafana), got --url victoriametrics",
    );
  });
});

describe("verify: half of Grafana's login in the environment is a mistake", function () {
  this.timeout(20_000);
  const dir = verifyProject({ staging: {} });

  for (const [given, missing] of [
    ["GRAFANA_ADMIN_USER", "GRAFANA_ADMIN_PASSWORD"],
    ["GRAFANA_ADMIN_PASSWORD", "GRAFANA_ADMIN_USER"],
  ])
    it(`only ${given}: refused naming both, no value shown, beside the kube context's problem`, async () => {
      const r = await run(["--dir", dir, "--stack", "staging"], {
        GRAFANA_ADMIN_USER: "",
        GRAFANA_ADMIN_PASSWORD: "",
        [given]: "s3cret-value",
        // A kubeconfig that refuses the run: both are inputs judged before any contact, said in
        // one run (fixing the login must not reveal the context next run).
        KUBECONFIG: "/nowhere/config",
      });
      assert.equal(r.code, 2, r.out + r.err);
      assert.ok(
        r.err.startsWith(
          `verify --stack staging: Grafana's login: expected both GRAFANA_ADMIN_USER and GRAFANA_ADMIN_PASSWORD, or neither (then it is read from Grafana's Secret through kubectl), got only ${given}; set ${missing} or unset ${given}\nverify --stack staging: not reaching the cluster:\n  - homelab-observability:kubeContext: `,
        ),
        r.err,
      );
      assert.ok(!(r.out + r.err).includes("s3cret-value"));
      assert.equal(
        r.last,
        "verify --stack staging: FAIL (exit 2): Grafana's login is half set and not reaching the cluster (above)",
      );
    });

  it("with a bad argument too: both said in one run", async () => {
    const r = await run(["--dir", dir, "--stack", "staging", "--gate", "kps-removed"], {
      GRAFANA_ADMIN_PASSWORD: "",
      KUBECONFIG: kubeconfig(["admin@staging"], "admin@staging"),
    });
    assert.equal(r.code, 2, r.out + r.err);
    // The usage follows the arguments' problems, as synth's does; the environment's come after.
    assert.match(
      r.err,
      /^verify --stack staging: --gate kps-removed: .*\nusage: [^]*\nverify --stack staging: Grafana's login: /,
    );
    assert.equal(
      r.last,
      "verify --stack staging: FAIL (exit 2): bad arguments and Grafana's login is half set (above)",
    );
  });

  it("Reach never falls back to the Secret on half a login either", async () => {
    const reach = new Reach({} as Expectations, {}, { GRAFANA_ADMIN_USER: "admin" });
    await assert.rejects(reach.grafanaLogin(), /got only GRAFANA_ADMIN_USER; set GRAFANA_ADMIN_PASSWORD/);
  });
});
