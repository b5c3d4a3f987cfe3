/**
 * `npm run synth` over several stacks and on the ways a stack cannot be judged: every stack asked
 * for is tried, the archives a run lacks are listed once, and every way out ends with one line
 * saying the exit status. A release that did not render is one message, not its consequences.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { chartCacheDir } from "../../config/chartCache";
import { ROOT, synthCli, tmpDir, withEnv } from "../support/helpers";
import { stableDir } from "../support/stableDir";

/** The last line of a run's stdout: its verdict. */
const lastLine = (text: string) => text.trimEnd().split("\n").pop()!;

/** A project folder with this project's Pulumi.yaml and the stack files `files` (name -> text). */
function project(files: Record<string, string>): string {
  const dir = tmpDir("stacks");
  fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  for (const [name, text] of Object.entries(files))
    fs.writeFileSync(path.join(dir, `Pulumi.${name}.yaml`), text);
  return dir;
}

const staging = () => fs.readFileSync(path.join(ROOT, "Pulumi.staging.yaml"), "utf8");
/** Staging with its phase misspelt: the configuration is refused. */
const broken = () => staging().replace(/homelab-observability:phase: .*/, "homelab-observability:phase: kps");

/** synth on the project in `dir`, writing to its `out`, quiet, with `args`. */
const synthIn = (dir: string, ...args: string[]) =>
  synthCli("--dir", dir, "--out", path.join(dir, "out"), "--quiet", ...args);

/**
 * An empty chart cache and an empty render cache, at the same paths in every run and for both
 * tests that use them (stableDir, where the reason is): their syntheses of staging, pi and
 * production are the fixture cache's, pi's shared by the two. Measured warm on this 2-core
 * machine, the file alone: 4.9 s of CPU before, 3.3 s after (medians of three, alternated).
 */
const noCharts = () => ({
  CI: "true",
  HOMELAB_CHART_CACHE: stableDir("synth-stacks-no-charts"),
  HOMELAB_RENDER_CACHE: stableDir("synth-stacks-no-render-cache"),
});

describe("synth over several stacks and its closing lines", function () {
  this.timeout(120_000);

  it("a stack whose configuration is refused leaves the others judged, each closing, the run closing last with exit 2", async () => {
    const dir = project({ broken: broken(), staging: staging() });
    const r = await synthIn(dir, "--stack", "broken", "--stack", "staging", "--no-render");
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /broken: invalid stack configuration/);
    assert.match(r.stdout, /^broken: FAIL \(exit 2\): the stack configuration is refused \(above\)$/m);
    assert.match(r.stdout, /^staging: pass \(exit 0\): the policy passes \(not rendered: --no-render\)$/m);
    assert.ok(fs.existsSync(path.join(dir, "out", "staging.json")), "staging is synthesized");
    assert.equal(lastLine(r.stdout), "synth: FAIL (exit 2): 1 of 2 stacks failed: broken");
  });

  it("--all over a project without stack files judges nothing: refused with exit 2, naming the folder looked in", async () => {
    const dir = project({});
    const r = await synthIn(dir, "--all", "--no-render");
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.equal(
      r.stderr,
      `synth: --all: expected Pulumi.<stack>.yaml files in ${dir}, got none; give --dir the folder of a project with stacks, or --stack <name> once its stack file is written\n`,
    );
    assert.equal(r.stdout, `synth: FAIL (exit 2): no stack file (Pulumi.<stack>.yaml) in ${dir} (above)\n`);
    assert.ok(!fs.existsSync(path.join(dir, "out")), "a refused run makes no --out folder");
  });

  it("--all and --stack find the stack files in Pulumi.yaml's stackConfigDir, as the Pulumi CLI does", async () => {
    const dir = project({});
    fs.appendFileSync(path.join(dir, "Pulumi.yaml"), "stackConfigDir: stacks\n");
    fs.mkdirSync(path.join(dir, "stacks"));
    fs.writeFileSync(path.join(dir, "stacks", "Pulumi.lab.yaml"), staging());
    for (const stacks of [["--all"], ["--stack", "lab"]]) {
      const r = await synthIn(dir, ...stacks, "--no-render");
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.equal(lastLine(r.stdout), "lab: pass (exit 0): the policy passes (not rendered: --no-render)");
    }
  });

  it("one stack whose configuration is refused ends with its closing line, exit 2", async () => {
    const dir = project({ broken: broken() });
    const r = await synthIn(dir, "--stack", "broken");
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.equal(lastLine(r.stdout), "broken: FAIL (exit 2): the stack configuration is refused (above)");
  });

  it("bad arguments and an unknown stack end with the run's closing line, exit 2", async () => {
    const args = await synthCli("--stak", "staging");
    assert.equal(args.status, 2);
    assert.equal(lastLine(args.stdout), "synth: FAIL (exit 2): bad arguments (above)");
    const unknown = await synthCli("--stack", "nope", "--out", tmpDir("x"));
    assert.equal(unknown.status, 2);
    assert.equal(lastLine(unknown.stdout), "synth: FAIL (exit 2): no stack file Pulumi.nope.yaml (above)");
  });

  it("chart archives missing: every stack tried, every archive any of them needs listed once, then the closing lines", async () => {
    const out = tmpDir("no-charts-out");
    const r = await withEnv(noCharts(), () =>
      synthCli("--stack", "staging", "--stack", "pi", "--stack", "production", "--quiet", "--out", out),
    );
    assert.equal(r.status, 2, r.stdout + r.stderr);
    // What each stack renders, from its export (written before the render).
    const needs = (stack: string) =>
      JSON.parse(fs.readFileSync(path.join(out, `${stack}.json`), "utf8"))
        .deployment.resources.filter((x: any) => x.type === "kubernetes:helm.sh/v3:Release")
        .map((x: any) => `${x.inputs.chart}-${x.inputs.version}.tgz`) as string[];
    const all = [...new Set(["staging", "pi", "production"].flatMap(needs))];
    assert.ok(
      all.some((a) => !needs("staging").includes(a)),
      "the other stacks need archives staging does not",
    );
    for (const a of all) {
      const chart = a.replace(/-[^-]+\.tgz$/, "");
      const pulls = r.stderr.match(new RegExp(` ${chart} --version .* -d `, "g")) ?? [];
      assert.equal(pulls.length, 1, `${a} listed once:\n${r.stderr}`);
    }
    assert.match(
      r.stderr,
      new RegExp(
        `lacks ${all.length} of the ${all.length} chart archives the stacks staging, pi, production render`,
      ),
    );
    assert.match(r.stderr, /vector --version [^\n]*# pi\n/, "each command says which stacks need it");
    for (const s of ["staging", "pi", "production"])
      assert.match(
        r.stdout,
        new RegExp(
          `^${s}: FAIL \\(exit 2\\): cannot render: \\d+ chart archives missing from the chart cache$`,
          "m",
        ),
      );
    assert.equal(lastLine(r.stdout), "synth: FAIL (exit 2): 3 of 3 stacks failed: staging, pi, production");
  });

  it("one stack's chart archives missing: listed with it, then its closing line, exit 2", async () => {
    const r = await withEnv(noCharts(), () =>
      synthCli("--stack", "pi", "--quiet", "--out", tmpDir("no-charts-out")),
    );
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /this stack renders \(and CI never pulls\)/);
    assert.match(
      lastLine(r.stdout),
      /^pi: FAIL \(exit 2\): cannot render: \d+ chart archives missing from the chart cache$/,
    );
  });
});

describe("a file in the chart cache that is no chart archive", function () {
  this.timeout(120_000);

  it("is named with what it holds and the command that replaces it, and the stack closes with exit 2, not an unexpected error", async () => {
    // At the same path in every run, as its render cache (stableDir): pi's synthesis is the
    // fixture cache's.
    const cache = stableDir("synth-stacks-broken-charts");
    const from = chartCacheDir();
    for (const a of fs.readdirSync(from).filter((f) => f.endsWith(".tgz")))
      fs.symlinkSync(path.join(from, a), path.join(cache, a));
    const grafana = fs.readdirSync(cache).filter((f) => /^grafana-\d/.test(f));
    for (const g of grafana) {
      fs.rmSync(path.join(cache, g));
      fs.writeFileSync(path.join(cache, g), "garbage\n");
    }
    const r = await withEnv(
      {
        CI: "true",
        HOMELAB_CHART_CACHE: cache,
        HOMELAB_RENDER_CACHE: stableDir("synth-stacks-broken-render-cache"),
      },
      () => synthCli("--stack", "pi", "--quiet", "--out", tmpDir("broken-charts-out")),
    );
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(
      r.stderr,
      /: grafana-[^ ]+\.tgz \(there, but not a chart archive: found 8 bytes of text, not gzip data, whose first line is "garbage"\); fill it with:\n {4}helm pull --repo \S+ grafana --version /,
    );
    assert.doesNotMatch(r.stdout + r.stderr, /unexpected error|incorrect header check/);
    assert.equal(
      lastLine(r.stdout),
      "pi: FAIL (exit 2): cannot render: 1 file in the chart cache that is no chart archive",
    );
  });
});

describe("a release that did not render is one message, not its consequences", function () {
  this.timeout(120_000);

  it("the rendered-object checks wait for it (said once), Helm's --debug hint is dropped, the violation on its values is kept", async () => {
    // A SingleBinary Loki with read replicas too: the chart refuses to render.
    const dir = project({
      staging: `${staging().trimEnd()}\n  homelab-observability:chartValues:\n    loki:\n      read:\n        replicas: 2\n`,
    });
    const r = await synthIn(dir, "--stack", "staging");
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(
      r.stderr,
      /staging: 1 of \d+ Helm releases did not render \(helm template\):\n {2}monitoring\/loki \(loki /,
    );
    assert.doesNotMatch(r.stdout + r.stderr, /--debug/);
    // The missing objects are no one's mistake: no address, NetworkPolicy or metric reads them as one.
    assert.doesNotMatch(r.stderr, /the rendered stack would fail in a cluster/);
    assert.doesNotMatch(r.stderr, /\[(address|network-policy|network-egress|emitted-metrics)\]/);
    assert.equal(r.stderr.match(/the rendered-object checks did not run/g)?.length, 1, r.stderr);
    assert.match(r.stdout, /rendered-object checks not run: 1 release did not render/);
    // The pack judged the values Helm refused: that violation names the key, and the render error points to it.
    assert.match(
      r.stdout,
      // The render's failure among its places (one mistake), then the key.
      /\[mandatory\] loki-single-binary-and-scalable: .*\n {6}the same mistake, also seen at: \[helm template\] monitoring\/loki .*\n.*chartValues\.loki\.read\.replicas/,
    );
    assert.match(
      r.stderr,
      /the chart refused its values for the mistake of the policy violation loki-single-binary-and-scalable below, which names the key and Helm's words/,
    );
    assert.equal(
      lastLine(r.stdout),
      "staging: FAIL (exit 1): 1 Helm release did not render; policy: FAIL (1 mandatory)",
    );
  });

  it("a warning of the program (SimpleScalable, deprecated) is said under its stack's name with its key's line, once, not as a bare runtime line", async () => {
    const production = fs.readFileSync(path.join(ROOT, "Pulumi.production.yaml"), "utf8");
    const dir = project({ production, staging: staging() });
    const r = await synthIn(dir, "--stack", "staging", "--stack", "production", "--no-render");
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const line = production.split("\n").findIndex((l) => /^\s+mode: SimpleScalable$/.test(l)) + 1;
    const warned = r.stderr.split("\n").filter((l) => l.includes('"SimpleScalable" is deprecated'));
    assert.equal(warned.length, 1, r.stderr);
    assert.match(
      warned[0],
      new RegExp(
        `^production: warning: homelab-observability:loki\\.mode \\(\\S*Pulumi\\.production\\.yaml:${line}\\): "SimpleScalable" is deprecated`,
      ),
    );
    assert.doesNotMatch(r.stderr, /^warning: \[runtime\]/m);
  });
});
