/**
 * The one spawned run of each command (issue 51): its process wrapper (cli/synth.ts,
 * cli/policyCheck.ts, cli/verify.ts, cli/bench.ts) hands the process's arguments and streams to the
 * command's main (bench's command-line reader, cli/benchArgs.ts) and exits with its status. Every
 * other test of a command calls its main in the test's own process (inProcess in
 * test/support/helpers.ts), without a process's start-up and SDK load.
 */
import { strict as assert } from "assert";
import { spawnSync, type SpawnSyncReturns } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { compiledCli, ROOT, tmpDir } from "../support/helpers";
import { BUNDLED, bundleOf, entryOf } from "../../cli/bundled";

/** A command's compiled file (`npm run` runs the same), in a fresh process. */
const run = (file: string, ...args: string[]) =>
  spawnSync(process.execPath, compiledCli(file, ...args), { cwd: ROOT, encoding: "utf8" });

/**
 * Node arguments that preload a probe writing, as the process exits, the files of the project's own
 * it loaded (outside node_modules, relative to the root) to `out`.
 */
function loadedProbe(out: string): string[] {
  const probe = path.join(path.dirname(out), "probe.cjs");
  fs.writeFileSync(
    probe,
    `process.on("exit", () => require("fs").writeFileSync(${JSON.stringify(out)}, JSON.stringify(` +
      `Object.keys(require.cache).filter((f) => !f.includes("node_modules") && f !== __filename).map((f) => require("path").relative(${JSON.stringify(ROOT)}, f)))));`,
  );
  return ["--require", probe];
}

/** What every bundled command's entry loads to run its bundle (cli/bundled.ts entryText). */
const LOADER = "dist/cli/bundleLoader.js";

/** One synth run, with where it wrote and what its probe recorded. */
interface SynthRun {
  dir: string;
  out: string;
  cache: string;
  loaded: string;
  s: SpawnSyncReturns<string>;
}

let synthRun: SynthRun | undefined;
/**
 * The synth run the first two tests below read, each its part: the example stack on one node too
 * small for it, rendered, with an empty check cache and no 1Password token. The pack's resource
 * budget refuses it (exit 1) after the rendered-object checks ran and wrote their verdict, so one
 * process shows a failing stack's status, closing line and stderr passing through, and the check
 * verdict's manifest the bundle writes. One start-up instead of two (production with --no-render
 * for the first, example for the second: 0.4 s of CPU for the first).
 */
function synthOnce(): SynthRun {
  if (synthRun) return synthRun;
  const dir = tmpDir("smoke");
  fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  const text = fs.readFileSync(path.join(ROOT, "Pulumi.example.yaml"), "utf8");
  const tiny = text.replace(
    /nodePools:\n(    .*\n)+/,
    'nodePools:\n    - {name: tiny, arch: amd64, count: 1, cpu: "1", memory: 2Gi}\n',
  );
  assert.notEqual(tiny, text, "the example stack file lists its node pools");
  fs.writeFileSync(path.join(dir, "Pulumi.example.yaml"), tiny);
  const out = path.join(dir, "out");
  const cache = tmpDir("bundle-checks");
  // No 1Password token: the placeholder line on stderr is certain.
  const env = { ...process.env, OP_CONNECT_TOKEN: "", HOMELAB_CHECK_CACHE: cache };
  const loaded = path.join(dir, "loaded.json");
  const s = spawnSync(
    process.execPath,
    [
      ...loadedProbe(loaded),
      ...compiledCli("cli/synth.ts", "--stack", "example", "--dir", dir, "--quiet", "--out", out),
    ],
    { cwd: ROOT, encoding: "utf8", env },
  );
  return (synthRun = { dir, out, cache, loaded, s });
}

describe("each command through a real process: exit status, stdout and stderr", function () {
  this.timeout(60_000);

  it("synth, then policy:check on its export: a failing stack's status, closing line and stderr pass through each process", () => {
    const { dir, out, loaded, s } = synthOnce();
    assert.equal(s.status, 1, s.stdout + s.stderr);
    // The command is one file behind its entry and loader (cli/bundled.ts, cli/bundleLoader.ts):
    // none of the project's modules on its own.
    assert.deepEqual(JSON.parse(fs.readFileSync(loaded, "utf8")), [
      entryOf("cli/synth.ts"),
      LOADER,
      bundleOf("cli/synth.ts"),
    ]);
    assert.match(s.stdout, /\[mandatory\] resource-budget: pool tiny/);
    assert.match(
      s.stdout.trimEnd().split("\n").pop()!,
      /^example: FAIL \(exit 1\): policy: FAIL \(\d+ mandatory\)$/,
    );
    assert.match(s.stderr, /^example: secrets not set, placeholders stand in offline /m);
    const count = /(\d+ resources \(\d+ custom, \d+ stack and components, \d+ providers\))/.exec(
      s.stdout,
    )?.[1];
    assert.ok(count, s.stdout);
    const loadedByCheck = path.join(dir, "loaded-by-check.json");
    const p = spawnSync(
      process.execPath,
      [...loadedProbe(loadedByCheck), ...compiledCli("cli/policyCheck.ts", path.join(out, "example.json"))],
      { cwd: ROOT, encoding: "utf8" },
    );
    assert.deepEqual(JSON.parse(fs.readFileSync(loadedByCheck, "utf8")), [
      entryOf("cli/policyCheck.ts"),
      LOADER,
      bundleOf("cli/policyCheck.ts"),
    ]);
    assert.equal(p.status, 1, p.stdout + p.stderr);
    assert.ok(p.stdout.includes(count), `${count} in ${p.stdout}`);
    const pLines = p.stdout.trimEnd().split("\n");
    assert.match(pLines[pLines.length - 2], /: policy: FAIL \(\d+ mandatory, \d+ advisory\)$/);
    assert.match(pLines[pLines.length - 1], /^policy:check: FAIL \(exit 1\): 1 of 1 export failed: /);
    assert.equal(p.stderr, "");
  });

  it("synth built as one file: its check verdict's manifest names that file, which holds every check", () => {
    const { cache, s } = synthOnce();
    // Refused by the pack after the rendered-object checks ran (their summary line).
    assert.equal(s.status, 1, s.stdout + s.stderr);
    assert.match(s.stdout, /rendered \d+\/\d+ releases/);
    const manifests = fs.readdirSync(cache).filter((f) => f.endsWith(".deps.json"));
    assert.equal(manifests.length, 1, fs.readdirSync(cache).join(", "));
    const files = (JSON.parse(fs.readFileSync(path.join(cache, manifests[0]), "utf8")) as { files: string[] })
      .files;
    // The bundle (a new build is a new key), the packages it loads at run time, the data it read.
    assert.deepEqual(
      files.filter((f) => !/^node_modules\/.*package\.json$/.test(f) && !/^upstream\/[\w-]+\/data\//.test(f)),
      [bundleOf("cli/synth.ts")],
    );
    assert.ok(files.includes("node_modules/ajv/package.json"), files.join("\n"));
  });

  it("npm run synth and npm run policy:check run the commands' bundles (cli/bundled.ts)", () => {
    const scripts = (
      JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
        scripts: Record<string, string>;
      }
    ).scripts;
    // synth's young generation holds its whole run (CONTRIBUTING.md): one scavenge instead of 13.
    assert.match(
      scripts.synth,
      new RegExp(
        `node --max-opt=2 --min-semi-space-size=64 --max-semi-space-size=64 ${entryOf("cli/synth.ts")}$`,
      ),
    );
    assert.match(scripts["policy:check"], new RegExp(`node --max-opt=2 ${entryOf("cli/policyCheck.ts")}$`));
    assert.deepEqual(
      BUNDLED.map((f) => entryOf(f)),
      ["dist/bin/synth.js", "dist/bin/policyCheck.js"],
    );
  });

  it("verify with a mistyped flag: exit 2, the message on stderr, only the closing line on stdout", () => {
    const r = run("cli/verify.ts", "--stak", "staging");
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /unknown flag --stak; did you mean --stack\?/);
    assert.equal(r.stdout, "verify: FAIL (exit 2): bad arguments (above)\n");
  });

  it("bench with a mistyped flag: exit 2, the message and the usage on stderr, only the closing line on stdout", () => {
    const r = run("cli/bench.ts", "--runss");
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /^bench: unknown flag --runss; did you mean --runs\?\nusage: npm run bench -- /);
    assert.equal(r.stdout, "bench: FAIL (exit 2): bad arguments (above)\n");
  });
});
