/**
 * verify, as an operator moving phases gets its command line wrong: one message per mistake (a
 * misspelt or valueless --stack is not also "required"), and no flag the run would not read is
 * taken silently (a run that passes without asking what the flag asked for), each refused naming
 * the flag, what it expects and what it got. No servers: every case is refused before a request.
 */
import { strict as assert } from "assert";
import * as path from "path";
import { runVerify } from "../../cli/verifyRun";
import { formatReport } from "../../verify/report";
import { AGREE_GATES } from "../../verify/agreeGates";
import { MOVE_ENV } from "../../verify/objectMove";
import { tmpDir } from "../support/helpers";
import { verifyArgProblems } from "../support/verifyArgs";
import { verifyProject } from "../support/verifyProject";

const problems = verifyArgProblems;

/** runVerify in process: exit code, stderr, and the closing line. */
async function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  let out = "";
  let err = "";
  const code = await runVerify(argv, {
    jobs: () => Promise.resolve([]),
    env: { ...process.env, GRAFANA_ADMIN_USER: "admin", GRAFANA_ADMIN_PASSWORD: "pw", ...env },
    out: (t) => (out += t),
    err: (t) => (err += t),
  });
  return { code, out, err, last: out.trimEnd().split("\n").pop() };
}

describe("verify: a missing --stack that another message already names is said once", () => {
  for (const [argv, only] of [
    [["--stak", "production"], "unknown flag --stak; did you mean --stack?"],
    [["--Stack", "production"], "unknown flag --Stack; did you mean --stack?"],
    [["--stack"], "--stack needs a value (<name>), got nothing after it"],
  ] as const)
    it(`${argv.join(" ")}: only "${only}"`, () => {
      assert.deepEqual(problems([...argv]), [only]);
    });

  it("a bare stack name: the word, with the command that passes it, and nothing else", () => {
    const p = problems(["production"]);
    assert.equal(p.length, 1, p.join("\n"));
    assert.match(p[0], /^unexpected argument "production" .*`npm run verify -- --stack production`/);
  });

  for (const [argv, only] of [
    [
      ["--stack", "staging", "--move-form", "http://localhost:9000", "--move-to", "http://localhost:3900"],
      "unknown flag --move-form; did you mean --move-from?",
    ],
    [
      ["--stack", "staging", "--move-from", "http://localhost:9000", "--move-t", "http://localhost:3900"],
      "unknown flag --move-t; did you mean --move-to?",
    ],
  ] as const)
    it(`a misspelt half of the move (${argv[2]}) is that one mistake, not also "expected both"`, () => {
      assert.deepEqual(problems([...argv]), [only]);
    });

  it("half a move and nothing misspelt: expected both", () => {
    assert.deepEqual(problems(["--stack", "staging", "--move-to", "http://localhost:3900"]), [
      "--move-from and --move-to: expected both (the old and the new store's S3 URLs), got only --move-to",
    ]);
  });

  it("no --stack and nothing else wrong: required", () => {
    assert.deepEqual(problems(["--json"]), ["--stack is required"]);
  });
});

describe("verify: a flag the run would not read is a bad argument, not ignored", () => {
  it("--url for one component twice: each URL named, logins taken out", () => {
    assert.deepEqual(problems(["--stack", "s", "--url", "loki=http://a", "--url", "loki=http://op:pw-1@b"]), [
      '--url loki: expected one URL, got 2: "http://a", "http://b"',
    ]);
  });

  it("--window or --step without a phase --gate: only backend-agrees reads them", () => {
    assert.deepEqual(problems(["--stack", "s", "--window", "6h"]), [
      "--window: expected only with a --gate whose backend-agrees compares (backend-primary, kps-removed), got no --gate: only backend-agrees reads it, and it runs only before a phase change",
    ]);
    assert.match(
      problems(["--stack", "s", "--gate", "loki-join", "--window", "6h", "--step", "5m"]).join("\n"),
      /^--window, --step: expected only with a --gate whose backend-agrees compares .*, got --gate loki-join, which asks Loki's ring: only backend-agrees reads them/,
    );
    // Unread, their lengths are not a second mistake ("--window 1h is shorter than --step 2h").
    assert.deepEqual(
      problems(["--stack", "s", "--step", "2h"]).map((m) => m.replace(/ .*/, "")),
      ["--step:"],
    );
    // With a phase gate backend-agrees compares before they are read; a --gate that is no gate at
    // all is its own one problem.
    for (const gate of ["backend-primary", "kps-removed"])
      assert.deepEqual(
        problems(["--stack", "s", "--gate", gate, "--window", "6h", "--step", "5m"]),
        [],
        gate,
      );
    assert.equal(problems(["--stack", "s", "--gate", "later", "--window", "6h"]).length, 1);
  });

  it("--window or --step with --gate dual-write: backend-agrees skips there (no backend runs at loki-fixed), so they are unread", () => {
    assert.deepEqual(problems(["--stack", "s", "--gate", "dual-write", "--window", "6h", "--step", "5m"]), [
      "--window, --step: expected only with a --gate whose backend-agrees compares (backend-primary, kps-removed), got --gate dual-write: only backend-agrees reads them, and it compares nothing before dual-write (no backend runs at loki-fixed: nothing moves to it at dual-write)",
    ]);
    // Unread, their lengths are not a second mistake.
    assert.equal(problems(["--stack", "s", "--gate", "dual-write", "--step", "2h"]).length, 1);
    // The list is where the check decides to compare: the phase before each gate runs both.
    assert.deepEqual(AGREE_GATES, ["backend-primary", "kps-removed"]);
  });

  it("--gate, --url, --window, --step or --timeout beside --move-from/--move-to: one message naming them", () => {
    const p = problems([
      ...["--stack", "s", "--move-from", "http://a:9000", "--move-to", "http://b:3900"],
      ...["--gate", "dual-write", "--url", "loki=http://l", "--timeout", "30s"],
    ]);
    assert.equal(p.length, 1, p.join("\n"));
    assert.match(
      p[0],
      /^--gate, --url, --timeout: expected none with --move-from and --move-to, got them: the move check compares the two stores and runs nothing else/,
    );
    assert.deepEqual(
      problems(["--stack", "s", "--move-from", "http://a", "--move-to", "http://b", "--json"]),
      [],
    );
    // A flag already refused for its value is not named again; half a move is its own mistake.
    assert.equal(
      problems(["--stack", "s", "--move-from", "http://a", "--move-to", "http://b", "--gate", "nope"]).length,
      1,
    );
    // Half a move asks for the move check alone too: its other half missing and the flag it would
    // not read are two mistakes, both said in one run.
    assert.deepEqual(problems(["--stack", "s", "--move-from", "http://a", "--gate", "dual-write"]), [
      "--move-from and --move-to: expected both (the old and the new store's S3 URLs), got only --move-from",
      "--gate: expected none with --move-from and --move-to, got it: the move check compares the two stores and runs nothing else (each page of a listing waits 60s); run the checks without --move-from and --move-to",
    ]);
  });

  it("--url for one component twice, one of them no URL: one message, its values not judged again, the login left out", () => {
    assert.deepEqual(
      problems(["--stack", "s", "--url", "grafana=admin:pw@grafana.lab", "--url", "grafana=http://x"]),
      ['--url grafana: expected one URL, got 2: "grafana.lab", "http://x"'],
    );
  });

  describe("with the stack read", function () {
    this.timeout(20_000);
    // verifyProject's stacks run VictoriaMetrics; "mim" runs Mimir.
    const dir = verifyProject({ vm: {}, mim: { metricsBackend: "mimir" } });

    it("--url of the metrics backend the stack does not run: names the stack's backend and its --url, exit 2", async () => {
      const r = await run(["--dir", dir, "--stack", "vm", "--url", "mimir=http://127.0.0.1:9"]);
      assert.equal(r.code, 2, r.out + r.err);
      assert.match(
        r.err,
        /^verify --stack vm: --url mimir: the stack runs no mimir \(metricsBackend: victoriametrics\); expected --url victoriametrics=<url>, got --url mimir\n/,
      );
      assert.equal(r.last, "verify --stack vm: FAIL (exit 2): bad arguments (above)");
      const m = await run([
        ...["--dir", dir, "--stack", "mim", "--url", "victoriametrics=http://127.0.0.1:9"],
        ...["--url", "loki-ring=http://127.0.0.1:9"],
      ]);
      assert.equal(m.code, 2);
      const lines = m.err.split("\n");
      assert.equal(
        lines[0],
        "verify --stack mim: --url victoriametrics: the stack runs no victoriametrics (metricsBackend: mimir); expected --url mimir=<url> or --url mimir-ruler=<url>, got --url victoriametrics",
      );
      assert.equal(
        lines[1],
        "verify --stack mim: --url loki-ring: expected only with a Loki step (--gate loki-join, loki-drain, loki-monolithic, loki-scale-down, loki-simple-scalable), got no --gate: no other check reads Loki's ring",
      );
    });

    it("one URL for both stores, no keys set and a store the move does not compare: all said in one run, before any store is asked", async () => {
      const url = "http://127.0.0.1:9";
      const noKeys = Object.fromEntries(
        Object.values(MOVE_ENV).flatMap((side) => [side.accessKey, side.secretKey].map((k) => [k, ""])),
      );
      const r = await run(["--dir", dir, "--stack", "vm", "--move-from", url, "--move-to", url], noKeys);
      assert.equal(r.code, 2, r.out + r.err);
      const [storeType, ...lines] = r.err.trimEnd().split("\n");
      // The stack here keeps its data on the filesystem store, which the move compares nothing of:
      // said in the same run.
      assert.match(
        storeType,
        /^verify --stack vm: --move-from\/--move-to: objectStore\.type \(\S*Pulumi\.vm\.yaml:\d+\): expected minio or garage /,
      );
      assert.deepEqual(lines, [
        "verify --stack vm: --move-from/--move-to: the move check needs each store's key in the environment: set HOMELAB_MOVE_FROM_ACCESS_KEY_ID, HOMELAB_MOVE_FROM_SECRET_ACCESS_KEY, HOMELAB_MOVE_TO_ACCESS_KEY_ID, HOMELAB_MOVE_TO_SECRET_ACCESS_KEY",
        `verify --stack vm: --move-from/--move-to: expected two stores, got the same one: --move-from ${url} and --move-to ${url} are one URL: every bucket would be the same on both with nothing copied, and the switch would leave every object behind; give --move-to the new store's S3 API`,
      ]);
      assert.equal(r.last, "verify --stack vm: FAIL (exit 2): the stores could not be compared (above)");
    });

    it("a $KUBECONFIG that names no file: named, as pulumi up names it, not 'no kubeconfig file'", async () => {
      const missing = path.join(tmpDir("verify-kubeconfig-typo"), "confg");
      const r = await run(["--dir", dir, "--stack", "vm"], { KUBECONFIG: missing });
      assert.equal(r.code, 2, r.out + r.err);
      assert.ok(r.err.includes(`which the kubeconfig (no file at ${missing}) does not have`), r.err);
      assert.equal(r.last, "verify --stack vm: FAIL (exit 2): not reaching the cluster (above)");
    });
  });
});

describe("verify: how many checks failed is said once, by the closing line", () => {
  it("the report is one line per check and no count of its own", () => {
    const text = formatReport({
      stack: "s",
      phase: "dual-write",
      checks: [
        { id: "targets", status: "fail", detail: "job x has no up target" },
        { id: "rules", status: "pass", detail: "ok" },
      ],
    });
    assert.doesNotMatch(text, /failed|no check/, text);
    assert.deepEqual(text.trimEnd().split("\n").slice(2), [
      "  FAIL  targets  job x has no up target",
      "  PASS  rules    ok",
    ]);
  });
});
