import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { verifyProject } from "../support/verifyProject";
import { stringify } from "yaml";
import { runVerify } from "../../cli/verifyRun";
import { tmpDir } from "../support/helpers";
import { shownFile } from "../../config/paths";

/*
 * `npm run verify`: every way out ends with one line naming the exit status and why (as synth's and
 * policy:check's do), every message starts `verify --stack <stack>:` (`verify:` before the
 * arguments are read), and a stack pinned to a context the kubeconfig lacks is told the command
 * that pins another.
 */

/** An empty kubeconfig: no context at all. */
function noContexts(): string {
  const f = path.join(tmpDir("verify-closing-kube"), "kubeconfig");
  fs.writeFileSync(f, stringify({ contexts: [], "current-context": "" }));
  return f;
}

async function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  let out = "";
  let err = "";
  const code = await runVerify(argv, {
    jobs: () => Promise.resolve([]),
    env: { ...process.env, GRAFANA_ADMIN_USER: "", GRAFANA_ADMIN_PASSWORD: "", ...env },
    out: (t) => (out += t),
    err: (t) => (err += t),
  });
  return { code, out, err, last: out.trimEnd().split("\n").pop() };
}

describe("verify: one closing line naming the exit status, on every way out", function () {
  this.timeout(30000);

  it("a stack pinned to a context the kubeconfig lacks: the command that pins another, then FAIL (exit 2)", async () => {
    const dir = project("staging");
    const r = await run(["--dir", dir, "--stack", "staging"], { KUBECONFIG: noContexts() });
    assert.equal(r.code, 2, r.out + r.err);
    assert.match(r.err, /^verify --stack staging: not reaching the cluster:\n/);
    assert.ok(
      r.err.includes(`pulumi --cwd ${dir} config set --stack staging kubeContext, which asks for its name`),
      `the command in:\n${r.err}`,
    );
    assert.equal(r.last, "verify --stack staging: FAIL (exit 2): not reaching the cluster (above)");
  });

  it("an invalid stack configuration: the same prefix as every other message, then FAIL (exit 2)", async () => {
    const dir = project("staging", { profile: "heavy" });
    const r = await run(["--dir", dir, "--stack", "staging"]);
    assert.equal(r.code, 2, r.out + r.err);
    assert.match(r.err, /^verify --stack staging: invalid stack configuration/);
    assert.equal(r.last, "verify --stack staging: FAIL (exit 2): the stack configuration is refused (above)");
  });

  it("bad arguments: the message, the usage, then FAIL (exit 2)", async () => {
    const r = await run(["--stak", "staging"]);
    assert.equal(r.code, 2);
    assert.match(r.err, /^verify: unknown flag --stak; did you mean --stack\?\n/);
    assert.equal(r.last, "verify: FAIL (exit 2): bad arguments (above)");
  });

  it("--json on exit 2 (bad arguments, a refused cluster): the closing line on stderr, stdout empty", async () => {
    const dir = project("staging");
    for (const bad of [
      ["--window", "5m"],
      ["--gate", "bogus"],
    ]) {
      // The stack's context is judged beside the arguments (every input problem in one run).
      const r = await run(["--dir", dir, "--stack", "staging", "--json", ...bad], {
        KUBECONFIG: noContexts(),
      });
      assert.equal(r.code, 2, r.out + r.err);
      assert.equal(r.out, "", bad.join(" "));
      assert.equal(
        r.err.trimEnd().split("\n").pop(),
        "verify --stack staging: FAIL (exit 2): bad arguments and not reaching the cluster (above)",
      );
    }
    const r = await run(["--dir", dir, "--stack", "staging", "--json"], { KUBECONFIG: noContexts() });
    assert.equal(r.code, 2, r.out + r.err);
    assert.equal(r.out, "");
    assert.equal(
      r.err.trimEnd().split("\n").pop(),
      "verify --stack staging: FAIL (exit 2): not reaching the cluster (above)",
    );
  });

  it("a --gate that is not the next phase: FAIL (exit 2) under the stack's prefix", async () => {
    const dir = project("staging");
    const r = await run(["--dir", dir, "--stack", "staging", "--gate", "loki-drain"], {
      KUBECONFIG: noContexts(),
    });
    assert.equal(r.code, 2);
    assert.match(r.err, /^verify --stack staging: --gate loki-drain: /);
    assert.equal(
      r.last,
      "verify --stack staging: FAIL (exit 2): bad arguments and not reaching the cluster (above)",
    );
  });

  it("checks run: FAIL (exit 1) naming the failed checks; with --json the line goes to stderr, stdout stays JSON", async () => {
    const dir = project("staging");
    // Every component at a closed port: each check that asks one fails, none needs the cluster.
    const dead = "http://127.0.0.1:9";
    const urls = ["prometheus", "victoriametrics", "alertmanager", "loki", "grafana"].flatMap((c) => [
      "--url",
      `${c}=${dead}`,
    ]);
    const env = { GRAFANA_ADMIN_USER: "admin", GRAFANA_ADMIN_PASSWORD: "x", KUBECONFIG: noContexts() };
    const r = await run(["--dir", dir, "--stack", "staging", ...urls], env);
    assert.equal(r.code, 1, r.out + r.err);
    assert.match(r.last ?? "", /^verify --stack staging: FAIL \(exit 1\): \d+ of \d+ checks failed: \S/);
    const j = await run(["--dir", dir, "--stack", "staging", "--json", ...urls], env);
    assert.equal(j.code, 1);
    JSON.parse(j.out);
    assert.match(j.err.trimEnd().split("\n").pop() ?? "", /^verify --stack staging: FAIL \(exit 1\): /);
  });
});

describe("verify: every input problem in one run, the arguments' beside the stack file's and the environment's", function () {
  this.timeout(30000);
  const env = { KUBECONFIG: noContexts() };

  it("a bad argument and a refused stack file: both said, both in the closing line", async () => {
    const dir = project("staging", { profile: "heavy" });
    const r = await run(["--dir", dir, "--stack", "staging", "--gate", "nope"], env);
    assert.equal(r.code, 2, r.out + r.err);
    assert.match(r.err, /^verify --stack staging: --gate: expected a phase /);
    assert.match(
      r.err,
      /\nverify --stack staging: invalid stack configuration \(1 problem\):\n  - homelab-observability:profile: /,
    );
    assert.equal(
      r.last,
      "verify --stack staging: FAIL (exit 2): bad arguments and the stack configuration is refused (above)",
    );
  });

  it("a bad value and a --gate that is not the next phase: both said", async () => {
    const dir = project("staging");
    const r = await run(["--dir", dir, "--stack", "staging", "--gate", "loki-fixed", "--timeout", "0s"], env);
    assert.equal(r.code, 2, r.out + r.err);
    assert.match(r.err, /^verify --stack staging: --timeout: expected a duration of at least 1s/);
    assert.ok(
      r.err.includes(
        `\nverify --stack staging: --gate loki-fixed: phase (${shownFile(path.join(dir, "Pulumi.staging.yaml"))}:${phaseLine(dir)}) is dual-write and loki-fixed is behind it: going back one phase needs no gate (nothing stored is lost): set phase: loki-fixed, and after pulumi up run \`npm run verify -- --dir ${dir} --stack staging\` (docs/how-to/move-between-phases.md#migration-phases, step 4); the gate asks about the next phase (backend-primary)\n`,
      ),
      r.err,
    );
  });

  it("a --gate naming the phase the stack file already says: the gate is asked before that edit, so the file goes back to the phase before, at its line", async () => {
    const dir = project("staging", { phase: "backend-primary" });
    const file = path.join(dir, "Pulumi.staging.yaml");
    const line =
      fs.readFileSync(file, "utf8").split("\n").indexOf("  homelab-observability:phase: backend-primary") + 1;
    const r = await run(["--dir", dir, "--stack", "staging", "--gate", "backend-primary"], env);
    assert.equal(r.code, 2, r.out + r.err);
    assert.ok(line > 0);
    assert.ok(
      r.err.startsWith(
        `verify --stack staging: --gate backend-primary: phase (${shownFile(file)}:${line}) already says backend-primary; a gate is asked before the stack file moves to its phase, while the file still names the phase before it: set phase back to dual-write, run \`npm run verify -- --dir ${dir} --stack staging --gate backend-primary\`, and only on exit 0 set phase: backend-primary again (docs/how-to/move-between-phases.md#migration-phases, step 2)\n`,
      ),
      r.err,
    );
    // The first phase: no gate leads to it.
    const firstDir = project("staging", { phase: "loki-fixed" });
    const first = await run(["--dir", firstDir, "--stack", "staging", "--gate", "loki-fixed"], env);
    assert.ok(
      first.err.startsWith(
        `verify --stack staging: --gate loki-fixed: phase (${shownFile(path.join(firstDir, "Pulumi.staging.yaml"))}:${phaseLine(firstDir)}) is loki-fixed, the first phase, which no gate leads to; the gate asks about the next phase (dual-write)\n`,
      ),
      first.err,
    );
  });

  it("the move's missing keys and one URL for both stores, beside a refused stack file", async () => {
    const dir = project("staging", { profile: "heavy" });
    const r = await run(
      ["--dir", dir, "--stack", "staging", "--move-from", "http://s3:9000", "--move-to", "http://s3:9000"],
      { HOMELAB_MOVE_FROM_ACCESS_KEY_ID: "", HOMELAB_MOVE_FROM_SECRET_ACCESS_KEY: "" },
    );
    assert.equal(r.code, 2, r.out + r.err);
    assert.match(r.err, /^verify --stack staging: invalid stack configuration/);
    assert.match(
      r.err,
      /\nverify --stack staging: --move-from\/--move-to: the move check needs each store's key in the environment: set HOMELAB_MOVE_FROM_ACCESS_KEY_ID, /,
    );
    assert.match(
      r.err,
      /\nverify --stack staging: --move-from\/--move-to: expected two stores, got the same one: /,
    );
    assert.equal(
      r.last,
      "verify --stack staging: FAIL (exit 2): the stack configuration is refused and the stores could not be compared (above)",
    );
  });

  it("a refused or missing store URL does not hide the move's key variables", async () => {
    const dir = project("staging");
    const keys = {
      HOMELAB_MOVE_FROM_ACCESS_KEY_ID: "",
      HOMELAB_MOVE_FROM_SECRET_ACCESS_KEY: "",
      HOMELAB_MOVE_TO_ACCESS_KEY_ID: "",
      HOMELAB_MOVE_TO_SECRET_ACCESS_KEY: "",
    };
    const missing =
      "verify --stack staging: --move-from/--move-to: the move check needs each store's key in the environment: set HOMELAB_MOVE_FROM_ACCESS_KEY_ID, HOMELAB_MOVE_FROM_SECRET_ACCESS_KEY, HOMELAB_MOVE_TO_ACCESS_KEY_ID, HOMELAB_MOVE_TO_SECRET_ACCESS_KEY";
    const login = await run(
      [
        "--dir",
        dir,
        "--stack",
        "staging",
        "--move-from",
        "http://u:p@old.lab:9000",
        "--move-to",
        "http://new.lab:3900",
      ],
      keys,
    );
    assert.equal(login.code, 2, login.out + login.err);
    assert.ok(
      login.err.startsWith(
        'verify --stack staging: --move-from: expected an http(s) URL without credentials, like "http://localhost:9000", got "http://<redacted>@old.lab:9000"\n',
      ),
      login.err,
    );
    assert.ok(login.err.includes(`\n${missing}\n`), login.err);
    assert.equal(
      login.last,
      "verify --stack staging: FAIL (exit 2): bad arguments and the stores could not be compared (above)",
    );
    // Half a move: the other URL is its own mistake, the keys another, in the same run.
    const half = await run(["--dir", dir, "--stack", "staging", "--move-from", "http://old.lab:9000"], keys);
    assert.ok(half.err.includes("got only --move-from\n"), half.err);
    assert.ok(half.err.includes(`\n${missing}\n`), half.err);
  });
});

describe("verify: an unexpected error still ends with the closing line", () => {
  it("a throw while the checks run: one line, then FAIL (exit 2)", async () => {
    const dir = project("staging");
    const urls = ["prometheus", "victoriametrics", "alertmanager", "loki", "grafana"].flatMap((c) => [
      "--url",
      `${c}=http://127.0.0.1:9`,
    ]);
    let out = "";
    let err = "";
    // The trace goes to the folder of the environment verify is given, as synth's and
    // policy:check's do, not to this process's.
    const traceDir = tmpDir("verify-trace");
    const code = await runVerify(["--dir", dir, "--stack", "staging", ...urls], {
      jobs: () => Promise.resolve([]),
      env: {
        ...process.env,
        GRAFANA_ADMIN_USER: "admin",
        GRAFANA_ADMIN_PASSWORD: "x",
        KUBECONFIG: noContexts(),
        TMPDIR: traceDir,
      },
      out: (t) => (out += t),
      err: (t) => (err += t),
      // Options that throw when read, as the checks start: a bug past every step that names its
      // own failure.
      agree: Object.defineProperty({}, "windowSeconds", {
        enumerable: true,
        get: () => {
          throw new Error("boom");
        },
      }),
    });
    assert.equal(code, 2, out + err);
    assert.match(err, /^verify --stack staging: unexpected error \(please report it\): Error: boom/);
    const trace = /full trace in (\S+);/.exec(err)?.[1];
    assert.equal(trace && path.dirname(trace), traceDir, err);
    assert.match(fs.readFileSync(trace!, "utf8"), /Error: boom\n\s+at /);
    assert.equal(
      out.trimEnd().split("\n").pop(),
      "verify --stack staging: FAIL (exit 2): an unexpected error (above)",
    );
  });
});

/** A project dir with the real Pulumi.yaml and one stack file, `stack`, with `over` on a working base. */
/** The line of `phase` in a project's staging stack file: a --gate refusal names it. */
function phaseLine(dir: string): number {
  const lines = fs.readFileSync(path.join(dir, "Pulumi.staging.yaml"), "utf8").split("\n");
  return lines.findIndex((l) => l.startsWith("  homelab-observability:phase:")) + 1;
}

function project(stack: string, over: Record<string, unknown> = {}): string {
  return verifyProject({ [stack]: over }, "verify-closing");
}
