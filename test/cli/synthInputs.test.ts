/**
 * `npm run synth` on inputs that are not the stack's configuration: a flag's input refused closes
 * with that flag as the reason, a stack named twice is judged once, and a chart values override of a
 * chart the stack does not install is said and not listed as in force.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { inProcess, ROOT, synthCli, tmpDir, withEnv } from "../support/helpers";

const lastLine = (text: string) => text.trimEnd().split("\n").pop()!;

/** A project folder with this project's Pulumi.yaml and staging's stack file plus `extra`. */
function project(extra = ""): string {
  const dir = tmpDir("inputs");
  fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  const staging = fs.readFileSync(path.join(ROOT, "Pulumi.staging.yaml"), "utf8");
  fs.writeFileSync(path.join(dir, "Pulumi.staging.yaml"), staging + extra);
  return dir;
}

/** synth on the project in `dir`, writing to its `out`, quiet, with `args`. */
const synthIn = (dir: string, ...args: string[]) =>
  synthCli("--dir", dir, "--out", path.join(dir, "out"), "--quiet", ...args);

describe("synth: flag inputs, stacks named twice, overrides of charts not deployed", function () {
  this.timeout(120_000);

  it("--running on a stack without a takeover block closes with --running, not the stack configuration", async () => {
    const dir = project();
    const running = tmpDir("running");
    const r = await synthIn(dir, "--stack", "staging", "--running", running);
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /--running: stack staging has no homelab-observability:takeover block/);
    assert.equal(lastLine(r.stdout), "staging: FAIL (exit 2): bad input: --running (above)");
  });

  it("--against another stack's export closes with --against, not the stack configuration", async () => {
    const dir = project();
    fs.copyFileSync(path.join(ROOT, "Pulumi.production.yaml"), path.join(dir, "Pulumi.production.yaml"));
    const out = path.join(dir, "out");
    await synthCli("--stack", "production", "--dir", dir, "--out", out, "--quiet", "--no-render");
    const against = path.join(out, "production.json");
    const r = await synthCli(
      "--stack",
      "staging",
      "--dir",
      dir,
      "--out",
      out,
      "--quiet",
      "--against",
      against,
    );
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /--against: expected an export of stack "staging"/);
    assert.equal(lastLine(r.stdout), "staging: FAIL (exit 2): bad input: --against (above)");
  });

  it("one bad override failing three releases is one render error naming each release and the key", async () => {
    const dir = project(
      ["  homelab-observability:chartValues:", "    alloy:", "      image: grafana/alloy:v1.12.0", ""].join(
        "\n",
      ),
    );
    const r = await synthIn(dir, "--stack", "staging");
    assert.equal(r.status, 1, r.stdout + r.stderr);
    const failures = r.stderr.split("\n").filter((l) => /^  \S.* \(alloy 1\.5\.0\): /.test(l));
    assert.equal(failures.length, 1, r.stderr);
    assert.match(
      failures[0],
      /^  monitoring\/alloy, monitoring-agents\/alloy, monitoring\/alloy-cluster \(alloy/,
    );
    assert.match(
      r.stderr,
      /from the stack's chart values override chartValues\.alloy\.image \(\S*Pulumi\.staging\.yaml:\d+\): change or remove it/,
    );
    assert.match(
      r.stderr,
      /the objects of monitoring\/alloy, monitoring-agents\/alloy, monitoring\/alloy-cluster are missing/,
    );
  });

  it("a --running folder that does not exist is said as such", async () => {
    const dir = project();
    const missing = path.join(dir, "no-such-folder");
    const r = await synthIn(dir, "--stack", "staging", "--running", missing);
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /--running .*no-such-folder: no such folder/);
    assert.doesNotMatch(r.stderr, /takeover\.running/);
    assert.equal(lastLine(r.stdout), `synth: FAIL (exit 2): bad input: --running ${missing} (above)`);
    // A file where the folder should be is said as a file.
    const file = path.join(dir, "Pulumi.yaml");
    const f = await synthIn(dir, "--stack", "staging", "--running", file);
    assert.equal(f.status, 2, f.stdout + f.stderr);
    assert.match(
      f.stderr,
      /--running .*Pulumi\.yaml: a file, not a folder; give the folder holding what runs/,
    );
  });

  it("a refused --running folder or --against export is said with the stack file's own problems, in the one run", async () => {
    const dir = project();
    // The takeover seed with its phase misspelt: a stack --running can check, refused for its file.
    const seed = fs.readFileSync(path.join(ROOT, "Pulumi.takeover.yaml"), "utf8");
    fs.writeFileSync(path.join(dir, "Pulumi.t.yaml"), seed.replace("phase: loki-fixed", "phase: loki-fxed"));
    const phase = /homelab-observability:phase: expected one of .*, got string "loki-fxed"/;
    const running = tmpDir("running");
    const r = await synthIn(dir, "--stack", "t", "--running", running);
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(r.stderr, phase);
    assert.match(r.stderr, /--running \S+: 3 of the folder's reports are missing or refused:/);
    assert.equal(
      lastLine(r.stdout),
      `t: FAIL (exit 2): the stack configuration is refused (above); bad input: --running ${running} (above)`,
    );
    const against = path.join(dir, "empty.json");
    fs.writeFileSync(against, "{}\n");
    const a = await synthIn(dir, "--stack", "t", "--against", against);
    assert.equal(a.status, 2, a.stdout + a.stderr);
    assert.match(a.stderr, /^synth: --against \S+: not a `pulumi stack export` file/m);
    assert.match(
      a.stderr,
      new RegExp(`^t: invalid stack configuration \\(1 problem\\):\n  - ${phase.source}`, "m"),
    );
    assert.equal(
      lastLine(a.stdout),
      `synth: FAIL (exit 2): the stack configuration of t is refused (above); bad input: --against ${against} (above)`,
    );
  });

  it("an --out that is a file, or under one, is bad input naming the flag, not an unexpected error", async () => {
    const dir = project();
    const file = path.join(dir, "Pulumi.yaml");
    for (const out of [file, path.join(file, "sub")]) {
      const r = await synthCli("--dir", dir, "--out", out, "--quiet", "--stack", "staging", "--no-render");
      assert.equal(r.status, 2, r.stdout + r.stderr);
      assert.equal(
        r.stderr.trim(),
        `synth: --out ${out}: expected a folder to write the exports into; a file is there (or on its path)`,
      );
      assert.equal(lastLine(r.stdout), `synth: FAIL (exit 2): bad input: --out ${out} (above)`);
    }
  });

  it("an --out folder that takes no file is bad input said once, before any stack is synthesized", async function () {
    // Root writes through any mode bits: sysfs refuses every write, even root's.
    const root = process.getuid?.() === 0;
    if (root && !fs.existsSync("/sys/kernel")) this.skip();
    const out = root ? "/sys/kernel" : tmpDir("synth-out");
    if (!root) fs.chmodSync(out, 0o555);
    const r = await synthCli("--dir", project(), "--out", out, "--quiet", "--all", "--no-render");
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.equal(
      r.stderr.trim(),
      `synth: --out ${out}: expected a folder to write the exports into; it cannot be written (permission denied)`,
    );
    assert.equal(lastLine(r.stdout), `synth: FAIL (exit 2): bad input: --out ${out} (above)`);
  });

  it("a chart pin whose version Helm reads loosely is bad input at its line of model/versions.ts, before any pull or render", async () => {
    const { runSynth } = await import("../../cli/synthRun");
    const { versions } = await import("../../model/versions");
    const pin = versions.charts.grafana as { version: string };
    const cache = tmpDir("pins-cache");
    for (const f of ["grafana-12.3.1.tgz", "grafana-12.11.1.tgz"]) fs.writeFileSync(path.join(cache, f), "");
    // A Helm that leaves a mark: a pull of "v12.11.1" saved grafana-12.11.1.tgz, then the render
    // looked for grafana-v12.11.1.tgz and said the pull "failed here: exit 0".
    const ran = path.join(tmpDir("pins-helm"), "ran");
    const helm = path.join(path.dirname(ran), "helm");
    fs.writeFileSync(helm, `#!/bin/sh\necho "$@" >> ${ran}\n`, { mode: 0o755 });
    const text = fs.readFileSync(path.join(ROOT, "model/versions.ts"), "utf8");
    const line = text.slice(0, text.indexOf("version:", text.indexOf("grafana: {"))).split("\n").length;
    const saved = { version: pin.version, cache: process.env.HOMELAB_CHART_CACHE };
    // The cache the pins are compared with is the render's (config/chartCache.ts reads the process's).
    process.env.HOMELAB_CHART_CACHE = cache;
    pin.version = "v12.11.1";
    try {
      const dir = project();
      const r = await inProcess(
        runSynth,
        ["--dir", dir, "--out", path.join(dir, "out"), "--quiet", "--stack", "staging"],
        {
          ...process.env,
          HOMELAB_HELM: helm,
        },
      );
      assert.equal(r.status, 2, r.stdout + r.stderr);
      assert.equal(
        r.stderr.trim(),
        `synth: model/versions.ts:${line}: charts.grafana.version: expected an exact chart version as its repository writes it, X.Y.Z (vX.Y.Z for a chart published so; SemVer, -<pre-release> and +<build> allowed; no range), got "v12.11.1", but grafana publishes it without a "v"; did you mean "12.11.1"? (the chart cache holds grafana 12.3.1, 12.11.1)`,
      );
      assert.equal(lastLine(r.stdout), "synth: FAIL (exit 2): bad input: model/versions.ts (above)");
      assert.ok(!fs.existsSync(ran), "no Helm ran");
      assert.deepEqual(fs.readdirSync(cache).sort(), ["grafana-12.11.1.tgz", "grafana-12.3.1.tgz"]);
      assert.ok(!fs.existsSync(path.join(dir, "out")), "nothing written");
    } finally {
      pin.version = saved.version;
      if (saved.cache === undefined) delete process.env.HOMELAB_CHART_CACHE;
      else process.env.HOMELAB_CHART_CACHE = saved.cache;
    }
  });

  it("a HOMELAB_HELM_JOBS that is no count of at least 1 is bad input naming it, before anything is written", async () => {
    const { runSynth } = await import("../../cli/synthRun");
    // -1 left every render waiting for a slot: the process ran dry and exited 0 with no verdict;
    // 0 and a word silently meant the default.
    for (const value of ["-1", "0", "auto", "1.5"]) {
      const dir = project();
      const out = path.join(dir, "out");
      const r = await inProcess(runSynth, ["--dir", dir, "--out", out, "--quiet", "--stack", "staging"], {
        ...process.env,
        HOMELAB_HELM_JOBS: value,
      });
      assert.equal(r.status, 2, r.stdout + r.stderr);
      assert.match(
        r.stderr.trim(),
        new RegExp(
          `^synth: HOMELAB_HELM_JOBS: expected a whole number of at least 1 \\(how many Helm renders run at once; unset, the CPU count, at least 2: \\d+ here\\), got ${JSON.stringify(value).replace(/\./g, "\\.")}$`,
        ),
      );
      assert.equal(lastLine(r.stdout), "synth: FAIL (exit 2): bad input: HOMELAB_HELM_JOBS (above)");
      assert.equal(fs.existsSync(out), false, "nothing written");
    }
  });

  // A cache variable naming a file ended the synthesis with "unexpected error (please report it):
  // ENOTDIR" (the render cache) or "EEXIST: mkdir" (the check cache), after the whole synthesis.
  it("a HOMELAB_RENDER_CACHE or HOMELAB_CHECK_CACHE where no folder can be is bad input naming it, before anything is written", async () => {
    const { runSynth } = await import("../../cli/synthRun");
    const file = path.join(tmpDir("cache-file"), "file");
    fs.writeFileSync(file, "");
    const what = {
      HOMELAB_RENDER_CACHE: ["the Helm renders", ".cache/render"],
      HOMELAB_CHECK_CACHE: ["the rendered-object checks' verdicts", ".cache/checks"],
    };
    for (const [name, [kept, fallback]] of Object.entries(what))
      for (const value of [file, path.join(file, "below")]) {
        const dir = project();
        const out = path.join(dir, "out");
        // In the process's environment too: the render and the checks read it there, as a child would.
        const r = await withEnv({ [name]: value }, () =>
          inProcess(runSynth, ["--dir", dir, "--out", out, "--quiet", "--stack", "staging"], process.env),
        );
        assert.equal(r.status, 2, r.stdout + r.stderr);
        assert.equal(
          r.stderr.trim(),
          `synth: ${name}: expected a folder to keep ${kept} in (made when missing), got ${JSON.stringify(value)}: a file is there (or on its path); point it at a folder, or unset it for ${fallback} in the project folder`,
        );
        assert.equal(lastLine(r.stdout), `synth: FAIL (exit 2): bad input: ${name} (above)`);
        assert.equal(fs.existsSync(out), false, "nothing written");
        assert.equal(fs.readFileSync(file, "utf8"), "", "the file is left as it was");
      }
  });

  // A link to nothing passed (existsSync follows it: "missing", its folder writable) and the
  // synthesis ended with "unexpected error (please report it): ENOENT: mkdir" after the stack.
  it("a HOMELAB_RENDER_CACHE or HOMELAB_CHECK_CACHE that is a link to nothing (or under one) is bad input naming it", async () => {
    const { runSynth } = await import("../../cli/synthRun");
    const base = tmpDir("cache-link");
    const link = path.join(base, "link");
    fs.symlinkSync(path.join(base, "nowhere"), link);
    for (const value of [link, path.join(link, "below")]) {
      const dir = project();
      const out = path.join(dir, "out");
      const r = await withEnv({ HOMELAB_CHECK_CACHE: value }, () =>
        inProcess(runSynth, ["--dir", dir, "--out", out, "--quiet", "--stack", "staging"], process.env),
      );
      assert.equal(r.status, 2, r.stdout + r.stderr);
      assert.equal(
        r.stderr.trim(),
        `synth: HOMELAB_CHECK_CACHE: expected a folder to keep the rendered-object checks' verdicts in (made when missing), got ${JSON.stringify(value)}: a link to a path that does not exist is there (or on its path); point it at a folder, or unset it for .cache/checks in the project folder`,
      );
      assert.equal(fs.existsSync(out), false, "nothing written");
      assert.equal(fs.existsSync(path.join(base, "nowhere")), false, "no folder made through the link");
    }
  });

  // A folder that exists is taken even when it cannot be written: only a miss writes, and a warm
  // cache shared read-only (another user's, a read-only mount) served every render and verdict
  // before; refusing it turned a passing synthesis into exit 2.
  it("takes a cache folder that exists but cannot be written: a warm cache is only read", async function () {
    const { cacheFolderProblems } = await import("../../cli/outFolder");
    // Root writes through any mode bits: a folder of sysfs refuses every write, even root's.
    const root = process.getuid?.() === 0;
    if (root && !fs.existsSync("/sys/kernel")) this.skip();
    const dir = root ? "/sys/kernel" : tmpDir("cache-read-only");
    if (!root) fs.chmodSync(dir, 0o555);
    assert.deepEqual(cacheFolderProblems({ HOMELAB_RENDER_CACHE: dir, HOMELAB_CHECK_CACHE: dir }), []);
    // A folder it would have to make there is still refused.
    const below = path.join(dir, "homelab-cache");
    assert.deepEqual(
      cacheFolderProblems({ HOMELAB_CHECK_CACHE: below }).map((p) =>
        p.replace(/: it cannot be made \(.*\);/, ": …;"),
      ),
      [
        `HOMELAB_CHECK_CACHE: expected a folder to keep the rendered-object checks' verdicts in (made when missing), got ${JSON.stringify(below)}: …; point it at a folder, or unset it for .cache/checks in the project folder`,
      ],
    );
  });

  // HOMELAB_HELM_JOBS counts `helm template` runs, which --no-render never starts: a bad value there
  // changed nothing and failed the run, where HOMELAB_HELM and HOMELAB_CHART_CACHE, the render's
  // other variables, are not read under --no-render at all.
  it("--no-render judges none of the render's variables: a bad HOMELAB_HELM_JOBS fails no run, as a bad HOMELAB_HELM does not", async () => {
    const { runSynth } = await import("../../cli/synthRun");
    for (const bad of [
      { HOMELAB_HELM_JOBS: "auto" },
      { HOMELAB_HELM: path.join(tmpDir("nohelm"), "helm") },
    ]) {
      const dir = project();
      const argv = [
        "--dir",
        dir,
        "--out",
        path.join(dir, "out"),
        "--quiet",
        "--stack",
        "staging",
        "--no-render",
      ];
      const r = await inProcess(runSynth, argv, { ...process.env, ...bad });
      assert.equal(r.status, 0, `${JSON.stringify(bad)}\n${r.stdout}${r.stderr}`);
      assert.doesNotMatch(r.stdout + r.stderr, /HOMELAB_HELM/);
      assert.equal(
        lastLine(r.stdout),
        "staging: pass (exit 0): the policy passes (not rendered: --no-render)",
      );
    }
  });

  it("a stack named twice is judged once", async () => {
    const dir = project();
    const r = await synthIn(dir, "--stack", "staging", "--stack", "staging", "--no-render");
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.equal(r.stdout.match(/^staging: pass/gm)?.length, 1, r.stdout);
    assert.doesNotMatch(r.stdout, /2 stacks/);
  });

  it("an override of a chart no release of the stack installs is a warning, not in force", async () => {
    const dir = project(
      [
        "  homelab-observability:chartValues:",
        "    vector:",
        "      podAnnotations:",
        "        a: b",
        "    grafana:",
        "      podAnnotations:",
        "        a: b",
        "",
      ].join("\n"),
    );
    const r = await synthIn(dir, "--stack", "staging", "--no-render");
    // Vector runs at every phase: the log agent leaves it out, the default of staging's profile.
    assert.match(
      r.stderr,
      /staging: warning: chartValues\.vector\.podAnnotations\.a: no release of chart vector is in this stack: logAgent is alloy, the default of profile standard; the override changes nothing: remove it, set logAgent: vector, set profile: lightweight, or move it to a stack that runs the chart\n/,
    );
    assert.doesNotMatch(r.stderr, /phase kps-removed/);
    const inForce =
      /chart values overrides in force \(chartValues\):([^\n]*(\n    [^\n]*)*)/.exec(r.stdout)?.[1] ?? "";
    assert.match(inForce, /grafana\.podAnnotations\.a/);
    assert.doesNotMatch(inForce, /vector/);
  });
});
