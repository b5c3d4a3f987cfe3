/**
 * What the render's own variables and cache say when they name nothing usable, or lack a pin: a
 * HOMELAB_HELM that cannot run and a HOMELAB_CHART_CACHE that is no folder are each one message
 * naming the variable, what was found and what to set (exit 2, bad input), not one per release or
 * "7 of 7 archives missing"; an archive the cache lacks says which versions of that chart it holds,
 * or the chart name it holds that the pinned one is a slip of.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawn } from "child_process";
import {
  chartArchive,
  ChartCacheError,
  chartCacheProblem,
  helmBinary,
  helmBinaryProblem,
  missingChartsError,
  RenderSetupError,
} from "../../synth/render/helm";
import { renderExport } from "../../synth/render/render";
import { compiled, inProcess, ROOT, tmpDir, withEnv } from "../support/helpers";
import { until } from "../support/servers";

const lastLine = (text: string) => text.trimEnd().split("\n").pop()!;

/** A project folder with this project's Pulumi.yaml and staging's stack file. */
function project(): string {
  const dir = tmpDir("render-setup");
  fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  fs.copyFileSync(path.join(ROOT, "Pulumi.staging.yaml"), path.join(dir, "Pulumi.staging.yaml"));
  return dir;
}

/** A file that is there but cannot run. */
function plainFile(): string {
  const file = path.join(tmpDir("plain"), "helm");
  fs.writeFileSync(file, "not a program\n", { mode: 0o644 });
  return file;
}

describe("the render's variables: one message each naming the variable, what was found and what to set", function () {
  this.timeout(120_000);

  it("HOMELAB_HELM that names no Helm that runs: what was found, per kind", () => {
    const folder = tmpDir("helm-folder");
    const plain = plainFile();
    const cases: [string, string][] = [
      ["/nope/helm", "no such file"],
      [folder, "a folder, not a file"],
      [plain, "a file that is not executable (chmod +x it)"],
      ["no-such-helm-command", "no such command on PATH"],
    ];
    for (const [value, found] of cases)
      assert.equal(
        helmBinaryProblem({ HOMELAB_HELM: value, PATH: "/nonexistent" }),
        `HOMELAB_HELM: expected the path of a Helm 3 binary to run, got ${JSON.stringify(value)}: ${found}; set it to one (\`command -v helm\` prints the one on PATH) or unset it for .tools/helm (scripts/install-helm.sh puts one there)`,
      );
    // Unset, or a Helm that runs: nothing to say.
    assert.equal(helmBinaryProblem({}), undefined);
    assert.equal(helmBinaryProblem({ HOMELAB_HELM: path.join(ROOT, ".tools", "helm") }), undefined);
    assert.equal(helmBinaryProblem({ HOMELAB_HELM: "helm", PATH: path.join(ROOT, ".tools") }), undefined);
  });

  it("HOMELAB_CHART_CACHE that is no folder: no such folder, or a file", () => {
    const missing = path.join(tmpDir("cache"), "nope");
    const file = plainFile();
    assert.match(
      chartCacheProblem({ HOMELAB_CHART_CACHE: missing })!,
      new RegExp(
        `^HOMELAB_CHART_CACHE: expected the folder holding the chart archives \\(<chart>-<version>\\.tgz\\), got "${missing}": no such folder; point it at the folder that holds them \\(to fill a new one, make it first: mkdir -p ${missing}\\), or unset it`,
      ),
    );
    assert.match(
      chartCacheProblem({ HOMELAB_CHART_CACHE: file })!,
      new RegExp(`got "${file}": a file, not a folder; point it at the folder that holds them, or unset it`),
    );
    assert.equal(chartCacheProblem({ HOMELAB_CHART_CACHE: tmpDir("cache") }), undefined);
    assert.equal(chartCacheProblem({}), undefined);
  });

  it("HOMELAB_CHART_CACHE that is no folder names the cache unsetting it gives: .charts/ in a checkout without ../shared/charts", () => {
    const missing = path.join(tmpDir("cache"), "nope");
    // A checkout alone in its folder (a clone without ../shared), then one beside shared/charts.
    const alone = path.join(tmpDir("alone"), "homelab");
    const beside = path.join(tmpDir("beside"), "homelab");
    fs.mkdirSync(path.join(beside, "..", "shared", "charts"), { recursive: true });
    assert.match(
      chartCacheProblem({ HOMELAB_CHART_CACHE: missing }, alone)!,
      new RegExp(
        `, or unset it for \\.charts/ in the project \\(${path.join(alone, ".charts")}; no \\.\\./shared/charts is beside it\\)$`,
      ),
    );
    assert.match(
      chartCacheProblem({ HOMELAB_CHART_CACHE: missing }, beside)!,
      new RegExp(
        `, or unset it for \\.\\./shared/charts beside the project \\(${path.join(beside, "..", "shared", "charts")}\\)$`,
      ),
    );
  });

  it("synth: each is one message and bad input naming it (exit 2), before anything is written; both in one run", async () => {
    const { runSynth } = await import("../../cli/synthRun");
    const helm = "/nope/helm";
    const cache = path.join(tmpDir("cache"), "nope");
    const runs: [Record<string, string>, string[]][] = [
      [{ HOMELAB_HELM: helm }, ["HOMELAB_HELM"]],
      [{ HOMELAB_CHART_CACHE: cache }, ["HOMELAB_CHART_CACHE"]],
      [{ HOMELAB_HELM: helm, HOMELAB_CHART_CACHE: cache }, ["HOMELAB_HELM", "HOMELAB_CHART_CACHE"]],
    ];
    for (const [vars, named] of runs) {
      const dir = project();
      const out = path.join(dir, "out");
      // A cold render cache of its own: a warm one would render nothing and so never run Helm.
      const env = { ...process.env, HOMELAB_RENDER_CACHE: tmpDir("render-cache"), ...vars };
      const r = await inProcess(runSynth, ["--dir", dir, "--out", out, "--quiet", "--stack", "staging"], env);
      assert.equal(r.status, 2, r.stdout + r.stderr);
      const lines = r.stderr.trim().split("\n");
      // Each led by synth: as every refusal of an input is (test/cli/refusalForms18.test.ts).
      assert.deepEqual(
        lines.map((l) => l.split(":").slice(0, 2).join(":")),
        named.map((n) => `synth: ${n}`),
        r.stderr,
      );
      assert.doesNotMatch(r.stderr, /did not render|lacks \d+ of the/);
      assert.equal(lastLine(r.stdout), `synth: FAIL (exit 2): bad input: ${named.join(", ")} (above)`);
      assert.equal(fs.existsSync(out), false, "nothing written");
      assert.equal(fs.existsSync(cache), false, "the missing cache folder is not made");
    }
  });

  it("synth --no-render needs neither, and runs", async () => {
    const { runSynth } = await import("../../cli/synthRun");
    const dir = project();
    const env = { ...process.env, HOMELAB_HELM: "/nope/helm", HOMELAB_CHART_CACHE: "/nope/charts" };
    const r = await inProcess(
      runSynth,
      ["--dir", dir, "--out", path.join(dir, "out"), "--quiet", "--stack", "staging", "--no-render"],
      env,
    );
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });

  it("every other caller of the render (verify, bench, --against) gets the one error before any release runs", async () => {
    const none = { deployment: { resources: [] } } as unknown as Parameters<typeof renderExport>[0];
    await withEnv({ HOMELAB_HELM: "/nope/helm" }, async () => {
      assert.throws(
        () => helmBinary(),
        (e: Error) => e instanceof RenderSetupError && /^HOMELAB_HELM: /.test(e.message),
      );
      await assert.rejects(renderExport(none), RenderSetupError);
    });
    await withEnv({ HOMELAB_CHART_CACHE: "/nope/charts" }, async () => {
      await assert.rejects(
        renderExport(none),
        (e: Error) =>
          e instanceof RenderSetupError && /^HOMELAB_CHART_CACHE: .*no such folder/.test(e.message),
      );
    });
  });
});

describe("an archive the chart cache lacks: what the cache holds of that chart", () => {
  /** A cache folder holding empty archives of these names. */
  function cache(...archives: string[]): string {
    const dir = tmpDir("chart-cache");
    for (const a of archives) fs.writeFileSync(path.join(dir, a), "");
    return dir;
  }
  const lacking = async (chart: string, version: string, dir: string): Promise<ChartCacheError> => {
    try {
      await chartArchive(chart, version, "https://example.invalid", {
        cache: dir,
        helm: "helm",
        pull: false,
      });
    } catch (e) {
      assert.ok(e instanceof ChartCacheError, String(e));
      return e;
    }
    assert.fail("the archive was found");
  };

  it("a release naming no repository: the pull said in words, no `<repo>` a shell reads as a redirection", async () => {
    const dir = cache();
    let e: unknown;
    try {
      await chartArchive("grafana", "12.4.0", undefined, { cache: dir, helm: "helm", pull: true });
    } catch (err) {
      e = err;
    }
    assert.ok(e instanceof ChartCacheError, String(e));
    assert.doesNotMatch(e.message, /[<>]/, e.message);
    assert.match(
      e.message,
      new RegExp(
        `fill it with: helm pull --repo with the URL of the chart's repository \\(the release names none\\), then: grafana --version 12\\.4\\.0 -d ${dir.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")},`,
      ),
    );
    assert.doesNotMatch(missingChartsError(e.missing, ["grafana-12.4.0.tgz"], dir).message, /[<>]/);
  });

  it("a pinned version the cache lacks: the versions of that chart it holds, in version order", async () => {
    const dir = cache("grafana-12.11.1.tgz", "grafana-12.3.1.tgz", "loki-18.11.0.tgz", "index.json");
    const e = await lacking("grafana", "12.4.0", dir);
    assert.match(
      e.message,
      /\(expected grafana-12\.4\.0\.tgz\) \(the chart cache holds grafana 12\.3\.1, 12\.11\.1\)/,
    );
    assert.equal(e.missing[0].held, "the chart cache holds grafana 12.3.1, 12.11.1");
    // In the list a run prints, as a shell comment after the command (which still runs pasted).
    const list = missingChartsError(e.missing, ["grafana-12.4.0.tgz"], dir).message;
    assert.ok(
      list.includes(
        `    helm pull --repo https://example.invalid grafana --version 12.4.0 -d ${dir}    # the chart cache holds grafana 12.3.1, 12.11.1\n`,
      ),
      list,
    );
  });

  it("a chart name the cache lacks: the one it holds that is close, with its versions; nothing near, nothing said", async () => {
    const dir = cache("grafana-12.3.1.tgz", "prometheus-node-exporter-4.49.1.tgz");
    const typo = await lacking("grafanna", "12.3.1", dir);
    assert.equal(
      typo.missing[0].held,
      "the chart cache holds no grafanna; did you mean grafana? (it holds grafana 12.3.1)",
    );
    const dashes = await lacking("prometheus-node-exporte", "4.49.1", dir);
    assert.match(
      dashes.missing[0].held ?? "",
      /did you mean prometheus-node-exporter\? \(it holds prometheus-node-exporter 4\.49\.1\)/,
    );
    // Only what the cache holds: an empty cache, or nothing near, adds nothing.
    assert.equal((await lacking("loki", "18.11.0", dir)).missing[0].held, undefined);
    assert.equal((await lacking("grafana", "12.3.1", cache())).missing[0].held, undefined);
  });

  /** A stand-in for Helm that saves `saves` (empty) into the folder after `-d`, exits 0, and notes each run. */
  function fakeHelm(saves: string): { helm: string; ran: () => string } {
    const dir = tmpDir("fake-helm");
    const helm = path.join(dir, "helm");
    const log = path.join(dir, "ran");
    fs.writeFileSync(
      helm,
      `#!/bin/sh\necho "$@" >> ${log}\nwhile [ "$1" != "-d" ]; do shift; done\n: > "$2/${saves}"\n`,
      { mode: 0o755 },
    );
    return { helm, ran: () => (fs.existsSync(log) ? fs.readFileSync(log, "utf8") : "") };
  }

  it('a pull that exits 0 but saves another archive says what Helm saved and the version to pin, never "failed here: exit 0"', async () => {
    const dir = cache("grafana-12.3.1.tgz");
    const { helm, ran } = fakeHelm("grafana-12.11.2.tgz");
    let e: unknown;
    try {
      await chartArchive("grafana", "12.11.1", "https://example.invalid", { cache: dir, helm, pull: true });
    } catch (err) {
      e = err;
    }
    assert.ok(e instanceof ChartCacheError, String(e));
    assert.match(ran(), /^pull --repo https:\/\/example\.invalid grafana --version 12\.11\.1 -d /);
    assert.equal(
      e.message,
      `chart grafana 12.11.1: helm pull --repo https://example.invalid grafana --version 12.11.1 exited 0, but Helm saved grafana-12.11.2.tgz instead (now in the chart cache), not grafana-12.11.1.tgz, the archive the render reads; pin grafana 12.11.2 in model/versions.ts (the chart cache is ${dir}), or synthesize with --no-render`,
    );
    assert.deepEqual(e.missing, [
      {
        archive: "grafana-12.11.1.tgz",
        fix: "not pulled as grafana-12.11.1.tgz: Helm saved grafana-12.11.2.tgz instead (now in the chart cache); pin grafana 12.11.2 in model/versions.ts",
        held: "the chart cache holds grafana 12.3.1, 12.11.2",
      },
    ]);
    // What Helm saved is in the cache, said; nothing else is left there.
    assert.deepEqual(fs.readdirSync(dir).sort(), ["grafana-12.11.2.tgz", "grafana-12.3.1.tgz"]);
  });

  it("a pull removes the folders of pulls killed mid-pull, never one a running pull or another machine may use", async function () {
    this.timeout(20000);
    const dir = cache("grafana-12.3.1.tgz");
    // A real leftover: a pull whose process is killed (SIGKILL: no `finally` runs) while Helm writes.
    const slow = path.join(tmpDir("slow-helm"), "helm");
    fs.writeFileSync(
      slow,
      `#!/bin/sh\nwhile [ "$1" != "-d" ]; do shift; done\necho partial > "$2/grafana-12.4.0.tgz"\nexec sleep 60\n`,
      { mode: 0o755 },
    );
    const pulling = spawn(
      process.execPath,
      [
        "-e",
        `require(${JSON.stringify(compiled("synth/render/helm.ts"))}).chartArchive("grafana", "12.4.0", "https://example.invalid", { cache: ${JSON.stringify(dir)}, helm: ${JSON.stringify(slow)}, pull: true })`,
      ],
      { detached: true, stdio: "ignore" },
    );
    const leftover = () => fs.readdirSync(dir).find((n) => n.startsWith(".pull-"));
    await until(
      () =>
        Promise.resolve(leftover() !== undefined && fs.readdirSync(path.join(dir, leftover()!)).length > 0),
      10000,
      "the pull to start",
    );
    const exited = new Promise((resolve) => pulling.on("exit", resolve));
    process.kill(-pulling.pid!, "SIGKILL");
    await exited;
    const killed = leftover()!;
    // A pull running now (this test's parent runs), and folders whose process cannot be asked: made
    // on another machine sharing the cache, or before folders named their process (one a day old).
    const kept = [
      `.pull-${process.ppid}-${os.hostname()}-live01`,
      `.pull-${pulling.pid}-elsewhere-abc123`,
      ".pull-new123",
    ];
    for (const name of [...kept, ".pull-old123"]) fs.mkdirSync(path.join(dir, name));
    const dayAgo = new Date(Date.now() - 25 * 60 * 60 * 1000);
    fs.utimesSync(path.join(dir, ".pull-old123"), dayAgo, dayAgo);

    const { helm } = fakeHelm("grafana-12.11.1.tgz");
    await chartArchive("grafana", "12.11.1", "https://example.invalid", { cache: dir, helm, pull: true });
    assert.deepEqual(
      fs.readdirSync(dir).sort(),
      [...kept, "grafana-12.11.1.tgz", "grafana-12.3.1.tgz"].sort(),
      `the killed pull's ${killed} and the day-old folder are removed`,
    );
  });

  it("a version Helm would read as a range (12.11, ^12.3) is not pulled, and no pull is told to paste", async () => {
    for (const version of ["12.11", "^12.3"]) {
      const dir = cache("grafana-12.3.1.tgz", "grafana-12.11.1.tgz");
      const { helm, ran } = fakeHelm("grafana-12.11.1.tgz");
      for (const pull of [true, false]) {
        let e: unknown;
        try {
          await chartArchive("grafana", version, "https://example.invalid", { cache: dir, helm, pull });
        } catch (err) {
          e = err;
        }
        assert.ok(e instanceof ChartCacheError, String(e));
        assert.equal(
          e.missing[0].fix,
          `not pulled: "${version}" is no exact chart version (X.Y.Z, or vX.Y.Z for a chart published so; Helm would read it as a range and save the release it picks under that release's own name); pin an exact version of grafana in model/versions.ts`,
        );
        assert.doesNotMatch(e.message, /helm pull/);
      }
      assert.equal(ran(), "", "no Helm ran");
      assert.deepEqual(fs.readdirSync(dir).sort(), ["grafana-12.11.1.tgz", "grafana-12.3.1.tgz"]);
    }
  });
});
