/**
 * One form for every refusal of an argument or an input, per tool: the tool's name first
 * (`synth:`, `policy:check:`, `verify --stack <s>:`), then the flag and value (or the file), what
 * is wrong and what to do; a second, indented line only where it lists choices. And policy:check
 * judges the files it is named beside bad arguments, every problem in one run (issue 51 item 1),
 * but for the bare words npm passed on as a kept flag's value (one message for one mistake).
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parseVerifyArgs, VerifyArgsError } from "../../cli/verifyRun";
import { policyCheckCli, synthCli, tmpDir, verifyCli, withEnv } from "../support/helpers";

const ROOT = path.resolve(__dirname, "../..");
const lastLine = (s: string) => s.trimEnd().split("\n").pop();
/** The stderr lines that are no usage (the usage, and verify's lists under it, are the same in every refused run). */
const refusals = (stderr: string) =>
  stderr
    .trimEnd()
    .split("\n")
    .filter(
      (l) => !/^(usage: |    |\(npm run |  \(npm run |  components: |  phases: |  Loki's steps )/.test(l),
    );

describe("synth: every refusal of an argument or an input in one form", function () {
  this.timeout(60_000);

  it("an input's refusal is led by synth: as an argument's is, each on its own line", async () => {
    const dir = tmpDir("forms-synth-");
    const missing = path.join(dir, "missing.json");
    const file = path.join(dir, "a-file");
    fs.writeFileSync(file, "x");
    const r = await synthCli(
      "--stack",
      "production",
      "--no-render",
      "--against",
      missing,
      "--dir",
      path.join(dir, "nowhere"),
      "--policy-config",
      missing,
      "--running",
      file,
    );
    assert.equal(r.status, 2);
    assert.deepEqual(refusals(r.stderr), [
      "synth: --against and --running render: drop --no-render",
      `synth: --dir ${path.join(dir, "nowhere")}: expected the project folder (Pulumi.yaml and the Pulumi.<stack>.yaml files), got nothing there (no such folder)`,
      `synth: --policy-config ${missing}: cannot read ${missing}: no such file; check the path`,
      `synth: --against ${missing}: cannot read ${missing}: no such file; check the path`,
      `synth: --running ${file}: a file, not a folder; give the folder holding what runs (helm-list.yaml and the rest, docs/how-to/take-over-flux.md)`,
    ]);
  });

  it("an unknown stack: one line led by synth: --stack, then the stacks there on a line of its own", async () => {
    const r = await synthCli("--stack", "prod", "--no-render");
    assert.equal(r.status, 2);
    assert.deepEqual(refusals(r.stderr), [
      `synth: --stack prod: no stack file Pulumi.prod.yaml in ${ROOT}; did you mean "production"?`,
      "  stacks there: example, pi, production, staging, takeover",
    ]);
  });

  it("the stack file's name given for the stack's: the stack inside it is the one meant", async () => {
    for (const given of ["Pulumi.pi.yaml", "./Pulumi.pi.yaml"]) {
      const r = await synthCli("--stack", given, "--no-render");
      assert.equal(r.status, 2);
      assert.deepEqual(refusals(r.stderr), [
        `synth: --stack ${given}: no stack file Pulumi.${given}.yaml in ${ROOT}; did you mean "pi"? (the stack's name, not its file's)`,
        "  stacks there: example, pi, production, staging, takeover",
      ]);
    }
  });

  it("two environment settings refused are two lines, each led by synth:", async () => {
    const dir = tmpDir("forms-env-");
    const file = path.join(dir, "not-a-folder");
    fs.writeFileSync(file, "x");
    const r = await withEnv({ HOMELAB_HELM_JOBS: "abc", HOMELAB_CHART_CACHE: file }, () =>
      synthCli("--stack", "production", "--quiet", "--out", path.join(dir, "out")),
    );
    assert.equal(r.status, 2);
    assert.deepEqual(
      refusals(r.stderr).map((l) => l.split(":").slice(0, 2).join(":")),
      ["synth: HOMELAB_HELM_JOBS", "synth: HOMELAB_CHART_CACHE"],
    );
    assert.equal(
      lastLine(r.stdout),
      "synth: FAIL (exit 2): bad input: HOMELAB_HELM_JOBS, HOMELAB_CHART_CACHE (above)",
    );
  });
});

describe("verify: an unknown stack in synth's form", function () {
  this.timeout(60_000);

  it("the file and folder looked in, the closest name, then the stacks there on a line of its own", async () => {
    const r = await verifyCli("--stack", "prod", "--url", "prometheus=http://127.0.0.1:1");
    assert.equal(r.status, 2);
    assert.deepEqual(refusals(r.stderr), [
      `verify --stack prod: no stack file Pulumi.prod.yaml in ${ROOT}; did you mean "production"?`,
      "  stacks there: example, pi, production, staging, takeover",
    ]);
  });

  // synth closed without the "(above)" every other closing of either tool points at its message by.
  it("closes as synth does, after its own lead: the reason and (above)", async () => {
    const v = await verifyCli("--stack", "prod", "--url", "prometheus=http://127.0.0.1:1");
    const s = await synthCli("--stack", "prod", "--no-render");
    assert.equal(
      lastLine(v.stdout),
      "verify --stack prod: FAIL (exit 2): no stack file Pulumi.prod.yaml (above)",
    );
    assert.equal(lastLine(s.stdout), "synth: FAIL (exit 2): no stack file Pulumi.prod.yaml (above)");
  });
});

describe("verify: bad arguments led as every other line of a run on the stack", function () {
  this.timeout(60_000);

  it("a bad --url beside --stack: led by verify --stack <stack>:, as the stack's own refusal of a --url is", async () => {
    const r = await verifyCli("--stack", "production", "--url", "nope");
    assert.equal(r.status, 2);
    assert.match(refusals(r.stderr)[0], /^verify --stack production: --url: expected <component>=<url> /);
    assert.equal(lastLine(r.stdout), "verify --stack production: FAIL (exit 2): bad arguments (above)");
  });

  it("a --dir that is no project folder is said beside another bad argument, in one run", async () => {
    const dir = path.join(tmpDir("forms-verify-"), "nowhere");
    const r = await verifyCli("--stack", "production", "--url", "nope", "--dir", dir);
    assert.equal(r.status, 2);
    assert.deepEqual(
      refusals(r.stderr).map((l) => l.split(": ").slice(0, 2).join(": ")),
      ["verify --stack production: --url", `verify --stack production: --dir ${dir}`],
    );
  });

  it("a problem about --stack itself (given twice) leaves the lines led by verify:", async () => {
    const r = await verifyCli("--stack", "a", "--stack", "b");
    assert.equal(r.status, 2);
    assert.deepEqual(refusals(r.stderr), ['verify: --stack is given twice: "a" and "b"; keep one']);
    assert.equal(lastLine(r.stdout), "verify: FAIL (exit 2): bad arguments (above)");
  });
});

describe("policy:check: every refusal led by policy:check:, and the files named judged beside bad arguments", function () {
  this.timeout(60_000);

  it("a file that is not JSON, not an export or a broken one: each line led by policy:check:", async () => {
    const dir = tmpDir("forms-pc-");
    const notJson = path.join(dir, "cut.json");
    fs.writeFileSync(notJson, "{");
    const notExport = path.join(dir, "other.json");
    fs.writeFileSync(notExport, "{}");
    const broken = path.join(dir, "broken.json");
    fs.writeFileSync(broken, JSON.stringify({ deployment: { resources: [1] } }));
    const r = await policyCheckCli([notJson, notExport, broken]);
    assert.equal(r.status, 2);
    const lines = refusals(r.stderr);
    assert.equal(lines.length, 3, r.stderr);
    for (const l of lines) assert.match(l, /^policy:check: \//);
  });

  it("a refused --config is led by policy:check:", async () => {
    const dir = tmpDir("forms-pc-config-");
    const missing = path.join(dir, "pack.json");
    const r = await policyCheckCli(["--config", missing, path.join(ROOT, "package.json")]);
    assert.equal(r.status, 2);
    assert.equal(
      refusals(r.stderr)[0],
      `policy:check: --config ${missing}: cannot read ${missing}: no such file; check the path`,
    );
  });

  it("beside bad arguments, each named file that is missing or no export is said, and named in the closing line", async () => {
    const dir = tmpDir("forms-pc-args-");
    const missing = path.join(dir, "gone.json");
    const notExport = path.join(dir, "other.json");
    fs.writeFileSync(notExport, "{}");
    const r = await policyCheckCli(["--bogus", "--dir", path.join(dir, "nowhere"), missing, notExport]);
    assert.equal(r.status, 2);
    const lines = refusals(r.stderr);
    assert.deepEqual(lines.slice(0, 2), [
      "policy:check: unknown flag --bogus",
      `policy:check: --dir ${path.join(dir, "nowhere")}: expected the project folder (Pulumi.yaml and the Pulumi.<stack>.yaml files), got nothing there (no such folder)`,
    ]);
    assert.deepEqual(lines.slice(2), [
      // No name close to it beside it: where exports come from.
      `policy:check: ${missing}: no such file or folder; \`npm run synth -- --all --out out\` writes an export per stack (out/<stack>.json), then give out`,
      `policy:check: ${notExport}: not a \`pulumi stack export\` file (expected deployment.resources[], found an empty object); give the file \`pulumi stack export\` writes, or a stack's .json file that \`npm run synth\` writes into its --out folder`,
    ]);
    assert.equal(
      lastLine(r.stdout),
      `policy:check: FAIL (exit 2): bad arguments (above); could not judge ${missing}, ${notExport} (above)`,
    );
  });

  it("beside a refused --config, a missing export is said in the same run", async () => {
    const dir = tmpDir("forms-pc-both-");
    const missing = path.join(dir, "gone.json");
    const r = await policyCheckCli(["--config", path.join(dir, "pack.json"), missing]);
    assert.equal(r.status, 2);
    assert.ok(
      refusals(r.stderr).some((l) => l.startsWith(`policy:check: ${missing}: no such file or folder;`)),
      r.stderr,
    );
    assert.match(lastLine(r.stdout)!, /; could not judge .*gone\.json \(above\)$/);
  });

  it("the bare words npm passed on for a kept --config are not judged again: one message for one mistake", async () => {
    const dir = tmpDir("forms-pc-npm-");
    const pack = path.join(dir, "pack.json");
    const r = await policyCheckCli([pack, path.join(dir, "out")], {
      PATH: process.env.PATH,
      npm_lifecycle_event: "policy:check",
      npm_config_config: "true",
    });
    assert.equal(r.status, 2);
    const lines = refusals(r.stderr);
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], /^policy:check: npm kept --config for itself/);
    assert.equal(lastLine(r.stdout), "policy:check: FAIL (exit 2): bad arguments (above)");
  });
});

describe("verify: the word --stack inside a value is not the flag (hRev2)", function () {
  const refused = (argv: string[]): VerifyArgsError => {
    try {
      parseVerifyArgs(argv, {});
    } catch (e) {
      if (e instanceof VerifyArgsError) return e;
      throw e;
    }
    throw new Error("not refused");
  };

  it("a --url value holding --stack keeps the stack's lead", () => {
    const e = refused(["--stack", "staging", "--url", "prometheus=http://x --stack"]);
    assert.equal(e.stack, "staging");
  });

  it("without --stack, a --url value holding --stack still leaves --stack required", () => {
    const e = refused(["--url", "prometheus=http://x --stack"]);
    assert.ok(e.problems.includes("--stack is required"), e.problems.join("\n"));
  });
});
